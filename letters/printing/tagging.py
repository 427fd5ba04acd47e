"""
What WeasyPrint 70 leaves for us to finish in a tagged PDF.

- Page margin boxes (the running head, the footer, "Page X of Y") are drawn as
  marked content whose structure elements hang outside the structure tree
  (weasyprint/pdf/tags.py: "It could be included in tree as Artifact, but that's
  only allowed in PDF 2.0"). `mark_pagination_artifacts`, a write_pdf finisher,
  turns them into /Artifact marked content of type /Pagination, as PDF 1.7
  (ISO 32000-1, 14.8.2.2) and PDF/UA-1 want. The DRAFT mark is a page background,
  which WeasyPrint already draws as an artifact.
- One variant at a time: `pdf_variant="pdf/a-3b"` writes pdfaid into the XMP
  metadata, and nothing declares PDF/UA-1. `UniversalAccessMetadata` adds
  pdfuaid:part="1" beside it, with the extension schema PDF/A asks for any
  property outside its predefined schemas.
"""

from __future__ import annotations

from xml.etree.ElementTree import SubElement, fromstring, register_namespace, tostring

import pydyf
from weasyprint.pdf.metadata import NS, DocumentMetadata

RDF = NS["rdf"]
PDFUAID = NS["pdfuaid"]
EXTENSION = {
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
}
for _prefix, _uri in EXTENSION.items():
    register_namespace(_prefix, _uri)

PDFUA_SCHEMA = f"""
<rdf:Description rdf:about="" xmlns:rdf="{RDF}" xmlns:pdfaExtension="{EXTENSION["pdfaExtension"]}"
  xmlns:pdfaSchema="{EXTENSION["pdfaSchema"]}" xmlns:pdfaProperty="{EXTENSION["pdfaProperty"]}">
 <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
  <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
  <pdfaSchema:namespaceURI>{PDFUAID}</pdfaSchema:namespaceURI>
  <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
  <pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
   <pdfaProperty:name>part</pdfaProperty:name>
   <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
   <pdfaProperty:category>internal</pdfaProperty:category>
   <pdfaProperty:description>Part of ISO 14289 followed</pdfaProperty:description>
  </rdf:li></rdf:Seq></pdfaSchema:property>
 </rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
"""


class UniversalAccessMetadata(DocumentMetadata):
    """The document's metadata, declaring PDF/UA-1 beside the PDF/A part."""

    @classmethod
    def of(cls, metadata: DocumentMetadata) -> UniversalAccessMetadata:
        return cls(**vars(metadata))

    def generate_rdf_metadata(self, variant, version, conformance) -> bytes:
        rdf = fromstring(super().generate_rdf_metadata(variant, version, conformance))
        description = SubElement(rdf, f"{{{RDF}}}Description")
        description.set(f"{{{RDF}}}about", "")
        description.set(f"{{{PDFUAID}}}part", "1")
        rdf.append(fromstring(PDFUA_SCHEMA))
        return tostring(rdf, encoding="utf-8")


# --- Margin boxes as artifacts ---------------------------------------------------------


def _number(reference) -> int:
    return int(bytes(reference).split()[0])


def _kids(element: pydyf.Dictionary) -> list:
    kids = element.get("K", [])
    return list(kids) if isinstance(kids, list) else [kids]


def _reachable(pdf: pydyf.PDF, root: pydyf.Dictionary) -> set[int]:
    """Numbers of every object the structure tree reaches from its root."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        element = stack.pop()
        for kid in _kids(element):
            if isinstance(kid, bytes):
                number = _number(kid)
                if number not in seen:
                    seen.add(number)
                    stack.append(pdf.objects[number])
    return seen


def _to_artifacts(stream: pydyf.Stream, mcids: set[int]) -> None:
    """Rewrite `/Span <</MCID n>> BDC` as `/Artifact <</Type /Pagination>> BDC`."""
    items = stream.stream
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("MCID") in mcids and index > 0:
            items[index - 1] = "/Artifact"
            items[index] = pydyf.Dictionary({"Type": "/Pagination"})


def mark_pagination_artifacts(document, pdf: pydyf.PDF) -> None:
    """
    A write_pdf finisher: marked content whose structure element is not in the
    structure tree becomes a pagination artifact, and its dangling elements go.
    """
    if "StructTreeRoot" not in pdf.catalog:
        return
    root = pdf.objects[_number(pdf.catalog["StructTreeRoot"])]
    reachable = _reachable(pdf, root)
    parent_tree = pdf.objects[_number(root["ParentTree"])]
    nums = parent_tree["Nums"]
    pages = pdf.page_references
    for key, value in zip(nums[::2], nums[1::2], strict=True):
        if not isinstance(value, list):
            continue  # an annotation's entry, not a page's
        orphans = {
            mcid
            for mcid, reference in enumerate(value)
            if isinstance(reference, bytes) and _number(reference) not in reachable
        }
        if not orphans:
            continue
        page = pdf.objects[_number(pages[key])]
        _to_artifacts(pdf.objects[_number(page["Contents"])], orphans)
        for mcid in orphans:
            value[mcid] = "null"
        while value and value[-1] == "null":
            value.pop()
    for number, item in enumerate(pdf.objects):
        if (
            isinstance(item, dict)
            and item.get("Type") == "/StructElem"
            and number not in reachable
            and item is not root
        ):
            item.clear()
