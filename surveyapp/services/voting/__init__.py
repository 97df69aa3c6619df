"""Voting: every ballot write, from the web, typed in from paper or imported
from a file, and the look-ups a voter's way needs (a code, a receipt, the
round's ballot structure).

Every write goes through :func:`.rows.ballot_rows` (a ballot as the rows
that store it) and :func:`.casting.store` (one transaction, the round checked
open in SQL, the code spent with it).
"""

from .casting import (
    REASONS,
    CodeCheck,
    VotingError,
    cast,
    cast_test,
    check_code,
    receipt_counted,
    refusal,
    round_refusal,
)
from .paper import (
    enter_paper_ballot,
    import_paper_ballots,
    paper_sheet,
    problems,
    spoil_paper_ballot,
)
from .structure import RoundStructure, round_structure, structure_of

__all__ = ["REASONS", "CodeCheck", "RoundStructure", "VotingError", "cast", "cast_test",
           "check_code", "enter_paper_ballot", "import_paper_ballots", "paper_sheet",
           "problems", "receipt_counted", "refusal", "round_refusal", "round_structure",
           "spoil_paper_ballot", "structure_of"]
