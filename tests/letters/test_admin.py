from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

MODELS = [
    model for model in admin.site._registry if model._meta.app_label in ("letters", "recipients")
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_admin_pages_load_for_every_model(client, admin_user, demo, model):
    client.force_login(admin_user)
    info = model._meta.app_label, model._meta.model_name
    changelist = client.get(reverse("admin:{}_{}_changelist".format(*info)))
    assert changelist.status_code == 200
    assert client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 200
    obj = model.objects.first()
    assert obj is not None, f"the demo has no {model._meta.verbose_name}"
    assert client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk])).status_code == 200
    history = reverse("admin:{}_{}_history".format(*info), args=[obj.pk])
    assert client.get(history).status_code == 200


def test_admin_search_finds_officials_by_family_name(client, admin_user, demo):
    client.force_login(admin_user)
    response = client.get(reverse("admin:recipients_position_changelist"), {"q": "Hatoyama"})
    assert b"Prime Minister" in response.content
    assert b"Commandant" not in response.content


def test_follow_ups_cannot_be_deleted_in_admin(client, admin_user, demo):
    from letters.models import FollowUp

    client.force_login(admin_user)
    entry = FollowUp.objects.first()
    url = reverse("admin:letters_followup_delete", args=[entry.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert FollowUp.objects.filter(pk=entry.pk).exists()
