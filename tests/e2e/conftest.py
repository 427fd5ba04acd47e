"""Browser-test helpers: log in through the real form, and check every page with axe-core."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.factories import PASSWORD

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
_axe = Axe()


def assert_accessible(page) -> None:
    """Fail on any WCAG 2.2 A/AA violation axe-core finds on the current page."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """
    Pages at rest: Bootstrap animates a button's colours and shadow for 0.15 s when it
    gains focus or hover (longer on a loaded machine), and axe once sampled a link half-way
    (1.42:1) after focus moved to it. Bootstrap turns its transitions off for reduced motion.
    """
    return {**browser_context_args, "reduced_motion": "reduce"}


@pytest.fixture(autouse=True)
def _roles(transactional_db):
    """Live-server tests flush the database between tests, groups included."""
    from letters.permissions import sync_groups

    sync_groups()


@pytest.fixture
def axe_check():
    return assert_accessible


@pytest.fixture
def log_in(page, live_server):
    """Log in through the login page, as a person would, and check it for accessibility."""

    def _log_in(user):
        page.goto(f"{live_server.url}/login/")
        assert_accessible(page)
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return _log_in
