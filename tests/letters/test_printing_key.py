"""
A printed document's cache key is read once per write (letters.printing.cache.
letter_digest): a cache hit reads no part of the letter, and every committed
change that prints gives a new key. Writes commit here, so real transactions.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from letters.printing import cache
from tests.factories import make_draft, make_official, make_term

pytestmark = pytest.mark.django_db(transaction=True)

PARTS = ("letters_section", "letters_letterrecipient", "letters_signatory")


def test_a_second_key_reads_no_part_of_the_letter():
    letter = make_draft()
    first = cache.pdf_cache_key(letter)
    with CaptureQueriesContext(connection) as again:
        assert cache.pdf_cache_key(letter) == first
    assert not [q for q in again.captured_queries if any(t in q["sql"] for t in PARTS)]


def test_every_committed_change_that_prints_gives_a_new_key():
    letter = make_draft()
    keys = {cache.pdf_cache_key(letter)}

    signatory = letter.signatories.get()
    signatory.signer_title = "Director"
    signatory.save()
    keys.add(cache.pdf_cache_key(letter))

    organisation = signatory.organization
    organisation.address = "1-2-3 Shinjuku, Tokyo"
    organisation.save()
    keys.add(cache.pdf_cache_key(letter))

    office = letter.recipients.get(role="to").position
    office.terms.update(end=dt.date(2010, 6, 1))  # as the holders' form saves them, below
    make_term(office, make_official(family_name="Kan"), start=dt.date(2010, 6, 2))
    keys.add(cache.pdf_cache_key(letter))

    office.address_lines = "2-3-1 Nagatacho\nChiyoda-ku"
    office.save()
    keys.add(cache.pdf_cache_key(letter))
    assert len(keys) == 5


def test_a_cache_hit_reads_the_session_the_user_the_letter_and_the_token(client, coordinator):
    letter = make_draft()
    client.force_login(coordinator)
    url = reverse("letters:printing_pdf", args=[letter.pk])
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as hit:
        assert client.get(url).status_code == 200
    # Session, user, its permissions (own and groups'), the letter, the cache token.
    assert len(hit.captured_queries) <= 6
