from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from letters import signing
from letters.models import ApprovedText, LetterStatus
from letters.printing import cache
from letters.text import approvable_text, diff_snapshots, letter_context, text_hash
from tests.factories import (
    make_draft,
    make_position,
    make_recipient,
    make_recommendation,
    make_term,
)

pytestmark = pytest.mark.django_db


def test_letter_text_reads_like_the_letter(demo):
    html = render_to_string("letters/_letter_text.html", letter_context(demo))
    assert "Dear Prime Minister Hatoyama," in html
    assert "Re: Human rights in Japan&#x27;s policy towards North Korea" in html
    assert html.count('<li id="JP-2009-12-R') == 14
    assert 'start="12"' in html  # the last section's list continues the numbering
    assert "Cabinet Public Relations Office" in html
    assert "Okada Katsuya, Minister for Foreign Affairs" in html  # cc list
    assert "Park Min-jung" in html


def test_each_copy_has_its_own_address_block_and_the_same_greeting(demo):
    cc = demo.recipients.get(position__title="Commandant")
    html = render_to_string("letters/_letter_text.html", letter_context(demo, copy_for=cc))
    address = html.split("</address>")[0]
    assert "Japan Coast Guard" in address
    assert "Cabinet Secretariat" not in address
    assert "Dear Prime Minister Hatoyama," in html


def test_letter_context_uses_a_fixed_number_of_queries(demo, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):
        render_to_string("letters/_letter_text.html", letter_context(demo))


def test_organisations_that_declined_or_withdrew_sign_neither_preview_nor_pdf():
    import datetime as dt

    from letters.text import letter_context
    from tests.factories import make_letter, make_organization, make_signatory

    letter = make_letter()
    now = dt.datetime(2009, 12, 1, tzinfo=dt.UTC)
    kept = make_signatory(letter, make_organization(name="Stays"), order=0)
    make_signatory(letter, make_organization(name="Declined"), order=1, declined_at=now)
    make_signatory(letter, make_organization(name="Withdrew"), order=2, withdrawn_at=now)

    assert letter_context(letter)["signatories"] == [kept]


# -- the approvable text: one serialisation for the hash, the snapshot, the diff and the PDF key


def approved_snapshot(letter) -> dict:
    """What `ApprovedText` keeps when the lead approves the letter as it is now."""
    lead = letter.signatories.get(role="lead")
    signing.approve_for_lead(signatory=lead, by=None, signer_name="Lee Lead", signer_title="Head")
    letter.refresh_from_db()
    return ApprovedText.objects.get(letter=letter, content_hash=letter.content_hash).snapshot


def test_the_approvable_text_is_what_prints_and_is_approved():
    letter = make_draft()
    text = approvable_text(letter)
    assert text["greeting"] == "Dear Prime Minister Hatoyama,"
    to, cc = text["recipients"]
    assert to["role"] == "to" and to["name"] == "H.E. Yukio Hatoyama"
    assert to["title"] == "Prime Minister" and to["institution"].startswith("Cabinet Office")
    assert to["salutation"] == "Dear Prime Minister Hatoyama,"
    assert cc["role"] == "cc" and cc["name"] == ""  # vacant
    assert [s["heading"] for s in text["sections"]] == ["Diplomacy", "Refugees"]
    press = text["sections"][0]["recommendations"][1]
    assert press["text"] == "Press China to stop forced returns."
    assert press["government"] == "JP" and press["third_state"] == "CN"
    assert press["reference"] == f"{letter.reference}-R02"
    assert text["signatories"] == [
        {"organization": letter.signatories.get().organization.name, "role": "lead"}
    ]
    # Delivery details and the signer's own words are not part of it.
    flat = str(text)
    assert "Kasumigaseki" not in flat
    lead = letter.signatories.get()
    lead.signer_name = "Someone Typed This"
    lead.save()
    assert approvable_text(letter) == text


def test_hash_snapshot_and_pdf_key_all_come_from_the_approvable_text():
    letter = make_draft()
    assert letter.compute_content_hash() == text_hash(approvable_text(letter))
    snapshot = approved_snapshot(letter)
    assert snapshot == approvable_text(letter)
    assert letter.content_hash == text_hash(snapshot)
    assert cache.key_inputs(letter)[0] == text_hash(snapshot)


def test_a_new_greeting_changes_the_hash_the_snapshot_and_the_pdf_key():
    letter = make_draft()
    before_hash, before_key = letter.compute_content_hash(), cache.pdf_cache_key(letter)
    before = approvable_text(letter)
    position = letter.recipients.get(role="to").position
    position.salutation_pattern = "Dear {honorific} {family_name},"
    position.save()

    after = approvable_text(letter)
    assert after["greeting"] == "Dear H.E. Hatoyama,"
    assert letter.compute_content_hash() != before_hash
    assert cache.pdf_cache_key(letter) != before_key
    changes = {c.label: c for c in diff_snapshots(before, after)}
    assert set(changes) == {"Greeting", "Recipients"}
    assert "<ins>H.E.</ins>" in changes["Greeting"].html


def test_an_address_or_a_signer_changes_only_the_pdf_key():
    letter = make_draft()
    text, content_hash = approvable_text(letter), letter.compute_content_hash()
    key = cache.pdf_cache_key(letter)

    position = letter.recipients.get(role="to").position
    position.address_lines = "1-6-1 Nagatacho"
    position.save()
    assert approvable_text(letter) == text and letter.compute_content_hash() == content_hash
    moved = cache.pdf_cache_key(letter)
    assert moved != key

    lead = letter.signatories.get()
    lead.signer_name = "Lee Lead"
    lead.save()
    assert approvable_text(letter) == text and letter.compute_content_hash() == content_hash
    assert cache.pdf_cache_key(letter) != moved


def test_the_approvable_text_takes_the_same_queries_for_any_size(django_assert_num_queries):
    letter = make_draft()
    with django_assert_num_queries(4):  # sections, recipients, their holders, signatories
        approvable_text(letter)
    section = letter.sections.first()
    for n in range(20):
        make_recommendation(section, text=f"Extra {n}")
        position = make_position(title=f"Ambassador {n}")
        make_term(position)
        make_recipient(letter, position, role="cc", order=n + 2)
    with django_assert_num_queries(4):
        text = approvable_text(letter)
    assert len(text["recipients"]) == 22 and text["recipients"][-1]["name"]


def test_a_frozen_letter_reads_its_recipients_without_the_address_book(
    django_assert_num_queries,
):
    letter = make_draft()
    before = approvable_text(letter)
    for recipient in letter.recipients.all():
        recipient.take_snapshot()
        recipient.save()
    letter.status = LetterStatus.FINAL
    letter.save()
    with django_assert_num_queries(3):
        assert approvable_text(letter) == before


def test_the_diff_reads_a_snapshot_kept_in_the_old_shape():
    """Approvals stored before names and greetings were kept: compared in their own terms."""
    letter = make_draft()
    text = approvable_text(letter)
    old = {
        "subject": text["subject"],
        "date": text["date"],
        "opening": text["opening"],
        "closing": text["closing"],
        "sections": [
            {
                **section,
                "recommendations": [
                    {**rec, "government": "Japan", "third_state": rec["third_state"] and "China"}
                    for rec in section["recommendations"]
                ],
            }
            for section in text["sections"]
        ],
        "recipients": [
            f"To: Prime Minister, {text['recipients'][0]['institution']}",
            f"Cc: Minister for Foreign Affairs, {text['recipients'][1]['institution']}",
        ],
        "signatories": [s["organization"] for s in text["signatories"]],
    }
    assert diff_snapshots(old, text) == []

    letter.subject = "A new subject"
    letter.save()
    letter.recipients.get(role="cc").delete()
    changes = diff_snapshots(old, approvable_text(letter))
    assert [c.label for c in changes] == ["Subject", "Recipients"]
    assert "<del>" in changes[1].html and "Foreign Affairs" in changes[1].html
    # Older still: keys missing altogether.
    assert [c.label for c in diff_snapshots({"subject": "A new subject"}, {})] == ["Subject"]
