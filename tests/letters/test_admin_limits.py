"""Every admin inline caps what a POST can make it build, with a form error."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from recipients.admin import CappedInlineFormSet
from tests.factories import make_user

pytestmark = pytest.mark.django_db

HUGE = str(10**20)


@pytest.fixture
def superuser(db):
    return make_user("root", is_staff=True, is_superuser=True)


def inline_formsets(user):
    request = RequestFactory().get("/")
    request.user = user
    for model, model_admin in admin.site._registry.items():
        inlines = model_admin.get_inline_instances(request)
        if inlines:
            formsets = [inline.get_formset(request) for inline in inlines]
            yield model, formsets


def test_every_inline_has_a_small_absolute_max(superuser):
    found = list(inline_formsets(superuser))
    assert len(found) >= 5
    for _, formsets in found:
        for formset in formsets:
            assert formset.absolute_max <= 300, formset.model


def test_a_huge_total_forms_in_any_inline_is_a_form_error(client, superuser):
    client.force_login(superuser)
    for model, formsets in inline_formsets(superuser):
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        for huge in formsets:
            data = {}
            for formset in formsets:
                prefix = formset.get_default_prefix()
                total = HUGE if formset is huge else "0"
                data |= {f"{prefix}-TOTAL_FORMS": total, f"{prefix}-INITIAL_FORMS": "0"}
            response = client.post(url, data)
            assert response.status_code == 200, (model, huge.model)
            assert f"Please submit at most {huge.max_num} forms" in response.content.decode()
            # Only the rows that exist (none) and a few new ones are built and shown again.
            formset = response.context["inline_admin_formsets"][formsets.index(huge)].formset
            assert len(formset.forms) <= CappedInlineFormSet.MAX_NEW


def test_more_new_rows_than_an_inline_takes_at_once_is_a_form_error(client, superuser):
    client.force_login(superuser)
    data = {"title": "Prime Minister", "country": "JP", "terms-INITIAL_FORMS": "0"}
    data["terms-TOTAL_FORMS"] = str(CappedInlineFormSet.MAX_NEW + 1)
    response = client.post(reverse("admin:recipients_position_add"), data)
    assert response.status_code == 200
    assert f"Add at most {CappedInlineFormSet.MAX_NEW} rows at a time." in response.content.decode()
