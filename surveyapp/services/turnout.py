"""Turnout: the only live figures of an open round, counts only.  Never
which code was used, or when."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from ..database import db
from ..domain import rules, threshold
from ..models import Ballot, Round, VoterCode
from . import codes


def turnout(round_: Round) -> dict[str, dict[str, int | None]]:
    """Ballots per group next to the expected number."""
    rows = dict(db.session.execute(
        select(Ballot.group_id, func.count()).where(Ballot.round_id == round_.id)
        .group_by(Ballot.group_id)).all())
    return {g.key: {"ballots": rows.get(g.id, 0), "expected": g.expected} for g in round_.groups}


def hidden(round_: Round, figures: dict[str, dict[str, int | None]]) -> set[str]:
    """The groups whose turnout is not shown, by the rule the results and
    the board use (``threshold.hidden_turnout``): a small group's, and, as
    the total is shown beside them, enough others that the hidden ones'
    pooled count cannot be told apart."""
    paper = paper_ballots(round_)
    ballots = {key: t["ballots"] for key, t in figures.items()}  # in spec order
    return threshold.turnout_hidden(round_.anonymity_min, ballots,
                                    {key: n - paper.get(key, 0) for key, n in ballots.items()})


def shown_turnout(round_: Round) -> dict[str, dict]:
    """:func:`turnout` as lists show it: ``ballots`` None when hidden."""
    figures = turnout(round_)
    secret = hidden(round_, figures)
    return {key: {**t, "ballots": None if key in secret else t["ballots"]}
            for key, t in figures.items()}
def below_quorum(round_: Round) -> list[dict]:
    """The groups whose ballots so far miss the round's ``quorum`` rule (the
    same test as the ``quorum_not_met`` flag of the results): each with its
    label, ballots and expected number.  None without a quorum rule."""
    settings = json.loads(round_.rules_json or "{}")
    if "quorum" not in settings:
        return []
    try:
        quorum = rules.as_fraction(settings["quorum"], "quorum")
    except ValueError:
        return []
    figures = turnout(round_)
    secret = hidden(round_, figures)
    # Judged as the results judge it: the hidden groups pooled, never one by one.
    units = rules.turnout_units({key: {**t, "hidden": key in secret} for key, t in figures.items()})
    strict = settings.get("quorum_strict", True) is not False
    flagged = rules.quorum_flags(units, quorum, strict=strict)
    labels = {g.key: g.label for g in round_.groups}
    pooled = ", ".join(labels[key] for key in figures if key in secret)
    return [{"label": labels.get(key, pooled), **units[key], "quorum": quorum,
             "pooled": key == rules.POOLED, "strict": strict}
            for key in (flag.split(":", 1)[1] for flag in flagged)]


def ballots_cast(round_: Round) -> int:
    return sum(t["ballots"] for t in turnout(round_).values())


def paper_ballots(round_: Round) -> dict[str, int]:
    """Paper ballots so far per group key."""
    keys = {g.id: g.key for g in round_.groups}
    return {keys[gid]: n for gid, n in db.session.execute(
        select(Ballot.group_id, func.count())
        .where(Ballot.round_id == round_.id, Ballot.channel == "paper")
        .group_by(Ballot.group_id))}


def spoiled(round_: Round) -> dict[str, int]:
    """Paper ballots recorded as 废票 so far, per group key."""
    return {g.key: g.spoiled or 0 for g in round_.groups}


def panel(round_: Round) -> dict:
    """The console's turnout panel: ballots per group (with the share of
    those expected) and per channel, codes per group and status."""
    figures = turnout(round_)
    secret = hidden(round_, figures)
    channels = dict(db.session.execute(
        select(Ballot.channel, func.count()).where(Ballot.round_id == round_.id)
        .group_by(Ballot.channel)).all())
    codes_by_group: dict[int, dict[str, int]] = {}
    for group_id, status, n in db.session.execute(
            select(VoterCode.group_id, VoterCode.status, func.count())
            .where(VoterCode.round_id == round_.id, VoterCode.test.is_(False))
            .group_by(VoterCode.group_id, VoterCode.status)):
        codes_by_group.setdefault(group_id, {})[status] = n
    rows = []
    for group in round_.groups:
        t = figures[group.key]
        percent = (100 * t["ballots"] // t["expected"]) if t["expected"] else None
        rows.append({"group": group, "ballots": t["ballots"], "expected": t["expected"],
                     "percent": percent, "codes": codes_by_group.get(group.id, {}),
                     "hidden": group.key in secret})
    return {"rows": rows, "total": sum(r["ballots"] for r in rows),
            "expected": sum(r["expected"] or 0 for r in rows) or None,
            "channels": channels, "spoiled": sum(spoiled(round_).values()),
            "codes": codes.counts(round_)}
