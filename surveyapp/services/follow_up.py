"""A 限期改正 follow-up round (承诺兑现, issue 14): a counted round's subjects
whose commitment mean is below a threshold, copied into a new draft with
their commitment items, to be rated again once the deadline for putting
things right has passed.

The mean compared is the one the results show (two places), so the list is
what the secretary reads on the results page; a subject whose mean is
hidden (too few ballots know about its items) is not taken, since nobody
may read it.  The threshold is the round's ``commitment_followup_below``
rule (default 0.6), or the one asked for.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

from ..database import db
from ..domain import lifecycle, rule_checks
from ..domain.model import UNIT_PREFIX, RoundSpec, Subject
from ..models import Round
from . import audit, orgs, results
from .counting import not_counted_error
from .errors import RoundError
from .rounds import create_round

#: What a follow-up round's title adds to the round's.
TITLE_SUFFIX = "（限期改正）"


def threshold(spec: RoundSpec) -> Fraction:
    """The round's follow-up threshold: its rule, or the default."""
    found = rule_checks.share_value(rule_checks.setting(spec.rules,
                                                        "commitment_followup_below"))
    return found if found is not None else Fraction(3, 5)


def _below(round_: Round, limit: Fraction | None
           ) -> tuple[RoundSpec, Fraction, list[tuple[Subject, Fraction]]]:
    """The round's spec, the limit (default: the round's rule) and the
    subjects of the counted round whose shown commitment mean is below it,
    with that mean, in spec order.  RoundError when the round is not counted
    or has no commitments."""
    if not lifecycle.shows_results(round_.status):
        raise not_counted_error(round_)
    found = results.results(round_)
    spec = found.spec
    if not any(s.commitments for s in spec.subjects):
        raise RoundError("round %(slug)s has no commitment items: there is nothing to follow "
                         "up", slug=round_.slug)
    limit = threshold(spec) if limit is None else limit
    shown = {s["key"]: s.get("commitment_mean") for s in found.exact["subjects"]}
    return spec, limit, [(s, shown[s.key]) for s in spec.subjects
                         if shown.get(s.key) is not None and shown[s.key] < limit]


def follow_up_round(round_: Round, *, actor: str, limit: Fraction | None = None,
                    title: str | None = None
                    ) -> tuple[Round, list[tuple[Subject, Fraction]]]:
    """A new draft, in the round's organisation, with its settings, groups and
    trustees and only the subjects whose commitment mean is below ``limit``,
    each with its commitment items; with those subjects and their means.
    RoundError when there is none."""
    spec, limit, chosen = _below(round_, limit)
    if not chosen:
        raise RoundError("no subject of round %(slug)s has a commitment mean below "
                         "%(limit)s: no follow-up round to make", slug=round_.slug,
                         limit=f"{float(limit):.0%}")
    new_title = (round_.title + TITLE_SUFFIX) if title is None else title.strip()
    if not new_title or len(new_title) > 200:
        raise RoundError("a round's title is 1 to 200 characters")
    subjects = tuple(s for s, _ in chosen)
    follow = dataclasses.replace(spec, title=new_title, subjects=subjects,
                                 groups=tuple(_rates_kept(g, subjects) for g in spec.groups),
                                 opens_at=None, closes_at=None)
    made = create_round(follow, actor=actor, org=orgs.get(round_.org_id))
    audit.record("round.follow_up", actor, made,
                 f"from {round_.slug}: {len(subjects)} below {float(limit):.0%}")
    db.session.commit()
    return made, chosen


def _rates_kept(group, subjects: tuple[Subject, ...]):
    """A group's 评价关系 narrowed to the subjects kept; a group that rated
    none of them rates them all (the 限期改正 is about them alone)."""
    if group.rates is None:
        return group
    keys = {s.key for s in subjects}
    units = {s.unit for s in subjects}
    kept = tuple(e for e in group.rates if e in keys
                 or (e.startswith(UNIT_PREFIX) and e[len(UNIT_PREFIX):] in units))
    return dataclasses.replace(group, rates=kept or None)
