"""Tests of text-encoding detection on real encoded bytes and files."""

from __future__ import annotations

import codecs
import random
from pathlib import Path

import pytest

from ingest.decode import decode_bytes, is_common_han, plausibility
from studykb.errors import ExtractionError

SIMPLIFIED = (
    "坚持和加强党的全面领导，是推进中国式现代化的根本保证。\n"
    "我们要深入学习贯彻新时代中国特色社会主义思想（2023年）。\n"
)
TRADITIONAL = (
    "堅持和加強黨的全面領導，是推進中國式現代化的根本保證。\n"
    "我們要深入學習貫徹新時代中國特色社會主義思想（2023年）。\n"
)


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        (SIMPLIFIED.encode("utf-8"), SIMPLIFIED, "utf-8"),
        (codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8"), SIMPLIFIED, "utf-8-sig"),
        (SIMPLIFIED.encode("gb18030"), SIMPLIFIED, "gb18030"),
        (SIMPLIFIED.encode("gbk"), SIMPLIFIED, "gb18030"),
        (SIMPLIFIED.encode("gb2312"), SIMPLIFIED, "gb18030"),
        (TRADITIONAL.encode("big5"), TRADITIONAL, "big5"),
        (TRADITIONAL.encode("utf-8"), TRADITIONAL, "utf-8"),
        (codecs.BOM_UTF16_LE + SIMPLIFIED.encode("utf-16-le"), SIMPLIFIED, "utf-16-le"),
        (codecs.BOM_UTF16_BE + SIMPLIFIED.encode("utf-16-be"), SIMPLIFIED, "utf-16-be"),
        (SIMPLIFIED.encode("utf-16-le"), SIMPLIFIED, "utf-16-le"),
        (SIMPLIFIED.encode("utf-16-be"), SIMPLIFIED, "utf-16-be"),
        (TRADITIONAL.encode("utf-16-le"), TRADITIONAL, "utf-16-le"),
        (codecs.BOM_UTF32_LE + SIMPLIFIED.encode("utf-32-le"), SIMPLIFIED, "utf-32-le"),
        (b"plain ASCII text\n", "plain ASCII text\n", "utf-8"),
    ],
    ids=[
        "utf-8",
        "utf-8-bom",
        "gb18030",
        "gbk",
        "gb2312",
        "big5",
        "traditional-utf-8",
        "utf-16-le-bom",
        "utf-16-be-bom",
        "utf-16-le-no-bom",
        "utf-16-be-no-bom",
        "traditional-utf-16-le-no-bom",
        "utf-32-le-bom",
        "ascii",
    ],
)
def test_detects_encoding(data: bytes, text: str, encoding: str) -> None:
    assert decode_bytes(data, "x.txt") == (text, encoding)


@pytest.mark.parametrize(
    ("newline", "encoding"),
    [("\r\n", "utf-8"), ("\r\n", "gbk"), ("\r", "gb18030"), ("\r\n", "utf-16-le"), ("\r\n", "big5")],
    ids=["crlf-utf8", "crlf-gbk", "cr-gb18030", "crlf-utf16", "crlf-big5"],
)
def test_newlines_become_lf(newline: str, encoding: str) -> None:
    source = TRADITIONAL if encoding == "big5" else SIMPLIFIED
    data = source.replace("\n", newline).encode(encoding)
    text, _ = decode_bytes(data, "x.txt")
    assert text == source


def test_gb_text_that_also_decodes_as_big5_is_read_as_gb() -> None:
    data = "中国大陆由盛大游戏运营".encode("gbk")
    data.decode("big5")  # precondition: the bytes are valid Big5 too
    assert decode_bytes(data, "x.txt") == ("中国大陆由盛大游戏运营", "gb18030")


def test_big5_text_that_also_decodes_as_gb18030_is_read_as_big5() -> None:
    data = "中華人民共和國憲法".encode("big5")
    data.decode("gb18030")  # precondition: GB18030 accepts these bytes as well
    assert decode_bytes(data, "x.txt") == ("中華人民共和國憲法", "big5")


def test_short_gbk_text_that_is_valid_utf8_is_read_as_gbk() -> None:
    data = "学习".encode("gbk")
    assert data.decode("utf-8") == "ѧϰ"  # precondition: also valid UTF-8
    assert decode_bytes(data, "x.txt") == ("学习", "gb18030")


def test_utf8_with_few_accents_stays_utf8() -> None:
    assert decode_bytes("café".encode(), "x.txt") == ("café", "utf-8")


def test_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes(SIMPLIFIED.replace("\n", "\r\n").encode("gbk"))
    assert decode_bytes(path.read_bytes(), path) == (SIMPLIFIED, "gb18030")


def test_binary_data_is_rejected() -> None:
    rng = random.Random(7)
    data = bytes(rng.randrange(256) for _ in range(4000))
    with pytest.raises(ExtractionError) as info:
        decode_bytes(data, "noise.txt")
    assert info.value.reason == "cannot detect text encoding"
    assert info.value.path == "noise.txt"


def test_empty_bytes() -> None:
    assert decode_bytes(b"", "x.txt") == ("", "utf-8")


def test_plausibility_prefers_common_han() -> None:
    assert is_common_han("党") and is_common_han("黨")
    assert not is_common_han("乂")
    assert plausibility("坚持党的领导") > plausibility("厩策囊彻乂丠") > plausibility("\ue000\ufffd\x01")
