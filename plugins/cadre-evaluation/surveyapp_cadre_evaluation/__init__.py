"""干部民主测评: evaluating a cadre on 德能勤绩廉, as a surveyapp plugin.

What it adds (see README.md):

* the criteria set ``de-neng-qin-ji-lian`` (德20 能15 勤15 绩30 廉20, domain.md
  §1.3, S10), graded on the built-in ``good-fair`` scale 好/较好/一般/较差 =
  100/80/60/40 (S11);
* the template ``cadre-evaluation``: rater groups 上级/同级/下级/群众 weighted
  20/30/30/20, the bands ≥95 优秀 / ≥80 称职 / ≥75 基本称职 / below 不称职
  (C3), the approval-rate flag and a quorum;
* classification: the ``approval`` rule flags a cadre whose share of 好 and
  较好 answers (好评率, like 满意率 = (满意+基本满意)/评价人数) is below its
  minimum.  The bands themselves are the built-in ``bands`` rule.

Every number is a round setting with the template's default.
"""

from __future__ import annotations

import copy

from surveyapp.domain import rules
from surveyapp.hookspecs import hookimpl

__version__ = "0.1.0"

TEMPLATE_NAME = "cadre-evaluation"

DE_NENG_QIN_JI_LIAN = [
    {"key": "de", "label": "德", "weight": 20,
     "description": "政治思想、道德品行：理想信念、政治立场、职业道德、社会公德"},
    {"key": "neng", "label": "能", "weight": 15,
     "description": "工作能力：业务水平、组织协调、解决实际问题的能力"},
    {"key": "qin", "label": "勤", "weight": 15,
     "description": "工作态度：勤奋敬业、责任心、出勤和工作作风"},
    {"key": "ji", "label": "绩", "weight": 30,
     "description": "工作实绩：完成任务的数量、质量、效率和效益"},
    {"key": "lian", "label": "廉", "weight": 20,
     "description": "廉洁自律：遵守廉洁从业规定，不以权谋私"},
]

TEMPLATE = {
    "title": "干部民主测评",
    "scale": "good-fair",
    "criteria": "de-neng-qin-ji-lian",
    # Rater groups as in 360-degree evaluation (S19: the weights must be
    # positive and are relative; wjx asks for a 100% total).  20/30/30/20 is a
    # default to adjust: S11 weighs 分管领导 20 / 干部职工 40 / 考核组 40.
    "groups": [{"key": "superior", "label": "上级", "weight": 20},
               {"key": "peer", "label": "同级", "weight": 30},
               {"key": "subordinate", "label": "下级", "weight": 30},
               {"key": "masses", "label": "群众", "weight": 20}],
    "rules": {
        # 综合评价 by score (C3): ≥95 优秀, 80–95 称职, 75–80 基本称职, <75 不称职.
        "bands": [{"min": 95, "option": "excellent", "label": "优秀"},
                  {"min": 80, "option": "competent", "label": "称职"},
                  {"min": 75, "option": "basically_competent", "label": "基本称职"},
                  {"min": 0, "option": "incompetent", "label": "不称职"}],
        # 好评率 below 60% is flagged; 60% follows the 满意度<60% veto of S16
        # (local practice).
        "approval": {"options": ["good", "fairly_good"], "min": "3/5"},
        # 实到 > 半数 for a 测评 meeting (S14).
        "quorum": "1/2",
    },
}


@hookimpl
def criteria_sets():
    return {"de-neng-qin-ji-lian": copy.deepcopy(DE_NENG_QIN_JI_LIAN)}


@hookimpl
def round_templates():
    return {TEMPLATE_NAME: copy.deepcopy(TEMPLATE)}


def _approval(settings) -> tuple[list[str], object] | None:
    value = settings.get("approval")
    if value is None:
        return None
    if (not isinstance(value, dict) or not isinstance(value.get("options"), list)
            or not value["options"] or "min" not in value):
        raise ValueError('rules.approval must be { options = ["good", ...], min = "3/5" }, '
                         f"got {value!r}")
    return value["options"], rules.as_fraction(value["min"], "approval.min")


@hookimpl
def rule_names():
    return {"approval": {"type": "table", "label": "好评率下限",
                         "help": "{options = [...], min = share}: flag a 好评率 below min"}}


@hookimpl
def classify_subjects(spec, result):
    """``approval_below_min`` where the share of the approving options (over
    every answer, 占测评人数) is under ``approval.min``."""
    approval = _approval(spec.rules)
    if approval is None:
        return {}
    options, minimum = approval
    unknown = [o for o in options if spec.option(o) is None]
    if unknown:
        raise ValueError(f"rules.approval.options: {', '.join(map(repr, unknown))} "
                         "not on the round's scale")
    verdicts = {}
    for subject in result["subjects"]:
        rate = rules.share(subject, options)
        if rate is not None and rate < minimum:
            verdicts[subject["key"]] = {"flags": ["approval_below_min"]}
    return verdicts
