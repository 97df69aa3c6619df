"""The protocol every tally export follows, built-in or from a plugin."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..domain.comments import Review
from ..domain.model import RoundSpec

#: The committee's 评定 by subject key: (option key, reason).
Decisions = Mapping[str, tuple[str, str]]


@dataclass(frozen=True)
class Exporter:
    """``export(result, spec) -> bytes`` where ``result`` is the exact tally
    (Fractions; see :func:`surveyapp.services.results.tally_round`).

    An exporter made with ``comments=True`` is called as ``export(result,
    spec, comments=review)`` with the round's reviewed comments (a
    :class:`surveyapp.domain.comments.Review`: every comment, in its random
    order, with the secretary's decision).  The tally JSON and CSV take none:
    their shape is a contract; ``surveyapp comments`` lists them instead.

    An exporter made with ``decisions=True`` is also called with
    ``decisions=``: the committee's 评定 recorded so far, as a mapping of
    subject key to (option key, reason); empty when none is recorded."""

    name: str
    media_type: str
    extension: str
    export: Callable[..., bytes]
    label: str = ""
    comments: bool = False
    decisions: bool = False

    def run(self, result: dict, spec: RoundSpec, comments: Review | None = None,
            decisions: Decisions | None = None) -> bytes:
        """Export, handing over the comments and the committee's decisions
        to an exporter that takes them."""
        extra: dict = {}
        if self.comments:
            extra["comments"] = comments or Review([])
        if self.decisions:
            extra["decisions"] = dict(decisions or {})
        return self.export(result, spec, **extra)

    @property
    def is_binary(self) -> bool:
        """Not text a terminal could show (the CLI refuses to print it)."""
        media = self.media_type.split(";")[0].strip()
        return not (media.startswith("text/") or media == "application/json"
                    or media.endswith(("+json", "+xml")))
