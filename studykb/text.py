"""Chinese text handling in one place: normalisation, Traditional→Simplified folding, segmentation.

Chunking, BM25, exact-phrase matching and highlighting all import from here so that ingest time and
query time treat text identically.

- `normalize` is for stored/displayed text: full-width ASCII letters and digits become half-width,
  odd spaces become plain spaces; Chinese full-width punctuation is kept.
- `fold` is the matching key: `normalize` + Traditional→Simplified (OpenCC t2s) + lower case + full-width
  punctuation to ASCII. It keeps the length of its input whenever it can, so positions found in folded
  text map back onto the original for highlighting (`fold_preserves_length`).
- `tokenize` gives the BM25 terms (jieba search mode over folded text, with the shipped user dictionary
  of political terms and any maintainer additions), minus punctuation and stopwords.
- `segment` gives jieba words with their offsets in the original text, for highlighting.

Segmentation runs on jieba-rs (`rjieba`), which gives jieba's words ~20x faster; `STUDYKB_SEGMENTER=jieba`
selects the pure-Python jieba (the reference the tests compare it with).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Collection, Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = [
    "USER_DICT_ENV",
    "find_words",
    "fold",
    "is_cjk",
    "normalize",
    "segment",
    "segment_folded",
    "to_simplified",
    "to_traditional",
    "tokenize",
    "user_dict_paths",
]

#: Environment variable naming an extra user-dictionary file (jieba format: `word [freq] [tag]` a line).
USER_DICT_ENV = "STUDYKB_USER_DICT"

# Full-width letters/digits (U+FF10..FF19, FF21..FF3A, FF41..FF5A) → ASCII; odd spaces → space.
_WIDTH: dict[int, int | None] = {
    c: c - 0xFEE0
    for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
    for c in range(r[0], r[1] + 1)
}
_WIDTH.update({0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20, 0x200B: None,
               0xFEFF: None})
# For matching only: all remaining full-width ASCII punctuation (！＂…～) → ASCII.
_FOLD_PUNCT = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORDLIKE = re.compile(r"[^\W_]")  # a letter, digit or ideograph (\w without _)

_STOPWORDS = frozenset(
    "的 了 是 在 和 与 及 或 等 也 都 就 而 之 其 这 那 有 为 对 以 于 把 被 将 从 向 中 上 下 "
    "什么 哪些 哪个 怎么 怎样 如何 多少 吗 呢 吧 啊 着 过 个 一个 我们 你们 他们 它 "
    "a an the of to in on and or is are was were be by for with as at from that this it".split()
)


def normalize(text: str) -> str:
    """Return display text with full-width ASCII letters/digits and odd spaces made half-width.

    Example: normalize("２０２３年Ｑ１") == "2023年Q1"; Chinese punctuation (，。（）) is kept.
    """
    return text.translate(_WIDTH)


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Convert Traditional Chinese characters and phrases to Simplified (OpenCC t2s)."""
    if not text:
        return text
    return str(_t2s().convert(text))


@lru_cache(maxsize=1)
def _s2t() -> Any:
    import opencc

    return opencc.OpenCC("s2t")


def to_traditional(text: str) -> str:
    """Convert Simplified Chinese to Traditional (OpenCC s2t): for the reader's 繁體 display, and to
    compare variant words that t2s leaves apart: 想像 and 想象 are both Simplified, and both are 想像 in
    Traditional.
    """
    if not text:
        return text
    return str(_s2t().convert(text))


def fold(text: str) -> str:
    """Return the matching key of `text`: normalised, Simplified, lower-case, ASCII punctuation.

    Example: fold("千萬工程（ＡＢ）") == "千万工程(ab)".
    """
    text = normalize(text).translate(_FOLD_PUNCT)
    if _CJK.search(text):
        text = to_simplified(text)
    return text.lower()


def fold_preserves_length(text: str, folded: str) -> bool:
    """True when `folded` (from `fold(text)`) lines up character by character with `text`."""
    return len(text) == len(folded)


def is_cjk(char: str) -> bool:
    """True for a CJK unified ideograph (including extension A and compatibility ideographs)."""
    return bool(_CJK.match(char))


@lru_cache(maxsize=1)
def _shipped_user_dict() -> Path:
    # Cached: resolving package resources cost ~0.2 ms, and every tokenize/segment call asks.
    return Path(str(resources.files("studykb") / "userdict.txt"))


def user_dict_paths() -> list[Path]:
    """The user dictionaries in load order: the shipped one, then `$STUDYKB_USER_DICT` if set."""
    paths = [_shipped_user_dict()]
    extra = os.environ.get(USER_DICT_ENV)
    if extra:
        paths.append(Path(extra))
    return paths


#: Environment variable choosing the word segmenter: `rjieba` (default) or `jieba`.
SEGMENTER_ENV = "STUDYKB_SEGMENTER"
SEGMENTERS = ("rjieba", "jieba")

# jieba's own pattern for runs it segments (Han characters, ASCII letters/digits and + # & . _ % -).
_HAN_RUN = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+)")
# jieba's user-dictionary line: `word [freq] [tag]` (the word may contain spaces).
_USER_LINE = re.compile(r"^(.+?)( [0-9]+)?( [a-z]+)?$")
_jieba_lock = threading.Lock()


def _user_words(path: Path) -> list[tuple[str, int | None, str | None]]:
    if not path.is_file():
        from .errors import ConfigError

        raise ConfigError(f"user dictionary {path} does not exist (set by ${USER_DICT_ENV})")
    words = []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        match = _USER_LINE.match(line.strip())
        if match:
            word, freq, tag = match.groups()
            words.append((word.strip(), int(freq) if freq else None, tag.strip() if tag else None))
    return words


class _RJieba:
    """jieba-rs (PyPI `rjieba`): jieba's dictionary and HMM in Rust, ~20x faster than jieba.

    Its words match jieba's once the marks jieba splits ASCII words at (`a-b`, `a_b`, `a.b`) are
    spaces; the marks are dropped from terms anyway, and the swap keeps offsets.
    `tests/test_text.py` checks both segmenters agree on the sample corpus.
    """

    def __init__(self, dict_paths: tuple[Path, ...]) -> None:
        import rjieba

        self._tok = rjieba.Jieba()
        for path in dict_paths:
            for word, freq, tag in _user_words(path):
                self._tok.add_word(word, freq, tag)

    def search_words(self, folded: str) -> list[str]:
        return list(self._tok.cut_for_search(_split_marks(folded), True))

    def spans(self, folded: str) -> list[tuple[int, int]]:
        return [(s, e) for _, s, e in self._tok.tokenize(_split_marks(folded), "default", True)]


class _Jieba:
    """The reference jieba (pure Python), selected with STUDYKB_SEGMENTER=jieba."""

    def __init__(self, dict_paths: tuple[Path, ...]) -> None:
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._tok = jieba.Tokenizer()
        with _jieba_lock:
            self._tok.initialize()
            for path in dict_paths:
                for word, freq, tag in _user_words(path):
                    self._tok.add_word(word, freq, tag)

    def search_words(self, folded: str) -> list[str]:
        return list(self._tok.lcut_for_search(folded, HMM=True))

    def spans(self, folded: str) -> list[tuple[int, int]]:
        return [(s, e) for _, s, e in self._tok.tokenize(folded, mode="default", HMM=True)]


# Where jieba-rs keeps an ASCII word whole and jieba splits it: at - and _, and at a . not followed by
# a digit (both keep 3.5 and v1.2 whole). Spaces there give both the same words at the same offsets.
_JOINING_MARKS = re.compile(r"[-_]|\.(?!\d)")


def _split_marks(text: str) -> str:
    return _JOINING_MARKS.sub(" ", text)


@lru_cache(maxsize=4)
def _segmenter_for(kind: str, dict_paths: tuple[Path, ...]) -> _RJieba | _Jieba:
    return _RJieba(dict_paths) if kind == "rjieba" else _Jieba(dict_paths)


def segmenter_name() -> str:
    """The segmenter in use: `$STUDYKB_SEGMENTER` if set, else rjieba."""
    kind = os.environ.get(SEGMENTER_ENV, "").strip().lower() or "rjieba"
    if kind not in SEGMENTERS:
        from .errors import ConfigError

        raise ConfigError(f"${SEGMENTER_ENV}={kind!r}: expected one of {', '.join(SEGMENTERS)}")
    return kind


def _segmenter() -> _RJieba | _Jieba:
    return _segmenter_for(segmenter_name(), tuple(user_dict_paths()))


def _keep(term: str) -> bool:
    return bool(_WORDLIKE.search(term)) and term not in _STOPWORDS


def tokenize(text: str) -> list[str]:
    """Return the BM25 terms of `text`: jieba search-mode words of `fold(text)`.

    Punctuation, whitespace and stopwords are dropped; long words also yield their dictionary
    sub-words (search mode), so 中国式现代化 matches a query for 现代化.
    """
    words = _segmenter().search_words(fold(text))
    return [t for t in words if _keep(t.strip()) and t.strip() == t]


def tokenize_many(texts: Iterable[str]) -> list[list[str]]:
    """`tokenize` over many texts (one list of terms per text)."""
    return [tokenize(t) for t in texts]


def segment(text: str) -> list[tuple[str, int, int]]:
    """Return jieba words of `text` as (word, start, end) offsets into `text` itself.

    Words come from the folded text (so Traditional text segments like Simplified); offsets are
    valid for `text` because `fold` keeps lengths (when it cannot, words are reported per character).
    """
    folded, spans = segment_folded(text)
    return [(text[s:e], s, e) for s, e in spans]


def find_words(folded: str, words: Collection[str]) -> list[tuple[int, int]]:
    """(start, end) of the jieba words of already-folded text that are in `words`, in text order.

    The same spans as keeping the words of `segment_folded` that are in `words`, found without
    segmenting the whole text: jieba cuts every run of word characters on its own, so only the runs
    that contain one of `words` are segmented (search-result highlighting runs this per hit).
    """
    if not words:
        return []
    segmenter = _segmenter()
    spans: list[tuple[int, int]] = []
    pos = 0
    for piece in _HAN_RUN.split(folded):
        if piece and _HAN_RUN.match(piece):
            if any(w in piece for w in words):
                spans += [(pos + s, pos + e) for s, e in segmenter.spans(piece) if piece[s:e] in words]
        else:  # outside word runs jieba yields single characters
            spans += [(pos + i, pos + i + 1) for i, ch in enumerate(piece) if ch in words]
        pos += len(piece)
    return spans


def segment_folded(text: str) -> tuple[str, list[tuple[int, int]]]:
    """`fold(text)` and the (start, end) spans of its jieba words, valid in both strings."""
    folded = fold(text)
    if not fold_preserves_length(text, folded):
        return folded, [(i, i + 1) for i in range(len(text))] if len(folded) == len(text) else []
    return folded, _segmenter().spans(folded)
