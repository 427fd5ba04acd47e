"""A copied letter (duplicate, follow-up letter) starts its sign-on afresh."""

from __future__ import annotations

import pytest

from letters import drafting
from tests.factories import make_draft, make_signatory

pytestmark = pytest.mark.django_db


def test_a_copied_draft_does_not_carry_the_earlier_signer_names():
    letter = make_draft()
    lead = letter.signatories.get()
    lead.signer_name, lead.signer_title = "Aiko Morita", "Tokyo Director"
    lead.save()
    make_signatory(letter, role="cosigner", order=1, signer_name="Kenji", signer_title="Head")
    copy = drafting.copy_letter(letter, reference="COPY-1")
    signatories = list(copy.signatories.order_by("order"))
    assert [(s.organization, s.role) for s in signatories] == [
        (s.organization, s.role) for s in letter.signatories.order_by("order")
    ]
    assert {(s.signer_name, s.signer_title) for s in signatories} == {("", "")}
    assert all(s.approved_at is None and not s.signature for s in signatories)
