"""The two ways a check ends early, one per exit status."""

from __future__ import annotations


class NotABoard(Exception):
    """The file is not a board of a version this verifier reads (exit status 2)."""


class Failure(Exception):
    """The board is a board, and something on it does not hold (exit status 1)."""
