"""The built-in plugin: surveyapp's own behaviour, through the same hooks as
any enterprise plugin.  Every rule here is off until a round's ``[rules]``
(or its template) sets it.

Rules read here:

``per_ballot_max = { excellent = "1/3" }``
    On one ballot, at most that share of the subjects (a value below 1,
    rounded down) or that many subjects (1 or more) may get the option, per
    criterion.
``bands = [{ min = 90, option = "excellent" }, ...]``
    Propose the option of the first band the subject's score reaches (≥); an
    entry may carry a ``label`` when its option is not on the scale.
``review_share = { unqualified = "1/3" }``
    Flag ``review:<option>`` when more than that share of answers chose it.
``quorum = "1/2"`` and ``quorum_strict = true``
    Flag the round ``quorum_not_met:<group>`` unless a group's ballots are
    more than (``quorum_strict = false``: at least) that share of its
    expected voters.
``per_ballot_basis = "round"``
    What ``per_ballot_max`` shares are of: the subjects the voter's group
    rates (default), or ``"ballot"``, those the ballot grades.
``void_over_expected = true``
    In a link round, flag the round ``over_expected:<group>`` when a group
    hands in more ballots than it has voters expected: the 测评 is void and
    must be held again (default on).
``leave_own_name_out = true``
    The ballot offers "myself, not rated" (本人不评) beside each name; at most
    one name may be left out, and it counts neither as graded nor as blank.
``reported_rates = [{ label = "满意率", options = [...] }]``
    Rates reported in the CSV export over graded answers and over ballots
    cast, each with its denominator.
``quota_tie_break = ["excellent"]``
    Read by quota rules (``rules.apply_quota``): whose votes break a tie at
    a quota, in order; default the top grade; ``[]`` flags every tie.

The built-in plugin answers last (``trylast``): any installed plugin's
proposal or score comes first.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .domain import rule_checks, rules
from .exports import BUILTIN
from .hookspecs import hookimpl

SCALES = {
    "four-grade": [
        {"key": "excellent", "label": "优秀", "points": 100},
        {"key": "qualified", "label": "合格", "points": 80},
        {"key": "basic", "label": "基本合格", "points": 60},
        {"key": "unqualified", "label": "不合格", "points": 0},
    ],
    # 满意/基本满意/不满意 = 100%/75%/55%; 不了解 not counted (domain.md §1.3, S12)
    "satisfaction": [
        {"key": "satisfied", "label": "满意", "points": 100},
        {"key": "fairly_satisfied", "label": "基本满意", "points": 75},
        {"key": "dissatisfied", "label": "不满意", "points": 55},
        {"key": "unknown", "label": "不了解"},
    ],
    # 优秀/称职/基本称职/不称职 = 95/85/75/65; 不了解 not scored (C3)
    "competence": [
        {"key": "excellent", "label": "优秀", "points": 95},
        {"key": "competent", "label": "称职", "points": 85},
        {"key": "basically_competent", "label": "基本称职", "points": 75},
        {"key": "incompetent", "label": "不称职", "points": 65},
        {"key": "unknown", "label": "不了解"},
    ],
    # 好/较好/一般/较差 = 100/80/60/40 (S11)
    "good-fair": [
        {"key": "good", "label": "好", "points": 100},
        {"key": "fairly_good", "label": "较好", "points": 80},
        {"key": "average", "label": "一般", "points": 60},
        {"key": "poor", "label": "较差", "points": 40},
    ],
}


@hookimpl
def grade_scales():
    return SCALES


@hookimpl
def register_exporters():
    return list(BUILTIN)


def _rule(label, kind: str, help: str, hint=None, **more) -> dict:
    """A built-in rule's declaration (hookspecs.rule_names): its label and
    hint in the page's language, its kind and default for the console's
    rules page."""
    return {"label": label, "type": kind, "help": help, **more} | (
        {"hint": hint} if hint is not None else {})


@hookimpl
def rule_names():
    defaults = rule_checks.DEFAULTS
    return {
        "per_ballot_max": _rule(
            _l("Most of one grade per ballot"), "options",
            "{option = share or count}: at most that many of one grade per ballot",
            _l("A share of the people on the ballot (rounded down) or a count, per grade; "
               "empty: no limit.")),
        "bands": _rule(
            _l("Grade proposed for a score"), "list",
            "[{min, option, label?}, ...]: the grade proposed for a score"),
        "review_share": _rule(
            _l("Flag for review above a share of a grade"), "options",
            "{option = share}: flag a subject whose share of that grade is higher",
            _l("A person whose share of that grade is higher is flagged for review.")),
        "quorum": _rule(
            _l("Quorum"), "share",
            "share of the expected voters that must take part, e.g. \"1/2\"",
            _l("The share of each group's expected voters that must take part.")),
        "quorum_strict": _rule(
            _l("More than the quorum (not just reaching it)"), "boolean",
            "true (more than the quorum) or false (at least the quorum)",
            _l("Yes: more than the quorum; no: reaching it is enough."), default=True),
        "per_ballot_basis": _rule(
            _l("Per-ballot limits are a share of"), "choice",
            "\"round\" (default: the subjects the group rates) or \"ballot\" (those the "
            "ballot grades): what per_ballot_max shares are of",
            _l("What the per-ballot limits are a share of, e.g. ⌊12 × 1/3⌋ = 4 on a "
               "12-member branch even when a ballot leaves the voter's own name out."),
            choices={"round": _l("the people the voter's group rates"),
                     "ballot": _l("the people on the ballot")},
            default=defaults["per_ballot_basis"]),
        "quota_tie_break": _rule(
            _l("Tie-break at a quota"), "list",
            "[option, ...]: whose votes break a tie at a quota, in order (default: the top "
            "grade; [] flags every tie)"),
        "void_over_expected": _rule(
            _l("Flag a link round with more ballots than expected"), "boolean",
            "true (default) or false: in a link round, flag a group whose ballots exceed "
            "its expected number (须重新评议)",
            _l("A group handing in more ballots than expected flags the round: it must be "
               "held again."), default=defaults["void_over_expected"]),
        "leave_own_name_out": _rule(
            _l("Voters may leave their own name out"), "boolean",
            "true or false (default): a voter may leave one name, their own, off the "
            "ballot (本人不评)",
            _l("Each name on the ballot offers “myself (not rated)”: a voter may leave one "
               "name, their own, out."), default=defaults["leave_own_name_out"]),
        "reported_rates": _rule(
            _l("Rates reported over answers and over ballots"), "list",
            "[{label, options}, ...]: rates such as 满意率 reported over graded answers and "
            "over ballots cast", default=defaults["reported_rates"]),
        "commitment_followup_below": _rule(
            _l("Follow-up below a commitment mean"), "share",
            "share (default 0.6): `rounds follow-up` copies the subjects whose commitment mean "
            "(承诺兑现) is below it into a 限期改正 round",
            _l("Subjects whose commitment mean (承诺兑现) is below it are copied into a "
               "限期改正 follow-up round."), default=defaults["commitment_followup_below"]),
    }


@hookimpl(trylast=True)
def score_subject(subject):
    # The tally's group-weighted mean is the default; answering last lets
    # any enterprise plugin replace it.
    return subject["score"]


@hookimpl
def validate_ballot(spec, answers, group):
    """``per_ballot_max``: one problem per option and criterion over its
    limit, about the whole ballot (no one subject is the problem), naming
    everyone who got the option so the voter can choose whom to change."""
    problems = []
    subjects_on_ballot = per_ballot_basis(spec, answers, group)
    names = {s.key: s.name for s in spec.subjects}
    several = len(spec.criteria) > 1
    for limit in rules.ballot_limits(spec, subjects_on_ballot):
        for criterion in spec.criteria:
            chosen = [s for s in (x.key for x in spec.subjects)
                      if answers.get((s, criterion.key)) == limit.option]
            if len(chosen) <= limit.allowed:
                continue
            params = {"option": limit.label, "allowed": limit.allowed,
                      "total": subjects_on_ballot, "chosen": len(chosen),
                      # TRANSLATORS: between the names of a list.
                      "names": _(", ").join(names[s] for s in chosen),
                      "change": len(chosen) - limit.allowed}
            if several:
                problems.append((None, _(
                    "On “%(criterion)s”, “%(option)s” may be given to at most %(allowed)d of "
                    "the %(total)d people on one ballot; this ballot gives it to %(chosen)d "
                    "(%(names)s). Change %(change)d of them.",
                    criterion=criterion.label, **params)))
            else:
                problems.append((None, _(
                    "“%(option)s” may be given to at most %(allowed)d of the %(total)d people "
                    "on one ballot; this ballot gives it to %(chosen)d (%(names)s). Change "
                    "%(change)d of them.", **params)))
    if group is not None and rule_checks.setting(spec.rules, "leave_own_name_out"):
        named = {s for s, _ in answers}
        left_out = [s for s in spec.rated(group) if s not in named]
        if len(left_out) > 1:
            problems.append((None, _(
                "Only your own name may be left out; %(count)d names were left out.",
                count=len(left_out))))
    return problems


def per_ballot_basis(spec, answers, group) -> int:
    """How many subjects a per-ballot share is of (``per_ballot_basis``):
    ``"round"`` (default), those the voter's group rates, whether or not
    the ballot leaves one out (本人不评: ⌊12 × 1/3⌋ = 4 on a 12-member
    branch's ballot of 11 names); ``"ballot"``, those the ballot grades."""
    if rule_checks.setting(spec.rules, "per_ballot_basis") == "ballot" or group is None:
        return len({s for s, _ in answers})
    return len(spec.rated(group))


@hookimpl(trylast=True)
def classify_subjects(spec, result):
    verdicts = {}
    bands = spec.rules.get("bands")
    review = spec.rules.get("review_share") or {}
    for subject in result["subjects"]:
        verdict = {"flags": rules.share_flags(subject, review, "review")}
        if bands:
            verdict["proposal"] = rules.band(subject["score"], bands)
        verdicts[subject["key"]] = verdict
    round_flags = []
    if "quorum" in spec.rules:
        quorum = rules.as_fraction(spec.rules["quorum"], "quorum")
        strict = spec.rules.get("quorum_strict", True)
        if not isinstance(strict, bool):
            raise ValueError(f"rules.quorum_strict must be true or false, got {strict!r}")
        round_flags += rules.quorum_flags(rules.turnout_units(result["turnout"]), quorum,
                                          strict=strict)
    if spec.access == "link" and rule_checks.setting(spec.rules, "void_over_expected"):
        # A code is spent once; a shared link is not, so only there can a
        # group hand in more ballots than it has voters (收回票数多于发出票数).
        round_flags += rules.over_expected_flags(rules.turnout_units(result["turnout"]))
    if round_flags:
        verdicts[None] = {"flags": round_flags}
    return verdicts
