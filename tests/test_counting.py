"""开箱计票: opening a closed round's ballot box with its 监票人's shares,
from the command line and as a service.  A wrong, missing or foreign share,
or a damaged ballot, stops the count with a clear message and changes
nothing; a good count stores the decrypted sums with their proofs."""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import func, select, update

from surveyapp.database import db
from surveyapp.domain.ballot_box import keys, opening
from surveyapp.domain.model import SpecErrors
from surveyapp.models import Ballot, BoardSum, Comment, Round
from surveyapp.services import ballot_box, counting
from surveyapp.services import rounds as rounds_service
from surveyapp.services.errors import RoundError
from surveyapp.services.results import tally_json

from .conftest import SHARES, SPEC, make_round
from .test_results_page import VOTES, vote

TRUSTEES = SPEC + '\n[trustees]\nnames = ["张三", "李四", "王五"]\nthreshold = 2\n'


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def closed_with_ballots(spec=TRUSTEES):
    round_ = make_round(spec)
    vote(round_, VOTES)
    rounds_service.transition(round_, "close", actor="test")
    return round_


def nothing_changed(round_):
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Round, round_.id).status == "closed"
    assert count(BoardSum) == 0 and count(Comment) == 0


def texts(shares):
    return [(f"share {s.index}", keys.share_text(s)) for s in shares]


def test_two_of_three_count_and_the_sums_carry_every_trustees_proof(app):
    round_ = closed_with_ballots()
    shares = SHARES[round_.id]
    seen = []
    counting.count_round(round_, counting.check_shares(round_, texts(shares[1:])),
                         actor="test", progress=lambda done, total: seen.append((done, total)))
    assert round_.status == "counted" and seen[-1] == (5, 5)
    box = ballot_box.box(round_)
    trustees = {t.index: t for t in box.trustees}
    sums = db.session.scalars(select(BoardSum)).all()
    positions = len(box.layout.cells) * len(box.layout.positions)
    assert sorted({row.unit for row in sums}) == ["masses", "members", "~all"]
    assert len(sums) == 3 * positions
    for row in sums:  # every count is shown here, so every sum is decrypted
        a, b = row.ciphertext[:33], row.ciphertext[33:]
        parts = opening.PartialDecryption.decode_all(row.partials)
        assert [p.index for p in parts] == [2, 3]
        name = f"{row.unit}|{row.position}"
        assert all(opening.check_partial(box.context, name, trustees[p.index], a, b, p)
                   for p in parts)
    by_unit = {}
    for row in sums:
        by_unit.setdefault(row.unit, [0] * positions)[row.position] = row.count
    assert by_unit["~all"] == [m + n for m, n in zip(by_unit["members"], by_unit["masses"],
                                                       strict=True)]
    # The numbers of the results page's worked example (test_results_page.py).
    scores = {s["key"]: s["score"] for s in tally_json(round_)["subjects"]}
    assert scores == {"zhangsan": 84.0, "lisi": 58.0}


@pytest.mark.parametrize("case", ["one share", "twice", "typo", "another round", "none"])
def test_a_wrong_or_missing_share_stops_the_count_and_changes_nothing(app, case):
    round_ = closed_with_ballots()
    other = make_round(TRUSTEES)
    mine, theirs = SHARES[round_.id], SHARES[other.id]
    text = keys.share_text(mine[2])
    given = {"one share": texts(mine[:1]),
             "twice": texts([mine[0], mine[0]]),
             "typo": [*texts(mine[:1]), ("share 3", text[:-1] + ("0" if text[-1] != "0"
                                                                  else "1"))],
             "another round": [*texts(mine[:1]), *texts(theirs[1:2])],
             "none": []}[case]
    with pytest.raises((RoundError, SpecErrors)) as refused:
        counting.count_round(round_, counting.check_shares(round_, given), actor="test")
    message = str(refused.value)
    assert {"one share": "1 shares given", "twice": "given twice", "typo": "typo",
            "another round": "another round", "none": "0 shares given"}[case] in message
    nothing_changed(round_)


def test_a_damaged_ballot_stops_the_count_and_changes_nothing(app):
    round_ = closed_with_ballots()
    sealed = db.session.scalar(select(Ballot.sealed).limit(1))
    damaged = bytearray(sealed)
    damaged[3 + 33 + 5] ^= 0x40  # inside the first position's B
    db.session.execute(update(Ballot).where(Ballot.sealed == sealed).values(sealed=bytes(damaged)))
    db.session.commit()
    with pytest.raises(RoundError, match="damaged"):
        counting.count_round(round_, counting.check_shares(round_, texts(SHARES[round_.id])),
                             actor="test")
    nothing_changed(round_)


def test_results_before_counting_say_it_is_not_counted_yet(app, cli):
    round_ = closed_with_ballots()
    result = cli("tally", round_.slug)
    assert result.exit_code == 2
    assert "not counted yet: opening its ballot box needs 2 of its trustees' shares" in (
        result.output)


def test_a_round_of_plain_ballots_is_counted_without_shares(app):
    round_ = make_round()
    round_.public_key = None  # opened before the ballot box
    db.session.commit()
    vote(round_, VOTES)
    rounds_service.transition(round_, "close", actor="test")
    assert counting.check_shares(round_, []) == []
    counting.count_round(round_, [], actor="test")
    assert round_.status == "counted" and count(BoardSum) == 0
    assert {s["key"]: s["score"] for s in tally_json(round_)["subjects"]} == {
        "zhangsan": 84.0, "lisi": 58.0}


# -- the command line ---------------------------------------------------------------------------

def test_shares_go_to_one_file_each_readable_by_their_owner_only(cli, tmp_path):
    spec = tmp_path / "round.toml"
    spec.write_text(TRUSTEES, encoding="utf-8")
    slug = cli("rounds", "create", spec).output.strip()
    shares_dir = tmp_path / "shares"
    result = cli("rounds", "open", slug, "--shares-dir", shares_dir)
    assert result.exit_code == 0, result.output
    assert "2 of 3 trustees" in result.output and "S1-" not in result.output
    files = sorted(shares_dir.iterdir())
    assert [f.name for f in files] == [f"{slug}-share-{i}-{n}.txt"
                                       for i, n in ((1, "张三"), (2, "李四"), (3, "王五"))]
    assert all(stat.S_IMODE(os.stat(f).st_mode) == 0o600 for f in files)
    assert "threshold: 2 of 3" in files[0].read_text(encoding="utf-8")
    cli("rounds", "close", slug)
    missing = cli("rounds", "count", slug, "--share", files[0])
    assert missing.exit_code == 2 and missing.output.count("error:") == 1
    assert "Traceback" not in missing.output
    counted = cli("rounds", "count", slug, "--share", files[2], "--share", files[0])
    assert counted.exit_code == 0 and f"{slug} counted" in counted.output


def test_opening_never_overwrites_a_share_file(cli, tmp_path):
    spec = tmp_path / "round.toml"
    spec.write_text(SPEC, encoding="utf-8")
    slug = cli("rounds", "create", spec).output.strip()
    shares_dir = tmp_path / "shares"
    shares_dir.mkdir()
    (shares_dir / f"{slug}-share-1-支部书记.txt").write_text("someone else's", encoding="utf-8")
    result = cli("rounds", "open", slug, "--shares-dir", shares_dir)
    assert result.exit_code == 2 and "never overwritten" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(Round.status)) == "draft"  # not opened either


def test_a_round_that_fails_to_open_leaves_no_share_files(cli, tmp_path, monkeypatch):
    """Files are written before the round opens, so a disk that fails leaves
    a draft; and a round that then fails to open takes its files back."""
    spec = tmp_path / "round.toml"
    spec.write_text(TRUSTEES, encoding="utf-8")
    slug = cli("rounds", "create", spec).output.strip()
    shares_dir = tmp_path / "shares"

    def changed_meanwhile(round_, record, *, actor):
        raise RoundError("the round's settings or trustees changed after its key was made")

    monkeypatch.setattr(rounds_service, "open_with_key", changed_meanwhile)
    result = cli("rounds", "open", slug, "--shares-dir", shares_dir)
    assert result.exit_code == 2 and "changed after its key was made" in result.output
    assert list(shares_dir.iterdir()) == []
    monkeypatch.undo()
    # A disk that refuses the third file after two were written.  (A
    # dangling link passes the "exists already" check; O_EXCL refuses it.)
    blocked = shares_dir / f"{slug}-share-3-王五.txt"
    os.symlink(tmp_path / "nowhere", blocked)
    result = cli("rounds", "open", slug, "--shares-dir", shares_dir)
    assert result.exit_code == 2 and "still a draft" in result.output, result.output
    db.session.expire_all()
    assert db.session.scalar(select(Round.status)) == "draft"
    assert sorted(p.name for p in shares_dir.iterdir()) == [blocked.name]


def test_the_demo_keeps_its_share_and_says_how_to_count(cli, app):
    result = cli("demo")
    assert result.exit_code == 0, result.output
    share = os.path.join(app.instance_path, "demo-share-1.txt")
    assert f"surveyapp rounds count demo --share {share}" in result.output
    assert cli("rounds", "close", "demo").exit_code == 0
    assert cli("rounds", "count", "demo", "--share", share).exit_code == 0
    assert cli("tally", "demo").exit_code == 0
