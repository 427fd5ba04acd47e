"""
Approvals, edits and finalising at the same moment, in real threads with their
own database connections. Run it on PostgreSQL (DATABASE_URL=postgres://...),
where the row locks are real; SQLite serialises writers on its own.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from letters import sending, signing
from letters.models import Letter, LetterStatus, Recommendation, SignatoryRole
from tests.factories import make_organization, make_signatory, make_signing_letter

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason=(
            "the in-memory SQLite test database uses a shared cache, where a second writer "
            "fails with 'table is locked' instead of waiting; run this file with "
            "DATABASE_URL=postgres://... (CI does), where the row locks under test exist"
        ),
    ),
]

COSIGNERS = 6


def setup_letter() -> Letter:
    letter = make_signing_letter(cosigners=0)
    for n in range(COSIGNERS):
        make_signatory(letter, make_organization(), order=n + 1)
    letter.touch()
    signing.circulate(
        letter=letter,
        by=None,
        deadline=timezone.now() + dt.timedelta(days=1),
    )
    lead = letter.signatories.get(role=SignatoryRole.LEAD)
    signing.approve_for_lead(signatory=lead, by=None, signer_name="Lee", signer_title="Head")
    return Letter.objects.get(pk=letter.pk)


def run_together(*jobs) -> list[BaseException]:
    """Start every job at the same instant, each on its own connection; collect errors."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def wrap(job):
        try:
            barrier.wait()
            job()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def approver(token: str, seen_hash: str):
    def job():
        try:
            signing.approve(
                token=token,
                content_hash=seen_hash,
                signer_name="Rep",
                signer_title="Director",
                consent_to_publish=True,
            )
        except signing.SigningError:
            pass  # the text changed or the letter froze first: refused, as it should be

    return job


def test_simultaneous_approvals_all_count():
    letter = setup_letter()
    tokens = list(
        letter.signatories.filter(role=SignatoryRole.COSIGNER).values_list("token", flat=True)
    )
    errors = run_together(*[approver(t, letter.content_hash) for t in tokens])
    assert errors == []
    letter.refresh_from_db()
    assert all(s.has_approved(letter.content_hash) for s in letter.signatories.all())
    assert sending.finalise(letter=letter, by=None) == []


def editor(letter_pk: int):
    """An edit done the way the editor must: lock the letter, check it is editable, touch."""

    def job():
        with transaction.atomic():
            letter = Letter.objects.select_for_update().get(pk=letter_pk)
            if not letter.is_editable:
                return
            rec = Recommendation.objects.filter(letter=letter).first()
            rec.text = rec.text + " (amended)"
            rec.save()
            letter.touch()

    return job


def finaliser(letter_pk: int, outcome: list):
    def job():
        for _ in range(20):
            problems = sending.finalise(letter=Letter(pk=letter_pk), by=None)
            if not problems:
                outcome.append("final")
                return

    return job


@pytest.mark.parametrize("round_", range(4))
def test_finalising_while_others_approve_and_edit_never_freezes_a_stale_approval(round_):
    letter = setup_letter()
    seen = letter.content_hash
    tokens = list(
        letter.signatories.filter(role=SignatoryRole.COSIGNER).values_list("token", flat=True)
    )
    # Most approve first; the last ones race the finaliser and an edit.
    for token in tokens[:-2]:
        approver(token, seen)()
    outcome: list[str] = []
    jobs = [approver(t, seen) for t in tokens[-2:]] + [finaliser(letter.pk, outcome)]
    if round_ % 2:
        jobs.append(editor(letter.pk))
    errors = run_together(*jobs)
    assert errors == []

    letter.refresh_from_db()
    assert letter.content_hash == letter.compute_content_hash()
    if letter.status == LetterStatus.FINAL:
        assert outcome == ["final"]
        assert all(s.has_approved(letter.content_hash) for s in letter.signatories.all())
        assert all(r.is_frozen for r in letter.recipients.all())
    else:
        # Whatever it lost to, finalising now succeeds exactly when every
        # approval is for the text as it stands.
        assert letter.status == LetterStatus.CIRCULATING
        everyone = all(s.has_approved(letter.content_hash) for s in letter.signatories.all())
        assert (sending.finalise(letter=letter, by=None) == []) == everyone
