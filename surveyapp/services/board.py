"""The bulletin board of a counted round (docs/board.md): everything needed
to check, without trusting surveyapp, that every ballot is well formed,
that the sums were added from exactly those ballots, that each shown count
is what its sum decrypts to, and that the results follow from the counts.

Written as a stream (a board of 10,000 ballots is hundreds of megabytes):
ballots in tracker order, never arrival order; a ballot's group only when
that group's turnout is shown (else the unit ``~hidden``); a decryption
only where the results show the count.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator

from sqlalchemy import func, select

from ..database import db
from ..domain import lifecycle
from ..domain.ballot_box.opening import PartialDecryption
from ..domain.tally import present
from ..models import Ballot, BoardSum, Round
from . import ballot_box, disclosure
from .counting import ALL_UNIT, HIDDEN_UNIT, board_units
from .errors import RoundError
from .results import results
from .rounds import round_spec

FORMAT = "surveyapp-board"
VERSION = 1
#: Ballots read from the database at a time.
BATCH = 200


def check_boardable(round_: Round) -> None:
    """RoundError unless the round has a board: counted (or published),
    sealed, and counted by a surveyapp that keeps boards."""
    if not lifecycle.shows_results(round_.status):
        raise RoundError("round %(slug)s is %(status)s; its bulletin board exists once it is "
                         "counted", slug=round_.slug, status=round_.status)
    if round_.public_key is None:
        raise RoundError("round %(slug)s stored its ballots without encryption: it has no "
                         "bulletin board", slug=round_.slug)
    if round_.result_json is None:
        raise RoundError("round %(slug)s was counted before bulletin boards were kept",
                         slug=round_.slug)
    if ballot_box.board_spec(round_, round_spec(round_)) is None:
        raise RoundError("round %(slug)s was changed after its key was made: its settings no "
                         "longer match the key's, so no board can be checked", slug=round_.slug)


def ballot_count(round_: Round) -> int:
    return db.session.scalar(select(func.count()).select_from(Ballot)
                             .where(Ballot.round_id == round_.id)) or 0


def chunks(round_: Round, progress: Callable[[int], None] | None = None) -> Iterator[str]:
    """The board as JSON text, piece by piece; ``progress(n)`` after every
    ``n`` ballots written."""
    check_boardable(round_)
    box = ballot_box.box(round_)
    spec = round_spec(round_)
    shown = results(round_).exact
    turnout_hidden = {g for g, t in shown["turnout"].items() if t["ballots"] is None}
    units = board_units(round_, turnout_hidden)
    rows = db.session.execute(select(BoardSum.unit, BoardSum.position, BoardSum.ciphertext,
                                     BoardSum.count, BoardSum.partials)
                              .where(BoardSum.round_id == round_.id)
                              .order_by(BoardSum.unit, BoardSum.position)).all()
    on_board = sorted({r.unit for r in rows} - {ALL_UNIT})
    unit_list = [{"key": u, "groups": sorted(g for g, unit in units.items() if unit == u)}
                 for u in on_board]
    checks = disclosure.decode(round_.result_json).get("checks", {"subjects": {}})
    head = {
        "format": FORMAT, "version": VERSION,
        "round": {"slug": round_.slug, "title": round_.title},
        "spec": ballot_box.board_spec(round_, spec), "spec_hash": box.spec_hash,
        "public_key": box.public_key.hex(), "threshold": box.threshold,
        "trustees": [{"index": t.index, "name": t.name, "key": t.key.hex()}
                     for t in box.trustees],
        "layout": {"cells": [list(cell) for cell in box.layout.cells],
                   "positions": list(box.layout.positions)}
        | ({"commitment_positions": list(box.layout.commitment_positions)}
           if box.layout.commitment_positions else {}),
        "units": unit_list,
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ',\n"ballots": ['
    groups = {g.id: g.key for g in round_.groups}
    first, done = True, 0
    query = (select(Ballot.tracker, Ballot.group_id, Ballot.sealed)
             .where(Ballot.round_id == round_.id).order_by(Ballot.tracker)
             .execution_options(yield_per=BATCH))
    for tracker, group_id, sealed in db.session.execute(query):
        entry = {"tracker": tracker, "unit": units[groups[group_id]],
                 "sealed": base64.b64encode(sealed).decode("ascii")}
        yield ("\n" if first else ",\n") + json.dumps(entry)
        first = False
        done += 1
        if progress and done % BATCH == 0:
            progress(BATCH)
    if progress and done % BATCH:
        progress(done % BATCH)
    yield '\n],\n"sums": ['
    for i, row in enumerate(rows):
        decryptions = None
        if row.partials is not None:
            decryptions = [{"trustee": p.index, "share": p.share.hex(),
                            "proof": p.proof.encode().hex()}
                           for p in PartialDecryption.decode_all(row.partials)]
        entry = {"unit": row.unit, "position": row.position, "ciphertext": row.ciphertext.hex(),
                 "count": row.count, "decryptions": decryptions}
        yield ("\n" if i == 0 else ",\n") + json.dumps(entry)
    tail = {"results": present(shown), "checks": checks}
    yield "\n],\n" + json.dumps(tail, ensure_ascii=False)[1:] + "\n"


def filename(round_: Round) -> str:
    return f"{round_.slug}-board.json"


__all__ = ["chunks", "check_boardable", "filename", "HIDDEN_UNIT", "ALL_UNIT"]
