"""Password strength: refuse passwords that are short, common or trivially guessable, saying why.

The estimate is zxcvbn's (Dropbox's guess-count model, maintained Python port): it knows 30,000 common
passwords and English/name dictionaries and sees repeats (`aaaaaaaaaa`, ten spaces), sequences
(`1234567890`), keyboard walks (`qwertyuiop`), dates, and the user's own name. A password must have at
least MIN_CHARS characters and reach MIN_SCORE (3 of 4: about 10^8 guesses or more, "safely
unguessable" in zxcvbn's terms), which with Argon2id hashes and the login rate limit is ample.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .errors import WeakPasswordError

__all__ = ["MIN_CHARS", "MIN_SCORE", "check_password"]

MIN_CHARS = 10
MIN_SCORE = 3
#: Words a member of our audience is likely to build a password from (pinyin), beside the account's own.
DOMAIN_WORDS = ("studykb", "xuexi", "dangyuan", "dangjian", "gongchandang", "zhongguo", "dangxiao")

_ADVICE = "请换一个更长、不易猜到的密码，例如由几个不相关的词语（拼音或英文）加数字或符号组成的短语。"


def check_password(password: str, user_inputs: Iterable[str] = ()) -> None:
    """Raise WeakPasswordError (in Chinese, with the reasons) unless `password` is strong enough.

    `user_inputs` are the account's own words (user name, display name, e-mail): a password built from
    them counts as weak.
    """
    if len(password) < MIN_CHARS:
        reason = f"少于 {MIN_CHARS} 个字符（现为 {len(password)} 个）"
        raise WeakPasswordError(_message((reason,)), (reason,))
    from zxcvbn import zxcvbn

    inputs = [w for w in (*user_inputs, *DOMAIN_WORDS) if w]
    # zxcvbn's own cut-off: passwords over 100 characters are only rated on their first 100
    result: dict[str, Any] = zxcvbn(password[:100], user_inputs=inputs)
    if int(result["score"]) >= MIN_SCORE:
        return
    reasons = tuple(dict.fromkeys(_reason(m) for m in result["sequence"] if _reason(m)))
    reasons = reasons or ("组合过于简单，容易被猜中",)
    raise WeakPasswordError(_message(reasons), reasons)


def _message(reasons: tuple[str, ...]) -> str:
    english = "password too weak: choose a longer, uncommon passphrase"
    return f"密码太弱：{'；'.join(reasons)}。{_ADVICE}（{english}）"


def _reason(match: dict[str, Any]) -> str:
    """Why one part of the password is easy to guess, in Chinese ('' for parts that are not)."""
    pattern = match.get("pattern")
    if pattern == "repeat":
        return "含有重复的字符或片段（如 aaaa、空格连打、abcabc）"
    if pattern == "sequence":
        return "含有连续的字母或数字（如 123456、abcdef）"
    if pattern == "spatial":
        return "含有键盘上相邻的按键（如 qwerty、asdf）"
    if pattern in ("date", "regex"):
        return "含有日期或年份"
    if pattern == "dictionary":
        name = match.get("dictionary_name")
        if name == "passwords":
            return "是常见密码或含有常见密码"
        if name == "user_inputs":
            return "含有用户名、姓名、邮箱或本站常用词"
        return "含有常见的单词或人名"
    return ""
