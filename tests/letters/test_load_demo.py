from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from letters.models import FollowUp, Letter, PressRelease, Recommendation, Signatory
from recipients.models import Position

pytestmark = pytest.mark.django_db


def counts():
    return [
        m.objects.count()
        for m in (Letter, Recommendation, Signatory, FollowUp, PressRelease, Position, User)
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
