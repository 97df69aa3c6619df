"""Checking a whole board, in the order of docs/board.md ("What a verifier checks"); the first
check that fails raises :class:`~.errors.Failure` naming what and where."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from . import ballots, group, proofs
from .board import ALL, Board, hex_bytes
from .errors import Failure
from .figures import Figures, Tally, check_units
from .published import Published
from .spec import Round, read, spec_hash


@dataclass
class Summary:
    board: Board
    round: Round
    ballots: int = 0
    proofs: int = 0
    sums: int = 0
    decrypted: int = 0
    shares: int = 0
    decrypting: tuple[int, ...] = ()
    per_unit: dict[str, int] = field(default_factory=dict)
    figures: Tally = field(default_factory=Tally)


def verify(board: Board, *, jobs: int | None = None,
           progress: Callable[[int], None] = lambda n: None) -> Summary:
    """Every check of the board; Failure at the first that fails.  NotABoard comes before
    any check: the spec and the results are read whole first.  ``progress`` is called with
    0 when the ballots' check starts, then with the number of ballots each time some are
    done."""
    round_ = read(board.spec)
    published = Published(board.results)
    context, h = _round(board, round_)
    check_units(board.units, round_, published)
    keys = _trustees(board, h)

    setup = ballots.Setup(context, bytes.fromhex(board.public_key), round_.cells,
                          round_.positions, frozenset(u.key for u in board.units),
                          round_.commitment_positions)
    progress(0)
    outcome = ballots.check(setup, board.ballots, jobs=jobs or os.cpu_count() or 1,
                            progress=progress)
    if outcome.failure is not None:
        index, problem = outcome.failure
        raise Failure(f"ballot {index + 1} of {len(board.ballots)} (tracker "
                      f"{board.ballots[index][0]}): {problem}")
    summary = Summary(board, round_, ballots=outcome.ballots, per_unit=outcome.counts,
                      proofs=outcome.ballots * (round_.total_positions + len(round_.cells)))

    sums = _sums(board, round_, outcome.sums)
    summary.sums = len(sums)
    figures = Figures(round_, board.units, published, board.checks, {}, outcome.counts)
    published.check_subjects(round_)  # which counts must be decrypted depends on them
    _decryptions(board, context, keys, sums, figures, summary)
    summary.figures = figures.check()
    return summary


def _round(board: Board, round_: Round) -> tuple[bytes, object]:
    """Check 1: the spec's hash, the layout, and the round's context."""
    found = spec_hash(board.spec)
    if found != board.spec_hash:
        raise Failure(f"spec_hash is {board.spec_hash}, but the spec hashes to {found}")
    if board.cells != round_.cells:
        if len(board.cells) != len(round_.cells):
            raise Failure(f"layout.cells has {len(board.cells)} cells; the spec has "
                          f"{len(round_.cells)} (subject, criterion)")
        i = next(i for i, (a, b) in enumerate(zip(board.cells, round_.cells, strict=True))
                 if a != b)
        raise Failure(f"layout.cells[{i}] is {list(board.cells[i])}; the spec's cell {i} is "
                      f"{list(round_.cells[i])}")
    if board.positions != round_.positions:
        raise Failure(f"layout.positions are {list(board.positions)}, not the spec's options "
                      f"then _blank: {list(round_.positions)}")
    if board.commitment_positions != round_.commitment_positions:
        raise Failure(f"layout.commitment_positions are {list(board.commitment_positions)}, "
                      f"not {list(round_.commitment_positions)} for the spec's commitments")
    key = _point(board.public_key, "public_key")
    context = hashlib.sha256(b"surveyapp/v1/round" + bytes.fromhex(board.spec_hash)
                             + bytes.fromhex(board.public_key)).digest()
    return context, key


def _point(text: str, what: str):
    data = hex_bytes(text, group.POINT_BYTES)
    try:
        if data is None:
            raise ValueError
        return group.decode(data)
    except ValueError:
        raise Failure(f"{what} is not a point (66 lowercase hex digits of a compressed "
                      f"point of secp256k1): {text[:80]!r}") from None


def _trustees(board: Board, h) -> dict[int, tuple[bytes, object]]:
    """Check 2: indices 1…N, keys that are points, 1 ≤ t ≤ N.  Also that the keys are shares
    of the public key: any t of them interpolate to H (checked on the first t, and each other
    key against them), without which a decryption proof says nothing about H."""
    indexes = sorted(t.index for t in board.trustees)
    if indexes != list(range(1, len(indexes) + 1)):
        raise Failure(f"trustees: the indices are {[t.index for t in board.trustees]}, not "
                      f"1 to {len(indexes)} each once")
    if not 1 <= board.threshold <= len(indexes):
        raise Failure(f"threshold is {board.threshold}, not between 1 and the "
                      f"{len(indexes)} trustees")
    keys = {}
    for trustee in board.trustees:
        point = _point(trustee.key, f"trustee {trustee.index}'s key")
        keys[trustee.index] = (bytes.fromhex(trustee.key), point)
    base = list(range(1, board.threshold + 1))
    for at in [0, *range(board.threshold + 1, len(indexes) + 1)]:
        weights = group.lagrange_at(base, at)
        expected = group.add(group.mul(keys[i][1], weights[i]) for i in base)
        target = h if at == 0 else keys[at][1]
        if not group.equal(expected, target):
            what = "the public key" if at == 0 else f"trustee {at}'s key"
            raise Failure(f"trustees: the keys of trustees {base} do not interpolate to "
                          f"{what}: the keys are not shares of the round's key")
    return keys


def _sums(board: Board, round_: Round, computed: dict[str, tuple[list, list]]) -> list:
    """Check 4: one sum per (unit, position) and per ("~all", position), each the sum of
    its ballots.  Returns (sum, ΣA, ΣB as bytes) in board order."""
    positions = round_.total_positions
    units = [u.key for u in board.units]
    seen = set()
    for entry in board.sums:
        if entry.unit not in units and entry.unit != ALL:
            raise Failure(f"sums: {entry.name()}: {entry.unit!r} is not a unit of the board")
        if not 0 <= entry.position < positions:
            raise Failure(f"sums: {entry.name()}: there are positions 0 to {positions - 1}")
        if (entry.unit, entry.position) in seen:
            raise Failure(f"sums: {entry.name()} is on the board twice")
        seen.add((entry.unit, entry.position))
    for unit in [*units, ALL]:
        for position in range(positions):
            if (unit, position) not in seen:
                raise Failure(f"sums: the sum of unit {unit!r} at position {position} is "
                              "missing")
    everything = ([group.add(computed[u][0][p] for u in computed) for p in range(positions)],
                  [group.add(computed[u][1][p] for u in computed) for p in range(positions)])
    out = []
    for entry in board.sums:
        a, b = (everything if entry.unit == ALL else computed.get(entry.unit, ([None] * positions,
                                                                               [None] * positions)))
        a, b = a[entry.position], b[entry.position]
        if a is None or b is None:
            raise Failure(f"sums: {entry.name()}: the unit has no ballot on the board, so its "
                          "sum is the point at infinity, which a board cannot hold")
        expected = (group.encode(a) + group.encode(b)).hex()
        if entry.ciphertext != expected:
            raise Failure(f"sums: {entry.name()} is not the sum of its ballots' ciphertexts: "
                          f"expected {expected}, found {entry.ciphertext}")
        out.append((entry, group.encode(a), group.encode(b)))
    return out


def _decryptions(board: Board, context: bytes, keys: dict, sums: list, figures: Figures,
                 summary: Summary) -> None:
    """Check 5: every decryption proof, by the same t distinct trustees; ΣB = D + m·G; and a
    count decrypted exactly where the results show it.  Fills ``figures.decrypted``."""
    decrypting = None
    for entry, sum_a, sum_b in sums:
        name = entry.name()
        if (entry.count is None) != (entry.decryptions is None):
            raise Failure(f"sums: {name} has " + ("a count but no decryptions"
                                                  if entry.decryptions is None
                                                  else "decryptions but no count"))
        shown = figures.shown(entry.unit, entry.position)
        if shown and entry.count is None:
            raise Failure(f"sums: the results show the count of {name}, but it is not "
                          "decrypted")
        if entry.count is None:
            continue
        if not shown:
            raise Failure(f"sums: {name} is decrypted, but the results do not show its count")
        parts = entry.decryptions
        who = [d.trustee for d in parts]
        if len(set(who)) != len(who) or len(who) != board.threshold:
            raise Failure(f"sums: {name} is decrypted by trustees {who}, not by "
                          f"{board.threshold} distinct trustees")
        for i in who:
            if i not in keys:
                raise Failure(f"sums: {name} is decrypted by trustee {i}, who is not one of the "
                              "board's trustees")
        if decrypting is None:
            decrypting = sorted(who)
        elif sorted(who) != decrypting:
            raise Failure(f"sums: {name} is decrypted by trustees {sorted(who)}, the other sums "
                          f"by {decrypting}")
        point_a = group.decode(sum_a)
        where = f"{entry.unit}|{entry.position}|".encode()
        shares = {}
        for part in parts:
            share = hex_bytes(part.share, group.POINT_BYTES)
            proof = hex_bytes(part.proof, 2 * group.POINT_BYTES + group.SCALAR_BYTES)
            if share is None or proof is None or not proofs.decryption_holds(
                    context, where + f"{part.trustee}|".encode() + sum_a + sum_b,
                    keys[part.trustee][0], share, proof, point_a):
                raise Failure(f"sums: {name}: trustee {part.trustee}'s decryption proof fails")
            shares[part.trustee] = group.decode(share)
        weights = group.lagrange_at(list(shares))
        d = group.add(group.mul(shares[i], weights[i]) for i in shares)
        if not 0 <= entry.count < group.N or not group.equal(group.decode(sum_b),
                                                             group.add_g(d, entry.count)):
            raise Failure(f"sums: {name} does not decrypt to its count {entry.count}")
        figures.decrypted[(entry.unit, entry.position)] = entry.count
        summary.decrypted += 1
        summary.shares += len(parts)
    summary.decrypting = tuple(decrypting or ())

