"""The review of a round's comments (意见建议), as plain rules.

After counting, comments sit in the ``comment`` table in a random order and
with no link to any ballot or voter group.  Before any of them reaches the
公示 the secretary decides, comment by comment (as EvaP reviews its text
answers): **show** it, **hide** it, or **redact** part of it (say, a name),
in which case the redacted text is what is shown.  Until then it is
**pending**, and a pending comment is never published.

What leaves the console follows one rule: the original of a redacted
comment and the text of a hidden one stay in the console.  The 公示 shows
the shown and redacted comments (redacted: the redacted text only); the
secretary's exports list every comment with its decision, the text as it
would be shown (pending ones as written, marked pending) and no text for a
hidden one.
"""

from __future__ import annotations

from dataclasses import dataclass

PENDING = "pending"
SHOW = "show"
HIDE = "hide"
REDACT = "redact"
#: Every decision, in the order the console lists them.
DECISIONS = (PENDING, SHOW, REDACT, HIDE)
#: The decisions that put a comment on the 公示.
PUBLIC = (SHOW, REDACT)

#: A redacted text may be longer than the comment (a name replaced by
#: "[姓名已删除]"), but not without bound.  A ballot's comment is at most 1000.
REDACTED_MAX = 2000

#: Characters of a comment's random id the console and the audit log show.
SHORT_ID = 8


def short_id(comment_id: str) -> str:
    return comment_id[:SHORT_ID]


@dataclass(frozen=True)
class ReviewedComment:
    """A comment with its review: ``text`` as written, ``redacted`` only
    when the decision is :data:`REDACT`."""

    id: str
    text: str
    decision: str = PENDING
    redacted: str | None = None

    @property
    def short(self) -> str:
        return short_id(self.id)

    @property
    def is_public(self) -> bool:
        return self.decision in PUBLIC

    @property
    def shown(self) -> str | None:
        """What the 公示 shows, or None when it shows nothing of it."""
        if self.decision == SHOW:
            return self.text
        if self.decision == REDACT:
            return self.redacted
        return None

    @property
    def exported(self) -> str | None:
        """The text the secretary's exports carry: as shown, a pending one
        as written, a hidden one not at all."""
        if self.decision == PENDING:
            return self.text
        return self.shown


def published(comments: list[ReviewedComment]) -> list[str]:
    """The texts the 公示 shows, in the comments' (random, stored) order."""
    return [c.shown for c in comments if c.is_public and c.shown]


def tally(comments: list[ReviewedComment]) -> dict[str, int]:
    """How many comments have each decision (every decision present)."""
    counts = dict.fromkeys(DECISIONS, 0)
    for comment in comments:
        counts[comment.decision] = counts.get(comment.decision, 0) + 1
    return counts


@dataclass(frozen=True)
class Review:
    """A round's comments under review.  ``withheld``: fewer than
    ``minimum`` (the round's ``anonymity_min``) ballots could have carried a
    comment, so none is shown anywhere, the console included, and
    ``comments`` is empty.  ``editable``: decisions may change (the round is
    counted, not published)."""

    comments: list[ReviewedComment]
    withheld: bool = False
    minimum: int = 0
    editable: bool = False

    @property
    def counts(self) -> dict[str, int]:
        return tally(self.comments)

    @property
    def pending(self) -> int:
        return self.counts[PENDING]


def withheld(ballots: int, minimum: int) -> bool:
    """Are comments from ``ballots`` ballots too few to show?  Comments are
    only ever shown pooled over the whole round (never per voter group), so
    the pool is what the round's ``anonymity_min`` protects; a round with
    no ballot has no comment to hide."""
    return 0 < ballots < minimum
