from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_drafters_draft_but_cannot_finalise_or_publish(drafter):
    assert drafter.has_perm("letters.change_letter")
    assert drafter.has_perm("letters.add_recommendation")
    assert not drafter.has_perm("letters.finalize_letter")
    assert not drafter.has_perm("letters.publish_letter")
    assert not drafter.has_perm("recipients.change_position")


def test_coordinators_finalise_send_and_publish(coordinator):
    for perm in ["circulate_letter", "finalize_letter", "send_letter", "publish_letter"]:
        assert coordinator.has_perm(f"letters.{perm}")
    assert not coordinator.has_perm("recipients.change_position")
    assert not coordinator.has_perm("auth.change_user")


def test_admins_keep_the_address_book_and_users(admin_user):
    assert admin_user.has_perm("recipients.change_position")
    assert admin_user.has_perm("recipients.add_term")
    assert admin_user.has_perm("auth.change_user")


def test_nobody_may_delete_follow_ups_but_admins(drafter, coordinator):
    assert not drafter.has_perm("letters.delete_followup")
    assert not coordinator.has_perm("letters.delete_followup")


def test_sync_roles_restores_permissions_removed_by_hand(drafter):
    group = Group.objects.get(name="Drafter")
    group.permissions.clear()
    call_command("sync_roles", stdout=io.StringIO())
    assert group.permissions.filter(codename="change_letter").exists()
