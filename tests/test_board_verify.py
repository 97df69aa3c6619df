"""End to end: the board surveyapp writes for a real counted round passes ``surveyapp verify``,
and the same board with one published figure or one ballot changed does not.

The verifier's own tests (tests/verify/) build boards from docs/board.md alone; these hold the
producer and the verifier to the same document.
"""

from __future__ import annotations

import base64
import json

import pytest
from click.testing import CliRunner

from surveyapp.cli import cli as surveyapp_cli

from .test_board import SMALL, VOTES, board_of, counted
from .test_plugins import PARTY_SPEC, member_ballots, run_round


def verified(cli, path):
    """As a stranger runs it: the ``surveyapp`` command, with no app or database behind it."""
    return CliRunner().invoke(surveyapp_cli, ["verify", str(path), "--jobs", "1"])


def written(tmp_path, board: dict, name: str = "changed.json"):
    path = tmp_path / name
    path.write_text(json.dumps(board, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def small_board(app, cli, tmp_path):
    """A round where masses (one ballot) is hidden along with leaders, members shown."""
    return board_of(cli, counted(SMALL, VOTES), tmp_path)


def test_a_board_with_hidden_groups_verifies(cli, tmp_path, small_board):
    result = verified(cli, written(tmp_path, small_board, "board.json"))
    assert result.exit_code == 0, result.output
    assert "every check holds" in result.output
    assert "~hidden" in result.output  # the hidden groups' ballots, checked as one unit


def test_a_plugin_round_with_paper_ballots_verifies(app, cli, tmp_path):
    tally = run_round(cli, tmp_path, PARTY_SPEC, member_ballots(
        "EQQQ", "EQQU", "EQQU", "QEQU", "QEQB", "QEQU"))
    slug = tally["round"]["slug"]
    path = tmp_path / "board.json"
    assert cli("board", slug, "-o", path).exit_code == 0
    result = verified(cli, path)
    assert result.exit_code == 0, result.output


def test_a_changed_published_count_fails(cli, tmp_path, small_board):
    board = small_board
    shown = next(s for s in board["results"]["subjects"]
                 if any(g["counts"] for g in s["groups"].values()))
    group = next(g for g in shown["groups"].values() if g["counts"])
    option = next(iter(group["counts"]))
    group["counts"][option] += 1
    result = verified(cli, written(tmp_path, board))
    assert result.exit_code == 1, result.output
    assert "FAILED" in result.output


def test_a_changed_decrypted_count_fails(cli, tmp_path, small_board):
    entry = next(s for s in small_board["sums"] if s["count"] is not None)
    entry["count"] += 1
    result = verified(cli, written(tmp_path, small_board))
    assert result.exit_code == 1, result.output


def test_a_ballot_changed_by_one_byte_fails(cli, tmp_path, small_board):
    ballot = small_board["ballots"][0]
    data = bytearray(base64.b64decode(ballot["sealed"]))
    data[len(data) // 2] ^= 0x01
    ballot["sealed"] = base64.b64encode(bytes(data)).decode()
    result = verified(cli, written(tmp_path, small_board))
    assert result.exit_code == 1, result.output


def test_a_dropped_ballot_fails(cli, tmp_path, small_board):
    small_board["ballots"].pop()
    result = verified(cli, written(tmp_path, small_board))
    assert result.exit_code == 1, result.output
