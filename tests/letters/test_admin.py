from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from letters import drafting
from letters.models import Letter, LetterStatus
from tests.factories import make_draft, make_user

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
    "recipients.MailingList",
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


# -- edits of a draft in the admin keep its version and content hash right ----------


class _Form(HTMLParser):
    """The fields a browser would post from an admin change page, as they stand."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.setdefault(name, []).append(attrs.get("value") or "on")
            elif kind not in ("submit", "button", "file", "image"):
                self.data[name] = [attrs.get("value") or ""]
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data


def change_page_data(client, url: str, **changes) -> dict:
    form = _Form()
    form.feed(client.get(url).content.decode())
    # Browsers drop the newline Django puts after <textarea>.
    data = {k: [v.removeprefix("\n") for v in values] for k, values in form.data.items()}
    data.update({k: [v] for k, v in changes.items()})
    return data


def approved(letter):
    signatory = letter.signatories.get(role="lead")
    signatory.approved_at = timezone.now()
    signatory.approved_hash = letter.content_hash
    signatory.save()
    return signatory


def assert_moved_on(letter, version: int, signatory) -> None:
    letter.refresh_from_db()
    assert letter.version > version
    assert letter.content_hash == letter.compute_content_hash()
    signatory.refresh_from_db()
    assert not signatory.has_approved(letter.content_hash)


@pytest.fixture
def superuser(db):
    # The Admin role only reads letters; drafts are edited in the Django admin by superusers.
    return make_user("root", is_staff=True, is_superuser=True)


def test_saving_a_draft_in_the_admin_reopens_its_approvals(client, superuser):
    letter = make_draft()
    signatory, version = approved(letter), letter.version
    client.force_login(superuser)
    url = reverse("admin:letters_letter_change", args=[letter.pk])
    response = client.post(url, change_page_data(client, url, subject="Edited in the admin"))
    assert response.status_code == 302, response.content.decode()[:2000]
    letter.refresh_from_db()
    assert letter.subject == "Edited in the admin"
    assert_moved_on(letter, version, signatory)


def test_an_inline_edit_of_a_draft_in_the_admin_reopens_its_approvals(client, superuser):
    letter = make_draft()
    section = letter.sections.get(heading="Refugees")
    signatory, version = approved(letter), letter.version
    client.force_login(superuser)
    url = reverse("admin:letters_section_change", args=[section.pk])
    data = change_page_data(client, url)
    data["recommendations-0-text"] = ["Open the asylum procedure to everyone."]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert letter.recommendations.filter(text__endswith="to everyone.").exists()
    assert_moved_on(letter, version, signatory)


def test_deleting_a_part_of_a_draft_in_the_admin_reopens_its_approvals(client, superuser):
    letter = make_draft()
    rec = letter.recommendations.get(text__startswith="Open the asylum")
    signatory, version = approved(letter), letter.version
    client.force_login(superuser)
    url = reverse("admin:letters_recommendation_delete", args=[rec.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not letter.recommendations.filter(pk=rec.pk).exists()
    assert_moved_on(letter, version, signatory)


def test_renaming_an_organisation_in_the_admin_reopens_the_drafts_it_signs(client, admin_user):
    letter = make_draft()
    signatory, version = approved(letter), letter.version
    client.force_login(admin_user)
    url = reverse("admin:letters_organization_change", args=[signatory.organization_id])
    response = client.post(url, change_page_data(client, url, name="Renamed Org"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert_moved_on(letter, version, signatory)


def test_an_edit_recorded_on_a_frozen_letter_leaves_its_hash_for_sending_to_check():
    letter = make_draft(status=LetterStatus.FINAL)
    version, content_hash = letter.version, letter.content_hash
    Letter.objects.filter(pk=letter.pk).update(subject="Changed after finalising")
    drafting.record_edit(letter=letter)
    letter.refresh_from_db()
    assert (letter.version, letter.content_hash) == (version, content_hash)
    assert letter.content_hash != letter.compute_content_hash()


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


def test_a_draft_letter_can_still_be_changed_in_the_admin(client, superuser):
    draft = make_draft(subject="First thoughts")
    client.force_login(superuser)
    data = _unchanged(client.get(change_url(draft)))
    data["subject"] = "Second thoughts"
    response = client.post(change_url(draft), data)
    assert response.status_code == 302, response.context["errors"]
    draft.refresh_from_db()
    assert draft.subject == "Second thoughts"


def test_a_sent_letter_cannot_be_changed_or_deleted_in_the_admin(client, superuser, sent):
    client.force_login(superuser)
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
    client, superuser, sent, part
):
    obj = getattr(sent, part).first()
    client.force_login(superuser)
    page = client.get(change_url(obj))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.post(change_url(obj), {"heading": "Changed", "order": "9"}).status_code == 403
    assert client.post(delete_url(obj), {"post": "yes"}).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_a_sent_letters_recommendation_keeps_its_text_but_takes_follow_ups(client, superuser, sent):
    rec = sent.recommendations.first()
    client.force_login(superuser)
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


def test_nothing_is_added_to_a_sent_letter_through_the_admin(client, superuser, sent):
    client.force_login(superuser)
    data = {"letter": sent.pk, "order": "5", "heading": "An afterthought",
            "recommendations-TOTAL_FORMS": "0", "recommendations-INITIAL_FORMS": "0"}  # fmt: skip
    response = client.post(reverse("admin:letters_section_add"), data)
    assert response.status_code == 200
    assert "JP-2009-12 is sent: its text, recipients and signatories can no longer change." in (
        response.content.decode()
    )
    assert not sent.sections.filter(heading="An afterthought").exists()


def test_a_sent_letter_cannot_be_reverted_to_a_draft_from_its_history(client, superuser, sent):
    draft_version = sent.history.filter(status="draft").earliest("history_date")
    client.force_login(superuser)
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


def test_a_signature_that_is_no_image_is_refused_in_the_admin(client, superuser):
    from django.core.files.uploadedfile import SimpleUploadedFile

    signatory = make_draft().signatories.get()
    client.force_login(superuser)
    data = _unchanged(client.get(change_url(signatory)))
    data["signature"] = SimpleUploadedFile("sig.png", b"GIF89a" + b"\0" * 40)
    response = client.post(change_url(signatory), data)
    assert response.status_code == 200
    assert "This file is not a PNG or JPEG image." in response.content.decode()
    signatory.refresh_from_db()
    assert not signatory.signature
