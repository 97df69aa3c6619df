"""民主评议党员: the annual appraisal of party members, as a surveyapp plugin.

What it adds (see README.md):

* the round template ``party-member-appraisal``: the four grades, a 党员互评
  group and the rule defaults below, so ``template = "party-member-appraisal"``
  plus subjects (and groups, if not just 党员互评) makes a round;
* the scale ``four-grade-with-unknown`` (the four grades plus 不了解) for
  rounds that include 群众评议;
* classification: score bands, then the 优秀 quota with ties at the boundary
  left to the committee, and the 不合格 "presumed" flag;
* the export format ``appraisal-summary`` (测评汇总表, CSV for Excel).

Every number is a round setting: the template only supplies defaults, and a
spec's ``[rules]`` overrides them key by key.  The software proposes; the
支委会/党员大会 decides (不能简单地以票取人).
"""

from __future__ import annotations

import copy
import csv
import io

from surveyapp.domain import rules
from surveyapp.domain.model import BLANK
from surveyapp.exporters import Exporter
from surveyapp.exports import explain, summary
from surveyapp.exports.flags import flag_label
from surveyapp.hookspecs import hookimpl

__version__ = "0.1.0"

TEMPLATE_NAME = "party-member-appraisal"
EXCELLENT = "excellent"  # the option the quota caps, as keyed in the four-grade scale

#: Rule defaults of the template, with where each comes from (docs: domain.md §2).
DEFAULT_RULES = {
    # 优秀 "一般不超过党员总数的1/3" at the 组织评定 (S1, S3).
    "excellent_quota": "1/3",
    # The same cap on each ballot, so no voter can grade everyone 优秀.
    "per_ballot_max": {EXCELLENT: "1/3"},
    # 不合格票超过半数 → 初步认定不合格, to be verified by the organisation (S6).
    "presume_fail_share": {"unqualified": "1/2"},
    # 本人不评: a member may leave their own name off the ballot; it counts
    # neither as graded nor as blank, and per_ballot_max stays ⌊n × 1/3⌋ of
    # the whole branch (surveyapp's per_ballot_basis = "round").
    "leave_own_name_out": True,
    # 到会过半: more than half of those expected (S15).
    "quorum": "1/2",
    # Member score bands ≥90 / 70–89 / 60–69 / <60 (S7).
    "bands": [{"min": 90, "option": EXCELLENT}, {"min": 70, "option": "qualified"},
              {"min": 60, "option": "basic"}, {"min": 0, "option": "unqualified"}],
    # Not set by default: review_share = { unqualified = "1/3" } (the "不合格票
    # 超过1/3 → 组织考察核实" rule was not found in a source; turn it on per round).
}

TEMPLATE = {
    "title": "民主评议党员",
    "scale": "four-grade",
    "groups": [{"key": "members", "label": "党员互评"}],
    "rules": DEFAULT_RULES,
}

FOUR_GRADE_WITH_UNKNOWN = [
    {"key": EXCELLENT, "label": "优秀", "points": 100},
    {"key": "qualified", "label": "合格", "points": 80},
    {"key": "basic", "label": "基本合格", "points": 60},
    {"key": "unqualified", "label": "不合格", "points": 0},
    {"key": "unknown", "label": "不了解"},  # no points: counted, never scored
]


@hookimpl
def round_templates():
    return {TEMPLATE_NAME: copy.deepcopy(TEMPLATE)}


@hookimpl
def grade_scales():
    return {"four-grade-with-unknown": copy.deepcopy(FOUR_GRADE_WITH_UNKNOWN)}


@hookimpl
def rule_names():
    # per_ballot_max, quorum and bands are surveyapp's own (built in).
    # Tables, not bare descriptions: the console offers each with a fitting
    # input (a share; a share per grade).  Unset, neither applies (no
    # default); the template sets both (DEFAULT_RULES).
    return {"excellent_quota": {"type": "share", "label": "优秀比例上限",
                                "hint": "可建议为优秀的党员占党员总数的比例上限（模板默认 1/3）。",
                                "help": "share of members who may be proposed 优秀, e.g. "
                                        "\"1/3\" (the template's)"},
            "presume_fail_share": {"type": "options", "label": "初步认定不合格的票数比例",
                                   "hint": "某等次的票数超过该比例时，初步认定不合格，交组织核实"
                                           "（模板默认：不合格票超过 1/2）。",
                                   "help": "{option = share}: above it, 初步认定不合格 for "
                                           "review (the template's: { unqualified = \"1/2\" })"}}


@hookimpl
def classify_subjects(spec, result):
    """Bands, then the 优秀 quota; flags for 初步认定不合格.  Acts only on the
    rules a round sets, so rounds of other kinds are left alone."""
    settings = spec.rules
    subjects = result["subjects"]
    verdicts: dict = {s["key"]: {"flags": []} for s in subjects}
    for subject in subjects:
        verdicts[subject["key"]]["flags"] += rules.share_flags(
            subject, settings.get("presume_fail_share") or {}, "presume_fail")

    if settings.get("excellent_quota") is None:
        return verdicts
    # Read first, so a bad value is refused at creation even before bands are set.
    quota = rules.as_fraction(settings["excellent_quota"], "excellent_quota")
    if not settings.get("bands"):
        # A quota on proposals needs proposals; say so rather than ignore it.
        verdicts[None] = {"flags": ["rule_ignored:excellent_quota"]}
        return verdicts
    proposals = {s["key"]: rules.band(s["score"], settings["bands"]) for s in subjects}
    # 党员总数: every subject of the round, whether or not it was scored.
    limit = rules.quota_limit(quota, len(spec.subjects))
    fallback = rules.band_below(settings["bands"], EXCELLENT)
    # Equal scores at the quota: more 优秀 votes first (quota_tie_break),
    # and only a true tie goes to the committee.
    tie_break = rules.tie_break_order(spec, settings.get("quota_tie_break"))
    for key, flags in rules.apply_quota(subjects, proposals, EXCELLENT, limit,
                                        fallback, tie_break).items():
        verdicts[key]["flags"] += flags
    for key, proposal in proposals.items():
        verdicts[key]["proposal"] = proposal
    return verdicts


# -- the 测评汇总表 -----------------------------------------------------------------------

def export_summary(result: dict, spec) -> bytes:
    """民主评议党员测评汇总表: one row per member in rank order, 测评人数 and
    votes per grade (空白 too), score, proposed grade and notes, in Chinese,
    every flag in words; then 说明 rows: 发出 / 收回 / 有效 / 废票, how the
    score is computed, and the round's own flags.  UTF-8 with a BOM so
    Excel reads it."""
    table = summary.rows(result, spec)
    keys = [o.key for o in spec.options] + [BLANK]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["排名", "姓名", "单位", "测评人数",
                     *(f"{o.label}（票）" for o in spec.options), "空白（票）", "得分",
                     "建议等次", "提示"])
    for row in table:
        writer.writerow([
            "" if row.rank is None else row.rank, _text(row.name), _text(row.unit),
            "" if row.ballots is None else row.ballots,
            *("" if row.counts is None else row.counts.get(k, 0) for k in keys),
            "" if row.score is None else summary.points(row.score),
            summary.option_label(spec, row.proposal),
            "；".join(flag_label(f, spec) for f in row.flags)])
    writer.writerow([])
    writer.writerow(["说明", explain.sheets_line(result, spec)])
    for line in explain.score_explanation(spec, table):
        writer.writerow(["说明", line])
    for flag in result.get("flags") or []:
        writer.writerow(["说明", flag_label(flag, spec)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _text(value: str) -> str:
    """Names and units as text: Excel runs a cell starting with =, +, - or @."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@hookimpl
def register_exporters():
    return [Exporter("appraisal-summary", "text/csv; charset=utf-8", "csv", export_summary,
                     "民主评议党员测评汇总表")]
