"""A round's life, named once: draft → open → closed → counted → published.

Closing stops the ballots; counting (开箱计票) is when the 监票人 open the
encrypted ballot box together, and only then do results exist.

Every part of surveyapp asks these predicates ("does the round accept
ballots?") instead of comparing status strings, so a new status (or a
changed rule) is a change here and nowhere else.  Plain data only.
"""

from __future__ import annotations

from dataclasses import dataclass

DRAFT = "draft"
OPEN = "open"
CLOSED = "closed"
COUNTED = "counted"
PUBLISHED = "published"
STATUSES = (DRAFT, OPEN, CLOSED, COUNTED, PUBLISHED)


@dataclass(frozen=True)
class Transition:
    """A move of the round: the statuses it may start from, the status it
    sets, the audit action it records and the event plugins are told of."""

    name: str
    sources: tuple[str, ...]
    target: str
    action: str
    event: str
    #: Why it is refused from another status (an English template; params
    #: ``slug`` and ``status``).
    refusal: str


TRANSITIONS: dict[str, Transition] = {t.name: t for t in (
    Transition("open", (DRAFT,), OPEN, "round.open", "opened",
               "round %(slug)s is %(status)s; only a draft round can be opened"),
    Transition("close", (OPEN,), CLOSED, "round.close", "closed",
               "round %(slug)s is %(status)s; only an open round can be closed"),
    Transition("count", (CLOSED,), COUNTED, "round.count", "counted",
               "round %(slug)s is %(status)s; only a closed round can be counted"),
    Transition("publish", (COUNTED,), PUBLISHED, "round.publish", "published",
               "round %(slug)s is %(status)s; only a counted round can be published"),
    Transition("unpublish", (PUBLISHED,), COUNTED, "round.unpublish", "unpublished",
               "round %(slug)s is %(status)s, not published"),
)}


def can(transition: str, status: str) -> bool:
    """May a round in ``status`` make ``transition``?"""
    return status in TRANSITIONS[transition].sources


def settings_editable(status: str) -> bool:
    """Title, scale, groups, criteria and subjects change only in a draft:
    once codes or ballots exist they point at them."""
    return status == DRAFT


def deletable(status: str) -> bool:
    """Only a round that never opened can be deleted: it has no ballots, and
    its codes (if any) were never usable."""
    return status == DRAFT


def accepts_ballots(status: str) -> bool:
    return status == OPEN


def codes_can_change(status: str) -> bool:
    """Codes are issued and voided before and while voting, never after."""
    return status in (DRAFT, OPEN)


def shows_results(status: str) -> bool:
    """Results exist only once the ballot box has been opened."""
    return status in (COUNTED, PUBLISHED)


def awaits_count(status: str) -> bool:
    """Closed, its ballots still sealed: the 监票人 have yet to count it."""
    return status == CLOSED


def is_published(status: str) -> bool:
    return status == PUBLISHED


def checks_receipts(status: str) -> bool:
    """A receipt can be looked up once a ballot can have been cast."""
    return status != DRAFT


def deadline_refusal(now, opens_at, closes_at) -> str | None:
    """Why a ballot is refused at ``now`` by the round's deadlines (all
    three in the same zone): "not_yet" before ``opens_at``, "deadline" from
    ``closes_at`` on, None in between or without deadlines."""
    if opens_at is not None and now < opens_at:
        return "not_yet"
    if closes_at is not None and now >= closes_at:
        return "deadline"
    return None


def ballot_refusal(status: str) -> str | None:
    """Why a ballot is refused in ``status``: "not_open" before voting,
    "closed" after it, None while it accepts ballots."""
    if accepts_ballots(status):
        return None
    return "not_open" if status == DRAFT else "closed"
