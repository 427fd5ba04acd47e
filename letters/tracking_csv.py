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

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import QuerySet
from django.utils import timezone

from letters.models import FollowUpKind, ImplementationStatus, Recommendation, ResponseStatus
from letters.tracking import DEFAULT_IMPORT_KIND, StatusUpdate

MAX_IMPORT_BYTES = 1024 * 1024
MAX_IMPORT_ROWS = 5000
MAX_NOTE_LENGTH = 5000
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


def _choice(value: str, choices, what: str) -> str:
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


def read_import(data: bytes) -> ImportReport:
    """Check a file of status updates; report every change and every problem."""
    report = ImportReport()
    if len(data) > MAX_IMPORT_BYTES:
        report.errors.append(
            f"The file is {len(data) // 1024} KB; the limit is {MAX_IMPORT_BYTES // 1024} KB."
        )
        return report
    try:
        text = decode(data)
    except ValidationError as exc:
        report.errors.extend(exc.messages)
        return report
    if not text.strip():
        report.errors.append("The file is empty.")
        return report

    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        raw_rows = list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as exc:
        report.errors.append(f"This is not a readable CSV file ({exc}).")
        return report

    header = [name.strip().lower() for name in raw_rows[0]]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        report.errors.append(
            f"The file lacks the column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}. Export the tracker to get a file with the right columns."
        )
        return report
    body = [(number, row) for number, row in enumerate(raw_rows[1:], start=2) if any(row)]
    if len(body) > MAX_IMPORT_ROWS:
        report.errors.append(
            f"The file has {len(body)} rows; the limit is {MAX_IMPORT_ROWS}. Split it."
        )
        return report
    report.rows = len(body)

    known = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    index = {name: header.index(name) for name in known if name in header}

    def cell(row: list[str], name: str) -> str:
        position = index.get(name)
        return row[position].strip() if position is not None and position < len(row) else ""

    references = {cell(row, "reference") for _, row in body}
    recs = {
        rec.reference: rec
        for rec in Recommendation.objects.filter(reference__in=references).only(
            "pk",
            "reference",
            "current_response",
            "current_implementation",
            "review_due",
        )
    }
    today = timezone.localdate()
    seen: set[str] = set()
    response_labels = dict(ResponseStatus.choices)
    implementation_labels = dict(ImplementationStatus.choices)

    for line, row in body:
        reference = cell(row, "reference")
        problems = []
        rec = recs.get(reference)
        if not reference:
            problems.append("no reference")
        elif rec is None:
            problems.append(f"unknown reference '{reference}'")
        elif reference in seen:
            problems.append(f"{reference} appears twice in the file")
        seen.add(reference)

        parsed = {}
        for name, choices in [
            ("response_status", ResponseStatus.choices),
            ("implementation_status", ImplementationStatus.choices),
            ("kind", FollowUpKind.choices),
        ]:
            value = cell(row, name)
            try:
                parsed[name] = _choice(value, choices, name.replace("_", " ")) if value else ""
            except ValueError as exc:
                problems.append(str(exc))
        try:
            date = _date(cell(row, "date"), "date") if cell(row, "date") else today
            if date > today:
                problems.append(f"date {date.isoformat()} is in the future")
        except ValueError as exc:
            problems.append(str(exc))
            date = today
        try:
            review = cell(row, "next_review") and _date(cell(row, "next_review"), "next review")
            review = review or None
        except ValueError as exc:
            problems.append(str(exc))
            review = None
        evidence = cell(row, "evidence_url")
        if evidence:
            try:
                _http(evidence)
            except ValidationError:
                problems.append(f"evidence link '{evidence[:80]}' is not an http(s) link")
        note = cell(row, "note")
        if len(note) > MAX_NOTE_LENGTH:
            problems.append(f"the note is longer than {MAX_NOTE_LENGTH} characters")

        if problems:
            report.errors.append(f"Line {line}: {'; '.join(problems)}.")
            continue

        response = parsed["response_status"]
        implementation = parsed["implementation_status"]
        changes = []
        if response and response != rec.current_response:
            changes.append(
                Change(
                    line,
                    reference,
                    "Response",
                    response_labels.get(rec.current_response, "No response yet"),
                    response_labels[response],
                )
            )
        else:
            response = ""
        if implementation and implementation != rec.current_implementation:
            changes.append(
                Change(
                    line,
                    reference,
                    "Implementation",
                    implementation_labels.get(rec.current_implementation, "Not assessed"),
                    implementation_labels[implementation],
                )
            )
        else:
            implementation = ""
        if review and review != rec.review_due:
            before = rec.review_due.isoformat() if rec.review_due else "none"
            changes.append(Change(line, reference, "Next review", before, review.isoformat()))
        else:
            review = None
        if note:
            changes.append(Change(line, reference, "Note", "", note[:120]))
        if evidence:
            changes.append(Change(line, reference, "Evidence link", "", evidence[:120]))

        if not changes:
            report.unchanged += 1
            continue
        report.changes.extend(changes)
        report.updates.append(
            StatusUpdate(
                line=line,
                recommendation=rec,
                date=date,
                kind=parsed["kind"] or DEFAULT_IMPORT_KIND,
                response_status=response,
                implementation_status=implementation,
                next_review=review,
                note=note,
                evidence_url=evidence,
            )
        )
    if report.errors:
        report.updates = []
        report.changes = []
    return report
