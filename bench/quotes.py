"""原文核对 speed and calibration: a 5,000-character draft with 30 quotations checked over 100,000 passages.

Speed: a synthetic corpus (bench/synth.py) is published as other benches do, and its passages are put
into the trigram phrase index (synth leaves it empty). The draft quotes 30 passages of that corpus: 12
verbatim, 6 in Traditional script, 6 with a word changed, 6 invented from the same vocabulary, joined by
generated filler to 5,000 characters. `QuoteChecker.check` is timed end to end (extraction, candidates,
alignment, sources) after one warm-up run; the target is ≤ 2 s.

Calibration (--calibrate): the sample corpus corpus/ is ingested once (offline model) and the cases of
tests/quotes/calibration.json are checked: accuracy and the score range of each kind.

Usage: python bench/quotes.py [--size 100000] [--runs 5] [--calibrate] [--json out.json]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
from common import ROOT, cache_dir, emit, median

TARGET_S = 2.0
DRAFT_CHARS = 5000


def _fill_phrase_index(folder: Path) -> float:
    """Put every passage into the trigram index once (marker file), as ingest does; seconds taken."""
    from studykb.db import connect, write
    from studykb.index_store import IndexStore
    from studykb.text import fold

    marker = folder / "quotes-fts.done"
    if marker.exists():
        return 0.0
    t = time.perf_counter()
    conn = connect(folder / "studykb.db")
    with write(conn):
        store = IndexStore(conn)
        store.rebuild_phrases([(i, fold(s)) for i, s in store.all_chunks("id, text")])
    conn.close()
    marker.write_text("ok")
    return time.perf_counter() - t


def _draft(folder: Path, seed: int) -> tuple[str, list[str]]:
    """The draft and the expected status of each of its 30 quotations, in order."""
    import opencc
    from synth import passages

    from studykb.db import connect
    from studykb.index_store import IndexStore
    from studykb.text import to_simplified

    s2t = opencc.OpenCC("s2t")
    rng = np.random.default_rng(seed)
    conn = connect(folder / "studykb.db", migrate=False)
    store = IndexStore(conn)
    picks = rng.choice(np.arange(1, store.chunk_count() + 1), 30, replace=False)
    texts = [store.chunk(int(i))["text"] for i in picks]
    conn.close()
    filler = iter(t for _, t, _ in passages(200, seed + 1000))
    parts, expected = [], []
    for i, text in enumerate(texts):
        start = int(rng.integers(0, max(1, len(text) - 60)))
        quote = text[start : start + int(rng.integers(25, 60))].strip("，。")
        if i < 12:
            kind = "exact"
        elif i < 18:
            kind, quote = "exact", s2t.convert(quote)
            if to_simplified(quote) != quote and len(quote) != len(to_simplified(quote)):
                quote = text[start : start + 30]
        elif i < 24:
            mid = len(quote) // 2
            kind, quote = "near", quote[:mid] + "人民群众" + quote[mid + 2 :]
        else:
            words = next(filler)
            kind, quote = "not_found", words[: len(quote)]
        expected.append(kind)
        parts.append(f"{next(filler)[:100]}总书记指出：“{quote}。”")
    draft = "".join(parts)
    while len(draft) < DRAFT_CHARS:
        draft += next(filler)
    return draft[: max(DRAFT_CHARS, len(draft))], expected


def speed(size: int, runs: int, seed: int) -> dict[str, Any]:
    from synth import build_version

    from quotes import QuoteChecker
    from search.engine import Engine

    folder = cache_dir() / f"quotes-{size}"
    build_version(folder, size, seed)
    fts_s = _fill_phrase_index(folder)
    draft, expected = _draft(folder, seed)
    checker = QuoteChecker(Engine.open(folder))
    t = time.perf_counter()
    report = checker.check(draft)
    first = time.perf_counter() - t
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        report = checker.check(draft)
        times.append(time.perf_counter() - t)
    checked = [v for v in report.verdicts if v.status != "term"]
    right = sum(1 for v, want in zip(checked, expected, strict=False) if v.status == want)
    for v, want in zip(checked, expected, strict=False):
        if v.status != want:
            print(f"written as {want}, found {v.status} (edit {v.score:.3f}): {v.quotation.text}")
    return {
        "passages": size,
        "draft_characters": len(draft),
        "quotations": len(checked),
        "classified_as_written": f"{right}/{len(expected)}",
        "first_check_s": first,
        "check_median_s": median(times),
        "check_max_s": max(times),
        "target_s": TARGET_S,
        "meets_target": max(times) <= TARGET_S,
        "phrase_index_fill_s": fts_s,
    }


def calibrate() -> dict[str, Any]:
    from ingest.pipeline import IngestOptions, ingest
    from quotes import QuoteChecker
    from quotes.calibration import run_calibration
    from search.engine import Engine

    folder = cache_dir() / "quotes-sample"
    ingest([ROOT / "corpus"], folder, IngestOptions(model="minilm"))
    results = run_calibration(QuoteChecker(Engine.open(folder)))
    figures: dict[str, Any] = {"cases": len(results), "right": sum(r.ok for r in results)}
    for kind in dict.fromkeys(r.kind for r in results):
        rs = [r for r in results if r.kind == kind]
        figures[f"{kind}: right"] = f"{sum(r.ok for r in rs)}/{len(rs)}"
        figures[f"{kind}: edit min–max"] = f"{min(r.edit for r in rs):.3f}–{max(r.edit for r in rs):.3f}"
        share = [r.overlap for r in rs]
        figures[f"{kind}: bigram share min–max"] = f"{min(share):.3f}–{max(share):.3f}"
    for r in results:
        if not r.ok:
            print(f"WRONG {r.kind}: {r.text} → {r.status} {r.path} "
                  f"(edit {r.edit:.3f}, share {r.overlap:.3f})")
    return figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--calibrate", action="store_true", help="run the calibration set instead")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    if args.calibrate:
        emit("原文核对 calibration on the sample corpus", calibrate(), args.json)
    else:
        emit(f"原文核对 at {args.size:,} passages", speed(args.size, args.runs, args.seed), args.json)


if __name__ == "__main__":
    main()
