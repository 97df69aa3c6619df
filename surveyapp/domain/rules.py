"""Classification rules: turning a tally into proposals and flags.

The software proposes; the 支委会/党员大会 decides ("不能简单地以票取人").
Every threshold is a round setting read from ``spec.rules`` by the plugin
that applies it.  Thresholds compare exactly: "超过" (more than) is ``>``,
"不超过" (not more than) is ``<=``.  Plain data in, plain data out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any


def as_fraction(value: Any, name: str) -> Fraction:
    """A rule value from TOML (int, float, "1/3") as an exact Fraction."""
    if isinstance(value, bool):
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


def apply_quota(subjects: list[dict], proposals: dict[str, str | None], option: str,
                limit: int, fallback: str | None) -> dict[str, list[str]]:
    """Cap ``option`` at ``limit`` subjects, best ranked first.

    Subjects proposed for ``option`` beyond the limit get ``fallback`` and the
    flag ``quota_exceeded:<option>``.  A tie that straddles the limit is not
    broken: the tied subjects get no proposal and the flag
    ``quota_tie:<option>``, for the committee to decide.  ``subjects`` must
    be in rank order.  Changes ``proposals`` in place and returns the flags.
    """
    flags: dict[str, list[str]] = {}
    candidates = [s for s in subjects if proposals.get(s["key"]) == option]
    if len(candidates) <= limit:
        return flags
    boundary = candidates[limit]["score"]  # the best score left out
    straddles = limit > 0 and candidates[limit - 1]["score"] == boundary
    for subject in candidates:
        if subject["score"] > boundary:
            continue
        if straddles and subject["score"] == boundary:
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


__all__ = ["BallotLimit", "apply_quota", "as_fraction", "ballot_limits", "band", "band_below",
           "bands", "pooled_counts", "proposal_labels", "quorum_flags", "quota_limit", "share",
           "share_flags"]
