"""Signatories by the hundred: tick from the directory, or paste a list matched against it."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from letters.models import Organization, Signatory
from tests.factories import make_draft, make_organization, make_signatory

pytestmark = pytest.mark.django_db


def url(letter) -> str:
    return reverse("letters:drafting_signatory_add_many", args=[letter.pk])


def preview(client, letter, text: str, group: str = ""):
    return client.post(url(letter), {"action": "match", "text": text, "group": group})


def confirm(client, letter, response, **choices):
    token = re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)
    ticked = re.findall(r'name="(choice-\d+)" value="add"[^>]*checked', response.content.decode())
    data = {"action": "confirm", "token": token, **dict.fromkeys(ticked, "add"), **choices}
    return client.post(url(letter), data)


def statuses(response) -> list[str]:
    return re.findall(r'data-status="(\w+)"', response.content.decode())


def test_a_pasted_list_is_matched_and_confirmed(client, drafter):
    letter = make_draft()
    hrw = make_organization(name="Human Rights Watch", website="https://www.hrw.org")
    make_organization(name="Life Funds for North Korean Refugees")
    make_organization(name="Korea Watch", website="http://kw.example/")
    signing = make_organization(name="Already Signing")
    make_signatory(letter, signing, order=5)
    text = "\n".join(
        [
            "The Human Rights Watch, Inc.",  # normalised name
            "Watchers,KR,www.kw.example/en",  # same website
            "Life Fund North Korea",  # doubtful: close, not close enough
            "Brand New Network,KR,https://bnn.example",  # new
            "brand new network",  # repeats line 4
            "Already Signing",
        ]
    )
    client.force_login(drafter)

    response = preview(client, letter, text, group="Asia")

    assert statuses(response) == ["match", "match", "doubtful", "new", "repeat", "signs"]
    assert "Line 4 names it too." in response.content.decode()
    assert Organization.objects.count() == 5  # nothing created by the preview

    response = confirm(client, letter, response, **{"choice-3": "new"})

    assert response.status_code == 302
    added = list(letter.signatories.filter(group="Asia").select_related("organization"))
    names = [s.organization.name for s in added]
    assert names == [
        "Human Rights Watch",
        "Korea Watch",
        "Life Fund North Korea",
        "Brand New Network",
    ]
    new = Organization.objects.get(name="Brand New Network")
    assert (new.country.code, new.website) == ("KR", "https://bnn.example")
    assert all(s.signer_name == "" for s in added)  # an organisation signs without a person
    assert Signatory.history.filter(id=added[0].pk, history_user=drafter).exists()
    assert letter.signatories.filter(organization=hrw).count() == 1


def test_a_line_sharing_only_common_words_is_new_not_doubtful(client, drafter):
    letter = make_draft()
    make_organization(name="Refugee Support Network Japan")
    client.force_login(drafter)
    assert statuses(preview(client, letter, "Brand New Org,KR,bno.example")) == ["new"]


def test_a_doubtful_line_takes_the_candidate_picked(client, drafter):
    letter = make_draft()
    funds = make_organization(name="Life Funds for North Korean Refugees")
    client.force_login(drafter)
    response = preview(client, letter, "Life Fund North Korea")
    confirm(client, letter, response, **{"choice-1": str(funds.pk)})
    assert letter.signatories.filter(organization=funds).exists()
    assert Organization.objects.count() == 2  # the draft's lead and the picked one


def test_a_csv_file_can_be_uploaded(client, drafter):
    letter = make_draft()
    upload = SimpleUploadedFile("list.csv", b"name,country,website\nKorea Peace,KR,kp.example\n")
    client.force_login(drafter)
    response = client.post(url(letter), {"action": "match", "file": upload})
    assert statuses(response) == ["new"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Paste a list or upload a file."),
        ({"text": "x\n" * 1001}, "at most 1000 at a time"),
        ({"file": SimpleUploadedFile("l.csv", "Café".encode("latin-1"))}, "not UTF-8"),
        ({"file": SimpleUploadedFile("l.pdf", b"%PDF")}, "Upload a .csv or .txt file."),
        ({"text": "A group", "group": "G" * 101}, "at most 100 characters"),
    ],
)
def test_bad_lists_say_why_and_keep_what_was_typed(client, drafter, data, message):
    letter = make_draft()
    client.force_login(drafter)
    response = client.post(url(letter), {"action": "match", **data})
    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_forged_preview_adds_nothing(client, drafter):
    letter = make_draft()
    client.force_login(drafter)
    response = client.post(url(letter), {"action": "confirm", "token": "forged", "choice-1": "add"})
    assert "The preview expired" in response.content.decode()
    assert letter.signatories.count() == 1


def test_ticked_organisations_from_the_filtered_directory_are_added(client, coordinator):
    letter = make_draft()
    jp = [make_organization(name=f"Japan Group {n}", country="JP") for n in range(3)]
    make_organization(name="Korea Group", country="KR")
    client.force_login(coordinator)
    page = client.get(url(letter), {"country": "JP"}).content.decode()
    assert "Japan Group 2" in page and "Korea Group" not in page
    response = client.post(
        url(letter),
        {"action": "pick", "organizations": [jp[0].pk, jp[2].pk], "group": "Japan"},
    )
    assert response.status_code == 302
    assert set(letter.signatories.filter(group="Japan").values_list("organization", flat=True)) == {
        jp[0].pk,
        jp[2].pk,
    }


def test_a_400_line_paste_is_matched_and_added(client, drafter, django_assert_max_num_queries):
    letter = make_draft()
    for n in range(200):
        make_organization(name=f"Coalition Member {n:03d}", short_name="")
    lines = [f"Coalition Member {n:03d}" for n in range(200)]
    lines += [f"Fresh Group {n:03d}" for n in range(195)]
    lines += ["coalition member 000."] * 5
    client.force_login(drafter)
    with django_assert_max_num_queries(20):
        response = preview(client, letter, "\n".join(lines))
    found = statuses(response)
    assert (found.count("match"), found.count("new"), found.count("repeat")) == (200, 195, 5)
    with django_assert_max_num_queries(60):
        confirm(client, letter, response)
    assert letter.signatories.count() == 1 + 395


def test_editor_and_letter_page_cost_the_same_queries_with_400_signatories(
    client, drafter, django_assert_num_queries
):
    letter = make_draft()
    client.force_login(drafter)
    pages = [reverse("letters:drafting_edit", args=[letter.pk]), letter.get_absolute_url()]
    counts = []
    for size in (4, 400):
        organizations = [
            make_organization(name=f"Signer {size}-{n}")
            for n in range(size - letter.signatories.count())
        ]
        from letters import drafting

        drafting.add_signatories(letter=letter, organizations=organizations)
        counts.append([_queries(client, page) for page in pages])
    assert counts[0] == counts[1]


def _queries(client, page) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(page).status_code == 200
    return len(captured)


def test_sorting_puts_the_lead_first_then_groups_and_names(client, drafter):
    letter = make_draft()
    for name, group in [("Zeta", "Asia"), ("Alpha", "Europe"), ("Beta", "Asia")]:
        make_signatory(letter, make_organization(name=name), group=group, order=9)
    client.force_login(drafter)
    response = client.post(reverse("letters:drafting_signatory_sort", args=[letter.pk]))
    assert response.status_code == 302
    order = list(letter.signatories.order_by("order").values_list("organization__name", "role"))
    assert order[0][1] == "lead"
    assert [name for name, _ in order[1:]] == ["Beta", "Zeta", "Alpha"]
    assert Signatory.history.filter(history_user=drafter).count() == 4
