"""
The only way WeasyPrint reaches a file: our static files and uploaded images
(re-encoded to plain pixels first), and small data: URLs. Everything else is
refused and logged.
"""

from __future__ import annotations

import io
import logging
import mimetypes
import os
import warnings
from functools import lru_cache
from pathlib import Path
from typing import IO
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, SuspiciousOperation
from django.core.files.storage import default_storage
from PIL import Image, UnidentifiedImageError
from weasyprint.urls import URLFetcher, URLFetcherResponse

from letters.printing import limits
from letters.printing.limits import PdfError

logger = logging.getLogger(__name__)

# Resources are requested from this made-up origin (the .invalid TLD never
# resolves): the fetcher reads media through the storage API (disk or S3) and
# static files from their directories, so `{{ file.storage_url }}` works in the
# template and nothing is ever fetched over a network. (A file's `url` is the
# view that checks who asks: see letters.uploads.)
ASSET_ORIGIN = "https://pdf-assets.invalid/"


def static_roots() -> list[Path]:
    roots = [Path(settings.STATIC_ROOT)]
    for entry in settings.STATICFILES_DIRS:
        roots.append(Path(entry[1] if isinstance(entry, tuple | list) else entry))
    return [Path(os.path.realpath(root)) for root in roots]


def _prefix(url_setting: str) -> str:
    return "/" + url_setting.strip("/") + "/"


class AssetFetcher(URLFetcher):
    """
    Serve only uploaded images (from the media storage, re-encoded), files under
    the static roots (after resolving symlinks) and small data: URLs. Everything
    else (file: paths elsewhere, http(s), ftp, and so redirects too) is refused
    and logged; WeasyPrint then leaves the resource out.
    """

    def __init__(self) -> None:
        super().__init__(
            timeout=1, allowed_protocols={"data", "file", "https"}, allow_redirects=False
        )

    def refuse(self, url: str, reason: str):
        logger.warning("PDF renderer refused %s: %s", url[:200], reason)
        return ValueError(f"Refused {url[:80]}: {reason}")

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if url.startswith("data:"):
            if len(url) > limits.MAX_DATA_URL:
                raise self.refuse(url, "data: URL larger than the limit")
            return super().fetch(url, headers)
        parts = urlsplit(url)
        asked = unquote(parts.path)
        if url.startswith(ASSET_ORIGIN) and asked.startswith(_prefix(settings.MEDIA_URL)):
            body = self.media_image(url, asked[len(_prefix(settings.MEDIA_URL)) :])
            return URLFetcherResponse(url, body=body, headers={"Content-Type": "image/png"})
        if url.startswith(ASSET_ORIGIN):
            path = self.static_path(asked)
        elif url.startswith("file:"):
            path = Path(url2pathname(asked))
        else:
            raise self.refuse(url, "only our own static and media files are served")
        if path is None:
            raise self.refuse(url, "not a static or media URL")
        real = Path(os.path.realpath(path))
        if not any(real.is_relative_to(root) for root in static_roots()):
            raise self.refuse(url, "outside the static files")
        if not real.is_file():
            raise self.refuse(url, "no such file")
        if real.stat().st_size > limits.MAX_ASSET_BYTES:
            raise self.refuse(url, "file too large")
        mime = mimetypes.guess_type(real.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=real.read_bytes(), headers={"Content-Type": mime})

    def media_image(self, url: str, name: str) -> bytes:
        """An uploaded file, read through the storage API: only images, as fresh pixels."""
        try:
            size = default_storage.size(name)
        except SuspiciousOperation:  # a name climbing out of the storage ("../")
            raise self.refuse(url, "outside the media storage") from None
        except Exception:  # FileNotFoundError on disk, a ClientError from S3
            raise self.refuse(url, "no such file") from None
        if size > limits.MAX_ASSET_BYTES:
            raise self.refuse(url, "file too large")
        try:
            return reencoded_image(name, size)
        except PdfError as exc:
            raise self.refuse(url, exc.message) from None

    @staticmethod
    def static_path(path: str) -> Path | None:
        static_prefix = _prefix(settings.STATIC_URL)
        if path.startswith(static_prefix):
            from django.contrib.staticfiles import finders

            relative = path[len(static_prefix) :]
            try:
                found = finders.find(relative)
            except SuspiciousFileOperation:
                return None
            return Path(found) if found else Path(settings.STATIC_ROOT) / relative
        return None


def check_image(file: IO[bytes], *, label: str) -> tuple[int, int]:
    """Refuse anything but a PNG or JPEG of sane size, reading only its header."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(file) as probe:
                kind, (width, height) = probe.format, probe.size
    except (FileNotFoundError, IsADirectoryError):
        raise PdfError(f"The {label} file is missing; upload it again.") from None
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise PdfError(f"The {label} is not a PNG or JPEG image; upload it again.") from None
    if kind not in {"PNG", "JPEG"}:
        raise PdfError(f"The {label} must be a PNG or JPEG image, not {kind}.")
    if (
        width > limits.MAX_IMAGE_SIDE
        or height > limits.MAX_IMAGE_SIDE
        or width * height > limits.MAX_IMAGE_PIXELS
    ):
        raise PdfError(
            f"The {label} is {width}×{height} pixels, too large to print; upload one under "
            f"{limits.MAX_IMAGE_SIDE} pixels a side."
        )
    return width, height


@lru_cache(maxsize=64)
def reencoded_image(name: str, size: int) -> bytes:
    """
    Only pixels reach the renderer. Cached for the process by name and size:
    storages never reuse a name (S3 is set not to overwrite), so that is one
    version of one file.
    """
    with default_storage.open(name, "rb") as fh:
        data = fh.read(limits.MAX_ASSET_BYTES + 1)
    check_image(io.BytesIO(data), label="image")
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        mode = "RGBA" if image.mode in {"RGBA", "LA", "P", "PA"} else "RGB"
        out = io.BytesIO()
        image.convert(mode).save(out, format="PNG")
    return out.getvalue()
