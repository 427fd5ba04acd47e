from __future__ import annotations

from django.conf import settings

# Pages of the letters app that belong to the follow-up tracker in the navigation.
TRACKER_PAGES = ("tracker", "recommendation", "follow_up_correct", "follow_up_evidence")


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
        return "tracker" if match.url_name.startswith(TRACKER_PAGES) else "letters"
    return "dashboard" if match.url_name == "dashboard" else ""
