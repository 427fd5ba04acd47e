"""
Several people saving the same letter at the same instant, each request on its
own thread and database connection. Exactly one save wins; the others are
refused as stale, never silently overwritten. Needs PostgreSQL, where the row
lock the editor takes first is real (DATABASE_URL=postgres://...).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from letters.models import Letter
from tests.factories import make_draft, make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="the in-memory SQLite test database cannot hold two writers; run on PostgreSQL",
    ),
]

PEOPLE = 5
HX = {"HTTP_HX_REQUEST": "true"}


def post_together(requests: list[tuple[Client, str, dict]], headers: dict = HX) -> list:
    barrier = threading.Barrier(len(requests))
    responses: list = []
    errors: list[BaseException] = []

    def send(client: Client, url: str, data: dict) -> None:
        try:
            barrier.wait()
            responses.append(client.post(url, data, **headers))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return responses


def clients() -> list[Client]:
    out = []
    for n in range(PEOPLE):
        client = Client()
        client.force_login(make_user(f"drafter{n}", role="Drafter"))
        out.append(client)
    return out


def test_simultaneous_edits_of_one_section_keep_exactly_one(transactional_db):
    from letters.permissions import sync_groups

    sync_groups()
    letter = make_draft()
    section = letter.sections.first()
    url = reverse("letters:drafting_section_edit", args=[letter.pk, section.pk])
    prefix = f"section-{section.pk}"
    requests = [
        (client, url, {f"{prefix}-heading": f"Heading by {n}", f"{prefix}-version": letter.version})
        for n, client in enumerate(clients())
    ]
    responses = post_together(requests)
    saved = [r for r in responses if r.has_header("X-Letter-Version")]
    refused = [r for r in responses if b"changed since you opened it" in r.content]
    assert len(saved) == 1 and len(refused) == PEOPLE - 1
    section.refresh_from_db()
    assert section.heading in saved[0].content.decode()
    assert Letter.objects.get(pk=letter.pk).version == letter.version + 1


def test_simultaneous_moves_with_one_version_move_once(transactional_db):
    from letters.permissions import sync_groups

    sync_groups()
    letter = make_draft()
    last = letter.sections.order_by("order").last()
    url = reverse("letters:drafting_section_move", args=[letter.pk, last.pk])
    requests = [
        (client, url, {"direction": "up", "version": letter.version}) for client in clients()
    ]
    responses = post_together(requests)
    assert sum(r.has_header("X-Letter-Version") for r in responses) == 1
    assert list(letter.sections.order_by("order").values_list("pk", flat=True))[0] == last.pk
    assert Letter.objects.get(pk=letter.pk).version == letter.version + 1


def test_two_copies_racing_for_one_reference_make_one_letter_and_one_form_error(
    transactional_db,
):
    draft = make_draft()
    url = reverse("letters:drafting_duplicate", args=[draft.pk])
    first, second = clients()[:2]
    for n in range(3):
        reference = f"JP-2010-0{n}"
        data = {"reference": reference, "subject": f"Copy {n}"}
        # An exception here (IntegrityError, a 500) fails post_together.
        responses = post_together([(first, url, data), (second, url, data)], headers={})
        assert sorted(r.status_code for r in responses) == [200, 302]
        refused = next(r for r in responses if r.status_code == 200)
        # Refused in words, on the reference field, with what was typed kept.
        assert refused.context["form"].errors["reference"]
        assert f'value="Copy {n}"' in refused.content.decode()
        assert Letter.objects.filter(reference=reference).count() == 1
    assert Letter.objects.count() == 4
