"""Every text field has a length limit: in the model, its forms and the database."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, models, transaction
from django.urls import reverse

from letters.models import FollowUp, Section
from recipients.models import MAX_ADDRESS, Position
from tests.factories import make_letter, make_position, make_section, make_tracked_recommendation
from tests.recipients.test_views import ADDRESS

pytestmark = pytest.mark.django_db

TEXT_FIELDS = (models.CharField, models.TextField)


def text_fields():
    for app in ("letters", "recipients"):
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical"):
                continue  # copies written by simple-history, never by a form
            for field in model._meta.get_fields():
                if isinstance(field, TEXT_FIELDS):
                    yield model, field


def test_every_text_field_of_every_model_has_a_length_limit_it_enforces():
    found = list(text_fields())
    assert len(found) > 50
    for model, field in found:
        where = f"{model.__name__}.{field.name}"
        assert field.max_length, f"{where} has no max_length"
        assert any(
            isinstance(v, MaxLengthValidator) and v.limit_value == field.max_length
            for v in field.validators
        ), f"{where} does not validate its max_length"
        # The form field gets it too (Django passes it on as maxlength).
        form_field = field.formfield()
        if form_field is not None and not field.choices:
            assert form_field.max_length == field.max_length, where


def test_every_long_text_field_is_held_by_a_database_constraint():
    for model, field in text_fields():
        if isinstance(field, models.TextField):
            names = [c.name for c in model._meta.constraints]
            assert any(name.endswith(f"_{field.name}_max_length") for name in names), (
                f"{model.__name__}.{field.name} has no length constraint"
            )


def test_a_10000_character_street_address_is_refused_and_kept(client, admin_user):
    client.force_login(admin_user)
    street = "1-6-1 Nagatacho, " * 588 + "Chiyoda-ku"
    assert len(street) == 10_006
    response = client.post(reverse("recipients:position_add"), {**ADDRESS, "address_lines": street})
    assert response.status_code == 200
    errors = response.context["form"].errors["address_lines"]
    assert errors == [f"Ensure this value has at most {MAX_ADDRESS} characters (it has 10006)."]
    assert street in response.content.decode()
    assert not Position.objects.exists()


def test_one_address_line_wider_than_an_envelope_is_refused(client, admin_user):
    client.force_login(admin_user)
    data = {**ADDRESS, "address_lines": "Cabinet Office\n" + "x" * 201}
    response = client.post(reverse("recipients:position_add"), data)
    assert response.status_code == 200
    assert "Line 2 of the address has 201 characters" in str(response.context["form"].errors)
    assert not Position.objects.exists()


def test_the_address_field_tells_the_browser_its_limit(client, admin_user):
    client.force_login(admin_user)
    html = client.get(reverse("recipients:position_add")).content.decode()
    assert f'maxlength="{MAX_ADDRESS}"' in html


def test_the_model_refuses_an_overlong_text_in_full_clean():
    section = Section(letter=make_letter(), heading="Refugees", body="x" * 20_001)
    with pytest.raises(ValidationError) as error:
        section.full_clean()
    assert "body" in error.value.message_dict


def test_the_database_refuses_an_overlong_text_saved_around_validation():
    position = make_position()
    with pytest.raises(IntegrityError), transaction.atomic():
        Position.objects.filter(pk=position.pk).update(address_lines="x" * (MAX_ADDRESS + 1))
    rec = make_tracked_recommendation()
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.create(
            recommendation=rec, date="2026-01-01", kind="reply", note="x" * 5001
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Section.objects.filter(pk=make_section(make_letter()).pk).update(body="x" * 20_001)
