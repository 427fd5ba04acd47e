"""
Who may do what. Roles are Django groups (Drafter, Coordinator, Admin);
`PERMISSIONS` is the one table that says which Django permissions each role
carries. Views never ask for a role, only for a permission, through the
helpers below (modelled on healthchecks' `_get_check_for_user`):

- `get_letter_for(request, pk, permission)`, `get_recommendation_for(...)` and
  `get_follow_up_for(...)` fetch one object the user may see and act on;
- `check_permission(request, permission)` and the `@requires(permission)`
  decorator guard pages that are not about one letter.

Seeing letters, with their recommendations and follow-ups, is
`letters.view_letter`. Without it a user is told they need a role, before any
lookup, so the answer is the same whether a letter exists or not. A letter
they may not see is a 404; one they may see but not act on is a 403 that says
which roles may.

`sync_groups()` (re)creates the groups with exactly these permissions; the
data migrations call it, and so does `manage.py sync_roles` after a change.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

if TYPE_CHECKING:
    from letters.models import FollowUp, Letter, Organization, Recommendation

DRAFTER = "Drafter"
COORDINATOR = "Coordinator"
ADMIN = "Admin"

SEE_LETTERS = "letters.view_letter"
# Coordinators run the sign-on, so they are the ones who put a signer's
# signature image on file.
UPLOAD_SIGNATURES = "letters.circulate_letter"

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
    "recipients": ["position", "official", "term", "mailinglist"],
}

_READ = [f"{app}.view_{model}" for app, models in DOMAIN_MODELS.items() for model in models]
_DRAFT = [
    *(
        f"letters.{action}_{model}"
        for model in ["section", "recommendation", "letterrecipient", "signatory"]
        for action in ["add", "change", "delete"]
    ),
    "letters.add_letter",
    "letters.change_letter",
    "letters.add_theme",
    "letters.add_followup",
    "letters.change_followup",
    # The directory of organisations that sign, kept by those who gather signatures.
    "letters.add_organization",
    "letters.change_organization",
]

# "app.*" stands for every permission of that app.
PERMISSIONS: dict[str, list[str]] = {
    DRAFTER: [*_READ, *_DRAFT],
    COORDINATOR: [
        *_READ,
        *_DRAFT,
        "letters.circulate_letter",
        "letters.finalize_letter",
        "letters.send_letter",
        "letters.publish_letter",
        "letters.add_pressrelease",
        "letters.change_pressrelease",
        "letters.add_quote",
        "letters.change_quote",
    ],
    # The address book, organisations and user accounts; letters only to read.
    ADMIN: [
        *_READ,
        "recipients.*",
        "auth.*",
        "letters.add_organization",
        "letters.change_organization",
        "letters.delete_organization",
    ],
}
APPS = ["letters", "recipients", "auth"]

# What a permission lets one do, for the message that refuses it.
ACTIONS = {
    "letters.add_letter": "write letters",
    "letters.change_letter": "edit letters",
    "letters.circulate_letter": "run the sign-on (circulate, links, reminders, signatures)",
    "letters.finalize_letter": "finalise or withdraw letters",
    "letters.send_letter": "record sending or print batches of copies",
    "letters.publish_letter": "publish letters",
    "letters.add_pressrelease": "write press releases",
    "letters.change_pressrelease": "edit press releases",
    "letters.add_followup": "record follow-ups",
    "letters.change_followup": "correct follow-ups",
    "letters.change_organization": "edit organisations",
    "letters.delete_organization": "merge organisations",
}
NO_ROLE = "You need a role to see letters. Ask an administrator."


def sync_groups(apps=global_apps) -> None:
    """Create the role groups and give each exactly its permissions."""
    for app_label in APPS:
        app_config = apps.get_app_config(app_label)
        # Historical app configs (in migrations) have no models module; the
        # permission creator skips those unless told otherwise.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(list(Permission.objects.filter(_matching(names))))


def _matching(names: list[str]) -> Q:
    query = Q(pk__in=[])
    for name in names:
        app_label, codename = name.split(".")
        if codename == "*":
            query |= Q(content_type__app_label=app_label)
        else:
            query |= Q(content_type__app_label=app_label, codename=codename)
    return query


def roles_with(permission: str) -> list[str]:
    app_label = permission.split(".")[0]
    return [
        role
        for role, names in PERMISSIONS.items()
        if permission in names or f"{app_label}.*" in names
    ]


def refusal(permission: str) -> str:
    """Why `permission` is refused to someone who may read letters, and who has it."""
    roles = [f"{role}s" for role in roles_with(permission)]
    action = ACTIONS.get(permission, "do this")
    if not roles:
        return f"No role may {action}."
    who = roles[0] if len(roles) == 1 else f"{', '.join(roles[:-1])} and {roles[-1]}"
    return f"Only {who} can {action}; your role can read letters."


def check_permission(request: HttpRequest, permission: str) -> None:
    """403 unless the user may see letters and has `permission`, saying why."""
    if not request.user.has_perm(SEE_LETTERS):
        raise PermissionDenied(NO_ROLE)
    if not request.user.has_perm(permission):
        raise PermissionDenied(refusal(permission))


def requires(permission: str) -> Callable:
    """Decorate a view that is not about one letter with `check_permission`."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            check_permission(request, permission)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def get_letter_for(request: HttpRequest, pk: int, permission: str) -> Letter:
    """The letter, if this user may see it (404 otherwise) and has `permission` (403)."""
    from letters.models import Letter

    check_permission(request, SEE_LETTERS)
    letter = get_object_or_404(Letter.objects.visible_to(request.user), pk=pk)
    check_permission(request, permission)
    return letter


def get_recommendation_for(request: HttpRequest, pk: int, permission: str) -> Recommendation:
    """The recommendation, with its letter and section, on the same terms as its letter."""
    from letters.models import Recommendation

    check_permission(request, SEE_LETTERS)
    rec = get_object_or_404(
        Recommendation.objects.visible_to(request.user).select_related("letter", "section"),
        pk=pk,
    )
    check_permission(request, permission)
    return rec


def get_follow_up_for(request: HttpRequest, pk: int, permission: str) -> FollowUp:
    """
    The follow-up entry, on the same terms as its letter, except that someone
    who may not see letters gets a 404: an entry's address (its evidence
    download) says nothing, not even that entries exist.
    """
    from letters.models import FollowUp, Letter

    if not request.user.has_perm(SEE_LETTERS):
        raise Http404
    entry = get_object_or_404(
        FollowUp.objects.select_related("recommendation__letter").filter(
            recommendation__letter__in=Letter.objects.visible_to(request.user)
        ),
        pk=pk,
    )
    check_permission(request, permission)
    return entry


def get_organization_for(request: HttpRequest, pk: int, permission: str) -> Organization:
    """An organisation of the directory, for a user who may see letters and has `permission`."""
    from letters.models import Organization

    check_permission(request, SEE_LETTERS)
    organization = get_object_or_404(Organization, pk=pk)
    check_permission(request, permission)
    return organization
