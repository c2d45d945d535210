"""Ingestion throughput against raw `SentenceTransformer.encode`, and the no-op re-run time.

On a copy of the sample corpus (and, with --docs N, a generated corpus of N Chinese text files),
in one process:

1. load the model (timed: model load is reported, not counted in the ratio);
2. run `ingest.pipeline.ingest` into a fresh data dir: documents/s, chunks/s, time per stage and
   the share spent inside the model's `encode` (the loaded model's `encode` is wrapped with a
   timer; nothing else is changed);
3. encode the very same passage texts with the raw `SentenceTransformer.encode` (one call, batch
   64, normalised): the pipeline's chunks/s divided by the raw chunks/s is the efficiency ratio
   (target ≥ 0.85). Wall time, since the pipeline overlaps extraction (worker process) with
   embedding (`ingest.embed.EarlyEmbedder`); CPU seconds of both are printed too, as the machine
   is shared;
4. run `studykb ingest` again as a subprocess on the unchanged corpus (the no-op re-run) and
   compare its wall time with `python -c pass`.

Usage: python bench/ingest.py [--docs 0] [--repeat 5] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import BENCH_MODEL, ROOT, emit, folder_mb, median, python_startup_s, timed

TARGET_RATIO = 0.85


def write_synthetic_corpus(folder: Path, n_docs: int, seed: int = 5) -> None:
    """`n_docs` UTF-8 text documents of 4-12 generated paragraphs under two headings each."""
    import numpy as np
    from synth import passages

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    stream = passages(n_docs * 12, seed)
    for d in range(n_docs):
        n_par = int(rng.integers(4, 13))
        paras = [next(stream)[1] for _ in range(n_par)]
        half = n_par // 2
        body = ["第一章　总体要求", *paras[:half], "第二章　重点任务", *paras[half:]]
        (folder / f"gen-{d:04d}.txt").write_text(
            f"合成学习材料第{d}号\n\n" + "\n\n".join(body) + "\n", encoding="utf-8"
        )


def measure_pipeline(corpus: Path, data: Path, model_name: str = BENCH_MODEL) -> dict[str, Any]:
    """Ingest `corpus` into `data` with a preloaded model and compare with raw encode."""
    from ingest.chunk import index_text
    from ingest.extract import SUFFIXES
    from ingest.pipeline import SMALL_UPDATE_FILES, IngestOptions, ingest
    from studykb.db import connect
    from studykb.index_store import IndexStore
    from studykb.layout import DataDir
    from studykb.models import load_encoder, resolve_model

    spec = resolve_model(model_name)
    # The encoder the pipeline will use (the same cached object): ONNX for a run of a few files,
    # torch (SentenceTransformer) for more; the raw baseline is that encoder's own encode.
    files = sum(1 for f in corpus.rglob("*") if f.suffix.lower() in SUFFIXES)
    purpose = "query" if files <= SMALL_UPDATE_FILES else "passages"
    model, load_s = timed(lambda: load_encoder(spec, purpose=purpose))
    raw_encode = model.encode
    in_model = [0.0]

    def counting_encode(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return raw_encode(*args, **kwargs)
        finally:
            in_model[0] += time.perf_counter() - t0

    model.encode = counting_encode
    cpu0, children0 = time.process_time(), resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        report, pipe_s = timed(lambda: ingest([corpus], data, IngestOptions(model=model_name)))
    finally:
        model.encode = raw_encode
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    pipe_cpu = (
        time.process_time()
        - cpu0
        + children.ru_utime
        - children0.ru_utime
        + children.ru_stime
        - children0.ru_stime
    )
    conn = connect(DataDir(data).db_path)
    texts = [
        index_text(r[0], json.loads(r[1])) for r in IndexStore(conn).all_chunks("text, heading_path")
    ]
    conn.close()
    cpu0 = time.process_time()
    _, raw_s = timed(
        lambda: raw_encode(
            texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
    )
    raw_cpu = time.process_time() - cpu0
    n_docs, n_chunks = report.n_documents, report.n_chunks
    print(
        f"pipeline: {n_docs} documents, {n_chunks} chunks in {pipe_s:.1f} s; stages {report.seconds}",
        flush=True,
    )
    figures: dict[str, Any] = {
        "encoder": type(model).__name__,
        "model": spec.name,
        "documents": n_docs,
        "chunks": n_chunks,
        "failed_files": len(report.failed),
        "model_load_s": load_s,
        "pipeline_s": pipe_s,
        "documents_per_s": n_docs / pipe_s,
        "chunks_per_s": n_chunks / pipe_s,
        "chunks_per_s_incl_model_load": n_chunks / (pipe_s + load_s),
        "raw_encode_s": raw_s,
        "raw_encode_chunks_per_s": len(texts) / raw_s,
        "ratio_pipeline_to_raw": (n_chunks / pipe_s) / (len(texts) / raw_s),
        "target_ratio": TARGET_RATIO,
        "time_in_model_s": in_model[0],
        "share_in_model": in_model[0] / pipe_s,
        "pipeline_cpu_s": pipe_cpu,
        "raw_encode_cpu_s": raw_cpu,
        "cpu_ratio_raw_to_pipeline": raw_cpu / pipe_cpu,
        "sqlite_kb_per_chunk": sum(p.stat().st_size for p in data.glob("studykb.db*"))
        / 1024
        / max(n_chunks, 1),
        "version_kb_per_chunk": folder_mb(DataDir(data).version_path(report.version or ""))
        * 1024
        / max(n_chunks, 1),
    }
    figures["meets_target"] = figures["ratio_pipeline_to_raw"] >= TARGET_RATIO
    figures |= {f"stage_{k}_s": v for k, v in report.seconds.items()}
    return figures


def measure_noop(corpus: Path, data: Path, repeat: int) -> dict[str, Any]:
    """Median wall time of an unchanged `studykb ingest` run vs `python -c pass`."""
    cli = Path(sys.executable).parent / "studykb"
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(
            [str(cli), "ingest", str(corpus), "--data-dir", str(data), "--json"],
            stdout=subprocess.DEVNULL,
            check=False,
        )
        runs.append(time.perf_counter() - t0)
    floor = python_startup_s(repeat)
    return {
        "noop_rerun_s": median(runs),
        "python_startup_s": floor,
        "noop_over_startup": median(runs) / floor,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=0, help="also ingest a generated corpus of this many files")
    ap.add_argument("--repeat", type=int, default=5, help="no-op re-runs to take the median of")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--model", default=BENCH_MODEL, help="embedding model (e.g. use: the multilingual USE)")
    args = ap.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="studykb-bench-ingest-") as tmp:
        corpus = Path(tmp) / "corpus"
        shutil.copytree(ROOT / "corpus", corpus)
        sample = measure_pipeline(corpus, Path(tmp) / "data", args.model)
        sample |= measure_noop(corpus, Path(tmp) / "data", args.repeat)
        emit("ingest: sample corpus", sample, None)
        results["sample"] = sample
        if args.docs:
            generated = Path(tmp) / "generated"
            write_synthetic_corpus(generated, args.docs)
            big = measure_pipeline(generated, Path(tmp) / "data-generated", args.model)
            emit(f"ingest: {args.docs} generated documents", big, None)
            results["generated"] = big
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
