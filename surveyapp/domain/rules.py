"""Classification rules: turning a tally into proposals and flags.

The software proposes; the 支委会/党员大会 decides ("不能简单地以票取人").
Every threshold is a round setting read from ``spec.rules`` by the plugin
that applies it.  Thresholds compare exactly: "超过" (more than) is ``>``,
"不超过" (not more than) is ``<=``.  Plain data in, plain data out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .model import NUMBER_TEXT, RoundSpec


def as_fraction(value: Any, name: str) -> Fraction:
    """A rule value from TOML (int, float, "1/3") as an exact Fraction."""
    if isinstance(value, bool):
        raise ValueError(f"rules.{name} must be a number, got {value!r}")
    if isinstance(value, str) and not NUMBER_TEXT.fullmatch(value):
        raise ValueError(f"rules.{name} must be a number, got {value!r}")
    try:
        return Fraction(str(value)) if isinstance(value, float) else Fraction(value)
    except (TypeError, ValueError, ZeroDivisionError):
        raise ValueError(f"rules.{name} must be a number, got {value!r}") from None


def pooled_counts(subject: Mapping) -> dict[str, int] | None:
    """Answers per option over all criteria; None when suppressed."""
    total: dict[str, int] = {}
    for entry in subject["criteria"].values():
        if entry["counts"] is None:
            return None
        for key, n in entry["counts"].items():
            total[key] = total.get(key, 0) + n
    return total


def share(subject: Mapping, option: str | Iterable[str]) -> Fraction | None:
    """The share of answers (blanks and abstentions included in the
    denominator: 占测评人数) that chose ``option``, or any of several options
    (满意率 = 满意 + 基本满意); None if nothing to count."""
    counts = pooled_counts(subject)
    if not counts:
        return None
    total = sum(counts.values())
    chosen = [option] if isinstance(option, str) else list(option)
    return Fraction(sum(counts.get(o, 0) for o in chosen), total) if total else None


@dataclass(frozen=True)
class Rate:
    """A rate such as 满意率 with both denominators, so it is never shown
    without saying which: ``chosen`` answers of the options counted,
    ``graded`` answers that carry points (不了解 and blanks aside) and
    ``cast`` answers in all (every ballot that includes the subject, once
    per criterion).  36 满意 of 40 ballots, 2 of them 不了解: 36/38 over
    graded answers, 36/40 over ballots cast."""

    chosen: int
    graded: int
    cast: int

    @property
    def over_graded(self) -> Fraction | None:
        return Fraction(self.chosen, self.graded) if self.graded else None

    @property
    def over_cast(self) -> Fraction | None:
        return Fraction(self.chosen, self.cast) if self.cast else None

    def over(self, basis: str) -> Fraction | None:
        """``"graded"`` or ``"cast"``."""
        if basis not in RATE_BASES:
            raise ValueError(f'a rate is over "graded" or "cast", not {basis!r}')
        return self.over_graded if basis == "graded" else self.over_cast


#: What a rate may be over: graded answers (有效评价) or ballots cast (参评票数).
RATE_BASES = ("graded", "cast")


def rate(counts: Mapping[str, int] | None, options: Iterable[str],
         spec: RoundSpec) -> Rate | None:
    """The rate of ``options`` in ``counts`` (a tally's counts, ``_blank``
    included), or None when the counts are hidden."""
    if counts is None:
        return None
    scored = {o.key for o in spec.options if o.points is not None}
    chosen = set(options)
    return Rate(chosen=sum(n for k, n in counts.items() if k in chosen),
                graded=sum(n for k, n in counts.items() if k in scored),
                cast=sum(counts.values()))


def subject_rate(subject: Mapping, options: Iterable[str], spec: RoundSpec,
                 group: str | None = None) -> Rate | None:
    """A subject's rate over every group (``group`` None) or one group's
    breakdown; None where those counts are not there (suppressed)."""
    if group is None:
        return rate(pooled_counts(subject), options, spec)
    entry = subject["groups"].get(group)
    return None if entry is None else rate(entry["counts"], options, spec)


def rate_rules(value: Any, name: str = "rates") -> list[tuple[str, tuple[str, ...]]]:
    """A ``rates`` rule checked: ``[(label, options), ...]``."""
    if not isinstance(value, list | tuple):
        raise ValueError(f"rules.{name} must be a list of {{ label, options }} tables, "
                         f"got {value!r}")
    checked = []
    for i, entry in enumerate(value):
        if (not isinstance(entry, Mapping) or not isinstance(entry.get("label"), str)
                or not entry["label"].strip() or not isinstance(entry.get("options"), list)
                or not entry["options"]
                or not all(isinstance(o, str) for o in entry["options"])):
            raise ValueError(f"rules.{name}[{i}] must be a table with a label and a list of "
                             f"options, got {entry!r}")
        checked.append((entry["label"].strip(), tuple(entry["options"])))
    return checked


def bands(value: Any, name: str = "bands") -> list[tuple[Fraction, str]]:
    """A ``bands`` rule checked: ``[(min, option), ...]`` from the top.

    ``value`` is e.g. ``[{min = 90, option = "excellent"}, {min = 70, option =
    "qualified"}, ...]``; an entry may also carry a ``label`` for an option
    that is not on the ballot's scale (a cadre's 称职).  The mins must fall.
    """
    if not isinstance(value, list | tuple) or not value:
        raise ValueError(f"rules.{name} must be a list of {{ min, option }} tables, "
                         f"got {value!r}")
    checked: list[tuple[Fraction, str]] = []
    for i, entry in enumerate(value):
        where = f"{name}[{i}]"
        if not isinstance(entry, Mapping) or "min" not in entry or "option" not in entry:
            raise ValueError(f"rules.{where} must be a table with min and option, got {entry!r}")
        if not isinstance(entry["option"], str):
            raise ValueError(f"rules.{where}.option must be an option key, "
                             f"got {entry['option']!r}")
        low = as_fraction(entry["min"], f"{where}.min")
        if checked and low >= checked[-1][0]:
            raise ValueError(f"rules.{name} must go from the highest min down; "
                             f"{where}.min is {entry['min']!r}")
        checked.append((low, entry["option"]))
    return checked


def band(score: Fraction | None, value: Any, name: str = "bands") -> str | None:
    """The option of the first band whose ``min`` the score reaches ("≥");
    None for no score, or a score below every band."""
    if score is None:
        return None
    return next((option for low, option in bands(value, name) if score >= low), None)


def band_below(value: Any, option: str, name: str = "bands") -> str | None:
    """The option of the band under ``option``'s: where a subject goes when a
    quota keeps it out of ``option``."""
    options = [o for _, o in bands(value, name)]
    index = options.index(option) + 1 if option in options else len(options)
    return options[index] if index < len(options) else None


def quota_limit(quota: Fraction, population: int) -> int:
    """How many may get a grade capped at ``quota`` of ``population``:
    "一般不超过1/3" rounds down."""
    return math.floor(quota * population)


def votes(subject: Mapping, option: str) -> int:
    """How many answers (every group and criterion) chose ``option``; 0 when
    the counts are hidden."""
    counts = pooled_counts(subject)
    return 0 if counts is None else counts.get(option, 0)


def tie_break_order(spec: RoundSpec, value: Any) -> tuple[str, ...]:
    """The options whose votes break a tie at a quota (``quota_tie_break``):
    the round's list, or by default the top grade (most points)."""
    if value is None:
        graded = [o for o in spec.options if o.points is not None]
        return (max(graded, key=lambda o: o.points).key,) if graded else ()
    if not isinstance(value, list | tuple) or not all(isinstance(o, str) for o in value):
        raise ValueError(f"rules.quota_tie_break must be a list of options, got {value!r}")
    return tuple(value)


def apply_quota(subjects: list[dict], proposals: dict[str, str | None], option: str,
                limit: int, fallback: str | None,
                tie_break: Sequence[str] = ()) -> dict[str, list[str]]:
    """Cap ``option`` at ``limit`` subjects, best first.

    Best means the higher score, then, among equal scores, more votes for
    each option of ``tie_break`` in turn (e.g. ``("excellent",)``: 8 优秀
    votes beat 7).  Subjects proposed for ``option`` beyond the limit get
    ``fallback`` and the flag ``quota_exceeded:<option>``; those whose place
    was decided by ``tie_break`` also get ``quota_tie_broken:<option>``, so
    the committee sees how.  A tie that is still a tie (same score, same
    votes) straddling the limit is not broken: the tied subjects get no
    proposal and the flag ``quota_tie:<option>``, for the committee to
    decide.  Changes ``proposals`` in place and returns the flags.
    """
    flags: dict[str, list[str]] = {}
    candidates = [s for s in subjects if proposals.get(s["key"]) == option]
    if len(candidates) <= limit:
        return flags

    def rank_key(subject: Mapping) -> tuple:
        return (subject["score"], *(votes(subject, o) for o in tie_break))

    candidates.sort(key=rank_key, reverse=True)  # stable: rank order among equals
    boundary = rank_key(candidates[limit])  # the best left out
    straddles = limit > 0 and rank_key(candidates[limit - 1]) == boundary
    # Equal scores on both sides of the limit: the votes decided who is in.
    broken = limit > 0 and candidates[limit - 1]["score"] == boundary[0]
    for subject in candidates:
        key = rank_key(subject)
        if (broken and subject["score"] == boundary[0]
                and not (straddles and key == boundary)):
            flags.setdefault(subject["key"], []).append(f"quota_tie_broken:{option}")
        if key > boundary:
            continue
        if straddles and key == boundary:
            proposals[subject["key"]] = None
            flags.setdefault(subject["key"], []).append(f"quota_tie:{option}")
        else:
            proposals[subject["key"]] = fallback
            flags.setdefault(subject["key"], []).append(f"quota_exceeded:{option}")
    return flags


@dataclass(frozen=True)
class BallotLimit:
    """``per_ballot_max`` for one option: on one ballot, at most ``allowed``
    of the ``total`` subjects on it may get the option, per criterion.
    ``share`` is the rule as a share (1/3), None when it is a count."""

    option: str
    label: str
    allowed: int
    total: int
    share: Fraction | None


def ballot_limits(spec, subjects_on_ballot: int | None = None) -> list[BallotLimit]:
    """The ``per_ballot_max`` rule for a ballot of ``subjects_on_ballot``
    subjects (default: all of the round's): a value below 1 is a share,
    rounded down ("不超过1/3" of 10 is 3); 1 or more is a count.  Options
    not on the scale are left out.  Raises ValueError on a value that is no
    number."""
    total = len(spec.subjects) if subjects_on_ballot is None else subjects_on_ballot
    limits = []
    for key, value in (spec.rules.get("per_ballot_max") or {}).items():
        option = spec.option(key)
        if option is None:
            continue
        limit = as_fraction(value, f"per_ballot_max.{key}")
        allowed = int(limit) if limit >= 1 else math.floor(limit * total)
        limits.append(BallotLimit(key, option.label, allowed, total,
                                  None if limit >= 1 else limit))
    return limits


def proposal_labels(spec) -> dict[str, str]:
    """Words for proposals: the scale's labels, and the ``label`` of any
    ``bands`` entry whose option is not on the scale (a cadre's 称职), so a
    proposal is never shown as its key."""
    labels = {o.key: o.label for o in spec.options}
    value = spec.rules.get("bands")
    for entry in value if isinstance(value, list | tuple) else []:
        if isinstance(entry, Mapping) and isinstance(entry.get("label"), str):
            labels.setdefault(str(entry.get("option")), entry["label"])
    return labels


#: The unit that stands for the groups whose turnout is not shown, pooled.
POOLED = "hidden"


def turnout_units(turnout: Mapping[str, Mapping]) -> dict[str, Mapping]:
    """The tally's turnout as rules on turnout must judge it: each shown
    group on its own, and the groups whose turnout is not shown (``"hidden"``)
    together as one unit, ``POOLED``.  A flag on one of them alone would
    bound its hidden count (expected 3, quorum ½, not met: 1 ballot); their
    pooled count is the shown total less the shown groups', no secret.  The
    pooled expected number is unknown if any of them has none."""
    units = {g: t for g, t in turnout.items() if not t.get("hidden")}
    pooled = [t for t in turnout.values() if t.get("hidden")]
    if pooled:
        expected = [t.get("expected") for t in pooled]
        units[POOLED] = {"ballots": sum(t["ballots"] for t in pooled),
                         "expected": None if None in expected else sum(expected)}
    return units


def quorum_flags(turnout: Mapping[str, Mapping], quorum: Fraction, *,
                 strict: bool = True) -> list[str]:
    """``quorum_not_met:<group>`` for each group with an expected number whose
    ballots miss the quorum.  ``strict``: more than that share of those
    expected (到会过半: ballots > expected / 2); otherwise at least that
    share ("不少于 2/3")."""
    def met(ballots: int, expected: int) -> bool:
        need = quorum * expected
        return ballots > need if strict else ballots >= need

    return [f"quorum_not_met:{group}" for group, t in turnout.items()
            if t.get("expected") and not met(t["ballots"], t["expected"])]


def share_flags(subject: Mapping, thresholds: Mapping[str, Any], prefix: str) -> list[str]:
    """``<prefix>:<option>`` for each option whose share is more than its
    threshold ("超过"), e.g. 不合格票超过1/3 → review."""
    flags = []
    for option, threshold in thresholds.items():
        value = share(subject, option)
        if value is not None and value > as_fraction(threshold, f"{prefix}.{option}"):
            flags.append(f"{prefix}:{option}")
    return flags


def over_expected_flags(turnout: Mapping[str, Mapping]) -> list[str]:
    """``over_expected:<group>`` for each group with more ballots than it
    has voters expected: 收回票数多于发出票数, the 测评 is void and must be
    held again (须重新评议).  A shared link cannot stop one person voting
    twice from two browsers; this is how it shows."""
    return [f"over_expected:{group}" for group, t in turnout.items()
            if t.get("expected") is not None and t["ballots"] > t["expected"]]


__all__ = ["BallotLimit", "RATE_BASES", "Rate", "apply_quota", "as_fraction", "ballot_limits",
           "band", "band_below", "bands", "over_expected_flags", "pooled_counts", "proposal_labels",
           "quorum_flags", "quota_limit", "rate", "rate_rules", "share", "share_flags",
           "subject_rate", "tie_break_order", "turnout_units", "votes"]
