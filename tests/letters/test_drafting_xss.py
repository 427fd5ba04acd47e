"""
Hostile input through every text field of the editor comes back inert on the
editor, the preview and the letter page: escaped, or Markdown sanitised by nh3.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from letters.models import Recommendation
from tests.factories import make_draft

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](javascript&colon;alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    '<a href="&#106;avascript:alert(1)">x</a>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "{{ 7|add:7 }}{% csrf_token %}",
    "<<script>>alert(1)//<</script>",
]

URL_ATTRIBUTES = {"href", "src", "action", "data", "xlink:href", "poster", "background"}


class ActiveContent(HTMLParser):
    """Collect anything in a page that could run: scripts, event handlers, script URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.bodies = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not (attrs.get("src") or "").startswith("/static/"):
            self.found.append(f"<script {attrs}>")
        # Our own server-rendered charts are SVG; anything else would be injected.
        own_chart = tag == "svg" and attrs.get("class") == "chart-svg"
        if tag in {"iframe", "object", "embed", "svg", "math", "style", "base"} and not own_chart:
            self.found.append(f"<{tag}>")
        if tag == "body":
            self.bodies += 1
            if self.bodies > 1:
                self.found.append("a second <body>")
        for name, value in attrs.items():
            if name.startswith("on") or name in {"style", "formaction", "srcdoc"}:
                self.found.append(f"{tag}[{name}]")
            if name in URL_ATTRIBUTES and value:
                scheme = "".join(value.split()).lower()
                if scheme.startswith(("javascript:", "vbscript:", "data:")):
                    self.found.append(f"{tag}[{name}={value}]")


def active_content(html: str) -> list[str]:
    parser = ActiveContent()
    parser.feed(html)
    return parser.found


def test_the_checker_catches_what_it_looks_for():
    assert active_content('<img src=x onerror="alert(1)">') == ["img[onerror]"]
    assert active_content('<a href=" JavaScript:alert(1)">x</a>')
    assert active_content("<script>alert(1)</script>")
    assert not active_content('<script src="/static/js/drafting.js" defer></script>')
    assert not active_content('<svg class="chart-svg" role="img"></svg>')
    assert active_content('<svg onload="alert(1)">') == ["<svg>", "svg[onload]"]


# Long on purpose: the payload goes into every field first, then every page that shows
# them is checked, so a page that mixes two fields' text is checked with both in it.
@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_text_in_every_field_stays_inert(client, drafter, coordinator, payload):
    letter = make_draft()
    client.force_login(coordinator)
    url = lambda name, *args: reverse(f"letters:drafting_{name}", args=[letter.pk, *args])  # noqa: E731

    response = client.post(
        url("edit"),
        {
            "subject": payload[:300],
            "reference": letter.reference,
            "date": "2009-12-10",
            "language": "en",
            "recommendation_style": "numbered",
            "opening": f"Opening {payload}",
            "closing": f"Closing {payload}",
            "version": letter.version,
        },
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    client.post(
        url("section_add"),
        {
            "section-new-heading": payload[:300],
            "section-new-body": payload,
            "section-new-lead_in": payload[:500],
            "section-new-version": letter.version,
        },
        **HX,
    )
    section = letter.sections.get(heading=payload[:300])
    letter.refresh_from_db()
    prefix = f"rec-new-{section.pk}"
    client.post(
        url("recommendation_add", section.pk),
        {
            f"{prefix}-text": payload,
            f"{prefix}-government": "JP",
            f"{prefix}-new_themes": payload[:80].replace(",", " ") + " x",
            f"{prefix}-version": letter.version,
        },
        **HX,
    )
    assert Recommendation.objects.filter(text=payload).exists()
    letter.refresh_from_db()
    signatory = letter.signatories.get()
    prefix = f"signatory-{signatory.pk}"
    client.post(
        url("signatory_edit", signatory.pk),
        {
            f"{prefix}-role": "lead",
            f"{prefix}-signer_name": payload[:200],
            f"{prefix}-signer_title": payload[:200],
            f"{prefix}-version": letter.version,
        },
        **HX,
    )
    signatory.refresh_from_db()
    assert signatory.signer_name == payload[:200]

    rec = Recommendation.objects.get(text=payload)
    pages = {
        "editor": client.get(url("edit")),
        "preview": client.get(url("preview")),
        "detail": client.get(letter.get_absolute_url()),
        "list": client.get(reverse("letters:list")),
        "section form": client.get(url("section_edit", section.pk), **HX),
        "recommendation form": client.get(url("recommendation_edit", rec.pk), **HX),
        "signatory form": client.get(url("signatory_edit", signatory.pk), **HX),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        html = response.content.decode()
        assert active_content(html) == [], name
        if "<" in payload:
            assert payload not in html, name
    # Template syntax typed by a user is shown, never evaluated.
    if "{{" in payload:
        assert "{{ 7|add:7 }}" in pages["preview"].content.decode()
