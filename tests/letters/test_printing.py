"""Printed letters, read back as a person (or an archive) would read them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from PIL import Image
from pypdf import PdfReader

from letters import printing
from letters.models import LetterStatus
from letters.printing import cache, engine, fetcher, layout, limits
from tests import factories

pytestmark = pytest.mark.django_db


def read(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(data))


def pages_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in read(data).pages]


def flat(text: str) -> str:
    return " ".join(text.split())


def png(width: int = 40, height: int = 20, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), "black" if mode == "RGB" else 0).save(out, format="PNG")
    return out.getvalue()


def test_the_demo_letter_reads_like_the_letter(demo):
    text = flat(" ".join(pages_text(printing.render_letter_pdf(demo))))
    assert "H.E. Mr Hatoyama Yukio" in text
    assert "Cabinet Public Relations Office" in text
    assert "10 December 2009" in text
    assert "Re: Human rights in Japan's policy towards North Korea" in text
    assert "Dear Prime Minister Hatoyama," in text
    assert "Food aid" in text
    for signer in ["Aiko Morita", "Kenji Ishida", "Hélène Dubois", "Park Min-jung"]:
        assert signer in text
    assert "Refugee Support Network Japan" in text  # letterhead and signature block


def test_recommendations_are_numbered_across_sections(demo):
    text = flat(" ".join(pages_text(printing.render_letter_pdf(demo))))
    assert "14. " in text
    assert "12. " in text


def test_bulleted_letters_have_no_numbers(demo):
    demo.recommendation_style = "bulleted"
    demo.save()
    text = flat(" ".join(pages_text(printing.render_letter_pdf(demo))))
    assert "14. " not in text
    assert "•" in text


def test_each_copy_has_its_own_address_block_and_the_full_cc_list(demo):
    ccs = ["Okada Katsuya", "Tanabe Hiroshi", "Mori Takeshi"]
    for recipient in printing.copies(demo):
        pages = pages_text(printing.render_letter_pdf(demo, copy_for=recipient))
        first = flat(pages[0])
        assert recipient.snapshot_name in first
        assert recipient.position.postal_code in first
        others = [r for r in printing.copies(demo) if r.pk != recipient.pk]
        assert all(o.snapshot_name not in first for o in others)
        assert all(o.position.postal_code not in first for o in others)
        last = flat(pages[-1])
        assert "cc:" in last
        for name in ccs:
            assert name in last


def test_pages_are_numbered_page_x_of_y(demo):
    pages = pages_text(printing.render_letter_pdf(demo))
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text


def test_running_header_appears_from_page_two(demo):
    pages = [flat(t) for t in pages_text(printing.render_letter_pdf(demo))]
    header = "JP-2009-12 · Human rights in Japan's policy towards North Korea"
    assert header not in pages[0]
    assert all(header in text for text in pages[1:])


def test_drafts_carry_a_draft_mark_on_every_page(demo):
    draft = demo.followed_by.get()
    assert draft.status == LetterStatus.DRAFT
    pages = pages_text(printing.render_letter_pdf(draft))
    assert all("DRAFT" in text for text in pages)


def test_circulating_letters_are_drafts_too(letter):
    letter.status = LetterStatus.CIRCULATING
    letter.save()
    assert "DRAFT" in pages_text(printing.render_letter_pdf(letter))[0]


def test_sent_letters_carry_no_draft_mark(demo):
    pages = pages_text(printing.render_letter_pdf(demo))
    assert not any("DRAFT" in text for text in pages)


def test_final_letters_are_pdfa_3b_tagged_with_metadata(demo):
    reader = read(printing.render_letter_pdf(demo))
    xmp = reader.xmp_metadata
    assert xmp.get_element("", "http://www.aiim.org/pdfa/ns/id/", "part")
    raw = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in raw and 'pdfaid:conformance="B"' in raw
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en"
    info = reader.metadata
    assert info.title == "JP-2009-12: Human rights in Japan's policy towards North Korea"
    assert "Asia Rights Monitor" in info.author and "Refugee Support Network Japan" in info.author
    assert "Human rights" in info.subject
    assert "PDF/A-3b, PDF/UA-1" in info["/Keywords"]


def test_archival_copies_embed_their_fonts_and_an_srgb_output_intent(demo):
    reader = read(printing.render_letter_pdf(demo))
    intents = reader.trailer["/Root"]["/OutputIntents"]
    assert intents[0].get_object()["/S"] == "/GTS_PDFA1"
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object().get("/DescendantFonts")
            font = descendant[0].get_object() if descendant else font.get_object()
            descriptor = font["/FontDescriptor"]
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_drafts_are_plain_tagged_pdf(demo):
    reader = read(printing.render_letter_pdf(demo.followed_by.get()))
    assert "/Metadata" not in reader.trailer["/Root"]
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]
    assert "PDF 1.7, tagged" in reader.metadata["/Keywords"]


def test_archival_can_be_asked_for_explicitly(letter):
    reader = read(printing.render_letter_pdf(letter, archival=True))
    assert "/Metadata" in reader.trailer["/Root"]


def test_japanese_text_is_extracted_as_japanese(letter):
    letter.language = "ja"
    letter.subject = "北朝鮮に対する日本の人権政策について"
    letter.opening = "私たちは、日本政府に対し、難民の保護を求めます。"
    letter.save()
    data = printing.render_letter_pdf(letter)
    text = flat(" ".join(pages_text(data)))
    assert "北朝鮮に対する日本の人権政策について" in text
    assert "難民の保護を求めます" in text
    assert "2009年12月10日" in text
    fonts = set()
    for page in read(data).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("Noto-Serif-CJK-JP" in name for name in fonts), fonts


def test_signature_images_print_only_on_signed_letters(demo):
    signatory = demo.signatories.order_by("order").first()
    signatory.signature.save("sig.png", ContentFile(png()), save=True)

    def images(data: bytes) -> int:
        found = set()
        for page in read(data).pages:
            for ref in (page["/Resources"].get("/XObject") or {}).values():
                if ref.get_object()["/Subtype"] == "/Image":
                    found.add(ref.idnum)
        return len(found)

    assert images(printing.render_letter_pdf(demo)) == 1

    draft = demo.followed_by.get()
    draft_signatory = draft.signatories.get(organization=signatory.organization)
    draft_signatory.signature = signatory.signature.name
    draft_signatory.approved_at = signatory.approved_at
    draft_signatory.approved_hash = draft.content_hash
    draft_signatory.save()
    assert images(printing.render_letter_pdf(draft)) == 0


def test_a_signature_approved_for_older_text_does_not_print(demo):
    signatory = demo.signatories.order_by("order").first()
    signatory.signature.save("sig.png", ContentFile(png()), save=True)
    signatory.approved_hash = "0" * 64
    signatory.save()
    data = printing.render_letter_pdf(demo)
    assert all(not (p["/Resources"].get("/XObject")) for p in read(data).pages)


def test_merged_pdf_has_every_copy_numbered_from_one(demo):
    single = len(read(printing.render_letter_pdf(demo)).pages)
    data = printing.document(demo, kind="all")[1]()
    pages = pages_text(data)
    assert len(pages) == 4 * single
    assert sum(f"Page 1 of {single}" in t for t in pages) == 4
    firsts = [flat(pages[i * single]) for i in range(4)]
    assert "Cabinet Public Relations Office" in firsts[0]
    assert "Japan Coast Guard" in firsts[3] and "Japan Coast Guard" not in firsts[0]


def test_labels_carry_every_recipient_address(demo):
    text = flat(" ".join(pages_text(printing.document(demo, kind="labels")[1]())))
    for name in ["Hatoyama Yukio", "Okada Katsuya", "Tanabe Hiroshi", "Mori Takeshi"]:
        assert name in text
    assert "100-8914" in text and "100-8918" in text


def test_file_names_say_reference_date_and_recipient(demo):
    commandant = demo.recipients.get(position__title="Commandant")
    assert (
        printing.pdf_filename(demo, commandant)
        == "JP-2009-12_2009-12-10_cc_commandant-japan-coast-guard.pdf"
    )
    assert printing.pdf_filename(demo, kind="all") == "JP-2009-12_2009-12-10_all-copies.pdf"
    assert printing.pdf_filename(demo, kind="labels") == "JP-2009-12_2009-12-10_labels.pdf"
    assert printing.pdf_filename(demo.followed_by.get()).endswith("_draft.pdf")


# --- Cache ---------------------------------------------------------------------------


def test_a_cache_hit_returns_identical_bytes_without_rendering(demo, monkeypatch):
    first = printing.render_letter_pdf(demo)

    def no_render(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(engine, "html_to_pdf", no_render)
    assert printing.render_letter_pdf(demo) == first


def test_rendering_is_deterministic(demo, settings, tmp_path):
    first = printing.render_letter_pdf(demo)
    settings.MEDIA_ROOT = tmp_path / "elsewhere"
    assert printing.render_letter_pdf(demo) == first


def test_a_final_letter_prints_the_same_bytes_once_sent(demo, monkeypatch):
    demo.status = LetterStatus.FINAL
    demo.save()
    final = printing.render_letter_pdf(demo)
    demo.status = LetterStatus.PUBLISHED
    demo.save()
    assert printing.render_letter_pdf(demo) == final


def test_changes_that_print_change_the_cache_key(demo):
    key = cache.pdf_cache_key(demo)
    signatory = demo.signatories.first()
    signatory.signer_title = "Director"
    signatory.save()
    assert cache.pdf_cache_key(demo) != key

    key = cache.pdf_cache_key(demo)
    commandant = demo.recipients.get(position__title="Commandant")
    assert cache.pdf_cache_key(demo, copy_for=commandant) != key
    assert cache.pdf_cache_key(demo, archival=False) != key


def test_a_new_office_holder_reprints_a_draft(demo):
    import datetime as dt

    draft = demo.followed_by.get()
    key = cache.pdf_cache_key(draft)
    position = draft.recipients.get(role="to").position
    term = position.terms.get()
    term.end = dt.date(2010, 6, 1)
    term.save()
    factories.make_term(position, start=dt.date(2010, 6, 2), official=factories.make_official())
    assert cache.pdf_cache_key(draft) != key


# --- Hostile input ----------------------------------------------------------------------


def test_deeply_nested_lists_are_refused_with_a_message(letter):
    # 100 levels: deeper than the printer allows, short enough for the field.
    letter.opening = "\n".join("  " * depth + "- level" for depth in range(100))
    letter.save()
    with pytest.raises(printing.PdfError, match="nested"):
        printing.render_letter_pdf(letter)


def test_lists_nested_on_one_line_are_refused_with_a_message(letter):
    section = factories.make_section(letter)
    section.body = "- " * 300 + "deep"
    section.save()
    with pytest.raises(printing.PdfError, match="nested too deeply"):
        printing.render_letter_pdf(letter)


def test_reasonable_nesting_still_prints(letter):
    letter.opening = "\n".join("    " * depth + "- level" for depth in range(8))
    letter.save()
    assert "level" in pages_text(printing.render_letter_pdf(letter))[0]


def test_deeply_nested_quotes_are_refused_with_a_message(letter):
    letter.closing = ">" * 500 + " quoted"
    letter.save()
    with pytest.raises(printing.PdfError, match="nested"):
        printing.render_letter_pdf(letter)


def test_more_text_than_prints_is_refused_with_a_message(letter):
    # Each field has its own limit; eleven full sections pass the letter's.
    for _ in range(11):
        section = factories.make_section(letter)
        section.body = "word " * 3_900
        section.save()
    with pytest.raises(printing.PdfError, match="too long"):
        printing.render_letter_pdf(letter)


def test_a_huge_signature_image_is_refused_before_rendering(demo):
    signatory = demo.signatories.first()
    # 12000 x 12000 pixels in a few KB: it got past no upload form (e.g. a file
    # copied into MEDIA_ROOT), and the renderer would need over a gigabyte for it.
    signatory.signature.save("bomb.png", ContentFile(png(12000, 12000, mode="1")), save=True)
    with pytest.raises(printing.PdfError, match="12000×12000 pixels"):
        printing.render_letter_pdf(demo)


def test_a_signature_that_is_not_an_image_is_refused(demo):
    signatory = demo.signatories.first()
    signatory.signature.save("sig.png", ContentFile(b"<svg onload=alert(1)>"), save=True)
    with pytest.raises(printing.PdfError, match="not a PNG or JPEG"):
        printing.render_letter_pdf(demo)


def test_too_many_pages_are_refused(letter, monkeypatch):
    monkeypatch.setattr(limits, "MAX_PAGES", 1)
    section = factories.make_section(letter)
    section.body = "A paragraph of the letter.\n\n" * 200
    section.save()
    with pytest.raises(printing.PdfError, match="pages"):
        printing.render_letter_pdf(letter)


def test_a_render_that_runs_too_long_is_stopped(letter, monkeypatch):
    monkeypatch.setattr(limits, "MAX_SECONDS", 0.001)
    section = factories.make_section(letter)
    section.body = "A paragraph of the letter.\n\n" * 200
    section.save()
    with pytest.raises(printing.PdfError, match="too long"):
        printing.render_letter_pdf(letter)


# --- URL fetcher --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1/",
        "https://example.org/logo.png",
        "ftp://127.0.0.1/x",
        "https://pdf-assets.invalid/../../etc/passwd",
        "https://pdf-assets.invalid/elsewhere/x.png",
        "https://pdf-assets.invalid/media/../../../../etc/passwd",
        "https://pdf-assets.invalid/static/../../../../etc/passwd",
        "https://pdf-assets.invalid/media/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "file:///proc/self/environ",
    ],
)
def test_the_fetcher_refuses_and_logs_everything_but_our_files(url, caplog):
    with pytest.raises(ValueError, match="Refused"):
        fetcher.AssetFetcher().fetch(url)
    assert "PDF renderer refused" in caplog.text


def test_the_fetcher_passes_only_pixels_from_media(caplog):
    from django.core.files.storage import default_storage

    name = default_storage.save("logos/passwd.png", ContentFile(Path("/etc/passwd").read_bytes()))
    with pytest.raises(ValueError, match="not a PNG or JPEG"):
        fetcher.AssetFetcher().fetch(fetcher.ASSET_ORIGIN + "media/" + name)


def test_the_fetcher_refuses_names_climbing_out_of_media(caplog):
    with pytest.raises(ValueError, match="outside the media storage"):
        fetcher.AssetFetcher().fetch(fetcher.ASSET_ORIGIN + "media/../../etc/passwd")


def test_the_fetcher_does_not_follow_redirects():
    asset_fetcher = fetcher.AssetFetcher()
    from urllib.request import HTTPRedirectHandler

    assert not any(isinstance(h, HTTPRedirectHandler) for h in asset_fetcher.handlers)


def test_the_fetcher_refuses_large_data_urls():
    with pytest.raises(ValueError, match="data: URL"):
        fetcher.AssetFetcher().fetch("data:text/plain," + "a" * (limits.MAX_DATA_URL + 1))
    assert fetcher.AssetFetcher().fetch("data:text/plain,hello").read() == b"hello"


def test_the_fetcher_serves_media_images_re_encoded(settings):
    from django.core.files.storage import default_storage

    name = default_storage.save("logos/x.png", ContentFile(png()))
    response = fetcher.AssetFetcher().fetch(fetcher.ASSET_ORIGIN + "media/" + name)
    assert response.content_type == "image/png"
    assert Image.open(io.BytesIO(response.read())).size == (40, 20)


def test_the_fetcher_serves_static_files():
    response = fetcher.AssetFetcher().fetch(fetcher.ASSET_ORIGIN + "static/img/favicon.svg")
    assert b"<svg" in response.read()


def test_passwd_never_reaches_the_pdf_even_as_an_attachment():
    html = (
        '<html><head><link rel="attachment" href="file:///etc/passwd"></head>'
        '<body><p>Hello</p><img src="file:///etc/passwd">'
        '<img src="http://127.0.0.1/x.png"></body></html>'
    )
    data = engine.html_to_pdf(html)
    assert b"/EmbeddedFile" not in data
    assert b"root:" not in data
    assert "Hello" in read(data).pages[0].extract_text()


@pytest.mark.parametrize("window", ["dl_left", "dl_right", "us10", "naga3"])
def test_every_envelope_window_shows_the_whole_address(demo, window):
    demo.envelope_window = window
    demo.paper_size = "letter" if window == "us10" else "a4"
    demo.save()
    first = flat(pages_text(printing.render_letter_pdf(demo))[0])
    for line in ["H.E. Mr Hatoyama Yukio", "1-6-1 Nagata-cho", "TOKYO", "100-8914", "JAPAN"]:
        assert line in first


def test_a_long_address_gets_smaller_type_to_fit_the_window(demo):
    recipient = demo.recipients.get(role="to")
    context = layout.pdf_context(demo, copy_for=recipient)
    assert context["g"]["address_pt"] == 10.0
    demo.envelope_window = "us10"
    context = layout.pdf_context(demo, copy_for=recipient)
    assert 7.0 <= context["g"]["address_pt"] < 10.0


def test_us_letter_paper_prints_on_us_letter(demo):
    demo.paper_size = "letter"
    demo.save()
    box = read(printing.render_letter_pdf(demo)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    demo.paper_size = "a4"
    demo.save()
    box = read(printing.render_letter_pdf(demo)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_user_text_reaches_the_pdf_escaped_or_as_clean_markdown(letter):
    letter.subject = "<b>Bold</b> & <img src='file:///etc/passwd'>"
    letter.opening = (
        '<link rel="attachment" href="file:///etc/passwd">\n\n'
        "<script>alert(1)</script> Some **strong** words."
    )
    letter.save()
    data = printing.render_letter_pdf(letter)
    text = flat(pages_text(data)[0])
    assert "Re: <b>Bold</b> & <img src='file:///etc/passwd'>" in text
    assert "Some strong words." in text
    assert b"/EmbeddedFile" not in data
    html = layout.letter_html(letter)
    assert "<script>" not in html and 'rel="attachment"' not in html


def test_printing_takes_the_same_queries_for_10_or_80_recipients(demo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add_recipients(count: int) -> None:
        start = demo.recipients.count()
        for n in range(start, start + count):
            position = factories.make_position(title=f"Ambassador {n}")
            factories.make_term(position)
            factories.make_recipient(demo, position, role="cc", order=10 + n)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            cache.pdf_cache_key(demo)
            htmls = layout.copies_html(demo, archival=True)
        assert len(htmls) == demo.recipients.count()
        return len(ctx.captured_queries)

    add_recipients(6)
    few = queries()
    add_recipients(70)
    assert queries() == few
    assert few <= 12


def test_a_signature_image_does_not_push_its_block_out_of_line(demo):
    """Names in one row of signature blocks sit on one line, image or not."""
    signatories = list(demo.signatories.order_by("order"))
    # A tall image on the first block only: before, it pushed that name down by its height.
    signatories[0].signature.save("sig.png", ContentFile(png(200, 120)), save=True)
    names = {s.signer_name for s in signatories}
    data = printing.render_letter_pdf(demo)
    found: dict[str, float] = {}
    for page in read(data).pages:

        def visit(text, cm, tm, font, size):
            if text.strip() in names:
                found[text.strip()] = round(tm[5] * cm[3] + cm[5], 1)

        page.extract_text(visitor_text=visit)
        if len(found) == len(names):
            break
    assert len(found) == 4, found
    first, second, third, fourth = (found[s.signer_name] for s in signatories)
    assert first == second  # one row: the image sits in the box above the rule
    assert third == fourth
    assert first != third
