"""
Tagged PDFs as a validator (and a screen reader) reads them, with pikepdf: the
structure tree, artifacts, and the XMP metadata beside the Info dictionary.
"""

from __future__ import annotations

import io
import re
from xml.etree.ElementTree import fromstring

import pikepdf
import pytest

from letters import printing
from letters.models import LetterStatus
from letters.printing import engine, layout

pytestmark = pytest.mark.django_db

NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
}


# --- Reading a tagged PDF back ------------------------------------------------------------


def to_unicode(font: pikepdf.Dictionary) -> dict[bytes, str]:
    """A font's ToUnicode map (WeasyPrint writes bfchar entries)."""
    cmap = font.ToUnicode.read_bytes().decode("latin-1")
    mapping: dict[bytes, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            mapping[bytes.fromhex(code)] = bytes.fromhex(text).decode("utf-16-be")
    return mapping


def decode(data: bytes, mapping: dict[bytes, str]) -> str:
    width = len(next(iter(mapping))) if mapping else 1
    return "".join(mapping.get(data[i : i + width], "") for i in range(0, len(data), width))


def shown(operands, op: str, mapping: dict[bytes, str]) -> str:
    """The text a Tj or TJ operator shows."""
    parts = operands[0] if op == "TJ" else [operands[0]]
    return "".join(decode(bytes(p), mapping) for p in parts if isinstance(p, pikepdf.String))


def marked_content(page: pikepdf.Page) -> tuple[dict[int, str], list[str]]:
    """Text by MCID, and the text drawn inside /Artifact sequences."""
    fonts = page.Resources.Font
    by_mcid: dict[int, str] = {}
    artifacts: list[str] = []
    stack: list[tuple[str, int | None]] = []
    mapping: dict[bytes, str] = {}
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op in ("BDC", "BMC"):
            props = operands[1] if op == "BDC" else None
            mcid = props.get("/MCID") if isinstance(props, pikepdf.Dictionary) else None
            stack.append((str(operands[0]), None if mcid is None else int(mcid)))
        elif op == "EMC":
            stack.pop()
        elif op == "Tf":
            mapping = to_unicode(fonts[operands[0]])
        elif op in ("Tj", "TJ"):
            assert stack, "text drawn outside any marked content"
            text = shown(operands, op, mapping)
            if any(tag == "/Artifact" for tag, _ in stack):
                artifacts.append(text)
            else:
                tag, mcid = stack[-1]
                assert mcid is not None, f"text in {tag} without an MCID"
                by_mcid[mcid] = by_mcid.get(mcid, "") + text
    return by_mcid, artifacts


def xobject_text(xobject) -> str:
    """The text a Form XObject draws (the DRAFT mark is an SVG image)."""
    fonts = xobject.get("/Resources", {}).get("/Font", {})
    mapping: dict[bytes, str] = {}
    text = ""
    for operands, operator in pikepdf.parse_content_stream(xobject):
        op = str(operator)
        if op == "Tf":
            mapping = to_unicode(fonts[operands[0]])
        elif op in ("Tj", "TJ"):
            text += shown(operands, op, mapping)
        elif op == "Do":
            text += xobject_text(xobject.Resources.XObject[operands[0]])
    return text


def artifact_images(page: pikepdf.Page) -> list[str]:
    """The text of every image drawn as an artifact on a page."""
    texts = []
    stack: list[str] = []
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op in ("BDC", "BMC"):
            stack.append(str(operands[0]))
        elif op == "EMC":
            stack.pop()
        elif op == "Do" and "/Artifact" in stack:
            texts.append(xobject_text(page.Resources.XObject[operands[0]]))
    return texts


class Tagged:
    """The structure tree of a PDF, with the text each element reaches."""

    def __init__(self, data: bytes) -> None:
        self.pdf = pikepdf.open(io.BytesIO(data))
        self.pages = {page.objgen: page for page in self.pdf.pages}
        self.content = {}
        self.artifacts: list[list[str]] = []
        for page in self.pdf.pages:
            by_mcid, artifacts = marked_content(page)
            self.content[page.objgen] = by_mcid
            self.artifacts.append(artifacts)
        self.reached: set[tuple[tuple[int, int], int]] = set()
        self.elements: list[tuple[str, str]] = []
        root = self.pdf.Root.StructTreeRoot
        for kid in self.kids(root):
            self.walk(kid)

    @staticmethod
    def kids(element) -> list:
        k = element.get("/K")
        if k is None:
            return []
        return list(k) if isinstance(k, pikepdf.Array) else [k]

    def walk(self, element, page=None) -> str:
        page = element.get("/Pg", page)
        text = ""
        for kid in self.kids(element):
            if isinstance(kid, int):
                self.reached.add((page.objgen, kid))
                text += self.content[page.objgen].get(kid, "")
            elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                text += self.walk(kid, page)
        self.elements.append((str(element.S), text))
        return text

    def texts(self, tag: str) -> list[str]:
        return [" ".join(text.split()) for s, text in self.elements if s == tag]

    def unreached(self) -> list[str]:
        return [
            text
            for objgen, by_mcid in self.content.items()
            for mcid, text in by_mcid.items()
            if (objgen, mcid) not in self.reached
        ]

    def xmp(self):
        return fromstring(self.pdf.Root.Metadata.read_bytes())


def flat(texts: list[str]) -> str:
    return " ".join(" ".join(texts).split())


# --- Structure ---------------------------------------------------------------------------


def test_the_subject_is_the_documents_only_h1(demo):
    tagged = Tagged(printing.render_letter_pdf(demo))
    assert tagged.texts("/H1") == [f"Re: {demo.subject}"]
    assert tagged.texts("/H2")[0] == demo.sections.first().heading


def test_the_letterhead_is_not_a_data_table(demo):
    tagged = Tagged(printing.render_letter_pdf(demo))
    tags = {s for s, _ in tagged.elements}
    assert not tags & {"/Table", "/TR", "/TD", "/TH", "/TBody"}
    # The organisations are still read, as the letterhead's text.
    assert "Refugee Support Network Japan" in flat([t for _, t in tagged.elements])


def test_every_marked_text_is_in_the_structure_tree(demo):
    tagged = Tagged(printing.render_letter_pdf(demo))
    assert tagged.content and all(tagged.content.values())
    assert tagged.unreached() == []


def test_running_heads_footers_and_page_numbers_are_artifacts(demo):
    tagged = Tagged(printing.render_letter_pdf(demo))
    pages = len(tagged.artifacts)
    assert pages > 1
    header = "JP-2009-12 · Human rights in Japan's policy towards North Korea"
    for number, artifacts in enumerate(tagged.artifacts, start=1):
        text = flat(artifacts)
        assert f"Page {number} of {pages}" in text
        assert "JP-2009-12" in text  # the footer
        assert (header in text) == (number > 1)
    read = flat([t for _, t in tagged.elements])
    assert "Page 1 of" not in read and header not in read
    for page in tagged.pdf.pages:
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) == "BDC" and str(operands[0]) == "/Artifact":
                assert operands[1].Type == "/Pagination"


def test_the_draft_mark_is_an_artifact_on_every_page(demo):
    draft = demo.followed_by.get()
    assert draft.status == LetterStatus.DRAFT
    tagged = Tagged(printing.render_letter_pdf(draft))
    assert tagged.unreached() == []
    assert "DRAFT" not in flat([t for s, t in tagged.elements if s == "/Document"])
    for page in tagged.pdf.pages:
        # The page background: an image drawn inside an /Artifact sequence.
        assert "DRAFT" in flat(artifact_images(page))
    assert len(tagged.texts("/H1")) == 1


# --- Metadata ----------------------------------------------------------------------------


def test_final_copies_declare_pdfa_3b_and_pdfua_1(demo):
    assert demo.is_signed
    xmp = Tagged(printing.render_letter_pdf(demo)).xmp()
    found = {
        name: value
        for description in xmp.iter(f"{{{NS['rdf']}}}Description")
        for name, value in description.attrib.items()
    }
    assert found[f"{{{NS['pdfaid']}}}part"] == "3"
    assert found[f"{{{NS['pdfaid']}}}conformance"] == "B"
    assert found[f"{{{NS['pdfuaid']}}}part"] == "1"
    # PDF/A accepts pdfuaid only with an extension schema that declares it.
    schemas = [e.text for e in xmp.iter(f"{{{NS['pdfaSchema']}}}namespaceURI")]
    assert schemas == [NS["pdfuaid"]]


def test_drafts_claim_no_conformance(demo):
    pdf = Tagged(printing.render_letter_pdf(demo.followed_by.get())).pdf
    assert "/Metadata" not in pdf.Root
    assert pdf.Root.MarkInfo.Marked


def test_the_info_dictionary_agrees_with_the_xmp_metadata(demo):
    tagged = Tagged(printing.render_letter_pdf(demo))
    info = {str(k): str(v) for k, v in tagged.pdf.docinfo.items()}
    xmp = tagged.xmp()

    def one(path: str) -> list[str]:
        return [e.text or "" for e in xmp.iterfind(f".//{path}", NS)]

    assert one("dc:title/rdf:Alt/rdf:li") == [info["/Title"]]
    assert one("dc:creator/rdf:Seq/rdf:li") == [info["/Author"]]
    assert one("dc:description/rdf:Alt/rdf:li") == [info["/Subject"]]
    assert one("pdf:Keywords") == [info["/Keywords"]]
    assert one("xmp:CreatorTool") == [info["/Creator"]]
    assert one("xmp:CreateDate") == ["2009-12-10"] and info["/CreationDate"] == "D:20091210"
    producers = [d.get(f"{{{NS['pdf']}}}Producer") for d in xmp.iter(f"{{{NS['rdf']}}}Description")]
    assert info["/Producer"] in producers
    # Nothing in Info that XMP does not say too.
    assert set(info) == {
        "/Title",
        "/Author",
        "/Subject",
        "/Keywords",
        "/Creator",
        "/CreationDate",
        "/Producer",
    }
    assert info["/Title"] == f"{demo.reference}: {demo.subject}"
    for name in ["Asia Rights Monitor", "Refugee Support Network Japan"]:
        assert name in info["/Author"]
    assert pikepdf.Name.DisplayDocTitle in tagged.pdf.Root.ViewerPreferences
    assert str(tagged.pdf.Root.Lang) == "en"


def test_tagged_copies_stay_byte_identical(demo):
    html = layout.letter_html(demo, archival=True)
    assert engine.html_to_pdf(html, archival=True) == engine.html_to_pdf(html, archival=True)
