"""``surveyapp verify``: a genuine board holds; anything changed on it fails, naming what."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyapp.domain.ballot_box import opening, sealing
from surveyapp.verify import ballots as ballot_checks
from surveyapp.verify import board as board_file
from surveyapp.verify import verifier
from surveyapp.verify.errors import Failure
from surveyapp.verify.group import N

from . import boards

P = 5                      # positions a cell: 4 options and blank
POSITION = 294             # bytes of a position: A | B | a0 | b0 | a1 | b1 | c0 | s0 | s1
CELL = P * POSITION + 228  # and the cell's proof


def at(cell: int, position: int | None = None) -> int:
    """Offset in a sealed ballot of a position's bytes (or of the cell's proof)."""
    start = 3 + cell * CELL
    return start + (P * POSITION if position is None else position * POSITION)


def flip(data: bytes, offset: int, mask: int = 0x01) -> bytes:
    out = bytearray(data)
    out[offset] ^= mask
    return bytes(out)


def flip_hex(text: str, offset: int) -> str:
    return flip(bytes.fromhex(text), offset).hex()


def failed(result, *parts: str) -> None:
    """Exit status 1, one line, naming every part."""
    assert result.exit_code == 1, result.output
    line = result.stdout.strip()
    assert "\n" not in line and "FAILED" in line, line
    for part in parts:
        assert part in line, line
    assert "Traceback" not in result.output


def subject(board: dict, key: str) -> dict:
    return next(s for s in board["results"]["subjects"] if s["key"] == key)


def decrypted(board: dict) -> list[dict]:
    return [s for s in board["sums"] if s["decryptions"]]


# -- a genuine board -------------------------------------------------------------------------

def test_a_genuine_board_holds(hidden_board, verify):
    result = verify(hidden_board)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "every check holds" in out
    assert "ballots      11," in out and "~hidden 2" in out
    assert f"proofs       {11 * 6 * (P + 1)} proofs" in out
    assert "trustees 1, 3 (2 of 3)" in out
    # 李四's and the others' scores involve masses and retired, whose breakdowns are hidden.
    assert "not checkable: they involve hidden groups" in out
    assert len(out.splitlines()) <= 24  # one screen
    assert "Checking ballots" in result.stderr


def test_where_every_group_is_shown_the_scores_are_checked(open_board, verify):
    result = verify(open_board)
    assert result.exit_code == 0, result.output
    assert "hidden" not in result.stdout
    assert "1 subject scores by a plugin's rule" in result.stdout


def test_a_board_checked_in_several_processes(hidden_board, verify, monkeypatch):
    monkeypatch.setattr(ballot_checks, "CHUNK", 2)  # 6 chunks for 2 processes
    result = verify(hidden_board, jobs=2)
    assert result.exit_code == 0, result.output
    assert "ballots      11," in result.stdout


def test_the_command_needs_no_app(hidden_board, tmp_path):
    from surveyapp.cli import cli

    path = hidden_board.write(tmp_path / "board.json")
    result = CliRunner().invoke(cli, ["verify", str(path), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "instance").exists()


# -- ballots ---------------------------------------------------------------------------------

@pytest.mark.parametrize("offset", [0, 1, 17, 32, 33, 34, 50, 65])
def test_a_changed_ciphertext_fails(hidden_board, verify, offset):
    board = hidden_board.copy()
    data = boards.sealed_bytes(board["ballots"][4])
    tracker = boards.replace_sealed(board, 4, flip(data, at(1, 2) + offset))
    index = [b["tracker"] for b in board["ballots"]].index(tracker)
    failed(verify(hidden_board, board), f"ballot {index + 1} of 11", tracker,
           "cell 1 (zhangsan, work) position 2 (basic)")


@pytest.mark.parametrize("offset", [66, 99, 140, 180, 197, 198, 230, 262, 293])
def test_a_changed_position_proof_fails(hidden_board, verify, offset):
    board = hidden_board.copy()
    data = boards.sealed_bytes(board["ballots"][0])
    tracker = boards.replace_sealed(board, 0, flip(data, at(3, 4) + offset, 0x80))
    index = [b["tracker"] for b in board["ballots"]].index(tracker)
    failed(verify(hidden_board, board), f"ballot {index + 1} of 11", tracker,
           "cell 3 (lisi, work) position 4 (_blank)")


@pytest.mark.parametrize("offset", [0, 33, 99, 131, 132, 164, 196, 227])
def test_a_changed_cell_proof_fails(hidden_board, verify, offset):
    board = hidden_board.copy()
    data = boards.sealed_bytes(board["ballots"][7])
    tracker = boards.replace_sealed(board, 7, flip(data, at(5) + offset, 0x80))
    index = [b["tracker"] for b in board["ballots"]].index(tracker)
    failed(verify(hidden_board, board), f"ballot {index + 1} of 11", tracker,
           "cell 5 (wangwu, work)")


@pytest.mark.parametrize("cell, position, scalar, value, says", [
    (1, 3, 0, N, "a proof scalar is not below n"),
    (1, 3, 2, 2**256 - 1, "a proof scalar is not below n"),
    (4, 0, 1, 0, "a proof challenge or response is zero"),
    (4, None, 0, 0, "a cell proof challenge or response is zero"),
    (4, None, 1, N + 1, "a cell proof scalar is not below n"),
])
def test_a_scalar_out_of_range_or_zero_fails(hidden_board, verify, cell, position, scalar,
                                             value, says):
    board = hidden_board.copy()
    data = bytearray(boards.sealed_bytes(board["ballots"][6]))
    offset = at(cell, position) + (6 if position is not None else 4) * 33 + 32 * scalar
    data[offset:offset + 32] = value.to_bytes(32, "big")
    tracker = boards.replace_sealed(board, 6, bytes(data))
    index = [b["tracker"] for b in board["ballots"]].index(tracker)
    failed(verify(hidden_board, board), f"ballot {index + 1} of 11", tracker, says)


def test_a_changed_ballot_under_its_old_tracker_fails(hidden_board, verify):
    board = hidden_board.copy()
    data = boards.sealed_bytes(board["ballots"][2])
    boards.replace_sealed(board, 2, flip(data, at(0, 0) + 40), fix_tracker=False)
    failed(verify(hidden_board, board), "ballot 3 of 11", board["ballots"][2]["tracker"],
           "its tracker is not the SHA-256 of its sealed ballot")


def test_two_answers_in_one_cell_fail_the_cell_proof(hidden_board, verify):
    """A position's proof is bound to its place, not to its ballot: a position taken from a
    ballot that chose it passes its own proof, and the cell then holds two answers."""
    board = hidden_board.copy()
    lock = hidden_board.lock
    cells = lock.layout.cells
    chose_excellent = sealing.seal(lock, dict.fromkeys(cells, "excellent"))
    chose_qualified = sealing.seal(lock, dict.fromkeys(cells, "qualified"))
    both = bytearray(chose_excellent)
    both[at(0, 1):at(0, 2)] = chose_qualified[at(0, 1):at(0, 2)]
    board["ballots"].append({"tracker": "", "unit": "members", "sealed": ""})
    tracker = boards.replace_sealed(board, len(board["ballots"]) - 1, bytes(both))
    index = [b["tracker"] for b in board["ballots"]].index(tracker)
    failed(verify(hidden_board, board), f"ballot {index + 1} of 12", tracker,
           "cell 0 (zhangsan, political): the at-most-one proof fails")


def test_the_first_of_two_bad_ballots_is_named(hidden_board, verify, monkeypatch):
    board = hidden_board.copy()
    bad = set()
    for index, offset in ((9, at(5, 3) + 250), (2, at(2, 0) + 270)):
        data = boards.sealed_bytes(board["ballots"][index])
        bad.add(boards.replace_sealed(board, index, flip(data, offset)))
    first = min(i for i, b in enumerate(board["ballots"]) if b["tracker"] in bad)
    failed(verify(hidden_board, board), f"ballot {first + 1} of 11",
           board["ballots"][first]["tracker"], "the 0-or-1 proof fails")
    monkeypatch.setattr(ballot_checks, "CHUNK", 2)  # and from several processes
    failed(verify(hidden_board, board, jobs=2), f"ballot {first + 1} of 11",
           board["ballots"][first]["tracker"], "the 0-or-1 proof fails")


def test_responses_shifted_between_two_proofs_fail(hidden_board, verify):
    """s0 + δ in one proof and s0 − δ in another: the errors δ·G, −δ·G (and δ·H, −δ·H)
    cancel in a plain sum of the equations, and the responses are not hashed.  Only fresh
    random weights, one per equation, catch it in a batch."""
    board = hidden_board.copy()
    data = bytearray(boards.sealed_bytes(board["ballots"][5]))
    delta = 1 + int.from_bytes(b"surveyapp", "big")
    for position, sign in ((0, 1), (1, -1)):
        s0 = at(2, position) + 6 * 33 + 32
        value = (int.from_bytes(data[s0:s0 + 32], "big") + sign * delta) % N
        data[s0:s0 + 32] = value.to_bytes(32, "big")
    tracker = boards.replace_sealed(board, 5, bytes(data))
    index = [b["tracker"] for b in board["ballots"]].index(tracker)
    failed(verify(hidden_board, board), f"ballot {index + 1} of 11",
           "cell 2 (lisi, political) position 0 (excellent): the 0-or-1 proof fails")


def test_a_ballot_of_a_unit_not_on_the_board_fails(hidden_board, verify):
    board = hidden_board.copy()
    board["ballots"][5]["unit"] = "retired"  # its group is hidden: its unit is ~hidden
    failed(verify(hidden_board, board), "ballot 6 of 11", "its unit 'retired' is not one of")


def test_a_dropped_ballot_fails_its_units_sums(hidden_board, verify):
    board = hidden_board.copy()
    dropped = board["ballots"].pop(6)
    failed(verify(hidden_board, board), f"the sum of unit {dropped['unit']!r} at position 0 "
           "is not the sum of its ballots' ciphertexts", "expected", "found")


def test_a_duplicated_ballot_fails(hidden_board, verify):
    board = hidden_board.copy()
    board["ballots"].insert(4, dict(board["ballots"][3]))
    failed(verify(hidden_board, board), "ballot 5 of 12", "it is ballot 4 again")


def test_ballots_out_of_order_fail(hidden_board, verify):
    board = hidden_board.copy()
    ballots = board["ballots"]
    ballots[6], ballots[7] = ballots[7], ballots[6]
    failed(verify(hidden_board, board), "ballot 8 of 11", "not in order")


def test_a_ballot_moved_to_another_unit_fails_the_sums(hidden_board, verify):
    board = hidden_board.copy()
    ballot = next(b for b in board["ballots"] if b["unit"] == "members")
    ballot["unit"] = "masses"
    failed(verify(hidden_board, board), "the sum of unit 'members' at position 0")


@given(st.data())
@settings(max_examples=12)
def test_any_set_of_ballots_removed_or_repeated_fails(hidden_board, data):
    board = hidden_board.copy()
    count = len(board["ballots"])
    drop = data.draw(st.sets(st.integers(0, count - 1), max_size=count - 1))
    kept = [b for i, b in enumerate(board["ballots"]) if i not in drop]
    repeat = data.draw(st.sets(st.integers(0, len(kept) - 1), min_size=0 if drop else 1))
    kept += [kept[i] for i in repeat]
    board["ballots"] = sorted(kept, key=lambda b: b["tracker"])
    with pytest.raises(Failure, match="again|not the sum of its ballots|has no ballot on"):
        verifier.verify(board_file.parse(board), jobs=1)


# -- sums and decryptions ---------------------------------------------------------------------

@pytest.mark.parametrize("offset", [0, 20, 32, 33, 50, 65])
@pytest.mark.parametrize("unit, decrypted", [("members", True), ("~all", True),
                                             ("masses", False), ("~hidden", False)])
def test_a_changed_sum_fails(hidden_board, verify, offset, unit, decrypted):
    board = hidden_board.copy()
    entry = next(s for s in board["sums"] if s["unit"] == unit
                 and (s["count"] is not None) == decrypted and s["position"] > 3)
    entry["ciphertext"] = flip_hex(entry["ciphertext"], offset)
    failed(verify(hidden_board, board), f"the sum of unit {unit!r} at position "
           f"{entry['position']} is not the sum of its ballots' ciphertexts")


@pytest.mark.parametrize("field,offset", [("share", 0), ("share", 1), ("share", 20),
                                          ("share", 32), ("proof", 0), ("proof", 15),
                                          ("proof", 33), ("proof", 50), ("proof", 66),
                                          ("proof", 80), ("proof", 97)])
def test_a_changed_decryption_fails(hidden_board, verify, field, offset):
    board = hidden_board.copy()
    entry = decrypted(board)[3]
    part = entry["decryptions"][1]
    part[field] = flip_hex(part[field], offset)
    failed(verify(hidden_board, board), f"the sum of unit {entry['unit']!r} at position "
           f"{entry['position']}: trustee {part['trustee']}'s decryption proof fails")


def test_a_changed_count_fails(hidden_board, verify):
    board = hidden_board.copy()
    entry = decrypted(board)[5]
    entry["count"] += 1
    failed(verify(hidden_board, board), f"the sum of unit {entry['unit']!r} at position "
           f"{entry['position']} does not decrypt to its count {entry['count']}")


def test_a_decryption_by_a_trustee_not_listed_fails(hidden_board, verify):
    board = hidden_board.copy()
    entry = decrypted(board)[0]
    entry["decryptions"][0]["trustee"] = 4
    failed(verify(hidden_board, board), "is decrypted by trustee 4, who is not one of the "
           "board's trustees")


def test_decryptions_by_other_trustees_fail(hidden_board, verify):
    board = hidden_board.copy()
    entry = decrypted(board)[2]
    entry["decryptions"] = entry["decryptions"][:1]
    failed(verify(hidden_board, board), "is decrypted by trustees [1], not by 2 distinct")


def test_a_count_shown_without_its_decryption_fails(hidden_board, verify):
    """masses' breakdown of 张三 is suppressed: showing it asks for sums nobody decrypted."""
    board = hidden_board.copy()
    masses = subject(board, "zhangsan")["groups"]["masses"]
    masses.update(ballots=4, counts={"excellent": 2, "qualified": 2, "basic": 1, "unknown": 1,
                                     "_blank": 2}, score=88.0)
    failed(verify(hidden_board, board), "the results show the count of the sum of unit "
           "'masses' at position 0, but it is not decrypted")


def test_a_count_decrypted_where_the_results_hide_it_fails(hidden_board, verify):
    """The board must not give away a hidden count: a genuine decryption of one fails."""
    board = hidden_board.copy()
    entry = next(s for s in board["sums"] if s["unit"] == "masses" and s["count"] is None)
    ciphertext = bytes.fromhex(entry["ciphertext"])
    a, b = ciphertext[:33], ciphertext[33:]
    trustees = {t.index: t for t in _trustees(board)}
    parts = [opening.partial_decryption(hidden_board.lock.context,
                                        f"masses|{entry['position']}", share,
                                        trustees[share.index], a, b)
             for share in (hidden_board.shares[0], hidden_board.shares[2])]
    entry["count"] = opening.Counts(10).count_of(b, opening.combined(parts))
    entry["decryptions"] = [{"trustee": p.index, "share": p.share.hex(),
                             "proof": p.proof.encode().hex()} for p in parts]
    failed(verify(hidden_board, board), f"the sum of unit 'masses' at position "
           f"{entry['position']} is decrypted, but the results do not show its count")


def _trustees(board):
    from surveyapp.domain.ballot_box.keys import Trustee

    return [Trustee(t["index"], t["name"], bytes.fromhex(t["key"])) for t in board["trustees"]]


def test_a_missing_sum_fails(hidden_board, verify):
    board = hidden_board.copy()
    board["sums"] = [s for s in board["sums"] if (s["unit"], s["position"]) != ("~all", 7)]
    failed(verify(hidden_board, board), "the sum of unit '~all' at position 7 is missing")


def test_a_sum_twice_fails(hidden_board, verify):
    board = hidden_board.copy()
    board["sums"].append(dict(board["sums"][0]))
    failed(verify(hidden_board, board), "is on the board twice")


# -- the round -------------------------------------------------------------------------------

def test_a_wrong_spec_hash_fails(hidden_board, verify):
    board = hidden_board.copy()
    board["spec_hash"] = flip_hex(board["spec_hash"], 3)
    failed(verify(hidden_board, board), f"spec_hash is {board['spec_hash']}, but the spec "
           f"hashes to {hidden_board.board['spec_hash']}")


def test_a_changed_spec_fails_its_hash(hidden_board, verify):
    board = hidden_board.copy()
    board["spec"]["groups"][1]["weight"] = 60
    failed(verify(hidden_board, board), "but the spec hashes to")


def test_a_changed_spec_with_its_new_hash_fails_every_proof(hidden_board, verify):
    """The context binds every proof to the spec that was frozen when the key was made."""
    from surveyapp.verify.spec import spec_hash

    board = hidden_board.copy()
    board["spec"]["groups"][1]["weight"] = 60
    board["spec_hash"] = spec_hash(board["spec"])
    failed(verify(hidden_board, board), "ballot 1 of 11",
           "cell 0 (zhangsan, political) position 0 (excellent): the 0-or-1 proof fails")


def test_a_layout_not_the_specs_fails(hidden_board, verify):
    board = hidden_board.copy()
    board["layout"]["positions"] = ["qualified", "excellent", "basic", "unknown", "_blank"]
    failed(verify(hidden_board, board), "layout.positions are")


def test_trustee_keys_that_are_not_shares_of_the_key_fail(hidden_board, verify):
    board = hidden_board.copy()
    board["trustees"][2]["key"] = board["trustees"][0]["key"]
    failed(verify(hidden_board, board), "trustees: the keys of trustees [1, 2] do not "
           "interpolate to trustee 3's key")


def test_a_threshold_beyond_the_trustees_fails(hidden_board, verify):
    board = hidden_board.copy()
    board["threshold"] = 4
    failed(verify(hidden_board, board), "threshold is 4, not between 1 and the 3 trustees")


def test_a_hidden_group_made_a_unit_fails(hidden_board, verify):
    board = hidden_board.copy()
    board["units"] = [u for u in board["units"] if u["key"] != "~hidden"]
    board["units"].append({"key": "retired", "groups": ["retired"]})
    failed(verify(hidden_board, board), "units: group 'retired' is a unit of its own, but the "
           "results hide its turnout")


# -- the published figures --------------------------------------------------------------------

def test_a_changed_published_count_fails(hidden_board, verify):
    board = hidden_board.copy()
    counts = subject(board, "lisi")["groups"]["members"]["counts"]
    counts["excellent"] += 1
    failed(verify(hidden_board, board), "results: subject 'lisi', group 'members': "
           f"counts['excellent'] is {counts['excellent']}; the decrypted counts give "
           f"{counts['excellent'] - 1}")


def test_a_changed_subject_count_fails(hidden_board, verify):
    board = hidden_board.copy()
    counts = subject(board, "wangwu")["criteria"]["work"]["counts"]
    counts["_blank"] -= 1
    failed(verify(hidden_board, board), "results: subject 'wangwu', criterion 'work': "
           "counts['_blank']")


@pytest.mark.parametrize("change", [0.01, -0.01, 1])
def test_a_changed_group_score_fails(hidden_board, verify, change):
    board = hidden_board.copy()
    members = subject(board, "zhangsan")["groups"]["members"]
    members["score"] = round(members["score"] + change, 2)
    failed(verify(hidden_board, board), "results: subject 'zhangsan', group 'members': score "
           f"is {members['score']}; the decrypted counts give "
           f"{members['score'] - change:.2f}")


def test_a_changed_criterion_score_of_a_group_fails(hidden_board, verify):
    board = hidden_board.copy()
    criteria = subject(board, "lisi")["groups"]["members"]["criteria"]
    criteria["work"] = round(criteria["work"] + 0.01, 2)
    failed(verify(hidden_board, board), "subject 'lisi', group 'members', criterion 'work': "
           "score")


def test_a_changed_subject_score_fails_where_every_group_is_shown(open_board, verify):
    board = open_board.copy()
    zhang = subject(board, "zhangsan")
    zhang["score"] = round(zhang["score"] - 0.01, 2)
    failed(verify(open_board, board), "results: subject 'zhangsan': score is")


def test_a_plugins_score_is_not_checked_but_must_agree_with_the_ranks(open_board, verify):
    board = open_board.copy()
    subject(board, "wangwu")["score"] = 0.5  # the plugin's: not recomputed...
    failed(verify(open_board, board), "ranks that disagree with the scores")  # ...but ranked


def test_changed_ranks_fail(hidden_board, verify):
    board = hidden_board.copy()
    first, second = board["results"]["subjects"][:2]
    assert first["score"] > second["score"]
    first["rank"], second["rank"] = second["rank"], first["rank"]
    failed(verify(hidden_board, board), "ranks that disagree with the scores")


def test_a_changed_turnout_fails(hidden_board, verify):
    board = hidden_board.copy()
    board["results"]["turnout"]["members"]["ballots"] = 6
    failed(verify(hidden_board, board), "results: turnout of group 'members' is 6 ballots; "
           "the board has 5")


def test_a_breakdown_below_the_anonymity_threshold_fails(hidden_board, verify):
    """retired (2 ballots, alone in ~hidden) shown with its true counts and real decryptions:
    everything adds up, and it is still a breakdown of fewer than anonymity_min ballots."""
    board = hidden_board.copy()
    trustees = {t.index: t for t in _trustees(board)}
    positions = [i for i, cell in enumerate(board["layout"]["cells"]) if cell[0] == "zhangsan"]
    counts = {}
    for entry in board["sums"]:
        if entry["unit"] != "~hidden" or entry["position"] // P not in positions:
            continue
        ciphertext = bytes.fromhex(entry["ciphertext"])
        parts = [opening.partial_decryption(hidden_board.lock.context,
                                            f"~hidden|{entry['position']}", share,
                                            trustees[share.index], ciphertext[:33],
                                            ciphertext[33:])
                 for share in (hidden_board.shares[0], hidden_board.shares[2])]
        entry["count"] = opening.Counts(10).count_of(ciphertext[33:],
                                                     opening.combined(parts))
        entry["decryptions"] = [{"trustee": p.index, "share": p.share.hex(),
                                 "proof": p.proof.encode().hex()} for p in parts]
        key = board["layout"]["positions"][entry["position"] % P]
        counts[key] = counts.get(key, 0) + entry["count"]
    retired = subject(board, "zhangsan")["groups"]["retired"]
    retired.update(ballots=2, counts=counts, score=80.0)
    failed(verify(hidden_board, board), "results: subject 'zhangsan', group 'retired': a "
           "breakdown of 2 ballots is shown, fewer than anonymity_min (3)")


# -- not a board -------------------------------------------------------------------------------

def _without(key):
    def change(board):
        del board[key]
    return change


def _set(path, value):
    def change(board):
        target = board
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
    return change


@pytest.mark.parametrize("content", [b"", b"not json", b"\xff\xfe\x00", b"[]", b"42",
                                     b'{"format": "surveyapp-tally"}',
                                     b'{"format": "surveyapp-board", "version": 2}',
                                     b'{"format": "surveyapp-board", "version": "1"}',
                                     b'{"format": "surveyapp-board", "version": 1}',
                                     b"[" * 100000])
def test_a_file_that_is_not_a_board(verify, content):
    result = verify(None, content)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert "Traceback" not in result.output


@pytest.mark.parametrize("change, says", [
    (_without("ballots"), "ballots is missing"),
    (_without("results"), "results is missing"),
    (_set(["sums"], {}), "sums is not a list"),
    (_set(["ballots", 0], ["a", "b"]), "ballots[0] is not an object"),
    (_set(["ballots", 2, "sealed"], None), "ballots[2].sealed is not a string"),
    (_set(["sums", 3, "count"], "7"), "sums[3].count is not an integer or null"),
    (_set(["sums", 3, "position"], True), "sums[3].position is not an integer"),
    (_set(["checks", "subjects", "lisi", "score"], "median"), "checks.subjects.lisi.score"),
    (_set(["spec", "scale"], []), "spec.scale is not a table"),
    (_set(["results", "subjects"], {}), "results.subjects is not a list"),
])
def test_a_board_of_the_wrong_shape_is_not_a_board(hidden_board, verify, change, says):
    board = hidden_board.copy()
    change(board)
    if "spec" in says:
        from surveyapp.verify.spec import spec_hash

        board["spec_hash"] = spec_hash(board["spec"])
    result = verify(hidden_board, board)
    assert result.exit_code == 2, result.output
    assert says in result.stderr and result.stderr.count("\n") == 1, result.stderr


def test_a_missing_file_is_bad_input(tmp_path):
    result = CliRunner().invoke(
        __import__("surveyapp.verify.cli", fromlist=["verify_cli"]).verify_cli,
        [str(tmp_path / "nowhere.json")])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "cannot be read" in result.stderr


def test_the_board_made_here_is_json_as_written(hidden_board):
    """The fixture itself: what the tests above change is a board as docs/board.md says."""
    text = json.dumps(hidden_board.board, ensure_ascii=False)
    parsed = board_file.parse(json.loads(text))
    assert [u.key for u in parsed.units] == ["members", "masses", "~hidden"]
    assert any(s.count is None for s in parsed.sums) and any(s.count == 0 for s in parsed.sums)
    summary = verifier.verify(parsed, jobs=1)
    assert summary.per_unit == {"members": 5, "masses": 4, "~hidden": 2}


def test_a_subject_missing_from_the_results_fails(hidden_board, verify):
    board = hidden_board.copy()
    board["results"]["subjects"] = [s for s in board["results"]["subjects"]
                                    if s["key"] != "lisi"]
    failed(verify(hidden_board, board), "results: subject 'lisi' of the spec is not in the "
           "results")


def test_cells_out_of_the_specs_order_fail(hidden_board, verify):
    board = hidden_board.copy()
    cells = board["layout"]["cells"]
    cells[0], cells[1] = cells[1], cells[0]
    failed(verify(hidden_board, board), "layout.cells[0] is ['zhangsan', 'work']; the spec's "
           "cell 0 is ['zhangsan', 'political']")


def _paths(value, prefix=()):
    """Every path to a value in the JSON, the ballots' and the sums' long lists sampled."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value[:3]):
            yield from _paths(item, (*prefix, i))


_JSON_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-3, 2**70), st.floats(),
                         st.text(max_size=5), st.lists(st.integers(0, 3), max_size=2),
                         st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


@given(st.data())
@settings(max_examples=40)
def test_any_value_changed_anywhere_is_a_failure_or_not_a_board(hidden_board, data):
    """Never a traceback: whatever is put wherever, the verifier says 1 or 2 (or 0 when the
    change is to something it does not read, such as the round's title)."""
    board = hidden_board.copy()
    paths = [p for p in _paths(board) if p]
    path = data.draw(st.sampled_from(paths))
    target = board
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = data.draw(_JSON_VALUES)
    try:
        verifier.verify(board_file.parse(json.loads(json.dumps(board))), jobs=1)
    except (Failure, board_file.NotABoard):
        pass
