from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import make_draft

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


# -- frozen means frozen: a letter past drafting is read-only in the admin too --


def _unchanged(response) -> dict:
    """What the admin page would post back as it stands (fields and inline forms)."""
    import datetime as dt

    forms = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets", []):
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is None or value is False or value == []:
                continue
            if value is True:
                value = "on"
            elif isinstance(value, dt.date):
                value = value.isoformat()
            data[bound.html_name] = value
    return data


@pytest.fixture
def sent():
    from letters.models import LetterStatus

    letter = make_draft(reference="JP-2009-12", subject="As it went out")
    letter.status = LetterStatus.SENT
    letter.save()
    return letter


def change_url(obj) -> str:
    info = obj._meta.app_label, obj._meta.model_name
    return reverse("admin:{}_{}_change".format(*info), args=[obj.pk])


def delete_url(obj) -> str:
    info = obj._meta.app_label, obj._meta.model_name
    return reverse("admin:{}_{}_delete".format(*info), args=[obj.pk])


def test_a_draft_letter_can_still_be_changed_in_the_admin(client, admin_user):
    draft = make_draft(subject="First thoughts")
    client.force_login(admin_user)
    data = _unchanged(client.get(change_url(draft)))
    data["subject"] = "Second thoughts"
    response = client.post(change_url(draft), data)
    assert response.status_code == 302, response.context["errors"]
    draft.refresh_from_db()
    assert draft.subject == "Second thoughts"


def test_a_sent_letter_cannot_be_changed_or_deleted_in_the_admin(client, admin_user, sent):
    client.force_login(admin_user)
    page = client.get(change_url(sent))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert b'name="subject"' not in page.content
    # Its sections, recipients and signatories show, read-only.
    assert b"Diplomacy" in page.content
    assert b'name="sections-0-heading"' not in page.content

    # A complete form, as a draft's page posts it.
    data = _unchanged(client.get(change_url(make_draft()))) | {"subject": "Rewritten"}
    assert client.post(change_url(sent), data).status_code == 403
    assert client.post(delete_url(sent), {"post": "yes"}).status_code == 403
    sent.refresh_from_db()
    assert sent.subject == "As it went out"


@pytest.mark.parametrize("part", ["sections", "recipients", "signatories"])
def test_the_parts_of_a_sent_letter_cannot_be_changed_or_deleted_in_the_admin(
    client, admin_user, sent, part
):
    obj = getattr(sent, part).first()
    client.force_login(admin_user)
    page = client.get(change_url(obj))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.post(change_url(obj), {"heading": "Changed", "order": "9"}).status_code == 403
    assert client.post(delete_url(obj), {"post": "yes"}).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_a_sent_letters_recommendation_keeps_its_text_but_takes_follow_ups(
    client, admin_user, sent
):
    rec = sent.recommendations.first()
    client.force_login(admin_user)
    data = _unchanged(client.get(change_url(rec)))
    assert "text" not in data
    data.update({
        "text": "Rewritten after sending",
        "follow_ups-TOTAL_FORMS": "1",
        "follow_ups-0-date": "2010-02-03",
        "follow_ups-0-kind": "reply",
        "follow_ups-0-response_status": "noted",
        "follow_ups-0-recommendation": str(rec.pk),
    })  # fmt: skip
    response = client.post(change_url(rec), data)
    assert response.status_code == 302, response.context["errors"]
    rec.refresh_from_db()
    assert rec.text != "Rewritten after sending"
    assert rec.follow_ups.get().response_status == "noted"
    assert client.post(delete_url(rec), {"post": "yes"}).status_code == 403


def test_nothing_is_added_to_a_sent_letter_through_the_admin(client, admin_user, sent):
    client.force_login(admin_user)
    data = {"letter": sent.pk, "order": "5", "heading": "An afterthought",
            "recommendations-TOTAL_FORMS": "0", "recommendations-INITIAL_FORMS": "0"}  # fmt: skip
    response = client.post(reverse("admin:letters_section_add"), data)
    assert response.status_code == 200
    assert "JP-2009-12 is sent: its text, recipients and signatories can no longer change." in (
        response.content.decode()
    )
    assert not sent.sections.filter(heading="An afterthought").exists()


def test_a_sent_letter_cannot_be_reverted_to_a_draft_from_its_history(client, admin_user, sent):
    draft_version = sent.history.filter(status="draft").earliest("history_date")
    client.force_login(admin_user)
    url = reverse("admin:letters_letter_simple_history", args=[sent.pk, draft_version.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.post(url, _unchanged(page) | {"status": "draft"}).status_code == 403
    sent.refresh_from_db()
    assert sent.status == "sent"


# -- images uploaded in the admin pass the app's checks --


def _organization(**fields) -> dict:
    return {"name": "Asia Rights Monitor", "paper_size": "a4", **fields}


def test_a_logo_that_is_no_image_is_refused_in_the_admin(client, admin_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from letters.models import Organization

    client.force_login(admin_user)
    logo = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = client.post(reverse("admin:letters_organization_add"), _organization(logo=logo))
    assert response.status_code == 200
    assert "This file is not a PNG or JPEG image." in response.content.decode()
    assert not Organization.objects.exists()


def test_a_logo_with_too_many_pixels_is_refused_in_the_admin(client, admin_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from letters.models import Organization
    from tests.letters.test_uploads import bomb_png

    client.force_login(admin_user)
    logo = SimpleUploadedFile("logo.png", bomb_png(), content_type="image/png")
    response = client.post(reverse("admin:letters_organization_add"), _organization(logo=logo))
    assert response.status_code == 200
    assert "The image is 12000×12000 pixels" in response.content.decode()
    assert not Organization.objects.exists()


def test_a_good_logo_is_taken_in_the_admin(client, admin_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from letters.models import Organization
    from tests.letters.test_uploads import png_bytes

    client.force_login(admin_user)
    logo = SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png")
    response = client.post(reverse("admin:letters_organization_add"), _organization(logo=logo))
    assert response.status_code == 302
    assert Organization.objects.get().logo.name.startswith("logos/logo")
    # Saving it again without a new file does not read the stored one back.
    org = Organization.objects.get()
    org.logo.storage.delete(org.logo.name)
    org.full_clean()


def test_a_signature_that_is_no_image_is_refused_in_the_admin(client, admin_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    signatory = make_draft().signatories.get()
    client.force_login(admin_user)
    data = _unchanged(client.get(change_url(signatory)))
    data["signature"] = SimpleUploadedFile("sig.png", b"GIF89a" + b"\0" * 40)
    response = client.post(change_url(signatory), data)
    assert response.status_code == 200
    assert "This file is not a PNG or JPEG image." in response.content.decode()
    signatory.refresh_from_db()
    assert not signatory.signature
