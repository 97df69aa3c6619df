"""A member's record over the years as people take it away: CSV, XLSX and
JSON from one table of rows (:func:`rows`), built from domain/records.py.

A hidden figure is words, never a number: the round's own disclosure control
hid it.  Where the previous period's 评定 was 基本合格/不合格, the row says
so, beside this period's result, for the follow-up (限期改正) check.
"""

from __future__ import annotations

import csv
import io
import json

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from ..domain.tally import present
from .summary import points

HIDDEN = "人数较少，不显示"
HEADER = ["年度", "评议", "党组织", "姓名", "得分", "排名", "测评建议", "评定", "评定理由",
          "上期评定（整改跟踪）"]
NOTE = ("注：各期数字取自该次评议已按匿名保护口径显示的结果；排名为该次评议中的名次/人数。"
        "测评建议仅供参考，评定由支委会（党员大会）作出。上期评定为基本合格或不合格的，"
        "本期结果列在同一行，供检查限期改正情况。")


def follow_up_text(row: dict) -> str:
    found = row.get("follow_up")
    if not found:
        return ""
    text = f"{found['period']}年评定{found['decision_label']}"
    return text + (f"（{found['reason']}）" if found.get("reason") else "")


def rows(record: dict) -> list[list[str]]:
    out = []
    for r in record["periods"]:
        out.append([r["period"], r["title"], r["org"], r["name"],
                    HIDDEN if r["hidden"] else points(r["score"]),
                    r["rank_text"] or ("—" if not r["hidden"] else HIDDEN),
                    r["proposal_label"] or "", r["decision_label"] or "未评定",
                    r["reason"], follow_up_text(r)])
    return out


def _cell(text: str) -> str:
    """Names as text, never as spreadsheet formulas."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv(record: dict) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows(record):
        writer.writerow([_cell(c) for c in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_xlsx(record: dict) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = "历年评议"
    ws.append([f"{'、'.join(record['names'])}（{record['person']}）历年评议情况"])
    ws.append(HEADER)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for row in rows(record):
        values = [_cell(c) for c in row]
        try:
            values[4] = float(row[4])
        except ValueError:
            pass
        ws.append(values)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    ws.append([])
    ws.append([NOTE])
    for column, width in zip("ABCDEFGHIJ", (8, 28, 16, 10, 8, 8, 10, 10, 30, 30),
                             strict=True):
        ws.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_json(record: dict) -> bytes:
    return (json.dumps(present(record), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


EXPORTS = {"csv": export_csv, "xlsx": export_xlsx, "json": export_json}
MEDIA = {"json": "application/json", "csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def export(record: dict, fmt: str) -> bytes:
    return EXPORTS[fmt](record)


def is_binary(fmt: str) -> bool:
    return fmt == "xlsx"
