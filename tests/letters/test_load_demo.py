from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from letters.management.commands.load_demo import FOLLOW_UPS
from letters.models import FollowUp, Letter, PressRelease, Recommendation, SentCopy, Signatory
from recipients.models import Position

pytestmark = pytest.mark.django_db


def counts():
    return [
        m.objects.count()
        for m in (
            Letter,
            Recommendation,
            Signatory,
            FollowUp,
            PressRelease,
            SentCopy,
            Position,
            User,
        )
    ]


def test_it_creates_the_real_case(demo):
    assert demo.subject.startswith("Human rights")
    assert demo.lead_organization.signatures.filter(letter=demo, role="lead").exists()
    assert demo.signatories.count() == 4
    assert demo.sections.count() == 4
    assert demo.recommendations.count() == 14
    assert demo.recommendations.exclude(government="JP").count() == 0
    assert {str(c) for c in demo.recommendations.values_list("third_state", flat=True)} >= {
        "CN",
        "KP",
    }
    to = [r.position.title for r in demo.recipients.all() if r.role == "to"]
    cc = [r.position.title for r in demo.recipients.all() if r.role == "cc"]
    assert to == ["Prime Minister"]
    assert len(cc) == 3
    assert demo.press_releases.get().quotes.count() == 1
    assert FollowUp.objects.filter(recommendation__letter=demo).count() >= 3
    for signatory in demo.signatories.all():
        assert signatory.has_approved(demo.content_hash)
    assert demo.content_hash == demo.compute_content_hash()


def test_each_follow_up_is_on_the_recommendation_it_names(demo):
    recorded = {
        (f.recommendation.number, f.date, f.note)
        for f in FollowUp.objects.filter(recommendation__letter=demo).select_related(
            "recommendation"
        )
    }
    assert recorded == {(number, date, note) for number, date, *_, note, _review in FOLLOW_UPS}


def test_it_creates_one_user_per_role(demo):
    for username, role in [
        ("drafter", "Drafter"),
        ("coordinator", "Coordinator"),
        ("admin", "Admin"),
    ]:
        assert User.objects.get(username=username).groups.filter(name=role).exists()


def test_it_prints_the_demo_passwords():
    out = io.StringIO()
    call_command("load_demo", allow_production=True, stdout=out)
    assert "coordinator / letters-coordinator" in out.getvalue()


def test_it_can_run_twice(demo):
    before = counts()
    call_command("load_demo", allow_production=True, stdout=io.StringIO())
    assert counts() == before


def test_it_refuses_to_run_in_production(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo", stdout=io.StringIO())


def test_the_sent_letter_has_its_archived_copies(demo):
    import hashlib

    from pypdf import PdfReader

    copies = list(demo.sent_copies.select_related("recipient"))
    assert sorted(c.recipient_id for c in copies) == sorted(r.pk for r in demo.recipients.all())
    for copy in copies:
        with copy.file.open("rb") as fh:
            data = fh.read()
        assert data.startswith(b"%PDF-")
        assert copy.sha256 == hashlib.sha256(data).hexdigest()
        assert copy.size == len(data)
        assert copy.content_hash == demo.content_hash
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
        assert copy.recipient.snapshot_title.split(",")[0] in text


def test_it_went_through_the_workflow_and_keeps_the_2009_dates(demo):
    import datetime as dt

    from letters.models import ApprovedText

    assert demo.status == "sent"
    assert demo.sent_at == dt.datetime(2009, 12, 10, 1, 0, tzinfo=dt.UTC)
    assert demo.finalized_at.date() == dt.date(2009, 12, 9)
    assert demo.sign_on_deadline.year == 2009
    assert {s.approved_at.date() for s in demo.signatories.all()} == {dt.date(2009, 12, 7)}
    assert all(s.signer_name for s in demo.signatories.all())
    assert ApprovedText.objects.get(letter=demo).content_hash == demo.content_hash
    assert {r.snapshot_taken_at.year for r in demo.recipients.all()} == {2009}
    assert {r.sent_on for r in demo.recipients.all()} == {dt.date(2009, 12, 10)}
    assert {c.created_at for c in demo.sent_copies.all()} == {demo.sent_at}
    assert {f.recorded_at.year for f in FollowUp.objects.filter(recommendation__letter=demo)} <= {
        2009,
        2010,
    }
    follow_up = Letter.objects.get(reference="JP-2010-06")
    assert follow_up.status == "draft" and follow_up.repeats_letter == demo
