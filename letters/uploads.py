"""
Checks for files people upload. An image is judged by its content (never by its
name or declared type), its size and its pixel dimensions, then re-encoded so
that nothing but pixels reaches storage, the browser or the PDF renderer.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.db.models.fields.files import FieldFile, ImageFieldFile
from django.http import FileResponse, Http404
from django.utils.encoding import filepath_to_uri
from django.utils.text import get_valid_filename
from PIL import Image, UnidentifiedImageError

MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_IMAGE_PIXELS = 16_000_000  # 4000 x 4000
MAX_IMAGE_SIDE = 6000
ALLOWED_IMAGE_FORMATS = {"PNG", "JPEG"}

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def _megabytes(n: int) -> str:
    if n < 1024 * 1024:
        return f"{max(1, round(n / 1024))} KB"
    return f"{n / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


def _decode_image(upload, *, max_bytes: int, max_pixels: int, max_side: int) -> Image.Image:
    """
    The upload's pixels, or ValidationError with a message a person can act on.
    Dimensions are read from the header before any pixel is decoded, so a small
    file that would unpack to gigabytes is refused cheaply.
    """
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            f"The image is too large ({_megabytes(upload.size)}); the limit is "
            f"{_megabytes(max_bytes)}.",
            code="too_large",
        )
    upload.seek(0)
    try:
        # Only the header is read here; the size check below refuses bombs, so
        # Pillow's own warning about them would only be noise.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload) as probe:
                kind, (width, height) = probe.format, probe.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError("This file is not a PNG or JPEG image.", code="not_an_image") from exc
    if kind not in ALLOWED_IMAGE_FORMATS:
        raise ValidationError(
            f"Images must be PNG or JPEG; this one is {kind or 'unknown'}.", code="bad_format"
        )
    if width > max_side or height > max_side or width * height > max_pixels:
        raise ValidationError(
            f"The image is {width}×{height} pixels; keep it under {max_side} pixels a "
            f"side and {max_pixels // 1_000_000} million pixels in all.",
            code="too_many_pixels",
        )

    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image.load()
            mode = "RGBA" if image.mode in {"RGBA", "LA", "P", "PA"} else "RGB"
            return image.convert(mode)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            "The image could not be read; it may be damaged.", code="unreadable"
        ) from exc
    finally:
        upload.seek(0)


def clean_image(
    upload,
    *,
    max_bytes: int = MAX_IMAGE_BYTES,
    max_pixels: int = MAX_IMAGE_PIXELS,
    max_side: int = MAX_IMAGE_SIDE,
) -> ContentFile:
    """Return the upload re-encoded as PNG, or raise ValidationError (see `_decode_image`)."""
    clean = _decode_image(upload, max_bytes=max_bytes, max_pixels=max_pixels, max_side=max_side)
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=True)
    stem = Path(get_valid_filename(Path(upload.name or "image").stem) or "image").name
    return ContentFile(out.getvalue(), name=f"{stem[:60]}.png")


def validate_image(file) -> None:
    """
    Validator for the models' image fields: whatever form or script brings a new
    file (the admin too), it passes the checks of `clean_image`. A file already
    in storage was checked when it came in and is not read again (nor is the
    path a history record keeps).
    """
    if getattr(file, "_committed", False) or not hasattr(file, "seek"):
        return
    _decode_image(
        file, max_bytes=MAX_IMAGE_BYTES, max_pixels=MAX_IMAGE_PIXELS, max_side=MAX_IMAGE_SIDE
    )


def clean_document(upload, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> ContentFile:
    """
    Evidence files: a PDF (checked by its signature, stored as uploaded and
    always served as a download) or an image (re-encoded as PNG).
    """
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            f"The file is too large ({_megabytes(upload.size)}); the limit is "
            f"{_megabytes(max_bytes)}.",
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        stem = Path(get_valid_filename(Path(upload.name or "document").stem) or "document").name
        return ContentFile(upload.read(), name=f"{stem[:60]}.pdf")
    try:
        return clean_image(upload)
    except ValidationError as exc:
        if exc.code == "not_an_image":
            raise ValidationError(
                "Evidence must be a PDF, PNG or JPEG file.", code="bad_format"
            ) from exc
        raise


IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def image_response(file) -> FileResponse:
    """
    A stored image (logo, signature), streamed through the storage API by a view
    that has checked who asks. Only a PNG or JPEG is shown inline; anything else
    that reached storage by another road is a download, never rendered in our origin.
    """
    if not file:
        raise Http404
    content_type = IMAGE_TYPES.get(Path(file.name).suffix.lower())
    response = FileResponse(
        file.open("rb"),
        as_attachment=content_type is None,
        filename=Path(file.name).name,
        content_type=content_type or "application/octet-stream",
    )
    # Signatures and unpublished logos must not linger in shared caches.
    response["Cache-Control"] = "private, max-age=300"
    return response


class CheckedFieldFile(FieldFile):
    """
    A stored file whose `url` is the view that checks who asks (its model's
    `get_<field>_url()`), never the storage's own address, so that no page, form
    or admin screen links around the permission checks. `storage_url` is the
    address the PDF renderer's fetcher reads it from, through the storage API,
    whichever storage holds it (disk or S3).
    """

    @property
    def url(self) -> str:
        if not self:
            raise ValueError(f"The '{self.field.name}' attribute has no file associated with it.")
        return getattr(self.instance, f"get_{self.field.name}_url")()

    @property
    def storage_url(self) -> str:
        from letters.printing.fetcher import ASSET_ORIGIN

        return f"{ASSET_ORIGIN}{settings.MEDIA_URL.strip('/')}/{filepath_to_uri(self.name)}"


class CheckedImageFieldFile(CheckedFieldFile, ImageFieldFile):
    pass


class CheckedFileField(models.FileField):
    """A FileField served only through a checking view (see `CheckedFieldFile`)."""

    attr_class = CheckedFieldFile

    def deconstruct(self):
        # How a file is linked is not part of the schema: migrations see a plain field.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.FileField", args, kwargs


class CheckedImageField(models.ImageField):
    """An ImageField served only through a checking view (see `CheckedFieldFile`)."""

    attr_class = CheckedImageFieldFile

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.ImageField", args, kwargs
