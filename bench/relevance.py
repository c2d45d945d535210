"""Calibration of the relevance floor (search/relevance.py) through `engine.search` as shipped.

For the CMRC trial, the question sets of bench/questions/ and generated nonsense queries (words
drawn from jieba's dictionary, random Chinese characters, random English words), and for each
pair of floors (IDF-weighted term coverage, cosine), prints: the share of questions whose first
correct hit in the top 10 counts as relevant, the share with any relevant hit, and the median, p90
and largest number of relevant passages a query claims. Nonsense should claim nothing; real
questions should keep their answer above the floor.

Usage: python bench/relevance.py [--data-dir DIR] [--floors 0.5:0.3,0.6:0.3] [--limit N]
(DIR as bench/retrieval.py --data-dir: its cmrc-data and corpus-data indexes are reused.)
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrieval import CORPUS, DEFAULT_EVAL, QUESTIONS, Question, build, load_eval, load_questions  # noqa: E402

from search import relevance  # noqa: E402
from search.engine import Engine  # noqa: E402
from studykb.errors import QueryError  # noqa: E402

ENGLISH_WORDS = ("banana rocket piano desert purple keyboard volcano umbrella penguin saxophone "
                 "glacier lantern walrus trombone meadow pixel cactus harbour velvet comet").split()


def nonsense(n: int, seed: int = 0) -> list[str]:
    """`n` queries about nothing: dictionary words, random characters, English words (in thirds)."""
    import jieba

    jieba.initialize()
    rng = random.Random(seed)
    words = [w for w in list(jieba.dt.FREQ)[::37] if len(w) >= 2 and jieba.dt.FREQ[w] > 0]
    out: list[str] = []
    for i in range(n):
        kind = i % 3
        if kind == 0:
            out.append(" ".join(rng.sample(words, rng.randint(2, 5))))
        elif kind == 1:
            out.append("".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(rng.randint(4, 10))))
        else:
            out.append(" ".join(rng.sample(ENGLISH_WORDS, 3)))
    return out


def measure(engine: Engine, questions: list[Question]) -> tuple[float, float, list[int]]:
    """(share whose first correct top-10 hit is relevant, share with any relevant hit, relevant counts)."""
    kept = anything = 0
    counts: list[int] = []
    for q, docs, _ in questions:
        try:
            result = engine.search(q, k=10)
        except QueryError:  # nothing to search for (a CMRC question of punctuation only): claims nothing
            counts.append(0)
            continue
        counts.append(result.relevant)
        anything += result.relevant > 0
        hit = next((h for h in result.hits if h.document.path in docs), None)
        kept += hit is not None and not hit.weak
    return kept / len(questions), anything / len(questions), counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--floors", default="0.4:0.3,0.5:0.25,0.5:0.3,0.5:0.35,0.6:0.3")
    ap.add_argument("--limit", type=int, default=0, help="use only the first N CMRC questions")
    ap.add_argument("--nonsense", type=int, default=90)
    args = ap.parse_args()
    work = args.data_dir or Path(tempfile.mkdtemp(prefix="studykb-relevance-"))
    docs, cmrc = load_eval(DEFAULT_EVAL)
    cmrc = cmrc[: args.limit] if args.limit else cmrc
    if not (work / "cmrc-data" / "CURRENT").exists():
        corpus = work / "cmrc-docs"
        corpus.mkdir(parents=True, exist_ok=True)
        for name, text in docs.items():
            (corpus / name).write_text(text, encoding="utf-8")
        build(corpus, work / "cmrc-data", None)
    if not (work / "corpus-data" / "CURRENT").exists():
        build(CORPUS, work / "corpus-data", None)
    cmrc_engine, corpus_engine = Engine.open(work / "cmrc-data"), Engine.open(work / "corpus-data")
    junk = [(q, frozenset(), []) for q in nonsense(args.nonsense)]
    sets = {
        "CMRC": (cmrc_engine, cmrc),
        "paraphrase": (corpus_engine, load_questions(QUESTIONS / "paraphrase.jsonl")),
        "english": (corpus_engine, load_questions(QUESTIONS / "english.jsonl")),
        "nonsense, sample corpus": (corpus_engine, junk),
        "nonsense, CMRC": (cmrc_engine, junk),
    }
    print(f"model {corpus_engine.model.name}; shipped floors: coverage {relevance.COVERAGE_FLOOR}, "
          f"cosine {relevance.DENSE_FLOOR}\n")
    print("| coverage floor | cosine floor | questions | answer hit relevant | any relevant | "
          "relevant count median / p90 / max |")
    print("|---|---|---|---|---|---|")
    shipped = relevance.COVERAGE_FLOOR, relevance.DENSE_FLOOR
    try:
        for pair in args.floors.split(","):
            cov, cos = (float(x) for x in pair.split(":"))
            relevance.COVERAGE_FLOOR, relevance.DENSE_FLOOR = cov, cos
            for name, (engine, questions) in sets.items():
                kept, anything, counts = measure(engine, questions)
                p90 = sorted(counts)[int(0.9 * (len(counts) - 1))]
                answer = "—" if name.startswith("nonsense") else f"{kept:.3f}"
                print(f"| {cov:g} | {cos:g} | {name} | {answer} | {anything:.3f} | "
                      f"{statistics.median(counts):g} / {p90} / {max(counts)} |", flush=True)
    finally:
        relevance.COVERAGE_FLOOR, relevance.DENSE_FLOOR = shipped


if __name__ == "__main__":
    main()
