"""A round's optional deadlines (``opens_at``, ``closes_at``): the round's own
settings, stored in UTC.  Ballots are refused before the one and from the
other on (voting/casting.py checks them in the same SQL that spends a code,
so a refused ballot leaves its code unused).  Nothing about one ballot gains
a time: the ballot keeps its date only (SECURITY.md).

A deadline written without an offset is the organisation's local time
(``SURVEYAPP_TIMEZONE``, default Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, has_app_context

from ..database import db
from ..domain import lifecycle
from ..domain.model import RoundSpec, SpecError, SpecErrors
from ..models import Round, utcnow
from . import audit
from .errors import RoundError

DEFAULT_ZONE = "Asia/Shanghai"


def local_zone() -> dt.tzinfo:
    name = current_app.config.get("TIMEZONE", DEFAULT_ZONE) if has_app_context() else DEFAULT_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.timezone(dt.timedelta(hours=8), "UTC+8")


def to_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """As stored: naive UTC; a naive ``moment`` is local time."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=local_zone())
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def from_utc(stored: dt.datetime | None) -> dt.datetime | None:
    """A stored deadline as an aware UTC datetime (for the spec)."""
    return None if stored is None else stored.replace(tzinfo=dt.UTC)


def local(stored: dt.datetime | None) -> dt.datetime | None:
    """A stored deadline in local time, for showing (naive, to the minute)."""
    if stored is None:
        return None
    return stored.replace(tzinfo=dt.UTC).astimezone(local_zone()).replace(tzinfo=None)


def check(spec: RoundSpec, *, source: str = "<spec>",
          now: dt.datetime | None = None) -> None:
    """Deadlines a new or edited round may have: ``closes_at`` after
    ``opens_at`` (once both are in UTC) and not already past.  SpecErrors
    naming the field otherwise."""
    now = now or utcnow()
    opens, closes = to_utc(spec.opens_at), to_utc(spec.closes_at)
    problems = []
    if closes is not None and closes <= now:
        problems.append(SpecError("closes_at %(when)s has passed already", source=source,
                                  field="closes_at",
                                  params={"when": _shown(closes)}))
    elif opens is not None and closes is not None and closes <= opens:
        problems.append(SpecError("closes_at must come after opens_at (%(opens)s)",
                                  source=source, field="closes_at",
                                  params={"opens": _shown(opens)}))
    if problems:
        raise SpecErrors(problems)


def _shown(stored: dt.datetime) -> str:
    return f"{local(stored):%Y-%m-%d %H:%M}"


def write(round_: Round, spec: RoundSpec) -> None:
    """Store the spec's deadlines on the round (not committed)."""
    round_.opens_at = to_utc(spec.opens_at)
    round_.closes_at = to_utc(spec.closes_at)


def refusal(round_: Round, now: dt.datetime | None = None) -> str | None:
    """"not_yet", "deadline" or None for a ballot to ``round_`` now."""
    return lifecycle.deadline_refusal(now or utcnow(), round_.opens_at, round_.closes_at)


def set_closes_at(round_: Round, closes_at: dt.datetime | None, *, actor: str) -> None:
    """Move (or remove) the deadline of a draft or open round, committed:
    voting that runs late is common, and the deadline is not part of what
    the round's key binds."""
    if not (lifecycle.settings_editable(round_.status) or lifecycle.accepts_ballots(round_.status)):
        raise RoundError("round %(slug)s is %(status)s; its deadline can no longer change",
                         slug=round_.slug, status=round_.status)
    stored = to_utc(closes_at)
    if stored is not None and stored <= utcnow():
        raise RoundError("closes_at %(when)s has passed already", when=_shown(stored))
    if stored is not None and round_.opens_at is not None and stored <= round_.opens_at:
        raise RoundError("closes_at must come after opens_at (%(opens)s)",
                         opens=_shown(round_.opens_at))
    round_.closes_at = stored
    audit.record("round.deadline", actor, round_,
                 f"closes_at={_shown(stored)}" if stored else "closes_at=none")
    db.session.commit()


def remaining(round_: Round, now: dt.datetime | None = None) -> dt.timedelta | None:
    """Time left before ``closes_at`` (never negative), or None without one."""
    if round_.closes_at is None:
        return None
    return max(round_.closes_at - (now or utcnow()), dt.timedelta(0))


def summary(round_: Round, now: dt.datetime | None = None) -> dict:
    """What the console shows of a round's deadlines: each in local time,
    whether they refuse ballots now ("not_yet", "deadline" or None) and the
    time left before ``closes_at`` in whole days, hours and minutes."""
    now = now or utcnow()
    left = remaining(round_, now)
    minutes = None if left is None else int(left.total_seconds() // 60)
    return {"opens_at": local(round_.opens_at), "closes_at": local(round_.closes_at),
            "state": refusal(round_, now),
            "left": None if minutes is None else {"days": minutes // 1440,
                                                  "hours": minutes // 60 % 24,
                                                  "minutes": minutes % 60}}
