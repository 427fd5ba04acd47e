from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

MODELS = [
    model for model in admin.site._registry if model._meta.app_label in ("letters", "recipients")
]
# What the Admin role keeps (README: the address book and organisations); the
# rest of the letters app it only reads, in the Django admin as in the app.
ADMIN_ADDS = {
    "letters.Organization",
    "recipients.Position",
    "recipients.Official",
    "recipients.Term",
}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_admin_pages_load_for_every_model(client, admin_user, demo, model):
    client.force_login(admin_user)
    info = model._meta.app_label, model._meta.model_name
    changelist = client.get(reverse("admin:{}_{}_changelist".format(*info)))
    assert changelist.status_code == 200
    add = client.get(reverse("admin:{}_{}_add".format(*info)))
    assert add.status_code == (200 if model._meta.label in ADMIN_ADDS else 403)
    obj = model.objects.first()
    assert obj is not None, f"the demo has no {model._meta.verbose_name}"
    assert client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk])).status_code == 200
    history = reverse("admin:{}_{}_history".format(*info), args=[obj.pk])
    assert client.get(history).status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_the_admin_role_changes_only_what_it_keeps(client, admin_user, demo, model):
    client.force_login(admin_user)
    obj = model.objects.first()
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
    page = client.get(url).content.decode()
    # A read-only change page has no save button.
    assert ('name="_save"' in page) == (model._meta.label in ADMIN_ADDS)


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
