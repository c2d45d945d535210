"""Finding quotations in a draft: marks, nesting, introduced sentences, terms."""

from __future__ import annotations

import pytest

from quotes.extract import extract_quotations

CASES = [
    ("“不忘初心，牢记使命，方得始终。”", [("不忘初心，牢记使命，方得始终。", False)]),
    ("坚持「绿水青山就是金山银山」的理念", [("绿水青山就是金山银山", False)]),
    ("他說：『綠水青山就是金山銀山』。", [("綠水青山就是金山銀山", False)]),
    ('He wrote "common prosperity for all people".', [("common prosperity for all people", False)]),
    ("要坚持“两个确立”。", [("两个确立", True)]),
    ("“千万工程”和“浦江经验”", [("千万工程", True), ("浦江经验", True)]),
    # nested: the outer quotation is one span and keeps its inner marks
    ("“他说：‘不忘初心，方得始终’，我们要牢记。”", [("他说：‘不忘初心，方得始终’，我们要牢记。", False)]),
    ("「二○○三年，全省啟動「千村示範、萬村整治」工程」",
     [("二○○三年，全省啟動「千村示範、萬村整治」工程", False)]),
    # sentences introduced without marks end at the sentence end
    ("总书记指出：江山就是人民，人民就是江山。我们要学习。", [("江山就是人民，人民就是江山。", False)]),
    ("文件强调:各级党组织要把学习贯彻作为首要政治任务！后文",
     [("各级党组织要把学习贯彻作为首要政治任务！", False)]),
    ("会议要求：坚持“两个确立”，做到学思用贯通、知信行统一。",
     [("坚持“两个确立”，做到学思用贯通、知信行统一。", False), ("两个确立", True)]),
    # a quotation after 指出： is found once, by its marks
    ("总书记强调：“绿水青山就是金山银山。”", [("绿水青山就是金山银山。", False)]),
    # an unclosed mark at the end of a paragraph is a typo, not a quotation
    ("这里有一个“没有闭合的引号\n下一段“完整的一句话在这里。”", [("完整的一句话在这里。", False)]),
    ("“”“   ”", []),
    ("Xi’s report", []),
    ("", []),
]


@pytest.mark.parametrize(("draft", "expected"), CASES,
                         ids=["curly", "corner", "white-corner-traditional", "ascii", "term", "two-terms",
                              "nested-single", "nested-corner", "introduced", "introduced-halfwidth-colon",
                              "introduced-with-term", "introduced-and-marked", "unclosed", "empty-marks",
                              "apostrophe", "empty"])
def test_extract(draft: str, expected: list[tuple[str, bool]]) -> None:
    found = extract_quotations(draft)
    assert [(q.text, q.term) for q in found] == expected
    for q in found:
        assert draft[q.start : q.end] == q.text
