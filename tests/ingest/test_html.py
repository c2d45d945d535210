"""Tests of HTML extraction on pages written here."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.extract import extract
from ingest.html import declared_charset, extract_html, is_page_tools
from studykb.errors import ExtractionError

PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <title>学习贯彻二十大精神_中国政府网</title>
  <meta name="author" content="新华社">
  <meta name="keywords" content="二十大,学习">
  <meta property="article:published_time" content="2023-05-24T10:00:00+08:00">
  <style>p { color: red; }</style>
  <script>var x = "不要的脚本";</script>
</head>
<body>
  <header><div class="logo">网站页眉</div></header>
  <nav><ul><li>首页</li><li>新闻</li></ul></nav>
  <article>
    <header><h1>学习贯彻<em>二十大</em>精神</h1></header>
    <p>　　坚持和加强党的全面领导，是推进
    中国式现代化的根本保证。</p>
    <h2>一、总体要求</h2>
    <p>第一行<br>第二行<br/>第三行</p>
    <ul><li>要点一</li><li>要点<b>二</b><ul><li>子要点</li></ul></li></ul>
    <blockquote>引用的话。</blockquote>
    <table><tr><td>项目</td><td>说明</td></tr><tr><td colspan="2">合并</td></tr></table>
    <div>　　直接写在div里的段落。<br>　　第二段。</div>
    <p style="display: none">隐藏的文字</p>
    <p hidden>也隐藏</p>
    <!-- 注释 -->
    <p>English words and <a href="/x">a link</a>   here.</p>
  </article>
  <aside>相关阅读</aside>
  <footer>版权所有 网站页脚</footer>
</body>
</html>
"""


def _write(tmp_path: Path, html: str, encoding: str = "utf-8", name: str = "page.html") -> Path:
    path = tmp_path / name
    path.write_bytes(html.encode(encoding))
    return path


def test_blocks_headings_and_dropped_chrome(tmp_path: Path) -> None:
    result = extract(_write(tmp_path, PAGE))
    assert result.format == "html"
    assert [(b.text, b.heading_level) for b in result.blocks] == [
        ("学习贯彻二十大精神", 1),
        ("坚持和加强党的全面领导，是推进中国式现代化的根本保证。", None),
        ("一、总体要求", 2),
        ("第一行", None),
        ("第二行", None),
        ("第三行", None),
        ("要点一", None),
        ("要点二", None),
        ("子要点", None),
        ("引用的话。", None),
        ("项目", None),
        ("说明", None),
        ("合并", None),
        ("直接写在div里的段落。", None),
        ("第二段。", None),
        ("English words and a link here.", None),
    ]


def test_meta_from_title_and_meta_tags(tmp_path: Path) -> None:
    assert extract(_write(tmp_path, PAGE)).meta == {
        "title": "学习贯彻二十大精神_中国政府网",
        "date": "2023-05-24",
        "author": "新华社",
        "keywords": "二十大,学习",
    }


def test_title_falls_back_to_first_h1_and_meta_date(tmp_path: Path) -> None:
    html = (
        '<html><head><meta name="date" content="2023/1/5"></head>'
        "<body><h2>副标题</h2><h1>主标题</h1><p>正文。</p></body></html>"
    )
    assert extract(_write(tmp_path, html)).meta == {"title": "主标题", "date": "2023-01-05"}


@pytest.mark.parametrize(
    ("declaration", "encoding"),
    [
        ('<meta charset="gbk">', "gbk"),
        ("<meta charset=gb2312>", "gb2312"),
        ('<meta http-equiv="Content-Type" content="text/html; charset=GB2312">', "gb2312"),
        ('<meta charset="big5">', "big5"),
    ],
    ids=["charset-gbk", "charset-unquoted", "http-equiv", "big5"],
)
def test_declared_charset_is_honoured(tmp_path: Path, declaration: str, encoding: str) -> None:
    body = "中華民國憲法" if encoding == "big5" else "中华人民共和国宪法"
    html = f"<html><head>{declaration}<title>{body}</title></head><body><p>{body}。</p></body></html>"
    result = extract(_write(tmp_path, html, encoding))
    assert [b.text for b in result.blocks] == [f"{body}。"]
    assert result.meta["title"] == body
    assert result.warnings == ()


def test_undeclared_gbk_is_detected(tmp_path: Path) -> None:
    html = "<html><body><p>坚持和加强党的全面领导，是推进中国式现代化的根本保证。</p></body></html>"
    assert [b.text for b in extract(_write(tmp_path, html, "gbk")).blocks] == [
        "坚持和加强党的全面领导，是推进中国式现代化的根本保证。"
    ]


def test_wrong_declared_charset_falls_back_to_detection(tmp_path: Path) -> None:
    html = (
        '<html><head><meta charset="utf-8"></head>'
        "<body><p>坚持和加强党的全面领导，是推进中国式现代化的根本保证。</p></body></html>"
    )
    result = extract(_write(tmp_path, html, "gbk"))
    assert [b.text for b in result.blocks] == ["坚持和加强党的全面领导，是推进中国式现代化的根本保证。"]
    assert result.warnings == ("declared charset utf-8 does not fit the bytes; detected instead",)


def test_declared_charset_lookup() -> None:
    assert declared_charset(b'<meta charset="GBK">') == "gb18030"
    assert declared_charset(b'<meta charset="utf-8">') == "utf-8"
    assert declared_charset(b'<meta charset="no-such-codec">') is None
    assert declared_charset(b"<p>none</p>") is None
    assert declared_charset(b'<?xml version="1.0" encoding="GB2312"?><html>') == "gb18030"


def test_fragment_without_body(tmp_path: Path) -> None:
    result = extract(_write(tmp_path, "<h3>小标题</h3>文字一<p>文字二</p>", name="frag.htm"))
    assert [(b.text, b.heading_level) for b in result.blocks] == [
        ("小标题", 3),
        ("文字一", None),
        ("文字二", None),
    ]


@pytest.mark.parametrize(
    "html",
    ["", "  \n ", "<html><head><script>x()</script></head><body><nav>导航</nav></body></html>"],
    ids=["zero-bytes", "whitespace", "only-chrome"],
)
def test_empty_pages(tmp_path: Path, html: str) -> None:
    with pytest.raises(ExtractionError, match="empty file|no text found"):
        extract(_write(tmp_path, html))


@pytest.mark.parametrize(
    ("line", "tools"),
    [
        ("【打印本页】 【关闭窗口】", True),
        ("[字号：大 中 小] [打印] [关闭]", True),
        ("分享到：微信 微博 QQ空间", True),
        ("返回顶部", True),
        ("中", False),  # a lone character is not a toolbar
        ("打印材料由社区党委统一配发", False),
        ("【打印本页】 第一条 总则", False),
        ("大中小学思政课一体化建设", False),
    ],
)
def test_page_tool_lines(line: str, tools: bool) -> None:
    assert is_page_tools(line) is tools


def test_page_tools_under_an_article_are_not_text(tmp_path: Path) -> None:
    page = tmp_path / "notice.html"
    page.write_text(
        "<html><body><div class='content'><p>各党支部要按时完成学习任务。</p>"
        "<div class='article-tools'><a href='javascript:window.print()'>【打印本页】</a> "
        "<a href='javascript:window.close()'>【关闭窗口】</a></div></div></body></html>",
        encoding="utf-8",
    )
    assert [b.text for b in extract_html(page).blocks] == ["各党支部要按时完成学习任务。"]
