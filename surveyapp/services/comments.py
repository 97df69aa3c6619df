"""The secretary's review of a counted round's comments (意见建议).

Counting stores the comments shuffled, under random ids and with no link to
any ballot or voter group (services/counting.py); listed by id they come in
a random order that stays put.  The secretary decides, comment by comment,
to show, hide or redact each (domain/comments.py); pending ones never reach
the 公示.  Each decision is an audit event naming the comment's short id and
the decision, never its text.

The review happens while the round is counted.  A published round's 公示 is
a frozen snapshot, so its decisions stay as they were published: unpublish,
change, publish again.
"""

from __future__ import annotations

from sqlalchemy import func, select

from ..database import db
from ..domain import comments as rules
from ..domain import lifecycle
from ..domain.comments import Review, ReviewedComment
from ..exports import comments as comment_exports
from ..models import Ballot, Comment, Round
from . import audit
from .errors import RoundError


def _check_counted(round_: Round) -> None:
    if not lifecycle.shows_results(round_.status):
        raise RoundError("round %(slug)s is %(status)s; its comments are read once it is "
                         "counted", slug=round_.slug, status=round_.status)


def _reviewed(row: Comment) -> ReviewedComment:
    return ReviewedComment(id=row.id, text=row.text, decision=row.decision or rules.PENDING,
                           redacted=row.shown_text if row.decision == rules.REDACT else None)


def _pool(round_: Round) -> int:
    """Ballots that could carry a comment: the voters' own (a paper ballot has none)."""
    return db.session.scalar(select(func.count()).select_from(Ballot).where(
        Ballot.round_id == round_.id, Ballot.channel == "web")) or 0


def review(round_: Round) -> Review:
    """The round's comments in their stored random order, with their
    decisions; none when too few voters could have written them."""
    _check_counted(round_)
    editable = not lifecycle.is_published(round_.status)
    if rules.withheld(_pool(round_), round_.anonymity_min):
        return Review([], withheld=True, minimum=round_.anonymity_min, editable=editable)
    rows = db.session.scalars(select(Comment).where(Comment.round_id == round_.id)
                              .order_by(Comment.id))
    return Review([_reviewed(row) for row in rows], minimum=round_.anonymity_min,
                  editable=editable)


def get(round_: Round, comment_id: str) -> ReviewedComment | None:
    """One of the round's comments as the console shows it, or None (no such
    comment in this round, or the round's comments are withheld)."""
    return next((c for c in review(round_).comments if c.id == comment_id), None)


def for_export(round_: Round) -> Review:
    """What the secretary's exports list: every comment with its decision."""
    return review(round_)


def export(round_: Round, fmt: str, *, actor: str) -> bytes:
    """Every comment with its decision as ``fmt`` (csv or json), recorded in
    the audit log (``surveyapp comments``)."""
    if fmt not in comment_exports.FORMATS:
        raise RoundError("unknown format %(fmt)s; choose one of: %(known)s", fmt=repr(fmt),
                         known=", ".join(sorted(comment_exports.FORMATS)))
    found = review(round_)
    data = comment_exports.FORMATS[fmt]({"slug": round_.slug, "title": round_.title,
                                         "status": round_.status}, found)
    audit.record("comments.export", actor, round_, f"format={fmt}")
    db.session.commit()
    return data


def for_publication(round_: Round) -> list[str]:
    """The texts the 公示 shows (shown ones as written, redacted ones
    redacted), in the stored order; refused while any comment is pending."""
    found = review(round_)
    if found.pending:
        raise RoundError("round %(slug)s has %(count)s comments not yet reviewed: show, hide "
                         "or redact each before publishing the comments, or publish without "
                         "them", slug=round_.slug, count=found.pending)
    return rules.published(found.comments)


def decide(round_: Round, comment_id: str, decision: str, redacted: str | None = None, *,
           actor: str) -> ReviewedComment:
    """Record the secretary's decision on one comment, audit it and commit.
    ``redacted`` is the text shown instead of the comment (decision
    "redact" only)."""
    _check_counted(round_)
    if lifecycle.is_published(round_.status):
        raise RoundError("round %(slug)s is published; unpublish it before changing how its "
                         "comments are shown", slug=round_.slug)
    row = db.session.scalar(select(Comment).where(Comment.round_id == round_.id,
                                                  Comment.id == comment_id))
    if row is None or rules.withheld(_pool(round_), round_.anonymity_min):
        raise RoundError("round %(slug)s has no comment %(id)s", slug=round_.slug,
                         id=rules.short_id(comment_id))
    if decision not in rules.DECISIONS:
        raise RoundError("unknown decision %(decision)s; choose show, hide, redact or pending",
                         decision=repr(decision))
    shown = None
    if decision == rules.REDACT:
        shown = "\n".join(line.rstrip() for line in (redacted or "").strip().splitlines())
        if not shown:
            raise RoundError("the redacted text is empty: hide the comment instead")
        if len(shown) > rules.REDACTED_MAX:
            raise RoundError("the redacted text is longer than %(max)s characters",
                             max=rules.REDACTED_MAX)
        if shown == row.text.strip():
            raise RoundError("the redacted text is the comment as written: change the part "
                             "that must not be shown, or show it as it is")
    if (row.decision, row.shown_text) != (decision, shown):
        row.decision, row.shown_text = decision, shown
        audit.record("comment.review", actor, round_,
                     f"comment={rules.short_id(row.id)} decision={decision}")
    db.session.commit()
    return _reviewed(row)
