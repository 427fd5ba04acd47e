"""
Offices proposed from imported letters, as Admins see them: a "Proposed" badge
in the directory, the queue of proposed offices to check, verifying one with
one POST, and merging one into the office it duplicates.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from recipients.models import MailingList, Position
from recipients.proposals import (
    MergeRefused,
    ProposedOffice,
    merge_proposed,
    official_from_name,
    propose_position,
)
from tests.factories import make_letter, make_position, make_recipient

pytestmark = pytest.mark.django_db

QUEUE = reverse("recipients:list") + "?show=proposed"


def propose(by, title="Commandant", **fields) -> Position:
    office = ProposedOffice(title=title, country=fields.pop("country", "JP"), **fields)
    return propose_position(office=office, by=by, source="the import of “letter.txt” for JP-1")


@pytest.mark.parametrize(
    ("name", "country", "expected"),
    [
        ("H.E. Mr. Taro Aso", "JP", ("H.E. Mr.", "Taro", "Aso", "given_first", "")),
        ("Ms. Maria da Silva Souza", "BR", ("Ms.", "Maria da Silva", "Souza", "given_first", "")),
        ("鳩山 由紀夫殿", "JP", ("", "由紀夫", "鳩山", "family_first", "鳩山 由紀夫")),
    ],
)
def test_a_holders_name_is_read_as_the_letter_wrote_it(name, country, expected):
    official = official_from_name(name, country)

    got = (
        official.honorific,
        official.given_name,
        official.family_name,
        official.name_order,
        official.native_name,
    )
    assert got == expected


def queries_for_queue(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(QUEUE).status_code == 200
    return len(queries)


def test_the_queue_lists_proposed_offices_with_who_proposed_them(client, admin_user, drafter):
    propose(drafter, title="Commandant 0", holder="Mr. Kenji Suzuki")
    client.force_login(admin_user)
    one = queries_for_queue(client)
    for n in (1, 2):
        propose(drafter, title=f"Commandant {n}", holder=f"Mr. Kenji Suzuki{n}")
    checked = make_position(title="Prime Minister")

    assert queries_for_queue(client) == one  # no query per row
    response = client.get(QUEUE)

    page = response.content.decode()
    assert response.status_code == 200
    # The same page again: served from the cache, so read its HTML, not its context.
    shown = re.findall(r'aria-label="Verify the proposed ([^"]+)"', page)
    assert shown == ["Commandant 0", "Commandant 1", "Commandant 2"]
    assert checked.title not in page
    assert page.count(">Proposed</span>") == 3
    assert "from the import of “letter.txt” for JP-1" in page
    assert f"by {drafter.username} on" in page
    assert 'aria-label="Verify the proposed Commandant 1"' in page
    # The directory's front page points Admins to the queue, with its count.
    front = client.get(reverse("recipients:list")).content.decode()
    assert "Proposed offices to check" in front and 'text-bg-warning">3</span>' in front


def test_proposed_offices_are_ordinary_offices_for_everyone_else(client, drafter):
    proposed = propose(drafter)
    client.force_login(drafter)

    page = client.get(reverse("recipients:list")).content.decode()

    assert proposed.title in page and ">Proposed</span>" in page
    assert "Proposed offices to check <span" not in page  # not an Admin's queue
    assert 'aria-label="Verify the proposed' not in page


def test_an_admin_verifies_a_proposed_office_with_one_post(client, admin_user, drafter):
    proposed = propose(drafter)
    client.force_login(admin_user)

    response = client.post(
        reverse("recipients:position_verify", args=[proposed.pk]), {"next": QUEUE}
    )

    proposed.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == QUEUE
    assert not proposed.proposed
    assert proposed.last_verified == timezone.localdate()
    # Who proposed it, and from what, stay on the record; the history says who verified.
    assert proposed.proposed_by == drafter and proposed.proposed_from
    assert proposed.history.first().history_user == admin_user
    assert not client.get(QUEUE).context["page"].object_list
    detail = client.get(proposed.get_absolute_url()).content.decode()
    assert "since verified" in detail and ">Proposed</span>" not in detail


def test_a_drafter_may_not_verify(client, drafter):
    proposed = propose(drafter)
    client.force_login(drafter)

    response = client.post(reverse("recipients:position_verify", args=[proposed.pk]))

    assert response.status_code == 403
    proposed.refresh_from_db()
    assert proposed.proposed


def test_an_admin_merges_a_proposed_office_into_the_one_it_duplicates(client, admin_user, drafter):
    kept = make_position(title="Commandant of the Japan Coast Guard")
    proposed = propose(drafter)
    letter = make_letter(reference="JP-1")
    recipient = make_recipient(letter, position=proposed, role="cc")
    lists = MailingList.objects.create(name="Coast guards")
    lists.positions.add(proposed)
    client.force_login(admin_user)
    detail = client.get(proposed.get_absolute_url()).content.decode()
    assert "Merge into the office it duplicates" in detail

    response = client.post(
        reverse("recipients:position_merge", args=[proposed.pk]), {"into": kept.pk}
    )

    assert response.status_code == 302 and response["Location"] == kept.get_absolute_url()
    recipient.refresh_from_db()
    proposed.refresh_from_db()
    assert recipient.position == kept
    assert recipient.history.first().history_user == admin_user
    assert list(lists.positions.all()) == [kept]
    assert proposed.is_archived and not proposed.proposed
    assert proposed.history.count() >= 2  # kept, with its history


def test_a_merge_is_refused_when_a_letter_has_both_offices(client, admin_user, drafter):
    kept = make_position(title="Commandant of the Japan Coast Guard")
    proposed = propose(drafter)
    letter = make_letter(reference="JP-1")
    make_recipient(letter, position=proposed, role="cc")
    make_recipient(letter, position=kept, role="cc")
    client.force_login(admin_user)

    response = client.post(
        reverse("recipients:position_merge", args=[proposed.pk]), {"into": kept.pk}, follow=True
    )

    assert "A letter is addressed to both offices" in response.content.decode()
    proposed.refresh_from_db()
    assert proposed.proposed and not proposed.is_archived
    assert letter.recipients.filter(position=proposed).exists()


def test_only_a_proposed_office_is_merged_and_only_into_an_office_in_use(admin_user):
    ordinary = make_position(title="Minister A")
    other = make_position(title="Minister B")
    proposed = propose(admin_user)

    with pytest.raises(MergeRefused):
        merge_proposed(proposed=ordinary, into=other, by=admin_user)
    with pytest.raises(MergeRefused):
        merge_proposed(proposed=proposed, into=proposed, by=admin_user)


def test_a_merge_into_an_office_of_another_government_is_refused_by_the_form(
    client, admin_user, drafter
):
    elsewhere = make_position(title="Commandant", country="KR")
    proposed = propose(drafter)
    client.force_login(admin_user)

    response = client.post(
        reverse("recipients:position_merge", args=[proposed.pk]),
        {"into": elsewhere.pk},
        follow=True,
    )

    assert "Choose an office from the list." in response.content.decode()
    proposed.refresh_from_db()
    assert proposed.proposed
