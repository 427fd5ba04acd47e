"""
The address book as a spreadsheet: export positions to CSV or Excel, edit,
and import them back.

Imports are all or nothing: every row is validated like the form validates
it (required address parts for the country, salutation placeholders, no
second active office with the same title and institution in one country)
and a single bad row writes nothing. A row with an `id` updates that
position; a row without one adds a position.
"""

from __future__ import annotations

import base64
import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import tablib
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from import_export import fields, resources
from import_export.formats import base_formats

from recipients.models import Position

MAX_BYTES = 1024 * 1024
# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_ROWS = 2000
# An .xlsx is a zip: what it may unpack to, checked before openpyxl reads a
# byte of it. An honest workbook of 2,000 rows unpacks to a few MB at ratios
# under 20; a zip bomb of 94 KB unpacked to 300,000 rows. The size also bounds
# openpyxl's own full scan of a sheet that lacks a <dimension> (~0.1 s a MB).
MAX_UNPACKED_BYTES = 8 * 1024 * 1024
MAX_RATIO = 100
MAX_ZIP_MEMBERS = 100
REQUIRED_COLUMNS = ("title", "country")
NOT_UTF8 = (
    "This file is not UTF-8 text; it looks like another encoding (such as Windows-1252, "
    "Shift_JIS or UTF-16). Save it as “CSV UTF-8” (Excel: File > Save As > CSV UTF-8) "
    "and upload it again. Nothing was imported."
)


class PositionResource(resources.ModelResource):
    current_holder = fields.Field(column_name="current_holder", readonly=True)

    class Meta:
        model = Position
        fields = (
            "id",
            "title",
            "institution",
            "department",
            "country",
            "kind",
            "delivery",
            "address_lines",
            "locality",
            "region",
            "postal_code",
            "address_country",
            "email",
            "fax",
            "phone",
            "salutation_pattern",
            "last_verified",
            "current_holder",
        )
        import_id_fields = ("id",)
        clean_model_instances = True
        use_transactions = True
        # Export pages through the positions this many at a time, prefetching
        # each page's current holders: two queries per thousand rows.
        chunk_size = 1000
        # Keep each row's instance, so the preview can say what an update changes.
        store_instance = True
        skip_unchanged = True
        report_skipped = True

    def dehydrate_current_holder(self, position: Position) -> str:
        holder = position.current_holder()
        return holder.full_name if holder else "(vacant)"

    def dehydrate_country(self, position: Position) -> str:
        return position.country.code or ""

    def dehydrate_address_country(self, position: Position) -> str:
        return position.address_country.code or ""

    def before_import(self, dataset, **kwargs) -> None:
        # New positions need no id column; without one every row is an addition.
        if "id" not in (dataset.headers or []):
            dataset.append_col([""] * len(dataset), header="id")

    def export(self, queryset=None, **kwargs) -> tablib.Dataset:
        dataset = super().export(queryset, **kwargs)
        # Quote would-be formulas so a spreadsheet shows them as text; the
        # import takes the quote off again, so a round trip changes nothing.
        escaped = tablib.Dataset(headers=dataset.headers)
        for row in dataset:
            escaped.append([_escape(value) for value in row])
        return escaped

    def before_import_row(self, row, **kwargs) -> None:
        # Spreadsheets leave empty cells as None and codes in any case.
        for key, value in list(row.items()):
            text = "" if value is None else str(value).strip()
            if text.startswith("'") and text[1:2] and text[1] in FORMULA_STARTS:
                text = text[1:]
            row[key] = text
        for key in ("country", "address_country"):
            if key in row:
                row[key] = row[key].upper()
        for key in ("kind", "delivery"):
            if key in row:
                row[key] = row[key].lower()
        for key in ("salutation_pattern", "kind", "delivery"):
            # An empty cell keeps the office's own value (or the default for a new one).
            if row.get(key) == "":
                row.pop(key)

    def get_instance(self, instance_loader, row):
        if not row.get("id"):
            return None
        try:
            return Position.objects.get(pk=int(row["id"]))
        except (ValueError, Position.DoesNotExist):
            raise ValidationError(
                f"There is no position with id {row['id']} to update. Leave the id empty "
                "to add a new position."
            ) from None

    def import_instance(self, instance, row, **kwargs) -> None:
        super().import_instance(instance, row, **kwargs)
        if instance.archived_at is not None:
            raise ValidationError("This position is archived; restore it before updating it.")


def _escape(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass
class ImportRow:
    number: int
    values: dict
    kind: str  # new, update, skip, invalid, error
    messages: list[str] = field(default_factory=list)
    # (field label, old value, new value) for updates.
    changes: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class ImportOutcome:
    rows: list[ImportRow]
    errors: list[str]
    dry_run: bool

    @property
    def ok(self) -> bool:
        return not self.errors and all(r.kind not in ("invalid", "error") for r in self.rows)

    def count(self, kind: str) -> int:
        return sum(1 for r in self.rows if r.kind == kind)

    @property
    def counts(self) -> dict[str, int]:
        kinds = ("new", "update", "skip", "invalid", "error")
        return {kind: self.count(kind) for kind in kinds}


def read_upload(
    name: str,
    data: bytes,
    *,
    required: tuple[str, ...] = REQUIRED_COLUMNS,
    hint: str = "Export the directory to get a file with the right columns.",
) -> tablib.Dataset:
    """
    A dataset from an uploaded CSV or XLSX file, or a ValidationError that says
    why not. Rows are read lazily and reading stops one row past the limit, so a
    file that unpacks to a million rows costs no more than one at the limit.
    `required` names the columns the file must have (letters' organisations
    import reads its files here too).
    """
    if len(data) > MAX_BYTES:
        raise ValidationError("The file is larger than 1 MB. Split it into smaller files.")
    if name.lower().endswith(".xlsx"):
        dataset = _read_xlsx(data)
    elif name.lower().endswith(".csv"):
        dataset = _read_csv(data)
    else:
        raise ValidationError("Upload a .csv or .xlsx file.")
    headers = [str(h or "").strip() for h in (dataset.headers or [])]
    missing = [c for c in required if c not in headers]
    if missing:
        raise ValidationError(
            f"The first row must name the columns; missing: {', '.join(missing)}. {hint}"
        )
    dataset.headers = headers
    if len(dataset) == 0:
        raise ValidationError("The file has no rows below the column names.")
    return dataset


def _dataset(rows: Iterable[Iterable[object]]) -> tablib.Dataset:
    """The header and at most MAX_ROWS rows below it; ValidationError on one more."""
    rows = iter(rows)
    header = next(rows, None)
    if header is None:
        raise ValidationError("The file is empty.")
    headers = ["" if cell is None else str(cell) for cell in header]
    body = [list(row) for row in islice(_non_empty(rows), MAX_ROWS + 1)]
    if len(body) > MAX_ROWS:
        raise ValidationError(
            f"The file has more than {MAX_ROWS} rows; at most {MAX_ROWS} at a time. "
            "Split it into smaller files."
        )
    dataset = tablib.Dataset(headers=headers)
    width = len(headers)
    for row in body:
        # Pad or cut each row to the header, as tablib requires.
        dataset.append((row + [None] * width)[:width])
    return dataset


def _non_empty(rows: Iterator[Iterable[object]]) -> Iterator[list[object]]:
    for row in rows:
        cells = list(row)
        if any(cell not in (None, "") for cell in cells):
            yield cells


def check_zip(data: bytes) -> None:
    """Refuse a zip that unpacks to too much (a zip bomb) before anything parses it."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ValidationError("This Excel file could not be read.") from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise ValidationError(f"This Excel file has more than {MAX_ZIP_MEMBERS} parts.")
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise ValidationError(
            f"This Excel file unpacks to {unpacked // (1024 * 1024)} MB; the limit is "
            f"{MAX_UNPACKED_BYTES // (1024 * 1024)} MB. Split it into smaller files."
        )
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise ValidationError(
                f"This Excel file is compressed more than {MAX_RATIO} to 1, as only "
                "a zip bomb is. Save it again from your spreadsheet program."
            )


def _read_xlsx(data: bytes) -> tablib.Dataset:
    if not data.startswith(b"PK"):
        raise ValidationError("This is not an Excel .xlsx file.")
    check_zip(data)
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ValidationError("This Excel file could not be read.") from None
    try:
        sheet = book.active
        if sheet is None:
            raise ValidationError("This Excel file has no sheet.")
        return _dataset(sheet.iter_rows(values_only=True))
    except ValidationError:
        raise
    except Exception:
        raise ValidationError("This Excel file could not be read.") from None
    finally:
        book.close()


def _read_csv(data: bytes) -> tablib.Dataset:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValidationError(NOT_UTF8)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(NOT_UTF8) from None
    if "\x00" in text:
        raise ValidationError(NOT_UTF8)
    try:
        return _dataset(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        raise ValidationError("This CSV file could not be read.") from None


class CSVFormat(base_formats.CSV):
    """The admin's CSV import, read by `read_upload`: same limits, same checks."""

    def is_binary(self) -> bool:
        return True

    def get_read_mode(self) -> str:
        return "rb"

    def create_dataset(self, in_stream, **kwargs) -> tablib.Dataset:
        return read_upload("import.csv", in_stream)


class XLSXFormat(base_formats.XLSX):
    """The admin's Excel import, read by `read_upload`: lazily, after the zip check."""

    def create_dataset(self, in_stream, **kwargs) -> tablib.Dataset:
        return read_upload("import.xlsx", in_stream)


def import_positions(dataset: tablib.Dataset, *, dry_run: bool, user=None) -> ImportOutcome:
    """Validate (and unless `dry_run`, save) every row; any bad row rolls back them all."""
    resource = PositionResource()
    result = resource.import_data(
        dataset,
        dry_run=dry_run,
        use_transactions=True,
        rollback_on_validation_errors=True,
        user=user,
    )
    errors = [str(e.error) for e in result.base_errors]
    invalid = {r.number: r for r in result.invalid_rows}
    failed = dict(result.row_errors())
    rows = []
    for number, values in enumerate(dataset.dict, 1):
        row_result = result.rows[number - 1] if number - 1 < len(result.rows) else None
        kind = row_result.import_type if row_result else "error"
        messages = []
        if number in invalid:
            kind = "invalid"
            for name, problems in invalid[number].error_dict.items():
                label = "" if name == "__all__" else f"{_field_label(name)}: "
                messages += [f"{label}{p}" for p in problems]
        if number in failed:
            kind = "error"
            messages += [_error_text(e.error) for e in failed[number]]
        changes = _changes(row_result) if kind == "update" else []
        rows.append(
            ImportRow(
                number=number, values=dict(values), kind=kind, messages=messages, changes=changes
            )
        )
    return ImportOutcome(rows=rows, errors=errors, dry_run=dry_run)


def _changes(row_result) -> list[tuple[str, str, str]]:
    before, after = row_result.original, row_result.instance
    if before is None or after is None:
        return []
    changes = []
    for name in PositionResource.Meta.fields:
        if name in ("id", "current_holder"):
            continue
        old, new = getattr(before, name), getattr(after, name)
        if str(old or "") != str(new or ""):
            changes.append((_field_label(name), str(old or "(empty)"), str(new or "(empty)")))
    return changes


def _field_label(name: str) -> str:
    try:
        field = Position._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    if not isinstance(field, models.Field):
        return name
    verbose = str(field.verbose_name)
    return verbose[:1].upper() + verbose[1:]


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return "This row could not be saved."


def pack(name: str, data: bytes, *, salt: str = "recipients.import") -> str:
    """The uploaded file, signed, to carry from the dry run to the confirmed import."""
    return signing.dumps(
        {"name": name, "data": base64.b64encode(data).decode()},
        salt=salt,
        compress=True,
    )


def unpack(token: str, *, salt: str = "recipients.import") -> tuple[str, bytes]:
    try:
        payload = signing.loads(token, salt=salt, max_age=60 * 60)
    except signing.BadSignature:
        raise ValidationError("The preview expired; upload the file again.") from None
    return payload["name"], base64.b64decode(payload["data"])


@dataclass
class StagedImport:
    """
    A spreadsheet import in two steps, as the address book and the organisations
    directory both run it: the uploaded file is read and dry-run, and once the
    preview is confirmed the same bytes (carried signed in `token`) are imported.
    """

    form: Any
    outcome: ImportOutcome | None = None
    token: str | None = None
    problem: str | None = None
    applied: bool = False


def staged_import(
    request,
    form_class,
    *,
    read: Callable[[str, bytes], tablib.Dataset],
    apply: Callable[..., ImportOutcome],
    salt: str = "recipients.import",
    max_bytes: int = 2 * 1024 * 1024,
) -> StagedImport:
    """Run one step of a staged import for `request` (nothing happens on GET)."""
    staged = StagedImport(form=form_class())
    if request.method != "POST":
        return staged
    try:
        if "token" in request.POST:
            name, data = unpack(request.POST["token"], salt=salt)
            dry_run = False
        else:
            staged.form = form_class(request.POST, request.FILES)
            if not staged.form.is_valid():
                raise ValidationError("")
            upload = staged.form.cleaned_data["file"]
            name, data = upload.name, upload.read(max_bytes)
            dry_run = True
        dataset = read(name, data)
    except ValidationError as error:
        if staged.form.is_bound and error.messages != [""]:
            staged.form.add_error("file", error)
        elif not staged.form.is_bound:
            staged.problem = " ".join(error.messages)
        return staged
    staged.outcome = apply(dataset, dry_run=dry_run, user=request.user)
    if staged.outcome.ok and dry_run:
        staged.token = pack(name, data, salt=salt)
    elif staged.outcome.ok:
        staged.applied = True
    return staged
