"""Boards made here, following docs/board.md with the ballot box's own domain functions, so
the verifier's tests depend on neither the verifier nor the code that makes boards.

The results are the real tally (surveyapp.domain.tally) of the sealed answers; a group whose
turnout is below ``anonymity_min`` has its turnout hidden and its ballots in ``~hidden``.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from surveyapp.domain import tally
from surveyapp.domain.ballot_box import keys, opening, sealing
from surveyapp.domain.model import OVERALL, Counts, Criterion
from surveyapp.domain.spec import spec_from_dict, spec_to_dict

ALL, HIDDEN = "~all", "~hidden"
OVERALL_CRITERION = Criterion(OVERALL, OVERALL)

SPEC = {
    "title": "2026年度民主评议党员",
    "access": "codes",
    "anonymity_min": 3,
    "scale": {"options": [
        {"key": "excellent", "label": "优秀", "points": 100},
        {"key": "qualified", "label": "合格", "points": 80},
        {"key": "basic", "label": "基本合格", "points": "121/2"},
        {"key": "unknown", "label": "不了解"},
    ]},
    "criteria": [
        {"key": "political", "label": "政治素质", "weight": 2, "description": ""},
        {"key": "work", "label": "工作实绩", "weight": 1, "description": ""},
    ],
    "groups": [
        {"key": "members", "label": "党员互评", "weight": 60, "expected": 8},
        {"key": "masses", "label": "群众评议", "weight": 30},
        {"key": "retired", "label": "离退休", "weight": 10},
    ],
    "subjects": [
        {"key": "zhangsan", "name": "张三", "unit": "一支部"},
        {"key": "lisi", "name": "李四", "unit": "一支部"},
        {"key": "wangwu", "name": "王五", "unit": "二支部"},
    ],
    "trustees": {"names": ["甲", "乙", "丙"], "threshold": 2},
    "rules": {},
}


@dataclass(frozen=True)
class Vote:
    group: str
    #: (subject, criterion) -> option key, None (blank) or sealing.ABSENT; unlisted: "qualified"
    answers: dict


def votes(group: str, count: int, pattern: Sequence[str | None] = ("excellent", "qualified",
                                                                      "basic", "unknown", None),
          *, absent: Iterable[str] = (), start: int = 0, spec_data: dict = SPEC) -> list[Vote]:
    """``count`` ballots of ``group`` cycling through ``pattern`` cell by cell; the subjects
    in ``absent`` left out (a paper ballot's 本人不评)."""
    spec = spec_from_dict(spec_data)
    cells = [(s.key, c.key) for s in spec.subjects for c in spec.criteria or [OVERALL_CRITERION]]
    out = []
    for n in range(start, start + count):
        answers = {cell: pattern[(n + i) % len(pattern)] for i, cell in enumerate(cells)}
        for cell in cells:
            if cell[0] in absent:
                answers[cell] = sealing.ABSENT
        out.append(Vote(group, answers))
    return out


class Made:
    """A board and what it was made from."""

    def __init__(self, board: dict, lock: sealing.RoundLock, shares: list):
        self.board, self.lock, self.shares = board, lock, shares

    def __repr__(self) -> str:  # what a failing property test prints: not the whole board
        return f"Made(<a board of {len(self.board['ballots'])} ballots>)"

    def write(self, path: Path, board: dict | None = None) -> Path:
        path.write_text(json.dumps(self.board if board is None else board, ensure_ascii=False),
                        encoding="utf-8")
        return path

    def copy(self) -> dict:
        return copy.deepcopy(self.board)


def build(spec_data: dict, cast: Sequence[Vote], *, decrypt_with: Sequence[int] = (1, 3),
          plugin_scores: dict[str, float] | None = None,
          sealer: Callable[[sealing.RoundLock, list[dict]], Iterable[bytes]] | None = None
          ) -> Made:
    """The board of a round of ``spec_data`` where ``cast`` was voted; ``sealer`` seals
    the answers (one ballot each) if sealing them one after the other is too slow."""
    spec = spec_from_dict(spec_data)
    frozen = spec_to_dict(spec)
    names = list(spec.trustees.names) if spec.trustees else ["书记"]
    threshold = spec.trustees.threshold if spec.trustees else 1
    key, shares = keys.split_new_key(names, threshold)
    criteria = [c.key for c in spec.criteria] or [OVERALL]
    layout = sealing.layout_of([s.key for s in spec.subjects], criteria,
                               [o.key for o in spec.options])
    spec_hash = sealing.spec_hash(frozen)
    lock = sealing.RoundLock.make(sealing.context(spec_hash, key.public_key), layout,
                                  key.public_key)

    counts = Counts()
    answers = [vote.answers for vote in cast]
    made = (sealer(lock, answers) if sealer is not None
            else (sealing.seal(lock, a) for a in answers))
    sealed = [(vote.group, data) for vote, data in zip(cast, made, strict=True)]
    for vote in cast:
        counts.add_ballot(vote.group, {cell: option for cell, option in vote.answers.items()
                                       if option != sealing.ABSENT})
    exact = tally.tally(spec, counts)
    checks = {s.key: {"score": "mean"} for s in spec.subjects}
    for entry in exact["subjects"]:
        if plugin_scores and entry["key"] in plugin_scores:
            entry["score"] = plugin_scores[entry["key"]]
            checks[entry["key"]] = {"score": "plugin"}
    exact["subjects"] = tally.ranked(exact["subjects"])
    results = tally.present({"round": {"slug": "t3st", "title": spec.title,
                                       "status": "counted"}, **exact})
    hidden = [g.key for g in spec.groups if 0 < counts.ballots.get(g.key, 0) < spec.anonymity_min]
    for group in hidden:
        results["turnout"][group]["ballots"] = None

    def unit_of(group: str) -> str:
        return HIDDEN if group in hidden else group

    units = [{"key": g.key, "groups": [g.key]} for g in spec.groups
             if g.key not in hidden and counts.ballots.get(g.key)]
    if hidden:
        units.append({"key": HIDDEN, "groups": hidden})
    ballots = sorted(({"tracker": sealing.tracker(s), "unit": unit_of(g),
                       "sealed": base64.b64encode(s).decode()} for g, s in sealed),
                     key=lambda b: b["tracker"])

    per_cell = len(layout.positions)
    positions = len(layout.cells) * per_cell
    accumulators = {u["key"]: opening.Accumulator(positions) for u in units}
    for group, s in sealed:
        accumulators[unit_of(group)].add(sealing.ciphertexts(layout, s))
    unit_sums = [a.sums() for a in accumulators.values()]
    accumulators[ALL] = opening.Accumulator(positions)  # "~all": the sum of the units' sums
    for texts in unit_sums:
        accumulators[ALL].add(texts)
    accumulators[ALL].ballots = len(sealed)
    subjects = {e["key"]: e for e in results["subjects"]}
    unit_groups = {u["key"]: u["groups"] for u in units}
    trustees = {t.index: t for t in key.trustees}
    used = [s for s in shares if s.index in decrypt_with]
    sums = []
    for unit in [*(u["key"] for u in units), ALL]:
        table = opening.Counts(accumulators[unit].ballots)
        for position, (a, b) in enumerate(accumulators[unit].sums()):
            subject, criterion = layout.cells[position // per_cell]
            if unit == ALL:
                shown = subjects[subject]["criteria"][criterion]["counts"] is not None
            else:
                shown = any(subjects[subject]["groups"][g]["counts"] is not None
                            for g in unit_groups[unit])
            entry = {"unit": unit, "position": position, "ciphertext": (a + b).hex(),
                     "count": None, "decryptions": None}
            if shown:
                parts = [opening.partial_decryption(lock.context, f"{unit}|{position}", share,
                                                    trustees[share.index], a, b)
                         for share in used]
                entry["count"] = table.count_of(b, opening.combined(parts))
                entry["decryptions"] = [{"trustee": p.index, "share": p.share.hex(),
                                         "proof": p.proof.encode().hex()} for p in parts]
            sums.append(entry)

    board = {
        "format": "surveyapp-board",
        "version": 1,
        "round": {"slug": "t3st", "title": spec.title},
        "spec": frozen,
        "spec_hash": spec_hash,
        "public_key": key.public_key.hex(),
        "threshold": threshold,
        "trustees": [{"index": t.index, "name": t.name, "key": t.key.hex()}
                     for t in key.trustees],
        "layout": {"cells": [list(c) for c in layout.cells],
                   "positions": list(layout.positions)},
        "units": units,
        "ballots": ballots,
        "sums": sums,
        "results": results,
        "checks": {"subjects": checks},
    }
    return Made(board, lock, shares)


def sealed_bytes(ballot: dict) -> bytes:
    return base64.b64decode(ballot["sealed"])


def replace_sealed(board: dict, index: int, data: bytes, *, fix_tracker: bool = True) -> str:
    """Put ``data`` as ballot ``index``'s sealed bytes; with ``fix_tracker``, give it its
    tracker and put the ballots back in order.  Returns the ballot's tracker."""
    ballot = board["ballots"][index]
    ballot["sealed"] = base64.b64encode(data).decode()
    if fix_tracker:
        ballot["tracker"] = sealing.tracker(data)
        board["ballots"].sort(key=lambda b: b["tracker"])
    return ballot["tracker"]
