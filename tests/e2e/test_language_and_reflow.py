"""
Every main page, with Japanese letters in the data: Japanese text outside a letter's
body carries its language (WCAG 3.1.2), and the page reflows at 320 CSS pixels
without scrolling sideways (WCAG 1.4.10).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import assert_accessible
from tests.e2e.main_pages import make_main_pages

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"

# Each piece of visible text in Japanese script, with the language of its nearest
# `lang`: whatever a screen reader would read it as.
JAPANESE_TEXT_LANGS = r"""() => {
  const japanese = /[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]/;
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!japanese.test(node.textContent)) continue;
    const el = node.parentElement;
    if (el.closest("script, style, template, textarea, select")) continue;
    const lang = el.closest("[lang]").getAttribute("lang");
    found.push({text: node.textContent.trim().slice(0, 40), lang: lang, tag: el.tagName});
  }
  return found;
}"""

OVERFLOW = """() => {
  const doc = document.documentElement;
  const wide = Array.from(document.body.querySelectorAll("*"))
    .filter((el) => el.getBoundingClientRect().right > doc.clientWidth + 1)
    .filter((el) => !el.closest(".table-responsive, .visually-hidden, .visually-hidden-focusable"))
    .slice(0, 5)
    .map((el) => el.tagName.toLowerCase() + "." + String(el.className).split(" ").join("."));
  return {scroll: doc.scrollWidth, client: doc.clientWidth, wide: wide};
}"""


def visit_all(page, browser, live_server, log_in, pages, check) -> dict[str, object]:
    """Run `check(page, name)` on every main page; returns the failures by page."""
    failures: dict[str, object] = {}
    anonymous = browser.new_context(viewport=page.viewport_size).new_page()
    for name, path in pages.public.items():
        anonymous.goto(f"{live_server.url}{path}")
        if problem := check(anonymous, name):
            failures[name] = problem
    anonymous.context.close()
    log_in(pages.user)
    for name, path in pages.staff.items():
        page.goto(f"{live_server.url}{path}")
        if problem := check(page, name):
            failures[name] = problem
    return failures


@pytest.fixture
def pages(demo, coordinator):
    main = make_main_pages(demo=demo, coordinator=coordinator)
    main.user = coordinator
    return main


def test_japanese_text_outside_the_letter_carries_its_language(
    page, browser, live_server, log_in, pages
):
    seen: dict[str, int] = {}

    def check(page, name):
        texts = page.evaluate(JAPANESE_TEXT_LANGS)
        seen[name] = len(texts)
        return [t for t in texts if not t["lang"].startswith("ja")]

    failures = visit_all(page, browser, live_server, log_in, pages, check)
    assert not failures, failures
    # Every page showed some Japanese, except the ones that show no letter.
    assert {name for name, count in seen.items() if not count} <= {
        "login",
        "charts",
        "directory",
    }


def test_every_main_page_reflows_at_320_pixels(page, browser, live_server, log_in, pages):
    page.set_viewport_size({"width": 320, "height": 800})
    SCREENSHOTS.mkdir(exist_ok=True)

    def check(page, name):
        page.screenshot(path=SCREENSHOTS / f"reflow_{name.replace(' ', '_')}.png", full_page=True)
        size = page.evaluate(OVERFLOW)
        if size["scroll"] > size["client"]:
            return size
        assert_accessible(page)
        return None

    failures = visit_all(page, browser, live_server, log_in, pages, check)
    assert not failures, failures
