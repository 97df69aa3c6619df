"""The audit log: who did what to which round, and when.  It never holds a
ballot's content or a voter's code, so it can be shown as it is."""

from __future__ import annotations

from sqlalchemy import select

from ..database import db
from ..models import AuditEvent, Round


def record(action: str, actor: str, round_: Round | None = None, detail: str = "") -> None:
    """Add an event to the session; it commits with the change it describes."""
    db.session.add(AuditEvent(round_id=round_.id if round_ else None, action=action,
                              actor=actor, detail=detail))


def events(round_: Round | None, *, page: int, size: int) -> list[AuditEvent]:
    """Newest first, ``size + 1`` at most (the extra one says there is more);
    every event when ``round_`` is None."""
    query = select(AuditEvent)
    if round_ is not None:
        query = query.where(AuditEvent.round_id == round_.id)
    return list(db.session.scalars(query.order_by(AuditEvent.id.desc())
                                   .offset(page * size).limit(size + 1)))


def round_titles() -> dict[int, str]:
    return dict(db.session.execute(select(Round.id, Round.title)).all())


def round_slugs() -> dict[int, str]:
    return dict(db.session.execute(select(Round.id, Round.slug)).all())
