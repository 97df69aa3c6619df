"""Two boards made once per session (sealing and decrypting take a few hundred ms): one with a
hidden group, one where every group is shown."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from surveyapp.verify.cli import verify_cli

from . import boards


@pytest.fixture(scope="session")
def hidden_board() -> boards.Made:
    """members 5 (none answering "unknown": counts of 0) and masses 4 (one paper ballot
    leaving 李四 out) are units of their own; retired has 2 ballots, below anonymity_min 3:
    its turnout is hidden, its ballots are in ~hidden, and masses is suppressed on top so
    that the suppressed pool has 6."""
    cast = (boards.votes("members", 5, ("excellent", "qualified", "basic", None))
            + boards.votes("masses", 3, start=1)
            + boards.votes("masses", 1, absent=["lisi"], start=4)
            + boards.votes("retired", 2, start=2))
    return boards.build(boards.SPEC, cast)


@pytest.fixture(scope="session")
def open_board() -> boards.Made:
    """Every group with ballots shown (retired has none: no unit, turnout 0); 王五's score is
    a plugin's."""
    graded = ("excellent", "qualified", "basic")  # every ballot grades every cell
    cast = boards.votes("members", 4, graded) + boards.votes("masses", 3, graded, start=3)
    return boards.build(boards.SPEC, cast, decrypt_with=(2, 3), plugin_scores={"wangwu": 91.5})


@pytest.fixture
def verify(tmp_path):
    """Run ``surveyapp verify`` on a board (a dict, or text/bytes as the file's content)."""
    runner = CliRunner()

    def run(made: boards.Made, board=None, *, jobs: int = 1):
        path = tmp_path / "board.json"
        if isinstance(board, bytes | str):
            path.write_bytes(board if isinstance(board, bytes) else board.encode())
        else:
            made.write(path, board)
        return runner.invoke(verify_cli, [str(path), "--jobs", str(jobs)])

    return run
