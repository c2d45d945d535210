"""Retrieval quality on the CMRC 2018 trial set: BM25 only, dense only and hybrid.

Every context becomes one document, every question a query whose relevant document is its own
context. Prints document-level Recall@1/5/10 and MRR@10, and answer recall@k (the answer string
appears in a top-k passage after normalisation), for Simplified questions and for the same
questions converted to Traditional Chinese (OpenCC s2t).

Usage: python bench/retrieval.py [--eval PATH] [--limit N] [--model NAME] [--weights 0,0.1,0.5]

The two legs are computed once per question; the fusion (search/fuse.py `hybrid`, the function the
engine uses) is swept over dense weights from those lists, and the shipped setting is measured once
more through the full engine path (duplicate collapse, snippets) as "hybrid as shipped".
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.pipeline import IngestOptions, ingest  # noqa: E402
from search import engine as engine_mod  # noqa: E402
from search.engine import Engine  # noqa: E402
from search.fuse import hybrid  # noqa: E402
from search.query import parse_query  # noqa: E402
from studykb.errors import QueryError  # noqa: E402
from studykb.text import fold, is_cjk  # noqa: E402

DEFAULT_EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "cmrc2018_trial.json"
KS = (1, 5, 10)


def load_eval(path: Path) -> tuple[dict[str, str], list[tuple[str, str, list[str]]]]:
    """Contexts by document id, and (question, document id, answers) triples."""
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    docs: dict[str, str] = {}
    queries: list[tuple[str, str, list[str]]] = []
    for article in data:
        for i, para in enumerate(article["paragraphs"]):
            doc_id = para["id"] if len(article["paragraphs"]) == 1 else f"{para['id']}-{i}"
            docs[doc_id] = para["context"]
            for qa in para["qas"]:
                queries.append((qa["question"], doc_id, [a["text"] for a in qa["answers"]]))
    return docs, queries


def score(ranked: list[tuple[str, str]], doc_id: str, answers: list[str]) -> dict[str, float]:
    """Metrics of one query from its ranked (document id, passage text) list."""
    rank = next((i for i, (d, _) in enumerate(ranked[: max(KS)], 1) if d == doc_id), None)
    folded = [fold(a) for a in answers]
    ans = next(
        (i for i, (_, t) in enumerate(ranked[: max(KS)], 1) if any(a in fold(t) for a in folded)), None
    )
    out = {f"R@{k}": float(rank is not None and rank <= k) for k in KS}
    out["MRR"] = 1 / rank if rank else 0.0
    out |= {f"A@{k}": float(ans is not None and ans <= k) for k in KS}
    return out


def mean(rows: list[dict[str, float]]) -> dict[str, float]:
    return {key: sum(r[key] for r in rows) / len(rows) for key in rows[0]}


def engine_ranked(engine: Engine, question: str) -> list[tuple[str, str]]:
    """The full product path: engine.search with its shipped fusion settings."""
    try:
        hits = engine.search(question, k=max(KS)).hits
    except QueryError:  # a blank question counts as a miss
        return []
    out: list[tuple[str, str]] = []
    for h in hits:
        out.append((Path(h.document.path).stem, h.text))
        out += [(Path(loc.path).stem, h.text) for loc in h.also_in]
    return out


def leg_lists(engine: Engine, question: str) -> tuple[list[tuple[int, float]], list[tuple[int, float]], bool]:
    """BM25 and dense candidates (row position, score) of one question, computed once."""
    snap = engine.snapshot()
    try:
        parsed = parse_query(question)
    except QueryError:
        return [], [], False
    bm25 = snap.lexical.search(parsed.terms, engine_mod.MIN_DEPTH) if parsed.terms else []
    dense = snap.dense.search(engine.embed_query(parsed.text), engine_mod.MIN_DEPTH)
    weak = any(is_cjk(c) for c in parsed.text) and not engine.model.chinese_capable
    return bm25, dense, weak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    ap.add_argument("--limit", type=int, default=0, help="use only the first N questions")
    ap.add_argument("--model", default=None, help="embedding model (default: studykb's default chain)")
    ap.add_argument("--weights", default="", help="comma-separated dense weights to sweep for the hybrid")
    ap.add_argument("--data-dir", type=Path, default=None, help="keep the index here (default: temporary)")
    args = ap.parse_args()
    from opencc import OpenCC

    docs, queries = load_eval(args.eval)
    if args.limit:
        queries = queries[: args.limit]
    work = Path(tempfile.mkdtemp(prefix="studykb-cmrc-"))
    corpus = work / "docs"
    corpus.mkdir()
    for doc_id, text in docs.items():
        (corpus / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    data_dir = args.data_dir or work / "data"
    t = time.perf_counter()
    report = ingest([corpus], data_dir, IngestOptions(model=args.model))
    print(
        f"indexed {report.n_documents} documents, {report.n_chunks} passages with {report.model} "
        f"in {time.perf_counter() - t:.1f} s"
    )
    engine = Engine.open(data_dir)
    snap = engine.snapshot()
    doc_of = {i: Path(snap.documents[int(d)].path).stem for i, d in enumerate(snap.doc_of)}
    conn = sqlite3.connect(data_dir / "studykb.db")
    text_of = dict(conn.execute("SELECT id, text FROM chunks"))
    texts = {i: text_of[int(c)] for i, c in enumerate(snap.chunk_ids)}

    def named(items: list[tuple[int, float]]) -> list[tuple[str, str]]:
        return [(doc_of[p], texts[p]) for p, _ in items]

    s2t = OpenCC("s2t")
    variants = {"simplified": queries, "traditional": [(s2t.convert(q), d, a) for q, d, a in queries]}
    weights = [float(w) for w in args.weights.split(",") if w] or [0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0]
    cols = [f"R@{k}" for k in KS] + ["MRR"] + [f"A@{k}" for k in KS]
    print(
        f"\n{len(queries)} questions over {len(docs)} documents; model {engine.model.name}; "
        f"shipped dense weight {engine_mod.WEAK_DENSE_WEIGHT} (model cannot read the query) / "
        f"{engine_mod.DENSE_WEIGHT} (it can)\n"
    )
    print("| questions | method | " + " | ".join(cols) + " |")
    print("|---|---|" + "---|" * len(cols))
    for variant, qs in variants.items():
        legs = [leg_lists(engine, q) for q, _, _ in qs]
        rows: dict[str, list[dict[str, float]]] = {"BM25 only": [], "dense only": []}
        for (bm25, dense, weak), (_, doc_id, answers) in zip(legs, qs, strict=True):
            rows["BM25 only"].append(score(named(bm25), doc_id, answers))
            rows["dense only"].append(score(named(dense), doc_id, answers))
            for w in weights:
                fused = hybrid(bm25, dense, w, rerank_only=weak)
                rows.setdefault(f"hybrid, dense weight {w:g}", []).append(
                    score(named(fused), doc_id, answers)
                )
        rows["hybrid as shipped (engine.search)"] = [score(engine_ranked(engine, q), d, a) for q, d, a in qs]
        for method, per_query in rows.items():
            m = mean(per_query)
            print(f"| {variant} | {method} | " + " | ".join(f"{m[c]:.3f}" for c in cols) + " |", flush=True)


if __name__ == "__main__":
    main()
