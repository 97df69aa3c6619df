"""The tally: from aggregated :class:`~surveyapp.domain.model.Counts` to scores,
ranks and per-group breakdowns shaped like the tally JSON contract.

Definitions (per group ``g``, subject ``s``, criterion ``c``):

* ``n_cast``   = ballots of ``g`` that include ``s`` (``counts.cast``);
  blanks are ``n_cast`` minus the answers given for ``c``.
* ``score_gsc`` = Σ(count × points) / n_graded over options that carry points;
  abstentions (points ``None``) and blanks are counted but never scored.
* group score   = criterion-weighted mean of the ``score_gsc`` that exist.
* subject score = group-weighted mean of the group scores that exist.  A
  group that does not rate the subject (评价关系, ``rates``) has no score
  for it, so the others' weights are renormalised, and it is not flagged
  missing.  Each
  group counts by its weight, not by its number of ballots (no pooling).

Every weighted mean renormalises over the terms that have a value; if those
terms carry no weight at all the mean is ``None``.  All arithmetic is exact
(:class:`~fractions.Fraction`); :func:`present` rounds for display only, so
ranks always come from unrounded scores.

Anonymity: the group breakdowns that :mod:`.threshold` hides carry no
counts and no score here, so scoring plugins never see them; the subject's
own figures use every group.  What of those may be shown without letting a
hidden group be worked out is :mod:`.disclosure`'s decision, taken after
the tally.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .model import (
    BLANK,
    COMMITMENT_OPTIONS,
    COMMITMENT_POINTS,
    OVERALL,
    Counts,
    Criterion,
    RoundSpec,
    Subject,
    commitment_key,
)
from .threshold import Hidden, hidden_groups, hidden_turnout

__all__ = ["tally", "ranked", "present", "subject_entry", "scale_points", "raters_by_subject",
           "commitments", "hide_commitments"]


def _mean(terms: Iterable[tuple[Fraction, Fraction | None]]) -> Fraction | None:
    """Weighted mean of ``(weight, value)`` over the values that are not None,
    with weights renormalised over those; None if they weigh nothing."""
    pairs = [(Fraction(w), v) for w, v in terms if v is not None]
    total = sum(w for w, _ in pairs)
    if not total:
        return None
    return sum(w * v for w, v in pairs) / total


def _cell(answers: dict[str, int], cast: int,
          points: dict[str, Fraction | None]) -> tuple[dict[str, int], Fraction | None]:
    """Counts (every option plus ``_blank``) and score of one (g, s, c)."""
    row = dict.fromkeys(points, 0)
    for key, n in answers.items():
        if key not in points or n < 0:
            raise ValueError(f"corrupt counts: option {key!r} x {n}")
        row[key] = n
    blank = cast - sum(row.values())
    if blank < 0:
        raise ValueError(f"corrupt counts: {sum(row.values())} answers for {cast} ballots")
    graded = [(n, points[k]) for k, n in row.items() if points[k] is not None]
    n_graded = sum(n for n, _ in graded)
    row[BLANK] = blank
    score = Fraction(sum(n * p for n, p in graded), n_graded) if n_graded else None
    return row, score


def _add(into: dict[str, int], row: dict[str, int]) -> None:
    for key, n in row.items():
        into[key] += n


def scale_points(spec: RoundSpec) -> dict[str, Fraction | None]:
    return {o.key: None if o.points is None else Fraction(o.points) for o in spec.options}


def subject_entry(spec: RoundSpec, counts: Counts, subject: Subject, hidden: Hidden,
                  points: dict[str, Fraction | None] | None = None,
                  raters: frozenset[str] | None = None) -> dict:
    """One entry of ``subjects`` (rank still None) with ``hidden``'s groups
    suppressed.  ``raters``: the groups that rate the subject (评价关系;
    default: worked out from the spec); a group that does not rate it has
    no ballots for it and is not missing."""
    criteria = spec.criteria or (Criterion(OVERALL, OVERALL),)
    points = scale_points(spec) if points is None else points
    if raters is None:
        raters = frozenset(g.key for g in spec.groups if spec.rates(g.key, subject.key))
    zero = dict.fromkeys([*points, BLANK], 0)
    casts = {g.key: counts.cast.get((g.key, subject.key), 0) for g in spec.groups}
    flags: list[str] = []
    groups: dict[str, dict] = {}
    group_scores = []                                   # (weight, score)
    crit_scores = {c.key: [] for c in criteria}         # c -> [(group weight, score)]
    pooled = {c.key: dict(zero) for c in criteria}
    for g in spec.groups:
        cast = casts[g.key]
        summed, per_crit = dict(zero), {}
        for c in criteria:
            row, score = _cell(counts.answers.get((g.key, subject.key, c.key), {}),
                               cast, points)
            _add(summed, row)      # several criteria: counts summed over them
            _add(pooled[c.key], row)
            per_crit[c.key] = score
            crit_scores[c.key].append((g.weight, score))
        gscore = _mean((c.weight, per_crit[c.key]) for c in criteria)
        group_scores.append((g.weight, gscore))
        if cast == 0 and g.weight > 0 and g.key in raters:
            flags.append(f"group_missing:{g.key}")
        groups[g.key] = {"ballots": cast, "counts": summed, "score": gscore,
                         "suppressed": False, "criteria": per_crit}

    for key in hidden.groups:
        groups[key].update(ballots=None, counts=None, score=None,
                           suppressed=True, criteria=None)
    flags += [f"suppressed_group:{g}" for g in hidden.small]
    flags += [f"suppressed_complementary:{g}" for g in hidden.extra]

    # A subject with no ballots at all has nothing to hide: it is just missing.
    hide_all = hidden.whole
    if hide_all:
        flags.append("suppressed")
    # Subject-level figures use all groups, hidden ones included; whether
    # they may be shown is decided afterwards (disclosure.py).
    entry = {
        "key": subject.key, "name": subject.name, "unit": subject.unit,
        "score": None if hide_all else _mean(group_scores),
        "rank": None,
        "groups": groups,
        "criteria": {c.key: {"score": None if hide_all else _mean(crit_scores[c.key]),
                             "counts": None if hide_all else pooled[c.key]}
                     for c in criteria},
        "proposal": None,
        "flags": flags,
    }
    if subject.commitments:
        entry["commitments"], entry["commitment_mean"] = commitments(
            spec, counts, subject, casts, hidden)
    return entry


def commitments(spec: RoundSpec, counts: Counts, subject: Subject, casts: dict[str, int],
                hidden: Hidden) -> tuple[list[dict], Fraction | None]:
    """A subject's commitment items (承诺兑现) over every group that rates it,
    and their mean.  Per item: ``counts`` of each commitment option and
    ``_blank``; ``rate`` (兑现率) = 已兑现 / (已兑现 + 部分兑现 + 未兑现), over
    those who know (不了解 and blanks are counted, never rated); ``score`` =
    (已兑现 + ½·部分兑现) / those who know.  ``commitment_mean`` is the plain
    mean of the items' scores, only when every item is shown and scored
    (a mean beside a hidden item would tell it).  An item known to fewer
    than ``anonymity_min`` ballots (``hidden.items``) or a subject hidden
    as a whole shows nothing but its text."""
    points = dict(COMMITMENT_POINTS)
    cast = sum(casts.values())
    items, scores = [], []
    for i, text in enumerate(subject.commitments):
        key = commitment_key(i)
        pooled: dict[str, int] = {}
        for g in spec.groups:
            for option, n in counts.answers.get((g.key, subject.key, key), {}).items():
                pooled[option] = pooled.get(option, 0) + n
        row, score = _cell(pooled, cast, points)
        known = sum(row[o] for o in COMMITMENT_OPTIONS if points[o] is not None)
        rate = Fraction(row["fulfilled"], known) if known else None
        if hidden.whole or key in hidden.items:
            items.append({"item": text, "counts": None, "rate": None, "score": None,
                          "suppressed": True})
            scores.append(None)
        else:
            items.append({"item": text, "counts": row, "rate": rate, "score": score,
                          "suppressed": False})
            scores.append(score)
    mean = (sum(scores, Fraction(0)) / len(scores)
            if scores and all(v is not None for v in scores) else None)
    return items, mean


def hide_commitments(entry: dict) -> None:
    """Take every commitment figure out of a subject entry, in place (texts kept)."""
    if "commitments" in entry:
        entry["commitments"] = [{"item": c["item"], "counts": None, "rate": None,
                                 "score": None, "suppressed": True}
                                for c in entry["commitments"]]
        entry["commitment_mean"] = None


def tally(spec: RoundSpec, counts: Counts, *,
          score: Callable[[dict], Fraction | None] | None = None,
          hidden: dict[str, Hidden] | None = None,
          turnout_hidden: Collection[str] | None = None) -> dict:
    """Tally a round: turnout per group and, per subject, exact scores, rank
    and breakdowns.  Subjects come in rank order (ties and unscored subjects
    keep spec order, unscored last).  Raises ValueError on corrupt counts
    (more answers than ballots, unknown option keys).  Groups, subjects and
    criteria in ``counts`` that the spec does not list are ignored.

    ``score``, if given, is asked for each subject's score first (a plugin's
    scoring rule); when it returns None the group-weighted mean stands.  It is
    not asked about subjects suppressed as a whole.

    ``hidden`` says which group breakdowns to suppress per subject (default:
    :func:`.threshold.hidden_groups` over every ballot).  ``turnout_hidden``
    names the groups whose turnout is not shown (default:
    :func:`.threshold.hidden_turnout` over every ballot); their turnout
    entries say ``"hidden": True``, so that rules on turnout judge them
    pooled (:func:`.rules.turnout_units`), never one by one."""
    points = scale_points(spec)
    hidden = hidden_groups(spec, counts) if hidden is None else hidden
    if turnout_hidden is None:
        turnout_hidden = hidden_turnout(spec, counts)
    turnout = {g.key: {"ballots": counts.ballots.get(g.key, 0), "expected": g.expected,
                       **({"hidden": True} if g.key in turnout_hidden else {})}
               for g in spec.groups}
    raters = raters_by_subject(spec)
    subjects = [subject_entry(spec, counts, s, hidden.get(s.key, Hidden()), points,
                              raters[s.key])
                for s in spec.subjects]
    if score is not None:
        for entry in subjects:
            if "suppressed" not in entry["flags"]:
                custom = score(entry)
                if custom is not None:
                    entry["score"] = Fraction(custom)
    return {"turnout": turnout, "sheets": sheets(spec, counts), "subjects": ranked(subjects)}


def sheets(spec: RoundSpec, counts: Counts) -> dict[str, dict[str, int | None]]:
    """Per group, the 测评汇总's 发出 / 收回 / 有效 / 废票: ballots handed out
    (``issued``, None when not known, e.g. a shared-link round), returned,
    valid (every ballot counted) and spoiled (paper ballots recorded as 废票)."""
    found = {}
    for g in spec.groups:
        valid = counts.ballots.get(g.key, 0)
        spoiled = counts.spoiled.get(g.key, 0)
        found[g.key] = {"issued": counts.issued.get(g.key), "returned": valid + spoiled,
                        "valid": valid, "spoiled": spoiled}
    return found


def raters_by_subject(spec: RoundSpec) -> dict[str, frozenset[str]]:
    """Per subject key, the groups that rate it (评价关系; every group by default)."""
    rated = {g.key: set(spec.rated(g.key)) for g in spec.groups}
    return {s.key: frozenset(g for g, keys in rated.items() if s.key in keys)
            for s in spec.subjects}


def ranked(subjects: list[dict]) -> list[dict]:
    """Set competition ranks (1, 1, 3) on exact scores, in place, and return
    the subjects in rank order; unscored ones last, ties in given order."""

    # Competition ranking (1, 1, 3) on exact scores; sorted() is stable.
    scored = sorted((s for s in subjects if s["score"] is not None),
                    key=lambda s: s["score"], reverse=True)
    for i, s in enumerate(scored):
        same = i and s["score"] == scored[i - 1]["score"]
        s["rank"] = scored[i - 1]["rank"] if same else i + 1
    unscored = [s for s in subjects if s["score"] is None]
    for s in unscored:
        s["rank"] = None
    return scored + unscored


def _round(value: Fraction, places: int) -> float:
    """ROUND_HALF_UP (ties away from zero), decided exactly on the fraction
    rather than on a finite-precision Decimal quotient."""
    scaled = abs(value) * 10 ** places
    n = int(scaled + Fraction(1, 2))            # floor(x + 1/2) for x >= 0
    return float(Decimal(-n if value < 0 else n).scaleb(-places))


def present(result: Any, places: int = 2) -> Any:
    """JSON-ready copy of a tally result: every Fraction becomes a float
    rounded half up to ``places`` decimals; everything else is unchanged."""
    if isinstance(result, Fraction):
        return _round(result, places)
    if isinstance(result, dict):
        return {k: present(v, places) for k, v in result.items()}
    if isinstance(result, (list, tuple)):
        return type(result)(present(v, places) for v in result)
    return result
