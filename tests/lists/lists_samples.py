"""Sample anchors for the reading-list tests (not tied to any index)."""

from __future__ import annotations

from lists.records import Anchor, passage_hash


def passage(n: int, path: str = "guide.md") -> Anchor:
    """A sample passage anchor (not tied to any index)."""
    text = f"第{n}段：党员要在学懂弄通做实上下功夫，把学习成果转化为推动工作的实际成效。"
    return Anchor(kind="passage", doc_path=path, doc_title="学习辅导", doc_date="2023-04-10",
                  text_hash=passage_hash(text), text=text, start=10 * n, end=10 * n + len(text), page=n,
                  heading_path=("一、学习要求",))


def document(path: str = "compilation.txt") -> Anchor:
    """A sample whole-document anchor."""
    return Anchor(kind="document", doc_path=path, doc_title="学习摘编", doc_date="2022-10-16")
