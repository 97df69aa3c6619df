"""The protocol every tally export follows, built-in or from a plugin."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..domain.model import RoundSpec


@dataclass(frozen=True)
class Exporter:
    """``export(result, spec) -> bytes`` where ``result`` is the exact tally
    (Fractions; see :func:`surveyapp.services.results.tally_round`)."""

    name: str
    media_type: str
    extension: str
    export: Callable[[dict, RoundSpec], bytes]
    label: str = ""

    @property
    def is_binary(self) -> bool:
        """Not text a terminal could show (the CLI refuses to print it)."""
        media = self.media_type.split(";")[0].strip()
        return not (media.startswith("text/") or media == "application/json"
                    or media.endswith(("+json", "+xml")))
