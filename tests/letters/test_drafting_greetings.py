"""
The greeting is the letter's choice, shown per copy while drafting and covered
by approvals; mailing lists add one recipient per office; sections may go
without a heading and close with a paragraph.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from letters.models import GreetingMode, LetterRecipient
from letters.text import approvable_text, combined_greeting, diff_snapshots, text_hash
from recipients.models import MailingList
from tests.factories import make_draft, make_official, make_position, make_recipient, make_term

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, *args) -> str:
    return reverse(f"letters:drafting_{name}", args=args)


@pytest.fixture
def draft(db):
    letter = make_draft()
    second = make_position(title="Justice Minister", salutation_pattern="Dear {office},")
    make_term(second, make_official(family_name="Chiba"))
    make_recipient(letter, second, role="to", order=1)
    letter.touch()
    return letter


@pytest.mark.parametrize(
    ("salutations", "combined"),
    [
        (["Dear Justice Minister,", "Dear Foreign Minister,"],
         "Dear Justice Minister and Foreign Minister"),
        (["Dear A,", "Dear B,", "Dear C:"], "Dear A, B and C"),
        (["Excellencies,", "Excellencies,"], "Excellencies"),
        (["Excellencies,", "Dear Minister,"], "Excellencies and Dear Minister"),
        ([], ""),
    ],
)  # fmt: skip
def test_combined_greetings(salutations, combined):
    assert combined_greeting(salutations) == combined


def test_the_editor_and_the_preview_show_each_copy_s_greeting(client, drafter, draft):
    client.force_login(drafter)
    html = client.get(url("edit", draft.pk)).content.decode()
    greets = 'Its copy greets: <span class="copy-greeting" lang="en">'
    assert f"{greets}Dear Prime Minister Hatoyama,</span>" in html
    assert (
        'Its copy greets: <span class="copy-greeting" lang="en">Dear Justice Minister,</span>'
        in html
    )
    preview = client.get(url("preview", draft.pk)).content.decode()
    assert "How each copy greets its reader" in preview
    assert '<strong lang="en">Dear Justice Minister,</strong>' in preview


def test_the_drafter_chooses_the_greeting_and_approvals_cover_it(client, drafter, draft):
    before = draft.content_hash
    assert "Dear Justice Minister," in approvable_text(draft)["greeting"]
    client.force_login(drafter)
    data = {
        "subject": draft.subject,
        "subject_prefix": "",
        "reference": draft.reference,
        "date": draft.date.isoformat(),
        "language": "en",
        "recommendation_style": "numbered",
        "greeting": "Excellencies",
        "greeting_mode": GreetingMode.EACH,
        "greeting_punctuation": ":",
        "version": draft.version,
    }
    assert client.post(url("edit", draft.pk), data).status_code == 302
    draft.refresh_from_db()
    assert (draft.greeting, draft.greeting_punctuation, draft.subject_prefix) == (
        "Excellencies", ":", ""
    )  # fmt: skip
    text = approvable_text(draft)
    assert text["greeting"] == "Excellencies:"
    assert text["subject_prefix"] == ""
    assert draft.content_hash != before
    labels = [c.label for c in diff_snapshots(approvable_text(make_draft()), text)]
    assert "Subject prefix" in labels


def test_a_post_without_the_new_choices_keeps_the_letter_s(client, drafter, draft):
    draft.subject_prefix = "Subject:"
    draft.save()
    client.force_login(drafter)
    data = {"subject": "New subject", "reference": draft.reference, "language": "en",
            "recommendation_style": "numbered", "version": draft.version}  # fmt: skip
    assert client.post(url("edit", draft.pk), data).status_code == 302
    draft.refresh_from_db()
    assert (draft.subject, draft.subject_prefix) == ("New subject", "Subject:")


def test_a_default_letter_s_approvable_text_is_as_before():
    letter = make_draft()
    text = approvable_text(letter)
    assert "subject_prefix" not in text
    assert all("closing" not in s for s in text["sections"])
    assert text["greeting"] == "Dear Prime Minister Hatoyama,"
    assert letter.content_hash == text_hash(text)


def test_a_mailing_list_adds_each_office_with_its_own_copy(client, drafter, draft):
    missions = [make_position(title=f"Permanent Representative {n}", country=c)
                for n, c in enumerate(["FR", "DE", "BR"])]  # fmt: skip
    for position in missions:
        make_term(position)
    geneva = MailingList.objects.create(name="Permanent missions in Geneva")
    geneva.positions.set(missions)
    client.force_login(drafter)
    response = client.post(
        url("recipient_add_list", draft.pk),
        {"mailing_list": geneva.pk, "role": "to", "version": draft.version},
        **HX,
    )
    assert response.status_code == 200
    assert "Added 3 offices of “Permanent missions in Geneva”" in response.content.decode()
    added = LetterRecipient.objects.filter(letter=draft, mailing_list=geneva)
    assert sorted(r.position.title for r in added) == [p.title for p in missions]
    assert added.first().history.count() == 1

    draft.refresh_from_db()
    again = client.post(
        url("recipient_add_list", draft.pk),
        {"mailing_list": geneva.pk, "role": "to", "version": draft.version},
        **HX,
    )
    assert "already a recipient" in again.content.decode()
    assert LetterRecipient.objects.filter(letter=draft, mailing_list=geneva).count() == 3


def test_the_editor_and_preview_query_counts_do_not_grow_with_recipients(client, drafter, draft):
    client.force_login(drafter)

    def counts() -> tuple[int, int]:
        out = []
        for name in ("edit", "preview"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url(name, draft.pk)).status_code == 200
            out.append(len(queries))
        return out[0], out[1]

    before = counts()
    for n in range(6):
        position = make_position(title=f"Envoy {n}")
        make_term(position)
        make_recipient(draft, position, order=n + 2)
    assert counts() == before


def test_a_section_without_heading_with_a_closing_paragraph(client, drafter, draft):
    client.force_login(drafter)
    response = client.post(
        url("section_add", draft.pk),
        {"section-new-heading": "", "section-new-body": "Some context.",
         "section-new-closing": "We stand ready to *help*.", "section-new-version": draft.version},
        **HX,
    )  # fmt: skip
    assert response.status_code == 200
    section = draft.sections.get(body="Some context.")
    assert (section.heading, section.closing) == ("", "We stand ready to *help*.")
    assert "(no heading)" in response.content.decode()
    assert "<em>help</em>" in response.content.decode()
    draft.refresh_from_db()
    text = approvable_text(draft)
    assert {"closing": "We stand ready to *help*."}.items() <= text["sections"][-1].items()
    preview = client.get(url("preview", draft.pk)).content.decode()
    assert "<em>help</em>" in preview
