"""Synthetic Chinese-like passages with real-shaped embeddings, and index versions built from them.

Method (stated in docs/performance.md):

- **Text.** Words are real Chinese words from jieba's dictionary (the 50,000 most frequent
  all-Han entries), drawn with their corpus frequencies (a Zipf-like law). Each passage belongs to
  one of `TOPICS` topics; a topic owns 200 content words (multi-character words of frequency rank
  1,000-40,000) that make up ~35 % of its passages' words, Zipf-weighted within the topic, so
  passages of a topic share vocabulary as real documents on one subject do. Commas and full stops
  appear at natural rates; a passage is 120-300 characters (our chunks are up to 320).
- **BM25 terms** are the generating words minus punctuation and stopwords (segmenting a million
  passages with jieba would take ~30 min here; query terms still come from `studykb.text.tokenize`).
- **Vectors.** `n_base` generated passages (8 per topic by default) are embedded with the real
  model. Passage i of topic t gets `w·e_a + (1-w)·e_b + σ·ε` normalised, where e_a, e_b are two
  real embeddings of topic t, w ~ U(0.5, 1) and ε is Gaussian noise with the covariance of the real
  embeddings (so the noise lives in the same anisotropic subspace as real embeddings, not uniformly
  on the sphere). Queries are embedded live by the engine from generated topic phrases.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from common import BENCH_MODEL, cache_dir

TOPICS = 256
TOPIC_WORDS = 200
TOPIC_SHARE = 0.35
VOCAB = 50_000
SIGMA = 0.35
BASE_PER_TOPIC = 8
PASSAGES_PER_DOC = 25
CATEGORIES = ("讲话", "汇编", "文件", "摘编", "辅导读物")
#: Bump when the generator changes, so cached corpora are rebuilt.
METHOD_VERSION = "1"
_PUNCT = ("，", "。")
_PUNCT_P = (0.07, 0.035)


@dataclass(frozen=True)
class Vocabulary:
    """Words, their draw probabilities, and the content words of each topic."""

    words: np.ndarray  # object array of str; the last two entries are "，" and "。"
    probs: np.ndarray
    topic_words: np.ndarray  # (TOPICS, TOPIC_WORDS) word ids
    topic_probs: np.ndarray  # (TOPIC_WORDS,) Zipf weights within a topic
    keep: np.ndarray  # bool per word id: is a BM25 term (not punctuation, not a stopword)


@lru_cache(maxsize=1)
def vocabulary(seed: int = 7) -> Vocabulary:
    """The generator's vocabulary, from jieba's dictionary (deterministic for a seed)."""
    import jieba

    from studykb.text import _STOPWORDS

    han = re.compile(r"^[\u4e00-\u9fff]{1,4}$")
    rows = []
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2 and han.match(parts[0]):
                rows.append((parts[0], int(parts[1])))
    rows.sort(key=lambda r: -r[1])
    rows = rows[:VOCAB]
    freq = np.array([f for _, f in rows], dtype=np.float64)
    p_punct = sum(_PUNCT_P)
    probs = np.concatenate([freq / freq.sum() * (1 - p_punct), _PUNCT_P])
    words = np.array([w for w, _ in rows] + list(_PUNCT), dtype=object)
    rng = np.random.default_rng(seed)
    content = np.array([i for i in range(1000, 40_000) if len(rows[i][0]) >= 2])
    topic_words = np.stack([rng.choice(content, TOPIC_WORDS, replace=False) for _ in range(TOPICS)])
    topic_probs = 1 / np.arange(1, TOPIC_WORDS + 1)
    topic_probs /= topic_probs.sum()
    keep = np.array([w not in _STOPWORDS for w in words[:-2]] + [False, False])
    return Vocabulary(words, probs, topic_words, topic_probs, keep)


def passages(
    n: int, seed: int, *, start: int = 0, batch: int = 20_000
) -> Iterator[tuple[int, str, list[str]]]:
    """Yield (topic, text, BM25 terms) for passages start .. start+n-1 (deterministic per index)."""
    voc = vocabulary()
    for lo in range(start, start + n, batch):
        size = min(batch, start + n - lo)
        rng = np.random.default_rng([seed, lo])
        topics = rng.integers(0, TOPICS, size)
        lengths = rng.integers(120, 301, size)
        width = 190  # words drawn per passage: enough for 300 characters
        glob = rng.choice(len(voc.words), (size, width), p=voc.probs)
        local = voc.topic_words[topics[:, None], rng.choice(TOPIC_WORDS, (size, width), p=voc.topic_probs)]
        ids = np.where(rng.random((size, width)) < TOPIC_SHARE, local, glob)
        for row, topic, length in zip(ids, topics, lengths, strict=True):
            chosen = voc.words[row].tolist()
            text, total = [], 0
            for word in chosen:
                text.append(word)
                total += len(word)
                if total >= length:
                    break
            kept = voc.keep[row[: len(text)]]
            terms = [w for w, k in zip(text, kept, strict=False) if k]
            body = "".join(text).lstrip("，。")
            yield int(topic), body.rstrip("，。") + "。", terms


def query_texts(n: int, seed: int) -> list[tuple[int, str]]:
    """`n` (topic, query) pairs: 2-4 topic words joined by a few common words, as users type."""
    voc = vocabulary()
    rng = np.random.default_rng([seed, 999_999])
    glue = ["的", "和", "如何", "推进", "加强", "关于", "中"]
    out = []
    for _ in range(n):
        topic = int(rng.integers(TOPICS))
        picks = rng.choice(TOPIC_WORDS, int(rng.integers(2, 5)), replace=False, p=voc.topic_probs)
        words = [str(voc.words[voc.topic_words[topic, i]]) for i in picks]
        text = words[0] + "".join(str(rng.choice(glue)) + w if rng.random() < 0.4 else w for w in words[1:])
        out.append((topic, text))
    return out


def base_embeddings(n_base: int, seed: int, model: str = BENCH_MODEL) -> tuple[np.ndarray, np.ndarray]:
    """Real embeddings of `n_base` generated passages (cached on disk) and their topics."""
    from ingest.embed import encode
    from studykb.models import resolve_model

    spec = resolve_model(model)
    key = hashlib.sha1(f"{METHOD_VERSION}/{spec.name}/{n_base}/{seed}".encode()).hexdigest()[:12]
    path = cache_dir() / f"base-{key}.npz"
    if path.exists():
        saved = np.load(path)
        return saved["vectors"], saved["topics"]
    # Base texts come from a seed of their own: they are not passages of the corpus.
    rows = list(passages(n_base * 4, seed + 1_000_003))
    per_topic: dict[int, list[str]] = {}
    for topic, text, _ in rows:
        if len(per_topic.setdefault(topic, [])) < n_base // TOPICS:
            per_topic[topic].append(text)
    texts = [(t, s) for t in sorted(per_topic) for s in per_topic[t]]
    t0 = time.perf_counter()
    vectors = encode(spec, [s for _, s in texts], batch_size=64)
    print(f"embedded {len(texts)} base passages in {time.perf_counter() - t0:.0f} s")
    topics = np.array([t for t, _ in texts], dtype=np.int32)
    np.savez(path, vectors=vectors, topics=topics)
    return vectors, topics


def expand(base: np.ndarray, base_topics: np.ndarray, topics: np.ndarray, seed: int) -> np.ndarray:
    """Vectors for passages of the given topics: noisy mixtures of two real embeddings of the topic."""
    rng = np.random.default_rng([seed, 31337])
    centred = base - base.mean(axis=0)
    cov = centred.T @ centred / max(len(base) - 1, 1)
    eigval, eigvec = np.linalg.eigh(cov)
    noise_map = (eigvec * np.sqrt(np.clip(eigval, 0, None))).T.astype(np.float32)  # z @ map ~ N(0, cov)
    by_topic = [np.flatnonzero(base_topics == t) for t in range(TOPICS)]
    out = np.empty((len(topics), base.shape[1]), dtype=np.float32)
    for lo in range(0, len(topics), 50_000):
        part = topics[lo : lo + 50_000]
        a = np.array([rng.choice(by_topic[t]) for t in part])
        b = np.array([rng.choice(by_topic[t]) for t in part])
        w = rng.uniform(0.5, 1.0, (len(part), 1)).astype(np.float32)
        z = rng.standard_normal((len(part), base.shape[1]), dtype=np.float32)
        v = w * base[a] + (1 - w) * base[b] + SIGMA * (z @ noise_map)
        out[lo : lo + len(part)] = v / np.linalg.norm(v, axis=1, keepdims=True)
    return out


def build_version(
    data_dir: Path, n: int, seed: int = 1, n_base: int | None = None, model: str = BENCH_MODEL
) -> dict[str, float]:
    """Create (or reuse) a data dir whose published version holds `n` synthetic passages.

    Rows go into the real SQLite schema (documents, chunks, versions; the trigram phrase index and
    the embedding cache are left empty), the version is written and published by
    `ingest.version.publish_version`, so `search.engine.Engine.open(data_dir)` serves it exactly as it
    serves an ingested corpus.
    Returns the build's timings in seconds (those of the earlier build when it is reused).
    """
    from ingest.version import publish_version
    from studykb.db import connect, write
    from studykb.index_store import IndexStore
    from studykb.layout import DataDir
    from studykb.models import resolve_model

    spec = resolve_model(model)
    n_base = n_base or TOPICS * BASE_PER_TOPIC
    stamp = {"method": METHOD_VERSION, "n": n, "seed": seed, "n_base": n_base, "model": spec.name}
    marker = data_dir / "bench.json"
    data = DataDir(data_dir)
    if marker.exists() and data.current() and json.loads(marker.read_text())["stamp"] == stamp:
        return dict(json.loads(marker.read_text())["timings"])  # of the build being reused
    import shutil

    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    timings: dict[str, float] = {}
    t = time.perf_counter()
    base, base_topics = base_embeddings(n_base, seed, model)
    timings["base_embed_s"] = time.perf_counter() - t

    t = time.perf_counter()
    conn = connect(data.db_path)
    n_docs = (n + PASSAGES_PER_DOC - 1) // PASSAGES_PER_DOC
    topics = np.empty(n, dtype=np.int32)
    tokens: list[list[str]] = []
    store = IndexStore(conn)
    with write(conn):
        store.add_rows(
            [
                (
                    d + 1,
                    f"synthetic/doc{d:07d}.txt",
                    str(data_dir),
                    f"{d:064x}",
                    "-",
                    "txt",
                    f"合成文档{d}",
                    f"{2000 + d % 25}-{d % 12 + 1:02d}-{d % 28 + 1:02d}",
                    CATEGORIES[d % len(CATEGORIES)],
                    "[]",
                    0,
                    0.0,
                    "",
                )
                for d in range(n_docs)
            ],
            [],
        )
        rows: list[tuple[object, ...]] = []
        for i, (topic, text, terms) in enumerate(passages(n, seed)):
            topics[i] = topic
            tokens.append(terms)
            digest = hashlib.sha1(text.encode()).hexdigest()
            rows.append(
                (
                    i + 1,
                    i // PASSAGES_PER_DOC + 1,
                    i % PASSAGES_PER_DOC,
                    text,
                    digest,
                    digest,
                    0,
                    len(text),
                    1,
                    1,
                    "[]",
                    " ".join(terms),
                )
            )
            if len(rows) == 50_000:
                store.add_rows([], rows)
                rows = []
        store.add_rows([], rows)
        version_id = store.create_version("v000001", spec.name, range(1, n_docs + 1), dim=int(base.shape[1]))
    timings["text_and_db_s"] = time.perf_counter() - t

    t = time.perf_counter()
    vectors = expand(base, base_topics, topics, seed)
    timings["vectors_s"] = time.perf_counter() - t

    t = time.perf_counter()
    publish_version(
        conn,
        data,
        version_id,
        "v000001",
        np.arange(1, n + 1, dtype=np.int64),
        tokens,
        vectors,
        {
            "model": spec.name,
            "model_fallback": spec.fallback,
            "dim": int(base.shape[1]),
            "n_documents": n_docs,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        n_documents=n_docs,
    )
    timings["write_version_s"] = time.perf_counter() - t
    conn.close()
    np.save(data_dir / "bench-vectors.npy", vectors)  # for recall against exact search
    marker.write_text(json.dumps({"stamp": stamp, "timings": timings}), encoding="utf-8")
    return timings

