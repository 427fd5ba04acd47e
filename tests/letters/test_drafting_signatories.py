"""The editor's signing organisations, a page of them at a time: letters signed by hundreds."""

from __future__ import annotations

import pytest
from django.urls import reverse

from letters.models import Letter, Organization, Signatory
from letters.views.drafting import SIGNATORIES_PER_PAGE
from tests.factories import make_draft

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, *args) -> str:
    return reverse(f"letters:drafting_{name}", args=args)


def sign_many(letter: Letter, count: int, name: str = "Coalition member") -> list[Signatory]:
    """`count` more co-signers after those the letter has, in order."""
    have = letter.signatories.count()
    orgs = Organization.objects.bulk_create(
        Organization(name=f"{name} {i:03d}", country="JP") for i in range(have, have + count)
    )
    Signatory.objects.bulk_create(
        Signatory(letter=letter, organization=org, order=have + i) for i, org in enumerate(orgs)
    )
    return list(letter.signatories.order_by("order", "pk"))


def block(client, letter: Letter, **params) -> str:
    response = client.get(url("block", letter.pk, "signatories"), params, **HX)
    assert response.status_code == 200
    return response.content.decode()


def test_the_editor_shows_one_page_of_signatories_with_the_count(client, drafter):
    draft = make_draft()
    rows = sign_many(draft, 39)  # 40 with the lead
    client.force_login(drafter)
    page = client.get(url("edit", draft.pk)).content.decode()
    assert f"1–{SIGNATORIES_PER_PAGE} of 40 signing organisations" in page
    assert f'id="signatory-{rows[SIGNATORIES_PER_PAGE - 1].pk}"' in page
    assert f'id="signatory-{rows[SIGNATORIES_PER_PAGE].pk}"' not in page
    assert 'aria-label="Pages of signing organisations"' in page
    assert '<label class="form-label" for="signatory-search">' in page
    # Page 2 without JavaScript (a link to the editor) and with htmx (the block).
    assert f"{url('edit', draft.pk)}?spage=2#signatories" in page
    second = block(client, draft, spage=2)
    assert f"{SIGNATORIES_PER_PAGE + 1}–40 of 40" in second
    assert f'id="signatory-{rows[-1].pk}"' in second
    assert f'id="signatory-{rows[0].pk}"' not in second
    assert 'data-focus="signatory-page-previous"' in second
    assert 'data-focus="signatory-page-next"' not in second
    no_js = client.get(url("edit", draft.pk), {"spage": 2}).content.decode()
    assert f'id="signatory-{rows[-1].pk}"' in no_js


def test_a_short_list_has_neither_search_nor_pages(client, drafter):
    draft = make_draft()
    sign_many(draft, 3)
    client.force_login(drafter)
    page = client.get(url("edit", draft.pk)).content.decode()
    assert "4 signing organisations, in the order they print." in page
    assert 'id="signatory-search"' not in page
    assert "Pages of signing organisations" not in page


@pytest.mark.parametrize("spage", ["abc", "999", "-1", "0", "2" * 40])
def test_a_page_out_of_range_shows_a_page_not_an_error(client, drafter, spage):
    draft = make_draft()
    rows = sign_many(draft, 30)
    client.force_login(drafter)
    content = block(client, draft, spage=spage)
    assert 'id="signatory-' in content
    assert f'id="signatory-{rows[0].pk}"' in content or f'id="signatory-{rows[-1].pk}"' in content


def test_the_search_finds_signatories_on_any_page_and_keeps_what_was_typed(client, drafter):
    draft = make_draft()
    rows = sign_many(draft, 60)
    wanted = rows[55]
    wanted.group = "Asia <Pacific>"
    wanted.save()
    client.force_login(drafter)
    content = block(client, draft, sq="<pacific>")
    assert "1 of 61 signing organisations match “&lt;pacific&gt;”" in content
    assert 'value="&lt;pacific&gt;"' in content
    assert f'id="signatory-{wanted.pk}"' in content
    assert content.count('class="signatory"') == 1
    # In a filtered list a move would jump over hidden rows: reorder the whole list only.
    assert "drafting_signatory_move" not in content and "Move “" not in content
    assert "Clear the search to reorder them." in content
    by_name = block(client, draft, sq=wanted.organization.name)
    assert f'id="signatory-{wanted.pk}"' in by_name
    none = block(client, draft, sq="nobody at all")
    assert "No signing organisation matches “nobody at all”." in none


def test_moving_the_first_of_page_two_up_shows_it_on_page_one(client, drafter):
    draft = make_draft()
    rows = sign_many(draft, 30)
    moved = rows[SIGNATORIES_PER_PAGE]
    client.force_login(drafter)
    draft.refresh_from_db()
    response = client.post(
        url("signatory_move", draft.pk, moved.pk),
        {"direction": "up", "version": draft.version},
        **HX,
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert f"Moved {moved.organization}." in content
    assert f"1–{SIGNATORIES_PER_PAGE} of 31" in content
    assert f'data-focus="letters:drafting_signatory_move-{moved.pk}-up"' in content
    order = list(draft.signatories.order_by("order", "pk").values_list("pk", flat=True))
    assert order.index(moved.pk) == SIGNATORIES_PER_PAGE - 1


def test_moving_the_last_of_page_one_down_follows_it_to_page_two(client, drafter):
    draft = make_draft()
    rows = sign_many(draft, 30)
    moved = rows[SIGNATORIES_PER_PAGE - 1]
    client.force_login(drafter)
    draft.refresh_from_db()
    content = client.post(
        url("signatory_move", draft.pk, moved.pk),
        {"direction": "down", "version": draft.version},
        **HX,
    ).content.decode()
    assert f"{SIGNATORIES_PER_PAGE + 1}–31 of 31" in content
    assert f'id="signatory-{moved.pk}"' in content
    # Only the very first and very last of the whole list have a disabled button.
    assert content.count(" disabled>") == 1


def test_removing_on_page_two_stays_on_page_two(client, drafter):
    draft = make_draft()
    rows = sign_many(draft, 30)
    gone, kept = rows[-1], rows[-2]
    client.force_login(drafter)
    draft.refresh_from_db()
    content = client.post(
        url("signatory_remove", draft.pk, gone.pk),
        {"version": draft.version, "sq": "", "spage": "2"},
        **HX,
    ).content.decode()
    assert f"Removed {gone.organization}." in content
    assert f'id="signatory-{kept.pk}"' in content
    assert f"{SIGNATORIES_PER_PAGE + 1}–30 of 30" in content


def test_editing_and_cancelling_come_back_to_the_signatorys_page(client, drafter):
    draft = make_draft()
    rows = sign_many(draft, 30)
    edited = rows[-1]
    client.force_login(drafter)
    draft.refresh_from_db()
    form = client.get(url("signatory_edit", draft.pk, edited.pk), **HX).content.decode()
    assert f"signatories/?show={edited.pk}" in form
    assert f'id="signatory-{edited.pk}"' in block(client, draft, show=edited.pk)
    prefix = f"signatory-{edited.pk}"
    content = client.post(
        url("signatory_edit", draft.pk, edited.pk),
        {
            f"{prefix}-role": "cosigner",
            f"{prefix}-group": "Europe",
            f"{prefix}-signer_name": "",
            f"{prefix}-signer_title": "",
            f"{prefix}-version": draft.version,
        },
        **HX,
    ).content.decode()
    assert f"Saved {edited.organization}." in content
    assert f'id="signatory-{edited.pk}"' in content


def test_an_added_signatory_is_shown_on_the_last_page(client, drafter):
    draft = make_draft()
    sign_many(draft, 30)
    newcomer = Organization.objects.create(name="Late joiner", country="KR")
    client.force_login(drafter)
    draft.refresh_from_db()
    page = client.get(url("edit", draft.pk)).content.decode()
    # The add form offers only organisations that do not sign yet.
    offered = page.split('name="signatory-new-organization"')[1].split("</select>")[0]
    assert "Coalition member 010</option>" not in offered
    assert ">Late joiner</option>" in offered
    response = client.post(
        url("signatory_add", draft.pk),
        {
            "signatory-new-organization": newcomer.pk,
            "signatory-new-role": "cosigner",
            "signatory-new-group": "",
            "signatory-new-signer_name": "",
            "signatory-new-signer_title": "",
            "signatory-new-version": draft.version,
        },
        **HX,
    )
    added = draft.signatories.get(organization=newcomer)
    assert response.status_code == 200
    assert f'id="signatory-{added.pk}"' in response.content.decode()


def test_the_editor_query_count_does_not_grow_with_the_signatories(
    client, drafter, django_assert_max_num_queries
):
    draft = make_draft()
    sign_many(draft, 4)
    client.force_login(drafter)
    with django_assert_max_num_queries(40) as five:
        assert client.get(url("edit", draft.pk)).status_code == 200
    with django_assert_max_num_queries(40) as five_block:
        block(client, draft, spage=16, sq="member")
    sign_many(draft, 395)
    with django_assert_max_num_queries(len(five.captured_queries)):
        page = client.get(url("edit", draft.pk))
    assert page.content.decode().count('class="signatory"') == SIGNATORIES_PER_PAGE
    with django_assert_max_num_queries(len(five_block.captured_queries)):
        block(client, draft, spage=16, sq="member")
