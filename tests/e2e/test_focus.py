"""
Keyboard users always see where they are (WCAG 2.4.7, 2.4.11, 1.4.11) and never
lose their place after an inline change (2.4.3): every focus stop of the main pages
is measured from its computed styles, and every kind of htmx swap in the editor is
followed by where focus went.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from letters.models import Section
from tests.e2e.conftest import assert_accessible
from tests.e2e.main_pages import make_main_pages
from tests.factories import make_draft, make_organization

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MAX_STOPS = 400

# What the focused element shows, and its contrast: see the script.
MEASURE_FOCUS = (Path(__file__).parent / "focus_indicator.js").read_text()


def focus_stops(page) -> list[dict]:
    """Tab through the page from its top until focus comes back round; measure each stop."""
    # Menus and disclosures open, so their items are measured too.
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    page.evaluate("document.activeElement && document.activeElement.blur()")
    stops: list[dict] = []
    seen: set[str] = set()
    for _ in range(MAX_STOPS):
        page.keyboard.press("Tab")
        stop = page.evaluate(MEASURE_FOCUS)
        if stop is None or stop["key"] in seen:
            break
        seen.add(stop["key"])
        stops.append(stop)
    else:
        pytest.fail(f"more than {MAX_STOPS} focus stops on {page.url}")
    return stops


def weak_stops(page) -> list[str]:
    stops = focus_stops(page)
    assert stops, f"no focus stop on {page.url}"
    return [
        f"{s['element']}: {s['indicator']} on {s['behind']} = {s['ratio']}:1"
        for s in stops
        if s["ratio"] < 3
    ]


def test_every_focus_stop_of_the_main_pages_shows_focus_at_3_to_1(
    page, browser, live_server, log_in, demo, coordinator
):
    pages = make_main_pages(demo=demo, coordinator=coordinator)
    failures: dict[str, list[str]] = {}
    # Styles are read the moment focus lands: no transition may be half-way (Bootstrap
    # animates a button's box-shadow for 0.15 s, longer on a loaded machine).
    page.emulate_media(reduced_motion="reduce")
    anonymous = browser.new_context(reduced_motion="reduce").new_page()
    for name, path in pages.public.items():
        anonymous.goto(f"{live_server.url}{path}")
        if weak := weak_stops(anonymous):
            failures[name] = weak
    anonymous.context.close()

    log_in(coordinator)
    for name, path in pages.staff.items():
        page.goto(f"{live_server.url}{path}")
        if weak := weak_stops(page):
            failures[name] = weak
    assert not failures, "\n".join(
        f"{name}:\n  " + "\n  ".join(weak) for name, weak in failures.items()
    )


def test_the_current_nav_item_looks_different_when_focused(page, live_server, log_in, drafter):
    page.emulate_media(reduced_motion="reduce")  # no transition half-way
    log_in(drafter)
    current = page.locator(".app-navbar .nav-link.active")
    expect(current).to_have_text("Dashboard")
    look = """el => {
        const s = getComputedStyle(el);
        return [s.outlineStyle, s.outlineColor, s.boxShadow].join(" | ");
    }"""
    unfocused = current.evaluate(look)
    page.keyboard.press("Tab")  # the skip link
    while not current.evaluate("el => el === document.activeElement"):
        page.keyboard.press("Tab")
    focused = current.evaluate(look)
    assert focused != unfocused
    assert "none" not in focused.split(" | ")[0]


# Focus after each kind of swap in the editor ------------------------------------


def active_within(page, selector: str):
    """A locator that matches only while the focused element is inside `selector`."""
    return page.locator(f"{selector}:has(:focus), {selector}:focus")


@pytest.fixture
def editor(page, live_server, log_in, drafter):
    letter = make_draft(reference="JP-FOCUS")
    make_organization(name="Refugee Support Network Japan")
    log_in(drafter)
    page.goto(f"{live_server.url}/letters/{letter.pk}/edit/")
    page.on("dialog", lambda dialog: dialog.accept())  # hx-confirm on deletes
    return letter


def section_box(page, heading: str):
    return page.get_by_role("region", name=re.compile(rf"^\d+\. {re.escape(heading)}$"))


def test_focus_goes_to_the_new_recommendation_after_adding_it(page, editor):
    box = section_box(page, "Refugees")
    box.get_by_role("link", name="Add a recommendation to “Refugees”").click()
    expect(box.get_by_label("Text")).to_be_focused()
    box.get_by_label("Text").fill("Grant humanitarian visas.")
    box.get_by_role("button", name="Add recommendation").click()
    expect(page.get_by_text("Grant humanitarian visas.")).to_be_visible()
    new = editor.recommendations.get(text="Grant humanitarian visas.")
    expect(page.get_by_role("link", name=f"Edit {new.reference}")).to_be_focused()
    assert_accessible(page)


def test_cancelling_a_new_recommendation_returns_focus_to_its_add_link(page, editor):
    box = section_box(page, "Refugees")
    box.get_by_role("link", name="Add a recommendation to “Refugees”").click()
    box.get_by_role("link", name="Cancel").click()
    expect(
        section_box(page, "Refugees").get_by_role("link", name="Add a recommendation to “Refugees”")
    ).to_be_focused()


def test_saving_or_cancelling_an_edit_returns_focus_to_its_edit_link(page, editor):
    rec = editor.recommendations.order_by("number").first()
    page.get_by_role("link", name=f"Edit {rec.reference}").click()
    page.locator(f"#rec-{rec.pk}").get_by_label("Text").fill("Raise human rights at every summit.")
    page.locator(f"#rec-{rec.pk}").get_by_role("button", name="Save").click()
    expect(page.get_by_role("link", name=f"Edit {rec.reference}")).to_be_focused()

    section = editor.sections.get(heading="Diplomacy")
    page.get_by_role("link", name="Edit section “Diplomacy”").click()
    page.locator(f"#section-{section.pk}").get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("link", name="Edit section “Diplomacy”")).to_be_focused()


def test_deleting_a_recommendation_moves_focus_to_its_neighbour(page, editor):
    first, second = editor.recommendations.order_by("number")[:2]
    page.get_by_role("button", name=f"Delete {first.reference}").click()
    expect(page.locator(f"#rec-{first.pk}")).to_have_count(0)
    expect(active_within(page, f"#rec-{second.pk}")).to_have_count(1)
    # The last one of a section: focus stays in its section.
    page.get_by_role("button", name=f"Delete {second.reference}").click()
    expect(page.locator(f"#rec-{second.pk}")).to_have_count(0)
    expect(active_within(page, f"#section-{first.section_id}")).to_have_count(1)


def test_deleting_a_section_moves_focus_to_the_next_section(page, editor):
    diplomacy, refugees = Section.objects.filter(letter=editor).order_by("order")
    page.get_by_role("button", name="Delete section “Diplomacy”").click()
    expect(page.locator(f"#section-{diplomacy.pk}")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit section “Refugees”")).to_be_focused()


def test_moving_a_section_keeps_focus_on_its_button(page, editor):
    page.get_by_role("button", name="Move “Refugees” up").click()
    expect(section_box(page, "Refugees")).to_have_accessible_name("1. Refugees")
    expect(page.get_by_role("button", name="Move “Refugees” down")).to_be_focused()


def test_adding_and_removing_recipients_keeps_focus_in_the_recipients(page, editor):
    recipients = page.get_by_role("region", name="Recipients")
    cc = editor.recipients.get(role="cc")
    recipients.get_by_role("button", name="Remove Minister for Foreign Affairs").click()
    expect(recipients.locator(f"#recipient-{cc.pk}")).to_have_count(0)
    expect(active_within(page, "#recipients")).to_have_count(1)
    assert page.evaluate("document.activeElement.tagName") != "BODY"

    page.get_by_label("Find an office").fill("foreign")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Add as Cc for Minister for Foreign Affairs").click()
    added = page.locator(".recipient", has_text="Minister for Foreign Affairs")
    expect(added).to_have_count(1)
    expect(added.locator(":focus")).to_have_count(1)


def test_signatories_keep_focus_on_add_edit_and_remove(page, editor):
    signers = page.get_by_role("region", name="Signing organisations")
    organisation = signers.get_by_role("combobox", name=re.compile("^Organisation"))
    organisation.select_option(label="Refugee Support Network Japan")
    signers.get_by_role("button", name="Add organisation").click()
    expect(signers.get_by_text("Refugee Support Network Japan signs as co-signer.")).to_be_visible()
    expect(signers.get_by_role("button", name="Add organisation")).to_be_focused()

    signers.get_by_role("link", name="Edit Refugee Support Network Japan").click()
    expect(signers.locator(".editing :focus")).to_have_count(1)  # its first field
    signers.locator(".editing").get_by_label("Signer's name").fill("Ken Sato")
    signers.locator(".editing").get_by_role("button", name="Save").click()
    expect(signers.get_by_role("link", name="Edit Refugee Support Network Japan")).to_be_focused()

    signers.get_by_role("button", name="Remove Refugee Support Network Japan").click()
    expect(signers.get_by_text("Removed Refugee Support Network Japan.")).to_be_visible()
    expect(active_within(page, "#signatories")).to_have_count(1)
    assert page.evaluate("document.activeElement.tagName") != "BODY"


def test_a_sign_on_board_action_brings_focus_back_to_the_board(
    page, live_server, log_in, coordinator
):
    from letters import signing
    from tests.factories import make_signing_letter

    letter = make_signing_letter(reference="JP-BOARD")
    signing.circulate(letter=letter, by=coordinator, deadline=timezone.now() + dt.timedelta(days=7))
    log_in(coordinator)
    page.goto(f"{live_server.url}{letter.get_absolute_url()}")
    page.get_by_role("button", name="Re-issue link for Partner 1").click()
    expect(page.get_by_text("New link for Partner 1")).to_be_visible()
    expect(page.locator("#sign-on")).to_be_focused()
    assert_accessible(page)


def test_starting_a_print_batch_keeps_focus_in_the_batch(page, live_server, log_in, coordinator):
    letter = make_draft(reference="JP-BATCH")
    log_in(coordinator)
    page.goto(f"{live_server.url}{letter.get_absolute_url()}")
    page.get_by_role("button", name="Print every copy in the background").click()
    # The immediate task backend prints in the request: the swap brings the download.
    expect(page.get_by_role("link", name="Download the copies (ZIP)")).to_be_focused()
