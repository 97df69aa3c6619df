"""Checking sealed ballots, many proofs at once, and adding up their ciphertexts.

Every proof of a ballot is four equations of the form s·T = a + c·X (T = G or H), and a
board of 10,000 ballots of 20 people has 5.6 million of them.  One at a time each costs two
multiplications (~40 ms a ballot).  Here a whole chunk of ballots is one equation:

    Σ_j z_j·(s_j·T_j − a_j − c_j·X_j) = O,   i.e.   U·G + V·H = Σ_j z_j·a_j + Σ_j z_j·c_j·X_j

with a fresh random 128-bit weight z_j for every equation j (from :mod:`secrets`).  The
fixed bases collapse into one U·G and one V·H; the right side is one multi-scalar sum
(:mod:`.msm`).  Why the weights must be fresh and random: if any equation is false, its
term z_j·E_j (E_j ≠ O, of prime order N > 2^128) makes the sum O for at most one value of
z_j, so a false chunk passes with probability at most 2^-128.  Weights that an adversary
could predict, reused or derived from the board, would let them make two false equations
cancel.  A ciphertext of a cell's sum is never formed as a point to multiply: the cell
proof's c·ΣA is spread as c·A over the cell's positions.

When a chunk's equation fails, its ballots are checked one proof at a time
(:mod:`.proofs`), in board order, to name the first that fails.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import multiprocessing
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from . import group, proofs
from .group import N, ffi, lib
from .msm import Buckets

MAGIC = b"SB1"
#: A commitment item's cell: its criterion is "commitment:<n>" (docs/board.md).
COMMITMENT_PREFIX = "commitment:"
_P, _S = group.POINT_BYTES, group.SCALAR_BYTES
POSITION_BYTES = 6 * _P + 3 * _S   # A | B | a0 | b0 | a1 | b1 | c0 | s0 | s1
CELL_BYTES = 4 * _P + 3 * _S       # a0 | b0 | a1 | b1 | c0 | s0 | s1
_LENGTH = _P.to_bytes(4, "big")     # every hashed point is 33 bytes long
_WEIGHT = 16                        # bytes of a random weight: 128 bits
#: Ballots checked as one equation (the last chunk may be shorter); big enough that the
#: bucket sums of each window cost little per ballot, small enough for a steady progress bar.
CHUNK = 100


@dataclass(frozen=True)
class Setup:
    """What checking a ballot needs: the round's context and key, its layout, the units."""

    context: bytes
    public_key: bytes
    cells: tuple[tuple[str, str], ...]
    positions: tuple[str, ...]
    units: frozenset[str]
    #: The positions of a commitment item's cell (criterion "commitment:<n>"); () if none.
    commitment_positions: tuple[str, ...] = ()

    @property
    def cell_positions(self) -> tuple[tuple[str, ...], ...]:
        """Each cell's positions: a commitment cell's own, the scale's elsewhere."""
        return tuple(self.commitment_positions if c.startswith(COMMITMENT_PREFIX)
                     else self.positions for _s, c in self.cells)

    @property
    def size(self) -> int:
        return len(MAGIC) + sum(len(p) * POSITION_BYTES + CELL_BYTES
                                for p in self.cell_positions)

    def where(self, cell: int, position: int | None = None) -> str:
        subject, criterion = self.cells[cell]
        text = f"cell {cell} ({subject}, {criterion})"
        if position is not None:
            text += f" position {position} ({self.cell_positions[cell][position]})"
        return text


@dataclass
class Outcome:
    """What a chunk of ballots (or all of them) came to."""

    ballots: int = 0
    #: (index of the first failing ballot, what fails), or None.
    failure: tuple[int, str] | None = None
    #: per unit: how many ballots, and ΣA, ΣB per position as raw points (None: infinity).
    counts: dict[str, int] = field(default_factory=dict)
    sums: dict[str, tuple[list, list]] = field(default_factory=dict)


class _Checker:
    """One process's tables for a round: H, pre-hashed challenge prefixes, point offsets."""

    def __init__(self, setup: Setup):
        self.setup = setup
        self.h = group.decode(setup.public_key)
        cells, sizes = len(setup.cells), [len(p) for p in setup.cell_positions]
        self.sizes = sizes
        context = len(setup.context).to_bytes(4, "big") + setup.context

        def seeded(label: bytes, where: bytes):
            return hashlib.sha512(label + context + len(where).to_bytes(4, "big") + where)

        self.position_hash = [[seeded(proofs.ZERO_OR_ONE, proofs.place(c, p))
                               for p in range(sizes[c])] for c in range(cells)]
        self.cell_hash = [seeded(proofs.AT_MOST_ONE, proofs.place(c)) for c in range(cells)]
        # Where each point starts, in the order they are parsed: per position A, B, a0, b0,
        # a1, b1; per cell a0, b0, a1, b1.
        offsets, at = [], len(MAGIC)
        for cell in range(cells):
            for _position in range(sizes[cell]):
                offsets += [at + i * _P for i in range(6)]
                at += POSITION_BYTES
            offsets += [at + i * _P for i in range(4)]
            at += CELL_BYTES
        self.offsets = offsets
        self.weights_per_ballot = 4 * (sum(sizes) + cells)

    # -- one ballot --------------------------------------------------------------------------

    def read(self, tracker: str, unit: str, text: str) -> tuple[bytes, object] | str:
        """The sealed bytes and their points, or what is wrong before any proof."""
        try:
            sealed = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            return "its sealed ballot is not base64"
        found = hashlib.sha256(sealed).hexdigest()
        if found != tracker:
            return f"its tracker is not the SHA-256 of its sealed ballot ({found})"
        if unit not in self.setup.units:
            return f"its unit {unit!r} is not one of the board's units"
        if len(sealed) != self.setup.size or not sealed.startswith(MAGIC):
            return (f"its sealed ballot has {len(sealed)} bytes, not the {self.setup.size} of "
                    f"{MAGIC.decode()} for this layout")
        points = ffi.new("secp256k1_pubkey[]", len(self.offsets))
        buffer = ffi.from_buffer("unsigned char[]", sealed)
        parse, ctx = lib.secp256k1_ec_pubkey_parse, group.CTX
        for i, offset in enumerate(self.offsets):
            if not parse(ctx, points + i, buffer + offset, _P):
                return self._not_a_point(i)
        return sealed, points

    def _not_a_point(self, i: int) -> str:
        per_position, cell, rest = 6, 0, i
        while rest >= 6 * self.sizes[cell] + 4:
            rest -= 6 * self.sizes[cell] + 4
            cell += 1
        per_cell = 6 * self.sizes[cell] + 4
        if rest < per_cell - 4:
            position, which = divmod(rest, per_position)
            name = ("A", "B", "a0", "b0", "a1", "b1")[which]
            return f"{self.setup.where(cell, position)}: {name} is not a point of the curve"
        name = ("a0", "b0", "a1", "b1")[rest - (per_cell - 4)]
        return f"{self.setup.where(cell)}: the cell proof's {name} is not a point of the curve"

    def terms(self, sealed: bytes, points, weights: bytes) -> tuple[int, int, list] | str:
        """The ballot's weighted equations: its share (U, V) of the fixed-base side and its
        terms (point, scalar as little-endian bytes) of the multi-scalar side; or what fails
        (a scalar out of range or zero, a cell summing to infinity), before any term is
        kept."""
        u = v = 0
        terms = []
        k, at, w = 0, len(MAGIC), 0
        from_bytes = int.from_bytes
        for cell in range(len(self.setup.cells)):
            positions = []
            for p in range(self.sizes[cell]):
                pa, pb, a0, b0, a1, b1 = (points + i for i in range(k, k + 6))
                s = at + 6 * _P
                c0, s0, s1 = (from_bytes(sealed[s + i * _S:s + (i + 1) * _S], "big")
                              for i in range(3))
                if c0 >= N or s0 >= N or s1 >= N:
                    return f"{self.setup.where(cell, p)}: a proof scalar is not below n"
                digest = self.position_hash[cell][p].copy()
                digest.update(_LENGTH + _LENGTH.join(
                    [sealed[at + i * _P:at + (i + 1) * _P] for i in range(6)]))
                c1 = (from_bytes(digest.digest(), "big") - c0) % N
                if not (c0 and c1 and s0 and s1):
                    return f"{self.setup.where(cell, p)}: a proof challenge or response is zero"
                z = [weights[w + i * _WEIGHT:w + (i + 1) * _WEIGHT] for i in range(4)]
                terms += ((a0, z[0]), (a1, z[1]), (b0, z[2]), (b1, z[3]))
                z1, z2, z3, z4 = (from_bytes(x, "little") for x in z)
                # s0·G = a0 + c0·A; s1·G = a1 + c1·A; s0·H = b0 + c0·B;
                # s1·H = b1 + c1·(B − G), i.e. s1·H + c1·G = b1 + c1·B.
                u += z1 * s0 + z2 * s1 + z4 * c1
                v += z3 * s0 + z4 * s1
                positions.append((pa, pb, z1 * c0 + z2 * c1, z3 * c0 + z4 * c1))
                k, at, w = k + 6, at + POSITION_BYTES, w + 4 * _WEIGHT
            sum_a = group.add_all([x[0] for x in positions])
            sum_b = group.add_all([x[1] for x in positions])
            if sum_a is None or sum_b is None:
                return f"{self.setup.where(cell)}: its ciphertexts sum to the point at infinity"
            s = at + 4 * _P
            c0, s0, s1 = (from_bytes(sealed[s + i * _S:s + (i + 1) * _S], "big")
                          for i in range(3))
            if c0 >= N or s0 >= N or s1 >= N:
                return f"{self.setup.where(cell)}: a cell proof scalar is not below n"
            digest = self.cell_hash[cell].copy()
            digest.update(_LENGTH + _LENGTH.join(
                [group.encode(sum_a), group.encode(sum_b)]
                + [sealed[at + i * _P:at + (i + 1) * _P] for i in range(4)]))
            c1 = (from_bytes(digest.digest(), "big") - c0) % N
            if not (c0 and c1 and s0 and s1):
                return f"{self.setup.where(cell)}: a cell proof challenge or response is zero"
            z = [weights[w + i * _WEIGHT:w + (i + 1) * _WEIGHT] for i in range(4)]
            a0, b0, a1, b1 = (points + i for i in range(k, k + 4))
            terms += ((a0, z[0]), (a1, z[1]), (b0, z[2]), (b1, z[3]))
            z1, z2, z3, z4 = (from_bytes(x, "little") for x in z)
            u += z1 * s0 + z2 * s1 + z4 * c1
            v += z3 * s0 + z4 * s1
            # c·ΣA = Σ c·A over the cell's positions: no sum point to multiply.
            extra_a, extra_b = z1 * c0 + z2 * c1, z3 * c0 + z4 * c1
            for pa, pb, scalar_a, scalar_b in positions:
                terms += ((pa, ((scalar_a + extra_a) % N).to_bytes(_S, "little")),
                          (pb, ((scalar_b + extra_b) % N).to_bytes(_S, "little")))
            k, at, w = k + 4, at + CELL_BYTES, w + 4 * _WEIGHT
        return u, v, terms

    def first_false_proof(self, sealed: bytes) -> str | None:
        """The first proof of the ballot that fails, checked alone; None if all hold."""
        setup = self.setup
        at = len(MAGIC)
        for cell in range(len(setup.cells)):
            texts = []
            for p in range(self.sizes[cell]):
                a, b = sealed[at:at + _P], sealed[at + _P:at + 2 * _P]
                texts.append((a, b))
                if not proofs.zero_or_one_holds(proofs.ZERO_OR_ONE, setup.context,
                                                proofs.place(cell, p), a, b,
                                                sealed[at + 2 * _P:at + POSITION_BYTES], self.h):
                    return f"{setup.where(cell, p)}: the 0-or-1 proof fails"
                at += POSITION_BYTES
            sum_a = group.add(group.decode(a) for a, _ in texts)
            sum_b = group.add(group.decode(b) for _, b in texts)
            if sum_a is None or sum_b is None or not proofs.zero_or_one_holds(
                    proofs.AT_MOST_ONE, setup.context, proofs.place(cell), group.encode(sum_a),
                    group.encode(sum_b), sealed[at:at + CELL_BYTES], self.h):
                return f"{setup.where(cell)}: the at-most-one proof fails"
            at += CELL_BYTES
        return None

    # -- a chunk ------------------------------------------------------------------------------

    def chunk(self, start: int, items: Sequence[tuple[str, str, str]]) -> Outcome:
        per_ballot = sum(self.sizes)
        # Which positions end a cell (its sum proof's 4 points follow them).
        last = set(itertools.accumulate(self.sizes))
        buckets = Buckets()
        u = v = 0
        kept = []           # every parsed ballot's points stay alive until the sum is taken
        checked = []        # (index, sealed) of the ballots in the equation
        outcome = Outcome()
        units: dict[str, tuple[list, list]] = {}
        for j, (tracker, unit, text) in enumerate(items):
            read = self.read(tracker, unit, text)
            if isinstance(read, str):
                outcome.failure = (start + j, read)
                break
            sealed, points = read
            kept.append(points)  # the buckets hold pointers into it
            share = self.terms(sealed, points,
                               secrets.token_bytes(self.weights_per_ballot * _WEIGHT))
            if isinstance(share, str):
                outcome.failure = (start + j, share)
                break
            u, v = u + share[0], v + share[1]
            buckets.put_all(share[2])
            checked.append((start + j, sealed))
            sums_a, sums_b = units.setdefault(unit, ([[] for _ in range(per_ballot)],
                                                     [[] for _ in range(per_ballot)]))
            k = 0
            for position in range(per_ballot):
                sums_a[position].append(points + k)
                sums_b[position].append(points + k + 1)
                k += 10 if position + 1 in last else 6
            outcome.counts[unit] = outcome.counts.get(unit, 0) + 1
        if checked:
            right = buckets.total()
            left = group.add((group.g_mul(u), group.mul(self.h, v)))
            if not group.equal(left, right):
                for index, sealed in checked:
                    problem = self.first_false_proof(sealed)
                    if problem:
                        outcome.failure = (index, problem)
                        break
        outcome.ballots = len(checked)
        if outcome.failure is None:
            outcome.sums = {unit: ([group.raw(group.add_all(x)) for x in a],
                                   [group.raw(group.add_all(x)) for x in b])
                            for unit, (a, b) in units.items()}
        del kept
        return outcome


# -- processes ------------------------------------------------------------------------------

_CHECKER: _Checker | None = None
#: The board's ballots, inherited by forked workers: a task is then two numbers, not
#: 5 MB of base64 to pickle through a pipe.
_SHARED: Sequence[tuple[str, str, str]] = ()


def _start(setup: Setup) -> None:
    global _CHECKER
    _CHECKER = _Checker(setup)


def _run(task: tuple[int, int, list | None]) -> Outcome:
    start, stop, items = task
    return _CHECKER.chunk(start, _SHARED[start:stop] if items is None else items)


def first_out_of_order(trackers: Sequence[str]) -> tuple[int, str] | None:
    """Trackers must increase strictly: the first that does not, and why."""
    for i in range(1, len(trackers)):
        if trackers[i] == trackers[i - 1]:
            return i, f"it is ballot {i} again (the same tracker twice)"
        if trackers[i] < trackers[i - 1]:
            return i, f"its tracker comes before ballot {i}'s: they are not in order"
    return None


def check(setup: Setup, ballots: Sequence[tuple[str, str, str]], *, jobs: int,
          progress: Callable[[int], None] = lambda n: None) -> Outcome:
    """Check every ballot (tracker, unit, sealed text) in board order; stop at the first that
    fails.  The result's sums are the per-unit ΣA, ΣB per position (points)."""
    global _SHARED
    order = first_out_of_order([b[0] for b in ballots])
    stop = len(ballots) if order is None else order[0] + 1
    spans = [(start, min(start + CHUNK, stop)) for start in range(0, stop, CHUNK)]
    total = Outcome()
    partial: dict[str, tuple[list, list]] = {}

    def merge(outcome: Outcome) -> bool:
        progress(outcome.ballots)
        total.ballots += outcome.ballots
        for unit, n in outcome.counts.items():
            total.counts[unit] = total.counts.get(unit, 0) + n
        for unit, (a, b) in outcome.sums.items():
            into = partial.setdefault(unit, ([[] for _ in a], [[] for _ in b]))
            for target, raws in ((into[0], a), (into[1], b)):
                for position, raw in enumerate(raws):
                    target[position].append(raw)
        if outcome.failure is not None:
            total.failure = outcome.failure
            return False
        return True

    if jobs <= 1 or len(spans) <= 1:
        checker = _Checker(setup)
        for start, end in spans:
            if not merge(checker.chunk(start, ballots[start:end])):
                break
    else:
        # Fork where there is one: the workers start at once, importing nothing, with the
        # ballots already in memory.
        fork = "fork" in multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if fork else None)
        tasks = [(start, end, None if fork else list(ballots[start:end]))
                 for start, end in spans]
        _SHARED = ballots if fork else ()
        try:
            with context.Pool(min(jobs, len(tasks)), initializer=_start,
                              initargs=(setup,)) as pool:
                for outcome in pool.imap(_run, tasks):  # in order: the first failure is first
                    if not merge(outcome):
                        break
        finally:
            _SHARED = ()
    if order is not None and (total.failure is None or order[0] < total.failure[0]):
        total.failure = order
    total.sums = {unit: ([group.add(group.from_raw(r) for r in x) for x in a],
                         [group.add(group.from_raw(r) for r in x) for x in b])
                  for unit, (a, b) in partial.items()}
    return total
