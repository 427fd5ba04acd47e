"""
Figures that read the whole table (letters.tracking_cache) are cached until a
write that changes them commits, whatever the write: a follow-up, an import, a
recommendation, its themes, a letter's status. Committed writes need real
transactions here, so most tests use transaction=True.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from letters import tracking, tracking_cache, tracking_charts
from letters.models import FollowUp, Recommendation
from tests.factories import (
    make_letter,
    make_organization,
    make_recommendation,
    make_section,
    make_theme,
    make_tracked_recommendation,
    make_user,
)

TRACKER = reverse("letters:tracking")
CHARTS = reverse("letters:tracking_charts")


def accepted(summary) -> int:
    """How many the response chart counts as accepted."""
    return sum(
        s.count for row in summary.response.rows for s in row.segments if s.status == "accepted"
    )


def is_status_count(sql: str) -> bool:
    return "COUNT(" in sql and "GROUP BY" in sql and '"current_response"' in sql


def summary():
    return tracking_charts.status_summary(Recommendation.objects.all())


@pytest.mark.django_db(transaction=True)
def test_a_second_read_comes_from_the_cache_and_a_follow_up_refreshes_it(client, drafter):
    rec = make_tracked_recommendation(make_letter(status="sent"), response="noted")
    client.force_login(drafter)
    for url in (TRACKER, CHARTS, "/"):
        with CaptureQueriesContext(connection) as first:
            client.get(url)
        with CaptureQueriesContext(connection) as second:
            client.get(url)
        assert [q for q in first.captured_queries if is_status_count(q["sql"])], url
        assert not [q for q in second.captured_queries if is_status_count(q["sql"])], url
    assert client.get(TRACKER).context["summary"].total == 1

    FollowUp.objects.create(
        recommendation=rec, date=dt.date(2024, 1, 2), kind="reply", response_status="accepted"
    )
    assert accepted(client.get(TRACKER).context["summary"]) == 1


@pytest.mark.django_db(transaction=True)
def test_figures_read_during_a_write_are_never_served_after_it_commits(drafter):
    rec = make_tracked_recommendation(make_letter(status="sent"), response="noted")
    with transaction.atomic():
        FollowUp.objects.create(
            recommendation=rec, date=dt.date(2024, 1, 2), kind="reply", response_status="accepted"
        )
        # Inside the writing transaction: computed from what it wrote, not cached.
        assert accepted(summary()) == 1
        token_during = tracking_cache.token()
    # Figures stored by someone who read the token before the commit saw it change.
    assert tracking_cache.token() != token_during
    assert accepted(summary()) == 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_leaves_no_figures_behind():
    rec = make_tracked_recommendation(make_letter(status="sent"), response="noted")
    assert accepted(summary()) == 0
    with pytest.raises(RuntimeError), transaction.atomic():
        FollowUp.objects.create(
            recommendation=rec, date=dt.date(2024, 1, 2), kind="reply", response_status="accepted"
        )
        assert accepted(summary()) == 1
        raise RuntimeError
    assert accepted(summary()) == 0


@pytest.mark.django_db(transaction=True)
def test_an_import_in_bulk_refreshes_the_figures(coordinator):
    rec = make_tracked_recommendation(make_letter(status="sent"), response="noted")
    assert accepted(summary()) == 0
    update = tracking.StatusUpdate(
        line=2,
        recommendation=rec,
        date=dt.date(2024, 1, 2),
        kind="other",
        response_status="accepted",
        implementation_status="",
        next_review=None,
        note="",
        evidence_url="",
    )
    tracking.import_status_updates(updates=[update], by=coordinator)
    assert accepted(summary()) == 1


@pytest.mark.django_db(transaction=True)
def test_new_recommendations_themes_and_letter_statuses_refresh_the_figures(drafter):
    letter = make_letter(status="sent")
    rec = make_tracked_recommendation(letter)
    by_theme = Recommendation.objects.all()
    assert tracking_charts.status_breakdown(by_theme, by="theme").rows[0].label == "No theme"

    rec.themes.add(make_theme(name="Refugees"))
    assert tracking_charts.status_breakdown(by_theme, by="theme").rows[0].label == "Refugees"

    make_tracked_recommendation(letter, section=make_section(letter))
    assert summary().total == 2

    followed = Recommendation.objects.filter(letter__status="sent")
    assert tracking_charts.status_summary(followed).total == 2
    letter.status = "published"
    letter.save()
    assert tracking_charts.status_summary(followed).total == 0


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_lists_follow_a_new_rejection(client, drafter):
    rec = make_tracked_recommendation(make_letter(status="sent"), response="noted")
    client.force_login(drafter)
    before = client.get("/").context
    assert list(before["rejected"]) == [] and len(before["recent"]) == 1
    FollowUp.objects.create(
        recommendation=rec,
        date=dt.date(2024, 1, 2),
        kind="reply",
        response_status="rejected",
        recorded_by=make_user("recorder"),
    )
    page = client.get("/")
    assert [r.pk for r in page.context["rejected"]] == [rec.pk]
    assert [e.response_status for e in page.context["recent"]] == ["rejected", "noted"]


@pytest.mark.django_db(transaction=True)
def test_the_filter_form_is_cached_per_query_and_lists_a_new_government(client, drafter):
    make_tracked_recommendation(make_letter(status="sent"), government="JP")
    client.force_login(drafter)
    html = client.get(TRACKER + "?government=JP").content.decode()
    assert '<option value="JP" selected>' in html
    assert '<option value="KR"' not in html
    # Another query string is another form: what was chosen is kept.
    assert '<option value="JP" selected>' not in client.get(TRACKER).content.decode()

    make_tracked_recommendation(make_letter(status="sent"), government="KR")
    assert '<option value="KR"' in client.get(TRACKER + "?government=JP").content.decode()
    charts = client.get(CHARTS + "?kind=implementation").content.decode()
    assert '<input type="hidden" name="kind" value="implementation">' in charts


def test_charts_computed_by_different_processes_do_not_share_an_svg_id():
    charts = [tracking_charts._bar_chart({"All": {"": 1}}, kind="response") for _ in range(50)]
    assert len({chart.uid for chart in charts}) == 50


@pytest.mark.django_db(transaction=True)
def test_the_tracker_rows_are_drawn_once_per_query_until_a_write(client, drafter):
    letter = make_letter(status="sent")
    make_tracked_recommendation(letter, text="First ask")
    client.force_login(drafter)
    assert "First ask" in client.get(TRACKER).content.decode()
    with CaptureQueriesContext(connection) as second:
        html = client.get(TRACKER).content.decode()
    assert "First ask" in html and 'name="rec"' in html
    assert not [q for q in second.captured_queries if "letters_recommendation_themes" in q["sql"]]
    # Another page of the same filters is its own entry.
    assert "First ask" not in client.get(TRACKER + "?response=accepted").content.decode()

    make_tracked_recommendation(letter, section=make_section(letter), text="Second ask")
    html = client.get(TRACKER).content.decode()
    assert "First ask" in html and "Second ask" in html
    assert "2 recommendations" in html


@pytest.mark.django_db(transaction=True)
def test_a_page_reads_the_token_once_from_the_shared_cache(client, drafter, database_cache):
    make_tracked_recommendation(make_letter(status="sent"), response="noted")
    client.force_login(drafter)
    for url in (TRACKER, CHARTS, "/", TRACKER):
        with CaptureQueriesContext(connection) as page:
            assert client.get(url).status_code == 200
        token_reads = [q for q in page.captured_queries if "tracking:token" in q["sql"]]
        assert 1 <= len(token_reads) <= 2, url  # a read, and an add() if none was there


@pytest.mark.django_db(transaction=True)
def test_the_public_index_is_drawn_once_per_write_and_follows_each_write(client):
    letter = make_letter(status="published", subject="Stop <forced> returns")
    make_recommendation(make_section(letter))
    index = reverse("public:index")
    html = client.get(index).content.decode()
    assert "Stop &lt;forced&gt; returns" in html and "1 recommendation<" in html
    with CaptureQueriesContext(connection) as cached:
        client.get(index)
    assert not any("letters_letter" in q["sql"] for q in cached.captured_queries)

    make_recommendation(letter.sections.get())
    assert "2 recommendations" in client.get(index).content.decode()
    other = make_letter(status="published", subject="A second letter")
    assert "A second letter" in client.get(index).content.decode()
    other.status = "sent"
    other.save()
    assert "A second letter" not in client.get(index).content.decode()
    lead = make_organization(name="Lead Org")
    letter.lead_organization = lead
    letter.save()
    assert "led by Lead Org" in client.get(index).content.decode()
    lead.name = "Renamed Org"
    lead.save()
    assert "led by Renamed Org" in client.get(index).content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_is_drawn_once_and_follows_the_address_book(client, drafter):
    from tests.factories import make_position

    office = make_position(title="Minister of Justice", last_verified=None)
    client.force_login(drafter)
    assert "Minister of Justice" in client.get("/").content.decode()
    with CaptureQueriesContext(connection) as again:
        assert "Minister of Justice" in client.get("/").content.decode()
    assert not [q for q in again.captured_queries if "letters_letter" in q["sql"]]

    office.last_verified = timezone.localdate()
    office.save()
    assert "Minister of Justice" not in client.get("/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_letter_list_counts_and_years_follow_a_new_letter(client, drafter):
    make_letter(date=dt.date(2009, 12, 10))
    client.force_login(drafter)
    before = client.get(reverse("letters:list")).content.decode()
    assert '<option value="2009">2009</option>' in before
    assert '<option value="2031">' not in before
    make_letter(date=dt.date(2031, 1, 5), subject="From the future")
    after = client.get(reverse("letters:list")).content.decode()
    assert '<option value="2031">2031</option>' in after and "From the future" in after
    assert "2 letters" in after


@pytest.mark.django_db(transaction=True)
def test_many_writes_in_one_transaction_renew_the_token_once():
    letter = make_letter()
    before = tracking_cache.token()
    with transaction.atomic():
        for n in range(5):
            make_section(letter, heading=f"Part {n}")
        queued = [f for _, f, _ in connection.run_on_commit if f is tracking_cache._new_token]
        assert len(queued) == 1
    assert tracking_cache.token() != before


@pytest.mark.django_db(transaction=True)
def test_a_write_after_a_rolled_back_savepoint_still_renews_the_token():
    letter = make_letter()
    before = tracking_cache.token()
    with transaction.atomic():
        try:
            with transaction.atomic():
                make_section(letter, heading="Dropped")
                raise RuntimeError
        except RuntimeError:
            pass
        make_section(letter, heading="Kept")
    assert tracking_cache.token() != before
