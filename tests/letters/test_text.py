from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from letters.text import letter_context

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
