from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from letters.permissions import PERMISSIONS, refusal, sync_groups

pytestmark = pytest.mark.django_db

# Everything a Drafter or a Coordinator does in the app beyond reading.
ACTIONS = [
    "letters.add_letter",
    "letters.change_letter",
    "letters.delete_letter",
    "letters.circulate_letter",
    "letters.finalize_letter",
    "letters.send_letter",
    "letters.publish_letter",
    "letters.add_section",
    "letters.change_recommendation",
    "letters.add_letterrecipient",
    "letters.change_signatory",
    "letters.add_pressrelease",
    "letters.change_pressrelease",
    "letters.add_quote",
    "letters.add_followup",
    "letters.change_followup",
    "letters.add_theme",
]


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


def test_admins_keep_organisations_and_only_read_the_rest_of_the_letters_app():
    letters = Group.objects.get(name="Admin").permissions.filter(content_type__app_label="letters")
    assert set(letters.values_list("codename", flat=True)) == {
        "add_organization",
        "change_organization",
        "delete_organization",
        *(
            f"view_{model}"
            for model in [
                "organization",
                "theme",
                "letter",
                "letterrecipient",
                "section",
                "recommendation",
                "signatory",
                "followup",
                "pressrelease",
                "quote",
            ]
        ),
    }


@pytest.mark.parametrize("permission", ACTIONS)
def test_the_admin_role_may_not_do_what_drafters_and_coordinators_do(admin_user, permission):
    assert admin_user.has_perm("letters.view_letter")
    assert not admin_user.has_perm(permission)


def test_nobody_may_delete_follow_ups(drafter, coordinator, admin_user):
    assert not drafter.has_perm("letters.delete_followup")
    assert not coordinator.has_perm("letters.delete_followup")
    assert not admin_user.has_perm("letters.delete_followup")


def test_every_permission_the_table_names_exists():
    for names in PERMISSIONS.values():
        for name in names:
            app_label, codename = name.split(".")
            found = Permission.objects.filter(content_type__app_label=app_label)
            if codename != "*":
                found = found.filter(codename=codename)
            assert found.exists(), name


def test_a_refusal_names_the_roles_that_may():
    assert refusal("letters.publish_letter") == (
        "Only Coordinators can publish letters; your role can read letters."
    )
    assert refusal("letters.change_letter") == (
        "Only Drafters and Coordinators can edit letters; your role can read letters."
    )


def test_the_demo_admin_is_no_superuser_and_reads_but_does_not_publish(demo):
    admin = User.objects.get(username="admin")
    assert admin.is_staff and not admin.is_superuser
    assert admin.has_perm("letters.view_letter")
    assert admin.has_perm("recipients.change_position")
    assert not admin.has_perm("letters.publish_letter")


def test_sync_roles_restores_permissions_removed_by_hand(drafter):
    group = Group.objects.get(name="Drafter")
    group.permissions.clear()
    call_command("sync_roles", stdout=io.StringIO())
    assert group.permissions.filter(codename="change_letter").exists()


def test_sync_roles_takes_back_permissions_given_by_hand():
    group = Group.objects.get(name="Admin")
    group.permissions.set(Permission.objects.all())
    call_command("sync_roles", stdout=io.StringIO())
    assert not group.permissions.filter(codename="publish_letter").exists()
    assert group.permissions.filter(codename="change_position").exists()


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_takes_back_what_the_admin_role_had_before():
    # An install from before: the Admin group held every permission. (Groups come
    # from a data migration, which an earlier transactional test may have flushed.)
    sync_groups()
    Group.objects.get(name="Admin").permissions.set(Permission.objects.all())
    executor = MigrationExecutor(connection)
    executor.migrate([("letters", "0007_rehash_frozen_letters")])
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    admin = Group.objects.get(name="Admin").permissions
    assert not admin.filter(codename__in=["publish_letter", "send_letter"]).exists()
    assert admin.filter(codename="view_letter").exists()
    assert admin.filter(codename="change_user").exists()
