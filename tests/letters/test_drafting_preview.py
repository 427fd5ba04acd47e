"""The preview is the printed letter: the PDF's own sheet, under the PDF's print CSS."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from letters.models import EnvelopeWindow, PaperSize
from letters.printing import layout
from tests.factories import make_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(db):
    return make_draft()


def preview(client, letter) -> str:
    response = client.get(reverse("letters:drafting_preview", args=[letter.pk]))
    assert response.status_code == 200
    return response.content.decode()


def squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", " ".join(html.split()))


def sheet(html: str) -> str:
    """The preview's sheet: what is inside <article class="printed-letter ...">."""
    match = re.search(r'<article class="printed-letter [^"]*"[^>]*>(.*)</article>', html, re.S)
    assert match, "no printed sheet in the preview"
    return squeeze(match.group(1))


def pdf_body(letter) -> str:
    html = layout.letter_html(letter)
    match = re.search(r"<body[^>]*>(.*)</body>", html, re.S)
    assert match
    return squeeze(match.group(1))


def test_the_preview_shows_the_pdfs_own_page(client, drafter, draft):
    client.force_login(drafter)
    shown = sheet(preview(client, draft))
    assert shown == pdf_body(draft)
    for markup in [
        '<header class="letterhead letterhead-joint letterhead-rows-1 letterhead-columns-1">',
        '<div class="letterhead-orgs">',
        '<p class="return-line">',
        '<address class="letter-address">',
        '<p class="letter-date">',
        f'<h1 class="letter-subject">Re: {draft.subject}</h1>',
        "<h2>Diplomacy</h2>",
        "<h2>Refugees</h2>",
        '<div class="letter-signature">',
        '<div class="letter-cc"><p>cc:</p><ul>',
    ]:
        assert markup in shown, markup


def test_the_letters_subject_is_the_previews_only_h1(client, drafter, draft):
    client.force_login(drafter)
    html = preview(client, draft)
    assert html.count("<h1") == 1
    assert f'<h1 class="letter-subject">Re: {draft.subject}</h1>' in html


def test_the_preview_is_styled_by_the_print_stylesheet(client, drafter, draft):
    client.force_login(drafter)
    html = preview(client, draft)
    version = layout.template_version()
    url = f"{reverse('letters:printing_preview_css')}?v={version}"
    assert f'<link rel="stylesheet" href="{url}">' in html
    classes = r'class="printed-letter paper-a4 window-dl_left address-pt-\d+ mark-draft"'
    assert re.search(classes, html)
    css = client.get(url)
    assert css["Content-Type"] == "text/css"
    text = css.content.decode()
    print_css = layout.PRINT_CSS.read_text()
    # print.css itself, nested under the sheet, its html rules on the sheet.
    assert text.index(".printed-letter {") < text.index(".letter-date { text-align: right;")
    assert "html {" not in text and "html:lang" not in text and "&:lang(ja) p" in text
    for rule in [
        ".letter-date { text-align: right; margin: 0 0 5mm; }",
        ".letter-signature strong { display: inline-block; border-top: 0.6pt solid #333;",
        ".letter-cc ul { margin: 0; padding-left: 8mm; list-style: none; }",
        ".letterhead-orgs { display: grid; column-gap: 2mm; row-gap: 1mm; }",
    ]:
        assert rule in print_css and rule in text, rule
    # The first page's size and the address window, from the numbers the PDF uses.
    assert ".printed-letter.paper-a4 { width: 210mm; min-height: 297mm;" in text
    assert ".printed-letter.paper-letter { width: 215.9mm; min-height: 279.4mm;" in text
    assert (
        ".printed-letter.window-dl_left .letter-address { left: calc(0mm + 20mm); width: 85mm;"
        " top: calc(38mm + 12mm); height: 40mm; }"
    ) in text
    assert ".printed-letter.mark-draft { background-image: url(data:image/svg+xml," in text
    assert ".printed-letter.address-pt-85 .letter-address { font-size: 8.5pt; }" in text


def test_the_preview_follows_the_letters_paper_and_envelope(client, drafter, draft):
    draft.paper_size = PaperSize.LETTER
    draft.envelope_window = EnvelopeWindow.NAGA3
    draft.save()
    client.force_login(drafter)
    html = preview(client, draft)
    assert 'class="printed-letter paper-letter window-naga3 ' in html
    # A window at the top of the sheet puts the letterhead beside it, as a list.
    assert '<ul class="letterhead-list">' in sheet(html)
    assert sheet(html) == pdf_body(draft)


def test_a_final_letter_previews_without_the_draft_mark(client, drafter, draft):
    draft.status = "sent"
    draft.save()
    client.force_login(drafter)
    html = preview(client, draft)
    assert "mark-draft" not in html and "DRAFT" not in sheet(html)


def test_the_print_stylesheet_is_for_signed_in_users(client):
    response = client.get(reverse("letters:printing_preview_css"))
    assert response.status_code == 302
