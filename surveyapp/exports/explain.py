"""What results pages and files say besides the figures: how 得分 is computed
(the points of each grade, 不了解 and blanks not scored, each group's weight,
a worked example from the round's own figures), and the 测评汇总's
发出 / 收回 / 有效 / 废票.

Adding up every group's votes together gives another number than the score,
because each group counts by its weight, not by its number of ballots; a
secretary who checks the sum needs to be told so, with the numbers.

Pure Python with both languages here, like :mod:`.flags`: exports are
written outside any web request too.
"""

from __future__ import annotations

from fractions import Fraction

from ..domain.model import RoundSpec
from ..domain.tally import present
from .summary import Row, points, turnout_rows


def _pct(value: Fraction) -> str:
    return f"{present(value * 100, 1):g}%"


def _number(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"


def _sep(lang: str) -> str:
    return ", " if lang == "en" else "，"


def grade_points(spec: RoundSpec, lang: str = "zh") -> str:
    """"优秀 100，合格 80，…；不了解不计分"."""
    scored = _sep(lang).join(f"{o.label} {_number(o.points)}"
                             for o in spec.options if o.points is not None)
    unscored = [o.label for o in spec.options if o.points is None]
    if not unscored:
        return scored
    if lang == "en":
        return f"{scored}; {', '.join(unscored)} not scored"
    return f"{scored}；{'、'.join(unscored)}不计分"


def _weights(spec: RoundSpec) -> list[tuple[str, str, Fraction]]:
    total = sum(g.weight for g in spec.groups)
    return [(g.key, g.label, g.weight / total) for g in spec.groups]


def example(spec: RoundSpec, table: list[Row], lang: str = "zh") -> str | None:
    """The first person whose score is the weighted mean of group scores that
    are all shown: "张三：党员互评 85.00 × 60% + 群众评议 80.00 × 40% = 83.00".
    None when no one fits (hidden groups, a plugin's own scoring)."""
    weights = {key: share for key, _, share in _weights(spec)}
    for row in table:
        parts = [b for b in row.groups if b.score is not None]
        if (row.score is None or row.hidden or len(parts) < 2
                or any(b.hidden for b in row.groups)):
            continue
        total = sum(weights[b.key] for b in parts)
        if sum(weights[b.key] * b.score for b in parts) / total != row.score:
            continue
        terms = " + ".join(f"{b.label} {points(b.score)} × {_pct(weights[b.key] / total)}"
                           for b in parts)
        return f"{row.name}{': ' if lang == 'en' else '：'}{terms} = {points(row.score)}"
    return None


def score_explanation(spec: RoundSpec, table: list[Row], lang: str = "zh") -> list[str]:
    """Sentences saying how the score is computed, with the round's figures."""
    several_groups = len(spec.groups) > 1
    several_criteria = len(spec.criteria) > 1
    shares = "、".join(f"{label} {_pct(share)}" for _, label, share in _weights(spec))
    crit = "、".join(f"{c.label} {_pct(c.weight / sum(x.weight for x in spec.criteria))}"
                     for c in spec.criteria)
    if lang == "en":
        lines = [f"Points per grade: {grade_points(spec, 'en')}. Abstentions and blanks are "
                 "counted in the shares but not in the score."]
        line = ("A group's score is the mean points of its graded answers"
                + (f", the criteria weighted {crit.replace('、', ', ')}" if several_criteria
                   else "") + ".")
        if several_groups:
            line += (f" A person's score is the weighted mean of the group scores: "
                     f"{shares.replace('、', ', ')} (over the groups that have ballots). So "
                     "adding up all groups' votes together gives a different number.")
        lines.append(line)
    else:
        lines = [f"各等次分值：{grade_points(spec)}。不了解和空白计入得票率，不计入得分。"]
        line = ("各组别得分为该组评定票的平均分" + (f"（各评议内容按权重 {crit} 加权）"
                                             if several_criteria else "") + "。")
        if several_groups:
            line += (f"个人得分为各组别得分的加权平均：{shares}（只计有票的组别，按比例折算）。"
                     "因此，把各组的票合在一起计算，得出的数与得分不同。")
        lines.append(line)
    if several_groups and (worked := example(spec, table, lang)):
        lines.append(("For example, " if lang == "en" else "例：") + worked)
    return lines


def sheets_rows(result: dict, spec: RoundSpec) -> list[dict]:
    """Per group and in total: label, issued (None: not known), returned,
    valid and spoiled."""
    sheets = result.get("sheets") or {}
    rows = []
    for t in turnout_rows(result, spec):
        s = sheets.get(t["key"], {})
        valid = s.get("valid", t["ballots"])
        spoiled = s.get("spoiled", 0)
        rows.append({"key": t["key"], "label": t["label"], "issued": s.get("issued"),
                     "returned": s.get("returned", None if valid is None else valid + spoiled),
                     "valid": valid,
                     "spoiled": spoiled})
    if len(rows) > 1:
        rows.append({"key": None, "label": None,
                     **{k: _total(r[k] for r in rows)
                        for k in ("issued", "returned", "valid", "spoiled")}})
    return rows


def _total(values) -> int | None:
    """None when a figure is not known or not shown (a small group's turnout)."""
    values = list(values)
    return None if None in values else sum(values)


def sheets_text(row: dict, lang: str = "zh") -> str:
    """"发出 30 张，收回 28 张，其中有效票 27 张、废票 1 张" (发出 left out
    where it is not known)."""
    if row["valid"] is None:  # a small group's turnout, not shown per group
        spoiled = row["spoiled"]
        if lang == "en":
            return (f"{row['issued']} handed out; " if row["issued"] is not None else "") + (
                f"returned not shown (a small group); {spoiled} spoiled")
        return (f"发出 {row['issued']} 张，" if row["issued"] is not None else "") + (
            f"收回人数较少，不单独显示；废票 {spoiled} 张")
    if lang == "en":
        issued = f"{row['issued']} handed out, " if row["issued"] is not None else ""
        return (f"{issued}{row['returned']} returned: {row['valid']} valid, "
                f"{row['spoiled']} spoiled")
    issued = f"发出 {row['issued']} 张，" if row["issued"] is not None else ""
    return (f"{issued}收回 {row['returned']} 张，其中有效票 {row['valid']} 张、"
            f"废票 {row['spoiled']} 张")


def sheets_line(result: dict, spec: RoundSpec, lang: str = "zh") -> str:
    """The whole round's 测评票 in one line, each group's after the total."""
    rows = sheets_rows(result, spec)
    total = rows[-1]
    head = ("Ballots: " if lang == "en" else "本次测评票") + sheets_text(total, lang)
    if len(rows) == 1:
        return head + ("." if lang == "en" else "。")
    parts = [f"{r['label']} {sheets_text(r, lang)}" for r in rows[:-1]]
    if lang == "en":
        return f"{head} ({'; '.join(parts)})."
    return f"{head}（{'；'.join(parts)}）。"
