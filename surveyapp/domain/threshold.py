"""Which breakdowns are too small to show: the ``anonymity_min`` rule.

A voter group's breakdown for a subject is hidden when fewer than
``anonymity_min`` of its ballots *grade* the subject.  Two kinds of ballot
do not count toward that:

* A ballot whose answers for the subject are all abstentions (不了解) or
  blanks: it says nothing, and four such ballots typed in beside one real
  one must not make that one visible.  Counts are aggregates, so the number
  of ballots that grade the subject is bounded from below by the criterion
  with the most graded answers; that bound is what counts.
* Paper ballots, when the group has web ballots: someone who types in (or
  imports) paper ballots must not reach the threshold with ballots of their
  own making and so reveal the web ballots.  A group with only paper ballots
  counts them (whoever typed them has already seen them all).

Then further groups are hidden, fewest ballots first, until the hidden ones
together grade the subject at least ``anonymity_min`` times, so that one
hidden group is not the difference between the totals and the others.
Whether what is left shown still pins a hidden group down is the disclosure
auditor's question (:mod:`.disclosure`), not this rule's.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import (
    COMMITMENT_OPTIONS,
    COMMITMENT_POINTS,
    OVERALL,
    Counts,
    RoundSpec,
    commitment_key,
)


@dataclass(frozen=True)
class Hidden:
    """A subject's hidden groups: too small, and hidden on top of them."""

    small: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    #: Even all groups together grade the subject too few times: nothing about
    #: it is shown (it had ballots; a subject with none is just missing).
    whole: bool = False
    #: The subject's commitment items (criterion keys ``commitment:<n>``) whose
    #: figures are hidden: fewer than ``anonymity_min`` ballots know about them
    #: (已兑现, 部分兑现 or 未兑现; web ones where the group has any).
    items: tuple[str, ...] = ()

    @property
    def groups(self) -> tuple[str, ...]:
        return self.small + self.extra


def graded(spec: RoundSpec, counts: Counts, group: str, subject: str) -> int:
    """At least this many ballots of ``group`` grade ``subject``: the most
    graded answers any one criterion has."""
    scored = {o.key for o in spec.options if o.points is not None}
    criteria = [c.key for c in spec.criteria] or [OVERALL]
    return max((sum(n for key, n in counts.answers.get((group, subject, c), {}).items()
                    if key in scored) for c in criteria), default=0)


def _basis(counts: Counts, web: Counts | None, group: str) -> Counts:
    """The ballots that count toward the threshold: web ones where the group has any."""
    return web if web is not None and web.ballots.get(group, 0) else counts


def hidden_groups(spec: RoundSpec, counts: Counts, web: Counts | None = None
                  ) -> dict[str, Hidden]:
    """Per subject key, the groups whose breakdown is not shown.  ``web``
    holds the web ballots' counts alone (None: every ballot counts)."""
    return {s.key: hidden_for(spec, counts, web, s.key) for s in spec.subjects}


def hidden_for(spec: RoundSpec, counts: Counts, web: Counts | None, subject: str) -> Hidden:
    """One subject's hidden groups (see :func:`hidden_groups`)."""
    k = spec.anonymity_min
    cast = {g.key: counts.cast.get((g.key, subject), 0) for g in spec.groups}
    weight = {g.key: graded(spec, _basis(counts, web, g.key), g.key, subject)
              for g in spec.groups}
    small = [g for g, n in cast.items() if n > 0 and weight[g] < k]
    hidden, extra = set(small), []
    total = sum(weight[g] for g in small)
    while small and total < k:
        # Fewest ballots first (hides least); ties: later in spec order first.
        rest = [(n, -i, g) for i, (g, n) in enumerate(cast.items())
                if n > 0 and g not in hidden]
        if not rest:
            break
        _n, _, g = min(rest)
        hidden.add(g)
        extra.append(g)
        total += weight[g]
    # A group whose turnout is hidden (pooled with a small one) shows no
    # breakdown either: its ballots there are its turnout, and the total
    # less them would be the small group's.
    pooled = hidden_turnout(spec, counts, web)
    for g in spec.groups:
        if cast[g.key] > 0 and g.key not in hidden and g.key in pooled:
            hidden.add(g.key)
            extra.append(g.key)
    whole = 0 < sum(cast.values()) and sum(weight.values()) < k
    return Hidden(tuple(small), tuple(extra), whole, _hidden_items(spec, counts, web, subject))


def knowers(counts: Counts, group: str, subject: str, item: str) -> int:
    """Ballots of ``group`` that rate commitment ``item`` of ``subject`` with
    anything but 不了解 (or a blank)."""
    row = counts.answers.get((group, subject, item), {})
    return sum(row.get(o, 0) for o in COMMITMENT_OPTIONS if COMMITMENT_POINTS[o] is not None)


def _hidden_items(spec: RoundSpec, counts: Counts, web: Counts | None,
                  subject: str) -> tuple[str, ...]:
    """A subject's commitment items known to fewer than ``anonymity_min``
    ballots, pooled over its groups (commitments are shown over all groups
    only, never per group)."""
    found = next((s for s in spec.subjects if s.key == subject), None)
    if found is None or not found.commitments:
        return ()
    out = []
    for i in range(len(found.commitments)):
        item = commitment_key(i)
        known = sum(knowers(_basis(counts, web, g.key), g.key, subject, item)
                    for g in spec.groups)
        if known < spec.anonymity_min:
            out.append(item)
    return tuple(out)


def hidden_turnout(spec: RoundSpec, counts: Counts, web: Counts | None = None) -> set[str]:
    """Groups whose turnout is not shown: fewer than ``anonymity_min``
    ballots (web ones where the group has any), none being no secret; and,
    since the round's total is public (the board lists every ballot), enough
    others beside them that the hidden groups' pooled count fits more than one
    split: at least two groups, ``anonymity_min`` ballots, and not one each."""
    return turnout_hidden(
        spec.anonymity_min, {g.key: counts.ballots.get(g.key, 0) for g in spec.groups},
        None if web is None else {g.key: web.ballots.get(g.key, 0) for g in spec.groups})


def turnout_hidden(k: int, ballots: dict[str, int], web: dict[str, int] | None = None
                   ) -> set[str]:
    """:func:`hidden_turnout` on plain figures: ``ballots`` per group key in
    spec order, ``web`` the web ballots among them (None: all count), ``k``
    the round's ``anonymity_min``.  For the live console, which has these
    and no spec."""
    def basis(g: str) -> int:  # web ballots where the group has any (see _basis)
        return web[g] if web is not None and web.get(g, 0) else ballots[g]

    hidden = {g for g in ballots if 0 < basis(g) < k}

    def exposed() -> bool:
        pooled = sum(ballots[g] for g in hidden)
        return bool(hidden) and (len(hidden) < 2 or pooled < max(k, len(hidden) + 1))

    while exposed():
        # Fewest ballots first (hides least); ties: later in spec order first.
        rest = [(n, -i, g) for i, (g, n) in enumerate(ballots.items())
                if n > 0 and g not in hidden]
        if not rest:
            break
        hidden.add(min(rest)[2])
    return hidden
