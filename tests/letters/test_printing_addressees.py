"""
Printed copies greet their own addressees; collective bodies without a holder
or a postal address are finalised and printed; subject lines, headings and
section closings print as the drafter chose. Read back with pypdf.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from letters import printing, sending, signing
from letters.models import GreetingMode, LetterStatus, SignatoryRole
from letters.text import approvable_text, diff_snapshots
from recipients.models import Delivery, PositionKind
from tests.factories import (
    make_letter,
    make_official,
    make_position,
    make_recipient,
    make_recommendation,
    make_section,
    make_signatory,
    make_signing_letter,
    make_term,
)

pytestmark = pytest.mark.django_db


def text_of(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def minister(title: str, family_name: str):
    position = make_position(title=title, institution=f"Ministry of {title}")
    make_term(
        position, make_official(honorific="H.E.", given_name="Keiko", family_name=family_name)
    )
    position.salutation_pattern = "Dear {office},"
    position.save()
    return position


@pytest.fixture
def two_ministers():
    letter = make_letter(subject="Detention of asylum seekers")
    section = make_section(letter, heading="Detention")
    make_recommendation(section, text="End indefinite detention.")
    justice = make_recipient(letter, minister("Justice Minister", "Chiba"), order=0)
    foreign = make_recipient(letter, minister("Foreign Minister", "Okada"), order=1)
    make_signatory(letter, role="lead")
    letter.touch()
    return letter, justice, foreign


def test_each_addressee_s_copy_greets_that_addressee(two_ministers):
    letter, justice, foreign = two_ministers
    justice_copy = text_of(printing.render_letter_pdf(letter, copy_for=justice))
    foreign_copy = text_of(printing.render_letter_pdf(letter, copy_for=foreign))
    assert "Dear Justice Minister," in justice_copy
    assert "Dear Foreign Minister," not in justice_copy
    assert "Dear Foreign Minister," in foreign_copy
    assert "Dear Justice Minister," not in foreign_copy


def test_the_batch_of_copies_greets_each_addressee_too(two_ministers):
    letter, justice, foreign = two_ministers
    html = dict(printing.layout.copies_html(letter, archival=False))
    assert "Dear Justice Minister," in html[justice]
    assert "Dear Foreign Minister," in html[foreign]


def test_a_combined_greeting_names_every_addressee_on_every_copy(two_ministers):
    letter, justice, foreign = two_ministers
    letter.greeting_mode = GreetingMode.COMBINED
    letter.save()
    for recipient in (justice, foreign):
        text = text_of(printing.render_letter_pdf(letter, copy_for=recipient))
        assert "Dear Justice Minister and Foreign Minister," in text


def test_the_letter_s_own_greeting_and_colon_replace_the_address_book_s(two_ministers):
    letter, justice, _ = two_ministers
    letter.greeting = "Dear Ministers"
    letter.greeting_punctuation = ":"
    letter.save()
    text = text_of(printing.render_letter_pdf(letter, copy_for=justice))
    assert "Dear Ministers:" in text
    assert "Dear Justice Minister" not in text


def hrc_member_states():
    return make_position(
        title="Member and Observer States of the UN Human Rights Council",
        institution="Human Rights Council",
        country="UN",
        kind=PositionKind.COLLECTIVE,
        delivery=Delivery.EMAIL,
        email="hrc.members@example.org",
        address_lines="",
        locality="",
        postal_code="",
    )


def finalise(letter) -> None:
    signing.circulate(letter=letter, by=None, deadline=timezone.now() + dt.timedelta(days=3))
    letter.refresh_from_db()
    for s in letter.signatories.filter(role=SignatoryRole.COSIGNER):
        signing.approve(
            token=s.token,
            content_hash=letter.content_hash,
            signer_name=f"Signer of {s.organization.name}",
            signer_title="Director",
            consent_to_publish=True,
        )
    lead = letter.signatories.get(role=SignatoryRole.LEAD)
    signing.approve_for_lead(signatory=lead, by=None, signer_name="Lee Lead", signer_title="Head")
    assert sending.finalise(letter=letter, by=None) == []
    letter.refresh_from_db()


def test_a_collective_addressee_without_holder_or_address_is_finalised_and_printed():
    letter = make_signing_letter(cosigners=1, subject="Renew the mandate on Eritrea")
    letter.recipients.all().delete()
    hrc = make_recipient(letter, hrc_member_states())
    letter.touch()
    assert sending.finalise_problems(letter=letter) != []  # approvals still missing
    finalise(letter)
    assert letter.status == LetterStatus.FINAL
    hrc.refresh_from_db()
    assert hrc.is_frozen and hrc.official is None and hrc.snapshot_address == "Human Rights Council"

    text = text_of(printing.render_letter_pdf(letter, copy_for=hrc))
    assert "Member and Observer States of the UN Human Rights Council" in text
    assert "Excellencies," in text
    assert "Dear Member and Observer States" not in text
    assert "UNITED NATIONS" not in text  # no postal country for a letter sent by e-mail
    assert "Re: Renew the mandate on Eritrea" in text
    assert "Lee Lead" in text


def test_a_collective_greeting_may_name_the_body():
    position = hrc_member_states()
    position.salutation_pattern = "Dear Members of the Council,"
    position.save()
    assert position.salutation(None) == "Dear Members of the Council,"


def test_a_vacant_office_of_one_person_still_cannot_be_finalised():
    letter = make_signing_letter(cosigners=0)
    make_recipient(letter, make_position(title="Vacant Minister"), role="cc", order=1)
    letter.touch()
    problems = sending.finalise_problems(letter=letter)
    assert any("Vacant Minister" in p and "no current holder" in p for p in problems)


def test_no_subject_line_a_section_without_heading_and_a_section_closing():
    letter = make_letter(subject="")
    section = make_section(
        letter,
        heading="",
        body="Since 2009 the situation has changed.",
        closing="We would welcome **a meeting** to discuss these steps.",
    )
    make_recommendation(section, text="Publish the detention statistics.")
    position = make_position(title="Prime Minister")
    make_term(position)
    make_recipient(letter, position)
    make_signatory(letter, role="lead")
    letter.touch()

    text = text_of(printing.render_letter_pdf(letter))
    assert "Re:" not in text
    holder = position.current_holder()
    # No subject between the date and the greeting, no heading before the section's text.
    assert f"10 December 2009 Dear Prime Minister {holder.family_name}, Since 2009" in text
    assert "Since 2009 the situation has changed. Publish the detention statistics." in text
    # The closing paragraph comes after the section's recommendations.
    assert text.index("We would welcome a meeting to discuss these steps.") > text.index(
        "Publish the detention statistics."
    )


@pytest.mark.parametrize(
    ("prefix", "subject", "printed", "absent"),
    [
        ("Re:", "Re: Refugees in Japan", "Re: Refugees in Japan", "Re: Re:"),
        ("Re:", "RE: Refugees in Japan", "Re: Refugees in Japan", "Re: RE:"),
        ("Subject:", "Refugees in Japan", "Subject: Refugees in Japan", "Re:"),
        ("", "Refugees in Japan", "Refugees in Japan", "Re:"),
    ],
)
def test_the_subject_prefix_is_the_letter_s_choice_and_never_doubles(
    prefix, subject, printed, absent
):
    letter = make_letter(subject=subject, subject_prefix=prefix)
    make_section(letter, heading="Refugees")
    text = text_of(printing.render_letter_pdf(letter))
    assert printed in text
    assert absent not in text


def test_each_office_of_a_mailing_list_gets_a_copy_greeting_its_own_addressee():
    from letters import drafting
    from recipients.models import MailingList

    letter = make_letter(subject="The universal periodic review of Japan")
    make_section(letter, heading="Review")
    missions = []
    for country, name in [("FR", "Dupont"), ("BR", "Silva"), ("KE", "Otieno")]:
        position = make_position(
            title="Permanent Representative", institution=f"Mission of {country}",
            country=country, salutation_pattern="Dear Ambassador {family_name},",
        )  # fmt: skip
        make_term(position, make_official(honorific="H.E.", family_name=name))
        missions.append(position)
    geneva = MailingList.objects.create(name="Permanent missions in Geneva")
    geneva.positions.set(missions)
    drafting.add_mailing_list(letter=letter, mailing_list=geneva, role="to")

    copies = printing.layout.copies_html(letter, archival=False)
    assert len(copies) == 3
    for recipient, html in copies:
        family = recipient.position.current_holder().family_name
        assert f"Dear Ambassador {family}," in html
        others = {"Dupont", "Silva", "Otieno"} - {family}
        assert not any(f"Dear Ambassador {o}" in html for o in others)
    otieno = next(r for r, _ in copies if r.position.country == "KE")
    text = text_of(printing.render_letter_pdf(letter, copy_for=otieno))
    assert "Dear Ambassador Otieno," in text and "Dupont" not in text


def test_enclosures_print_after_the_signatures_and_before_the_cc_list(client, drafter):
    letter = make_letter(subject="Detention")
    make_section(letter, heading="Detention")
    make_recipient(letter, minister("Justice Minister", "Chiba"), role="to")
    make_recipient(letter, minister("Foreign Minister", "Okada"), role="cc")
    make_signatory(letter, role="lead", signer_name="Lee Lead")
    letter.touch()
    before = letter.content_hash
    client.force_login(drafter)
    data = {
        "subject": letter.subject,
        "reference": letter.reference,
        "language": "en",
        "recommendation_style": "numbered",
        "enclosures": "Report: Detained for years (2009)\n\n  Testimonies of 12 detainees  ",
        "version": letter.version,
    }
    response = client.post(reverse("letters:drafting_edit", args=[letter.pk]), data)
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.enclosure_list == [
        "Report: Detained for years (2009)",
        "Testimonies of 12 detainees",
    ]
    # The partners approve what goes with the letter too, and see what changed.
    assert letter.content_hash != before
    now = approvable_text(letter)
    changes = diff_snapshots({k: v for k, v in now.items() if k != "enclosures"}, now)
    assert [c.label for c in changes] == ["Enclosures"]

    text = text_of(printing.render_letter_pdf(letter))
    assert "Enclosures: Report: Detained for years (2009) Testimonies of 12 detainees" in text
    assert text.index("Lee Lead") < text.index("Enclosures:") < text.index("cc:")

    letter.enclosures = "Report: Detained for years (2009)"
    letter.language = "ja"
    letter.save()
    text = text_of(printing.render_letter_pdf(letter))
    assert "同封資料： Report: Detained for years (2009)" in text
    assert "Enclosure" not in text
