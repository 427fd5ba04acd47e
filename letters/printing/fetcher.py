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
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from PIL import Image, UnidentifiedImageError
from weasyprint.urls import URLFetcher, URLFetcherResponse

from letters.printing import limits
from letters.printing.limits import PdfError

logger = logging.getLogger(__name__)

# Resources are requested from this made-up origin (the .invalid TLD never
# resolves): the fetcher maps it onto MEDIA_ROOT and the static files, so
# `{{ file.storage_url }}` works in the template and nothing is ever fetched over a
# network. (A file's `url` is the view that checks who asks: see letters.uploads.)
ASSET_ORIGIN = "https://pdf-assets.invalid/"


def allowed_roots() -> list[Path]:
    roots = [Path(settings.MEDIA_ROOT), Path(settings.STATIC_ROOT)]
    for entry in settings.STATICFILES_DIRS:
        roots.append(Path(entry[1] if isinstance(entry, tuple | list) else entry))
    return [Path(os.path.realpath(root)) for root in roots]


class AssetFetcher(URLFetcher):
    """
    Serve only files under the media and static roots (after resolving symlinks)
    and small data: URLs. Everything else (other file: paths, http(s), ftp, and so
    redirects too) is refused and logged; WeasyPrint then leaves the resource out.
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
        if url.startswith(ASSET_ORIGIN):
            path = self.asset_path(unquote(urlsplit(url).path))
        elif url.startswith("file:"):
            path = Path(url2pathname(unquote(urlsplit(url).path)))
        else:
            raise self.refuse(url, "only our own static and media files are served")
        if path is None:
            raise self.refuse(url, "not a static or media URL")
        real = Path(os.path.realpath(path))
        media = Path(os.path.realpath(settings.MEDIA_ROOT))
        if not any(real.is_relative_to(root) for root in allowed_roots()):
            raise self.refuse(url, "outside the static and media roots")
        if not real.is_file():
            raise self.refuse(url, "no such file")
        if real.stat().st_size > limits.MAX_ASSET_BYTES:
            raise self.refuse(url, "file too large")
        mime = mimetypes.guess_type(real.name)[0] or "application/octet-stream"
        if real.is_relative_to(media):
            # Uploaded files: only images, and only as freshly re-encoded pixels.
            try:
                body = reencoded_image(str(real), real.stat().st_mtime_ns)
            except PdfError as exc:
                raise self.refuse(url, exc.message) from None
            mime = "image/png"
        else:
            body = real.read_bytes()
        return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})

    @staticmethod
    def asset_path(path: str) -> Path | None:
        media_prefix = "/" + settings.MEDIA_URL.strip("/") + "/"
        static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
        if path.startswith(media_prefix):
            return Path(settings.MEDIA_ROOT) / path[len(media_prefix) :]
        if path.startswith(static_prefix):
            from django.contrib.staticfiles import finders

            relative = path[len(static_prefix) :]
            try:
                found = finders.find(relative)
            except SuspiciousFileOperation:
                return None
            return Path(found) if found else Path(settings.STATIC_ROOT) / relative
        return None


def check_image(path: str, *, label: str) -> tuple[int, int]:
    """Refuse anything but a PNG or JPEG of sane size, reading only its header."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as probe:
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
def _reencoded(path: str, mtime_ns: int) -> bytes:
    check_image(path, label="image")
    with Image.open(path) as image:
        image.load()
        mode = "RGBA" if image.mode in {"RGBA", "LA", "P", "PA"} else "RGB"
        out = io.BytesIO()
        image.convert(mode).save(out, format="PNG")
    return out.getvalue()


def reencoded_image(path: str, mtime_ns: int) -> bytes:
    """Only pixels reach the renderer; cached per file version for the process."""
    return _reencoded(path, mtime_ns)
