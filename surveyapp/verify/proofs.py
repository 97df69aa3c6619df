"""The proofs of docs/board.md, checked one at a time: the hash, the 0-or-1 proof of a position
or a cell, and a trustee's decryption proof.

These are the reference checks.  Ballots are checked many proofs at once
(:mod:`.ballots`), and one at a time with these only to name what failed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from . import group
from .group import N, Point

ZERO_OR_ONE = b"surveyapp/v1/zero-or-one"
AT_MOST_ONE = b"surveyapp/v1/cell-at-most-one"
DECRYPTION = b"surveyapp/v1/decryption"


def challenge(label: bytes, parts: Iterable[bytes]) -> int:
    """Hash(label, p₁, …, p_k): SHA-512 over the label and length-prefixed parts, mod N."""
    digest = hashlib.sha512(label)
    for part in parts:
        digest.update(len(part).to_bytes(4, "big"))
        digest.update(part)
    return int.from_bytes(digest.digest(), "big") % N


def place(cell: int, position: int | None = None) -> bytes:
    """``"<cell>|<position within the cell>"`` for a position, ``"<cell>"`` for a cell."""
    return (f"{cell}" if position is None else f"{cell}|{position}").encode("ascii")


def zero_or_one_holds(label: bytes, context: bytes, where: bytes, a: bytes, b: bytes,
                      proof: bytes, h: Point) -> bool:
    """The 0-or-1 proof (4 points and 3 scalars, 228 bytes) of the ciphertext (A, B)."""
    p = group.POINT_BYTES
    try:
        commitments = [proof[i * p:(i + 1) * p] for i in range(4)]
        c0, s0, s1 = (group.scalar(proof[4 * p + 32 * i:4 * p + 32 * (i + 1)])
                      for i in range(3))
        a0, b0, a1, b1 = (group.decode(x) for x in commitments)
        pa, pb = group.decode(a), group.decode(b)
    except ValueError:
        return False
    c = challenge(label, (context, where, a, b, *commitments))
    c1 = (c - c0) % N
    if not (c0 and c1 and s0 and s1):
        return False
    b_minus_g = group.add_g(pb, N - 1)
    return (_holds(group.g_mul(s0), a0, c0, pa) and _holds(group.g_mul(s1), a1, c1, pa)
            and _holds(group.mul(h, s0), b0, c0, pb)
            and _holds(group.mul(h, s1), b1, c1, b_minus_g))


def _holds(left: Point, commitment: Point, c: int, point: Point) -> bool:
    """left = commitment + c·point."""
    return group.equal(left, group.add((commitment, group.mul(point, c))))


def decryption_holds(context: bytes, where: bytes, key: bytes, share: bytes, proof: bytes,
                     sum_a: Point) -> bool:
    """Trustee's proof (α ‖ β ‖ s) that log_G(X_i) = log_ΣA(D_i)."""
    p = group.POINT_BYTES
    if len(proof) != 2 * p + group.SCALAR_BYTES:
        return False
    alpha, beta = proof[:p], proof[p:2 * p]
    try:
        s = group.scalar(proof[2 * p:])
        points = [group.decode(x) for x in (key, share, alpha, beta)]
    except ValueError:
        return False
    x, d, pa, pb = points
    c = challenge(DECRYPTION, (context, where, key, share, alpha, beta))
    if not (s and c):
        return False
    return _holds(group.g_mul(s), pa, c, x) and _holds(group.mul(sum_a, s), pb, c, d)
