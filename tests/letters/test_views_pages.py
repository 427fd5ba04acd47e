"""Small things people notice on the dashboard, the 404 page and the login page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_letter, make_tracked_recommendation

pytestmark = pytest.mark.django_db


def test_the_dashboard_folds_statuses_no_letter_is_in(client, drafter):
    make_letter(reference="D-1", status="draft")
    make_letter(reference="S-1", status="sent")
    client.force_login(drafter)
    response = client.get(reverse("dashboard"))
    html = response.content.decode()
    assert [c[1] for c in response.context["columns"]] == ["draft", "sent"]
    assert html.count('class="status-column"') == 2
    assert "No letter is circulating for sign-on, final, published or withdrawn." in html
    assert '<p class="empty-note">None</p>' not in html


def test_the_dashboard_shows_overdue_reviews_first(client, drafter):
    late = timezone.localdate() - dt.timedelta(days=3)
    rec = make_tracked_recommendation(response="noted", review=late, text="Late ask")
    client.force_login(drafter)
    html = client.get(reverse("dashboard")).content.decode()
    main = html.split('<main id="main"')[1]
    assert main.index('id="overdue-heading"') < main.index('id="board-heading"')
    assert main.index(rec.reference) < main.index('id="board-heading"')


def test_without_overdue_reviews_the_dashboard_says_so_in_one_line(client, drafter):
    client.force_login(drafter)
    html = client.get(reverse("dashboard")).content.decode()
    assert "No review is overdue." in html and 'id="overdue-heading"' not in html


@pytest.mark.parametrize(
    ("persona", "way_back"),
    [("drafter", reverse("dashboard")), (None, reverse("public:index"))],
)
def test_the_404_page_has_a_way_back(client, request, settings, persona, way_back):
    settings.DEBUG = False
    if persona:
        client.force_login(request.getfixturevalue(persona))
    response = client.get("/published/no-such-letter/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert f'href="{way_back}"' in html


def test_the_login_page_shows_the_site_name_not_the_host(client, settings):
    settings.SITE_NAME = "Coalition Letters"
    html = client.get(reverse("login"), HTTP_HOST="127.0.0.1").content.decode()
    assert "<title>Log in · Coalition Letters</title>" in html
    assert "127.0.0.1" not in html
