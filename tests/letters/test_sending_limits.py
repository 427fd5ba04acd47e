"""What a POST can make the sending forms build: capped, and answered with a form error."""

from __future__ import annotations

import pytest
from django.urls import reverse

from letters.forms.sending import MAX_QUOTES
from letters.models import LetterStatus, PressRelease
from tests.letters.test_sending import final_letter, send_data

pytestmark = pytest.mark.django_db

HUGE = str(10**20)


@pytest.fixture
def final():
    return final_letter()


def press_release_data(**override):
    data = {
        "headline": "Groups urge rights first",
        "dateline": "TOKYO",
        "date": "2026-01-05",
        "body": "Four groups wrote.",
        "quotes-TOTAL_FORMS": "1",
        "quotes-INITIAL_FORMS": "0",
        "quotes-MIN_NUM_FORMS": "0",
        "quotes-MAX_NUM_FORMS": "1000",
        "quotes-0-text": "Rights first.",
        "quotes-0-speaker_name": "Aiko Morita",
    }
    data.update(override)
    return data


def test_a_press_release_with_a_huge_quote_count_is_a_form_error(client, coordinator, final):
    client.force_login(coordinator)
    url = reverse("letters:sending_press_release_new", args=[final.pk])
    response = client.post(url, press_release_data(**{"quotes-TOTAL_FORMS": HUGE}))
    assert response.status_code == 200
    assert len(response.context["quotes"].forms) == MAX_QUOTES
    assert f"Please submit at most {MAX_QUOTES} forms." in response.content.decode()
    # What was typed is kept.
    assert "Groups urge rights first" in response.content.decode()
    assert not PressRelease.objects.exists()


def test_a_press_release_with_one_quote_too_many_is_a_form_error(client, coordinator, final):
    client.force_login(coordinator)
    url = reverse("letters:sending_press_release_new", args=[final.pk])
    data = press_release_data(**{"quotes-TOTAL_FORMS": str(MAX_QUOTES + 1)})
    for i in range(MAX_QUOTES + 1):
        data[f"quotes-{i}-text"] = f"Quote {i}"
        data[f"quotes-{i}-speaker_name"] = f"Speaker {i}"
    response = client.post(url, data)
    assert response.status_code == 200
    assert f"Please submit at most {MAX_QUOTES} forms." in response.content.decode()
    data["quotes-TOTAL_FORMS"] = str(MAX_QUOTES)
    assert client.post(url, data).status_code == 302
    assert PressRelease.objects.get().quotes.count() == MAX_QUOTES


def test_sending_with_a_huge_form_count_is_a_form_error(client, coordinator, final):
    client.force_login(coordinator)
    url = reverse("letters:sending_send", args=[final.pk])
    response = client.post(url, send_data(final, **{"form-TOTAL_FORMS": HUGE}))
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == final.recipients.count()
    assert "Please submit at most" in response.content.decode()
    final.refresh_from_db()
    assert final.status == LetterStatus.FINAL


@pytest.mark.parametrize(
    "override",
    [
        {"form-TOTAL_FORMS": "3"},
        {"form-INITIAL_FORMS": "0"},
        {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1"},
    ],
)
def test_sending_forms_that_do_not_match_the_recipients_are_a_form_error(
    client, coordinator, final, override
):
    client.force_login(coordinator)
    url = reverse("letters:sending_send", args=[final.pk])
    response = client.post(url, send_data(final, **override))
    assert response.status_code == 200
    assert "recipients changed; reload the page" in response.content.decode()
    final.refresh_from_db()
    assert final.status == LetterStatus.FINAL
