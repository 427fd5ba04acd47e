from __future__ import annotations

import pytest

from letters.markdown import render


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=//evil.example></iframe>",
        "<svg onload=alert(1)>",
        '<p style="background:url(javascript:alert(1))">x</p>',
    ],
)
def test_hostile_markdown_is_neutralised(payload):
    html = render(payload).lower()
    assert "<script" not in html
    assert "javascript:" not in html
    assert "onerror" not in html
    assert "<iframe" not in html
    assert "onload" not in html
    assert "style=" not in html


def test_ordinary_markdown_survives():
    html = render("We **urge** you to read [our report](https://example.org).")
    assert "<strong>urge</strong>" in html
    assert 'href="https://example.org"' in html


def test_short_texts_are_rendered_once_per_process_long_ones_every_time():
    from letters import markdown

    markdown._render_cached.cache_clear()
    text = "We ask the **government** to act. (cache test)"
    first = render(text)
    assert render(text) is first  # the same rendering, not a second one
    assert render(text + " Again.") != first
    assert markdown._render_cached.cache_info().hits == 1
    # The cached HTML is as safe as a fresh one.
    hostile = "<script>alert(1)</script> **x**"
    assert render(hostile) == markdown._render(hostile)
    assert "<script" not in render(hostile) and "<strong>x</strong>" in render(hostile)
    long = "word " * (markdown.CACHED_LENGTH // 5 + 1)
    assert render(long) is not render(long)
    assert markdown._render_cached.cache_info().currsize == 3
