"""Tests for studykb.text: normalisation, folding, tokenizing with the user dictionary."""

from __future__ import annotations

from pathlib import Path

import pytest

from studykb import text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("２０２３年Ｑ１", "2023年Q1"),
        ("学习，贯彻。（一）", "学习，贯彻。（一）"),
        ("党员\u3000干部", "党员 干部"),
        ("\ufeff文本", "文本"),
    ],
    ids=["fullwidth-alnum", "keeps-cjk-punct", "ideographic-space", "bom"],
)
def test_normalize(raw: str, expected: str) -> None:
    assert text.normalize(raw) == expected


def test_fold_traditional_to_simplified_and_case() -> None:
    assert text.fold("千萬工程（ＡＢ）") == "千万工程(ab)"
    assert text.fold("浦江經驗") == text.fold("浦江经验")


def test_fold_keeps_length_for_highlighting() -> None:
    raw = "學習貫徹二十屆三中全會精神，推進中國式現代化。"
    assert len(text.fold(raw)) == len(raw)


@pytest.mark.parametrize(
    "term", ["两个确立", "中国式现代化", "二十届三中全会", "新时代", "浦江经验", "千万工程"]
)
def test_user_dictionary_keeps_terms_whole(term: str) -> None:
    assert term in text.tokenize(f"深入学习{term}的重要意义")


def test_traditional_and_simplified_tokenize_alike() -> None:
    assert text.tokenize("推進中國式現代化") == text.tokenize("推进中国式现代化")


def test_tokenize_drops_punctuation_and_stopwords() -> None:
    tokens = text.tokenize("什么是“千万工程”？")
    assert "千万工程" in tokens
    assert not {"什么", "是", "“", "？"} & set(tokens)


def test_english_tokens_lowercased() -> None:
    assert text.tokenize("The Fengqiao Experience") == ["fengqiao", "experience"]


def test_segment_offsets_index_original_text() -> None:
    raw = "學習中國式現代化"
    words = text.segment(raw)
    assert all(raw[s:e] == w for w, s, e in words)
    assert ("中國式現代化", 2, 8) in words


def test_maintainer_dictionary_extends_shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sample = "学习松江试点做法"
    assert "松江试点" not in text.tokenize(sample)
    extra = tmp_path / "dict.txt"
    extra.write_text("松江试点 5000 n\n", encoding="utf-8")
    monkeypatch.setenv(text.USER_DICT_ENV, str(extra))
    assert "松江试点" in text.tokenize(sample)


def test_missing_maintainer_dictionary_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(text.USER_DICT_ENV, "/nonexistent/dict.txt")
    with pytest.raises(Exception, match="/nonexistent/dict.txt"):
        text.tokenize("学习")


@pytest.mark.parametrize(
    ("sample", "query"),
    [
        (
            "推进中国式现代化，坚持新时代党的建设总要求。中国式现代化是人口规模巨大的现代化。",
            "中国式现代化 建设",
        ),
        ("学习浦江经验和千万工程。\r\n浦江经验来自基层，ABC-2023 年的材料。", "浦江经验 abc 材料"),
        ("没有任何相关的词。", "中国式现代化"),
        ("㐀字单独出现，后接汉字㐀。", "㐀"),
    ],
    ids=["user-dict-terms", "crlf-and-ascii", "no-match", "ext-a-outside-word-runs"],
)
def test_find_words_equals_filtering_the_full_segmentation(sample: str, query: str) -> None:
    folded, words = text.segment_folded(sample)
    terms = set(text.tokenize(query)) | set(query.split())
    expected = [(s, e) for s, e in words if folded[s:e] in terms]
    assert text.find_words(folded, terms) == expected
    assert text.find_words(folded, set()) == []


def _sample_paragraphs() -> list[str]:
    """Every paragraph of the shipped sample corpus's Markdown and text sources."""
    root = Path(__file__).resolve().parent.parent / "corpus_src"
    paragraphs = [p for f in sorted(root.glob("*.md")) for p in f.read_text(encoding="utf-8").split("\n\n")]
    return [p for p in paragraphs if p.strip()]


def test_rjieba_and_jieba_segment_the_sample_corpus_alike() -> None:
    paragraphs = _sample_paragraphs() + ["COVID-19 疫情防控_2023 与 a-b 测试", "二十届三中全会精神"]
    assert len(paragraphs) > 100
    paths = tuple(text.user_dict_paths())
    fast, reference = text._segmenter_for("rjieba", paths), text._segmenter_for("jieba", paths)
    for p in paragraphs:
        folded = text.fold(p)
        keep = [t for t in fast.search_words(folded) if text._keep(t.strip()) and t.strip() == t]
        want = [t for t in reference.search_words(folded) if text._keep(t.strip()) and t.strip() == t]
        assert sorted(keep) == sorted(want), p[:40]  # search mode orders sub-words differently
        # Words highlighting can mark (runs of marks like --- may be cut differently: never a term).
        def words(spans: list[tuple[int, int]], folded: str = folded) -> list[tuple[int, int]]:
            return [(s, e) for s, e in spans if text._keep(folded[s:e])]

        assert words(fast.spans(folded)) == words(reference.spans(folded)), p[:40]


def test_segmenter_is_chosen_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from studykb.errors import ConfigError

    assert text.segmenter_name() == "rjieba"
    monkeypatch.setenv(text.SEGMENTER_ENV, "jieba")
    assert text.segmenter_name() == "jieba"
    assert sorted(text.tokenize("中国式现代化")) == ["中国", "中国式", "中国式现代化", "现代", "现代化"]
    monkeypatch.setenv(text.SEGMENTER_ENV, "pkuseg")
    with pytest.raises(ConfigError, match="STUDYKB_SEGMENTER"):
        text.tokenize("测试")
