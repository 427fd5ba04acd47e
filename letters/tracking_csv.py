"""
The tracker's CSV round-trip: export the current view, and read back a file of
status updates matched on the recommendation reference. Reading checks every
row and reports every problem before anything is written; an exported file
read back changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import QuerySet
from django.utils import timezone

from letters.models import FollowUpKind, ImplementationStatus, Recommendation, ResponseStatus
from letters.models.tracking import MAX_NOTE
from letters.tracking import DEFAULT_IMPORT_KIND, StatusUpdate

MAX_IMPORT_BYTES = 1024 * 1024
MAX_IMPORT_ROWS = 5000
MAX_NOTE_LENGTH = MAX_NOTE
MAX_XLSX_ROWS = 50_000

EXPORT_COLUMNS = [
    "reference",
    "letter",
    "government",
    "third_state",
    "themes",
    "recommendation",
    "response_status",
    "implementation_status",
    "next_review",
    "last_update",
]
REQUIRED_COLUMNS = ["reference", "response_status", "implementation_status"]
OPTIONAL_COLUMNS = ["date", "kind", "note", "evidence_url", "next_review"]


def export_rows(recommendations: QuerySet[Recommendation], chunk: int = 2000) -> Iterator[list]:
    """
    The header, then one row per recommendation. Plain tuples and one themes
    query per chunk: model instances would cost more than the database.
    """
    yield EXPORT_COLUMNS
    rows = recommendations.values_list(
        "pk",
        "reference",
        "letter__reference",
        "government",
        "third_state",
        "text",
        "current_response",
        "current_implementation",
        "review_due",
        "last_update",
    )
    Through = Recommendation.themes.through
    batch: list[tuple] = []
    for row in rows.iterator(chunk_size=chunk):
        batch.append(row)
        if len(batch) == chunk:
            yield from _with_themes(batch, Through)
            batch = []
    yield from _with_themes(batch, Through)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(text: str) -> str:
    """Spreadsheets run a cell that starts like a formula: make user text plain text."""
    return f"'{text}" if text.startswith(FORMULA_START) else text


def _with_themes(batch: list[tuple], through) -> Iterator[list]:
    if not batch:
        return
    themes: dict[int, list[str]] = {}
    pairs = through.objects.filter(recommendation_id__in=[row[0] for row in batch])
    for rec_id, name in pairs.order_by("theme__name").values_list(
        "recommendation_id", "theme__name"
    ):
        themes.setdefault(rec_id, []).append(name)
    for pk, ref, letter, gov, third, text, response, impl, review, updated in batch:
        yield [
            ref,
            _inert(letter),
            gov,
            third,
            _inert("; ".join(themes.get(pk, []))),
            _inert(text),
            response,
            impl,
            review.isoformat() if review else "",
            updated.isoformat() if updated else "",
        ]


class Echo:
    """A file-like object whose write() returns the line, for streaming csv.writer."""

    def write(self, value: str) -> str:
        return value


def stream_csv(rows: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(Echo())
    yield "\ufeff"  # so spreadsheet programs read the file as UTF-8
    for row in rows:
        yield writer.writerow(row)


def xlsx_bytes(rows: Iterable[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Tracker")
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class Change:
    line: int
    reference: str
    what: str
    before: str
    after: str


@dataclass
class ImportReport:
    rows: int = 0
    unchanged: int = 0
    updates: list[StatusUpdate] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def decode(data: bytes) -> str:
    """UTF-8 with or without BOM; anything else is refused with a message."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValidationError("The file is UTF-16. Save it as 'CSV UTF-8' and upload it again.")
    if data.startswith(b"PK\x03\x04"):
        raise ValidationError(
            "This is a spreadsheet (XLSX), not a CSV file. Save it as 'CSV UTF-8' first."
        )
    if data.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8")) or b"\x00" in data[:4096]:
        raise ValidationError("This is not a CSV file: it contains binary data.")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            "The file is not UTF-8 text (perhaps Shift-JIS or Windows-1252). "
            "Save it as 'CSV UTF-8' and upload it again."
        ) from exc
    if "\x00" in text:
        raise ValidationError("This is not a CSV file: it contains binary data.")
    return text


def _choice(value: str, choices: list[tuple[str, str]], what: str) -> str:
    """A status or kind by its code or its label, any case."""
    wanted = value.strip().lower()
    for code, label in choices:
        if wanted in (code, label.lower()):
            return code
    allowed = ", ".join(code for code, _ in choices)
    raise ValueError(f"unknown {what} '{value.strip()}' (use one of: {allowed})")


def _date(value: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{what} '{value.strip()}' is not a date like 2010-02-03") from None


_http = URLValidator(schemes=["http", "https"])


RESPONSE_LABELS = dict(ResponseStatus.choices)
IMPLEMENTATION_LABELS = dict(ImplementationStatus.choices)


def read_import(data: bytes) -> ImportReport:
    """Check a file of status updates; report every change and every problem."""
    report = ImportReport()
    try:
        rows = _read_rows(data)
    except ValidationError as exc:
        report.errors.extend(exc.messages)
        return report
    report.rows = len(rows)
    recs = {
        rec.reference: rec
        # Follow-ups go on originals: a translation's reference is not matched.
        for rec in Recommendation.objects.originals()
        .filter(reference__in={cells["reference"] for _, cells in rows})
        .only(
            "pk",
            "reference",
            "current_response",
            "current_implementation",
            "review_due",
        )
    }
    today = timezone.localdate()
    seen: set[str] = set()
    for line, cells in rows:
        reference = cells["reference"]
        problems = _reference_problems(reference, recs, seen)
        seen.add(reference)
        wanted = _Wanted.read(cells, today, problems)
        if problems:
            report.errors.append(f"Line {line}: {'; '.join(problems)}.")
            continue
        changes, update = _compare(line, recs[reference], wanted)
        if not changes:
            report.unchanged += 1
            continue
        report.changes.extend(changes)
        report.updates.append(update)
    if report.errors:
        report.updates = []
        report.changes = []
    return report


def _read_rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """
    The file's rows below the header that are not empty, with their line
    numbers, each as its stripped cells by column name; or a ValidationError
    that says why the file cannot be read at all.
    """
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError(
            f"The file is {len(data) // 1024} KB; the limit is {MAX_IMPORT_BYTES // 1024} KB."
        )
    text = decode(data)
    if not text.strip():
        raise ValidationError("The file is empty.")
    dialect: type[csv.Dialect]
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = [name.strip().lower() for name in next(reader)]
        missing = [name for name in REQUIRED_COLUMNS if name not in header]
        if missing:
            raise ValidationError(
                f"The file lacks the column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)}. Export the tracker to get a file with the right columns."
            )
        # Read lazily and stop one row past the limit: a file of a million
        # short lines costs no more than one at the limit.
        numbered = ((number, row) for number, row in enumerate(reader, start=2) if any(row))
        body = list(islice(numbered, MAX_IMPORT_ROWS + 1))
    except csv.Error as exc:
        raise ValidationError(f"This is not a readable CSV file ({exc}).") from None
    if len(body) > MAX_IMPORT_ROWS:
        raise ValidationError(
            f"The file has more than {MAX_IMPORT_ROWS} rows; the limit is {MAX_IMPORT_ROWS}. "
            "Split it."
        )
    index = {
        name: header.index(name) if name in header else None
        for name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    }
    return [(number, _cells(row, index)) for number, row in body]


def _cells(row: list[str], index: dict[str, int | None]) -> dict[str, str]:
    """A row's cells by column name: "" for a column the file lacks or a short row."""
    return {
        name: row[position].strip() if position is not None and position < len(row) else ""
        for name, position in index.items()
    }


def _reference_problems(
    reference: str, recs: dict[str, Recommendation], seen: set[str]
) -> list[str]:
    if not reference:
        return ["no reference"]
    if reference not in recs:
        return [f"unknown reference '{reference}'"]
    if reference in seen:
        return [f"{reference} appears twice in the file"]
    return []


@dataclass
class _Wanted:
    """What one line of the file asks for, before it is compared with what is saved."""

    response: str
    implementation: str
    kind: str
    date: dt.date
    review: dt.date | None
    evidence: str
    note: str

    @classmethod
    def read(cls, cells: dict[str, str], today: dt.date, problems: list[str]) -> _Wanted:
        """The line's values; what is wrong with them is added to `problems`."""
        response = _read_choice(
            cells["response_status"], ResponseStatus.choices, "response status", problems
        )
        implementation = _read_choice(
            cells["implementation_status"],
            ImplementationStatus.choices,
            "implementation status",
            problems,
        )
        kind = _read_choice(cells["kind"], FollowUpKind.choices, "kind", problems)
        date = _read_date(cells["date"], "date", problems) or today
        if date > today:
            problems.append(f"date {date.isoformat()} is in the future")
        review = _read_date(cells["next_review"], "next review", problems)
        evidence = cells["evidence_url"]
        if evidence:
            try:
                _http(evidence)
            except ValidationError:
                problems.append(f"evidence link '{evidence[:80]}' is not an http(s) link")
        note = cells["note"]
        if len(note) > MAX_NOTE_LENGTH:
            problems.append(f"the note is longer than {MAX_NOTE_LENGTH} characters")
        return cls(response, implementation, kind, date, review, evidence, note)


def _read_choice(value: str, choices: list[tuple[str, str]], what: str, problems: list[str]) -> str:
    if not value:
        return ""
    try:
        return _choice(value, choices, what)
    except ValueError as exc:
        problems.append(str(exc))
        return ""


def _read_date(value: str, what: str, problems: list[str]) -> dt.date | None:
    if not value:
        return None
    try:
        return _date(value, what)
    except ValueError as exc:
        problems.append(str(exc))
        return None


def _compare(line: int, rec: Recommendation, wanted: _Wanted) -> tuple[list[Change], StatusUpdate]:
    """What the line changes, and the update that makes exactly those changes."""
    reference = rec.reference
    changes = []
    response = wanted.response
    if response and response != rec.current_response:
        before = RESPONSE_LABELS.get(rec.current_response, "No response yet")
        changes.append(Change(line, reference, "Response", before, RESPONSE_LABELS[response]))
    else:
        response = ""
    implementation = wanted.implementation
    if implementation and implementation != rec.current_implementation:
        before = IMPLEMENTATION_LABELS.get(rec.current_implementation, "Not assessed")
        after = IMPLEMENTATION_LABELS[implementation]
        changes.append(Change(line, reference, "Implementation", before, after))
    else:
        implementation = ""
    review = wanted.review
    if review and review != rec.review_due:
        before = rec.review_due.isoformat() if rec.review_due else "none"
        changes.append(Change(line, reference, "Next review", before, review.isoformat()))
    else:
        review = None
    if wanted.note:
        changes.append(Change(line, reference, "Note", "", wanted.note[:120]))
    if wanted.evidence:
        changes.append(Change(line, reference, "Evidence link", "", wanted.evidence[:120]))
    update = StatusUpdate(
        line=line,
        recommendation=rec,
        date=wanted.date,
        kind=wanted.kind or DEFAULT_IMPORT_KIND,
        response_status=response,
        implementation_status=implementation,
        next_review=review,
        note=wanted.note,
        evidence_url=wanted.evidence,
    )
    return changes, update
