"""The bulletin board as surveyapp writes it: what it shows, and above all
what it does not (a small group's turnout or counts, arrival order).

Checked here against docs/board.md with the producer's own domain code;
the independent verifier (surveyapp verify) checks the same boards in
tests/verify/ and tests/test_board_verify.py.
"""

from __future__ import annotations

import base64
import hashlib
import json

from surveyapp.database import db
from surveyapp.domain.ballot_box import opening
from surveyapp.models import Ballot
from surveyapp.services import ballot_box, publication
from surveyapp.services.results import tally_json

from .conftest import SPEC, count_round, make_round
from .test_results_page import vote

# k = 3: members' five ballots are shown; masses' one is not, nor its turnout;
# leaders' four are hidden with it (else masses = totals − the rest), and so is
# their turnout (else the board's total less the rest would give masses' one).
SMALL = SPEC.replace("anonymity_min = 2", "anonymity_min = 3") + """
[[groups]]
key = "leaders"
label = "上级评价"
weight = 20
"""
VOTES = {"members": [{"zhangsan": "excellent", "lisi": "qualified"}] * 3
         + [{"zhangsan": "qualified", "lisi": "basic"}] * 2,
         "masses": [{"zhangsan": "basic", "lisi": "unqualified"}],
         "leaders": [{"zhangsan": "excellent", "lisi": "excellent"}] * 2
         + [{"zhangsan": "qualified", "lisi": "qualified"}] * 2}


def counted(spec=SMALL, votes=VOTES):
    round_ = make_round(spec)
    vote(round_, votes)
    from surveyapp.services import rounds

    rounds.transition(round_, "close", actor="test")
    count_round(round_)
    return round_


def board_of(cli, round_, tmp_path) -> dict:
    path = tmp_path / "board.json"
    result = cli("board", round_.slug, "-o", path)
    assert result.exit_code == 0, result.output
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_board_lists_ballots_by_tracker_and_hides_the_small_groups(app, cli, tmp_path):
    round_ = counted()
    board = board_of(cli, round_, tmp_path)
    assert (board["format"], board["version"]) == ("surveyapp-board", 1)
    # masses' one ballot is hidden with leaders' four (the smallest other group): alone, the
    # ~hidden unit's count would be masses' turnout.
    assert board["units"] == [{"key": "members", "groups": ["members"]},
                              {"key": "~hidden", "groups": ["leaders", "masses"]}]
    trackers = [b["tracker"] for b in board["ballots"]]
    assert trackers == sorted(trackers) and len(trackers) == 10  # never arrival order
    for entry in board["ballots"]:
        sealed = base64.b64decode(entry["sealed"])
        assert hashlib.sha256(sealed).hexdigest() == entry["tracker"]
    assert [b["unit"] for b in board["ballots"]].count("~hidden") == 5
    assert "masses" not in {b["unit"] for b in board["ballots"]}
    assert board["results"] == json.loads(json.dumps(tally_json(round_)))
    assert board["results"]["turnout"]["masses"]["ballots"] is None


def test_only_the_shown_counts_are_decrypted_and_each_decryption_has_its_proof(app, cli,
                                                                              tmp_path):
    round_ = counted()
    board = board_of(cli, round_, tmp_path)
    box = ballot_box.box(round_)
    trustees = {t.index: t for t in box.trustees}
    k = len(box.layout.positions)
    subjects = {s["key"]: s for s in board["results"]["subjects"]}
    for entry in board["sums"]:
        unit, position = entry["unit"], entry["position"]
        subject = box.layout.cells[position // k][0]
        shown = subjects[subject]
        if unit == "~hidden":
            expected_shown = False
        elif unit == "~all":
            expected_shown = shown["criteria"]["overall"]["counts"] is not None
        else:
            expected_shown = shown["groups"][unit]["counts"] is not None
        assert (entry["count"] is not None) == expected_shown, (unit, position)
        assert (entry["decryptions"] is not None) == expected_shown
        if not expected_shown:
            continue
        ciphertext = bytes.fromhex(entry["ciphertext"])
        a, b = ciphertext[:33], ciphertext[33:]
        for part in entry["decryptions"]:
            decoded = opening.PartialDecryption(
                part["trustee"], bytes.fromhex(part["share"]),
                opening.EqualityProof.decode(bytes.fromhex(part["proof"])))
            assert opening.check_partial(box.context, f"{unit}|{position}",
                                         trustees[part["trustee"]], a, b, decoded)
    # The members' decrypted counts are the shown ones.
    members = [e["count"] for e in board["sums"] if e["unit"] == "members"]
    zhang = [n for n, (cell, option) in zip(members, [(p // k, box.layout.positions[p % k])
                                                       for p in range(len(members))],
                                             strict=True) if cell == 0]
    assert zhang == [subjects["zhangsan"]["groups"]["members"]["counts"][o]
                     for o in box.layout.positions]


def test_no_hidden_count_is_stored_anywhere(app):
    """masses' one ballot: its counts were decrypted in memory to decide
    what to show, and written nowhere."""
    round_ = counted()
    rows = db.session.execute(db.select(opening_row()).where(
        opening_row().round_id == round_.id)).scalars().all()
    hidden = [r for r in rows if r.unit == "~hidden"]
    assert hidden and all(r.count is None and r.partials is None for r in hidden)
    assert "masses" not in {r.unit for r in rows}
    assert '"masses": {"ballots": 1' not in round_.result_json


def opening_row():
    from surveyapp.models import BoardSum

    return BoardSum


def test_board_command_refuses_a_round_not_counted_and_writes_nothing(app, cli, tmp_path):
    round_ = make_round(SMALL)
    path = tmp_path / "board.json"
    result = cli("board", round_.slug, "-o", path)
    assert result.exit_code == 2 and "once it is counted" in result.output
    assert not path.exists() and not (tmp_path / "board.json.part").exists()


def test_the_public_board_is_there_once_published(app, client):
    round_ = counted()
    assert client.get(f"/p/{round_.slug}/board").status_code == 404  # counted, not published
    publication.publish(round_, actor="test")
    response = client.get(f"/p/{round_.slug}/board")
    assert response.status_code == 200 and response.mimetype == "application/json"
    board = json.loads(response.get_data(as_text=True))
    assert len(board["ballots"]) == db.session.scalar(
        db.select(db.func.count()).select_from(Ballot).where(Ballot.round_id == round_.id))
