"""
A published letter's page and the Atom feed are drawn once and cached under the
tracking token (letters.tracking_cache), like the index: a reader gets them in
a few queries, and every write that shows on them draws them afresh. Committed
writes need real transactions, so the tests use transaction=True.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from letters.models import PressRelease
from tests.factories import (
    make_follow_up,
    make_letter,
    make_organization,
    make_recommendation,
    make_section,
    make_signatory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def published(partner: str = "Partner One", **fields):
    letter = make_letter(status="published", published_at=timezone.now(), **fields)
    make_recommendation(make_section(letter), text="Stop <forced> returns.")
    make_signatory(
        letter,
        make_organization(name=partner),
        signer_name="Sam Signer",
        consent_to_publish=True,
    )
    return letter


def page(client, letter) -> str:
    response = client.get(reverse("public:detail", args=[letter.reference]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_published_letter_is_drawn_once_in_a_fixed_number_of_queries(client):
    letter = published()
    assert "Stop &lt;forced&gt; returns." in page(client, letter)
    with CaptureQueriesContext(connection) as cached:
        page(client, letter)
    # The letter, the token and the page: nothing read for its parts.
    assert len(cached) <= 3
    assert not any("letters_recommendation" in q["sql"] for q in cached.captured_queries)
    for n in range(20):
        make_recommendation(letter.sections.get(), text=f"Ask {n}")
    with CaptureQueriesContext(connection) as drawn:
        assert "Ask 19" in page(client, letter)
    with CaptureQueriesContext(connection) as cached_again:
        page(client, letter)
    assert len(cached_again) == len(cached)
    small = published("Partner Two")
    with CaptureQueriesContext(connection) as drawn_small:
        page(client, small)
    assert len(drawn) == len(drawn_small)


def test_a_published_letter_follows_each_write_that_shows_on_it(client):
    letter = published()
    rec = letter.sections.get().recommendations.get()
    assert "Response: no response yet" in page(client, letter)

    make_follow_up(rec, response_status="accepted")
    assert "Response: accepted" in page(client, letter)

    signatory = letter.signatories.get()
    signatory.consent_to_publish = False
    signatory.save()
    html = page(client, letter)
    assert "Partner One" not in html and "asked not to be named" in html

    PressRelease.objects.create(letter=letter, headline="Partners speak", published=True)
    assert "Partners speak" in page(client, letter)

    section = letter.sections.get()
    section.heading = "Returns to the North"
    section.save()
    assert "Returns to the North" in page(client, letter)

    letter.status = "sent"
    letter.save()
    assert client.get(reverse("public:detail", args=[letter.reference])).status_code == 404


def test_the_feed_is_drawn_once_per_write_with_links_to_the_address_asked(client, settings):
    settings.ALLOWED_HOSTS = ["testserver", "mirror.example.org"]
    feed = reverse("public:feed")
    first = published(subject="First letter")
    response = client.get(feed)
    assert response["Content-Type"].startswith("application/atom+xml")
    assert f"http://testserver/published/{first.reference}/" in response.content.decode()
    with CaptureQueriesContext(connection) as cached:
        assert client.get(feed).content == response.content
    assert not any("letters_letter" in q["sql"] for q in cached.captured_queries)

    other = client.get(feed, HTTP_HOST="mirror.example.org").content.decode()
    assert f"http://mirror.example.org/published/{first.reference}/" in other
    assert "testserver" not in other

    published("Partner Two", subject="Second letter")
    assert "Second letter" in client.get(feed).content.decode()


def test_the_index_shows_the_latest_letters_a_page_at_a_time(client):
    from letters.views.public import PUBLISHED_PER_PAGE

    for n in range(PUBLISHED_PER_PAGE + 2):
        make_letter(
            status="published",
            published_at=timezone.now() + timezone.timedelta(minutes=n),
            subject=f"Public letter number {n}",
        )
    index = reverse("public:index")
    first = client.get(index).content.decode()
    count = PUBLISHED_PER_PAGE + 2
    assert f"{count} letters published; 1–{PUBLISHED_PER_PAGE} shown" in first
    assert f"Public letter number {count - 1}<" in first
    assert "Public letter number 0<" not in first and 'href="?page=2"' in first
    second = client.get(index, {"page": "2"}).content.decode()
    assert "Public letter number 0<" in second and "Page 2 of 2" in second
    # Past the last page, or not a number: the last page, or the first.
    assert "Page 2 of 2" in client.get(index, {"page": "99"}).content.decode()
    assert "Page 1 of 2" in client.get(index, {"page": "x"}).content.decode()
    # With the cache warm, a page costs a fixed few queries, not one per letter.
    with CaptureQueriesContext(connection) as again:
        client.get(index, {"page": "2"})
    assert len(again.captured_queries) <= 3

    make_letter(status="published", published_at=timezone.now(), subject="Just published")
    assert f"{count + 1} letters published" in client.get(index).content.decode()
