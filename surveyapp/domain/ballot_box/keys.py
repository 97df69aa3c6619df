"""A round's key: made at open, split among its 监票人 with Shamir's scheme,
then forgotten; only ``threshold`` shares together can open the ballot box.

f(z) = x + a1·z + … + a_{t−1}·z^{t−1} over Z_N with random coefficients;
trustee i (1-based) holds x_i = f(i), and X_i = x_i·G is published so a
wrong share is refused before any arithmetic.  Any t shares recombine with
Lagrange coefficients at 0; x itself is never rebuilt (see :mod:`.opening`).

A share travels as text (a key slip, or a file): version, a tag of the
round's public key, the trustee's number, x_i, and check characters, in
Crockford base32 groups, so that a typo, a share of another round or a
swapped number is refused with a clear message.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..model import SpecError
from . import curve
from .curve import N

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_LOOKALIKES = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})
VERSION = "S1"
TAG_CHARS = 4      # 20 bits of the public key's hash: which round
CHECK_CHARS = 4    # 20 bits of the text's hash: a typo is caught
SECRET_CHARS = 52  # 260 bits carry the 256 of x_i
GROUP = 4


@dataclass(frozen=True)
class Trustee:
    """A 监票人 as the round knows them: number, name, verification key."""

    index: int
    name: str
    key: bytes  # X_i = x_i·G, compressed


@dataclass(frozen=True)
class Share:
    """What one trustee holds: their number and x_i, for the round whose
    public key has ``tag``.  Never stored, logged or kept in a session."""

    index: int
    secret: int
    tag: str

    def __repr__(self) -> str:  # never print the secret by accident
        return f"Share(index={self.index}, tag={self.tag!r})"


@dataclass(frozen=True)
class RoundKey:
    public_key: bytes
    threshold: int
    trustees: tuple[Trustee, ...]


def split_new_key(names: list[str], threshold: int) -> tuple[RoundKey, list[Share]]:
    """A fresh key pair, split among ``names`` so that any ``threshold`` of
    them can open the box.  The private key and the polynomial exist only
    inside this call."""
    if not 1 <= threshold <= len(names):
        raise ValueError("the threshold must be between 1 and the number of trustees")
    coefficients = curve.random_scalars(threshold)  # coefficients[0] is x
    public_key = curve.encode(curve.g_mul(coefficients[0]))
    tag = key_tag(public_key)
    shares, trustees = [], []
    for index, name in enumerate(names, start=1):
        secret = _evaluate(coefficients, index)
        shares.append(Share(index, secret, tag))
        trustees.append(Trustee(index, name, curve.encode(curve.g_mul(secret))))
    coefficients.clear()
    return RoundKey(public_key, threshold, tuple(trustees)), shares


def _evaluate(coefficients: list[int], z: int) -> int:
    value = 0
    for a in reversed(coefficients):
        value = (value * z + a) % N
    return value


def lagrange_at_zero(indexes: list[int]) -> dict[int, int]:
    """λ_i = Π_{j≠i} j / (j − i) mod N, for combining the shares of ``indexes``."""
    out = {}
    for i in indexes:
        numerator = denominator = 1
        for j in indexes:
            if j != i:
                numerator = numerator * j % N
                denominator = denominator * (j - i) % N
        out[i] = numerator * pow(denominator, -1, N) % N
    return out


def key_tag(public_key: bytes) -> str:
    """Four characters naming a round's key on its shares."""
    return _base32(int.from_bytes(hashlib.sha256(public_key).digest()[:3], "big") >> 4,
                   TAG_CHARS)


# -- shares as text ------------------------------------------------------------------------

def share_text(share: Share) -> str:
    """``S1-TAG-NN-<secret in groups of 4>-CHECK``, e.g. for a key slip."""
    secret = _base32(share.secret, SECRET_CHARS)
    body = f"{VERSION}{share.tag}{share.index:02d}{secret}"
    groups = [secret[i:i + GROUP] for i in range(0, SECRET_CHARS, GROUP)]
    return "-".join([VERSION, share.tag, f"{share.index:02d}", *groups, _check(body)])


def parse_share(text: str, *, source: str = "share") -> Share:
    """A share from its text (case, spaces, dashes and look-alikes forgiven),
    or SpecError saying what is wrong with it."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -_\t\r\n").translate(_LOOKALIKES)
    expected = len(VERSION) + TAG_CHARS + 2 + SECRET_CHARS + CHECK_CHARS
    if not cleaned.startswith(VERSION):
        raise SpecError("not a trustee's key share (it starts with %(version)s)", source=source,
                        params={"version": VERSION})
    if len(cleaned) != expected or any(ch not in ALPHABET for ch in cleaned):
        raise SpecError("a key share has %(count)s letters and digits after the dashes are "
                        "removed; this one has %(got)s", source=source,
                        params={"count": expected, "got": len(cleaned)})
    body, check = cleaned[:-CHECK_CHARS], cleaned[-CHECK_CHARS:]
    if _check(body) != check:
        raise SpecError("the key share has a typo: its check characters do not match",
                        source=source)
    tag = body[len(VERSION):len(VERSION) + TAG_CHARS]
    number = body[len(VERSION) + TAG_CHARS:len(VERSION) + TAG_CHARS + 2]
    if not number.isdigit():
        raise SpecError("the key share is damaged", source=source)
    index = int(number)
    secret = _from_base32(body[-SECRET_CHARS:])
    if not 0 < secret < N or index < 1:
        raise SpecError("the key share is damaged", source=source)
    return Share(index, secret, tag)


def share_in_text(text: str, *, source: str = "share") -> Share:
    """The share in a key file or slip text: the line that starts with
    ``share:``, or the whole text when it is the share alone."""
    for line in text.splitlines():
        label, _, rest = line.partition(":")
        if label.strip().lower() == "share":
            return parse_share(rest, source=source)
    return parse_share(text, source=source)


def _check(body: str) -> str:
    return _base32(int.from_bytes(hashlib.sha256(body.encode()).digest()[:3], "big") >> 4,
                   CHECK_CHARS)


def _base32(value: int, chars: int) -> str:
    return "".join(ALPHABET[(value >> (5 * (chars - 1 - i))) & 31] for i in range(chars))


def _from_base32(text: str) -> int:
    value = 0
    for ch in text:
        value = value * 32 + ALPHABET.index(ch)
    return value
