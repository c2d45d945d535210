"""Page images for OCR: a page's own full-page picture when it has one, else a pdfium rendering."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

__all__ = ["MAX_SIDE", "RENDER_DPI", "PageImages", "has_content", "image_hash", "is_blank"]

#: Rendering resolution for pages that are not one full-page image.
RENDER_DPI = 300
#: Longest side (pixels) of a page image given to OCR: larger scans are scaled down to it.
MAX_SIDE = 4000
# An embedded picture is used as is when it has at least this resolution on the page.
_MIN_DPI = 150
# A page image whose darkest spot is less than this many grey levels below its paper is blank.
_BLANK_CONTRAST = 40


def has_content(reader: Any, number: int) -> bool:
    """False for 1-based page `number` of a pypdf `reader` with no content stream (a blank page);
    nothing is decoded."""
    try:
        contents = reader.pages[number - 1].get("/Contents")
    except Exception:  # a damaged page tree: let rendering decide
        return True
    return contents is not None and contents != []


def image_hash(image: Any) -> str:
    """sha256 of a PIL image's mode, size and pixel bytes: the OCR cache key."""
    digest = hashlib.sha256(f"{image.mode} {image.width}x{image.height}\n".encode())
    digest.update(image.tobytes())
    return digest.hexdigest()


def is_blank(image: Any) -> bool:
    """True when no spot of the page (4x4 pixel averages) is much darker than its paper."""
    import numpy as np

    grey = np.asarray(image.convert("L").reduce(4))
    return float(np.percentile(grey, 99)) - float(grey.min()) < _BLANK_CONTRAST


class PageImages:
    """Page images of one PDF (open in pypdf `reader`); a context manager that closes pdfium."""

    def __init__(self, reader: Any, path: Path, password: str | None) -> None:
        self.reader, self.path, self.password = reader, path, password
        self._pdfium: Any = None

    def __enter__(self) -> PageImages:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pdfium is not None:
            self._pdfium.close()

    def image(self, number: int) -> Any:
        """The image to OCR for 1-based page `number` (PIL, at most MAX_SIDE pixels on a side)."""
        image = self._embedded(number) or self._render(number)
        if max(image.size) > MAX_SIDE:
            image = image.copy()
            image.thumbnail((MAX_SIDE, MAX_SIDE))
        return image

    def _embedded(self, number: int) -> Any:
        """The page's only image when it fills the page (same aspect ratio, ≥ 150 dpi), else None."""
        page = self.reader.pages[number - 1]
        try:
            images = page.images
            if len(images) != 1:
                return None
            image = images[0].image
            width, height = float(page.mediabox.width), float(page.mediabox.height)
            rotation = (page.rotation or 0) % 360
        except Exception:  # undecodable filters (JBIG2…), broken resources: render instead
            return None
        if image is None or width <= 0 or height <= 0:
            return None
        if rotation in (90, 180, 270):
            image = image.rotate(-rotation, expand=True)  # /Rotate turns clockwise, PIL counter-clockwise
            if rotation != 180:
                width, height = height, width
        if abs(image.width / image.height - width / height) > 0.05 * (width / height):
            return None
        if image.width / (width / 72) < _MIN_DPI:
            return None
        return image if image.mode in ("L", "RGB") else image.convert("RGB")

    def _render(self, number: int) -> Any:
        """The page rendered by pdfium in grey at RENDER_DPI (less for very large pages)."""
        import pypdfium2

        if self._pdfium is None:
            self._pdfium = pypdfium2.PdfDocument(self.path, password=self.password or None)
        page = self._pdfium[number - 1]
        try:
            width, height = page.get_size()
            scale = min(RENDER_DPI / 72, MAX_SIDE / max(width, height, 1.0))
            return page.render(scale=scale, grayscale=True).to_pil()
        finally:
            page.close()
