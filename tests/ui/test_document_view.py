"""The sections of a whole document: in reading order, from their heading lines, covering the text."""

from __future__ import annotations

from ui.document_view import sections

TEXT = "前言一段。\n一、总体要求\n要求正文。\n（一）学习\n学习正文。\n二、方法\n方法正文。"


def _layout() -> list[tuple[int, int, tuple[str, ...]]]:
    def at(body: str, path: tuple[str, ...]) -> tuple[int, int, tuple[str, ...]]:
        start = TEXT.index(body)
        return start, start + len(body), path

    return [at("前言一段。", ()), at("要求正文。", ("一、总体要求",)),
            at("学习正文。", ("一、总体要求", "（一）学习")), at("方法正文。", ("二、方法",))]


def test_sections_follow_the_heading_tree_and_cover_the_text() -> None:
    parts = sections(TEXT, _layout())
    assert [p.path for p in parts] == [(), ("一、总体要求",), ("一、总体要求", "（一）学习"), ("二、方法",)]
    assert parts[0].start == 0 and parts[-1].end == len(TEXT)
    assert all(a.end == b.start for a, b in zip(parts, parts[1:], strict=False))
    assert TEXT[parts[2].start:parts[2].end].startswith("（一）学习")


def test_a_document_without_headings_is_one_section() -> None:
    text = "只有正文。没有标题。"
    parts = sections(text, [(0, len(text), ())])
    assert [(p.start, p.end) for p in parts] == [(0, len(text))]
