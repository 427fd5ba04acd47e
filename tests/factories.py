"""Plain factory functions: make_x(**overrides), sensible defaults via setdefault."""

from __future__ import annotations

import datetime as dt
import itertools

from django.contrib.auth.models import Group, User

from letters.models import (
    FollowUp,
    FollowUpKind,
    Letter,
    LetterRecipient,
    Organization,
    Recommendation,
    Section,
    Signatory,
)
from letters.permissions import sync_groups
from recipients.models import Official, Position, Term

_seq = itertools.count(1)

PASSWORD = "correct horse battery staple"


def make_user(username: str, *, role: str | None = None, **fields) -> User:
    user = User.objects.create_user(username, f"{username}@example.org", PASSWORD, **fields)
    if role:
        if not Group.objects.filter(name=role).exists():
            # Transactional tests flush the database, the groups the data migration made too.
            sync_groups()
        user.groups.add(Group.objects.get(name=role))
    return user


def make_position(**overrides) -> Position:
    n = next(_seq)
    overrides.setdefault("title", f"Minister {n}")
    overrides.setdefault("institution", f"Ministry {n}")
    overrides.setdefault("country", "JP")
    overrides.setdefault("address_lines", "1-1-1 Kasumigaseki\nChiyoda-ku")
    overrides.setdefault("locality", "Tokyo")
    overrides.setdefault("postal_code", "100-0013")
    return Position.objects.create(**overrides)


def make_official(**overrides) -> Official:
    n = next(_seq)
    overrides.setdefault("given_name", f"Taro{n}")
    overrides.setdefault("family_name", f"Yamada{n}")
    return Official.objects.create(**overrides)


def make_term(position: Position, official: Official | None = None, **overrides) -> Term:
    overrides.setdefault("start", dt.date(2009, 9, 16))
    return Term.objects.create(position=position, official=official or make_official(), **overrides)


def make_organization(**overrides) -> Organization:
    n = next(_seq)
    overrides.setdefault("name", f"Organisation {n}")
    overrides.setdefault("short_name", f"ORG{n}")
    return Organization.objects.create(**overrides)


def make_letter(**overrides) -> Letter:
    n = next(_seq)
    overrides.setdefault("reference", f"TEST-{n:04d}")
    overrides.setdefault("subject", f"Test letter {n}")
    overrides.setdefault("date", dt.date(2009, 12, 10))
    return Letter.objects.create(**overrides)


def make_section(letter: Letter, **overrides) -> Section:
    overrides.setdefault("heading", "Refugees")
    overrides.setdefault("order", letter.sections.count())
    return Section.objects.create(letter=letter, **overrides)


def make_recommendation(section: Section | None = None, **overrides) -> Recommendation:
    section = section or make_section(make_letter())
    overrides.setdefault("text", "Stop forced returns.")
    overrides.setdefault("government", "JP")
    overrides.setdefault("order", section.recommendations.count())
    return Recommendation.objects.create(section=section, **overrides)


def make_recipient(letter: Letter, position: Position | None = None, **overrides):
    overrides.setdefault("role", "to")
    return LetterRecipient.objects.create(
        letter=letter, position=position or make_position(), **overrides
    )


def make_signatory(letter: Letter, organization: Organization | None = None, **overrides):
    return Signatory.objects.create(
        letter=letter, organization=organization or make_organization(), **overrides
    )


def make_follow_up(recommendation: Recommendation, **overrides) -> FollowUp:
    overrides.setdefault("kind", FollowUpKind.REPLY)
    overrides.setdefault("date", dt.date(2010, 1, 1))
    return FollowUp.objects.create(recommendation=recommendation, **overrides)


def make_theme(**overrides):
    from django.utils.text import slugify

    from letters.models import Theme

    n = next(_seq)
    overrides.setdefault("name", f"Theme {n}")
    overrides.setdefault("slug", slugify(overrides["name"]))
    return Theme.objects.create(**overrides)


def make_draft(**overrides) -> Letter:
    """A draft of the real case's shape in miniature: 2 sections, 3 recommendations, 1 to + 1 cc."""
    letter = make_letter(**overrides)
    first = make_section(letter, heading="Diplomacy")
    second = make_section(letter, heading="Refugees")
    make_recommendation(first, text="Raise human rights in every meeting.")
    make_recommendation(first, text="Press China to stop forced returns.", third_state="CN")
    make_recommendation(second, text="Open the asylum procedure.")
    to = make_position(title="Prime Minister", institution=f"Cabinet Office {next(_seq)}")
    make_term(to, make_official(honorific="H.E.", given_name="Yukio", family_name="Hatoyama"))
    make_recipient(letter, to, role="to")
    make_recipient(letter, make_position(title="Minister for Foreign Affairs"), role="cc")
    make_signatory(letter, role="lead")
    letter.content_hash = letter.compute_content_hash()
    letter.save(update_fields=["content_hash"])
    return letter


# (make_theme is shared with drafting, above)
def make_tracked_recommendation(
    letter: Letter | None = None,
    *,
    themes=(),
    response: str = "",
    implementation: str = "",
    review: dt.date | None = None,
    date: dt.date = dt.date(2010, 1, 10),
    **overrides,
) -> Recommendation:
    """A recommendation of a sent letter, with one follow-up entry if any status is given."""
    letter = letter or make_letter(status="sent")
    section = overrides.pop("section", None) or letter.sections.first() or make_section(letter)
    rec = make_recommendation(section, **overrides)
    rec.themes.set(themes)
    if response or implementation or review:
        make_follow_up(
            rec,
            date=date,
            response_status=response,
            implementation_status=implementation,
            next_review=review,
        )
        rec.refresh_from_db()
    return rec


def make_signing_letter(*, cosigners: int = 2, **overrides) -> Letter:
    """A draft ready to circulate: text, an addressee in office, a lead and co-signers."""
    letter = make_letter(**overrides)
    section = make_section(letter, heading="Refugees", body="People are sent back.")
    make_recommendation(section, text="Stop forced returns.")
    make_recommendation(section, text="Open the asylum procedure.")
    position = make_position(title="Prime Minister")
    make_term(position)
    make_recipient(letter, position)
    # Several letters may share the same organisations, as in real life.
    lead = Organization.objects.get_or_create(name="Lead Org", email="lead@example.org")[0]
    make_signatory(letter, lead, role="lead", order=0, signer_name="Lee Lead", signer_title="Head")
    for n in range(cosigners):
        org = Organization.objects.get_or_create(
            name=f"Partner {n + 1}", email=f"partner{n + 1}@example.org"
        )[0]
        make_signatory(letter, org, order=n + 1)
    letter.touch()
    return letter


IMPORT_SAMPLE = """Mr. Yukio Hatoyama
Prime Minister of Japan
1-6-1 Nagata-cho, Chiyoda-ku

Dear Prime Minister,

We recommend that the Government of Japan:
- Press China to stop forced returns.

Sincerely,

Aiko Tanaka
Director
Rights Now Japan
"""


def make_import_session(*, owner, text: str = IMPORT_SAMPLE, **overrides):
    """An import in progress, parsed from `text` (matched against nothing)."""
    from django.core.files.base import ContentFile

    from letters.importing import parse_letter
    from letters.models import ImportSession

    proposal = parse_letter(text)
    session = ImportSession(
        created_by=owner,
        source_name="pasted-letter.txt",
        source_kind="txt",
        source_text=text,
        proposal=proposal,
        **overrides,
    )
    session.number_blocks()
    session.source_file.save("pasted-letter.txt", ContentFile(text.encode()), save=False)
    session.save()
    return session
