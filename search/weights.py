"""How much the dense leg weighs in the fusion of one query (search/fuse.py `hybrid`).

One fixed weight does not serve every kind of question. Measured with bench/retrieval.py (the
figures are in docs/retrieval.md): for English questions over Chinese texts BM25 has almost
nothing to match, and the dense leg alone is best; for Chinese questions that reuse the text's
words (CMRC) BM25 dominates and the dense leg helps only as a small share; paraphrased Chinese
questions want more of it. The weight therefore depends on the query:

- the model cannot read the query's language (the English-only all-MiniLM-L6-v2 on a Chinese
  query): WEAK_WEIGHT, and the dense leg may only re-rank BM25's candidates;
- a query without Chinese characters, with a model that reads Chinese: ENGLISH_WEIGHT (0.95 and
  1.0 tied on the English set, MRR 0.893; 0.8 gave 0.881, 0.5 0.578);
- a Chinese query whose best BM25 passage holds at least SURE_COVERAGE of its terms (IDF-weighted,
  search/lexical.py `coverage`: BM25 is sure): CHINESE_WEIGHT; else (the question is in other
  words than the text) PARAPHRASE_WEIGHT. On CMRC a fixed 0.2 gave MRR 0.976, 0.5 0.973; on the
  paraphrase set 0.2 gave 0.961, 0.5 0.978; switching on BM25's confidence gave 0.977 and 0.978.
"""

from __future__ import annotations

from studykb.models import ModelSpec
from studykb.text import is_cjk

__all__ = [
    "CHINESE_WEIGHT",
    "ENGLISH_WEIGHT",
    "PARAPHRASE_WEIGHT",
    "PEER_WEIGHT",
    "SURE_COVERAGE",
    "WEAK_WEIGHT",
    "dense_weight",
    "model_reads",
]

#: A model that cannot read the query: the dense leg only breaks BM25's near-ties (CMRC, MiniLM).
WEAK_WEIGHT = 0.02
#: A model that reads the query's language but is not known to read Chinese (MiniLM, English query).
PEER_WEIGHT = 0.5
#: A Chinese-capable model on a query without Chinese characters.
ENGLISH_WEIGHT = 0.95
#: A Chinese-capable model on a Chinese query that BM25 is sure of.
CHINESE_WEIGHT = 0.2
#: ... and on one it is not sure of.
PARAPHRASE_WEIGHT = 0.5
#: BM25 is sure when its best passage holds this IDF-weighted share of the query's terms.
SURE_COVERAGE = 0.6


def has_cjk(text: str) -> bool:
    """Whether `text` has a Chinese character."""
    return any(is_cjk(ch) for ch in text)


def model_reads(model: ModelSpec, text: str) -> bool:
    """Whether `model` embeds `text`'s language meaningfully (every model reads English)."""
    return model.chinese_capable or not has_cjk(text)


def dense_weight(model: ModelSpec, text: str, top_coverage: float = 1.0) -> float:
    """The dense leg's weight for query `text` (see the module docstring); `top_coverage` is the
    IDF-weighted share of the query's terms in BM25's best passage (0 when BM25 found nothing)."""
    if not model_reads(model, text):
        return WEAK_WEIGHT
    if not model.chinese_capable:
        return PEER_WEIGHT
    if not has_cjk(text):
        return ENGLISH_WEIGHT
    return CHINESE_WEIGHT if top_coverage >= SURE_COVERAGE else PARAPHRASE_WEIGHT
