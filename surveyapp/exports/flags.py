"""Flags in words.  The tally and plugins speak in keys
(``suppressed_group:masses``, ``quota_tie:excellent``); the people reading
results get a sentence in their language, naming the group or grade.

Pure Python with both languages here, because exports are written outside
any web request (the command line) where Flask-Babel has no locale.
A flag nobody has words for is shown as it is.
"""

from __future__ import annotations

from ..domain.model import RoundSpec
from ..domain.rules import POOLED

# prefix -> (what the part after ":" names, Chinese, English)
LABELS: dict[str, tuple[str, str, str]] = {
    "group_missing": ("group", "{name}无人参评，得分按其余组别折算",
                      "no ballots from {name}; score reweighted over the other groups"),
    "suppressed_group": ("group", "{name}少于{k}张票（不了解、空白不计），为保护匿名不单独显示",
                         "{name}: fewer than {k} ballots (abstentions and blanks aside), "
                         "hidden to protect anonymity"),
    "suppressed_complementary": ("group", "{name}一并不单独显示，以免推算出小组结果",
                                 "{name} also hidden, so the small group cannot be "
                                 "worked out"),
    "suppressed": ("", "少于{k}张票，为保护匿名不显示",
                   "fewer than {k} ballots, hidden to protect anonymity"),
    "quota_tie": ("option", "{name}名额处得分并列，请支委会研究确定",
                  "tie at the {name} quota; for the committee to decide"),
    "quota_exceeded": ("option", "超出{name}名额，建议顺延为下一等次",
                       "beyond the {name} quota; proposed one grade lower"),
    "quota_tie_broken": ("option", "{name}名额处得分并列，按{name}票数多少排定",
                         "tie at the {name} quota, settled by the number of {name} votes"),
    "over_expected": ("group", "{name}收回票数多于应参评人数，本次测评无效，须重新评议",
                      "{name}: more ballots than voters expected; the round is void and "
                      "must be held again"),
    "review": ("option", "{name}票超过规定比例，需组织核实",
               "{name} votes above the set share; to be verified"),
    "quorum_not_met": ("group", "{name}参评人数未达规定比例",
                       "{name}: turnout below the quorum"),
    # The 四强 plugin's veto caps (a group's rate below the set share caps
    # the star rating, domain.md §1.2).
    "veto_cap": ("group", "{name}满意度低于规定比例，星级按否决规定封顶",
                 "{name}: satisfaction below the set share; the rating is capped"),
    "veto_unchecked": ("group", "{name}结果未单独显示或无票，否决规定无法核对，请组织核实",
                       "{name}: not shown separately or no ballots, so the veto could not be "
                       "checked; to be verified"),
    # Disclosure control (domain/disclosure.py): what it hid so that no
    # hidden group's answers can be worked out from the rest.
    "hidden_counts": ("", "为防止推算出小组结果，不显示各等次总票数",
                      "vote totals not shown, so no small group can be worked out"),
    "hidden_criteria": ("", "为防止推算出小组结果，不显示各项得分",
                        "criterion scores not shown, so no small group can be worked out"),
    "hidden_groups": ("", "为防止推算出小组结果，不显示各组别结果",
                      "group results not shown, so no small group can be worked out"),
    "hidden_score": ("", "为防止推算出小组结果，不显示得分和排名",
                     "score and rank not shown, so no small group can be worked out"),
    "hidden_all": ("", "为防止推算出小组结果，不显示任何结果",
                   "no result shown, so no small group can be worked out"),
    # The plugins shipped with surveyapp (plugins/): 民主评议党员 and 干部民主测评.
    "presume_fail": ("option", "{name}票超过规定比例，初步认定，需组织核实",
                     "{name} votes above the set share: presumed, to be verified"),
    "approval_below_min": ("", "好评率低于规定比例，需组织核实",
                           "approval rate below the set minimum; to be verified"),
    "rule_ignored": ("rule", "{name}规则未生效：没有设置得分档次",
                     "the {name} rule was not applied: no score bands are set"),
}

#: Rules a flag may name, in words (the rest by their own key).
RULES = {"excellent_quota": ("优秀名额", "excellent quota"),
         "per_ballot_max": ("每票限额", "per-ballot limit"),
         "quorum": ("参评人数比例", "quorum"),
         "bands": ("得分档次", "score bands")}


def flag_label(flag: str, spec: RoundSpec, lang: str = "zh") -> str:
    """The flag as a sentence in ``lang`` ("zh" or "en")."""
    prefix, _, arg = flag.partition(":")
    entry = LABELS.get(prefix)
    if entry is None:
        return flag
    names, zh, en = entry
    name = arg
    if names == "group" and arg == "all":
        name = "全体参评人员" if lang != "en" else "all voters"
    elif names == "group" and arg == POOLED:
        name = ("不单独显示参评人数的各组合计" if lang != "en"
                else "the groups whose turnout is not shown, together")
    elif names == "group":
        name = next((g.label for g in spec.groups if g.key == arg), arg)
    elif names == "option":
        option = spec.option(arg)
        name = option.label if option else arg
    elif names == "rule":
        name = RULES.get(arg, (arg, arg))[1 if lang == "en" else 0]
    return (en if lang == "en" else zh).format(name=name, k=spec.anonymity_min)


def hidden_reason(reason: str | None, spec: RoundSpec, lang: str = "zh") -> str:
    """Why a group breakdown is not shown ("少于 N 张票，为保护匿名不显示")."""
    if reason is None:
        return ""
    if reason == "complementary":
        return ("为防止推算出小组结果，一并不显示" if lang != "en"
                else "also hidden so a small group cannot be worked out")
    if reason == "protect":
        return ("为防止推算出小组结果，不显示" if lang != "en"
                else "not shown, so that no small group can be worked out")
    return (f"少于 {spec.anonymity_min} 张票，为保护匿名不显示" if lang != "en"
            else f"fewer than {spec.anonymity_min} ballots: hidden to protect anonymity")
