"""Retrieval quality: BM25 only, dense only and hybrid, on five question sets.

- CMRC 2018 trial (../shared/eval): every context is one document, every question a query whose
  relevant document is its own context; Simplified questions, and the same converted to Traditional
  Chinese (OpenCC s2t); and Simplified questions over the contexts converted to Traditional (a
  second index; an answer counts in its Simplified or its s2t form).
- bench/questions/paraphrase.jsonl and english.jsonl: questions over the sample corpus (corpus/) that
  avoid the passages' words (concept descriptions, how-to questions) and English questions over the
  Chinese texts; each names the documents that answer it.

Prints document-level Recall@1/5/10 and MRR@10, and for CMRC answer recall@k (the answer string
appears in a top-k passage after normalisation).

Usage: python bench/retrieval.py [--eval PATH] [--limit N] [--model NAME] [--weights 0,0.1,0.5]
                                 [--context 0.05,0.1,0.2] [--document 0.1,0.2,0.3,0.5]
                                 [--sets cmrc,cmrc-traditional-text,paraphrase,english]

The two legs are computed once per question; the fusion (search/fuse.py `hybrid`, the function the
engine uses) is swept over fixed dense weights from those lists, then the engine's query-dependent
weight (search/weights.py) is measured on the same lists ("hybrid, query-dependent"), then with the
neighbour context of search/context.py at each `--context` weight, then with the shipped neighbour
context plus the document-vector evidence at each `--document` weight, and the shipped path once
more through `engine.search` (neighbour and document context, duplicate collapse) as "hybrid as
shipped". For the
shipped path the share of questions whose first hit's snippet highlights a query word is printed too.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.pipeline import IngestOptions, ingest  # noqa: E402
from search import engine as engine_mod  # noqa: E402
from search.context import NEIGHBOUR_WEIGHT, with_document, with_neighbours  # noqa: E402
from search.engine import Engine  # noqa: E402
from search.fuse import hybrid  # noqa: E402
from search.query import ParsedQuery, parse_query  # noqa: E402
from search.weights import dense_weight, has_cjk, model_reads  # noqa: E402
from studykb.errors import QueryError  # noqa: E402
from studykb.index_store import IndexStore  # noqa: E402
from studykb.text import fold  # noqa: E402

DEFAULT_EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "cmrc2018_trial.json"
KS = (1, 5, 10)


QUESTIONS = Path(__file__).resolve().parent / "questions"
CORPUS = Path(__file__).resolve().parents[1] / "corpus"
#: (question, relevant document paths, answer strings) — CMRC questions have one document and answers.
Question = tuple[str, frozenset[str], list[str]]
#: BM25 and dense (position, score) lists, the parsed query, and the query's cosine to the document
#: of each dense candidate (empty when the version has no document vectors).
Legs = tuple[list[tuple[int, float]], list[tuple[int, float]], ParsedQuery | None, np.ndarray]


def load_eval(path: Path) -> tuple[dict[str, str], list[Question]]:
    """Contexts by document file name, and the questions."""
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    docs: dict[str, str] = {}
    queries: list[Question] = []
    for article in data:
        for i, para in enumerate(article["paragraphs"]):
            doc_id = para["id"] if len(article["paragraphs"]) == 1 else f"{para['id']}-{i}"
            docs[f"{doc_id}.txt"] = para["context"]
            for qa in para["qas"]:
                answers = [a["text"] for a in qa["answers"]]
                queries.append((qa["question"], frozenset({f"{doc_id}.txt"}), answers))
    return docs, queries


def load_questions(path: Path) -> list[Question]:
    """A JSON-lines question set: {"question": ..., "documents": [paths relative to corpus/]} a line."""
    out: list[Question] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            row = json.loads(line)
            if not row.get("question") or not row.get("documents"):
                raise SystemExit(f"{path}:{n}: needs 'question' and 'documents'")
            out.append((row["question"], frozenset(row["documents"]), []))
    return out


def score(ranked: list[tuple[str, str]], docs: frozenset[str], answers: list[str]) -> dict[str, float]:
    """Metrics of one query from its ranked (document path, passage text) list."""
    rank = next((i for i, (d, _) in enumerate(ranked[: max(KS)], 1) if d in docs), None)
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


def engine_ranked(engine: Engine, question: str) -> tuple[list[tuple[str, str]], bool]:
    """The full product path: engine.search with its shipped settings; also whether the first
    hit's snippet highlights something."""
    try:
        hits = engine.search(question, k=max(KS)).hits
    except QueryError:  # a blank question counts as a miss
        return [], False
    out: list[tuple[str, str]] = []
    for h in hits:
        out.append((h.document.path, h.text))
        out += [(loc.path, h.text) for loc in h.also_in]
    return out, bool(hits and hits[0].snippet_spans)


def leg_lists(engine: Engine, question: str) -> Legs:
    """BM25 and dense candidates (row position, score) of one question, computed once."""
    snap = engine.snapshot()
    try:
        parsed = parse_query(question)
    except QueryError:
        return [], [], None, np.zeros(0)
    bm25 = snap.lexical.search(parsed.terms, engine_mod.MIN_DEPTH) if parsed.terms else []
    query = engine.embed_query(parsed.text)
    dense = snap.dense.search(query, engine_mod.MIN_DEPTH)
    near = np.zeros(0)
    if snap.doc_vectors is not None and dense:
        near = snap.doc_vectors.cosines(query, snap.doc_of[[p for p, _ in dense]])
    return bm25, dense, parsed, near


def build(corpus: Path, data_dir: Path, model: str | None) -> Engine:
    """Index `corpus` into `data_dir` afresh (embeddings already in its database are reused)."""
    t = time.perf_counter()
    report = ingest([corpus], data_dir, IngestOptions(model=model, rebuild=True))
    print(
        f"indexed {report.n_documents} documents of {corpus}, {report.n_chunks} passages with "
        f"{report.model} in {time.perf_counter() - t:.1f} s",
        flush=True,
    )
    return Engine.open(data_dir)


def evaluate(
    engine: Engine,
    sets: dict[str, list[Question]],
    weights: list[float],
    contexts: list[float],
    documents: list[float],
    cols: list[str],
) -> None:
    """Print one table row per (set, method)."""
    snap = engine.snapshot()
    conn = sqlite3.connect(engine.data.db_path)
    text_of = dict(IndexStore(conn).all_chunks("id, text"))
    conn.close()
    doc_of = {i: snap.documents[int(d)].path for i, d in enumerate(snap.doc_of)}
    texts = {i: text_of[int(c)] for i, c in enumerate(snap.chunk_ids)}

    def named(items: list[tuple[int, float]]) -> list[tuple[str, str]]:
        return [(doc_of[p], texts[p]) for p, _ in items]

    model = engine.model
    for variant, qs in sets.items():
        legs = [leg_lists(engine, q) for q, _, _ in qs]
        rows: dict[str, list[dict[str, float]]] = {"BM25 only": [], "dense only": []}
        for (bm25, dense, parsed, near), (_, docs, answers) in zip(legs, qs, strict=True):
            rows["BM25 only"].append(score(named(bm25), docs, answers))
            rows["dense only"].append(score(named(dense), docs, answers))
            cannot = parsed is not None and not model_reads(model, parsed.text)
            for w in weights:
                fused = hybrid(bm25, dense, w, rerank_only=cannot)
                rows.setdefault(f"hybrid, dense weight {w:g}", []).append(score(named(fused), docs, answers))
            top = float(snap.lexical.coverage(parsed.terms, [bm25[0][0]])[0]) if parsed and bm25 else 0.0
            w = dense_weight(model, parsed.text, top) if parsed else 0.0
            fused = hybrid(bm25, dense, w, rerank_only=cannot)
            rows.setdefault("hybrid, query-dependent weight", []).append(score(named(fused), docs, answers))
            for c in contexts:
                lexical = with_neighbours(bm25, snap.doc_of, c) if parsed and has_cjk(parsed.text) else bm25
                fused = hybrid(lexical, dense, w, rerank_only=cannot)
                rows.setdefault(f"hybrid, query-dependent weight, neighbour context {c:g}", []).append(
                    score(named(fused), docs, answers)
                )
            lexical = with_neighbours(bm25, snap.doc_of) if parsed and has_cjk(parsed.text) else bm25
            for d in documents if len(near) and not cannot else []:
                fused = hybrid(lexical, with_document(dense, near, d), w, rerank_only=cannot)
                rows.setdefault(
                    f"hybrid, query-dependent weight, neighbour context {NEIGHBOUR_WEIGHT:g}, document {d:g}",
                    [],
                ).append(score(named(fused), docs, answers))
        shipped = [engine_ranked(engine, q) for q, _, _ in qs]
        rows["hybrid as shipped (engine.search)"] = [
            score(ranked, docs, a) for (ranked, _), (_, docs, a) in zip(shipped, qs, strict=True)
        ]
        shown = cols if any(a for _, _, a in qs) else [c for c in cols if not c.startswith("A@")]
        for method, per_query in rows.items():
            m = mean(per_query)
            cells = [f"{m[c]:.3f}" if c in shown else "" for c in cols]
            print(f"| {model.name.split('/')[-1]} | {variant} | {method} | " + " | ".join(cells) + " |",
                  flush=True)
        lit = sum(marked for _, marked in shipped) / len(shipped)
        print(f"{variant}: the first hit's snippet highlights a query word for {lit:.1%} of the questions",
              flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    ap.add_argument("--limit", type=int, default=0, help="use only the first N CMRC questions")
    ap.add_argument("--model", default=None, help="embedding model (default: studykb's default chain)")
    ap.add_argument("--weights", default="", help="comma-separated dense weights to sweep for the hybrid")
    ap.add_argument("--context", default="0.05,0.1,0.2", help="neighbour-context weights to sweep")
    ap.add_argument("--document", default="0.1,0.2,0.3,0.5", help="document-vector weights to sweep")
    ap.add_argument("--sets", default="cmrc,cmrc-traditional-text,paraphrase,english",
                    help="which question sets")
    ap.add_argument("--data-dir", type=Path, default=None, help="keep the indexes here (default: temporary)")
    args = ap.parse_args()
    from opencc import OpenCC

    wanted = set(args.sets.split(","))
    work = args.data_dir or Path(tempfile.mkdtemp(prefix="studykb-retrieval-"))
    weights = [float(w) for w in args.weights.split(",") if w] or [0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0]
    contexts = [float(c) for c in args.context.split(",") if c]
    documents = [float(d) for d in args.document.split(",") if d]
    cols = [f"R@{k}" for k in KS] + ["MRR"] + [f"A@{k}" for k in KS]
    print("| model | questions | method | " + " | ".join(cols) + " |")
    print("|---|---|---|" + "---|" * len(cols))
    s2t = OpenCC("s2t")
    docs, queries = load_eval(args.eval) if wanted & {"cmrc", "cmrc-traditional-text"} else ({}, [])
    if args.limit:
        queries = queries[: args.limit]
    if "cmrc" in wanted:
        engine = build(write_corpus(work / "cmrc-docs", docs), work / "cmrc-data", args.model)
        evaluate(engine, {"CMRC simplified": queries,
                          "CMRC traditional": [(s2t.convert(q), d, a) for q, d, a in queries]},
                 weights, contexts, documents, cols)
    if "cmrc-traditional-text" in wanted:
        traditional = {name: s2t.convert(text) for name, text in docs.items()}
        engine = build(write_corpus(work / "cmrc-traditional-docs", traditional),
                       work / "cmrc-traditional-data", args.model)
        # The answer in a Traditional context is the s2t form of the Simplified one (坐标 becomes
        # 座標, which t2s folds to 座标, not back to 坐标): either form counts.
        both = [(q, d, a + [s2t.convert(x) for x in a]) for q, d, a in queries]
        evaluate(engine, {"CMRC simplified questions, traditional text": both},
                 weights, contexts, documents, cols)
    own = {n: load_questions(QUESTIONS / f"{n}.jsonl") for n in ("paraphrase", "english") if n in wanted}
    if own:
        engine = build(CORPUS, work / "corpus-data", args.model)
        evaluate(engine, own, weights, contexts, documents, cols)


def write_corpus(folder: Path, docs: dict[str, str]) -> Path:
    """Write one UTF-8 text file per document into `folder`; return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in docs.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


if __name__ == "__main__":
    main()
