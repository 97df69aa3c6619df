"""争创"四强"党组织、争做"四优"共产党员, as a surveyapp plugin.

What it adds (see README.md):

* criteria sets ``four-strong`` (四强: 政治引领力强、推动发展力强、改革创新力强、
  凝聚保障力强) and ``four-excellent`` (四优: 政治素质优、岗位技能优、工作业绩优、
  群众评价优), each criterion with a description and a weight;
* templates ``four-strong-organisation`` (subjects are 党组织) and
  ``four-excellent-member`` (subjects are members);
* scoring for ``four-excellent-member``: 群众评价优 is scored from the mass
  group alone and the other criteria from the other groups, because "群众评价优
  is where the mass ballot feeds in" (domain.md §1.4);
* star ratings for ``four-strong-organisation`` (党支部星级): the score's
  band (``bands``, 五星 … 一星) with veto caps (``veto_caps``): 群众满意度
  below 60% caps the branch at 二星 whatever its score (domain.md §1.2, S16),
  flagged ``veto_cap:<group>``.

The criteria names are the campaign's; the descriptions are short
paraphrases of common campaign wording, and the weights are defaults from local
practice (see README.md).  An enterprise replaces both with its own 细则 by
listing ``[[criteria]]`` in the spec.
"""

from __future__ import annotations

import copy

from surveyapp.domain import rules
from surveyapp.hookspecs import hookimpl

__version__ = "0.1.0"

FOUR_STRONG = [
    {"key": "leading", "label": "政治引领力强", "weight": 1,
     "description": "坚持党的领导，把方向、管大局、保落实，政治理论学习和组织生活严格规范"},
    {"key": "developing", "label": "推动发展力强", "weight": 1,
     "description": "围绕生产经营中心工作开展党建，带领党员群众完成改革发展任务"},
    {"key": "innovating", "label": "改革创新力强", "weight": 1,
     "description": "在技术、管理和工作方法上敢于创新，攻坚克难，成效明显"},
    {"key": "cohesive", "label": "凝聚保障力强", "weight": 1,
     "description": "密切联系服务群众，队伍团结稳定，廉洁风险防控和基础保障到位"},
]

FOUR_EXCELLENT = [
    {"key": "political", "label": "政治素质优", "weight": 7,
     "description": "理想信念坚定，对党忠诚，严守政治纪律和政治规矩"},
    {"key": "skill", "label": "岗位技能优", "weight": 7,
     "description": "业务精通，技能过硬，在岗位上能发挥骨干作用"},
    {"key": "performance", "label": "工作业绩优", "weight": 7,
     "description": "工作成效突出，在急难险重任务中发挥先锋模范作用"},
    {"key": "mass", "label": "群众评价优", "weight": 9,
     "description": "密切联系群众，群众认可度高（由群众评议得出）"},
]

GROUPS = [{"key": "members", "label": "党员评议", "weight": 70},
          {"key": "masses", "label": "群众评议", "weight": 30}]

#: 党支部星级 from the score (local practice; no official bands were found).
STAR_BANDS = [{"min": 90, "option": "five_stars", "label": "五星"},
              {"min": 80, "option": "four_stars", "label": "四星"},
              {"min": 70, "option": "three_stars", "label": "三星"},
              {"min": 60, "option": "two_stars", "label": "二星"},
              {"min": 0, "option": "one_star", "label": "一星"}]

#: 群众满意度 (好 and 较好 of the masses' answers, over ballots cast) below
#: 60% caps the branch at 二星 or lower, whatever its total (S16).
VETO_CAPS = [{"group": "masses", "options": ["good", "fairly_good"], "below": "3/5",
              "over": "cast", "cap": "two_stars"}]

VETO_KEYS = ("group", "options", "below", "over", "cap")

TEMPLATES = {
    "four-strong-organisation": {
        "title": "争创“四强”党组织评议",
        "scale": "good-fair",
        "criteria": "four-strong",
        "groups": GROUPS,
        "rules": {"quorum": "1/2", "bands": STAR_BANDS, "veto_caps": VETO_CAPS},
    },
    "four-excellent-member": {
        "title": "争做“四优”共产党员评议",
        "scale": "good-fair",
        "criteria": "four-excellent",
        "groups": GROUPS,
        # Which criterion the mass group alone scores; set either to "" to
        # score every criterion from every group.
        "rules": {"quorum": "1/2", "mass_criterion": "mass", "mass_group": "masses"},
    },
}


#: A campaign's default standard (评比标准) per template: absolute floors, so a
#: weak year proposes nobody.  Local 细则 replace them in the campaign spec.
STANDARDS = {
    "four-strong-organisation": {"label": "四强党组织", "score": 90, "criteria": 85,
                                 "groups": {"masses": 85}},
    "four-excellent-member": {"label": "四优共产党员", "score": 90, "criteria": 85},
}


@hookimpl
def campaign_standards():
    return copy.deepcopy(STANDARDS)


@hookimpl
def criteria_sets():
    return {"four-strong": copy.deepcopy(FOUR_STRONG),
            "four-excellent": copy.deepcopy(FOUR_EXCELLENT)}


@hookimpl
def round_templates():
    return copy.deepcopy(TEMPLATES)


def _mean(terms):
    """Weighted mean over the terms with a value; None if none weigh."""
    terms = [(w, v) for w, v in terms if v is not None]
    total = sum(w for w, _ in terms)
    return sum(w * v for w, v in terms) / total if total else None


def _split_applies(spec) -> tuple[str, str] | None:
    criterion, group = spec.rules.get("mass_criterion"), spec.rules.get("mass_group")
    if not criterion or not group:
        return None
    if criterion not in {c.key for c in spec.criteria}:
        raise ValueError(f"rules.mass_criterion {criterion!r} is not a criterion of the round")
    if group not in {g.key for g in spec.groups}:
        raise ValueError(f"rules.mass_group {group!r} is not a voter group of the round")
    return criterion, group


@hookimpl
def rule_names():
    # Tables (hookspecs.rule_names): the console's rules page names each in
    # words and asks for a criterion's or group's key as a plain word.
    return {"mass_criterion": {"type": "value", "label": "群众满意度所在指标",
                               "hint": "以该项指标的得分作为群众满意度。",
                               "help": "the criterion whose score is the 群众满意度"},
            "mass_group": {"type": "value", "label": "群众评价组",
                           "hint": "群众所在的评价组。",
                           "help": "the voter group of the masses (群众)"},
            "veto_caps": {"type": "list", "label": "一票否决（星级上限）",
                          "help": "[{group, options, below, over, cap}, ...]: a rate of the "
                                  "group below the share caps the proposal at that band"}}


def veto_caps(spec) -> list[dict]:
    """``veto_caps`` checked: each ``{group, options, below, over, cap}``.

    ``group`` (optional; absent: every group) whose rate of ``options``
    (``over`` "cast", the default, or "graded" answers: 满意率 36/40 or
    36/38) is below ``below`` caps the proposal at band ``cap`` or lower."""
    value = spec.rules.get("veto_caps")
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"rules.veto_caps must be a list of tables, got {value!r}")
    bands = [option for _low, option in rules.bands(spec.rules.get("bands") or [], "bands")] \
        if spec.rules.get("bands") else []
    checked = []
    for i, cap in enumerate(value):
        where = f"rules.veto_caps[{i}]"
        if not isinstance(cap, dict) or set(cap) - set(VETO_KEYS):
            raise ValueError(f"{where} must be a table of {', '.join(VETO_KEYS)}, got {cap!r}")
        group = cap.get("group")
        if group is not None and spec.group(group) is None:
            raise ValueError(f"{where}.group {group!r} is not a voter group of the round")
        options = cap.get("options")
        if not isinstance(options, list) or not options or any(
                spec.option(o) is None for o in options):
            raise ValueError(f"{where}.options must list options of the scale, got {options!r}")
        below = rules.as_fraction(cap.get("below"), f"veto_caps[{i}].below")
        over = cap.get("over", "cast")
        if over not in rules.RATE_BASES:
            raise ValueError(f'{where}.over must be "cast" or "graded", got {over!r}')
        if cap.get("cap") not in bands:
            raise ValueError(f"{where}.cap must be one of the bands' options "
                             f"({', '.join(bands) or 'no bands set'}), got {cap.get('cap')!r}")
        checked.append({"group": group, "options": options, "below": below, "over": over,
                        "cap": cap["cap"]})
    return checked


@hookimpl
def score_subject(spec, subject):
    """群众评价优 from the mass group, every other criterion from the other
    groups (group-weighted), then the criterion-weighted mean.

    Answers None (the default score stands, and classify_subjects flags it)
    when a group's breakdown is suppressed for anonymity: splitting a
    suppressed group out again would undo the suppression."""
    split = _split_applies(spec)
    if split is None or any(g["suppressed"] for g in subject["groups"].values()):
        return None
    mass_criterion, mass_group = split
    weights = {g.key: g.weight for g in spec.groups}
    per_criterion = []
    for criterion in spec.criteria:
        if criterion.key == mass_criterion:
            value = subject["groups"][mass_group]["criteria"][criterion.key]
        else:
            value = _mean((weights[key], g["criteria"][criterion.key])
                          for key, g in subject["groups"].items() if key != mass_group)
        per_criterion.append((criterion.weight, value))
    return _mean(per_criterion)


@hookimpl
def classify_subjects(spec, result):
    """Say where the mass split could not be applied; propose star ratings
    with their veto caps."""
    verdicts = {}
    for subject in result["subjects"]:
        if (_split_applies(spec) is not None and subject["score"] is not None
                and any(g["suppressed"] for g in subject["groups"].values())):
            verdicts[subject["key"]] = {"flags": ["mass_split_skipped"]}
    caps = veto_caps(spec)
    if not caps:
        return verdicts
    order = [option for _low, option in rules.bands(spec.rules["bands"])]
    for subject in result["subjects"]:
        verdict = verdicts.setdefault(subject["key"], {"flags": []})
        proposal = rules.band(subject["score"], spec.rules["bands"])
        for cap in caps:
            found = rules.subject_rate(subject, cap["options"], spec, cap["group"])
            value = None if found is None else found.over(cap["over"])
            where = cap["group"] or "all"
            if value is None:
                # The group's breakdown is hidden (or it sent nothing): the
                # veto cannot be checked here; the committee must.
                if subject["score"] is not None:
                    verdict["flags"].append(f"veto_unchecked:{where}")
                continue
            if value < cap["below"]:  # "低于": strictly below
                verdict["flags"].append(f"veto_cap:{where}")
                if proposal is not None and order.index(proposal) < order.index(cap["cap"]):
                    proposal = cap["cap"]
        verdict["proposal"] = proposal
    return verdicts
