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
