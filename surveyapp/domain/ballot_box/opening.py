"""Opening the box (开箱计票): the trustees decrypt sums, never ballots.

Every ballot's ciphertexts are added position by position per voter group
(:func:`sum_ciphertexts`).  Each present trustee i computes D_i = x_i·A for
each summed A, with a Chaum–Pedersen proof that it used the x_i behind their
published X_i (:func:`partial_decryption`); with ``threshold`` of them,
D = Σ λ_i·D_i = x·A and the count m solves B = D + m·G (:func:`count_of`).
The private key x is never rebuilt.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from . import curve, proofs
from .curve import Point
from .keys import Share, Trustee, lagrange_at_zero
from .proofs import EqualityProof


@dataclass(frozen=True)
class PartialDecryption:
    """Trustee ``index``'s D_i = x_i·A of one sum, with its proof."""

    index: int
    share: bytes  # D_i, compressed
    proof: EqualityProof

    SIZE = 1 + curve.POINT_BYTES + EqualityProof.SIZE

    def encode(self) -> bytes:
        return bytes([self.index]) + self.share + self.proof.encode()

    @classmethod
    def decode_all(cls, data: bytes) -> list[PartialDecryption]:
        if len(data) % cls.SIZE:
            raise ValueError("partial decryptions of the wrong length")
        out = []
        for at in range(0, len(data), cls.SIZE):
            chunk = data[at:at + cls.SIZE]
            out.append(cls(chunk[0], chunk[1:1 + curve.POINT_BYTES],
                           EqualityProof.decode(chunk[1 + curve.POINT_BYTES:])))
        return out


class Accumulator:
    """Adds ciphertexts position by position, a batch at a time, so that a
    round of any size is summed in bounded memory."""

    def __init__(self, positions: int):
        self.positions = positions
        self._a: list[list[Point]] = [[] for _ in range(positions)]
        self._b: list[list[Point]] = [[] for _ in range(positions)]
        self.ballots = 0

    def add(self, texts: Sequence[tuple[bytes, bytes]]) -> None:
        if len(texts) != self.positions:
            raise ValueError("a ballot with the wrong number of positions")
        for p, (a, b) in enumerate(texts):
            self._a[p].append(curve.decode(a))
            self._b[p].append(curve.decode(b))
        self.ballots += 1
        if len(self._a[0]) >= 2048:
            self._fold()

    def _fold(self) -> None:
        for p in range(self.positions):
            self._a[p] = [curve.add(self._a[p])]
            self._b[p] = [curve.add(self._b[p])]

    @classmethod
    def merged(cls, parts: Sequence[Accumulator]) -> Accumulator:
        """One accumulator holding the ballots of several (e.g. a unit's groups)."""
        out = cls(parts[0].positions)
        for part in parts:
            part._fold()
            for p in range(out.positions):
                out._a[p] += part._a[p]
                out._b[p] += part._b[p]
            out.ballots += part.ballots
        return out

    def sums(self) -> list[tuple[bytes, bytes]]:
        """(ΣA, ΣB) per position; empty if no ballot was added."""
        if not self.ballots:
            return []
        self._fold()
        return [(curve.encode(a[0]), curve.encode(b[0])) for a, b in zip(self._a, self._b,
                                                                           strict=True)]


def decryption_place(name: str, index: int, a: bytes, b: bytes) -> bytes:
    return f"{name}|{index}|".encode() + a + b


def partial_decryption(context: bytes, name: str, share: Share, trustee: Trustee,
                       a: bytes, b: bytes) -> PartialDecryption:
    """Trustee's D_i = x_i·A of the sum named ``name``, with its proof."""
    a_point = curve.decode(a)
    d = curve.encode(curve.mul(a_point, share.secret))
    nonce = curve.random_scalars(1)[0]
    proof = proofs.prove_equal_logs(proofs.DECRYPTION, context,
                                    decryption_place(name, share.index, a, b), trustee.key, d,
                                    share.secret, curve.g_table(), a_point, nonce)
    return PartialDecryption(share.index, d, proof)


def check_partial(context: bytes, name: str, trustee: Trustee, a: bytes, b: bytes,
                  part: PartialDecryption) -> bool:
    return (part.index == trustee.index and proofs.verify_equal_logs(
        proofs.DECRYPTION, context, decryption_place(name, trustee.index, a, b), trustee.key,
        part.share, part.proof, curve.g_table(), curve.decode(a)))


def combined(parts: Iterable[PartialDecryption]) -> Point:
    """D = Σ λ_i·D_i = x·A."""
    parts = list(parts)
    weights = lagrange_at_zero([p.index for p in parts])
    return curve.add([curve.mul(curve.decode(p.share), weights[p.index]) for p in parts])


def shared_decryption(shares: Sequence[Share], a: bytes) -> Point:
    """D = Σ λ_i·(x_i·A) straight from the shares, for counts used in memory
    only (no proofs: nobody else sees them; the board's come with proofs)."""
    weights = lagrange_at_zero([s.index for s in shares])
    a_point = curve.decode(a)
    return curve.add([curve.mul(a_point, s.secret * weights[s.index] % curve.N)
                      for s in shares])


class Counts:
    """m from m·G, for m up to a bound: a table of m·G built by additions."""

    def __init__(self, most: int):
        self._table: dict[bytes, int] = {}
        point = None
        for m in range(1, most + 1):
            point = curve.G if point is None else curve.add([point, curve.G])
            self._table[curve.encode(point)] = m

    def count_of(self, b: bytes, d: Point) -> int:
        """The m with B = D + m·G; ValueError if there is none up to the bound."""
        b_point = curve.decode(b)
        if curve.equal(b_point, d):
            return 0  # B − D would be the point at infinity
        found = self._table.get(curve.encode(curve.add([b_point, curve.neg(d)])))
        if found is None:
            raise ValueError("a sum decrypts to no count: a share or ballot is wrong")
        return found


def comment_secret(shares: Sequence[Share], ephemeral: bytes) -> bytes:
    """S = x·K for a sealed comment, as Σ λ_i·(x_i·K): the shares are used
    one by one, as for the sums.  (A comment proves itself by its AEAD tag.)"""
    weights = lagrange_at_zero([s.index for s in shares])
    k_point = curve.decode(ephemeral)
    return curve.encode(curve.add([curve.mul(curve.mul(k_point, s.secret), weights[s.index])
                                   for s in shares]))


def check_share(share: Share, trustee: Trustee, tag: str) -> bool:
    """Does the share belong to this trustee of this round?"""
    return (share.tag == tag and share.index == trustee.index
            and curve.equal(curve.g_table().mul(share.secret), curve.decode(trustee.key)))
