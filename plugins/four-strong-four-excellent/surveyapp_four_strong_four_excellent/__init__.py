"""争创"四强"党组织、争做"四优"共产党员, as a surveyapp plugin.

What it adds (see README.md):

* criteria sets ``four-strong`` (四强: 政治引领力强、推动发展力强、改革创新力强、
  凝聚保障力强) and ``four-excellent`` (四优: 政治素质优、岗位技能优、工作业绩优、
  群众评价优), each criterion with a description and a weight;
* templates ``four-strong-organisation`` (subjects are 党组织) and
  ``four-excellent-member`` (subjects are members);
* scoring for ``four-excellent-member``: 群众评价优 is scored from the mass
  group alone and the other criteria from the other groups, because "群众评价优
  is where the mass ballot feeds in" (domain.md §1.4).

The criteria names are the campaign's; the descriptions are short
paraphrases of common campaign wording, and the weights are defaults from local
practice (see README.md).  An enterprise replaces both with its own 细则 by
listing ``[[criteria]]`` in the spec.
"""

from __future__ import annotations

import copy

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

TEMPLATES = {
    "four-strong-organisation": {
        "title": "争创“四强”党组织评议",
        "scale": "good-fair",
        "criteria": "four-strong",
        "groups": GROUPS,
        "rules": {"quorum": "1/2"},
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
    return {"mass_criterion": "the criterion whose score is the 群众满意度",
            "mass_group": "the voter group of the masses (群众)"}


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
    """Say where the mass split could not be applied."""
    verdicts = {}
    for subject in result["subjects"]:
        if (_split_applies(spec) is not None and subject["score"] is not None
                and any(g["suppressed"] for g in subject["groups"].values())):
            verdicts[subject["key"]] = {"flags": ["mass_split_skipped"]}
    return verdicts
