"""The 学习统计 numbers as an XLSX workbook (openpyxl), one sheet per table, the same figures as the page."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from .csvfile import safe_cell
from .dashboard import Dashboard

__all__ = ["dashboard_xlsx"]


def dashboard_xlsx(board: Dashboard) -> bytes:
    """The workbook's bytes: 概况, 月度趋势, 区县分布, 清单完成, 课题主题."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheets: list[tuple[str, Sequence[str], Iterable[Sequence[object]]]] = [
        (
            "概况",
            ("月份", "学习活动（次）", "参与人次"),
            [(board.month, board.month_visits, board.month_participants)],
        ),
        (
            "月度趋势",
            ("月份", "学习活动（次）", "参与人次"),
            [(c.key, c.visits, c.participants) for c in board.trend],
        ),
        (
            "区县分布",
            ("区县", "学习活动（次）", "参与人次"),
            [(c.key, c.visits, c.participants) for c in board.districts],
        ),
        (
            "清单完成",
            ("阅读清单", "单位", "成员", "全部读完", "已读条目", "应读条目", "完成率"),
            [
                (
                    title,
                    c.unit_name,
                    c.members,
                    c.finished,
                    c.items_read,
                    c.members * c.items_total,
                    round(c.share, 4),
                )
                for title, c in board.completion
            ],
        ),
        ("课题主题", ("主题", "课题数", "占比（%）"), [(t.theme, t.topics, t.percent) for t in board.themes]),
    ]
    sheet = book.active
    assert sheet is not None
    for n, (title, header, rows) in enumerate(sheets):
        sheet = sheet if n == 0 else book.create_sheet()
        sheet.title = title
        sheet.append(list(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([value if isinstance(value, int | float) else safe_cell(value) for value in row])
        for column in sheet.columns:
            letter = column[0].column_letter
            sheet.column_dimensions[letter].width = max(10, *(len(str(c.value or "")) * 2 for c in column))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
