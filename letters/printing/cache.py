"""
Printed PDFs cached in the media storage (disk or S3) under a hash of
everything that shapes their bytes, shared by every web process and worker on
every machine; keys never need invalidating.
"""

from __future__ import annotations

import hashlib
import json

import weasyprint
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage

from letters import tracking_cache
from letters.models import Letter
from letters.printing.engine import ARCHIVAL_VARIANT
from letters.printing.layout import copy_label, is_archival, template_version, watermark
from letters.text import approvable_text, text_hash, text_parts


def _file_stamp(field) -> str:
    if not field:
        return ""
    # Stored names are never reused (storages pick a free name), so name and size
    # identify a file's content without reading it.
    try:
        size = field.storage.size(field.name)
    except Exception:  # missing: FileNotFoundError on disk, a ClientError from S3
        return f"{field.name}:missing"
    return f"{field.name}:{size}"


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
        inputs_digest(inputs) if inputs is not None else letter_digest(letter),
    ]
    return hashlib.sha256(json.dumps(payload).encode()).hexdigest()


def inputs_digest(inputs: list) -> str:
    encoded = json.dumps(inputs, default=str, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()


def letter_digest(letter: Letter) -> str:
    """
    `inputs_digest(key_inputs(letter))`, read once until the next write that could
    change what prints (every model `key_inputs` reads renews the tracking cache's
    token: letters.apps) or the day (who holds an office): a cache hit then reads
    no part of the letter. The template's and WeasyPrint's versions are in the key,
    since no write changes them.
    """
    key = f"{letter.pk}:{letter.version}:{template_version()}:{weasyprint.__version__}"
    return tracking_cache.cached_by_key("print-key", key, lambda: inputs_digest(key_inputs(letter)))


CACHE_DIR = "pdf-cache"


def cache_storage() -> Storage:
    """The media storage: on S3 every machine shares one cache."""
    return default_storage


def cache_name(key: str) -> str:
    return f"{CACHE_DIR}/{key[:2]}/{key}.pdf"


def cached_pdf(key: str) -> bytes | None:
    storage = cache_storage()
    try:
        with storage.open(cache_name(key), "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        return None
    # On disk a reader may open a file another process is still writing: a PDF
    # that does not end in its trailer is not whole yet, so render it again.
    return data if data.rstrip().endswith(b"%%EOF") else None


def store_pdf(key: str, data: bytes) -> None:
    """Keep the first copy written: every copy under one key has the same bytes."""
    storage = cache_storage()
    name = cache_name(key)
    if storage.exists(name):
        return
    saved = storage.save(name, ContentFile(data))
    if saved != name:
        # Another process stored it meanwhile and the storage picked a free name.
        storage.delete(saved)


def through_cache(key: str, produce) -> bytes:
    data = cached_pdf(key)
    if data is None:
        data = produce()
        store_pdf(key, data)
    return data
