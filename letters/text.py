"""
What a letter says. `letter_context()` is what its templates render: the
preview page, the PDF, the sign-on page and the public page all show
`templates/letters/_letter_text.html` from it, so they cannot drift apart.

`approvable_text()` is everything that prints and a partner approves, as plain
data, and the one place that says what that is: the content hash is a hash of
it (`text_hash`), each approval keeps a copy (`ApprovedText.snapshot`),
`diff_snapshots()` gives a readable account of what changed between two of
them, and the PDF cache key (letters/printing/cache.py) is its hash plus what
prints without being approved.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import npgettext, pgettext
from django_countries import countries

from letters.models import (
    GreetingMode,
    Language,
    Letter,
    LetterRecipient,
    OrganizationKind,
    RecipientRole,
    Recommendation,
    Section,
    Signatory,
    SignatoryRole,
    SubjectPrefix,
    TranslationApproval,
)
from letters.organisations import without_legal_form
from recipients.models import Term

# -- greetings ----------------------------------------------------------------------


def _bare(text: str) -> str:
    return " ".join(text.split()).rstrip(",;:").rstrip()


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def combined_greeting(salutations: list[str]) -> str:
    """
    One greeting for several addressees, without its final punctuation:
    "Dear Justice Minister," and "Dear Foreign Minister," make
    "Dear Justice Minister and Foreign Minister".
    """
    bare = list(dict.fromkeys(b for b in map(_bare, salutations) if b))
    if not bare:
        return ""
    if all(b.startswith("Dear ") for b in bare):
        return "Dear " + _join([b.removeprefix("Dear ") for b in bare])
    return _join(bare)


# A Japanese letter does not open "Dear …": the addressee line that ends the
# address block (「法務大臣 千葉景子殿」) names the reader, the text opens with a
# formal word (頭語) and closes, right-aligned after its last paragraph, with
# that word's pair (結語). 拝啓 … 敬具 is what Japanese NGOs write to a minister;
# 謹啓 … 謹白 is more deferential still. A word not listed here has no pair.
JAPANESE_OPENINGS = {
    "拝啓": "敬具",
    "謹啓": "謹白",
    "拝呈": "敬具",
    "拝復": "敬具",
    "謹復": "謹白",
    "前略": "草々",
    "急啓": "草々",
}
JAPANESE_DEFAULT_OPENING = "拝啓"
JAPANESE_CLOSINGS = (*JAPANESE_OPENINGS.values(), "敬白", "謹言", "不一", "以上")


def is_japanese(letter: Letter) -> bool:
    return letter.language.split("-")[0] == Language.JAPANESE


@dataclass
class JapaneseGreeting:
    """How a Japanese letter greets: see JAPANESE_OPENINGS."""

    # With one greeting for several addressees, each one's line (宛名), above the subject.
    addressees: list[str]
    # The opening word (頭語), and the opening paragraphs (Markdown) that start
    # with it, after a full-width space, as the drafter wrote them or not.
    opening: str
    opening_text: str
    # Its pair (結語), "" when the closing text ends with one already or none is known.
    closing: str

    @property
    def text(self) -> str:
        """The greeting as one string, for the editor and the approvable text."""
        return "\n".join([*self.addressees, self.opening])


def japanese_addressee_parts(recipient: LetterRecipient) -> tuple[str, str]:
    """
    The line that ends a Japanese address block, in two parts: where it may
    break, and its end, which must not (a name and 殿, or 各位, never split).
    「法務大臣 千葉景子殿」; an office nobody holds is 「法務大臣殿」, a body 「… 各位」.
    """
    shown = recipient.shown
    if shown["name"]:
        return f"{shown['title']} ", shown["name"]
    if recipient.position is not None and recipient.position.is_collective:
        return f"{shown['title']} ", "各位"
    return shown["title"][:-1], f"{shown['title'][-1:]}殿"


def japanese_addressee_line(recipient: LetterRecipient) -> str:
    return "".join(japanese_addressee_parts(recipient))


def japanese_greeting(letter: Letter, recipients: list[LetterRecipient]) -> JapaneseGreeting:
    """
    The letter's own greeting, if it has one, is the opening word; else an
    opening the drafter wrote at the start of the text; else 拝啓. Every copy
    greets alike: each copy's address block already names its reader.
    """
    to = [r for r in recipients if r.role == RecipientRole.TO]
    combined = letter.greeting_mode == GreetingMode.COMBINED and len(to) > 1
    opening_text = letter.opening.strip()
    written = next((w for w in JAPANESE_OPENINGS if opening_text.startswith(w)), "")
    word = _bare(letter.greeting) or written or JAPANESE_DEFAULT_OPENING
    closing = JAPANESE_OPENINGS.get(word, "")
    if letter.closing.strip().endswith(JAPANESE_CLOSINGS):
        closing = ""
    return JapaneseGreeting(
        addressees=[japanese_addressee_line(r) for r in to] if combined else [],
        opening=word,
        opening_text=letter.opening
        if opening_text.startswith(word)
        else f"{word}\u3000{opening_text}",
        closing=closing,
    )


def greeting(letter: Letter, recipients: list[LetterRecipient], copy_for=None) -> str:
    """
    The greeting on one copy (`copy_for`, a recipient with `.shown`), or on the
    letter as the preview shows it: the letter's own greeting if it has one;
    else, in a mailing, each addressee's copy greets that addressee, while the
    preview and the cc's copies greet the first; or one greeting naming every
    addressee. The letter's punctuation ends it. Japanese letters greet in
    their own way (`japanese_greeting`).
    """
    if is_japanese(letter):
        return japanese_greeting(letter, recipients).text
    to = [r for r in recipients if r.role == RecipientRole.TO]
    if _bare(letter.greeting):
        text = _bare(letter.greeting)
    elif not to:
        return ""
    elif letter.greeting_mode == GreetingMode.COMBINED:
        text = combined_greeting([r.shown["salutation"] for r in to])
    elif copy_for is not None and copy_for.role == RecipientRole.TO:
        text = _bare(copy_for.shown["salutation"])
    else:
        text = _bare(to[0].shown["salutation"])
    return text + letter.greeting_punctuation if text else ""


def copy_greetings(letter: Letter, recipients: list[LetterRecipient]) -> list[dict]:
    """What each copy's greeting will say (addressees first, then cc's), for drafters to check."""
    ordered = [r for r in recipients if r.role == RecipientRole.TO] + [
        r for r in recipients if r.role == RecipientRole.CC
    ]
    return [{"recipient": r, "greeting": greeting(letter, recipients, copy_for=r)} for r in ordered]


def greeting_text(letter: Letter, recipients: list[LetterRecipient]) -> str:
    """
    The greetings for the approvable text: the one greeting every copy shares
    (as it always read), or each copy's, one per line, when they differ.
    """
    copies = copy_greetings(letter, recipients)
    distinct = {c["greeting"] for c in copies}
    if len(distinct) <= 1:
        return greeting(letter, recipients)
    return "\n".join(
        f"{c['recipient'].get_role_display()} {c['recipient'].shown['title']}: {c['greeting']}"
        for c in copies
    )


def _numbered_sections(letter: Letter) -> tuple[list[Section], int]:
    """The letter's sections, each with its recommendations numbered on across sections."""
    sections = list(
        Section.objects.filter(letter=letter).prefetch_related(
            Prefetch(
                "recommendations",
                # No themes: no letter text shows them.
                queryset=Recommendation.objects.order_by("order", "pk"),
            )
        )
    )
    number = 0
    for section in sections:
        section.numbered = []
        for rec in section.recommendations.all():
            number += 1
            section.numbered.append((number, rec))
    return sections, number


def letter_context(letter: Letter, *, copy_for=None) -> dict:
    """
    Everything `_letter_text.html` needs, in a fixed number of queries.

    `copy_for` is the LetterRecipient whose copy this is: its address block
    goes at the top. Without it, the first `to` recipient's block is used.
    """
    sections, number = _numbered_sections(letter)
    # A translation prints its original's recipients and signatories.
    shared = letter.original
    recipients = list(
        shared.recipients.select_related("position", "official").prefetch_related(
            "position__terms__official"
        )
    )
    for recipient in recipients:
        recipient.shown = recipient.addressee(language=letter.language)
    to = [r for r in recipients if r.role == RecipientRole.TO]
    cc = [r for r in recipients if r.role == RecipientRole.CC]
    addressee = copy_for if copy_for is not None else (to[0] if to else None)
    if addressee is not None and not hasattr(addressee, "shown"):
        addressee.shown = addressee.addressee(language=letter.language)
    salutation = greeting(letter, recipients, copy_for=copy_for)
    greetings = copy_greetings(letter, recipients)

    signatories = _signing(letter, shared)
    return {
        "letter": letter,
        "sections": sections,
        "recommendation_count": number,
        "to_recipients": to,
        "cc_recipients": cc,
        "addressee": addressee,
        "salutation": salutation,
        "japanese": japanese_greeting(letter, recipients) if is_japanese(letter) else None,
        "copy_greetings": greetings,
        # Worth listing only when the copies do not all say the same.
        "greetings_differ": len({c["greeting"] for c in greetings}) > 1,
        "signatories": signatories,
        "numbered": letter.recommendation_style == "numbered",
    }


def _signing(letter: Letter, shared: Letter) -> list[Signatory]:
    """
    Who signs the letter, each marked `signed` when it approved this exact text.
    Organisations that declined or withdrew do not sign: they are left out of the
    preview exactly as they are left out of the PDF.
    """
    signatories = list(
        shared.signatories.filter(declined_at__isnull=True, withdrawn_at__isnull=True)
        .select_related("organization")
        .order_by("order", "pk")
    )
    # A translation's text is approved on its own (letters.signing.approve_translation).
    approvals = (
        dict(
            TranslationApproval.objects.filter(translation=letter).values_list(
                "signatory_id", "content_hash"
            )
        )
        if letter.is_translation
        else {}
    )
    for signatory in signatories:
        # A signature image may only accompany the exact text its signer approved.
        if letter.is_translation:
            signatory.signed = approvals.get(signatory.pk) == letter.content_hash
        else:
            signatory.signed = signatory.has_approved(letter.content_hash)
    return signatories


# -- the approvable text -----------------------------------------------------------

_REC_FIELDS = ("reference", "text", "government", "third_state")


@dataclass
class TextParts:
    """The rows the approvable text is read from, kept for what else prints beside it."""

    sections: list[dict]
    # Reading order (addressees, then cc's), each with `.shown` = `addressee()`.
    recipients: list[LetterRecipient]
    # Signing order, with their organisations; those that declined too (see below).
    signatories: list[Signatory]


def text_parts(letter: Letter) -> TextParts:
    """Three queries whatever the letter's size (four while a recipient is live)."""
    # Sections and their recommendations in one query: a section without any
    # comes back once, with None for the recommendation's columns.
    rows = (
        Section.objects.filter(letter=letter)
        .order_by("order", "pk", "recommendations__order", "recommendations__pk")
        .values_list(
            "pk",
            "heading",
            "body",
            "lead_in",
            "closing",
            *(f"recommendations__{f}" for f in _REC_FIELDS),
        )
    )
    sections: list[dict] = []
    for pk, heading, body, lead_in, closing, *rec in rows:
        if not sections or sections[-1]["id"] != pk:
            sections.append(
                {
                    "id": pk,
                    "heading": heading,
                    "body": body,
                    "lead_in": lead_in,
                    "recommendations": [],
                }
            )
            if closing:
                # Only when there is one, so texts approved before sections had
                # closings keep their hash.
                sections[-1]["closing"] = closing
        if rec[0] is not None:
            sections[-1]["recommendations"].append(dict(zip(_REC_FIELDS, rec, strict=True)))

    # A translation's text names its original's recipients and signatories.
    shared = letter.original
    recipients = list(shared.recipients.select_related("position").order_by("-role", "order", "pk"))
    live = [r.position for r in recipients if not r.is_frozen and r.position is not None]
    if live:
        # Only a recipient not yet frozen reads its holder from the address book.
        prefetch_related_objects(
            live, Prefetch("terms", queryset=Term.objects.select_related("official"))
        )
    for recipient in recipients:
        recipient.shown = recipient.addressee(language=letter.language)

    signatories = list(shared.signatories.select_related("organization").order_by("order", "pk"))
    return TextParts(sections=sections, recipients=recipients, signatories=signatories)


def approvable_text(letter: Letter, *, parts: TextParts | None = None) -> dict:
    """
    Everything that prints and a partner approves, keyed so that a diff can
    pair the parts up (sections by id, recommendations by reference).

    Left out on purpose: postal addresses (delivery details: they still key
    the PDF) and the person who signs for each organisation, whose name and
    title the representative types when approving; with them in, every
    approval would make all the others stale. Organisations that declined
    stay in for the same reason: one partner saying no does not reopen the
    others' approvals.
    """
    parts = parts or text_parts(letter)
    text: dict[str, Any] = {
        "subject": letter.subject,
        "date": letter.date.isoformat() if letter.date else "",
        "language": letter.language,
        "recipients": [
            {
                "position": r.position_id,
                "role": r.role,
                "name": r.shown["name"],
                "title": r.shown["title"],
                "institution": r.office_institution,
                "salutation": r.shown["salutation"],
            }
            for r in parts.recipients
        ],
        "greeting": greeting_text(letter, parts.recipients),
        "opening": letter.opening,
        "sections": parts.sections,
        "closing": letter.closing,
        # Organisations that answered an open call are left out too: the list
        # grows every day of the call, and each one would reopen every approval.
        "signatories": [
            {"organization": s.organization.name, "role": s.role}
            for s in parts.signatories
            if not s.from_open_call
        ],
    }
    if letter.subject_prefix != SubjectPrefix.RE:
        # Only then: texts approved when every subject printed after "Re:" keep their hash.
        text["subject_prefix"] = letter.subject_prefix
    if letter.is_translation:
        # A translation's recipients are its original's, approved there. Their
        # names are written in the translation's language until finalising the
        # original freezes them in its own: left out, so that step does not
        # reopen the translation's approvals.
        for recipient in text["recipients"]:
            del recipient["name"]
    if letter.enclosures.strip():
        # Likewise: texts approved before letters listed enclosures keep their hash.
        text["enclosures"] = letter.enclosure_list
    return text


def text_hash(text: dict) -> str:
    """SHA-256 of the canonical JSON of an approvable text: the letter's content hash."""
    encoded = json.dumps(text, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


# -- what changed between two approvable texts --------------------------------------


@dataclass
class Change:
    kind: str  # "added", "removed" or "changed"
    label: str
    html: SafeString


_TOKEN = re.compile(r"\s+|[^\s]+")


def inline_diff(old: str, new: str) -> SafeString:
    """Words removed in <del>, words added in <ins>, everything escaped."""
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return mark_safe("".join(out))  # every piece escaped above


def _whole(kind: str, text: str) -> SafeString:
    tag = "ins" if kind == "added" else "del"
    return mark_safe(f"<{tag}>{escape(text)}</{tag}>")  # escaped


def _compare(changes: list[Change], label: str, old: str, new: str) -> None:
    if (old or "") != (new or ""):
        changes.append(Change("changed", label, inline_diff(old, new)))


def _label(choices, value: str) -> str:
    return str(dict(choices.choices).get(value, value))


def _country(value: str) -> str:
    # Snapshots kept before codes were stored hold the country's name instead.
    return str(countries.name(value) or value) if value else ""


def _rec_text(rec: dict) -> str:
    text = f"{rec.get('text', '')} (to {_country(rec.get('government', ''))}"
    if rec.get("third_state"):
        text += f", about {_country(rec['third_state'])}"
    return text + ")"


def _recipient_line(recipient, *, legacy: bool) -> str:
    if isinstance(recipient, str):
        return recipient
    role = _label(RecipientRole, recipient.get("role", ""))
    office = ", ".join(p for p in [recipient.get("title"), recipient.get("institution")] if p)
    if legacy:
        # How snapshots used to write a recipient: no name, no greeting.
        return f"{role}: {office}"
    line = f"{role}: " + ", ".join(p for p in [recipient.get("name"), office] if p)
    if recipient.get("salutation"):
        line += f" (greeted “{recipient['salutation']}”)"
    return line


def _signatory_line(signatory, *, legacy: bool) -> str:
    if isinstance(signatory, str):
        return signatory
    if legacy:
        return signatory.get("organization", "")
    role = _label(SignatoryRole, signatory.get("role", ""))
    return f"{signatory.get('organization', '')} ({role})"


def _lines(snapshot: dict, key: str, line, *, legacy: bool) -> str:
    return "\n".join(line(item, legacy=legacy) for item in snapshot.get(key, []))


def diff_snapshots(old: dict, new: dict) -> list[Change]:
    """
    Changes from `old` to `new` (two `approvable_text()`s), in reading order.

    `old` may be a snapshot kept before approvals recorded the language,
    greeting and names (ApprovedText rows are never rewritten): what it does
    not say is compared in its own terms or not at all, so that only real
    changes show.
    """
    changes: list[Change] = []
    legacy = "greeting" not in old
    _compare(changes, "Subject", old.get("subject", ""), new.get("subject", ""))
    _compare(
        changes,
        "Subject prefix",
        old.get("subject_prefix", SubjectPrefix.RE) or "(none)",
        new.get("subject_prefix", SubjectPrefix.RE) or "(none)",
    )
    _compare(changes, "Date", old.get("date", ""), new.get("date", ""))
    if not legacy:
        _compare(
            changes,
            "Language",
            _label(Language, old.get("language", "")),
            _label(Language, new.get("language", "")),
        )
    _compare(
        changes,
        "Recipients",
        _lines(old, "recipients", _recipient_line, legacy=legacy),
        _lines(new, "recipients", _recipient_line, legacy=legacy),
    )
    if not legacy:
        _compare(changes, "Greeting", old.get("greeting", ""), new.get("greeting", ""))
    _compare(changes, "Opening", old.get("opening", ""), new.get("opening", ""))

    _diff_sections(changes, old, new)
    _compare(changes, "Closing", old.get("closing", ""), new.get("closing", ""))
    _compare(
        changes,
        "Enclosures",
        "\n".join(old.get("enclosures", [])),
        "\n".join(new.get("enclosures", [])),
    )
    _compare(
        changes,
        "Signing organisations",
        _lines(old, "signatories", _signatory_line, legacy=legacy),
        _lines(new, "signatories", _signatory_line, legacy=legacy),
    )
    return changes


def _diff_sections(changes: list[Change], old: dict, new: dict) -> None:
    """Sections and recommendations added, changed or removed, paired by id and reference."""
    old_sections = {s.get("id"): s for s in old.get("sections", [])}
    new_ids = {s.get("id") for s in new.get("sections", [])}
    old_recs = {
        r.get("reference"): r for s in old.get("sections", []) for r in s.get("recommendations", [])
    }
    new_recs = {
        r.get("reference") for s in new.get("sections", []) for r in s.get("recommendations", [])
    }
    for section in new.get("sections", []):
        before = old_sections.get(section["id"])
        name = f"Section “{section['heading']}”" if section["heading"] else "Section"
        if before is None:
            parts = [section["heading"], section["body"], section["lead_in"]]
            body = "\n".join([*parts, section.get("closing", "")])
            changes.append(Change("added", name, _whole("added", body.strip())))
        else:
            _compare(changes, f"{name}: heading", before.get("heading", ""), section["heading"])
            _compare(changes, f"{name}: text", before.get("body", ""), section["body"])
            _compare(changes, f"{name}: lead-in", before.get("lead_in", ""), section["lead_in"])
            _compare(
                changes,
                f"{name}: closing",
                before.get("closing", ""),
                section.get("closing", ""),
            )
        for rec in section["recommendations"]:
            label = f"Recommendation {rec['reference']}"
            was = old_recs.get(rec["reference"])
            if was is None:
                changes.append(Change("added", label, _whole("added", _rec_text(rec))))
            else:
                _compare(changes, label, _rec_text(was), _rec_text(rec))
    for reference, rec in old_recs.items():
        if reference not in new_recs:
            label = f"Recommendation {reference}"
            changes.append(Change("removed", label, _whole("removed", _rec_text(rec))))
    for section in old.get("sections", []):
        if section.get("id") not in new_ids:
            name = f"Section “{section.get('heading', '')}”"
            changes.append(Change("removed", name, _whole("removed", section.get("heading", ""))))


# -- signatories as a list ------------------------------------------------------------


@dataclass
class SignatoryColumn:
    start: int
    names: list[str]


@dataclass
class SignatoryGroup:
    heading: str
    # Where this group's numbering starts: one count runs through the whole list.
    start: int
    signatories: list
    # The same names cut into bands of three columns, read down each column in turn:
    # see signatory_bands.
    bands: list[list[SignatoryColumn]] = field(default_factory=list)


@dataclass
class SignatoryList:
    count_line: str
    groups: list[SignatoryGroup]


def _is_individual(signatory) -> bool:
    return signatory.organization.kind == OrganizationKind.INDIVIDUAL


def _org_country(org) -> str:
    """The country's name ("" where the directory has none)."""
    return str(org.country.name) if org.country else ""


def _type(org) -> str:
    """The type's heading, in the language the letter prints in."""
    if not org.kind:
        return ""
    heading = {
        OrganizationKind.INTERNATIONAL: pgettext("signatory group", "International network"),
        OrganizationKind.NATIONAL: pgettext("signatory group", "National"),
        OrganizationKind.LOCAL: pgettext("signatory group", "Local"),
    }.get(org.kind)
    return heading or str(org.get_kind_display())


def count_line(signatories: list) -> str:
    """
    'Signed by 400 organisations from 89 countries' (and individuals, when
    any), in the language the letter prints in: 「89か国の400団体が署名」.
    """
    people = [s for s in signatories if _is_individual(s)]
    orgs = [s for s in signatories if not _is_individual(s)]
    countries_named = {_org_country(s.organization) for s in orgs} - {""}
    parts = {
        "organisations": npgettext(
            "signatory count", "{count} organisation", "{count} organisations", len(orgs)
        ).format(count=f"{len(orgs):,}"),
        "countries": npgettext(
            "signatory count", "{count} country", "{count} countries", len(countries_named)
        ).format(count=f"{len(countries_named):,}"),
        "individuals": npgettext(
            "signatory count", "{count} individual", "{count} individuals", len(people)
        ).format(count=f"{len(people):,}"),
    }
    if countries_named and people:
        line = pgettext(
            "signatory count", "Signed by {organisations} from {countries} and {individuals}"
        )
    elif countries_named:
        line = pgettext("signatory count", "Signed by {organisations} from {countries}")
    elif people:
        line = pgettext("signatory count", "Signed by {organisations} and {individuals}")
    else:
        line = pgettext("signatory count", "Signed by {organisations}")
    return line.format(**parts)


def signatory_list(signatories: list, grouping: str) -> SignatoryList:
    """
    The signatories as a numbered list in groups: by country or by type when the
    directory says (those it does not come last), otherwise one alphabetical
    group; individuals always in a group of their own, after the organisations.
    """
    by = {"country": _org_country, "type": _type}.get(grouping)
    orgs = sorted(
        (s for s in signatories if not _is_individual(s)),
        key=lambda s: without_legal_form(s.organization.name).lower(),
    )
    buckets: dict[str, list] = {}
    for s in orgs:
        buckets.setdefault(by(s.organization) if by else "", []).append(s)
    if set(buckets) == {""}:
        named: list[tuple[str, list]] = [("", orgs)] if orgs else []
    else:
        other = (
            pgettext("signatory group", "Country not given")
            if grouping == "country"
            else pgettext("signatory group", "Other organisations")
        )
        named = [(k or other, buckets[k]) for k in sorted(buckets, key=lambda k: (not k, k))]
    people = [s for s in signatories if _is_individual(s)]
    if people:
        people.sort(key=lambda s: (s.signer_name or s.organization.name).lower())
        named.append((pgettext("signatory group", "Individuals"), people))
    groups, start = [], 1
    for heading, members in named:
        bands = signatory_bands([_listed_name(s) for s in members], start)
        groups.append(SignatoryGroup(heading, start, members, bands=bands))
        start += len(members)
    return SignatoryList(count_line=count_line(signatories), groups=groups)


def _listed_name(signatory) -> str:
    """What the list prints: the organisation, or the person signing in their own name."""
    if _is_individual(signatory):
        return signatory.signer_name or signatory.organization.name
    return signatory.organization.name


# The printed list's columns, in characters of a Latin name (a CJK character counts
# two): 33 fit on a line of a column in 9 pt type. A band is 8 lines deep: deeper
# bands read more like columns but leave more paper blank where one does not fit.
SIGNATORY_COLUMNS = 3
COLUMN_CHARACTERS = 33
BAND_LINES = 8


def _depth(name: str) -> int:
    """How many lines a name takes in a column, about."""
    width = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in name)
    return max(1, -(-width // COLUMN_CHARACTERS))


def signatory_bands(names: list[str], start: int) -> list[list[SignatoryColumn]]:
    """
    Cut a group's names (in order, numbered from `start`) into bands of three
    columns, each band at most BAND_LINES deep and its columns of even length,
    the first ones longest, as CSS columns balance. A band never breaks across
    pages, so each page reads down its columns in turn; WeasyPrint lays this out
    in a fraction of the time CSS columns take (bench/signatory_list.py).
    """
    weights = [_depth(name) for name in names]
    bands = []
    first = 0
    while first < len(names):
        last, depth = first + 1, weights[first]
        while last < len(names) and depth + weights[last] <= BAND_LINES * SIGNATORY_COLUMNS:
            depth += weights[last]
            last += 1
        band = []
        for size in _balanced(weights[first:last]):
            band.append(SignatoryColumn(start + first, names[first : first + size]))
            first += size
        bands.append(band)
    return bands


def _balanced(weights: list[int]) -> list[int]:
    """
    How many of these names go in each column: the shallowest depth at which
    they fill at most three columns, each filled to that depth in turn.
    """
    depth = max(max(weights), -(-sum(weights) // SIGNATORY_COLUMNS))
    while len(sizes := _fill(weights, depth)) > SIGNATORY_COLUMNS:
        depth += 1
    return sizes


def _fill(weights: list[int], depth: int) -> list[int]:
    sizes, used = [0], 0
    for weight in weights:
        if sizes[-1] and used + weight > depth:
            sizes.append(0)
            used = 0
        sizes[-1] += 1
        used += weight
    return sizes
