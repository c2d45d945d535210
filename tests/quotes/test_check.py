"""Checking quotations against the real sample-corpus index: verdicts, sources, diffs, calibration."""

from __future__ import annotations

from pathlib import Path

from quotes import QuoteChecker
from quotes.calibration import run_calibration

DRAFT = (
    "总书记指出：“城市属于人民，城市建设要依靠人民、为了人民。”\n"
    "材料强调：「要關心關愛生活困難黨員和老黨員，在重要節日開展走訪慰問」。\n"
    "文件要求：“考察全程落实中央八项规定精神，轻车简从，不搞迎来送往，不给群众增加负担。”\n"
    "有人说：“人工智能必将彻底取代所有基层党组织的学习活动。”我们要坚持“两个确立”。\n"
)


def test_calibration_set_is_classified_right(any_checker: QuoteChecker) -> None:
    results = run_calibration(any_checker)
    wrong = [(r.kind, r.text, r.status, r.path) for r in results if not r.ok]
    assert len(results) >= 25 and not wrong


def test_draft_verdicts_sources_and_diff(any_checker: QuoteChecker) -> None:
    report = any_checker.check(DRAFT)
    assert [v.status for v in report.verdicts] == ["exact", "exact", "near", "not_found", "term"]
    assert report.counts == {"exact": 2, "near": 1, "not_found": 1, "term": 1}
    exact, traditional, near, missing, _ = report.verdicts
    assert exact.source is not None and exact.source.path == "excerpts-compilation.pdf"
    assert exact.source.issuer == "中共上海市某区委宣传部"
    assert exact.source.page and exact.source.date == "2024-08-26"
    assert exact.source.text == "城市属于人民，城市建设要依靠人民、为了人民。"
    assert exact.source.link == f"/quotes?passage={exact.source.chunk_id}"
    # Traditional copy: exact, and the source is shown verbatim in its own (Simplified) script
    assert traditional.source is not None and traditional.source.path == "instructions.pdf"
    assert traditional.source.text.startswith("要关心关爱生活困难党员")
    assert near.source is not None and near.source.path == "sites/zhejiang-bases.txt"
    assert near.source.text == "考察全程落实中央八项规定精神，轻车简从，不搞迎来送往，不给基层增加负担。"
    assert near.source.heading_path
    changes = [(d.op, d.draft, d.source) for d in near.diff if d.op != "equal"]
    assert changes == [("changed", "群众", "基层")]
    assert missing.source is None and missing.diff == ()


def test_dropped_clause_reports_the_missing_words(checker: QuoteChecker) -> None:
    report = checker.check("“理论学习要入脑入心，光靠读原文还不够，往往能让抽象的道理变得具体可感。”")
    (v,) = report.verdicts
    assert v.status == "near" and v.source is not None and v.source.path == "sites/shanghai-sites.txt"
    missing = "".join(d.source for d in v.diff if d.op == "missing")
    assert "到历史现场去看一看" in missing


def test_the_script_of_the_quotation_picks_between_equal_copies(checker: QuoteChecker) -> None:
    simplified = checker.check("“绿水青山就是金山银山”的理念").verdicts[0]
    traditional = checker.check("「綠水青山就是金山銀山」的理念").verdicts[0]
    assert simplified.status == traditional.status == "exact"
    assert traditional.source is not None and traditional.source.path == "traditional-reprint.txt"
    assert simplified.source is not None and simplified.source.path != "traditional-reprint.txt"
    assert "traditional-reprint.txt" in simplified.source.also_in


def test_variant_words_that_fold_apart_are_still_exact(tmp_path: Path) -> None:
    """想像 and 想象 are both Simplified (t2s keeps them apart) but one word: a copy is exact.

    Found by bench/quotes.py: an s2t copy of 想象 reads 想像 and was reported as near.
    """
    from ingest.pipeline import IngestOptions, ingest
    from search.engine import Engine
    from tests.conftest import MODEL

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = "学习札记\n要发挥想象力，把理论学习同实际工作结合起来，做到学以致用。\n"
    (corpus / "a.txt").write_text(text, encoding="utf-8")
    ingest([corpus], tmp_path / "data", IngestOptions(model=MODEL))
    checker = QuoteChecker(Engine.open(tmp_path / "data"))
    report = checker.check("「要發揮想像力，把理論學習同實際工作結合起來」")
    (verdict,) = report.verdicts
    assert verdict.status == "exact" and verdict.source is not None and verdict.source.path == "a.txt"


def test_omission_marks_quote_the_parts_in_order(checker: QuoteChecker) -> None:
    omitted = checker.check("“理论学习要入脑入心……往往能让抽象的道理变得具体可感。”").verdicts[0]
    assert omitted.status == "exact" and omitted.source is not None
    assert omitted.source.path == "sites/shanghai-sites.txt"
    assert "到历史现场去看一看" in omitted.source.text  # the omitted words are shown in the source
    stitched = checker.check("“理论学习要入脑入心……绿水青山就是金山银山。”").verdicts[0]
    assert stitched.status == "not_found"  # parts of two different passages are not one quotation


def test_a_changed_last_word_is_a_change_not_a_long_gap(checker: QuoteChecker) -> None:
    """The alignment once ran on to a later 干 and reported eleven missing characters."""
    (v,) = checker.check("“改革要有全局谋划，也要鼓励基层大胆试、大胆干。”").verdicts
    assert v.status == "near" and v.source is not None and v.source.path == "party-lecture.docx"
    assert v.source.text == "改革要有全局谋划，也要鼓励基层大胆试、大胆闯。"
    assert [(d.op, d.draft, d.source) for d in v.diff if d.op != "equal"] == [("changed", "干。", "闯。")]
