"""
The app's main pages, with a Japanese letter on each of them, for the browser tests
that check every page alike (focus, language of parts, reflow).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from letters import signing
from letters.models import Letter
from tests.factories import (
    make_draft,
    make_follow_up,
    make_recommendation,
    make_section,
    make_signing_letter,
)

JA_SUBJECT = "北朝鮮に対する日本の政策と人権"
JA_REC = "脱北者の強制送還をやめるよう中国政府に働きかけること。"


@dataclass
class MainPages:
    """Paths of the main pages (`staff` need a login, `public` do not), and the Japanese letters."""

    staff: dict[str, str]
    public: dict[str, str]
    editing: Letter
    circulating: Letter
    published: Letter


def make_main_pages(*, demo: Letter, coordinator) -> MainPages:
    """
    Next to the demo: a Japanese letter circulating for sign-on (a live link) and
    a published Japanese letter with a follow-up, so every main page shows Japanese
    text outside a letter body.
    """
    editing = make_draft(reference="JA-2010-02", subject=JA_SUBJECT + "（草案）", language="ja")
    editing.sections.filter(heading="Refugees").update(heading="難民の保護と強制送還の停止")
    editing.recommendations.filter(number=1).update(text=JA_REC)
    editing.touch()

    circulating = make_signing_letter(reference="JA-2010-01", subject=JA_SUBJECT, language="ja")
    circulating.sections.update(heading="難民")
    circulating.recommendations.filter(number=1).update(text=JA_REC)
    circulating.touch()
    deadline = timezone.now() + dt.timedelta(days=7)
    signing.circulate(letter=circulating, by=coordinator, deadline=deadline)
    token = circulating.signatories.exclude(role="lead").first().token

    published = Letter.objects.create(
        reference="JA-2009-12",
        subject="日本政府への共同書簡：北朝鮮の人権状況について",
        date=dt.date(2009, 12, 10),
        language="ja",
        status="published",
        sent_at=timezone.now(),
        published_at=timezone.now(),
        lead_organization=demo.lead_organization,
    )
    section = make_section(published, heading="外交と人権")
    rec = make_recommendation(section, text=JA_REC, third_state="CN")
    make_follow_up(rec, response_status="noted", note="Raised in the Diet.")
    office = demo.recipients.filter(role="to").first().position

    staff = {
        "dashboard": reverse("dashboard"),
        "letters list": reverse("letters:list"),
        "letter page": circulating.get_absolute_url(),
        "editor": reverse("letters:drafting_edit", args=[editing.pk]),
        "tracker": reverse("letters:tracking"),
        "charts": reverse("letters:tracking_charts"),
        "recommendation page": reverse("letters:tracking_recommendation", args=[rec.pk]),
        "directory": reverse("recipients:list"),
        "office page": reverse("recipients:position", args=[office.pk]),
    }
    public = {
        "login": reverse("login"),
        "public index": reverse("public:index"),
        "public letter": reverse("public:detail", args=[published.reference]),
        "sign-on page": reverse("public:sign", args=[token]),
    }
    return MainPages(
        staff=staff, public=public, editing=editing, circulating=circulating, published=published
    )
