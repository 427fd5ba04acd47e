"""
The editor's long blocks (sections and recommendations, recipients, signatories,
the letter's fields, the add forms) are rendered once per version of the letter
and shared by everyone who opens it (`{% cached_block %}`, letters.tracking_cache).
What they show must follow every write, and nothing of one visitor may reach another.
Writes refresh the cache when they commit, so these tests use real transactions.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from letters.models import Recommendation
from tests.factories import (
    make_draft,
    make_follow_up,
    make_official,
    make_organization,
    make_position,
    make_recipient,
    make_term,
    make_theme,
    make_user,
)
from tests.letters.test_drafting_parts import rec_data

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def editor(client: Client, letter) -> str:
    response = client.get(reverse("letters:drafting_edit", args=[letter.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_visit_draws_no_recommendation_again(client, drafter):
    letter = make_draft()
    client.force_login(drafter)
    editor(client, letter)
    with CaptureQueriesContext(connection) as second:
        html = editor(client, letter)
    assert "Press China to stop forced returns." in html
    read = [q["sql"] for q in second.captured_queries]
    assert not [sql for sql in read if 'FROM "letters_recommendation"' in sql]
    assert not [sql for sql in read if 'FROM "letters_letterrecipient"' in sql]


def test_each_visitor_gets_their_own_csrf_token_in_the_shared_blocks():
    letter = make_draft()
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(make_user("first", role="Drafter"))
    second.force_login(make_user("second", role="Drafter"))
    tokens = []
    for visitor in (first, second):
        html = editor(visitor, letter)
        found = set(TOKEN.findall(html))
        assert len(found) == 1, "every form of one page carries the visitor's token"
        tokens.append(found.pop())
    assert tokens[0] != tokens[1]
    assert "csrf-token-placeholder" not in html

    # The second visitor's token, read from a cached row's form, is accepted.
    rec = Recommendation.objects.get(text="Press China to stop forced returns.")
    response = second.post(
        reverse("letters:drafting_recommendation_move", args=[letter.pk, rec.pk]),
        {"csrfmiddlewaretoken": tokens[1], "version": letter.version, "direction": "up"},
    )
    assert response.status_code in (200, 302)
    letter.refresh_from_db()
    assert letter.version == 2


def test_the_blocks_follow_the_address_book_themes_and_organisations(client, drafter):
    letter = make_draft()
    rec = Recommendation.objects.filter(section__letter=letter).order_by("pk").first()
    theme = make_theme(name="Detention")
    rec.themes.add(theme)
    client.force_login(drafter)
    assert "Detention" in editor(client, letter)

    theme.name = "Immigration detention"
    theme.save()
    assert "Immigration detention" in editor(client, letter)

    # A new holder of the addressed office: the recipients block names her.
    office = letter.recipients.get(role="to").position
    office.terms.update(end=dt.date(2012, 6, 1))
    make_term(
        office,
        make_official(given_name="Naoto", family_name="Kan"),
        start=dt.date(2012, 6, 2),
    )
    assert "Naoto Kan" in editor(client, letter)

    # A new organisation is offered in the "add an organisation" list.
    make_organization(name="Newly Founded Network")
    assert "Newly Founded Network" in editor(client, letter)


def test_an_edit_shows_at_once_and_a_refused_form_keeps_what_was_typed(client, drafter):
    letter = make_draft()
    client.force_login(drafter)
    editor(client, letter)
    rec = Recommendation.objects.filter(section__letter=letter).order_by("pk").first()
    response = client.post(
        reverse("letters:drafting_recommendation_edit", args=[letter.pk, rec.pk]),
        rec_data(f"rec-{rec.pk}", letter.version, text="Raise human rights at every summit."),
    )
    assert response.status_code in (200, 302)
    html = editor(client, letter)
    assert "Raise human rights at every summit." in html

    # An invalid letter form shows the user's input, and the next visit the saved letter.
    letter.refresh_from_db()
    refused = client.post(
        reverse("letters:drafting_edit", args=[letter.pk]),
        {"version": letter.version, "subject": "Typed but refused", "reference": ""},
    ).content.decode()
    assert "Typed but refused" in refused
    assert "Typed but refused" not in editor(client, letter)


def test_a_new_recipient_appears_in_the_recipients_block(client, drafter):
    letter = make_draft()
    client.force_login(drafter)
    editor(client, letter)
    make_recipient(letter, make_position(title="Minister of Justice"), role="cc")
    letter.touch()  # as drafting.add_recipient does
    assert "Minister of Justice" in editor(client, letter)


def test_the_letter_page_draws_its_recommendations_once_and_follows_a_follow_up(client, drafter):
    from tests.factories import make_letter, make_recommendation, make_section

    letter = make_letter(status="sent")
    rec = make_recommendation(make_section(letter), text="Ratify the convention.")
    client.force_login(drafter)
    page = reverse("letters:detail", args=[letter.pk])
    assert "Ratify the convention." in client.get(page).content.decode()
    with CaptureQueriesContext(connection) as second:
        html = client.get(page).content.decode()
    assert "Ratify the convention." in html and "Accepted" not in html
    assert not [q for q in second.captured_queries if 'FROM "letters_section"' in q["sql"]]

    make_follow_up(rec, response_status="accepted")
    assert "Accepted" in client.get(page).content.decode()


def test_reading_the_editor_takes_no_transaction_and_saving_takes_one(client, drafter, monkeypatch):
    # On SQLite a transaction takes the write lock at BEGIN: readers must not queue on it.
    from letters.views import drafting as views

    seen = []
    sections = views._sections

    def watched(letter):
        seen.append(connection.in_atomic_block)
        return sections(letter)

    monkeypatch.setattr(views, "_sections", watched)
    letter = make_draft()
    client.force_login(drafter)
    editor(client, letter)
    client.post(
        reverse("letters:drafting_section_add", args=[letter.pk]),
        {"section-new-heading": "Detention", "section-new-version": letter.version},
        HTTP_HX_REQUEST="true",  # answered with the sections block, drawn in the transaction
    )
    assert seen == [False, True]
