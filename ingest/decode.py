"""Detect the encoding of a text file's bytes (BOMs, UTF-8, UTF-16, GB18030, Big5) and decode them."""

from __future__ import annotations

import codecs
import unicodedata
from functools import lru_cache

from studykb.errors import ExtractionError

__all__ = ["decode_bytes", "is_common_han", "plausibility"]

# Checked in this order: the UTF-32 marks start with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Legacy Chinese encodings tried for text that is not UTF-8, mainland first (the usual case).
# GB18030 is a superset of GBK and GB2312; cp950 is Microsoft's Big5 with a few more characters.
_CHINESE = ("gb18030", "big5", "cp950")
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "hz": "gb18030", "big5hkscs": "big5"}
# Below this plausibility no candidate decoding is believed (binary data, unknown encodings).
_MIN_PLAUSIBILITY = 0.5
# Characters scored per candidate: enough to tell encodings apart, cheap on large files.
_SAMPLE = 20_000


def decode_bytes(data: bytes, path: object) -> tuple[str, str]:
    """Decode the bytes of a text file and return (text, encoding name); newlines become LF.

    Detection order: a byte-order mark (UTF-8, UTF-16/32 LE/BE); UTF-16 without a BOM, recognised
    by NUL bytes at every other position; strict UTF-8; then GB18030, Big5 and charset-normalizer's
    guess, keeping the decoding whose text reads most like real text (common Han characters rather
    than rare, private-use or control ones). Chinese text often decodes without error as both
    GB18030 and Big5, so "decodes cleanly" alone decides nothing. Empty input gives ("", "utf-8").
    Raises ExtractionError("cannot detect text encoding") when no candidate is plausible.
    """
    if not data:
        return "", "utf-8"
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return _newlines(data[len(bom) :].decode(name.removesuffix("-sig"))), name
            except UnicodeDecodeError:
                raise ExtractionError(path, "cannot detect text encoding") from None
    utf16 = _utf16_by_nuls(data)
    if utf16:
        return _newlines(utf16[0]), utf16[1]
    utf8 = _utf8(data)
    if utf8 is not None:
        return _newlines(utf8), "utf-8"
    best = _best_candidate(data)
    if best is None:
        raise ExtractionError(path, "cannot detect text encoding")
    return _newlines(best[0]), best[1]


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _utf8(data: bytes) -> str | None:
    """The UTF-8 decoding of `data` when that is believable.

    Valid UTF-8 by accident gets unlikely fast with the number of non-ASCII bytes, so strict UTF-8
    wins outright unless the file is tiny (学习 in GBK is valid UTF-8 "ѧϰ") or control characters
    in otherwise-ASCII data hint at UTF-16 without NULs; those cases are scored with the rest.
    """
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    non_ascii = sum(1 for byte in data if byte >= 0x80)
    if non_ascii >= 12 or (non_ascii == 0 and plausibility(text) >= 0.9):
        return text
    best = _best_candidate(data)
    if best is None or plausibility(text) + 0.1 >= plausibility(best[0]):
        return text
    return None


def _utf16_by_nuls(data: bytes) -> tuple[str, str] | None:
    """(text, name) for UTF-16 without BOM, recognised by NUL bytes at odd (LE) or even (BE) offsets.

    ASCII, digits and newlines put a NUL on one side of each code unit; Han characters rarely do
    (一 is U+4E00), so the side the NULs fall on is only a hint and both byte orders are scored.
    """
    if len(data) % 2 or b"\x00" not in data:
        return None
    even = data[0::2].count(0)
    odd = data[1::2].count(0)
    if odd >= 4 * even:
        order = ("utf-16-le", "utf-16-be")
    elif even >= 4 * odd:
        order = ("utf-16-be", "utf-16-le")
    else:
        return None
    best: tuple[float, str, str] | None = None
    for name in order:
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        score = plausibility(text)
        if score >= _MIN_PLAUSIBILITY and (best is None or score > best[0]):
            best = (score, text, name)
    return (best[1], best[2]) if best else None


def _best_candidate(data: bytes) -> tuple[str, str] | None:
    """The most plausible strict decoding among the Chinese codecs, UTF-16 and the detector's guess."""
    names = list(_CHINESE)
    guess = _guess(data)
    if guess and guess not in names:
        names.append(guess)
    if len(data) % 2 == 0:
        # UTF-16 text without BOM and without any ASCII (hence no NULs) still has to be considered.
        names += [n for n in ("utf-16-le", "utf-16-be") if n not in names]
    best: tuple[float, str, str] | None = None
    for name in names:
        if name == "cp950" and best and best[2] == "big5":
            continue
        try:
            text = data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        score = plausibility(text[:_SAMPLE])
        if name.startswith("utf-16"):
            score -= 0.05  # only when clearly better: ASCII pairs also decode as Han in UTF-16
        if best is None or score > best[0]:
            best = (score, text, name)
    if best is None or best[0] < _MIN_PLAUSIBILITY:
        return None
    return best[1], best[2]


def _guess(data: bytes) -> str | None:
    """charset-normalizer's best guess as a Python codec name, mapped to a superset codec."""
    from charset_normalizer import from_bytes

    match = from_bytes(data).best()
    if match is None:
        return None
    try:
        name = codecs.lookup(match.encoding).name
    except LookupError:
        return None
    name = name.replace("_", "-")
    return _SUPERSETS.get(name, name)


@lru_cache(maxsize=1)
def _common_han() -> frozenset[str]:
    """GB2312 level 1 (3,755 Simplified) plus Big5's 5,401 frequently used (Traditional) characters."""
    chars: set[str] = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    for lead in range(0xA4, 0xC7):
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            if (lead, trail) > (0xC6, 0x7E):
                break
            try:
                chars.add(bytes((lead, trail)).decode("big5"))
            except UnicodeDecodeError:
                pass
    return frozenset(chars)


def is_common_han(char: str) -> bool:
    """True for a frequently used Chinese character (GB2312 level 1 or Big5 "常用字")."""
    return char in _common_han()


def plausibility(text: str) -> float:
    """Score in [-2, 1]: how much `text` reads like real Chinese/Western text, per non-space char.

    Common Han characters, printable ASCII and CJK/general punctuation score 1; rare Han 0.3;
    Latin-1 letters 0.9; kana 0.8; other Latin, Greek and Cyrillic letters 0.5; control,
    private-use, unassigned characters and U+FFFD score -2;
    everything else (other scripts, symbols) 0.
    """
    common = _common_han()
    total = 0.0
    count = 0
    for char in text:
        if char in " \t\n\r\u3000":
            continue
        count += 1
        code = ord(char)
        if code < 0x80:
            total += 1.0 if char.isprintable() else -2.0
        elif char in common:
            total += 1.0
        elif 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF:
            total += 0.3
        elif 0x3000 <= code <= 0x303F or 0xFF01 <= code <= 0xFF5E or 0x2010 <= code <= 0x2027:
            total += 1.0
        elif unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs", "Cn") or code == 0xFFFD:
            total -= 2.0
        elif 0xC0 <= code <= 0xFF and char.isalpha():
            total += 0.9
        elif 0x3040 <= code <= 0x30FF:
            total += 0.8
        elif code < 0x530 and char.isalpha():
            total += 0.5
    return total / count if count else 0.0
