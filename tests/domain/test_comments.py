"""The review rules of comments: what the 公示 and the exports carry for
each decision, and when the pool of comments is too small to show."""

from __future__ import annotations

from surveyapp.domain.comments import (
    DECISIONS,
    Review,
    ReviewedComment,
    published,
    tally,
    withheld,
)

WRITTEN = "张三经常迟到"


def test_each_decision_says_what_is_shown_and_exported():
    pending = ReviewedComment("a" * 32, WRITTEN)
    shown = ReviewedComment("b" * 32, WRITTEN, "show")
    redacted = ReviewedComment("c" * 32, WRITTEN, "redact", "××经常迟到")
    hidden = ReviewedComment("d" * 32, WRITTEN, "hide")
    assert [c.shown for c in (pending, shown, redacted, hidden)] == [
        None, WRITTEN, "××经常迟到", None]
    assert [c.exported for c in (pending, shown, redacted, hidden)] == [
        WRITTEN, WRITTEN, "××经常迟到", None]
    assert [c.is_public for c in (pending, shown, redacted, hidden)] == [
        False, True, True, False]
    assert redacted.short == "cccccccc"
    # The 公示 keeps the given (stored) order and only the public ones.
    assert published([hidden, redacted, pending, shown]) == ["××经常迟到", WRITTEN]
    assert tally([pending, shown, shown, hidden]) == {"pending": 1, "show": 2, "redact": 0,
                                                      "hide": 1}
    assert Review([pending, hidden]).pending == 1
    assert set(DECISIONS) == {"pending", "show", "hide", "redact"}


def test_comments_of_fewer_voters_than_the_minimum_are_withheld():
    assert withheld(1, 5) and withheld(4, 5)
    assert not withheld(5, 5) and not withheld(30, 5)
    assert not withheld(0, 5)  # no ballot, no comment to protect
