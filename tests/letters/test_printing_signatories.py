"""
How signatories print: signature blocks for a handful, or a numbered list in
groups with a count line for a coalition; the same in the PDF, the preview and
the public page.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from letters import printing, sending, signing, text
from letters.models import Organization, OrganizationKind, Signatory, SignatoryRole
from tests import factories

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages
    )


def coalition_letter(count: int, **fields):
    letter = factories.make_draft(signatory_layout="list", **fields)
    for n in range(1, count):
        # Out of alphabetical order on purpose: the list sorts them.
        org = factories.make_organization(name=f"{'ZYXWVUTSRQ'[n % 10]} Rights Group {n}")
        factories.make_signatory(letter, org, order=n)
    return letter


def test_a_list_of_signatories_prints_numbered_in_order_with_a_count_line():
    letter = coalition_letter(12)
    words = pdf_text(printing.render_letter_pdf(letter))
    assert "Signed by 12 organisations" in words
    names = sorted(s.organization.name for s in letter.signatories.all())
    listed = words[words.index("Signed by 12 organisations") :]
    positions = [listed.index(name) for name in names]
    assert positions == sorted(positions)
    # Numbered 1 to 12 (readers extract the numbers apart from the names).
    assert " ".join(f"{n}." for n in range(1, 13)) in words
    # A list names organisations: no signature lines, no "(signer to be confirmed)".
    assert "signer to be confirmed" not in words


def test_signature_blocks_print_names_titles_and_organisations():
    letter = factories.make_draft()
    factories.make_signatory(letter, signer_name="Aiko Tanaka", signer_title="Director", order=1)
    words = pdf_text(printing.render_letter_pdf(letter))
    assert "Aiko Tanaka Director" in words
    assert "Signed by" not in words


def test_the_preview_shows_the_same_list_as_the_pdf(client, drafter):
    letter = coalition_letter(5, created_by=drafter)
    client.force_login(drafter)
    page = client.get(reverse("letters:drafting_preview", args=[letter.pk])).content.decode()
    assert "Signed by 5 organisations" in page
    assert 'class="signatory-names" start="1"' in page


def org(name: str, **fields) -> Signatory:
    """An unsaved signatory of an unsaved organisation: the list is made in memory."""
    return Signatory(organization=Organization(name=name, **fields), signer_name="")


def person(name: str) -> Signatory:
    return Signatory(
        organization=Organization(name=name, kind=OrganizationKind.INDIVIDUAL), signer_name=name
    )


def test_the_count_line_counts_countries_and_individuals_apart():
    signatories = [
        org("Asia Group", country="JP"),
        org("Africa Group", country="KE"),
        org("Another Tokyo Group", country="JP"),
        person("Jane Doe"),
    ]
    assert (
        text.count_line(signatories)
        == "Signed by 3 organisations from 2 countries and 1 individual"
    )


def test_a_japanese_letter_counts_and_groups_its_signatories_in_japanese():
    signatories = [
        org("Asia Group", country="JP"),
        org("Africa Group", country="KE"),
        org("Another Tokyo Group", country="JP"),
        org("Nowhere Group"),
        person("Jane Doe"),
    ]
    with translation.override("ja"):
        assert text.count_line(signatories) == "2か国の4団体と個人1名が署名"
        roll = text.signatory_list(signatories, "country")
    assert [g.heading for g in roll.groups][-2:] == ["国名の記載なし", "個人"]


def test_a_list_by_country_groups_alphabetically_with_one_numbering_and_individuals_last():
    signatories = [
        org("Tokyo Group", country="JP"),
        org("Nairobi Group", country="KE"),
        org("Osaka Group", country="JP"),
        org("Nowhere Group", country=""),
        person("A Person"),
    ]
    roll = text.signatory_list(signatories, "country")
    assert [
        (g.heading, g.start, [s.organization.name for s in g.signatories]) for g in roll.groups
    ] == [
        ("Japan", 1, ["Osaka Group", "Tokyo Group"]),
        ("Kenya", 3, ["Nairobi Group"]),
        ("Country not given", 4, ["Nowhere Group"]),
        ("Individuals", 5, ["A Person"]),
    ]


def test_a_list_by_type_names_each_type_and_puts_untyped_ones_last():
    signatories = [
        org("Local Watch", kind=OrganizationKind.LOCAL),
        org("Global Rights", kind=OrganizationKind.INTERNATIONAL),
        org("Nobody Knows"),
        org("City Watch", kind=OrganizationKind.LOCAL),
    ]
    roll = text.signatory_list(signatories, "type")
    assert [(g.heading, [s.organization.name for s in g.signatories]) for g in roll.groups] == [
        ("International network", ["Global Rights"]),
        ("Local", ["City Watch", "Local Watch"]),
        ("Other organisations", ["Nobody Knows"]),
    ]


def test_a_list_by_country_is_alphabetical_where_the_directory_has_no_countries():
    roll = text.signatory_list([org("B"), org("a"), org("C")], "country")
    assert [(g.heading, [s.organization.name for s in g.signatories]) for g in roll.groups] == [
        ("", ["a", "B", "C"])
    ]
    assert roll.count_line == "Signed by 3 organisations"


def columns(bands) -> list[list[tuple[int, int]]]:
    """Each band's columns as (first number, how many names)."""
    return [[(c.start, len(c.names)) for c in band] for band in bands]


def test_a_short_group_prints_in_one_band_of_balanced_columns_first_ones_longest():
    # As CSS columns balance: 5 names go 2, 2, 1; 4 go 2, 2; one stays alone.
    assert columns(text.signatory_bands(list("abcde"), 7)) == [[(7, 2), (9, 2), (11, 1)]]
    assert columns(text.signatory_bands(list("abcd"), 1)) == [[(1, 2), (3, 2)]]
    assert columns(text.signatory_bands(["a"], 1)) == [[(1, 1)]]


def test_a_long_group_prints_in_bands_read_down_each_column_numbered_on():
    names = [f"Group {n}" for n in range(1, 31)]
    bands = text.signatory_bands(names, 1)
    depth = text.BAND_LINES
    assert columns(bands) == [
        [(1, depth), (1 + depth, depth), (1 + 2 * depth, depth)],
        [(25, 2), (27, 2), (29, 2)],
    ]
    # Every name once, in order.
    assert [name for band in bands for c in band for name in c.names] == names


def test_names_that_wrap_count_as_the_lines_they_take():
    # 60 Latin characters or 20 Japanese ones take two lines of a column.
    long = "International Coalition for Human Rights and Refugees 00001"
    japanese = "北朝鮮帰国者の生命と人権を守る会第1支部"
    bands = text.signatory_bands([long] * 12 + ["Short"] * 3, 1)
    assert columns(bands) == [[(1, 4), (5, 4), (9, 4)], [(13, 1), (14, 1), (15, 1)]]
    # Two-line names are not set beside single ones as if they were as short.
    assert columns(text.signatory_bands([japanese, japanese, "A", "B"], 1)) == [
        [(1, 1), (2, 1), (3, 2)]
    ]


def test_an_individual_prints_under_the_name_of_the_person_signing():
    signatories = [org("Tokyo Group"), person("Jane Doe")]
    signatories[1].organization.name = "Jane Doe (directory entry)"
    roll = text.signatory_list(signatories, "alphabetical")
    assert [c.names for g in roll.groups for band in g.bands for c in band] == [
        ["Tokyo Group"],
        ["Jane Doe"],
    ]


def circulated(letter):
    letter.touch()
    signing.circulate(letter=letter, by=None, deadline=timezone.now() + dt.timedelta(days=3))
    letter.refresh_from_db()
    for s in letter.signatories.filter(role=SignatoryRole.COSIGNER):
        signing.approve(
            token=s.token,
            content_hash=letter.content_hash,
            signer_name="",
            signer_title="",
            consent_to_publish=True,
        )
    lead = letter.signatories.get(role=SignatoryRole.LEAD)
    signing.approve_for_lead(signatory=lead, by=None, signer_name="Lee Lead", signer_title="Head")
    return letter


def test_a_list_finalises_without_signer_names_but_signature_blocks_need_them():
    blocks = circulated(factories.make_signing_letter(cosigners=2))
    assert "Partner 1 has no signer name." in sending.finalise_problems(letter=blocks)

    listed = factories.make_signing_letter(cosigners=0, reference="LIST-1")
    for n in (1, 2):
        factories.make_signatory(listed, Organization.objects.get(name=f"Partner {n}"), order=n)
    listed.signatory_layout = "list"
    listed.save(update_fields=["signatory_layout"])
    assert sending.finalise_problems(letter=circulated(listed)) == []


def test_the_public_page_shows_the_list_the_letter_printed(client, coordinator):
    from letters.models import Letter
    from tests.letters.test_sending import final_letter, publish

    letter = final_letter()
    Letter.objects.filter(pk=letter.pk).update(signatory_layout="list")
    letter.refresh_from_db()
    publish(client, coordinator, letter)
    page = client.get(reverse("public:detail", args=[letter.reference])).content.decode()
    assert "Signed by 3 organisations" in page
    assert '<ol class="signatory-names" start="1">' in page
    assert 'class="letter-signature"' not in page


def test_the_letter_page_shows_the_list_the_letter_prints(client, coordinator):
    letter = coalition_letter(30)
    client.force_login(coordinator)
    page = client.get(letter.get_absolute_url()).content.decode()
    assert "Signed by 30 organisations" in page
    assert '<ol class="signatory-names" start="1">' in page
    assert "signer to be confirmed" not in page
    # The side card names a dozen, not the whole coalition again.
    assert "and 18 more, listed with the letter" in page
