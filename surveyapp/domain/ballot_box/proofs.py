"""Non-interactive zero-knowledge proofs (Chaum–Pedersen and its
disjunctive form, Cramer–Damgård–Schoenmakers), made non-interactive by
Fiat–Shamir.

Every challenge hashes *everything* public about the statement: a label
naming the proof, the round's context (the hash of its frozen spec and its
public key, see :mod:`.sealing`), the place of the statement (which ballot
cell and position, which sum, which trustee), the statement itself and all
commitments.  Leaving the statement or the key out ("weak Fiat–Shamir") let
forged proofs pass in Helios (Bernhard, Pereira and Warinschi, 2012).

Proofs keep their commitments, as Helios' do, so a verifier can check them
one by one or many at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import curve
from .curve import FixedBase, N, Point

ZERO_OR_ONE = b"surveyapp/v1/zero-or-one"
AT_MOST_ONE = b"surveyapp/v1/cell-at-most-one"
DECRYPTION = b"surveyapp/v1/decryption"


@dataclass(frozen=True)
class DisjunctiveProof:
    """That (A, B) encrypts 0 or 1: commitments (a0, b0), (a1, b1), the
    challenge of branch 0 (branch 1's is the hash minus it) and the responses."""

    a0: bytes
    b0: bytes
    a1: bytes
    b1: bytes
    c0: int
    s0: int
    s1: int

    SIZE = 4 * curve.POINT_BYTES + 3 * curve.SCALAR_BYTES

    def encode(self) -> bytes:
        return (self.a0 + self.b0 + self.a1 + self.b1 + curve.scalar_bytes(self.c0)
                + curve.scalar_bytes(self.s0) + curve.scalar_bytes(self.s1))

    @classmethod
    def decode(cls, data: bytes) -> DisjunctiveProof:
        if len(data) != cls.SIZE:
            raise ValueError("a 0-or-1 proof has the wrong length")
        p = curve.POINT_BYTES
        points = [data[i * p:(i + 1) * p] for i in range(4)]
        rest = data[4 * p:]
        c0, s0, s1 = (curve.scalar_from(rest[i * 32:(i + 1) * 32]) for i in range(3))
        return cls(*points, c0, s0, s1)


@dataclass(frozen=True)
class EqualityProof:
    """Chaum–Pedersen: that log_g(X) = log_h(Y), with commitments (alpha, beta)
    and response s; the challenge is the hash."""

    alpha: bytes
    beta: bytes
    s: int

    SIZE = 2 * curve.POINT_BYTES + curve.SCALAR_BYTES

    def encode(self) -> bytes:
        return self.alpha + self.beta + curve.scalar_bytes(self.s)

    @classmethod
    def decode(cls, data: bytes) -> EqualityProof:
        if len(data) != cls.SIZE:
            raise ValueError("an equality proof has the wrong length")
        p = curve.POINT_BYTES
        return cls(data[:p], data[p:2 * p], curve.scalar_from(data[2 * p:]))


# -- 0 or 1 --------------------------------------------------------------------------------
#
# The prover's work splits in two.  Everything that does not depend on m (the
# ciphertext for either m, the real branch's commitments, the simulated
# branch's challenge, response and commitments for either m) is a *kit*, made
# ahead (sealing.ballot_kit); with m known, finishing is one hash and a few
# scalar operations.  A kit is used once and thrown away.

#: r | A | rH | rH+G | w | wG | wH | c_sim | s_sim | tG | tH+c_sim·G | tH−c_sim·G
KIT_SIZE = 4 * curve.SCALAR_BYTES + 8 * curve.POINT_BYTES
_S, _P = curve.SCALAR_BYTES, curve.POINT_BYTES


def zero_or_one_kit(a_point: Point, r: int, rh_point: Point, h: FixedBase,
                    randoms: list[int]) -> bytes:
    """The kit for (A, B) = (r·G, r·H + m·G), m in {0, 1} to come; ``randoms``
    are three fresh scalars (the real branch's nonce, the simulated branch's
    challenge and response).  Every point is made from the prover's known
    logs: t = s_sim − c_sim·r gives the simulated commitments t·G and
    t·H − c_sim·(m − k)·G directly."""
    g = curve.g_table()
    w, c_sim, s_sim = randoms
    t = (s_sim - c_sim * r) % N
    t_h, c_g = h.mul(t), g.mul(c_sim)
    encode, scalar = curve.encode, curve.scalar_bytes
    return b"".join((
        scalar(r), encode(a_point), encode(rh_point), encode(curve.add_g(rh_point, 1)),
        scalar(w), encode(g.mul(w)), encode(h.mul(w)),
        scalar(c_sim), scalar(s_sim), encode(g.mul(t)),
        encode(curve.add([t_h, c_g])), encode(curve.add([t_h, curve.neg(c_g)]))))


def finish_zero_or_one(context: bytes, place: bytes, kit: bytes, m: int, *,
                       label: bytes = ZERO_OR_ONE) -> tuple[bytes, bytes, DisjunctiveProof]:
    """The ciphertext (A, B) of m and its proof, from a kit."""
    r = int.from_bytes(kit[:_S], "big")
    at = _S
    a, b0, b1 = kit[at:at + _P], kit[at + _P:at + 2 * _P], kit[at + 2 * _P:at + 3 * _P]
    at += 3 * _P
    w = int.from_bytes(kit[at:at + _S], "big")
    at += _S
    a_real, b_real = kit[at:at + _P], kit[at + _P:at + 2 * _P]
    at += 2 * _P
    c_sim, s_sim = int.from_bytes(kit[at:at + _S], "big"), int.from_bytes(
        kit[at + _S:at + 2 * _S], "big")
    at += 2 * _S
    a_sim, b_sim_if_0, b_sim_if_1 = (kit[at:at + _P], kit[at + _P:at + 2 * _P],
                                     kit[at + 2 * _P:at + 3 * _P])
    b = b1 if m else b0
    if m == 0:  # real branch 0; branch 1 simulated with b = tH + c·G
        a0, bb0, a1, bb1 = a_real, b_real, a_sim, b_sim_if_0
    else:       # branch 0 simulated with b = tH − c·G; real branch 1
        a0, bb0, a1, bb1 = a_sim, b_sim_if_1, a_real, b_real
    c = curve.hash_to_scalar(label, (context, place, a, b, a0, bb0, a1, bb1))
    c_real = (c - c_sim) % N
    s_real = (w + c_real * r) % N
    if m == 0:
        return a, b, DisjunctiveProof(a0, bb0, a1, bb1, c_real, s_real, s_sim)
    return a, b, DisjunctiveProof(a0, bb0, a1, bb1, c_sim, s_sim, s_real)


def prove_zero_or_one(context: bytes, place: bytes, a: bytes, b: bytes, m: int, r: int,
                      h: FixedBase, randoms: list[int], *,
                      label: bytes = ZERO_OR_ONE) -> DisjunctiveProof:
    """A proof that (A, B) encrypts m (0 or 1) with randomness r, in one go.
    (A, B) as given is what the proof is about, even if it is not an
    encryption of 0 or 1, which is how tests try to forge one.)"""
    a_point = curve.decode(a)
    rh_point = curve.add_g(curve.decode(b), -m) if m else curve.decode(b)
    kit = zero_or_one_kit(a_point, r, rh_point, h, randoms)
    return finish_zero_or_one(context, place, kit, m, label=label)[2]


def verify_zero_or_one(context: bytes, place: bytes, a: bytes, b: bytes,
                       proof: DisjunctiveProof, h: FixedBase, *,
                       label: bytes = ZERO_OR_ONE) -> bool:
    """Checks the challenge and the four equations s_i·G = a_i + c_i·A and
    s_i·H = b_i + c_i·(B − i·G)."""
    try:
        c = curve.hash_to_scalar(label, (context, place, a, b, proof.a0, proof.b0,
                                          proof.a1, proof.b1))
        c0, c1 = proof.c0, (c - proof.c0) % N
        pa, pb = curve.decode(a), curve.decode(b)
        b_minus_g = curve.add([pb, curve.neg(curve.G)])
        checks = ((proof.s0, proof.a0, c0, pa, curve.g_table()),
                  (proof.s1, proof.a1, c1, pa, curve.g_table()),
                  (proof.s0, proof.b0, c0, pb, h),
                  (proof.s1, proof.b1, c1, b_minus_g, h))
        return all(_holds(s, commitment, c_i, base_point, table)
                   for s, commitment, c_i, base_point, table in checks)
    except ValueError:  # a malformed point, or a sum at infinity
        return False


def _holds(s: int, commitment: bytes, c: int, point: Point, table: FixedBase) -> bool:
    """s·T = commitment + c·point, for the table's base T."""
    if s == 0 or c == 0:
        return False  # never produced by an honest prover (probability 2**-256)
    left = table.mul(s)
    right = curve.add([curve.decode(commitment), curve.mul(point, c)])
    return curve.equal(left, right)


# -- equal logs: a cell sums to one, a trustee decrypts correctly --------------------------------

def prove_equal_logs(label: bytes, context: bytes, place: bytes, x: bytes, y: bytes,
                     secret: int, g_base: FixedBase, h_base: FixedBase | Point,
                     nonce: int) -> EqualityProof:
    """That X = secret·g and Y = secret·h (h a table or any point)."""
    alpha = curve.encode(g_base.mul(nonce))
    beta = curve.encode(h_base.mul(nonce) if isinstance(h_base, FixedBase)
                        else curve.mul(h_base, nonce))
    c = curve.hash_to_scalar(label, (context, place, x, y, alpha, beta))
    return EqualityProof(alpha, beta, (nonce + c * secret) % N)


def verify_equal_logs(label: bytes, context: bytes, place: bytes, x: bytes, y: bytes,
                      proof: EqualityProof, g_base: FixedBase,
                      h_base: FixedBase | Point) -> bool:
    """s·g = alpha + c·X and s·h = beta + c·Y."""
    try:
        c = curve.hash_to_scalar(label, (context, place, x, y, proof.alpha, proof.beta))
        if proof.s == 0 or c == 0:
            return False
        left_g = g_base.mul(proof.s)
        left_h = h_base.mul(proof.s) if isinstance(h_base, FixedBase) else curve.mul(
            h_base, proof.s)
        return (curve.equal(left_g, curve.add([curve.decode(proof.alpha),
                                               curve.mul(curve.decode(x), c)]))
                and curve.equal(left_h, curve.add([curve.decode(proof.beta),
                                                   curve.mul(curve.decode(y), c)])))
    except ValueError:
        return False
