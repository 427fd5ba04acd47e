"""The letter list: filters, search, pagination, and a query count that stays flat."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from letters.models import Letter
from tests.factories import (
    make_letter,
    make_organization,
    make_position,
    make_recipient,
    make_recommendation,
    make_section,
    make_signatory,
)

pytestmark = pytest.mark.django_db


def listed(client, **params) -> str:
    response = client.get(reverse("letters:list"), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def letters(db):
    arm, rsn = make_organization(name="Asia Rights Monitor"), make_organization(name="RSN")
    jp = make_letter(
        reference="JP-2009-12",
        subject="Human rights and North Korea",
        date=dt.date(2009, 12, 10),
        lead_organization=arm,
    )
    make_recipient(jp, make_position(country="JP"), role="to")
    kr = make_letter(
        reference="KR-2011-02",
        subject="Detention of refugees",
        date=dt.date(2011, 2, 1),
        lead_organization=rsn,
        status="sent",
    )
    make_recipient(kr, make_position(country="KR"), role="to")
    make_recipient(kr, make_position(country="JP"), role="cc")  # cc does not count
    return jp, kr


def test_it_lists_every_letter_with_its_recommendation_count(client, drafter, letters):
    make_recommendation(make_section(letters[0]))
    client.force_login(drafter)
    html = listed(client)
    assert "JP-2009-12" in html and "KR-2011-02" in html and "2 letters" in html


@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({"status": "sent"}, "KR-2011-02", "JP-2009-12"),
        ({"government": "JP"}, "JP-2009-12", "KR-2011-02"),
        ({"government": "KR"}, "KR-2011-02", "JP-2009-12"),
        ({"year": "2009"}, "JP-2009-12", "KR-2011-02"),
        ({"q": "refugees"}, "KR-2011-02", "JP-2009-12"),
        ({"q": "jp-2009"}, "JP-2009-12", "KR-2011-02"),
        ({"q": "north korea"}, "JP-2009-12", "KR-2011-02"),
    ],
)
def test_filters_narrow_the_list(client, drafter, letters, params, shown, hidden):
    client.force_login(drafter)
    html = listed(client, **params)
    assert shown in html and hidden not in html


def test_filter_by_lead_organisation(client, drafter, letters):
    client.force_login(drafter)
    html = listed(client, lead_organization=letters[1].lead_organization_id)
    assert "KR-2011-02" in html and "JP-2009-12" not in html


@pytest.mark.parametrize(
    "params",
    [
        {"status": "nope"},
        {"lead_organization": "abc"},
        {"government": "ZZ"},
        {"year": "1066"},
        {"page": "9999"},
        {"page": "x"},
        {"q": "x" * 500},
    ],
)
def test_bad_filter_values_never_fail(client, drafter, letters, params):
    client.force_login(drafter)
    assert client.get(reverse("letters:list"), params).status_code == 200


def test_a_bad_choice_is_explained_on_the_form(client, drafter, letters):
    client.force_login(drafter)
    html = listed(client, status="nope")
    assert "Select a valid choice" in html and "JP-2009-12" not in html


def test_the_filter_form_keeps_each_choice_and_escapes_the_names(client, drafter, letters):
    odd = make_organization(name='Rights & "Reason" <Watch>')
    client.force_login(drafter)
    html = listed(client, status="sent", government="KR", year="2011", lead_organization=odd.pk)
    assert '<option value="sent" selected>Sent</option>' in html
    assert '<option value="KR" selected>South Korea</option>' in html
    assert '<option value="JP">Japan</option>' in html
    assert '<option value="2011" selected>2011</option>' in html
    assert '<option value="2009">2009</option>' in html
    assert (
        f'<option value="{odd.pk}" selected>Rights &amp; &quot;Reason&quot; &lt;Watch&gt;</option>'
        in html
    )
    assert html.count(" selected>") == 4
    # Nothing chosen: no option is marked, the first (any) shows.
    assert " selected>" not in listed(client)


def test_it_paginates_and_keeps_the_filters_in_page_links(client, drafter):
    for n in range(30):
        make_letter(reference=f"P-{n:03d}", status="draft")
    client.force_login(drafter)
    html = listed(client, status="draft")
    assert "Page 1 of 2" in html and "status=draft&amp;page=2" in html
    assert html.count("<tr>") == 26  # header + 25
    assert "Page 2 of 2" in listed(client, status="draft", page=2)


def test_outsider_sees_no_list(client, outsider, letters):
    client.force_login(outsider)
    response = client.get(reverse("letters:list"))
    assert response.status_code == 403 and b"JP-2009-12" not in response.content


def test_list_query_count_does_not_grow_with_thousands_of_letters(
    client, drafter, django_assert_max_num_queries
):
    org = make_organization()

    def grow(n):
        Letter.objects.bulk_create(
            Letter(
                reference=f"B-{Letter.objects.count() + i:05d}",
                subject="Bulk",
                date=dt.date(2000 + i % 20, 1, 1),
                lead_organization=org,
            )
            for i in range(n)
        )
        for letter in Letter.objects.order_by("-pk")[:5]:
            make_recommendation(make_section(letter))
            make_signatory(letter)

    grow(30)
    client.force_login(drafter)
    with django_assert_max_num_queries(15) as small:
        client.get(reverse("letters:list"), {"q": "bulk", "year": "2005"})
    grow(2000)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("letters:list"))
    assert b"2030 letters" in response.content
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("letters:list"), {"q": "bulk", "year": "2005", "page": 3})
