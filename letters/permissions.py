"""
Roles are Django groups: Drafter, Coordinator and Admin. This module names
them, says which permissions each one carries, and answers "does this person
have a role at all".

`sync_groups()` (re)creates the groups with exactly these permissions; the
data migrations call it, and so does `manage.py sync_roles` after a change.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

DRAFTER = "Drafter"
COORDINATOR = "Coordinator"
ADMIN = "Admin"
ROLES = (DRAFTER, COORDINATOR, ADMIN)

DOMAIN_MODELS = {
    "letters": [
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
    ],
    "recipients": ["position", "official", "term"],
}

_VIEW_ALL = [f"view_{model}" for models in DOMAIN_MODELS.values() for model in models]
_DRAFTING = [
    f"{action}_{model}"
    for model in ["section", "recommendation", "letterrecipient", "signatory"]
    for action in ["add", "change", "delete"]
]

PERMISSIONS = {
    DRAFTER: [
        *_VIEW_ALL,
        *_DRAFTING,
        "add_letter",
        "change_letter",
        "add_theme",
        "add_followup",
        "change_followup",
    ],
    COORDINATOR: [
        *_VIEW_ALL,
        *_DRAFTING,
        "add_letter",
        "change_letter",
        "add_theme",
        "add_followup",
        "change_followup",
        "circulate_letter",
        "finalize_letter",
        "send_letter",
        "publish_letter",
        "add_pressrelease",
        "change_pressrelease",
        "add_quote",
        "change_quote",
        "add_organization",
        "change_organization",
    ],
    # Admins get every permission of these apps (see sync_groups).
    ADMIN: None,
}
ADMIN_APPS = ["letters", "recipients", "auth"]


def sync_groups(apps=global_apps) -> None:
    """Create the role groups and give each exactly its permissions."""
    for app_label in ADMIN_APPS:
        app_config = apps.get_app_config(app_label)
        # Historical app configs (in migrations) have no models module; the
        # permission creator skips those unless told otherwise.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = Permission.objects.filter(content_type__app_label__in=ADMIN_APPS)
        if codenames is not None:
            perms = perms.filter(content_type__app_label__in=DOMAIN_MODELS, codename__in=codenames)
        group.permissions.set(list(perms))


def role_names(user) -> set[str]:
    """The user's roles, cached on the user object for the request."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_role_names"):
        names = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        if user.is_superuser:
            names.add(ADMIN)
        user._role_names = names
    return user._role_names


def has_any_role(user) -> bool:
    return bool(role_names(user))


def require_role(request: HttpRequest) -> None:
    if not has_any_role(request.user):
        raise PermissionDenied("You need a role to see letters. Ask an administrator.")


def get_letter(request: HttpRequest, pk: int):
    """The letter, if this user may see it; 404 otherwise (no hint that it exists)."""
    from letters.models import Letter

    return get_object_or_404(Letter.objects.visible_to(request.user), pk=pk)
