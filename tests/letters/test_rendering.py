from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from letters.rendering import letter_context

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
