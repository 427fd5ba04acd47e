"""
Printed PDFs cached on disk under a hash of everything that shapes their
bytes, shared by every web process and worker; keys never need invalidating.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import weasyprint
from django.conf import settings

from letters.models import Letter
from letters.printing.engine import ARCHIVAL_VARIANT
from letters.printing.layout import copy_label, is_archival, template_version, watermark
from letters.text import approvable_text, text_hash, text_parts


def _file_stamp(field) -> str:
    if not field:
        return ""
    try:
        stat = os.stat(field.path)
    except OSError:
        return f"{field.name}:missing"
    return f"{field.name}:{stat.st_size}:{stat.st_mtime_ns}"


def key_inputs(letter: Letter) -> list:
    """
    Everything that shapes a letter's printed bytes, in the three or four
    queries of `text_parts`: the approvable text (by its hash), and what prints
    beside it without being approved: the print settings, what the status puts
    on paper, each recipient's address and copy label, the people who sign and
    their approvals and files, the organisations' letterhead details, the
    template, WeasyPrint.
    """
    parts = text_parts(letter)
    recipients = [[r.pk, r.shown["address_lines"], copy_label(r)] for r in parts.recipients]
    signatories = []
    for s in parts.signatories:
        org = s.organization
        signatories.append(
            [
                s.pk,
                s.signer_name,
                s.signer_title,
                s.has_approved(letter.content_hash),
                bool(s.declined_at or s.withdrawn_at),
                _file_stamp(s.signature),
                org.short_name,
                org.address,
                org.website,
                _file_stamp(org.logo),
                # What a signatory list groups by.
                str(org.country),
                org.kind,
            ]
        )
    return [
        text_hash(approvable_text(letter, parts=parts)),
        letter.pk,
        letter.reference,
        # What the status changes on paper, not the status: a final letter and the
        # same letter once sent print the same bytes (sending archives the former).
        watermark(letter),
        letter.is_signed,
        letter.paper_size,
        letter.envelope_window,
        letter.recommendation_style,
        letter.signatory_layout,
        letter.signatory_grouping,
        letter.letterhead,
        recipients,
        signatories,
        template_version(),
        weasyprint.__version__,
    ]


def pdf_cache_key(
    letter: Letter,
    *,
    copy_for=None,
    kind: str = "letter",
    archival: bool | None = None,
    inputs: list | None = None,
) -> str:
    """
    The cache key (and ETag) of one printed document: a hash of `key_inputs` plus
    which document and which variant. Any change gives a new key, so entries never
    need invalidating. Pass `inputs` to key many copies with the same queries.
    """
    archival = is_archival(letter) if archival is None else archival
    payload = [
        kind,
        copy_for.pk if copy_for is not None else None,
        ARCHIVAL_VARIANT if archival else "plain",
        key_inputs(letter) if inputs is None else inputs,
    ]
    encoded = json.dumps(payload, default=str, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()


def cache_root() -> Path:
    """PDF_CACHE_ROOT if set, else MEDIA_ROOT/pdf-cache: shared by every process."""
    root = getattr(settings, "PDF_CACHE_ROOT", None)
    return Path(root) if root else Path(settings.MEDIA_ROOT) / "pdf-cache"


def cache_path(key: str) -> Path:
    return cache_root() / key[:2] / f"{key}.pdf"


def cached_pdf(key: str) -> bytes | None:
    try:
        return cache_path(key).read_bytes()
    except FileNotFoundError:
        return None


def store_pdf(key: str, data: bytes) -> None:
    """Write atomically, so a concurrent reader sees the whole file or none."""
    path = cache_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def through_cache(key: str, produce) -> bytes:
    data = cached_pdf(key)
    if data is None:
        data = produce()
        store_pdf(key, data)
    return data
