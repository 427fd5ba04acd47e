from __future__ import annotations

import re

import pytest
from django.urls import reverse, reverse_lazy

from tests.factories import (
    make_follow_up,
    make_letter,
    make_recipient,
    make_recommendation,
    make_section,
    make_signatory,
    make_theme,
)

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_login(client, letter):
    for url in [reverse("dashboard"), reverse("letters:list"), letter.get_absolute_url()]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_login_page_is_public(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_outsider_sees_no_letters(client, outsider, letter):
    client.force_login(outsider)
    assert client.get(reverse("dashboard")).status_code == 403
    assert client.get(reverse("letters:list")).status_code == 403
    assert client.get(letter.get_absolute_url()).status_code == 403
    assert letter.subject.encode() not in client.get(reverse("dashboard")).content


def test_outsider_cannot_change_letters_in_admin(client, outsider, letter):
    client.force_login(outsider)
    url = reverse("admin:letters_letter_change", args=[letter.pk])
    assert client.get(url).status_code == 302  # not staff: to the admin login
    client.post(url, {"subject": "Hijacked"})
    letter.refresh_from_db()
    assert letter.subject != "Hijacked"


@pytest.mark.parametrize("persona", ["drafter", "coordinator", "admin_user"])
def test_every_role_sees_the_letter(client, request, persona, letter):
    client.force_login(request.getfixturevalue(persona))
    assert letter.subject.encode() in client.get(reverse("dashboard")).content
    assert letter.subject.encode() in client.get(reverse("letters:list")).content
    assert client.get(letter.get_absolute_url()).status_code == 200


def test_unknown_letter_is_404(client, drafter):
    client.force_login(drafter)
    assert client.get(reverse("letters:detail", args=[999999])).status_code == 404


def test_dashboard_shows_the_demo_letter_and_what_needs_attention(client, coordinator, demo):
    client.force_login(coordinator)
    html = client.get(reverse("dashboard")).content.decode()
    assert "JP-2009-12" in html
    assert "Human rights in Japan&#x27;s policy towards North Korea" in html
    assert "JP-2009-12-R09" in html  # rejected
    assert "JP-2009-12-R01" in html  # review overdue


def test_dashboard_query_count_does_not_grow_with_letters(
    client, drafter, django_assert_max_num_queries
):
    for _ in range(3):
        rec = make_recommendation(make_section(make_letter(status="sent")))
        make_follow_up(rec, next_review="2010-01-01", response_status="rejected")
    client.force_login(drafter)
    # Session, user, roles, letters by status, attention lists, tracker counts and
    # chart, stale offices: a fixed number, whatever the data.
    with django_assert_max_num_queries(16) as small:
        client.get(reverse("dashboard"))
    for _ in range(30):
        rec = make_recommendation(make_section(make_letter(status="sent")))
        make_follow_up(rec, next_review="2010-01-01", response_status="rejected")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("dashboard"))


def test_dashboard_shows_the_eight_latest_letters_of_each_status_and_counts_all(client, drafter):
    drafts = [make_letter(subject=f"Draft {n}") for n in range(10)]
    for n, letter in enumerate(drafts):
        for _ in range(n % 3):
            make_recommendation(make_section(letter))
    make_letter(status="sent", subject="The sent one")
    client.force_login(drafter)
    columns = {
        status: (shown, total) for _, status, shown, total in client.get("/").context["columns"]
    }
    shown, total = columns["draft"]
    assert total == 10
    assert [letter.subject for letter in shown] == [f"Draft {n}" for n in range(9, 1, -1)]
    assert [letter.num_recommendations for letter in shown] == [n % 3 for n in range(9, 1, -1)]
    assert [letter.subject for letter in columns["sent"][0]] == ["The sent one"]
    assert set(columns) == {"draft", "sent"}


def test_letter_page_query_count_does_not_grow_with_recommendations(
    client, drafter, django_assert_max_num_queries
):
    letter = make_letter(status="sent")
    section = make_section(letter)
    refugees, trade = make_theme(name="Refugees"), make_theme(name="Trade")
    first = make_recommendation(section, government="KR", third_state="KP")
    first.themes.set([trade, refugees])
    make_recipient(letter, role="cc")
    client.force_login(drafter)
    with django_assert_max_num_queries(30) as small:
        client.get(letter.get_absolute_url())
    for n in range(30):
        rec = make_recommendation(section, text=f"Ask {n}", government="JP" if n % 2 else "CN")
        rec.themes.set([refugees])
        make_follow_up(rec, response_status="accepted")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(letter.get_absolute_url())
    html = response.content.decode()
    # Names looked up once per country and theme still read right on every recommendation.
    assert "To South Korea, about North Korea</span>" in html
    assert '<span class="theme-tag">Refugees</span><span class="theme-tag">Trade</span>' in html
    assert html.count("To Japan</span>") == 15 and html.count("To China</span>") == 15
    assert html.count('<span class="theme-tag">Refugees</span>') == 31
    assert '<p class="mt-3 mb-0">cc:</p>' in html


def test_letter_page_reads_its_parts_without_sorting_every_letter(
    client, drafter, django_assert_max_num_queries
):
    """The models order by "letter" first, which joins and sorts the whole letters table
    (2,000 letters in the bench); a page about one letter orders within it."""
    letter = make_letter(status="sent")
    make_recommendation(make_section(letter))
    make_recipient(letter)
    make_signatory(letter)
    client.force_login(drafter)
    with django_assert_max_num_queries(30) as captured:
        assert client.get(letter.get_absolute_url()).status_code == 200
    tables = ["letters_section", "letters_recommendation", "letters_letterrecipient"]
    tables += ["letters_signatory", "letters_sentcopy"]
    reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    for table in tables:
        own = [sql for sql in reads if sql.split(" FROM ")[1].startswith(f'"{table}"')]
        assert own, table
        assert not any('JOIN "letters_letter"' in sql for sql in own), table


def test_letter_detail_escapes_user_text(client, drafter):
    letter = make_letter(subject="<script>alert(1)</script>", opening="<b onclick=x>hi</b>")
    client.force_login(drafter)
    html = client.get(letter.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "onclick" not in html


@pytest.mark.parametrize(
    ("url", "section"),
    [
        (reverse_lazy("dashboard"), "Dashboard"),
        (reverse_lazy("letters:list"), "Letters"),
        (reverse_lazy("letters:tracking"), "Tracker"),
        (reverse_lazy("recipients:list"), "Directory"),
    ],
)
def test_the_navigation_marks_one_section_as_current(client, drafter, url, section):
    client.force_login(drafter)
    html = client.get(url).content.decode()
    active = re.findall(r'class="nav-link active"[^>]*>([^<]+)</a>', html)
    assert active == [section]
