"""
Markdown for user text: rendered with Python-Markdown, then cleaned by nh3
against an allow-list, so nothing a user types reaches a page or a PDF as
raw HTML.
"""

from __future__ import annotations

from functools import lru_cache

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "a", "ul", "ol", "li",
    "blockquote", "code", "pre", "h3", "h4", "h5", "h6", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}

# Deeply nested input makes renderers recurse; refuse it before it gets there.
MAX_LENGTH = 100_000
# Texts up to this length are kept rendered, per process, by their text: a
# letter's opening of 2,000 characters takes 2.6 ms to render, and every view
# of the letter page rendered its opening, sections and closing again. The
# cache holds at most CACHED_TEXTS * (CACHED_LENGTH + its HTML), about 25 MB.
CACHED_LENGTH = 10_000
CACHED_TEXTS = 512


def render(text: str) -> SafeString:
    if not text:
        return mark_safe("")
    if len(text) <= CACHED_LENGTH:
        return _render_cached(text)
    return _render(text)


@lru_cache(maxsize=CACHED_TEXTS)
def _render_cached(text: str) -> SafeString:
    return _render(text)


def _render(text: str) -> SafeString:
    html = md.markdown(text[:MAX_LENGTH], extensions=["sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return mark_safe(clean)  # cleaned by nh3 just above
