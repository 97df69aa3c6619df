"""surveyapp's own ``[rules]`` settings that the spec checks when a round is
created, so a bad value is refused with its file, line and field rather
than found on the first ballot or at the count.

Each setting has a default (:data:`DEFAULTS`); :func:`setting` reads a
round's value or that default.  Plain data in, plain data out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from .model import NUMBER_TEXT
from .model import show as _show

#: What the per-ballot limits (``per_ballot_max``) are a share of:
#: ``"round"``, the subjects the voter's group rates (⌊12 × 1/3⌋ = 4 on a
#: 12-member branch's ballot even when it leaves the voter's own name out);
#: ``"ballot"``, the subjects the ballot actually grades (⌊11 × 1/3⌋ = 3).
PER_BALLOT_BASES = ("round", "ballot")

#: Defaults of the settings below.
DEFAULTS: dict[str, Any] = {
    "per_ballot_basis": "round",
    # None: the scale's top grade (the option with the most points).
    "quota_tie_break": None,
    "void_over_expected": True,
    # A voter may leave one name, their own, off the ballot (本人不评).
    "leave_own_name_out": False,
    # No rates reported unless the round names some.
    "reported_rates": [],
    # 限期改正 follow-up: subjects whose commitment mean (承诺兑现) is below this.
    "commitment_followup_below": "0.6",
}


@dataclass(frozen=True)
class Problem:
    message: str
    field: str
    params: dict = field(default_factory=dict)


def setting(rules: Mapping, name: str) -> Any:
    """The round's value of a setting, or its default."""
    return rules.get(name, DEFAULTS[name])


def check(rules: Mapping, options: Sequence[str], groups: Sequence[str]) -> list[Problem]:
    """Problems with surveyapp's own settings in ``rules``."""
    problems = []
    if "per_ballot_basis" in rules and rules["per_ballot_basis"] not in PER_BALLOT_BASES:
        problems.append(Problem('per_ballot_basis must be "round" or "ballot", got %(got)s',
                                "rules.per_ballot_basis",
                                {"got": _show(rules["per_ballot_basis"])}))
    if "quota_tie_break" in rules:
        order = rules["quota_tie_break"]
        if not isinstance(order, list | tuple):
            problems.append(Problem(
                "quota_tie_break must be a list of options whose votes break a tie, in "
                "order (an empty list flags every tie), got %(got)s",
                "rules.quota_tie_break", {"got": _show(order)}))
        else:
            for i, key in enumerate(order):
                if key not in options:
                    problems.append(Problem(
                        "quota_tie_break names %(got)s, which is not an option; options: "
                        "%(known)s", f"rules.quota_tie_break[{i}]",
                        {"got": _show(key), "known": ", ".join(options)}))
    if "reported_rates" in rules:
        problems += _check_rates(rules["reported_rates"], options)
    if "commitment_followup_below" in rules:
        value = rules["commitment_followup_below"]
        if share_value(value) is None:
            problems.append(Problem(
                'commitment_followup_below must be a share from 0 to 1 such as 0.6 or "3/5", '
                "got %(got)s", "rules.commitment_followup_below", {"got": _show(value)}))
    for name in ("void_over_expected", "leave_own_name_out"):
        if name in rules and not isinstance(rules[name], bool):
            problems.append(Problem("%(name)s must be true or false, got %(got)s",
                                    f"rules.{name}", {"name": name, "got": _show(rules[name])}))
    return problems


def share_value(value: Any) -> Fraction | None:
    """A share from 0 to 1 given as a number or a text such as "3/5"; None if it is not one."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    if isinstance(value, str) and not NUMBER_TEXT.fullmatch(value):
        return None
    try:
        share = Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError):
        return None
    return share if 0 <= share <= 1 else None


def _check_rates(value: Any, options: Sequence[str]) -> list[Problem]:
    field = "rules.reported_rates"
    if not isinstance(value, list | tuple):
        return [Problem("reported_rates must be a list of { label, options } tables, "
                        "got %(got)s", field, {"got": _show(value)})]
    problems = []
    for i, entry in enumerate(value):
        where = f"{field}[{i}]"
        if (not isinstance(entry, Mapping) or set(entry) - {"label", "options"}
                or not isinstance(entry.get("label"), str) or not entry["label"].strip()
                or not isinstance(entry.get("options"), list | tuple) or not entry["options"]):
            problems.append(Problem("each reported rate needs a label and a list of options "
                                    "(and nothing else), got %(got)s", where,
                                    {"got": _show(entry)}))
            continue
        for j, key in enumerate(entry["options"]):
            if key not in options:
                problems.append(Problem("%(got)s is not an option; options: %(known)s",
                                        f"{where}.options[{j}]",
                                        {"got": _show(key), "known": ", ".join(options)}))
    return problems


__all__ = ["DEFAULTS", "PER_BALLOT_BASES", "Problem", "check", "setting", "share_value"]
