"""Retrieval quality on the CMRC 2018 trial set: BM25 only, dense only and hybrid.

Every context becomes one document, every question a query whose relevant document is its own
context. Prints document-level Recall@1/5/10 and MRR@10, and answer recall@k (the answer string
appears in a top-k passage after normalisation), for Simplified questions and for the same
questions converted to Traditional Chinese (OpenCC s2t).

Usage: python bench/retrieval.py [--eval PATH] [--limit N] [--model NAME] [--weights 0,0.15,1]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.pipeline import IngestOptions, ingest  # noqa: E402
from search import engine as engine_mod  # noqa: E402
from search.engine import Engine  # noqa: E402
from studykb.errors import QueryError  # noqa: E402
from studykb.text import fold  # noqa: E402

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


def evaluate(engine: Engine, queries: list[tuple[str, str, list[str]]], legs: tuple[str, ...]) -> dict[str, float]:
    """Mean document recall@k, MRR@10 and answer recall@k over the queries."""
    sums = {f"R@{k}": 0.0 for k in KS} | {"MRR": 0.0} | {f"A@{k}": 0.0 for k in KS}
    for question, doc_id, answers in queries:
        try:
            hits = engine.search(question, k=max(KS), legs=legs).hits
        except QueryError:  # a blank question counts as a miss
            hits = ()
        rank = None
        for i, h in enumerate(hits, start=1):
            ids = {Path(h.document.path).stem} | {Path(loc.path).stem for loc in h.also_in}
            if doc_id in ids:
                rank = i
                break
        folded_answers = [fold(a) for a in answers]
        ans_rank = next((i for i, h in enumerate(hits, 1) if any(a in fold(h.text) for a in folded_answers)), None)
        for k in KS:
            sums[f"R@{k}"] += rank is not None and rank <= k
            sums[f"A@{k}"] += ans_rank is not None and ans_rank <= k
        sums["MRR"] += 1 / rank if rank else 0.0
    return {key: value / len(queries) for key, value in sums.items()}


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
    print(f"indexed {report.n_documents} documents, {report.n_chunks} passages with {report.model} "
          f"in {time.perf_counter() - t:.1f} s")
    engine = Engine.open(data_dir)
    s2t = OpenCC("s2t")
    variants = {"simplified": queries, "traditional": [(s2t.convert(q), d, a) for q, d, a in queries]}
    weights = [float(w) for w in args.weights.split(",") if w] or [engine_mod.WEAK_DENSE_WEIGHT]
    cols = [f"R@{k}" for k in KS] + ["MRR"] + [f"A@{k}" for k in KS]
    print(f"\n{len(queries)} questions over {len(docs)} documents; model {engine.model.name}\n")
    print("| questions | method | " + " | ".join(cols) + " |")
    print("|---|---|" + "---|" * len(cols))
    for variant, qs in variants.items():
        rows = {"BM25 only": evaluate(engine, qs, ("bm25",)), "dense only": evaluate(engine, qs, ("dense",))}
        for w in weights:
            engine_mod.WEAK_DENSE_WEIGHT = w
            label = "hybrid" if len(weights) == 1 else f"hybrid w_dense={w:g}"
            rows[label] = evaluate(engine, qs, ("bm25", "dense"))
        for method, m in rows.items():
            print(f"| {variant} | {method} | " + " | ".join(f"{m[c]:.3f}" for c in cols) + " |")


if __name__ == "__main__":
    main()
