from __future__ import annotations

from django.conf import settings


def site(request) -> dict:
    return {"site_name": settings.SITE_NAME, "nav_section": nav_section(request)}


def nav_section(request) -> str:
    """Which item of the navigation bar the current page sits under."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    if match.namespace == "recipients":
        return "directory"
    if match.namespace == "letters":
        for section in ("tracking", "organisations"):
            if match.url_name.startswith(section):
                return section
        return "letters"
    return "dashboard" if match.url_name == "dashboard" else ""
