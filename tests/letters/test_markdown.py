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
