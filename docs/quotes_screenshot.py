"""Take the README screenshot of the 原文核对 page (docs/quotes.png) from a running `studykb serve`.

Example: python docs/quotes_screenshot.py --url http://127.0.0.1:8501/quotes
"""

from __future__ import annotations

import argparse
from pathlib import Path

from screenshot import browser_page, save_when_idle

#: A 党课 paragraph quoting the sample corpus: verbatim, in Traditional script, one word changed,
#: a clause dropped, an invented sentence, and a term.
DRAFT = (
    "同志们，今天我们围绕“学思想、强党性、重实践、建新功”谈谈体会。区委组织部的工作指引强调："
    "“要关心关爱生活困难党员和老党员，在重要节日开展走访慰问，帮助解决实际困难，让党员感受到组织的温暖。”"
    "学习札记中写道：「起步的時候抓的是最基本的事情：垃圾收集清運、衛生廁所改造、村內道路硬化、河塘清淤。」\n"
    "到浙江考察时，要“考察全程落实中央八项规定精神，轻车简从，不搞迎来送往，不给群众增加负担。”"
    "现场教学也是一样，“理论学习要入脑入心，光靠读原文还不够，往往能让抽象的道理变得具体可感。”\n"
    "有的同志说：“人工智能必将彻底取代所有基层党组织的学习活动。”这种说法是站不住的，"
    "我们还是要深刻领悟“两个确立”的决定性意义。"
)


def screenshot(url: str, out: Path, width: int = 1400, height: int = 2300) -> Path:
    """Open the page, paste DRAFT, check it and save the page as `out` (PNG)."""
    with browser_page(width, height) as page:
        page.goto(url)
        box = page.get_by_label("文稿", exact=True)
        box.wait_for(timeout=180_000)
        box.fill(DRAFT)
        page.get_by_role("button", name="核对引文").click()
        page.get_by_text("在阅读器中打开原文").first.wait_for(timeout=120_000)
        return save_when_idle(page, out)


def main() -> None:
    """Parse the command line and take the screenshot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8501/quotes")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("quotes.png"))
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=2300)
    args = parser.parse_args()
    print(screenshot(args.url, args.out, args.width, args.height))


if __name__ == "__main__":
    main()
