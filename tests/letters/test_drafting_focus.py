"""The editor names the item an inline change added or changed, for focus.js to focus."""

from __future__ import annotations

import pytest
from django.urls import reverse

from letters.models import Recommendation
from tests.factories import make_draft, make_position

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, *args) -> str:
    return reverse(f"letters:drafting_{name}", args=args)


def rec_data(prefix: str, version: int, text: str) -> dict:
    data = {
        "text": text,
        "government": "JP",
        "third_state": "",
        "new_themes": "",
        "repeats_reference": "",
        "version": version,
    }
    return {f"{prefix}-{key}": value for key, value in data.items()}


def test_an_added_recommendation_is_named_in_the_response(client, drafter):
    draft = make_draft()
    section = draft.sections.get(heading="Refugees")
    client.force_login(drafter)
    response = client.post(
        url("recommendation_add", draft.pk, section.pk),
        rec_data(f"rec-new-{section.pk}", draft.version, "Grant humanitarian visas."),
        **HX,
    )
    rec = Recommendation.objects.get(text="Grant humanitarian visas.")
    assert response["X-Focus"] == f"rec-{rec.pk}"
    assert f'id="rec-{rec.pk}"' in response.content.decode()


def test_an_added_recipient_is_named_in_the_response(client, drafter):
    draft = make_draft()
    position = make_position(title="Commandant", institution="Japan Coast Guard")
    client.force_login(drafter)
    response = client.post(
        url("recipient_add", draft.pk),
        {"position": position.pk, "role": "cc", "version": draft.version},
        **HX,
    )
    recipient = draft.recipients.get(position=position)
    assert response["X-Focus"] == f"recipient-{recipient.pk}"
    assert f'id="recipient-{recipient.pk}"' in response.content.decode()


def test_a_removal_names_no_item(client, drafter):
    draft = make_draft()
    cc = draft.recipients.get(role="cc")
    client.force_login(drafter)
    response = client.post(
        url("recipient_remove", draft.pk, cc.pk), {"version": draft.version}, **HX
    )
    assert response.status_code == 200 and "X-Focus" not in response


def test_without_javascript_an_added_recipient_is_the_page_anchor(client, drafter):
    draft = make_draft()
    position = make_position(title="Commandant", institution="Japan Coast Guard")
    client.force_login(drafter)
    response = client.post(
        url("recipient_add", draft.pk),
        {"position": position.pk, "role": "cc", "version": draft.version},
    )
    recipient = draft.recipients.get(position=position)
    assert response.url.endswith(f"#recipient-{recipient.pk}")
