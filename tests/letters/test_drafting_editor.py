"""The letter editor, create, preview and duplicate pages: permissions, versions, queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from letters.models import Letter, LetterStatus, Signatory, SignatoryRole
from tests.factories import (
    make_draft,
    make_letter,
    make_organization,
    make_recipient,
    make_recommendation,
    make_section,
    make_signatory,
)

pytestmark = pytest.mark.django_db


def edit_url(letter: Letter) -> str:
    return reverse("letters:drafting_edit", args=[letter.pk])


def letter_data(letter: Letter, **changes) -> dict:
    data = {
        "subject": letter.subject,
        "reference": letter.reference,
        "date": letter.date.isoformat() if letter.date else "",
        "language": letter.language,
        "lead_organization": letter.lead_organization_id or "",
        "recommendation_style": letter.recommendation_style,
        "opening": letter.opening,
        "closing": letter.closing,
        "version": letter.version,
    }
    data.update(changes)
    return data


@pytest.fixture
def draft(db):
    return make_draft()


# -- who may open what ---------------------------------------------------------


@pytest.mark.parametrize("persona", ["drafter", "coordinator"])
def test_drafters_and_coordinators_open_the_editor(client, request, persona, draft):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(edit_url(draft))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Diplomacy" in html and "Raise human rights in every meeting." in html
    assert f'name="version" value="{draft.version}"' in html


def test_admin_role_reads_but_cannot_edit(client, admin_user, draft):
    client.force_login(admin_user)
    assert client.get(edit_url(draft)).status_code == 403
    response = client.post(edit_url(draft), letter_data(draft, subject="Admin was here"))
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.subject != "Admin was here"
    detail = client.get(draft.get_absolute_url()).content.decode()
    assert edit_url(draft) not in detail
    assert client.get(reverse("letters:drafting_preview", args=[draft.pk])).status_code == 200


def test_outsider_gets_nothing(client, outsider, draft):
    client.force_login(outsider)
    for url in [
        edit_url(draft),
        reverse("letters:drafting_preview", args=[draft.pk]),
        reverse("letters:drafting_duplicate", args=[draft.pk]),
        reverse("letters:drafting_create"),
    ]:
        response = client.get(url)
        assert response.status_code == 403
        assert draft.subject.encode() not in response.content
    assert client.post(edit_url(draft), letter_data(draft, subject="Hijack")).status_code == 403
    draft.refresh_from_db()
    assert draft.subject != "Hijack"


def test_anonymous_visitors_are_sent_to_login(client, draft):
    for url in [edit_url(draft), reverse("letters:drafting_preview", args=[draft.pk])]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_unknown_letter_is_404(client, drafter):
    client.force_login(drafter)
    assert client.get(reverse("letters:drafting_edit", args=[987654])).status_code == 404
    assert client.get(reverse("letters:drafting_preview", args=[987654])).status_code == 404


@pytest.mark.parametrize("status", [LetterStatus.FINAL, LetterStatus.SENT, LetterStatus.PUBLISHED])
def test_nobody_edits_a_letter_past_drafting(client, coordinator, status):
    letter = make_draft(status=status)
    client.force_login(coordinator)
    response = client.get(edit_url(letter))
    assert response.status_code == 403
    assert b"can no longer be edited" in response.content
    response = client.post(edit_url(letter), letter_data(letter, subject="Too late"))
    assert response.status_code == 403
    letter.refresh_from_db()
    assert letter.subject != "Too late"
    section = letter.sections.first()
    url = reverse("letters:drafting_section_edit", args=[letter.pk, section.pk])
    assert client.post(url, {f"section-{section.pk}-heading": "x"}).status_code == 403
    detail = client.get(letter.get_absolute_url()).content.decode()
    assert edit_url(letter) not in detail
    assert reverse("letters:drafting_duplicate", args=[letter.pk]) in detail


def test_a_circulating_letter_can_still_be_edited(client, drafter):
    letter = make_draft(status=LetterStatus.CIRCULATING)
    client.force_login(drafter)
    assert client.get(edit_url(letter)).status_code == 200


def test_the_letter_page_offers_edit_preview_and_duplicate_to_a_drafter(client, drafter, draft):
    client.force_login(drafter)
    html = client.get(draft.get_absolute_url()).content.decode()
    for name in ["edit", "preview", "duplicate"]:
        assert reverse(f"letters:drafting_{name}", args=[draft.pk]) in html
    assert "admin/letters/letter" not in html


def test_new_letter_links_go_to_the_create_page_not_the_admin(client, drafter):
    client.force_login(drafter)
    for url in [reverse("dashboard"), reverse("letters:list")]:
        html = client.get(url).content.decode()
        assert reverse("letters:drafting_create") in html
        assert "admin/letters/letter/add" not in html


# -- create ------------------------------------------------------------------------


def test_drafter_creates_a_letter_and_its_lead_organisation_signs_first(client, drafter):
    org = make_organization(name="Asia Rights Monitor")
    client.force_login(drafter)
    response = client.post(
        reverse("letters:drafting_create"),
        {
            "reference": "JP-2009-12",
            "subject": "Human rights and North Korea",
            "date": "2009-12-10",
            "language": "en",
            "lead_organization": org.pk,
        },
    )
    letter = Letter.objects.get(reference="JP-2009-12")
    assert response.status_code == 302 and response.url == edit_url(letter)
    assert letter.status == LetterStatus.DRAFT
    assert letter.created_by == drafter
    assert letter.content_hash == letter.compute_content_hash()
    lead = Signatory.objects.get(letter=letter)
    assert lead.organization == org and lead.role == SignatoryRole.LEAD


def test_create_refuses_a_taken_reference_and_keeps_what_was_typed(client, drafter):
    make_letter(reference="JP-2009-12")
    client.force_login(drafter)
    response = client.post(
        reverse("letters:drafting_create"),
        {"reference": "JP-2009-12", "subject": "My careful subject", "language": "en"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "already exists" in html
    assert "My careful subject" in html
    assert Letter.objects.count() == 1


def test_create_refuses_empty_and_over_long_fields(client, drafter):
    client.force_login(drafter)
    response = client.post(
        reverse("letters:drafting_create"),
        {"reference": "", "subject": "x" * 301, "language": "en"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in html
    assert "at most 300 characters" in html
    assert not Letter.objects.exists()


def test_admin_role_cannot_create(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("letters:drafting_create")).status_code == 403
    client.post(
        reverse("letters:drafting_create"), {"reference": "A", "subject": "B", "language": "en"}
    )
    assert not Letter.objects.exists()


# -- edit the letter's own fields ------------------------------------------------------------


def test_saving_the_letter_bumps_its_version_and_hash(client, drafter, draft):
    client.force_login(drafter)
    before_version, before_hash = draft.version, draft.content_hash
    response = client.post(
        edit_url(draft), letter_data(draft, opening="We write to you about **refugees**.")
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.opening == "We write to you about **refugees**."
    assert draft.version == before_version + 1
    assert draft.content_hash != before_hash


def test_a_stale_letter_form_is_refused_showing_what_changed_and_keeping_the_text(
    client, drafter, coordinator, draft
):
    loaded = draft.version
    client.force_login(coordinator)
    client.post(edit_url(draft), letter_data(draft, subject="Coordinator's subject"))
    draft.refresh_from_db()
    assert draft.version == loaded + 1

    client.force_login(drafter)
    response = client.post(
        edit_url(draft),
        letter_data(draft, subject="Drafter's subject", opening="My long opening", version=loaded),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "this letter changed since you opened it" in html
    assert f"you had version {loaded}" in html
    assert "by chris" in html  # who saved first
    assert "Coordinator&#x27;s subject" in html  # saved now
    assert "Drafter&#x27;s subject" in html  # theirs, kept
    assert "My long opening" in html
    assert f'name="version" value="{draft.version}"' in html
    draft.refresh_from_db()
    assert draft.subject == "Coordinator's subject"

    # Saving again, having seen the difference, is allowed.
    response = client.post(
        edit_url(draft), letter_data(draft, subject="Drafter's subject", version=draft.version)
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.subject == "Drafter's subject"


def test_a_form_without_its_version_is_refused(client, drafter, draft):
    client.force_login(drafter)
    data = letter_data(draft, subject="No version")
    del data["version"]
    response = client.post(edit_url(draft), data)
    assert response.status_code == 200
    assert b"lost track of the letter" in response.content
    draft.refresh_from_db()
    assert draft.subject != "No version"


def test_changing_the_reference_renames_the_recommendations(client, drafter, draft):
    client.force_login(drafter)
    client.post(edit_url(draft), letter_data(draft, reference="JP-2010-01"))
    refs = sorted(draft.recommendations.values_list("reference", flat=True))
    assert refs == ["JP-2010-01-R01", "JP-2010-01-R02", "JP-2010-01-R03"]


def test_changing_the_lead_organisation_makes_it_the_lead_signatory(client, drafter, draft):
    old_lead = draft.signatories.get()
    new = make_organization(name="Refugee Support Network")
    client.force_login(drafter)
    client.post(edit_url(draft), letter_data(draft, lead_organization=new.pk))
    roles = dict(draft.signatories.values_list("organization_id", "role"))
    assert roles == {new.pk: SignatoryRole.LEAD, old_lead.organization_id: SignatoryRole.COSIGNER}


def test_markdown_preview_is_sanitised(client, drafter):
    client.force_login(drafter)
    url = reverse("letters:drafting_markdown_preview") + "?field=opening"
    response = client.post(
        url,
        {"opening": "**bold** [x](javascript:alert(1)) <script>alert(2)</script>"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "<strong>bold</strong>" in html
    assert "javascript:" not in html and "<script" not in html


def test_markdown_preview_needs_a_drafting_role(client, outsider, admin_user):
    url = reverse("letters:drafting_markdown_preview") + "?field=opening"
    for user in [outsider, admin_user]:
        client.force_login(user)
        assert client.post(url, {"opening": "hi"}).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 405


# -- preview -----------------------------------------------------------------------------------


def test_preview_reads_like_the_letter(client, admin_user, draft):
    client.force_login(admin_user)
    html = client.get(reverse("letters:drafting_preview", args=[draft.pk])).content.decode()
    assert "Re: " + draft.subject in html
    assert "Dear Prime Minister Hatoyama," in html
    assert "H.E. Yukio Hatoyama" in html
    assert "Diplomacy" in html and "Refugees" in html
    assert '<ol class="letter-recommendations" start="3">' in html  # numbering runs on
    assert "cc:" in html and "Minister for Foreign Affairs" in html
    assert "(signer to be confirmed)" in html
    assert reverse("letters:drafting_edit", args=[draft.pk]) not in html  # admin cannot edit


# -- duplicate ------------------------------------------------------------------------------------


def test_duplicate_makes_a_draft_whose_recommendations_repeat_the_originals(client, drafter):
    sent = make_draft(status=LetterStatus.SENT, reference="JP-2009-12")
    client.force_login(drafter)
    response = client.post(
        reverse("letters:drafting_duplicate", args=[sent.pk]),
        {"reference": "JP-2010-03", "subject": "Follow-up: human rights"},
    )
    copy = Letter.objects.get(reference="JP-2010-03")
    assert response.status_code == 302 and response.url == edit_url(copy)
    assert copy.status == LetterStatus.DRAFT and copy.subject == "Follow-up: human rights"
    originals = {r.text: r for r in sent.recommendations.all()}
    for rec in copy.recommendations.all():
        assert rec.repeats == originals[rec.text]
    assert copy.recipients.count() == 2 and copy.signatories.count() == 1


def test_duplicate_refuses_a_taken_reference(client, drafter, draft):
    client.force_login(drafter)
    response = client.post(
        reverse("letters:drafting_duplicate", args=[draft.pk]),
        {"reference": draft.reference, "subject": "Copy"},
    )
    assert response.status_code == 200
    assert b"already exists" in response.content
    assert Letter.objects.count() == 1


def test_admin_role_and_outsider_cannot_duplicate(client, admin_user, outsider, draft):
    for user in [admin_user, outsider]:
        client.force_login(user)
        response = client.post(
            reverse("letters:drafting_duplicate", args=[draft.pk]),
            {"reference": "X-1", "subject": "Copy"},
        )
        assert response.status_code == 403
    assert Letter.objects.count() == 1


# -- queries --------------------------------------------------------------------------------------


def _grow(letter: Letter, sections: int) -> None:
    for _ in range(sections):
        section = make_section(letter)
        for _ in range(3):
            make_recommendation(section)
    for _ in range(sections):
        make_recipient(letter, role="cc")
        make_signatory(letter)


def test_editor_query_count_does_not_grow_with_the_letter(
    client, drafter, draft, django_assert_max_num_queries
):
    client.force_login(drafter)
    _grow(draft, 2)
    with django_assert_max_num_queries(40) as small:
        assert client.get(edit_url(draft)).status_code == 200
    _grow(draft, 20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(edit_url(draft)).status_code == 200


def test_preview_query_count_does_not_grow_with_the_letter(
    client, drafter, draft, django_assert_max_num_queries
):
    client.force_login(drafter)
    url = reverse("letters:drafting_preview", args=[draft.pk])
    _grow(draft, 2)
    with django_assert_max_num_queries(30) as small:
        client.get(url)
    _grow(draft, 20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_the_demo_letters_open_in_the_drafting_pages(client, drafter, demo):
    client.force_login(drafter)
    follow_up = Letter.objects.get(reference="JP-2010-06")
    assert follow_up.is_editable
    html = client.get(edit_url(follow_up)).content.decode()
    assert follow_up.subject in html.replace("&#x27;", "'")
    preview = client.get(reverse("letters:drafting_preview", args=[demo.pk])).content.decode()
    assert "Dear Prime Minister Hatoyama," in preview
    assert preview.count('class="letter-signature"') == 4
    assert client.get(edit_url(demo)).status_code == 403  # sent: read only


def test_duplicate_can_carry_over_only_some_recommendations(client, drafter):
    sent = make_draft(status=LetterStatus.SENT)
    keep = sent.recommendations.get(text="Open the asylum procedure.")
    client.force_login(drafter)
    form = client.get(reverse("letters:drafting_duplicate", args=[sent.pk])).content.decode()
    assert form.count('type="checkbox"') == 3 and form.count("checked") == 3
    client.post(
        reverse("letters:drafting_duplicate", args=[sent.pk]),
        {"reference": "FOLLOW-1", "subject": "Follow-up", "recommendations": [keep.pk]},
    )
    copy = Letter.objects.get(reference="FOLLOW-1")
    assert [r.repeats for r in copy.recommendations.all()] == [keep]
    assert list(copy.sections.values_list("heading", flat=True)) == ["Refugees"]


def test_duplicate_refuses_recommendations_of_another_letter(client, drafter, draft):
    foreign = make_recommendation()
    client.force_login(drafter)
    response = client.post(
        reverse("letters:drafting_duplicate", args=[draft.pk]),
        {"reference": "X-2", "subject": "Copy", "recommendations": [foreign.pk]},
    )
    assert response.status_code == 200 and b"Select a valid choice" in response.content
    assert not Letter.objects.filter(reference="X-2").exists()


# -- references that would break URLs, and two saves racing for one reference ---------------


@pytest.mark.parametrize("reference", ["ACC/2009/12", "..", ".hidden", "JP 2009", "_x"])
def test_a_reference_that_cannot_go_into_a_url_is_refused(client, drafter, reference):
    client.force_login(drafter)
    response = client.post(
        reverse("letters:drafting_create"),
        {"reference": reference, "subject": "Kept as typed", "language": "en"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Use letters, digits" in html and "Kept as typed" in html
    assert not Letter.objects.exists()


def test_published_pages_work_for_every_reference_the_form_takes(client, drafter):
    client.force_login(drafter)
    for reference in ["JP-2009-12", "ACC.2009_12", "日本-2009"]:
        client.post(
            reverse("letters:drafting_create"),
            {"reference": reference, "subject": "A letter", "language": "en"},
        )
    Letter.objects.update(status=LetterStatus.PUBLISHED)
    assert Letter.objects.count() == 3
    assert client.get(reverse("public:index")).status_code == 200
    assert client.get(reverse("public:feed")).status_code == 200


def test_a_reference_taken_while_the_new_letter_was_sent_is_a_form_error(
    client, drafter, monkeypatch
):
    # The race of two simultaneous saves, made deterministic: another request
    # takes the reference after this form checked it and before the insert.
    from letters.forms.drafting import LetterCreateForm

    save = LetterCreateForm.save

    def racing_save(self, commit=True):
        make_letter(reference=self.cleaned_data["reference"])
        return save(self, commit=commit)

    monkeypatch.setattr(LetterCreateForm, "save", racing_save)
    client.force_login(drafter)
    response = client.post(
        reverse("letters:drafting_create"),
        {"reference": "JP-2010-01", "subject": "Kept as typed", "language": "en"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "was taken a moment ago" in html and "Kept as typed" in html
    assert Letter.objects.count() == 1


def test_a_reference_taken_while_the_copy_was_sent_is_a_form_error(
    client, drafter, draft, monkeypatch
):
    from letters.forms.drafting import DuplicateForm

    chosen = DuplicateForm.chosen_recommendations

    def racing(self):
        make_letter(reference=self.cleaned_data["reference"])
        return chosen(self)

    monkeypatch.setattr(DuplicateForm, "chosen_recommendations", racing)
    client.force_login(drafter)
    response = client.post(
        reverse("letters:drafting_duplicate", args=[draft.pk]),
        {"reference": "JP-2010-02", "subject": "Copy"},
    )
    assert response.status_code == 200
    assert "was taken a moment ago" in response.content.decode()
    assert Letter.objects.filter(reference="JP-2010-02").count() == 1
    assert Letter.objects.count() == 2
