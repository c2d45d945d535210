"""The RapidOCR engine (loaded lazily, once per process) and page orientation: image → upright lines."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from studykb.errors import ConfigError

from .ocr_layout import OcrLine

__all__ = ["DET_MAX_SIDE", "ENGINE_TAG", "PageLines", "load_engine", "recognise"]

#: Longest side (pixels) of the image text detection runs on; recognition reads crops of the full image.
#: About 120 dpi for A4: enough to find 9-point text, five times faster than detecting at 2000 px.
DET_MAX_SIDE = 1400
#: Recognition results below this confidence are noise (specks, rules), as in RapidOCR's own default.
MIN_LINE_CONFIDENCE = 0.5
#: Part of the OCR cache key: bump when the way lines are produced changes.
ENGINE_TAG = f"rapidocr-onnxruntime/det{DET_MAX_SIDE}/v2"
INSTALL_HINT = "pip install rapidocr-onnxruntime"

_ENGINE: Any = None


@dataclass(frozen=True)
class PageLines:
    """What OCR read on one page: lines in the upright frame, and how the page was turned to get there.

    `orientation` is "upright", "upside-down", "top-at-right" (a page turned clockwise, and also
    vertical text: columns read right to left) or "top-at-left" (a page turned counter-clockwise);
    `width`/`height` are those of the upright frame.
    """

    lines: tuple[OcrLine, ...]
    orientation: str
    width: float
    height: float

    def __repr__(self) -> str:
        return f"PageLines({len(self.lines)} lines, {self.orientation})"


def load_engine() -> Any:
    """The process's RapidOCR instance (Chinese PP-OCR det/rec/cls models from the wheel).

    Raises ConfigError naming the pip command when rapidocr-onnxruntime is not installed.
    onnxruntime uses up to 4 threads (fewer on smaller machines).
    """
    global _ENGINE
    if _ENGINE is None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:
            raise ConfigError(
                f"OCR needs the rapidocr-onnxruntime package ({exc}): run `{INSTALL_HINT}`, "
                "or ingest with --no-ocr"
            ) from None
        threads = min(4, os.cpu_count() or 1)
        _ENGINE = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1)
    return _ENGINE


def recognise(image: Any) -> PageLines:
    """Detect, orient and read the text of a page image (PIL image) with RapidOCR.

    Detection runs on a copy scaled to DET_MAX_SIDE; each box is cropped from the full image and
    turned by 90° when tall. The page orientation is voted by the boxes: mostly tall boxes mean a
    page turned by 90° or vertical text, and the 0°/180° direction classifier's verdict on most
    boxes tells which way; mostly flipped wide boxes mean an upside-down page. Lines are turned
    by the page's verdict and recognised, and their boxes mapped into the upright frame for
    `reading_order`.
    """
    import cv2
    import numpy as np

    engine = load_engine()
    page = np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])  # BGR, as OpenCV reads
    height, width = page.shape[:2]
    scale = min(1.0, DET_MAX_SIDE / max(height, width))
    small = cv2.resize(page, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    quads, _ = engine.text_det(small)
    if quads is None or len(quads) == 0:
        return PageLines((), "upright", float(width), float(height))
    quads = [np.asarray(q, dtype=np.float32) / scale for q in quads]
    crops = [_crop(page, quad) for quad in quads]
    # The classifier squeezes its input to 4:1, which misreads long lines: it votes on a 4:1 window
    # of each line, and the page's verdict then turns every line of the page's direction.
    _, directions, _ = engine.text_cls([_window(crop) for crop in crops])
    tall = [_is_tall(q) for q in quads]
    flipped = [label == "180" and score > engine.text_cls.cls_thresh for label, score in directions]
    orientation = _orientation(tall, flipped)
    if orientation in ("upside-down", "top-at-left"):
        other = orientation == "upside-down"  # boxes of the other direction (tall on a wide page) stay
        crops = [
            crop if t is other else np.ascontiguousarray(np.rot90(crop, 2))
            for crop, t in zip(crops, tall, strict=True)
        ]
    results, _ = engine.text_rec(crops)
    lines: list[OcrLine] = []
    for quad, (text, confidence, *_rest) in zip(quads, results, strict=True):
        if not text.strip() or confidence < MIN_LINE_CONFIDENCE:
            continue
        x0, y0, x1, y1 = _to_upright(quad, orientation, width, height)
        lines.append(OcrLine(text.strip(), float(confidence), x0, y0, x1, y1))
    up_w, up_h = (height, width) if orientation.startswith("top-at") else (width, height)
    return PageLines(tuple(lines), orientation, float(up_w), float(up_h))


def _crop(page: Any, quad: Any) -> Any:
    """The text box `quad` cut out straight; a tall box is turned 90° counter-clockwise."""
    import cv2
    import numpy as np

    width = max(1, int(max(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[2] - quad[3]))))
    height = max(1, int(max(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[1] - quad[2]))))
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(quad.astype(np.float32), target)
    crop = cv2.warpPerspective(
        page, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC
    )
    return np.ascontiguousarray(np.rot90(crop)) if height >= 1.5 * width else crop


def _window(crop: Any) -> Any:
    """The middle of a line crop, at most four times as wide as it is high (the classifier's shape)."""
    height, width = crop.shape[:2]
    if width <= 4 * height:
        return crop
    start = (width - 4 * height) // 2
    return crop[:, start : start + 4 * height]


def _is_tall(quad: Any) -> bool | None:
    """True for a tall box, False for a wide one, None for a squarish one (a single character)."""
    w = float(quad[:, 0].max() - quad[:, 0].min())
    h = float(quad[:, 1].max() - quad[:, 1].min())
    if h >= 1.5 * w:
        return True
    if w >= 1.5 * h:
        return False
    return None


def _orientation(tall: list[bool | None], flipped: list[bool]) -> str:
    """The page orientation voted by the boxes' shapes and the direction classifier.

    Tall crops are turned counter-clockwise before classification, so on a page turned clockwise
    (and for vertical text) they come out upright, and on a page turned counter-clockwise upside
    down.
    """
    n_tall = sum(t is True for t in tall)
    n_wide = sum(t is False for t in tall)
    vertical = n_tall > n_wide
    voters = [f for t, f in zip(tall, flipped, strict=True) if t is vertical]
    upside = sum(voters) > len(voters) / 2 if voters else False
    if vertical:
        return "top-at-left" if upside else "top-at-right"
    return "upside-down" if upside else "upright"


def _to_upright(quad: Any, orientation: str, width: int, height: int) -> tuple[float, float, float, float]:
    """The bounding box of `quad` in the frame where the page reads normally."""
    xs, ys = quad[:, 0].astype(float), quad[:, 1].astype(float)
    if orientation == "upside-down":
        xs, ys = width - xs, height - ys
    elif orientation == "top-at-right":  # columns read right to left, each top to bottom
        xs, ys = ys, width - xs
    elif orientation == "top-at-left":  # columns read left to right, each bottom to top
        xs, ys = height - ys, xs
    return float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())
