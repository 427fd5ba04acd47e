"""
An imported letter names an office the address book lacks: whoever imports it
(a Drafter too) proposes it as a new office, prefilled from the text and
corrected on the review page; the letter uses it at once, and an Admin checks
it later in the directory.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from pypdf import PdfReader

from letters.drafting import copy_letter
from letters.importing import office_from_addressee, parse_letter
from letters.importing_matching import match_addressees
from letters.models import ImportSession, Letter, LetterRecipient, LetterStatus
from recipients.models import Position
from tests.factories import make_official, make_organization, make_position, make_term

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "importing_samples"
START = reverse("letters:importing_start")


@pytest.fixture
def address_book(db):
    """The Prime Minister and the signers of the Japanese sample; not its three cc offices."""
    pm = make_position(
        title="Prime Minister",
        institution="Cabinet Secretariat",
        country="JP",
        address_lines="1-6-1 Nagata-cho\nChiyoda-ku",
        postal_code="100-8968",
    )
    make_term(pm, make_official(honorific="H.E.", given_name="Yukio", family_name="Hatoyama"))
    for name, short in [
        ("Rights Now Japan", "RNJ"),
        ("Asia Liberty Watch", "ALW"),
        ("Network for North-Korean Refugees", "NNKR"),
        ("Freedom Forum International", "FFI"),
    ]:
        make_organization(name=name, short_name=short)
    return {"pm": pm}


def imported(client) -> ImportSession:
    client.post(START, {"text": (SAMPLES / "japan_headings_bullets.txt").read_text()})
    return ImportSession.objects.get()


def review_url(session) -> str:
    return reverse("letters:importing_review", args=[session.pk])


def form_as_shown(client, session) -> dict:
    """What the review page's save form would post untouched: its initial values."""
    response = client.get(review_url(session))
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else value
    data.update({"reference": "JP-2009-12", "save_as": "draft"})
    return data


def test_the_office_is_prefilled_from_the_addressee_block():
    proposal = parse_letter((SAMPLES / "japan_headings_bullets.txt").read_text())
    pm, fm, immigration, coast_guard = proposal["addressees"]

    assert office_from_addressee(pm, "JP") == {
        "title": "Prime Minister",
        "institution": "Cabinet Public Relations Office, Cabinet Secretariat",
        "country": "JP",
        "address_lines": "1-6-1 Nagata-cho, Chiyoda-ku\nTokyo 100-8968",
        "holder": "Mr. Yukio Hatoyama",
    }
    assert office_from_addressee(fm, "JP")["country"] == "JP"  # the letter's, none of its own
    assert office_from_addressee(immigration, "JP")["title"] == "Director-General"
    assert office_from_addressee(immigration, "JP")["institution"] == "Immigration Bureau"
    assert office_from_addressee(coast_guard, "JP")["institution"] == "Japan Coast Guard"


def test_a_drafter_is_offered_to_propose_each_unmatched_office(client, drafter, address_book):
    client.force_login(drafter)
    session = imported(client)

    response = client.get(review_url(session))

    page = response.content.decode()
    form = response.context["form"]
    assert form["addressee_0"].value() == str(address_book["pm"].pk)
    assert [form[f"addressee_{i}"].value() for i in (1, 2, 3)] == ["new", "new", "new"]
    assert "Propose it as a new office, from the text" in page
    assert "it is proposed as a new office from this text" in page
    assert form["office_2_title"].value() == "Director-General"
    assert form["office_2_holder"].value() == "Mr. Hiroshi Inaba"
    assert 'id="id_office_2_institution"' in page and 'value="Immigration Bureau"' in page


def test_a_drafter_proposes_offices_the_letter_uses_at_once(client, drafter, address_book):
    client.force_login(drafter)
    session = imported(client)
    data = form_as_shown(client, session)
    # Corrected on the review page before saving.
    data["office_1_institution"] = "Ministry of Foreign Affairs"
    data["addressee_3"] = ""  # the coast guard is left out

    response = client.post(review_url(session), data)

    letter = Letter.objects.get(reference="JP-2009-12")
    assert response.status_code == 302
    proposed = list(Position.objects.proposed().order_by("pk"))
    assert [(p.title, p.institution) for p in proposed] == [
        ("Minister for Foreign Affairs", "Ministry of Foreign Affairs"),
        ("Director-General", "Immigration Bureau"),
    ]
    fm = proposed[0]
    assert fm.proposed_by == drafter
    assert fm.proposed_at is not None
    assert fm.proposed_from == "the import of “pasted-letter.txt” for JP-2009-12"
    assert fm.country.code == "JP"
    assert fm.address_lines == "2-2-1 Kasumigaseki, Chiyoda-ku\nTokyo 100-8919"
    holder = fm.current_holder()
    assert (holder.honorific, holder.given_name, holder.family_name) == ("Mr.", "Katsuya", "Okada")
    assert fm.history.first().history_user == drafter
    assert [(r.role, r.position_id) for r in letter.recipients.order_by("-role", "order")] == [
        ("to", address_book["pm"].pk),
        ("cc", proposed[0].pk),
        ("cc", proposed[1].pk),
    ]


def test_a_proposed_office_that_exists_already_is_not_added_twice(client, drafter, address_book):
    fm = make_position(title="Minister for Foreign Affairs", institution="", country="JP")
    client.force_login(drafter)
    session = imported(client)
    data = form_as_shown(client, session)
    data.update(addressee_1="new", addressee_2="", addressee_3="")

    client.post(review_url(session), data)

    letter = Letter.objects.get(reference="JP-2009-12")
    assert letter.recipients.filter(position=fm).exists()
    assert not Position.objects.proposed().exists()


def test_a_new_office_without_a_title_or_government_is_refused_and_the_typing_kept(
    client, drafter, address_book
):
    client.force_login(drafter)
    session = imported(client)
    data = form_as_shown(client, session)
    data.update(office_1_title="  ", office_1_country="", office_2_address_lines="x" * 201)

    response = client.post(review_url(session), data)

    page = response.content.decode()
    assert response.status_code == 400
    assert "Give the office&#x27;s title, or leave it out." in page
    assert "Choose the government it belongs to." in page
    assert "Line 1 of the address has 201 characters" in page
    assert "Mr. Hiroshi Inaba" in page and 'value="JP-2009-12"' in page
    assert not Letter.objects.exists() and not Position.objects.proposed().exists()


def test_text_typed_for_a_new_office_is_escaped(client, drafter, address_book):
    client.force_login(drafter)
    session = imported(client)
    data = form_as_shown(client, session)
    data.update(office_1_title="<script>alert(1)</script>", office_1_country="")

    page = client.post(review_url(session), data).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_sent_letter_to_a_proposed_office_keeps_the_text_it_was_sent_to(
    client, drafter, address_book
):
    client.force_login(drafter)
    session = imported(client)
    data = form_as_shown(client, session)
    data.update(save_as="sent", sent_on="2009-12-10", office_3_title="Commandant")

    client.post(review_url(session), data)

    letter = Letter.objects.get(reference="JP-2009-12")
    assert letter.status == LetterStatus.SENT
    coast_guard = letter.recipients.get(position__title="Commandant")
    assert coast_guard.position.proposed
    assert coast_guard.snapshot_name == "Mr. Kenji Suzuki"
    assert coast_guard.snapshot_title == "Commandant, Japan Coast Guard"
    assert coast_guard.official.family_name == "Suzuki"


def test_a_sent_letter_keeps_an_addressee_left_out_of_the_address_book(
    client, drafter, address_book
):
    client.force_login(drafter)
    session = imported(client)
    data = form_as_shown(client, session)
    data.update(save_as="sent", sent_on="2009-12-10", addressee_1="", addressee_2="")
    data.update(addressee_3="")

    client.post(review_url(session), data)

    letter = Letter.objects.get(reference="JP-2009-12")
    assert not Position.objects.proposed().exists()
    recipients = list(letter.recipients.order_by("-role", "order"))
    assert [(r.role, r.position_id) for r in recipients] == [
        ("to", address_book["pm"].pk),
        ("cc", None),
        ("cc", None),
        ("cc", None),
    ]
    coast_guard = recipients[3]
    assert coast_guard.snapshot_name == "Mr. Kenji Suzuki"
    assert coast_guard.snapshot_title == "Commandant, Japan Coast Guard"
    assert coast_guard.snapshot_address == "2-1-3 Kasumigaseki, Chiyoda-ku\nTokyo 100-8976"
    assert coast_guard.sent_on.isoformat() == "2009-12-10" and coast_guard.is_frozen
    # The letter, its text and its copies say whom it went to.
    page = client.get(letter.get_absolute_url()).content.decode()
    assert "Commandant, Japan Coast Guard <span" in page
    assert "(as the letter printed it; not in the address book)" in page
    assert "Mr. Kenji Suzuki, Commandant, Japan Coast Guard" in page  # the cc list
    pdf = client.get(reverse("letters:printing_pdf_copy", args=[letter.pk, coast_guard.pk]))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert pdf.status_code == 200
    assert "Mr. Kenji Suzuki" in text and "Copy for Commandant, Japan Coast Guard" in text
    assert "JP-2009-12_2009-12-10_cc_commandant-japan-coast-guard" in pdf["Content-Disposition"]
    # A new draft from it keeps only the offices of the address book.
    draft = copy_letter(letter, reference="JP-2010-01", by=drafter)
    assert [r.position_id for r in draft.recipients.all()] == [address_book["pm"].pk]


def test_an_unlinked_recipient_exists_only_frozen(drafter):
    letter = Letter.objects.create(reference="X-1", subject="x")

    with pytest.raises(IntegrityError), transaction.atomic():
        LetterRecipient.objects.create(letter=letter, position=None, role="cc")


def test_an_office_already_matched_is_not_matched_to_a_second_addressee(db):
    pm = make_position(title="Prime Minister", institution="Cabinet Secretariat")
    addressees = [
        {"role": "to", "name": "Mr. Yukio Hatoyama", "title": "Prime Minister of Japan",
         "lines": ["1-1-1 Kasumigaseki, Chiyoda-ku", "Tokyo 100-0013"], "country": "JP"},
        {"role": "cc", "name": "Ms. Keiko Chiba", "title": "Minister of Justice",
         "lines": ["1-1-1 Kasumigaseki, Chiyoda-ku", "Tokyo 100-0013"], "country": ""},
    ]  # fmt: skip

    match_addressees(addressees, country="JP")

    assert addressees[0]["position"] == pm.pk
    # Alike words and the same street once took the Minister of Justice for the Prime Minister.
    assert addressees[1]["candidates"][0]["id"] == pm.pk
    assert addressees[1]["position"] is None
