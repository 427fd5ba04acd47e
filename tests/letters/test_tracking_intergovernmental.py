"""
Intergovernmental organisations (the EU, the UN, the WTO...) are addressed by
recommendations and followed in the tracker beside states.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from letters import tracking_charts
from letters.forms.drafting import RecommendationForm
from letters.models import Recommendation
from recipients.governments import INTERGOVERNMENTAL
from tests.factories import make_draft, make_letter, make_tracked_recommendation

pytestmark = pytest.mark.django_db


@pytest.fixture
def recs():
    letter = make_letter(reference="EU-2024-1", status="sent")
    return {
        "eu": make_tracked_recommendation(
            letter, government="EU", third_state="CN", text="Raise forced labour.",
            response="noted",
        ),
        "un": make_tracked_recommendation(
            letter, government="UN", text="Renew the mandate.", response="accepted"
        ),
        "jp": make_tracked_recommendation(letter, government="JP", text="Free the detainees."),
        "wto": make_tracked_recommendation(
            letter, government="JP", third_state="QW", text="Raise it at the WTO."
        ),
    }  # fmt: skip


def test_a_recommendation_may_address_the_eu_and_name_the_wto_as_third_state():
    letter = make_draft()
    form = RecommendationForm(
        {"text": "Suspend trade preferences.", "government": "EU", "third_state": "QW",
         "version": str(letter.version)},
        letter=letter,
        theme_choices=[],
    )  # fmt: skip
    assert form.is_valid(), form.errors
    assert str(form.cleaned_data["government"]) == "EU"


def test_the_tracker_filters_by_an_intergovernmental_government(client, drafter, recs):
    client.force_login(drafter)
    response = client.get(reverse("letters:tracking") + "?government=EU")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<option value="EU" selected>European Union</option>' in html
    assert "Raise forced labour." in html
    assert "Renew the mandate." not in html
    assert "Free the detainees." not in html

    third = client.get(reverse("letters:tracking") + "?third_state=QW").content.decode()
    assert "Raise it at the WTO." in third
    assert "Raise forced labour." not in third


def test_the_charts_show_organisations_beside_states(client, drafter, recs):
    chart = tracking_charts.status_breakdown(Recommendation.objects.all(), by="government")
    assert {row.label: row.total for row in chart.rows} == {
        "Japan": 2,
        "European Union": 1,
        "United Nations": 1,
    }
    client.force_login(drafter)
    html = client.get(reverse("letters:tracking_charts")).content.decode()
    assert "European Union" in html and "United Nations" in html


def test_every_organisation_has_a_code_no_country_has():
    from django_countries.data import COUNTRIES

    assert not set(INTERGOVERNMENTAL) & set(COUNTRIES)
