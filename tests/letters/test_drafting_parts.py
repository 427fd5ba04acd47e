"""Inline editing of sections, recommendations, recipients and signatories."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from letters.models import LetterRecipient, Recommendation, Section, Signatory, SignatoryRole, Theme
from tests.factories import (
    make_draft,
    make_follow_up,
    make_letter,
    make_organization,
    make_position,
    make_recommendation,
    make_section,
    make_signatory,
    make_theme,
)

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def draft(db):
    return make_draft()


def url(name: str, *args) -> str:
    return reverse(f"letters:drafting_{name}", args=args)


def headings(letter) -> list[str]:
    return list(letter.sections.order_by("order", "pk").values_list("heading", flat=True))


def assert_synced(response, letter) -> None:
    """A successful inline change tells the page the letter's new version, and uses it."""
    letter.refresh_from_db()
    assert response["X-Letter-Version"] == str(letter.version)
    assert f'name="version" value="{letter.version}"' in response.content.decode()


def texts(section) -> list[str]:
    return list(section.recommendations.order_by("order", "pk").values_list("text", flat=True))


# -- sections ---------------------------------------------------------------------------


def test_adding_a_section_with_htmx_returns_the_sections_block(client, drafter, draft):
    client.force_login(drafter)
    version = draft.version
    response = client.post(
        url("section_add", draft.pk),
        {
            "section-new-heading": "Food aid",
            "section-new-body": "Aid *must* reach people.",
            "section-new-version": version,
        },
        **HX,
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#sections"
    html = response.content.decode()
    assert 'id="sections"' in html and "Food aid" in html and "<em>must</em>" in html
    assert "<html" not in html  # a fragment, not a page
    draft.refresh_from_db()
    assert response["X-Letter-Version"] == str(draft.version) == str(version + 1)
    assert headings(draft) == ["Diplomacy", "Refugees", "Food aid"]


def test_adding_a_section_without_javascript_redirects_to_the_editor(client, drafter, draft):
    client.force_login(drafter)
    response = client.post(
        url("section_add", draft.pk),
        {"section-new-heading": "Food aid", "section-new-version": draft.version},
    )
    section = Section.objects.get(heading="Food aid")
    assert response.status_code == 302
    assert response.url == url("edit", draft.pk) + f"#section-{section.pk}"


def test_an_invalid_section_is_refused_on_the_form_and_keeps_the_text(client, drafter, draft):
    client.force_login(drafter)
    empty = {"section-new-heading": " ", "section-new-version": draft.version}
    response = client.post(url("section_add", draft.pk), empty, **HX)
    assert "A section needs a heading or some text." in response.content.decode()
    data = {
        "section-new-heading": "x" * 301,
        "section-new-body": "Kept body",
        "section-new-version": draft.version,
    }
    response = client.post(url("section_add", draft.pk), data, **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "at most 300 characters" in html and "Kept body" in html
    assert "HX-Retarget" not in response
    response = client.post(url("section_add", draft.pk), data)  # no JavaScript: a full page
    assert response.status_code == 200 and b"<html" in response.content
    assert b"Kept body" in response.content
    assert len(headings(draft)) == 2


def test_a_section_heading_over_300_characters_is_refused(client, drafter, draft):
    client.force_login(drafter)
    response = client.post(
        url("section_add", draft.pk),
        {"section-new-heading": "x" * 301, "section-new-version": draft.version},
        **HX,
    )
    assert b"at most 300 characters" in response.content
    assert len(headings(draft)) == 2


def test_editing_a_section_inline(client, drafter, draft):
    section = draft.sections.get(heading="Diplomacy")
    client.force_login(drafter)
    form = client.get(url("section_edit", draft.pk, section.pk), **HX)
    assert form.status_code == 200
    assert f'id="section-{section.pk}"' in form.content.decode()
    assert b"<html" not in form.content
    prefix = f"section-{section.pk}"
    response = client.post(
        url("section_edit", draft.pk, section.pk),
        {
            f"{prefix}-heading": "Diplomacy on human rights",
            f"{prefix}-lead_in": "We urge the Government of Japan to:",
            f"{prefix}-version": draft.version,
        },
        **HX,
    )
    assert response.status_code == 200
    assert_synced(response, draft)
    section.refresh_from_db()
    assert section.heading == "Diplomacy on human rights"
    assert section.lead_in == "We urge the Government of Japan to:"


def test_a_stale_section_edit_is_refused_and_keeps_the_text(client, drafter, draft):
    section = draft.sections.get(heading="Diplomacy")
    loaded = draft.version
    section.heading = "Diplomacy, as a colleague wrote it"
    section.save()
    draft.touch()
    client.force_login(drafter)
    prefix = f"section-{section.pk}"
    response = client.post(
        url("section_edit", draft.pk, section.pk),
        {
            f"{prefix}-heading": "My heading",
            f"{prefix}-body": "My body",
            f"{prefix}-version": loaded,
        },
        **HX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and "changed since you opened it" in html
    assert (
        "Diplomacy, as a colleague wrote it" in html and "My heading" in html and "My body" in html
    )
    assert "X-Letter-Version" not in response
    section.refresh_from_db()
    assert section.heading == "Diplomacy, as a colleague wrote it"


def test_moving_sections_up_and_down(client, drafter, draft):
    client.force_login(drafter)
    refugees = draft.sections.get(heading="Refugees")
    response = client.post(
        url("section_move", draft.pk, refugees.pk),
        {"direction": "up", "version": draft.version},
        **HX,
    )
    assert response.status_code == 200 and response["HX-Retarget"] == "#sections"
    assert headings(draft) == ["Refugees", "Diplomacy"]
    draft.refresh_from_db()
    response = client.post(
        url("section_move", draft.pk, refugees.pk),
        {"direction": "up", "version": draft.version},
        **HX,
    )
    assert b"already first" in response.content
    assert headings(draft) == ["Refugees", "Diplomacy"]
    response = client.post(
        url("section_move", draft.pk, refugees.pk), {"direction": "down", "version": draft.version}
    )
    assert response.status_code == 302
    assert headings(draft) == ["Diplomacy", "Refugees"]


def test_moving_renumbers_duplicate_orders_first(client, drafter):
    letter = make_letter()
    a, b, c = (make_section(letter, heading=h, order=0) for h in "ABC")
    client.force_login(drafter)
    client.post(
        url("section_move", letter.pk, c.pk), {"direction": "up", "version": letter.version}
    )
    assert headings(letter) == ["A", "C", "B"]


def test_moves_with_stale_versions_or_foreign_ids_change_nothing(client, drafter, draft):
    client.force_login(drafter)
    refugees = draft.sections.get(heading="Refugees")
    response = client.post(
        url("section_move", draft.pk, refugees.pk),
        {"direction": "up", "version": draft.version - 1},
        **HX,
    )
    assert (
        response.status_code == 200 and b"someone else saved this letter first" in response.content
    )
    assert "X-Letter-Version" not in response
    other = make_section(make_letter(), heading="Elsewhere")
    response = client.post(
        url("section_move", draft.pk, other.pk), {"direction": "up", "version": draft.version}
    )
    assert response.status_code == 404
    response = client.post(
        url("section_move", draft.pk, refugees.pk),
        {"direction": "sideways", "version": draft.version},
    )
    assert response.status_code == 404
    assert (
        client.post(url("section_move", draft.pk, 999999), {"direction": "up"}).status_code == 404
    )
    assert client.get(url("section_move", draft.pk, refugees.pk)).status_code == 405
    assert headings(draft) == ["Diplomacy", "Refugees"]


def test_deleting_a_section_takes_its_recommendations(client, drafter, draft):
    client.force_login(drafter)
    refugees = draft.sections.get(heading="Refugees")
    response = client.post(
        url("section_delete", draft.pk, refugees.pk), {"version": draft.version}, **HX
    )
    assert response.status_code == 200
    assert headings(draft) == ["Diplomacy"]
    assert draft.recommendations.count() == 2


def test_a_section_whose_recommendation_has_follow_ups_is_not_deleted(client, drafter, draft):
    refugees = draft.sections.get(heading="Refugees")
    make_follow_up(refugees.recommendations.get())
    client.force_login(drafter)
    response = client.post(
        url("section_delete", draft.pk, refugees.pk), {"version": draft.version}, **HX
    )
    assert response.status_code == 200 and b"cannot be deleted" in response.content
    assert headings(draft) == ["Diplomacy", "Refugees"]


def test_colleague_with_admin_role_and_outsider_cannot_touch_sections(
    client, admin_user, outsider, draft
):
    section = draft.sections.first()
    for user, status in [(admin_user, 403), (outsider, 403)]:
        client.force_login(user)
        assert (
            client.post(
                url("section_add", draft.pk), {"section-new-heading": "X"}, **HX
            ).status_code
            == status
        )
        assert (
            client.post(
                url("section_delete", draft.pk, section.pk), {"version": draft.version}
            ).status_code
            == status
        )
        assert client.get(url("section_edit", draft.pk, section.pk), **HX).status_code == status
    assert headings(draft) == ["Diplomacy", "Refugees"]


def test_a_section_of_another_letter_is_404(client, drafter, draft):
    other = make_section(make_letter())
    client.force_login(drafter)
    assert client.get(url("section_edit", draft.pk, other.pk)).status_code == 404
    assert (
        client.post(
            url("section_delete", draft.pk, other.pk), {"version": draft.version}
        ).status_code
        == 404
    )
    assert Section.objects.filter(pk=other.pk).exists()


# -- recommendations ------------------------------------------------------------------------


def rec_data(prefix: str, version: int, **changes) -> dict:
    data = {
        "text": "Stop forced returns.",
        "government": "JP",
        "third_state": "",
        "new_themes": "",
        "repeats_reference": "",
        "version": version,
    }
    data.update(changes)
    return {f"{prefix}-{key}": value for key, value in data.items()}


def test_adding_a_recommendation_with_themes_and_a_repeat(client, drafter, draft):
    earlier = make_recommendation(make_section(make_letter(reference="JP-2008-01")))
    refugees_theme = make_theme(name="Refugees")
    section = draft.sections.get(heading="Refugees")
    client.force_login(drafter)
    prefix = f"rec-new-{section.pk}"
    response = client.post(
        url("recommendation_add", draft.pk, section.pk),
        rec_data(
            prefix,
            draft.version,
            text="Press China to end refoulement.",
            third_state="CN",
            themes=[refugees_theme.pk],
            new_themes="China, Refoulement ,  ",
            repeats_reference="jp-2008-01-r01",
        ),
        **HX,
    )
    assert response.status_code == 200 and response["HX-Retarget"] == "#sections"
    assert_synced(response, draft)
    rec = Recommendation.objects.get(text="Press China to end refoulement.")
    assert rec.section == section and rec.letter == draft
    assert rec.third_state.code == "CN" and rec.government.code == "JP"
    assert sorted(t.name for t in rec.themes.all()) == ["China", "Refoulement", "Refugees"]
    assert rec.repeats == earlier
    assert rec.reference == f"{draft.reference}-R04"
    html = response.content.decode()
    assert "Repeats JP-2008-01-R01" in html and "about China" in html


def test_new_themes_reuse_an_existing_one_whatever_its_case(client, drafter, draft):
    make_theme(name="Food aid", slug="food-aid")
    section = draft.sections.first()
    client.force_login(drafter)
    client.post(
        url("recommendation_add", draft.pk, section.pk),
        rec_data(f"rec-new-{section.pk}", draft.version, new_themes="food AID"),
        **HX,
    )
    assert Theme.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"text": ""}, "This field is required."),
        ({"text": "x" * 4001}, "at most 4000 characters"),
        ({"government": ""}, "This field is required."),
        ({"government": "XX"}, "Select a valid choice"),
        ({"third_state": "JP"}, "must differ from the government"),
        ({"repeats_reference": "NOPE-R01"}, "No recommendation of another letter"),
        ({"new_themes": "!!!"}, "at least one letter or digit"),
        ({"themes": ["999999"]}, "Select a valid choice"),
    ],
)
def test_bad_recommendation_input_gets_a_clear_message(client, drafter, draft, changes, message):
    make_theme(name="Refugees")
    section = draft.sections.first()
    client.force_login(drafter)
    prefix = f"rec-new-{section.pk}"
    changes.setdefault("text", changes.get("text", "Keep this text"))
    response = client.post(
        url("recommendation_add", draft.pk, section.pk),
        rec_data(prefix, draft.version, **changes),
        **HX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    if changes["text"] == "Keep this text":
        assert "Keep this text" in html
    assert draft.recommendations.count() == 3


def test_a_recommendation_cannot_repeat_one_of_its_own_letter(client, drafter, draft):
    section = draft.sections.first()
    own = section.recommendations.first()
    client.force_login(drafter)
    response = client.post(
        url("recommendation_add", draft.pk, section.pk),
        rec_data(f"rec-new-{section.pk}", draft.version, repeats_reference=own.reference),
        **HX,
    )
    assert b"No recommendation of another letter" in response.content


def test_editing_a_recommendation_and_a_stale_edit(client, drafter, draft):
    rec = draft.recommendations.get(text="Open the asylum procedure.")
    client.force_login(drafter)
    form = client.get(url("recommendation_edit", draft.pk, rec.pk), **HX).content.decode()
    assert f'id="rec-{rec.pk}"' in form and "Open the asylum procedure." in form
    prefix = f"rec-{rec.pk}"
    loaded = draft.version
    client.post(
        url("recommendation_edit", draft.pk, rec.pk),
        rec_data(prefix, loaded, text="Open a fair asylum procedure."),
        **HX,
    )
    rec.refresh_from_db()
    assert rec.text == "Open a fair asylum procedure."
    response = client.post(
        url("recommendation_edit", draft.pk, rec.pk),
        rec_data(prefix, loaded, text="My stale text"),
        **HX,
    )
    html = response.content.decode()
    assert "changed since you opened it" in html and "My stale text" in html
    assert "Open a fair asylum procedure." in html
    rec.refresh_from_db()
    assert rec.text == "Open a fair asylum procedure."


def test_moving_a_recommendation_within_its_section(client, drafter, draft):
    section = draft.sections.get(heading="Diplomacy")
    second = section.recommendations.get(text="Press China to stop forced returns.")
    client.force_login(drafter)
    response = client.post(
        url("recommendation_move", draft.pk, second.pk),
        {"direction": "up", "version": draft.version},
        **HX,
    )
    assert response.status_code == 200
    assert texts(section) == [
        "Press China to stop forced returns.",
        "Raise human rights in every meeting.",
    ]
    html = response.content.decode()
    assert html.index("Press China") < html.index("Raise human rights")
    draft.refresh_from_db()
    response = client.post(
        url("recommendation_move", draft.pk, second.pk),
        {"direction": "up", "version": draft.version},
        **HX,
    )
    assert b"already first in its section" in response.content


def test_a_recommendation_of_another_letter_is_404(client, drafter, draft):
    foreign = make_recommendation()
    client.force_login(drafter)
    for name in ["recommendation_move", "recommendation_delete"]:
        response = client.post(
            url(name, draft.pk, foreign.pk), {"direction": "up", "version": draft.version}
        )
        assert response.status_code == 404
    assert client.get(url("recommendation_edit", draft.pk, foreign.pk)).status_code == 404
    assert Recommendation.objects.filter(pk=foreign.pk).exists()


def test_deleting_a_recommendation_and_refusing_one_that_is_repeated(client, drafter, draft):
    first, second, third = draft.recommendations.order_by("number")
    make_recommendation(repeats=second)
    client.force_login(drafter)
    response = client.post(
        url("recommendation_delete", draft.pk, first.pk), {"version": draft.version}, **HX
    )
    assert response.status_code == 200
    assert not Recommendation.objects.filter(pk=first.pk).exists()
    draft.refresh_from_db()
    response = client.post(
        url("recommendation_delete", draft.pk, second.pk), {"version": draft.version}, **HX
    )
    assert b"cannot be deleted" in response.content
    assert Recommendation.objects.filter(pk=second.pk).exists()


def test_a_deleted_recommendations_number_is_never_given_again(client, drafter, draft):
    last = draft.recommendations.order_by("number").last()
    assert last.reference == f"{draft.reference}-R03"
    client.force_login(drafter)
    client.post(url("recommendation_delete", draft.pk, last.pk), {"version": draft.version}, **HX)
    assert not Recommendation.objects.filter(pk=last.pk).exists()
    draft.refresh_from_db()
    section = draft.sections.get(heading="Refugees")
    prefix = f"rec-new-{section.pk}"
    data = rec_data(prefix, draft.version, text="A new ask after the deletion.")
    client.post(url("recommendation_add", draft.pk, section.pk), data, **HX)
    # R03 may be cited already (in a reply, a press release): the new ask is R04.
    added = Recommendation.objects.get(text="A new ask after the deletion.")
    assert added.reference == f"{draft.reference}-R04"


def test_every_edit_changes_the_content_hash_so_approvals_reopen(client, drafter, draft):
    signatory = draft.signatories.get()
    signatory.approved_at = timezone.now()
    signatory.approved_hash = draft.content_hash
    signatory.save()
    assert signatory.has_approved(draft.content_hash)
    rec = draft.recommendations.first()
    client.force_login(drafter)
    client.post(
        url("recommendation_edit", draft.pk, rec.pk),
        rec_data(f"rec-{rec.pk}", draft.version, text="Changed after approval"),
        **HX,
    )
    draft.refresh_from_db()
    assert not signatory.has_approved(draft.content_hash)


def test_a_section_edit_goes_through_drafting_and_reopens_approvals(client, drafter, draft):
    signatory = draft.signatories.get()
    signatory.approved_at = timezone.now()
    signatory.approved_hash = draft.content_hash
    signatory.save()
    section = draft.sections.get(heading="Diplomacy")
    prefix = f"section-{section.pk}"
    client.force_login(drafter)
    client.post(
        url("section_edit", draft.pk, section.pk),
        {f"{prefix}-heading": "Diplomacy first", f"{prefix}-version": draft.version},
        **HX,
    )
    draft.refresh_from_db()
    assert draft.content_hash == draft.compute_content_hash()
    assert not signatory.has_approved(draft.content_hash)


# -- recipients ----------------------------------------------------------------------------


def test_searching_the_address_book_shows_holder_and_greeting(client, drafter, draft):
    client.force_login(drafter)
    response = client.get(url("recipient_search", draft.pk) + "?q=hatoyama", **HX)
    html = response.content.decode()
    assert "Prime Minister" in html and "H.E. Yukio Hatoyama" in html
    assert "Dear Prime Minister Hatoyama," in html
    assert "Already a recipient" in html
    make_position(title="Commandant", institution="Japan Coast Guard")
    html = client.get(url("recipient_search", draft.pk) + "?q=coast+guard", **HX).content.decode()
    assert "Commandant" in html and "Vacant" in html and "Add as Cc" in html
    html = client.get(url("recipient_search", draft.pk) + "?q=zzzz", **HX).content.decode()
    assert "No office matches" in html
    response = client.get(url("recipient_search", draft.pk) + "?q=coast")
    assert response.status_code == 302 and "q=coast" in response.url  # no JavaScript


def test_the_editor_page_searches_without_javascript(client, drafter, draft):
    make_position(title="Commandant", institution="Japan Coast Guard")
    client.force_login(drafter)
    html = client.get(url("edit", draft.pk) + "?q=commandant").content.decode()
    assert "Add as Cc" in html and "Japan Coast Guard" in html


def test_adding_recipients_as_to_and_cc_in_order(client, drafter, draft):
    a = make_position(title="Director-General", institution="Immigration Bureau")
    b = make_position(title="Commandant", institution="Japan Coast Guard")
    client.force_login(drafter)
    for position in [a, b]:
        draft.refresh_from_db()
        response = client.post(
            url("recipient_add", draft.pk),
            {"position": position.pk, "role": "cc", "version": draft.version},
            **HX,
        )
        assert response.status_code == 200 and response["HX-Retarget"] == "#recipients"
        assert_synced(response, draft)
    ccs = [r.position for r in draft.recipients.filter(role="cc").order_by("order")]
    assert [p.title for p in ccs] == [
        "Minister for Foreign Affairs",
        "Director-General",
        "Commandant",
    ]
    draft.refresh_from_db()
    commandant = draft.recipients.get(position=b)
    client.post(
        url("recipient_move", draft.pk, commandant.pk),
        {"direction": "up", "version": draft.version},
        **HX,
    )
    ccs = [r.position.title for r in draft.recipients.filter(role="cc").order_by("order")]
    assert ccs == ["Minister for Foreign Affairs", "Commandant", "Director-General"]


@pytest.mark.parametrize("bad", ["999999", "abc", ""])
def test_unknown_positions_are_refused_with_a_message(client, drafter, draft, bad):
    client.force_login(drafter)
    response = client.post(
        url("recipient_add", draft.pk),
        {"position": bad, "role": "to", "version": draft.version},
        **HX,
    )
    assert response.status_code == 200
    assert b"not in the address book" in response.content or b"Choose an office" in response.content
    assert draft.recipients.count() == 2


def test_archived_or_duplicate_positions_are_refused(client, drafter, draft):
    archived = make_position(archived_at=timezone.now())
    client.force_login(drafter)
    response = client.post(
        url("recipient_add", draft.pk),
        {"position": archived.pk, "role": "cc", "version": draft.version},
        **HX,
    )
    assert b"not in the address book" in response.content
    existing = draft.recipients.first().position
    response = client.post(
        url("recipient_add", draft.pk),
        {"position": existing.pk, "role": "cc", "version": draft.version},
        **HX,
    )
    assert b"already a recipient" in response.content
    assert draft.recipients.count() == 2


def test_removing_a_recipient_and_refusing_a_stale_removal(client, drafter, draft):
    cc = draft.recipients.get(role="cc")
    client.force_login(drafter)
    response = client.post(
        url("recipient_remove", draft.pk, cc.pk), {"version": draft.version - 1}, **HX
    )
    assert (
        b"someone else saved" in response.content
        and LetterRecipient.objects.filter(pk=cc.pk).exists()
    )
    response = client.post(url("recipient_remove", draft.pk, cc.pk), {"version": draft.version})
    assert response.status_code == 302
    assert not LetterRecipient.objects.filter(pk=cc.pk).exists()


def test_recipient_endpoints_refuse_other_personas(client, admin_user, outsider, draft):
    position = make_position()
    cc = draft.recipients.get(role="cc")
    for user in [admin_user, outsider]:
        client.force_login(user)
        assert (
            client.post(
                url("recipient_add", draft.pk),
                {"position": position.pk, "role": "cc", "version": draft.version},
            ).status_code
            == 403
        )
        assert (
            client.post(
                url("recipient_remove", draft.pk, cc.pk), {"version": draft.version}
            ).status_code
            == 403
        )
        assert client.get(url("recipient_search", draft.pk) + "?q=x", **HX).status_code == 403
    assert draft.recipients.count() == 2


def test_a_recipient_of_another_letter_is_404(client, drafter, draft):
    foreign = LetterRecipient.objects.create(letter=make_letter(), position=make_position())
    client.force_login(drafter)
    assert (
        client.post(
            url("recipient_remove", draft.pk, foreign.pk), {"version": draft.version}
        ).status_code
        == 404
    )
    assert LetterRecipient.objects.filter(pk=foreign.pk).exists()


# -- signatories ---------------------------------------------------------------------------


def sig_data(version: int, **changes) -> dict:
    data = {
        "organization": "",
        "role": "cosigner",
        "signer_name": "",
        "signer_title": "",
        "version": version,
    }
    data.update(changes)
    return {f"signatory-new-{k}": v for k, v in data.items()}


def test_adding_organisations_as_cosigners_and_as_lead(client, drafter, draft):
    first_lead = draft.signatories.get()
    cosigner, new_lead = (
        make_organization(name="Refugee Network"),
        make_organization(name="Lead NGO"),
    )
    client.force_login(drafter)
    response = client.post(
        url("signatory_add", draft.pk),
        sig_data(
            draft.version, organization=cosigner.pk, signer_name="Ken Sato", signer_title="Director"
        ),
        **HX,
    )
    assert response.status_code == 200 and response["HX-Retarget"] == "#signatories"
    assert b"Ken Sato" in response.content
    assert_synced(response, draft)
    draft.refresh_from_db()
    client.post(
        url("signatory_add", draft.pk),
        sig_data(draft.version, organization=new_lead.pk, role="lead"),
        **HX,
    )
    draft.refresh_from_db()
    roles = {s.organization.name: s.role for s in draft.signatories.select_related("organization")}
    assert roles == {
        first_lead.organization.name: "cosigner",
        "Refugee Network": "cosigner",
        "Lead NGO": "lead",
    }
    assert draft.lead_organization == new_lead
    assert [s.organization.name for s in draft.signatories.order_by("order")][-1] == "Lead NGO"


def test_an_organisation_signs_once(client, drafter, draft):
    client.force_login(drafter)
    org = draft.signatories.get().organization
    response = client.post(
        url("signatory_add", draft.pk), sig_data(draft.version, organization=org.pk), **HX
    )
    assert b"already signs this letter" in response.content
    response = client.post(
        url("signatory_add", draft.pk), sig_data(draft.version, organization="424242"), **HX
    )
    assert b"Select a valid choice" in response.content
    assert draft.signatories.count() == 1


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 40), "white").save(out, "PNG")
    return out.getvalue()


def test_a_coordinator_uploads_a_signature_image(client, coordinator, draft):
    from django.core.files.uploadedfile import SimpleUploadedFile

    signatory = draft.signatories.get()
    client.force_login(coordinator)
    form = client.get(url("signatory_edit", draft.pk, signatory.pk), **HX).content.decode()
    assert 'type="file"' in form
    prefix = f"signatory-{signatory.pk}"
    response = client.post(
        url("signatory_edit", draft.pk, signatory.pk),
        {
            f"{prefix}-role": "lead",
            f"{prefix}-signer_name": "Aiko Morita",
            f"{prefix}-signer_title": "Tokyo Director",
            f"{prefix}-signature": SimpleUploadedFile("sig.gif", png_bytes(), "image/gif"),
            f"{prefix}-version": draft.version,
        },
        **HX,
    )
    assert response.status_code == 200
    assert_synced(response, draft)
    signatory.refresh_from_db()
    assert signatory.signer_name == "Aiko Morita" and signatory.signature.name.endswith(".png")


def test_a_fake_signature_image_is_refused(client, coordinator, draft):
    from django.core.files.uploadedfile import SimpleUploadedFile

    signatory = draft.signatories.get()
    client.force_login(coordinator)
    prefix = f"signatory-{signatory.pk}"
    response = client.post(
        url("signatory_edit", draft.pk, signatory.pk),
        {
            f"{prefix}-role": "lead",
            f"{prefix}-signer_name": "Kept name",
            f"{prefix}-signature": SimpleUploadedFile(
                "sig.png", b"<svg onload=alert(1)>", "image/png"
            ),
            f"{prefix}-version": draft.version,
        },
        **HX,
    )
    html = response.content.decode()
    assert "not a PNG or JPEG image" in html and "Kept name" in html
    signatory.refresh_from_db()
    assert not signatory.signature and signatory.signer_name == ""


def test_a_drafter_sets_the_signer_but_cannot_upload_a_signature(client, drafter, draft):
    signatory = draft.signatories.get()
    client.force_login(drafter)
    form = client.get(url("signatory_edit", draft.pk, signatory.pk), **HX).content.decode()
    assert 'type="file"' not in form


def test_moving_and_removing_signatories(client, drafter, draft):
    second = make_signatory(draft, order=1)
    client.force_login(drafter)
    client.post(
        url("signatory_move", draft.pk, second.pk),
        {"direction": "up", "version": draft.version},
        **HX,
    )
    assert list(draft.signatories.order_by("order").values_list("pk", flat=True))[0] == second.pk
    draft.refresh_from_db()
    response = client.post(
        url("signatory_remove", draft.pk, second.pk), {"version": draft.version}, **HX
    )
    assert response.status_code == 200
    assert not Signatory.objects.filter(pk=second.pk).exists()


def test_removing_the_lead_clears_the_letters_lead_organisation(client, drafter):
    letter = make_letter()
    org = make_organization()
    letter.lead_organization = org
    letter.save()
    lead = make_signatory(letter, org, role=SignatoryRole.LEAD)
    client.force_login(drafter)
    client.post(url("signatory_remove", letter.pk, lead.pk), {"version": letter.version})
    letter.refresh_from_db()
    assert letter.lead_organization is None


def test_an_invited_signatory_is_not_removed(client, drafter, draft):
    signatory = draft.signatories.get()
    signatory.invited_at = timezone.now()
    signatory.save()
    client.force_login(drafter)
    response = client.post(
        url("signatory_remove", draft.pk, signatory.pk), {"version": draft.version}, **HX
    )
    assert b"already been invited" in response.content
    assert Signatory.objects.filter(pk=signatory.pk).exists()


def test_signatory_endpoints_refuse_other_personas_and_foreign_ids(
    client, admin_user, outsider, drafter, draft
):
    signatory = draft.signatories.get()
    org = make_organization()
    for user in [admin_user, outsider]:
        client.force_login(user)
        assert (
            client.post(
                url("signatory_add", draft.pk), sig_data(draft.version, organization=org.pk)
            ).status_code
            == 403
        )
        assert (
            client.post(
                url("signatory_remove", draft.pk, signatory.pk), {"version": draft.version}
            ).status_code
            == 403
        )
    foreign = make_signatory(make_letter())
    client.force_login(drafter)
    assert (
        client.post(
            url("signatory_remove", draft.pk, foreign.pk), {"version": draft.version}
        ).status_code
        == 404
    )
    assert client.get(url("signatory_edit", draft.pk, foreign.pk)).status_code == 404
    assert draft.signatories.count() == 1


def test_editor_blocks_can_be_reloaded_for_cancel(client, drafter, draft):
    client.force_login(drafter)
    for name in ["sections", "recipients", "signatories"]:
        response = client.get(url("block", draft.pk, name), **HX)
        assert response.status_code == 200 and f'id="{name}"' in response.content.decode()
    assert client.get(url("block", draft.pk, "nope"), **HX).status_code == 404
    assert client.get(url("block", draft.pk, "sections")).status_code == 302


def test_the_add_recommendation_form_is_fetched_on_demand(client, drafter, draft):
    section = draft.sections.get(heading="Refugees")
    client.force_login(drafter)
    add_url = url("recommendation_add", draft.pk, section.pk)
    editor = client.get(url("edit", draft.pk)).content.decode()
    assert f'hx-get="{add_url}"' in editor
    assert f"rec-new-{section.pk}-text" not in editor  # not rendered until asked for
    fragment = client.get(add_url, **HX).content.decode()
    assert f'name="rec-new-{section.pk}-text"' in fragment and "<html" not in fragment
    page = client.get(add_url).content.decode()  # no JavaScript: a page of its own
    assert "<html" in page and f'name="rec-new-{section.pk}-text"' in page


def test_a_lead_that_becomes_a_cosigner_leaves_the_letter_without_a_lead(client, drafter):
    letter = make_letter()
    org = make_organization()
    letter.lead_organization = org
    letter.save()
    lead = make_signatory(letter, org, role=SignatoryRole.LEAD)
    client.force_login(drafter)
    prefix = f"signatory-{lead.pk}"
    client.post(
        url("signatory_edit", letter.pk, lead.pk),
        {f"{prefix}-role": "cosigner", f"{prefix}-version": letter.version},
        **HX,
    )
    letter.refresh_from_db()
    lead.refresh_from_db()
    assert lead.role == SignatoryRole.COSIGNER and letter.lead_organization is None


def test_a_search_without_javascript_keeps_odd_characters(client, drafter, draft):
    client.force_login(drafter)
    response = client.get(url("recipient_search", draft.pk), {"q": "a&b #c"})
    assert response.status_code == 302
    assert response.url.endswith("?q=a%26b+%23c#recipients")


def test_editing_a_recommendation_can_move_it_to_another_section(client, drafter, draft):
    diplomacy, refugees = draft.sections.order_by("order")
    rec = diplomacy.recommendations.get(text="Raise human rights in every meeting.")
    reference = rec.reference
    client.force_login(drafter)
    prefix = f"rec-{rec.pk}"
    data = rec_data(prefix, draft.version, text=rec.text, section=refugees.pk)
    response = client.post(url("recommendation_edit", draft.pk, rec.pk), data, **HX)
    assert response.status_code == 200
    assert_synced(response, draft)
    rec.refresh_from_db()
    assert rec.section == refugees and rec.reference == reference
    assert texts(refugees) == ["Open the asylum procedure.", "Raise human rights in every meeting."]
    html = response.content.decode()
    assert html.index("Open the asylum procedure.") < html.index("Raise human rights")


def test_a_recommendation_cannot_move_to_another_letters_section(client, drafter, draft):
    rec = draft.recommendations.first()
    foreign = make_section(make_letter())
    client.force_login(drafter)
    data = rec_data(f"rec-{rec.pk}", draft.version, text=rec.text, section=foreign.pk)
    response = client.post(url("recommendation_edit", draft.pk, rec.pk), data, **HX)
    assert b"Select a valid choice" in response.content
    rec.refresh_from_db()
    assert rec.section.letter == draft


GARBAGE = [
    {},
    {"version": "abc", "direction": "diagonal", "role": "bcc", "position": "-1"},
    {"version": "99999999999999999999", "organization": "x", "section": "x"},
    {"version": "1\x00", "q": "\x00", "section-new-heading": "\x00"},
]


@pytest.mark.parametrize("data", GARBAGE)
def test_garbage_posted_to_every_drafting_endpoint_never_fails(client, drafter, draft, data):
    section = draft.sections.first()
    rec = draft.recommendations.first()
    recipient = draft.recipients.first()
    signatory = draft.signatories.first()
    urls = [
        url("edit", draft.pk),
        url("duplicate", draft.pk),
        url("section_add", draft.pk),
        url("section_edit", draft.pk, section.pk),
        url("section_move", draft.pk, section.pk),
        url("section_delete", draft.pk, section.pk),
        url("recommendation_add", draft.pk, section.pk),
        url("recommendation_edit", draft.pk, rec.pk),
        url("recommendation_move", draft.pk, rec.pk),
        url("recommendation_delete", draft.pk, rec.pk),
        url("recipient_add", draft.pk),
        url("recipient_move", draft.pk, recipient.pk),
        url("recipient_remove", draft.pk, recipient.pk),
        url("signatory_add", draft.pk),
        url("signatory_edit", draft.pk, signatory.pk),
        url("signatory_move", draft.pk, signatory.pk),
        url("signatory_remove", draft.pk, signatory.pk),
        reverse("letters:drafting_create"),
        reverse("letters:drafting_markdown_preview") + "?field=\x00",
    ]
    client.force_login(drafter)
    for target in urls:
        for extra in ({}, HX):
            response = client.post(target, data, **extra)
            assert response.status_code < 500, target
            response = client.get(target, data, **extra)
            assert response.status_code < 500, target
    assert draft.recommendations.filter(pk=rec.pk).exists()
    assert draft.sections.filter(pk=section.pk).exists()


def test_null_characters_are_refused_with_a_message(client, drafter, draft):
    client.force_login(drafter)
    response = client.post(
        url("section_add", draft.pk),
        {"section-new-heading": "Food\x00aid", "section-new-version": draft.version},
        **HX,
    )
    assert b"Null characters are not allowed." in response.content
    assert draft.sections.count() == 2


def every_endpoint(draft) -> list[str]:
    section = draft.sections.first()
    rec = draft.recommendations.first()
    recipient = draft.recipients.first()
    signatory = draft.signatories.first()
    return [
        url("edit", draft.pk),
        url("block", draft.pk, "sections"),
        url("section_add", draft.pk),
        url("section_edit", draft.pk, section.pk),
        url("section_move", draft.pk, section.pk),
        url("section_delete", draft.pk, section.pk),
        url("recommendation_add", draft.pk, section.pk),
        url("recommendation_edit", draft.pk, rec.pk),
        url("recommendation_move", draft.pk, rec.pk),
        url("recommendation_delete", draft.pk, rec.pk),
        url("recipient_search", draft.pk),
        url("recipient_add", draft.pk),
        url("recipient_move", draft.pk, recipient.pk),
        url("recipient_remove", draft.pk, recipient.pk),
        url("signatory_add", draft.pk),
        url("signatory_edit", draft.pk, signatory.pk),
        url("signatory_move", draft.pk, signatory.pk),
        url("signatory_remove", draft.pk, signatory.pk),
    ]


@pytest.mark.parametrize("persona", ["admin_user", "outsider"])
def test_only_drafting_roles_reach_any_editing_endpoint(client, request, persona, draft):
    client.force_login(request.getfixturevalue(persona))
    version = draft.version
    for target in every_endpoint(draft):
        for method in (client.get, client.post):
            response = method(target, {"version": version, "direction": "up"}, **HX)
            assert response.status_code in (403, 405), (persona, target, response.status_code)
    draft.refresh_from_db()
    assert draft.version == version


def test_every_editing_endpoint_is_404_for_an_unknown_letter(client, drafter, draft):
    client.force_login(drafter)
    for target in every_endpoint(draft):
        target = target.replace(f"/letters/{draft.pk}/", "/letters/987654/", 1)
        response = client.post(target, {"version": 1})
        if response.status_code == 405:  # GET-only endpoints
            response = client.get(target)
        assert response.status_code == 404, target


def test_a_section_form_previews_its_body_as_it_will_read(client, drafter, draft):
    section = draft.sections.first()
    section.body = "Aid must be **monitored**. [x](javascript:alert(1))"
    section.save()
    client.force_login(drafter)
    html = client.get(url("section_edit", draft.pk, section.pk), **HX).content.decode()
    prefix = f"section-{section.pk}-body"
    assert f'id="{prefix}-preview"' in html and f'hx-target="#{prefix}-preview"' in html
    assert "<strong>monitored</strong>" in html and 'href="javascript' not in html
    assert html.count('name="csrfmiddlewaretoken"') == 1 and html.count("<form") == 1
    preview = client.post(
        reverse("letters:drafting_markdown_preview") + f"?field={prefix}", {prefix: "*new*"}, **HX
    ).content.decode()
    assert "<em>new</em>" in preview
