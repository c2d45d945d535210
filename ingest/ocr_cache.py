"""The OCR cache: what OCR read on a page image, one JSON file per image hash under the data dir."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .ocr_engine import PageLines
from .ocr_layout import OcrLine
from .ocr_settings import CACHE_DIR_NAME, cache_dir

__all__ = ["CACHE_DIR_NAME", "OcrCache", "cache_dir"]

#: Folder of the OCR cache inside the data dir.
class OcrCache:
    """Page lines by image hash in `root/<2 hex>/<sha256>.json`, valid for one engine `tag`.

    Entries are written atomically (temporary file, then rename), so concurrent ingests and a
    crash leave either a whole entry or none; a damaged or stale entry reads as a miss.
    """

    def __init__(self, root: Path, tag: str) -> None:
        self.root, self.tag = Path(root), tag

    def _file(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> PageLines | None:
        """The lines cached for image hash `key`, or None."""
        try:
            data = json.loads(self._file(key).read_text(encoding="utf-8"))
            if data.get("engine") != self.tag:
                return None
            lines = tuple(OcrLine(str(t), float(c), *map(float, box)) for t, c, *box in data["lines"])
            return PageLines(lines, str(data["orientation"]), float(data["width"]), float(data["height"]))
        except (OSError, ValueError, KeyError, TypeError):  # missing or damaged entry: OCR again
            return None

    def put(self, key: str, result: PageLines) -> None:
        """Store `result` for image hash `key`; a read-only or full disk only costs a later re-OCR."""
        file = self._file(key)
        data = {
            "engine": self.tag,
            "orientation": result.orientation,
            "width": result.width,
            "height": result.height,
            "lines": [
                [
                    ln.text,
                    round(ln.confidence, 5),
                    round(ln.x0, 1),
                    round(ln.y0, 1),
                    round(ln.x1, 1),
                    round(ln.y1, 1),
                ]
                for ln in result.lines
            ],
        }
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            tmp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, file)
        except OSError:
            pass
