"""Sealing a ballot: the exponential-ElGamal encryption of every answer,
with its proofs, as one byte string, and its tracker.

A ballot of a round has every *cell* (subject × criterion) of the round's
layout.  A cell is a vector over its *positions*: the scale's options, then
"left blank".  Each position is a ciphertext (A, B) = (r·G, r·H + m·G) with
m = 1 at the chosen position and 0 elsewhere, and a proof that m is 0 or 1.
Each cell adds a proof that the sum of its positions, (ΣA, ΣB), is 0 or 1
too: 1 on every web ballot (one-hot, blank and abstention being positions),
0 where a paper ballot leaves a subject out altogether, so that "ballots
that include the subject" is counted without showing which ballots leave
whom out (本人不评 must not name the voter).  Summing the ciphertexts of
every ballot of a group, position by position, gives ciphertexts of exactly
the counts the tally takes (:mod:`.opening`).

The encoding (version 1):

    b"SB1" | per cell, in layout order:
        per position: A | B | a0 | b0 | a1 | b1 | c0 | s0 | s1   (6×33 + 3×32 bytes)
        the cell's sum proof: a0 | b0 | a1 | b1 | c0 | s0 | s1    (4×33 + 3×32 bytes)

A ballot's *tracker* is the SHA-256 of that encoding: the voter's receipt
(its first 20 characters in base32) and its name on the bulletin board.
Proofs are bound to the round (:func:`context`), the cell and the position,
not to the voter group: the board must be checkable without saying which
small group each ballot came from (a group's turnout below the threshold is
not shown).
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..model import BLANK, COMMITMENT_OPTIONS, COMMITMENT_PREFIX
from . import curve, proofs
from .curve import FixedBase, N
from .proofs import DisjunctiveProof

MAGIC = b"SB1"
CIPHERTEXT = 2 * curve.POINT_BYTES
POSITION = CIPHERTEXT + DisjunctiveProof.SIZE
#: A cell left out of a ballot (a subject not on it): no position is set.
ABSENT = "_absent"
RECEIPT_CHARS = 20
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True)
class Layout:
    """What a ballot of the round holds: its cells (subject key, criterion
    key) and, in each, its positions (option keys, then blank).  A
    commitment item's cell (criterion ``commitment:<n>``, after every
    subject × criterion cell) has the commitment scale's positions
    (``commitment_positions``) instead; a round without commitments has
    none, and its layout and encoding are what they always were."""

    cells: tuple[tuple[str, str], ...]
    positions: tuple[str, ...]
    commitment_positions: tuple[str, ...] = ()

    @functools.cached_property
    def cell_positions(self) -> tuple[tuple[str, ...], ...]:
        """Each cell's positions, in layout order."""
        return tuple(self.commitment_positions if c.startswith(COMMITMENT_PREFIX)
                     else self.positions for _s, c in self.cells)

    @functools.cached_property
    def offsets(self) -> tuple[int, ...]:
        """Where each cell's first position is among all the ballot's positions."""
        out, at = [], 0
        for positions in self.cell_positions:
            out.append(at)
            at += len(positions)
        return tuple(out)

    @property
    def total_positions(self) -> int:
        """Positions of one ballot, every cell's together."""
        return sum(len(p) for p in self.cell_positions)

    def position_at(self, position: int) -> tuple[int, str]:
        """The cell index and option key of a position (0-based, all cells' together)."""
        cell = bisect.bisect_right(self.offsets, position) - 1
        return cell, self.cell_positions[cell][position - self.offsets[cell]]

    @property
    def size(self) -> int:
        """Bytes of a sealed ballot."""
        return (len(MAGIC) + self.total_positions * POSITION
                + len(self.cells) * DisjunctiveProof.SIZE)


@dataclass(frozen=True)
class RoundLock:
    """What sealing and checking ballots of one round needs: its context
    (binding every proof to the round), its layout and its public key H,
    with H's multiplication table."""

    context: bytes
    layout: Layout
    public_key: bytes
    h: FixedBase

    @classmethod
    def make(cls, context: bytes, layout: Layout, public_key: bytes) -> RoundLock:
        return cls(context, layout, public_key, FixedBase(curve.decode(public_key)))


def context(spec_hash: str, public_key: bytes) -> bytes:
    """The round's context, hashed into every proof: its frozen spec and its key."""
    return hashlib.sha256(b"surveyapp/v1/round" + bytes.fromhex(spec_hash)
                          + public_key).digest()


def spec_hash(spec_data: Mapping) -> str:
    """SHA-256 of the frozen spec as canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(spec_data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _place(cell: int, position: int | None = None) -> bytes:
    place = f"{cell}" + ("" if position is None else f"|{position}")
    return place.encode("utf-8")


# -- sealing ---------------------------------------------------------------------------------

def kit_size(layout: Layout) -> int:
    """Bytes of a ballot kit: a 0-or-1 kit per position and per cell."""
    return (layout.total_positions + len(layout.cells)) * proofs.KIT_SIZE


def ballot_kit(lock: RoundLock) -> bytes:
    """Everything about sealing one ballot that does not depend on its
    answers: nearly all of the work (~20 ms), done ahead when the server is
    idle (services/voting/kits.py) or at once.  Fresh randomness throughout;
    a kit seals one ballot and is never used again."""
    g = curve.g_table()
    kits = []
    for k in map(len, lock.layout.cell_positions):
        randoms = curve.random_scalars(4 * k + 4)
        a_points, rh_points = [], []
        for p in range(k):
            r = randoms[4 * p]
            a_points.append(g.mul(r))
            rh_points.append(lock.h.mul(r))
            kits.append(proofs.zero_or_one_kit(a_points[-1], r, rh_points[-1], lock.h,
                                               randoms[4 * p + 1:4 * p + 4]))
        # The cell's sum (ΣA, ΣrH + Σm·G) is a ciphertext of 0 or 1 with randomness Σr.
        total_r = sum(randoms[0:4 * k:4]) % N
        kits.append(proofs.zero_or_one_kit(curve.add(a_points), total_r, curve.add(rh_points),
                                           lock.h, randoms[4 * k + 1:4 * k + 4]))
    return b"".join(kits)


def seal(lock: RoundLock, choices: Mapping[tuple[str, str], str | None],
         kit: bytes | None = None) -> bytes:
    """The sealed ballot whose answer in each cell is an option
    key, None for a blank or :data:`ABSENT`; every cell must be given.  With
    a ``kit`` (from :func:`ballot_kit`, never used before) sealing is little
    more than hashing."""
    layout = lock.layout
    kit = ballot_kit(lock) if kit is None else kit
    if len(kit) != kit_size(layout):
        raise ValueError("a ballot kit of another layout")
    size = proofs.KIT_SIZE
    parts = [MAGIC]
    at = 0
    for index, (cell, positions) in enumerate(zip(layout.cells, layout.cell_positions,
                                                  strict=True)):
        choice = choices[cell]
        chosen = (None if choice == ABSENT
                  else positions.index(BLANK if choice is None else choice))
        for p in range(len(positions)):
            a, b, proof = proofs.finish_zero_or_one(lock.context, _place(index, p),
                                                    kit[at:at + size], 1 if p == chosen else 0)
            parts += [a, b, proof.encode()]
            at += size
        _a, _b, proof = proofs.finish_zero_or_one(
            lock.context, _place(index), kit[at:at + size], 0 if chosen is None else 1,
            label=proofs.AT_MOST_ONE)
        parts.append(proof.encode())
        at += size
    return b"".join(parts)


def tracker(sealed: bytes) -> str:
    """The ballot's tracker: SHA-256 (hex) of its sealed answers."""
    return hashlib.sha256(sealed).hexdigest()


def receipt(tracker_hex: str) -> str:
    """What the voter keeps: the tracker's first 100 bits in base32,
    ``ABCDE-FGHJK-MNPQR-STVWX``."""
    bits = int(tracker_hex[:25], 16)  # 100 bits
    raw = "".join(_ALPHABET[(bits >> (5 * (RECEIPT_CHARS - 1 - i))) & 31]
                  for i in range(RECEIPT_CHARS))
    return "-".join(raw[i:i + 5] for i in range(0, RECEIPT_CHARS, 5))


def receipt_prefix(typed: str) -> str | None:
    """The tracker prefix (25 hex digits) a typed receipt stands for, or None."""
    cleaned = "".join(ch for ch in typed.upper() if ch not in " -_\t").translate(
        str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"}))
    if len(cleaned) != RECEIPT_CHARS or any(ch not in _ALPHABET for ch in cleaned):
        return None
    bits = 0
    for ch in cleaned:
        bits = bits * 32 + _ALPHABET.index(ch)
    return f"{bits:025x}"


# -- reading a sealed ballot back ---------------------------------------------------------------

@dataclass(frozen=True)
class SealedCell:
    ciphertexts: tuple[tuple[bytes, bytes], ...]
    proofs: tuple[DisjunctiveProof, ...]
    sum_proof: DisjunctiveProof


def ciphertexts(layout: Layout, sealed: bytes) -> list[tuple[bytes, bytes]]:
    """The (A, B) of every position, cell by cell, without reading the proofs."""
    if len(sealed) != layout.size or not sealed.startswith(MAGIC):
        raise ValueError("a sealed ballot of the wrong size for this round")
    out = []
    offset = len(MAGIC)
    p = curve.POINT_BYTES
    for positions in layout.cell_positions:
        for _position in positions:
            out.append((sealed[offset:offset + p], sealed[offset + p:offset + 2 * p]))
            offset += POSITION
        offset += DisjunctiveProof.SIZE
    return out


def cells(layout: Layout, sealed: bytes) -> list[SealedCell]:
    """The sealed ballot cell by cell, proofs included (ValueError if malformed)."""
    if len(sealed) != layout.size or not sealed.startswith(MAGIC):
        raise ValueError("a sealed ballot of the wrong size for this round")
    out = []
    offset = len(MAGIC)
    p = curve.POINT_BYTES
    for positions in layout.cell_positions:
        texts, cell_proofs = [], []
        for _position in positions:
            texts.append((sealed[offset:offset + p], sealed[offset + p:offset + 2 * p]))
            cell_proofs.append(DisjunctiveProof.decode(
                sealed[offset + CIPHERTEXT:offset + POSITION]))
            offset += POSITION
        sum_proof = DisjunctiveProof.decode(sealed[offset:offset + DisjunctiveProof.SIZE])
        offset += DisjunctiveProof.SIZE
        out.append(SealedCell(tuple(texts), tuple(cell_proofs), sum_proof))
    return out


def check(lock: RoundLock, sealed: bytes) -> str | None:
    """None if every proof of the ballot holds; else what fails first."""
    try:
        found = cells(lock.layout, sealed)
    except ValueError as error:
        return str(error)
    for index, cell in enumerate(found):
        for p, ((a, b), proof) in enumerate(zip(cell.ciphertexts, cell.proofs, strict=True)):
            if not proofs.verify_zero_or_one(lock.context, _place(index, p), a, b,
                                             proof, lock.h):
                return f"cell {index} position {p}: the 0-or-1 proof fails"
        try:
            x = curve.encode(curve.add([curve.decode(a) for a, _ in cell.ciphertexts]))
            y = curve.encode(curve.add([curve.decode(b) for _, b in cell.ciphertexts]))
        except ValueError:
            return f"cell {index}: the ciphertexts do not sum"
        if not proofs.verify_zero_or_one(lock.context, _place(index), x, y,
                                         cell.sum_proof, lock.h, label=proofs.AT_MOST_ONE):
            return f"cell {index}: the at-most-one proof fails"
    return None


# -- comments ---------------------------------------------------------------------------------
#
# Every sealed ballot carries a comment, empty or not, padded to one size, so
# neither its presence nor its length tells a comment (published after
# counting) from another.  And a proof that its maker knows k with K = k·G,
# bound to the ballot's tracker: without it, whoever can write to the
# database could put a ballot's A in place of K and have the trustees
# decrypt it as a "comment" (a decryption oracle).

_NONCE = 12
#: Padded plaintext: a 2-byte length, the text in UTF-8, zeros.  1,000
#: characters of 4 bytes at most fit.
COMMENT_BYTES = 4096
COMMENT_KEY = b"surveyapp/v1/comment-key"
_P = curve.POINT_BYTES
SEALED_COMMENT = 2 * _P + curve.SCALAR_BYTES + _NONCE + COMMENT_BYTES + 16


def _comment_key(shared: bytes, lock_context: bytes) -> ChaCha20Poly1305:
    key = HKDF(algorithm=SHA256(), length=32, salt=lock_context,
               info=b"surveyapp/v1/comment").derive(shared)
    return ChaCha20Poly1305(key)


def _pad(text: str) -> bytes:
    data = text.encode("utf-8")
    if len(data) > COMMENT_BYTES - 2:
        raise ValueError("comment too long to seal")
    return len(data).to_bytes(2, "big") + data + bytes(COMMENT_BYTES - 2 - len(data))


def seal_comment(lock: RoundLock, text: str, tracker_hex: str) -> bytes:
    """Hybrid encryption to the round key: K = k·G, S = k·H, the padded text
    under ChaCha20-Poly1305 with a key from S, the round and K as associated
    data; and a Schnorr proof (R, s) of knowing k, bound to the round, the
    ballot's tracker and the ciphertext.  Returns K | R | s | nonce | body."""
    g = curve.g_table()
    k, u = curve.random_scalars(2)
    ephemeral = curve.encode(g.mul(k))
    shared = curve.encode(lock.h.mul(k))
    nonce = secrets.token_bytes(_NONCE)
    body = _comment_key(shared, lock.context).encrypt(nonce, _pad(text),
                                                      lock.context + ephemeral)
    commitment = curve.encode(g.mul(u))
    e = curve.hash_to_scalar(COMMENT_KEY, (lock.context, bytes.fromhex(tracker_hex),
                                           ephemeral, commitment, nonce, body))
    return ephemeral + commitment + curve.scalar_bytes(u + e * k) + nonce + body


def comment_ephemeral(sealed: bytes) -> bytes:
    """K, once its maker's knowledge of k has been checked; ValueError if not."""
    if len(sealed) != SEALED_COMMENT:
        raise ValueError("a sealed comment of the wrong size")
    return sealed[:_P]


def check_comment(context_bytes: bytes, tracker_hex: str, sealed: bytes) -> bool:
    """Does the proof of knowledge of k hold?  (Checked before any trustee
    applies a share to K.)"""
    try:
        ephemeral, commitment = sealed[:_P], sealed[_P:2 * _P]
        s = curve.scalar_from(sealed[2 * _P:2 * _P + 32])
        rest = sealed[2 * _P + 32:]
        nonce, body = rest[:_NONCE], rest[_NONCE:]
        e = curve.hash_to_scalar(COMMENT_KEY, (context_bytes, bytes.fromhex(tracker_hex),
                                               ephemeral, commitment, nonce, body))
        if s == 0 or e == 0 or len(sealed) != SEALED_COMMENT:
            return False
        expected = curve.add([curve.decode(commitment), curve.mul(curve.decode(ephemeral), e)])
        return curve.equal(curve.g_table().mul(s), expected)
    except ValueError:
        return False


def open_comment(context_bytes: bytes, sealed: bytes, shared: bytes) -> str:
    """The text, given S = x·K (from the trustees' shares); ValueError if
    it was tampered with.  An empty text is an empty comment."""
    from cryptography.exceptions import InvalidTag

    ephemeral = sealed[:_P]
    rest = sealed[2 * _P + 32:]
    nonce, body = rest[:_NONCE], rest[_NONCE:]
    try:
        plain = _comment_key(shared, context_bytes).decrypt(nonce, body,
                                                            context_bytes + ephemeral)
    except InvalidTag:
        raise ValueError("a sealed comment was altered") from None
    size = int.from_bytes(plain[:2], "big")
    if size > COMMENT_BYTES - 2 or any(plain[2 + size:]):
        raise ValueError("a sealed comment is badly padded")
    return plain[2:2 + size].decode("utf-8")


def layout_of(subjects: Sequence[str], criteria: Sequence[str], options: Sequence[str],
              commitments: Mapping[str, int] | None = None) -> Layout:
    """The layout of a round: ``commitments`` maps a subject key to its number
    of commitment items (their cells come last, subject by subject)."""
    cells = [(s, c) for s in subjects for c in criteria]
    extra = [(s, f"{COMMITMENT_PREFIX}{i + 1}") for s in subjects
             for i in range((commitments or {}).get(s, 0))]
    return Layout(tuple(cells + extra), (*options, BLANK),
                  (*COMMITMENT_OPTIONS, BLANK) if extra else ())
