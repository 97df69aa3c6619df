"""The summary table: one row per subject, built from the exact tally.

Every results view (the secretary's page, XLSX, PDF, the 公示 page) reads
these rows, so suppression is decided once: a row or group breakdown that
the tally suppressed carries no counts, shares or score here either.

Shares are 占测评人数: the denominator is every answer given for the
subject, blanks and abstentions (不了解) included, which with one criterion
is the number of ballots that include the subject.  Values stay exact
(Fractions); :func:`percent` and :func:`points` round for display only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from ..domain import rules
from ..domain.model import BLANK, RoundSpec
from ..domain.rules import pooled_counts, proposal_labels
from ..domain.tally import present

SORTS = ("rank", "name", "unit")
#: The exports' words for a group turnout below the threshold.
HIDDEN_TURNOUT = "人数较少，不单独显示"
#: The exports' note under a table that may hide figures.
HIDDEN_NOTE = ("少于 {k} 张票的分组结果为保护匿名不显示；为防止由其余数字推算出小组结果，"
               "部分数字也不显示（见标记）。")
#: With the committee's 评定 beside it, the software's proposal is headed
#: 测评建议, so nobody takes the one for the other (services/decisions.py).
PROPOSAL_DECIDED = "测评建议"
DECISION = "评定"
REASON = "评定理由"
DECISIONS_NOTE = ("测评建议是系统根据投票给出的参考；评定由支委会（党员大会）结合日常表现作出，"
                  "与测评建议不同时写明理由。")
#: The proposal filter's value for subjects with no proposal.
NO_PROPOSAL = "-"


@dataclass
class Breakdown:
    """One voter group's part of a subject's result."""

    key: str
    label: str
    ballots: int | None
    counts: dict[str, int] | None
    shares: dict[str, Fraction] | None
    score: Fraction | None
    criteria: dict[str, Fraction | None] | None
    #: None when shown; "small" (fewer ballots than anonymity_min) or
    #: "complementary" (hidden so the small one cannot be subtracted out).
    hidden: str | None = None


@dataclass
class Row:
    key: str
    name: str
    unit: str
    rank: int | None
    score: Fraction | None
    #: 测评人数: ballots that include the subject (None when hidden).
    ballots: int | None
    #: The shares' denominator: ballots × criteria (None when hidden).
    answers: int | None
    counts: dict[str, int] | None
    shares: dict[str, Fraction] | None
    criteria: dict[str, Fraction | None]
    proposal: str | None
    flags: list[str]
    groups: list[Breakdown] = field(default_factory=list)
    #: The whole subject had fewer than anonymity_min ballots.
    hidden: bool = False


def _shares(counts: dict[str, int] | None) -> dict[str, Fraction] | None:
    if counts is None:
        return None
    total = sum(counts.values())
    if not total:
        return None
    return {key: Fraction(n, total) for key, n in counts.items()}


def _hidden_reason(flags: list[str], group: str) -> str:
    if f"suppressed_complementary:{group}" in flags:
        return "complementary"
    return "small"


def rows(result: dict, spec: RoundSpec) -> list[Row]:
    """The subjects of an exact tally (see :func:`surveyapp.results.tally_round`)
    in rank order, as rows."""
    out = []
    for subject in result["subjects"]:
        counts = pooled_counts(subject)
        first = next(iter(subject["criteria"].values()), None)
        ballots = (sum(first["counts"].values())
                   if first is not None and first["counts"] is not None else None)
        groups = []
        for g in spec.groups:
            entry = subject["groups"].get(g.key)
            if entry is None:
                continue
            hidden = _hidden_reason(subject["flags"], g.key) if entry["suppressed"] else None
            groups.append(Breakdown(
                key=g.key, label=g.label, ballots=entry["ballots"], counts=entry["counts"],
                shares=_shares(entry["counts"]), score=entry["score"],
                criteria=entry["criteria"], hidden=hidden))
        out.append(Row(
            key=subject["key"], name=subject["name"], unit=subject["unit"],
            rank=subject["rank"], score=subject["score"], ballots=ballots,
            answers=sum(counts.values()) if counts is not None else None,
            counts=counts, shares=_shares(counts),
            criteria={k: v["score"] for k, v in subject["criteria"].items()},
            proposal=subject["proposal"], flags=list(subject["flags"]), groups=groups,
            hidden="suppressed" in subject["flags"]))
    return out


@dataclass
class CommitmentLine:
    """One commitment item of a subject, as every results view lists it
    (counts, 兑现率 and score None when hidden); the subject's mean on its
    first item's line."""

    subject: str
    name: str
    number: int
    item: str
    counts: dict[str, int] | None
    rate: Fraction | None
    score: Fraction | None
    mean: Fraction | None = None
    first: bool = False


#: The commitment scale's columns, in order (the ballot's labels).
COMMITMENT_COLUMNS = (("fulfilled", "已兑现"), ("partly", "部分兑现"), ("not", "未兑现"),
                      ("unknown", "不了解"))
COMMITMENT_SHEET = "承诺兑现"
#: Places of a commitment percentage: the result keeps a share to 2 places
#: (0.88 for 7/8), a whole percent; "88.0%" would claim a tenth it lacks
#: (87.5% exactly).
COMMITMENT_PLACES = 0
COMMITMENT_NOTE = ("注：兑现率 = 已兑现 ÷（已兑现 + 部分兑现 + 未兑现），不了解和空白不计入；"
                   "兑现得分 = （已兑现 × 1 + 部分兑现 × 0.5）÷ 了解人数；均分为该人各项兑现得分"
                   "的平均。了解人数少于 {k} 人的事项为保护匿名不显示，此时也不显示均分。")


def commitment_lines(result: dict) -> list[CommitmentLine]:
    """Every subject's commitment items, subjects in the result's (rank) order."""
    lines = []
    for subject in result["subjects"]:
        for number, item in enumerate(subject.get("commitments") or [], start=1):
            lines.append(CommitmentLine(
                subject["key"], subject["name"], number, item["item"], item["counts"],
                item["rate"], item["score"],
                subject.get("commitment_mean") if number == 1 else None, number == 1))
    return lines


def count_columns(spec: RoundSpec, table: Iterable[Row],
                  blank_label: str = "空白") -> list[tuple[str, str]]:
    """``(key, label)`` of the grade columns: every option, then blanks only
    if some shown row has any (blanks come from paper ballots)."""
    columns = [(o.key, o.label) for o in spec.options]
    if any(r.counts and r.counts.get(BLANK) for r in table):
        columns.append((BLANK, blank_label))
    return columns


def turnout_rows(result: dict, spec: RoundSpec) -> list[dict]:
    """Per group: label, ballots, expected and the exact rate (None when no
    expected number was set).  ``ballots`` is None, and ``hidden`` true, for
    a group whose turnout is below the threshold: not shown per group."""
    table = []
    for g in spec.groups:
        t = result["turnout"].get(g.key, {"ballots": 0, "expected": g.expected})
        expected = t.get("expected")
        hidden = t["ballots"] is None
        rate = Fraction(t["ballots"], expected) if expected and not hidden else None
        table.append({"key": g.key, "label": g.label, "weight": g.weight,
                      "ballots": t["ballots"], "expected": expected, "rate": rate,
                      "hidden": hidden})
    return table


def turnout_text(entry: dict, hidden_text: str = "—") -> str:
    """"28/32 (87.5%)": the rate always with its denominator; ``hidden_text``
    for a turnout below the threshold."""
    if entry["ballots"] is None:
        return hidden_text
    if entry["expected"] is None:
        return str(entry["ballots"])
    return f"{entry['ballots']}/{entry['expected']} ({percent(entry['rate'])})"


def percent(value: Fraction | None, places: int = 1) -> str:
    """A share as text, rounded half up for display: 0.875 → "87.5%"."""
    if value is None:
        return "—"
    return f"{present(value * 100, places):.{places}f}%"


#: A reported rate's two columns: over graded answers, over ballots cast.
RATE_BASES = {"zh": ("按有效评价", "按参评票数"), "en": ("graded answers", "ballots cast")}


def reported_rates(spec: RoundSpec) -> list[tuple[str, tuple[str, ...]]]:
    """The round's ``reported_rates``: ``[(label, options), ...]``."""
    return rules.rate_rules(spec.rules.get("reported_rates") or [], "reported_rates")


def rate_headers(spec: RoundSpec, lang: str = "zh") -> list[str]:
    """Two headers per reported rate, each naming its denominator."""
    graded, cast = RATE_BASES["en" if lang == "en" else "zh"]
    template = "{label} ({basis})" if lang == "en" else "{label}（{basis}）"
    return [template.format(label=label, basis=basis)
            for label, _ in reported_rates(spec) for basis in (graded, cast)]


def rate_cells(counts: dict[str, int] | None, spec: RoundSpec) -> list[str]:
    """Two cells per reported rate: "36/38 (94.74%)" over graded answers and
    "36/40 (90.00%)" over ballots cast; empty where the counts are hidden."""
    cells = []
    for _label, options in reported_rates(spec):
        found = rules.rate(counts, options, spec)
        if found is None:
            cells += ["", ""]
            continue
        cells += [_ratio(found.chosen, found.graded), _ratio(found.chosen, found.cast)]
    return cells


def _ratio(part: int, whole: int) -> str:
    return f"{part}/{whole} ({percent(Fraction(part, whole), 2)})" if whole else ""


def points(value: Fraction | None) -> str:
    """A score as text with two decimals (rounded half up); "—" if none."""
    return "—" if value is None else f"{present(value):.2f}"


def option_label(spec: RoundSpec, key: str | None) -> str:
    """A grade or proposal in words: the scale's label, or a band's (a
    cadre's 称职 is proposed but not on the ballot)."""
    if key is None:
        return ""
    return proposal_labels(spec).get(key, key)


def max_points(spec: RoundSpec) -> Fraction | None:
    graded = [o.points for o in spec.options if o.points is not None]
    return max(graded) if graded else None


# -- the page's sorting and filtering (plain query values in, rows out) --------

def select(table: list[Row], *, sort: str = "rank", unit: str = "", proposal: str = "",
           flagged: bool = False) -> list[Row]:
    """Filter by unit, by proposal (:data:`NO_PROPOSAL` for none) and to
    flagged rows, then sort by rank (unranked last), name or unit.  Sorts
    are stable, so equal names keep rank order."""
    chosen = [r for r in table
              if (not unit or r.unit == unit)
              and (not proposal or (r.proposal or NO_PROPOSAL) == proposal)
              and (not flagged or r.flags)]
    if sort == "name":
        chosen.sort(key=lambda r: r.name)
    elif sort == "unit":
        chosen.sort(key=lambda r: r.unit)
    else:
        chosen.sort(key=lambda r: (r.rank is None, r.rank or 0))
    return chosen


def units(table: Iterable[Row]) -> list[str]:
    return sorted({r.unit for r in table if r.unit})
