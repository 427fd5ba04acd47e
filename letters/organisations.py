"""
The directory of organisations that sign: telling duplicates apart (a name
normalised for case, accents, punctuation, a leading "The" and legal suffixes,
and the website's domain), merging two entries into one, and importing many
from CSV or Excel (read by the address book's checked reader).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import urlsplit

import tablib
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django_countries import countries
from import_export import fields, resources
from simple_history.utils import bulk_create_with_history

from letters import tracking_cache
from letters.importing_matching import match_signatories
from letters.models import Organization, OrganizationKind, Signatory
from recipients.resources import FORMULA_STARTS, ImportOutcome, ImportRow, read_upload

# Legal forms that say nothing about who an organisation is.
LEGAL_SUFFIXES = {
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "llc",
    "plc",
    "co",
    "corp",
    "ev",
    "gmbh",
    "asbl",
    "vzw",
    "npo",
    "ngo",
    "cic",
    "sa",
    "ag",
    "ong",
}
LEGAL_PREFIXES = ("npo", "ngo", "ong")
# A Japanese organisation's legal form comes first in its name, written out or
# abbreviated, and says nothing about which organisation it is:
# 「特定非営利活動法人 難民支援ネットワーク東京」 is known as 難民支援ネットワーク東京.
JAPANESE_LEGAL_FORM = re.compile(
    r"^\s*(?:認定)?(?:特定非営利活動法人|NPO法人|(?:一般|公益)(?:社団|財団)法人|社会福祉法人"
    r"|[（(](?:特活|認定NPO|[一公][社財])[）)])\s*"
)


def without_legal_form(name: str) -> str:
    """The name an organisation is known by, for sorting, boxes and duplicates."""
    return JAPANESE_LEGAL_FORM.sub("", name).strip() or name


class MergeRefused(Exception):
    """Merging would lose something; the message says what."""


def normalised_name(name: str) -> str:
    """ "The Society-for Rights, Inc." and "society for rights" give the same key."""
    name = without_legal_form(unicodedata.normalize("NFKC", name))
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("&", " and ")
    # Dotted abbreviations first ("e.V.", "N.G.O."), then every other mark is a space.
    text = re.sub(r"\b(\w)\.(?=\w\.)", r"\1", text).replace(".", "")
    words = re.sub(r"[\W_]+", " ", text).split()
    if words and words[0] == "the":
        words = words[1:]
    if len(words) > 1 and words[0] in LEGAL_PREFIXES:
        words = words[1:]
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words = words[:-1]
    return " ".join(words)


def website_domain(url: str) -> str:
    """The host of a website address, without "www." ("" when there is none)."""
    url = url.strip()
    if not url:
        return ""
    if "//" not in url:
        url = f"//{url}"
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    return host.removeprefix("www.")


@dataclass
class Directory:
    """The directory's names and domains, to check many candidates in memory."""

    by_name: dict[str, Organization] = field(default_factory=dict)
    by_domain: dict[str, Organization] = field(default_factory=dict)

    @classmethod
    def load(cls, queryset: Iterable[Organization] | None = None) -> Directory:
        directory = cls()
        organizations = (
            Organization.objects.only("pk", "name", "short_name", "website", "country", "kind")
            if queryset is None
            else queryset
        )
        for organization in organizations:
            directory.add(organization)
        return directory

    def add(self, organization: Organization) -> None:
        self.by_name.setdefault(normalised_name(organization.name), organization)
        domain = website_domain(organization.website)
        if domain:
            self.by_domain.setdefault(domain, organization)

    def duplicate_of(
        self, name: str, website: str = "", *, exclude: int | None = None
    ) -> tuple[Organization, str] | None:
        """The entry this one would duplicate, and why, or None."""
        found = self.by_name.get(normalised_name(name))
        if found is not None and (exclude is None or found.pk != exclude):
            return found, "the same name"
        found = self.by_domain.get(website_domain(website))
        if found is not None and (exclude is None or found.pk != exclude):
            return found, "the same website"
        return None


def duplicates_of(
    name: str, website: str = "", *, exclude: int | None = None
) -> tuple[Organization, str] | None:
    """The directory entry that `name` (or `website`) would duplicate, and why."""
    return Directory.load().duplicate_of(name, website, exclude=exclude)


def _links() -> list[models.ForeignKey]:
    """Every foreign key that points at organisations (history tables' keys are hidden)."""
    return [
        rel.field
        for rel in Organization._meta.related_objects
        if isinstance(rel.field, models.ForeignKey)
    ]


@transaction.atomic
def merge(
    *, keep: Organization, duplicate: Organization, by: AbstractBaseUser | AnonymousUser
) -> int:
    """
    Move every link of `duplicate` (signatures, letters it leads, quotes...) to
    `keep`, fill `keep`'s empty fields from it, then delete it. Each moved row
    is saved one by one so simple-history records the change and who made it.
    Refused when both sign the same letter. Returns how many links moved.
    """
    if keep.pk == duplicate.pk:
        raise MergeRefused("Choose two different organisations.")
    Organization.objects.select_for_update().filter(pk__in=[keep.pk, duplicate.pk]).exists()
    shared = (
        Signatory.objects.filter(organization=duplicate, letter__signatories__organization=keep)
        .select_related("letter")
        .order_by("letter__reference")
    )
    references = [s.letter.reference for s in shared]
    if references:
        raise MergeRefused(
            f"Both organisations sign {', '.join(references)}. Remove one of them from "
            "that letter first, then merge."
        )
    moved = 0
    for link in _links():
        for row in link.model._default_manager.filter(**{link.name: duplicate}):
            setattr(row, link.name, keep)
            row._history_user = by  # type: ignore[attr-defined]
            row.save(update_fields=[link.name])
            moved += 1
    for name in ("short_name", "country", "kind", "website", "contact_name", "email", "address"):
        if not getattr(keep, name) and getattr(duplicate, name):
            setattr(keep, name, getattr(duplicate, name))
    if not keep.logo and duplicate.logo:
        keep.logo = duplicate.logo
    keep.consent_to_publish = keep.consent_to_publish or duplicate.consent_to_publish
    keep._history_user = by  # type: ignore[attr-defined]
    keep.save()
    duplicate._history_user = by  # type: ignore[attr-defined]
    duplicate.delete()
    return moved


# -- import from CSV or Excel -------------------------------------------------------

IMPORT_COLUMNS = ("name",)
DUPLICATE_COLUMN = "_duplicate"
KINDS = {
    **{kind.value: kind.value for kind in OrganizationKind},
    **{str(kind.label).lower(): kind.value for kind in OrganizationKind},
    "international": OrganizationKind.INTERNATIONAL.value,
}
YES = {"yes", "y", "true", "1", "x"}
NO = {"no", "n", "false", "0"}


class OrganizationResource(resources.ModelResource):
    """Rows that add organisations; a row that duplicates one is skipped, and says so."""

    kind = fields.Field(attribute="kind", column_name="type")

    class Meta:
        model = Organization
        fields = (
            "name",
            "short_name",
            "country",
            "kind",
            "website",
            "contact_name",
            "email",
            "consent_to_publish",
        )
        import_id_fields = ("name",)
        clean_model_instances = True
        use_transactions = True
        report_skipped = True
        store_instance = True

    def get_instance(self, instance_loader, row):
        return None  # an import adds; changing an entry is done on its page

    def before_import_row(self, row, **kwargs) -> None:
        for key, value in list(row.items()):
            text = "" if value is None else str(value).strip()
            if text.startswith("'") and text[1:2] and text[1] in FORMULA_STARTS:
                text = text[1:]
            row[key] = text
        if "country" in row:
            row["country"] = row["country"].upper()
        website = row.get("website", "")
        if website and "://" not in website:
            row["website"] = f"https://{website}"  # spreadsheets often hold "hrw.org"
        if "type" in row:
            row["type"] = KINDS.get(row["type"].lower(), row["type"])
        consent = row.get("consent_to_publish", "").lower()
        if consent in YES | NO:
            row["consent_to_publish"] = "1" if consent in YES else "0"
        elif not consent:
            row.pop("consent_to_publish", None)

    def skip_row(self, instance, original, row, import_validation_errors=None) -> bool:
        return bool(row.get(DUPLICATE_COLUMN))


def _mark_duplicates(dataset: tablib.Dataset) -> dict[int, str]:
    """Flag rows that repeat the directory or an earlier row; their messages by row number."""
    directory = Directory.load()
    rows_of: dict[int, int] = {}
    notes: dict[int, str] = {}
    flags = []
    for number, values in enumerate(dataset.dict, 1):
        name = str(values.get("name") or "").strip()
        website = str(values.get("website") or "").strip()
        found = directory.duplicate_of(name, website) if name else None
        if found:
            entry, reason = found
            row = rows_of.get(id(entry))
            where = f"row {row + 1}" if row else f"the directory as “{entry.name}”"
            notes[number] = f"Already in {where} ({reason}): not added again."
        elif name:
            entry = Organization(name=name, website=website)
            rows_of[id(entry)] = number
            directory.add(entry)
        flags.append("1" if found else "")
    dataset.append_col(flags, header=DUPLICATE_COLUMN)
    return notes


def import_organizations(dataset: tablib.Dataset, *, dry_run: bool, user=None) -> ImportOutcome:
    """Validate (and unless `dry_run`, save) every row; any bad row rolls back them all."""
    notes = _mark_duplicates(dataset)
    result = OrganizationResource().import_data(
        dataset,
        dry_run=dry_run,
        use_transactions=True,
        rollback_on_validation_errors=True,
        user=user,
    )
    invalid = {r.number: r for r in result.invalid_rows}
    failed = dict(result.row_errors())
    rows = []
    for number, values in enumerate(dataset.dict, 1):
        row_result = result.rows[number - 1] if number - 1 < len(result.rows) else None
        kind = row_result.import_type if row_result else "error"
        messages = [notes[number]] if number in notes else []
        if number in invalid:
            kind = "invalid"
            for name, problems in invalid[number].error_dict.items():
                label = "" if name == "__all__" else f"{name.replace('_', ' ').capitalize()}: "
                messages += [f"{label}{p}" for p in problems]
        if number in failed:
            kind = "error"
            messages += ["This row could not be saved."]
        rows.append(ImportRow(number=number, values=dict(values), kind=kind, messages=messages))
    return ImportOutcome(
        rows=rows, errors=[str(e.error) for e in result.base_errors], dry_run=dry_run
    )


def read_organizations(name: str, data: bytes) -> tablib.Dataset:
    """The uploaded file's rows, through the address book's checked, lazy reader."""
    return read_upload(
        name,
        data,
        required=IMPORT_COLUMNS,
        hint="Name them as in the help above the form.",
    )


# -- a pasted or uploaded list of signatories -----------------------------------------

MAX_LIST_LINES = 1000
# Below this score a candidate is only a shared word ("Network", "Japan"): the line is new.
DOUBTFUL_SCORE = 75
MAX_NAME = 200


@dataclass
class ListRow:
    """One line of a pasted list, and what it matched in the directory."""

    number: int
    name: str
    country: str = ""
    website: str = ""
    # match (an entry of the directory), new (created on confirm), doubtful (pick),
    # repeat (an earlier line names it too), signs (it already signs), error
    status: str = "new"
    organization_id: int | None = None
    label: str = ""
    reason: str = ""
    candidates: list[dict] = field(default_factory=list)


def parse_list(text: str) -> list[ListRow]:
    """
    One organisation a line, or CSV lines "name, country, website" (a first line
    naming the columns is skipped). ValueError when there are too many lines.
    """
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > MAX_LIST_LINES:
        raise ValueError(
            f"The list has {len(lines)} lines; at most {MAX_LIST_LINES} at a time. Split it."
        )
    rows = []
    for number, cells in enumerate(csv.reader(lines), 1):
        cells = [cell.strip() for cell in cells] + ["", "", ""]
        if number == 1 and cells[0].lower() in ("name", "organisation", "organization"):
            continue
        name, country, website = cells[0], cells[1].upper(), cells[2]
        row = ListRow(number=number, name=name[:MAX_NAME], website=website[:200])
        row.country = country if country in countries else ""
        if len(name) > MAX_NAME:
            row.status, row.reason = "error", f"The name is longer than {MAX_NAME} characters."
        rows.append(row)
    return rows


def match_list(rows: list[ListRow], *, letter_id: int) -> None:
    """Match each row against the directory: by normalised name or website first, then fuzzily."""
    directory = Directory.load()
    signing = set(
        Signatory.objects.filter(letter_id=letter_id).values_list("organization_id", flat=True)
    )
    fuzzy: list[dict[str, Any]] = [{"organization": row.name} for row in rows]
    match_signatories(fuzzy)
    names = dict(Organization.objects.values_list("pk", "name"))
    first_line: dict[str, int] = {}
    for row, fuzzy_row in zip(rows, fuzzy, strict=True):
        if row.status == "error":
            continue
        found = directory.duplicate_of(row.name, row.website)
        if found:
            row.status, row.organization_id = "match", found[0].pk
            row.reason = f"{found[1]}"
        elif fuzzy_row["organization_id"]:
            row.status, row.organization_id = "match", fuzzy_row["organization_id"]
            row.reason = "a close spelling"
        elif candidates := [c for c in fuzzy_row["candidates"] if c["score"] >= DOUBTFUL_SCORE]:
            row.status, row.candidates = "doubtful", candidates
        key = str(row.organization_id) if row.organization_id else normalised_name(row.name)
        if key in first_line:
            row.status, row.reason = "repeat", f"Line {first_line[key]} names it too."
            continue
        first_line[key] = row.number
        if row.organization_id:
            row.label = names.get(row.organization_id, "")
        if row.organization_id in signing:
            row.status, row.reason = "signs", "It already signs this letter."


def rows_to_data(rows: list[ListRow]) -> list[dict]:
    return [row.__dict__ for row in rows]


def rows_from_data(data: list[dict]) -> list[ListRow]:
    return [ListRow(**item) for item in data]


@transaction.atomic
def organizations_for(
    rows: list[ListRow], choices: dict[int, str], *, by=None
) -> list[Organization]:
    """
    The organisations the confirmed rows stand for, in the list's order: the
    matched ones, the one picked for a doubtful row, and new entries created
    (in one query, with their history) for the rest, unless the directory
    gained them meanwhile.
    """
    directory = Directory.load()
    wanted: list[int | Organization] = []
    fresh: list[Organization] = []
    for row in rows:
        choice = choices.get(row.number, "")
        if row.status == "match" and choice == "add":
            wanted.append(cast(int, row.organization_id))
        elif row.status == "doubtful" and choice.isdigit():
            wanted.append(int(choice))
        elif row.status in ("new", "doubtful") and choice in ("add", "new"):
            found = directory.duplicate_of(row.name, row.website)
            if found:
                wanted.append(found[0].pk if found[0].pk else found[0])
                continue
            organization = Organization(
                name=row.name, country=row.country, website=_checked_website(row.website)
            )
            directory.add(organization)
            fresh.append(organization)
            wanted.append(organization)
    created = {
        org.name: org for org in bulk_create_with_history(fresh, Organization, default_user=by)
    }
    tracking_cache.changed()  # bulk_create sends no post_save
    known = Organization.objects.in_bulk([w for w in wanted if isinstance(w, int)])
    chosen = [created[w.name] if isinstance(w, Organization) else known.get(w) for w in wanted]
    return [org for org in chosen if org is not None]


def _checked_website(website: str) -> str:
    if not website:
        return ""
    if "://" not in website:
        website = f"https://{website}"
    try:
        URLValidator()(website)
    except ValidationError:
        return ""
    return website
