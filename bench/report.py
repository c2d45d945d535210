"""Run every benchmark at one scale and write docs/performance.md and docs/performance.png.

Scales: `small` (minutes: 10k-passage corpora, BM25 at 100k, 200-document incremental),
`100k` (adds the 100k corpus, 1,000-document incremental), `1m` (adds the 1M corpus and BM25 at
1M; the first 1M build takes the better part of an hour on 2 cores). Each benchmark runs as its
own process and leaves its figures as JSON under $STUDYKB_BENCH_CACHE/results-<scale>/; with
--reuse, figures already there are not measured again (to re-render the report), and with
--only a,b only those are measured while the others come from the last run at this scale.

Usage: python bench/report.py [--scale small|100k|1m] [--only latency,memory] [--reuse]
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from common import ROOT, cache_dir, machine

BENCH = Path(__file__).resolve().parent
PLAN: dict[str, dict[str, list[str]]] = {
    "small": {
        "ingest": [],
        "extract": [],
        "latency": ["--scale", "small"],
        "memory": ["--scale", "small"],
        "bm25": ["--size", "100000"],
        "incremental": ["--docs", "200"],
        "carry": ["--size", "10000"],
        "backends": [],
        "load": ["--passages", "10000", "--soak-minutes", "1"],
    },
    "100k": {
        "ingest": ["--docs", "100"],
        "extract": [],
        "latency": ["--scale", "100k"],
        "memory": ["--scale", "100k"],
        "bm25": ["--size", "100000"],
        "incremental": ["--docs", "1000"],
        "carry": ["--size", "100000"],
        "backends": [],
        "load": ["--passages", "100000"],
    },
    "1m": {
        "ingest": ["--docs", "100"],
        "extract": [],
        "latency": ["--scale", "1m"],
        "memory": ["--scale", "1m"],
        "bm25": ["--size", "1000000"],
        "incremental": ["--docs", "1000"],
        "carry": ["--size", "1000000"],
        "backends": [],
        "load": ["--passages", "100000"],
    },
}


def run_all(scale: str, only: set[str], reuse: bool) -> dict[str, Any]:
    """Run the benchmarks of `scale`; return {name: {"command", "figures" | "error", "seconds"}}."""
    out_dir = cache_dir() / f"results-{scale}"
    out_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    for name, extra in PLAN[scale].items():
        json_path = out_dir / f"{name}.json"
        command = [sys.executable, str(BENCH / f"{name}.py"), *extra, "--json", str(json_path)]
        shown = " ".join(["python", f"bench/{name}.py", *extra])
        if (only and name not in only) or (reuse and json_path.exists()):
            if json_path.exists():  # figures of an earlier run at this scale
                results[name] = {
                    "command": shown,
                    "figures": json.loads(json_path.read_text()),
                    "seconds": None,
                }
            continue
        json_path.unlink(missing_ok=True)
        print(f"\n### {shlex.join(command)}", flush=True)
        t0 = time.perf_counter()
        proc = subprocess.run(command, cwd=ROOT, check=False)
        seconds = time.perf_counter() - t0
        if proc.returncode != 0 or not json_path.exists():
            results[name] = {"command": shown, "error": f"exit status {proc.returncode}", "seconds": seconds}
        else:
            results[name] = {
                "command": shown,
                "figures": json.loads(json_path.read_text()),
                "seconds": seconds,
            }
    (out_dir / "all.json").write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    return results


def _f(value: Any, digits: int = 3) -> str:
    if isinstance(value, bool):
        return "yes" if value else "**no**"
    if isinstance(value, float):
        return f"{value:.{digits}g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_f(c) for c in row) + " |" for row in rows]
    return lines


def _section(results: dict[str, Any], name: str, title: str) -> tuple[list[str], dict[str, Any] | None]:
    entry = results.get(name)
    lines = [f"## {title}", ""]
    if entry is None:
        return lines + ["Not run at this scale.", ""], None
    lines += [f"Command: `{entry['command']}`", ""]
    if "error" in entry:
        return lines + [f"Not measured: {entry['error']}.", ""], None
    return lines, entry["figures"]


def _fig(results: dict[str, Any], name: str) -> dict[str, Any]:
    return results.get(name, {}).get("figures") or {}


def _targets(results: dict[str, Any]) -> list[str]:
    """The issue's targets against the figures below, one row each."""
    rows: list[list[Any]] = []
    ing = _fig(results, "ingest")
    for label in ("sample", "generated"):
        if label in ing:
            f = ing[label]
            rows.append(
                [
                    f"ingestion chunks/s ÷ raw encode ({label} corpus)",
                    "≥ 0.85",
                    f"{f['ratio_pipeline_to_raw']:.2f}",
                    f["ratio_pipeline_to_raw"] >= 0.85,
                ]
            )
    if "sample" in ing:
        f = ing["sample"]
        rows.append(
            [
                "no-op `studykb ingest` re-run",
                "≈ `python -c pass`",
                f"{f['noop_rerun_s']:.2f} s vs {f['python_startup_s']:.2f} s",
                f["noop_over_startup"] <= 2,
            ]
        )
    for s in _fig(results, "latency").get("sizes", []):
        if "target_p95_ms" in s:
            cold = f", first pass {s['hybrid_cold_p95_ms']:.1f}" if "hybrid_cold_p95_ms" in s else ""
            rows.append(
                [
                    f"hybrid query p95 at {s['passages']:,} passages",
                    f"≤ {s['target_p95_ms']:.0f} ms",
                    f"{s['hybrid_p95_ms']:.1f} ms wall{cold}; {s['hybrid_cpu_p95_ms']:.1f} ms CPU",
                    s["hybrid_p95_ms"] <= s["target_p95_ms"],
                ]
            )
        if s["index_type"] != "Flat":
            rows.append(
                [
                    f"ANN recall@10 at {s['passages']:,}",
                    "≥ 0.95",
                    f"{s['recall_at_10']:.3f}",
                    s["recall_at_10"] >= 0.95,
                ]
            )
    bm = _fig(results, "bm25")
    if bm:
        rows.append(
            [
                f"BM25 build, ours ÷ bm25s at {bm['passages']:,}",
                "≤ 1.2",
                f"{bm['build_ratio']:.2f}",
                bm["build_ratio"] <= 1.2,
            ]
        )
        rows.append(
            [
                f"BM25 query, ours ÷ bm25s at {bm['passages']:,}",
                "≤ 1.2",
                f"{bm['query_ratio_p50']:.3f}",
                bm["query_ratio_p50"] <= 1.2,
            ]
        )
    for s in _fig(results, "memory").get("sizes", []):
        if s["passages"] == 1_000_000:
            rows.append(
                [
                    "search process RSS at 1M passages",
                    "≤ 1,536 MB",
                    f"{s['rss_after_queries_mb']:,.0f} MB",
                    s["rss_after_queries_mb"] <= 1536,
                ]
            )
    inc = _fig(results, "incremental")
    if inc:
        rows.append(
            [
                f"re-ingest after 1 of {inc['documents']:,} changed",
                "(reported)",
                f"{inc['one_changed_s']:.1f} s = {inc['one_changed_fraction_of_full']:.1%} of a full build",
                "—",
            ]
        )
    load = _fig(results, "load")
    goal = next((r for r in load.get("runs", []) if r["workers"] == 2 and r["concurrency"] == 32), None)
    if goal:
        rows.append([f"API search p95, 32 clients, 2 workers, {load['passages']:,} passages", "≤ 50 ms",
                     f"{goal['p95_ms']:.0f} ms", goal["p95_ms"] <= 50])
    if not rows:
        return []
    return ["## Targets", "", *_table(["target", "wanted", "measured", "met"], rows), ""]


def render(results: dict[str, Any], scale: str, mach: dict[str, Any]) -> str:
    """The Markdown report."""
    md = [
        "# Performance",
        "",
        f"Written {mach['date']}, measured on {mach['cpu']}, {mach['cores']} vCPU, "
        f"{mach['memory_gb']} GB RAM, "
        f"CPU only (load average at the start {mach['load_avg']}: the machine is shared, so figures "
        "are compared as ratios against the raw libraries measured in the same run). "
        f"Python {mach['python']}; " + ", ".join(f"{k} {v}" for k, v in mach["versions"].items()) + ".",
        "",
        f"Regenerate: `python bench/report.py --scale {scale}` (writes this file and "
        "`docs/performance.png`). Model: the offline all-MiniLM-L6-v2 (384 dimensions).",
        "",
        "![latency and memory against corpus size](performance.png)",
        "",
    ]
    md += _targets(results)

    lines, fig = _section(results, "ingest", "Ingestion throughput (issue #8, #2)")
    md += lines
    if fig:
        rows = []
        for label, f in (("sample corpus", fig.get("sample")), ("generated corpus", fig.get("generated"))):
            if f:
                rows.append(
                    [
                        label,
                        f.get("encoder", "SentenceTransformer"),
                        f["documents"],
                        f["chunks"],
                        f["documents_per_s"],
                        f["chunks_per_s"],
                        f["raw_encode_chunks_per_s"],
                        f["ratio_pipeline_to_raw"],
                        f.get("cpu_ratio_raw_to_pipeline", "—"),
                        f["share_in_model"],
                        f["model_load_s"] if f["model_load_s"] > 0.01 else "(loaded)",
                    ]
                )
        md += _table(
            [
                "corpus",
                "encoder",
                "documents",
                "chunks",
                "documents/s",
                "chunks/s",
                "raw encode chunks/s",
                "pipeline ÷ raw, wall (target ≥ 0.85)",
                "raw ÷ pipeline, CPU s",
                "share of wall time in the model",
                "model load s",
            ],
            rows,
        )
        md += [
            "",
            "The model is loaded before the run and not counted (its load time is listed); the pipeline "
            "overlaps extraction (worker process) with embedding, so its wall time can approach the raw "
            "encode time while it spends more CPU. The raw baseline is the encode of the encoder the "
            "pipeline used: a run of up to 20 files embeds with the ONNX encoder (torch's vectors; it "
            "loads in under a second), a larger one with SentenceTransformer on torch.",
        ]
        s = fig["sample"]
        md += [
            "",
            f"No-op re-run of `studykb ingest` on the sample corpus: {s['noop_rerun_s']:.2f} s "
            f"against {s['python_startup_s']:.2f} s for `python -c pass` ({s['noop_over_startup']:.1f}×).",
            "",
        ]

    lines, fig = _section(results, "extract", "PDF extraction (issue #8)")
    md += lines
    if fig:
        md += _table(
            ["path", "pages/s", "paragraphs recovered verbatim"],
            [
                [
                    "`ingest.extract.extract` (pypdf + cleaning)",
                    fig["extract_pages_per_s"],
                    f"{fig['paragraphs_verbatim_extract']:.1%}",
                ],
                ["pypdf text only", fig["pypdf_raw_pages_per_s"], "—"],
                ["cleaning only", fig["clean_pages_per_s"], "—"],
                ["pypdfium2 text only", fig["pdfium_raw_pages_per_s"], "—"],
                [
                    "pypdfium2 + the same cleaning",
                    fig["pdfium_plus_clean_pages_per_s"],
                    f"{fig['paragraphs_verbatim_pdfium_plus_clean']:.1%}",
                ],
            ],
        ) + [
            "",
            f"{fig['pages']} generated pages ({fig['font']}); header lines left after cleaning: "
            f"{fig['header_left_in_extract']}.",
            "",
        ]

    lines, fig = _section(results, "latency", "Search latency and ANN recall (issue #8, #3)")
    md += lines
    if fig:
        md += [
            "Hybrid query = `Engine.search(q, k=10)`: query embedding, BM25 and FAISS legs (100 candidates "
            "each), fusion, duplicate collapse, SQLite rows, highlighting and snippets. CPU time is what a "
            "query costs (it is single-threaded); wall time adds waiting for a core on this shared machine "
            "and, in the first pass over the queries (\"cold\"), reading the SQLite pages and memory-mapped "
            "BM25 columns they touch from disk. The other columns are the second pass: a running server, "
            "its pages in the OS cache. All times in ms.",
            "",
        ]
        rows = [
            [
                s["passages"],
                s["index_type"],
                s["hybrid_cpu_p50_ms"],
                s["hybrid_cpu_p95_ms"],
                s.get("target_p95_ms", "—"),
                s.get("meets_target_cpu", "—"),
                s["hybrid_p50_ms"],
                s["hybrid_p95_ms"],
                s.get("hybrid_cold_p95_ms", "—"),
                s["embed_cpu_p50_ms"],
                s["bm25_cpu_p50_ms"],
                s["raw_bm25s_cpu_p50_ms"],
                s["dense_cpu_p50_ms"],
                s["raw_faiss_cpu_p50_ms"],
                s["highlight_cpu_p50_ms"],
                s["recall_at_10"],
            ]
            for s in fig["sizes"]
        ]
        md += _table(
            [
                "passages",
                "index",
                "CPU p50",
                "CPU p95",
                "target p95",
                "met",
                "wall p50",
                "wall p95",
                "cold wall p95",
                "embedding",
                "BM25 (ours)",
                "bm25s retrieve",
                "FAISS (ours)",
                "FAISS raw",
                "highlighting",
                "recall@10",
            ],
            rows,
        )
        for s in fig["sizes"][-1:]:
            md += [
                "",
                f"Where the time goes at {s['passages']:,} passages: of a median query's "
                f"{s['hybrid_cpu_p50_ms']:.0f} ms of CPU, the query embedding takes "
                f"{s['embed_cpu_p50_ms']:.0f} ms and highlighting the 10 hits shown (segmentation) "
                f"{s['highlight_cpu_p50_ms']:.0f} ms; "
                f"BM25 and FAISS together {s['bm25_cpu_p50_ms'] + s['dense_cpu_p50_ms']:.1f} ms.",
            ]
        md += [
            "",
            'Leg columns are CPU p50 of that step alone on the same queries; "bm25s retrieve" and "FAISS '
            "raw\" call the libraries directly on the same index. Recall@10: top 10 of the engine's k = 100 "
            "FAISS search against exact inner-product search over the same vectors.",
        ]
        sweeps = [s for s in fig["sizes"] if "efSearch" in s]
        if sweeps:
            md += ["", "HNSW efSearch sweep (recall@10 / FAISS CPU ms for k = 100):", ""]
            efs = sorted(
                {int(k[2:].split("_")[0]) for s in sweeps for k in s if k.startswith("ef") and "_recall" in k}
            )
            md += _table(
                ["passages", "efSearch in use"] + [f"ef {e}" for e in efs],
                [
                    [s["passages"], s["efSearch"]]
                    + [f"{s[f'ef{e}_recall_at_10']:.3f} / {s[f'ef{e}_k100_cpu_p50_ms']:.2f}" for e in efs]
                    for s in sweeps
                ],
            )
        md += [
            "",
            "Synthetic corpora (bench/synth.py): real Chinese words from jieba's dictionary drawn "
            "with their frequencies, 256 topics sharing content words, BM25 terms = the generating words; "
            "vectors are noisy mixtures of two real MiniLM embeddings of generated passages of the same "
            "topic (2,048 embedded, noise with the real embeddings' covariance); queries are generated "
            "topic phrases, embedded live by the engine.",
            "",
        ]

    lines, fig = _section(results, "memory", "Memory and disk (issue #8)")
    md += lines
    if fig:
        rows = [
            [
                s["passages"],
                s["rss_model_mb"],
                s.get("rss_text_tools_mb", "—"),
                s["rss_after_queries_mb"],
                s["index_rss_mb"],
                s["version_disk_mb"],
                s["disk_faiss.index_mb"],
                s["disk_bm25_mb"],
                s["sqlite_mb"],
            ]
            for s in fig["sizes"]
        ]
        md += _table(
            [
                "passages",
                "RSS with the query encoder MB",
                "+ segmenter, OpenCC MB",
                "RSS after Engine.open + 20 queries MB (target ≤ 1,536 at 1M)",
                "index share MB",
                "version on disk MB",
                "faiss.index MB",
                "bm25/ MB",
                "SQLite MB",
            ],
            rows,
        )
        if "rss_mb_per_million_passages" in fig:
            md += [
                "",
                f"Growth: {fig['rss_mb_per_million_passages']:,.0f} MB of RSS per million passages "
                "(between the two largest sizes); projected RSS at 1M: "
                f"{fig['projected_rss_mb_at_1m']:,.0f} MB (target ≤ 1,536 MB).",
            ]
        md += [
            "",
            "RSS of one search process (psutil), sampled after each step; the BM25 arrays are "
            "memory-mapped, so only the pages queries touch count. SQLite holds the passage rows; the "
            "synthetic builds leave its trigram phrase index and embedding cache empty (an ingested corpus "
            "adds both: see the sample-corpus figures in the ingestion section).",
            "",
        ]
        ing = results.get("ingest", {}).get("figures", {}).get("sample")
        if ing:
            md += [
                f"Sample corpus as ingested: SQLite {ing['sqlite_kb_per_chunk']:.1f} KB and index version "
                f"{ing['version_kb_per_chunk']:.1f} KB per passage (SQLite also keeps each document's full "
                "text, the trigram phrase index and the embedding cache).",
                "",
            ]

    lines, fig = _section(results, "bm25", "BM25 at scale (issue #8)")
    md += lines
    if fig:
        md += _table(
            ["", "build s", "query p50 ms", "query p95 ms"],
            [
                [
                    "`search.lexical.LexicalIndex` (loaded mmap)",
                    fig["ours_build_s"],
                    fig["ours_query_p50_ms"],
                    fig["ours_query_p95_ms"],
                ],
                [
                    "plain bm25s (in memory)",
                    fig["bm25s_build_s"],
                    fig["bm25s_query_p50_ms"],
                    fig["bm25s_query_p95_ms"],
                ],
                ["ratio ours ÷ bm25s (target ≤ 1.2)", fig["build_ratio"], fig["query_ratio_p50"], "—"],
                [
                    f"rank_bm25, extrapolated from {fig['rank_bm25_measured_at']:,}",
                    fig["rank_bm25_build_s_extrapolated"],
                    fig["rank_bm25_query_ms_extrapolated"],
                    "—",
                ],
            ],
        ) + [
            "",
            f"{fig['passages']:,} passages, {fig['terms_per_passage']:.0f} terms each.",
            "",
            "Segmenter: studykb segments with rjieba (jieba-rs) since it gives jieba's words; the "
            f"check, on the sample corpus ({fig['paragraphs']} paragraphs), both with our user dictionary:",
            "",
        ]
        md += _table(
            ["", "rjieba vs jieba"],
            [
                ["paragraphs with identical BM25 terms", f"{fig['identical_terms']:.1%}"],
                ["term F1", f"{fig['term_f1']:.4f}"],
                [
                    "paragraphs with identical word offsets (highlighting)",
                    f"{fig['identical_word_offsets']:.1%}",
                ],
                ["search-mode segmentation MB/s", f"{fig['rjieba_search_mb_per_s']:.2f} vs "
                 f"{fig['jieba_search_mb_per_s']:.2f} ({fig['rjieba_speedup']:.1f}×)"],
                [
                    "whole `tokenize` (fold + segment + filter) MB/s",
                    f"{fig['tokenize_mb_per_s_rjieba']:.2f} vs {fig['tokenize_mb_per_s_jieba']:.2f}",
                ],
            ],
        ) + [""]

    lines, fig = _section(results, "incremental", "Incremental re-ingest (issue #8)")
    md += lines
    if fig:
        md += _table(
            ["documents", "chunks", "full build s", "no-op re-run s", "1 changed s", "fraction of full"],
            [
                [
                    fig["documents"],
                    fig["chunks"],
                    fig["full_build_s"],
                    fig["noop_rerun_s"],
                    fig["one_changed_s"],
                    fig["one_changed_fraction_of_full"],
                ]
            ],
        ) + [
            "",
            "Wall time of `studykb ingest` as a subprocess. A run of up to 20 changed files embeds with "
            "the ONNX encoder, which loads in well under a second: the one-document run never loads torch.",
            "",
        ]

    lines, fig = _section(results, "carry", "Publishing after one change in a large library (issue #8, #2)")
    md += lines
    if fig:
        md += _table(
            ["passages", "passages changed", "fresh publish s", "carried-over publish s", "speed-up",
             "of which BM25 build s", "hidden FAISS rows"],
            [[fig["passages"], fig["changed_passages"], fig["fresh_publish_s"], fig["carried_publish_s"],
              f"{fig['speedup']:.1f}×", fig["bm25_build_s"], fig["hidden_rows"]]],
        ) + [
            "",
            "Re-embedding is incremental at any size; index building is what grows with the library. A new "
            "version carries the previous HNSW index over (`DenseIndex.updated`: passages gone are hidden "
            "through a row map, new ones added) until hidden rows pass 10 %, then builds afresh; BM25 "
            "(its IDF depends on every passage) is rebuilt each time and is most of what remains. Below "
            "50,000 passages the exact index is rebuilt, in seconds.",
            "",
        ]

    lines, fig = _section(results, "backends", "Embedding backends on CPU (issue #8)")
    md += lines
    if fig:
        names = [n for n in ("torch", "onnx", "onnx-int8", "openvino") if f"{n}_passages_per_s" in fig]
        md += _table(
            [
                "backend",
                "passages per CPU-s",
                "speed-up",
                "one query, CPU ms",
                "cosine to torch (mean / min)",
                "dense R@1",
                "R@5",
                "R@10",
                "MRR",
            ],
            [
                [
                    n,
                    fig[f"{n}_passages_per_s"],
                    fig[f"{n}_speedup_vs_torch"],
                    fig.get(f"{n}_query_cpu_ms", "—"),
                    "—"
                    if n == "torch"
                    else f"{fig[f'{n}_cosine_to_torch_mean']:.5f} / {fig[f'{n}_cosine_to_torch_min']:.4f}",
                    fig[f"{n}_dense_R@1"],
                    fig[f"{n}_dense_R@5"],
                    fig[f"{n}_dense_R@10"],
                    fig[f"{n}_dense_MRR"],
                ]
                for n in names
            ],
        ) + [
            "",
            f"CMRC 2018 trial: {fig['cmrc_questions']} questions over "
            f"{fig['cmrc_passages']} passages, dense leg only, exact search; one thread per backend, as "
            "studykb runs torch. The backends are studykb's own (`--backend` / `$STUDYKB_BACKEND`): "
            "onnx is the transformer exported with `torch.onnx.export` and run by ONNX Runtime, with "
            "the model folder's pooling and normalisation (studykb/onnx_encoder.py); onnx-int8 is its "
            "dynamic quantisation (uint8 weights per channel). The vectors stored in an index are "
            "keyed by model, not backend: int8 vectors are close to torch's, not equal.",
            "",
        ]
    md += load_section(results)
    return "\n".join(md) + "\n"


def load_section(results: dict[str, Any]) -> list[str]:
    """The HTTP API under concurrent clients (bench/load.py), and its soak."""
    md, fig = _section(results, "load", "HTTP API under load (issue #19)")
    if fig is None:
        return md
    peak = max(r["rps"] for r in fig["runs"])
    md += _table(
        ["workers", "clients", "requests", "errors", "requests/s", "p50 ms", "p95 ms", "p99 ms"],
        [[r["workers"], r["concurrency"], r["requests"], r["errors"], r["rps"], r["p50_ms"], r["p95_ms"],
          r["p99_ms"]] for r in fig["runs"]],
    )
    md += [
        "",
        f"`studykb api` over the synthetic index of {fig['passages']:,} passages (bench/synth.py), "
        f"`GET /v1/search?q=…&k=10` with generated queries; closed-loop clients (httpx async, each sends its "
        f"next query when the last one is answered) in one process on the same {fig['cpus']}-CPU machine. "
        "With closed-loop clients latency is set by throughput (Little's law: mean latency ≈ clients ÷ "
        "requests/s): once the cores are busy, more clients only queue longer. At the best throughput "
        f"measured, {peak:.0f} requests/s, 32 clients wait at least 32 ÷ {peak:.0f} s "
        f"≈ {32000 / peak:.0f} ms "
        "on average, whatever the server does per request; a 50 ms p95 at 32 clients needs about "
        f"{32000 / 50 / peak:.0f}× this throughput (more cores and workers), or clients that pause between "
        "queries. A search costs ~12 ms of CPU in the engine at 100k passages (see Search latency); "
        "the API adds the difference between the 1-client p50 and that.",
        "",
    ]
    soak = fig.get("soak")
    if soak:
        md += [
            f"Soak: {soak['minutes']:.0f} min, {soak['workers']} workers, {soak['concurrency']} clients: "
            f"{soak['requests']:,} requests, {soak['errors']} errors, {soak['rps']:.0f} requests/s, "
            f"p95 {soak['p95_ms']:.0f} ms; resident memory of the server processes "
            f"{soak['rss_first_mb']:,.0f} MB in the first minute, {soak['rss_last_mb']:,.0f} MB in the last "
            f"({soak['rss_growth_pct']:+.1f} %, maximum {soak['rss_max_mb']:,.0f} MB; "
            f"{soak['rss_samples']} samples, one every 5 s).",
            "",
        ]
    return md


def plot(results: dict[str, Any], path: Path) -> None:
    """Latency p50/p95 and resident memory against corpus size (log x)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    lat = results.get("latency", {}).get("figures", {}).get("sizes", [])
    if lat:
        n = [s["passages"] for s in lat]
        ax1.plot(n, [s["hybrid_cpu_p50_ms"] for s in lat], "o-", label="hybrid p50 (CPU)")
        ax1.plot(n, [s["hybrid_cpu_p95_ms"] for s in lat], "s-", label="hybrid p95 (CPU)")
        ax1.plot(
            n, [s["hybrid_p95_ms"] for s in lat], "^--", alpha=0.5, label="hybrid p95 (wall, warm)"
        )
        ax1.plot(n, [s["embed_cpu_p50_ms"] for s in lat], ":", label="query embedding p50")
        targets = [(s["passages"], s["target_p95_ms"]) for s in lat if "target_p95_ms" in s]
        if targets:
            ax1.scatter(*zip(*targets, strict=True), marker="x", color="red", label="p95 target", zorder=3)
    ax1.set(xscale="log", xlabel="passages", ylabel="ms", title="Hybrid query latency")
    ax1.legend(fontsize=8)
    mem = results.get("memory", {}).get("figures", {}).get("sizes", [])
    if mem:
        n = [s["passages"] for s in mem]
        ax2.plot(n, [s["rss_after_queries_mb"] for s in mem], "o-", label="search process RSS")
        ax2.plot(n, [s["rss_model_mb"] for s in mem], ":", label="imports + model (fixed)")
        ax2.plot(n, [s["version_disk_mb"] for s in mem], "s--", label="index version on disk")
        ax2.axhline(1536, color="red", lw=0.8, label="target at 1M (1.5 GB)")
    ax2.set(xscale="log", xlabel="passages", ylabel="MiB", title="Memory and disk")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", choices=sorted(PLAN), default="small")
    ap.add_argument("--only", default="", help="comma-separated benchmarks to run (default: all)")
    ap.add_argument("--reuse", action="store_true", help="reuse figures already measured at this scale")
    ap.add_argument("--out", type=Path, default=ROOT / "docs")
    ap.add_argument("--json", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    mach = machine()
    results = run_all(args.scale, {s for s in args.only.split(",") if s}, args.reuse)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "performance.md").write_text(render(results, args.scale, mach), encoding="utf-8")
    plot(results, args.out / "performance.png")
    print(f"wrote {args.out / 'performance.md'} and {args.out / 'performance.png'}")


if __name__ == "__main__":
    main()
