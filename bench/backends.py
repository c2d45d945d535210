"""Embedding backends on CPU: torch against ONNX Runtime (fp32 and int8), speed and quality.

Runs in studykb's own venv with studykb's backends (`studykb.models.load_encoder` with backend
`torch`, `onnx`, `onnx-int8`; see studykb/onnx_encoder.py): the ONNX files are exported on first
use into `$STUDYKB_CACHE/onnx/` (here the bench cache, unless $STUDYKB_CACHE is set).

    .venv/bin/python bench/backends.py [--limit 200]

CMRC contexts are chunked with `ingest.chunk.chunk` and dense retrieval is exact cosine search in
numpy. Measured in one process, on the same texts, with one thread as studykb runs torch: passages
per CPU-second of each backend (batch 64, interleaved rounds), CPU milliseconds to embed one short
query (what a search pays), the cosine between each backend's vectors and torch's, and dense-only
document Recall@1/5/10 and MRR@10 on the CMRC 2018 trial set. The model is the offline
all-MiniLM-L6-v2 by default (the only model available here; pass --model for bge-small-zh).

Usage: python bench/backends.py [--model minilm|PATH] [--backends torch,onnx,onnx-int8] [--rounds 2]
       [--speed-texts 128] [--limit 0] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
from common import BENCH_MODEL, ROOT, cache_dir, emit

EVAL = ROOT.parent / "shared" / "eval" / "cmrc2018_trial.json"
KS = (1, 5, 10)


def cmrc(limit: int) -> tuple[list[str], list[int], list[str], list[int]]:
    """(passage texts, their context index, questions, their context index) of CMRC 2018 trial."""
    from ingest.chunk import chunk
    from ingest.records import Block

    data = json.loads(EVAL.read_text(encoding="utf-8"))["data"]
    passages, owners, questions, targets = [], [], [], []
    paragraphs = [para for article in data for para in article["paragraphs"]]
    for ctx, para in enumerate(paragraphs):
        for c in chunk([Block(para["context"])]):
            passages.append(c.text)
            owners.append(ctx)
        for qa in para["qas"]:
            questions.append(qa["question"])
            targets.append(ctx)
    if limit:
        questions, targets = questions[:limit], targets[:limit]
    return passages, owners, questions, targets


def dense_metrics(
    p_vec: np.ndarray, owners: list[int], q_vec: np.ndarray, targets: list[int]
) -> dict[str, float]:
    """Document-level Recall@k and MRR@10 of exact cosine search (best passage per document)."""
    sims = q_vec @ p_vec.T
    owner = np.array(owners)
    out = {f"R@{k}": 0.0 for k in KS} | {"MRR": 0.0}
    for row, target in zip(sims, targets, strict=True):
        order = owner[np.argsort(-row)]
        _, first = np.unique(order, return_index=True)
        ranked_docs = order[np.sort(first)]
        rank = int(np.flatnonzero(ranked_docs == target)[0]) + 1
        for k in KS:
            out[f"R@{k}"] += rank <= k
        out["MRR"] += 1 / rank if rank <= 10 else 0.0
    return {k: v / len(targets) for k, v in out.items()}


def load_backends(model: str, want: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the model under each backend, load figures); ONNX files are exported on first use."""
    from studykb.models import load_encoder, resolve_model
    from studykb.onnx_encoder import OnnxEncoder

    models: dict[str, Any] = {}
    figures: dict[str, Any] = {}
    for name in want:
        t0 = time.perf_counter()
        encoder = load_encoder(resolve_model(model, backend=name))
        figures[f"{name}_load_s"] = time.perf_counter() - t0
        if isinstance(encoder, OnnxEncoder):
            figures[f"{name}_exported"] = encoder.built  # files this run had to make (cold cache)
        models[name] = encoder
    return models, figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=BENCH_MODEL, help="model name, alias or path (as --model of ingest)")
    ap.add_argument("--backends", default="torch,onnx,onnx-int8")
    ap.add_argument("--rounds", type=int, default=2, help="interleaved timing rounds")
    ap.add_argument("--speed-texts", type=int, default=128, help="passages timed per round")
    ap.add_argument("--limit", type=int, default=0, help="use only the first N questions")
    ap.add_argument("--threads", type=int, default=1, help="torch and ONNX Runtime threads (studykb uses 1)")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    os.environ["STUDYKB_TORCH_THREADS"] = str(args.threads)  # read by studykb for torch and ONNX Runtime
    os.environ.setdefault("STUDYKB_CACHE", str(cache_dir()))
    want = args.backends.split(",")
    from studykb.models import USE_MODEL, resolve_model

    if resolve_model(args.model).name == USE_MODEL:
        want = ["onnx-int8"]  # the multilingual USE is an int8 ONNX graph: one backend, nothing to compare
    elif want[0] != "torch":
        raise SystemExit("--backends must start with torch: the others are compared with it")
    models, load_figures = load_backends(args.model, want)
    passages, owners, questions, targets = cmrc(args.limit)
    speed_texts = passages[: args.speed_texts]
    enc = {
        name: (
            lambda texts, m=m: m.encode(
                texts,
                batch_size=64,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        )
        for name, m in models.items()
    }
    for name in models:  # warm-up: first calls allocate and compile
        enc[name](speed_texts[:64])
    times: dict[str, list[float]] = {name: [] for name in models}
    for _ in range(args.rounds):
        for name in models:  # CPU time: with one thread it is the compute, whatever else runs here
            c0 = time.process_time()
            enc[name](speed_texts)
            times[name].append(time.process_time() - c0)
    figures: dict[str, Any] = {
        "model": resolve_model(args.model).name.split("/")[-1],
        "threads": args.threads,
        "speed_texts": len(speed_texts),
        "cmrc_passages": len(passages),
        "cmrc_questions": len(questions),
    } | load_figures
    base = want[0]
    base_rate = len(speed_texts) / min(times[base])
    short = questions[:100]  # one query per call, as the search engine embeds them
    for name in models:
        cpu0 = time.process_time()
        for q in short:
            enc[name]([q])
        figures[f"{name}_query_cpu_ms"] = (time.process_time() - cpu0) / len(short) * 1000
    vectors: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name in models:
        rate = len(speed_texts) / min(times[name])
        figures[f"{name}_passages_per_s"] = rate
        figures[f"{name}_speedup_vs_{base}"] = rate / base_rate
        vectors[name] = (enc[name](passages), enc[name](questions))
        metrics = dense_metrics(vectors[name][0], owners, vectors[name][1], targets)
        figures |= {f"{name}_dense_{k}": v for k, v in metrics.items()}
        if name != base:
            cos = np.sum(vectors[name][0] * vectors[base][0], axis=1)
            figures[f"{name}_cosine_to_torch_mean"] = float(cos.mean())
            figures[f"{name}_cosine_to_torch_min"] = float(cos.min())
    emit("embedding backends (CPU)", figures, args.json)


if __name__ == "__main__":
    main()
