"""The group: secp256k1 through coincurve's binding of libsecp256k1.

A prime-order group (order :data:`N`, generator G, no cofactor), so every
point a parse accepts is a valid group element.  Points are opaque
``secp256k1_pubkey`` structures inside (so a sum of many costs one call) and
33-byte compressed encodings outside.  Scalars are Python ints modulo N,
drawn from :mod:`secrets`.

libsecp256k1 cannot represent the point at infinity; an operation whose
result would be it raises :class:`ValueError` (with random scalars that
happens with probability about 2**-256, and decryption compares points
instead of subtracting them).

Multiplying the two fixed bases a round uses all the time (G and the round's
public key H) goes through :class:`FixedBase`: a table of ``v * 256**i * P``
for every byte value ``v`` and byte position ``i``, so ``k * P`` is one sum
of at most 32 table points, about 12 µs against 34 µs for libsecp256k1's
variable-base multiplication.  The table lookups depend on the scalar's
bytes: this is not constant-time, which matters only to someone timing the
server's own CPU cache (SECURITY.md).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence

from coincurve._libsecp256k1 import ffi, lib
from coincurve.context import GLOBAL_CONTEXT

#: The order of the group.
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
#: Bytes of an encoded point and of an encoded scalar.
POINT_BYTES = 33
SCALAR_BYTES = 32

_CTX = GLOBAL_CONTEXT.ctx
_COMPRESSED = lib.SECP256K1_EC_COMPRESSED

Point = object  # a cdata ``secp256k1_pubkey *``


def _new() -> Point:
    return ffi.new("secp256k1_pubkey *")


def _scalar_bytes(k: int) -> bytes:
    k %= N
    if k == 0:
        raise ValueError("the point at infinity")
    return k.to_bytes(SCALAR_BYTES, "big")


def g_mul(k: int) -> Point:
    """k·G."""
    out = _new()
    if not lib.secp256k1_ec_pubkey_create(_CTX, out, _scalar_bytes(k)):
        raise ValueError("bad scalar")
    return out


def mul(point: Point, k: int) -> Point:
    """k·P for any point P (libsecp256k1's variable-base multiplication)."""
    out = _new()
    ffi.memmove(out, point, 64)
    if not lib.secp256k1_ec_pubkey_tweak_mul(_CTX, out, _scalar_bytes(k)):
        raise ValueError("bad scalar")
    return out


def add(points: Sequence[Point]) -> Point:
    """The sum of the points, in one call whatever their number."""
    out = _new()
    if not points or not lib.secp256k1_ec_pubkey_combine(_CTX, out, list(points), len(points)):
        raise ValueError("the point at infinity")
    return out


def add_g(point: Point, k: int) -> Point:
    """P + k·G (k may be 0)."""
    out = _new()
    ffi.memmove(out, point, 64)
    if k % N and not lib.secp256k1_ec_pubkey_tweak_add(_CTX, out, (k % N).to_bytes(32, "big")):
        raise ValueError("the point at infinity")
    return out


def neg(point: Point) -> Point:
    """−P."""
    out = _new()
    ffi.memmove(out, point, 64)
    lib.secp256k1_ec_pubkey_negate(_CTX, out)
    return out


def encode(point: Point) -> bytes:
    """The 33-byte compressed encoding."""
    buffer = ffi.new("unsigned char[33]")
    size = ffi.new("size_t *", POINT_BYTES)
    lib.secp256k1_ec_pubkey_serialize(_CTX, buffer, size, point, _COMPRESSED)
    return bytes(ffi.buffer(buffer, POINT_BYTES))


def decode(data: bytes) -> Point:
    """A point from its compressed encoding; ValueError unless it is one."""
    if len(data) != POINT_BYTES or data[0] not in (2, 3):
        raise ValueError("not a compressed point")
    out = _new()
    if not lib.secp256k1_ec_pubkey_parse(_CTX, out, data, POINT_BYTES):
        raise ValueError("not a point on the curve")
    return out


def equal(a: Point, b: Point) -> bool:
    return lib.secp256k1_ec_pubkey_cmp(_CTX, a, b) == 0


def scalar_from(data: bytes) -> int:
    """A scalar from 32 bytes; ValueError unless it is below N (a canonical
    encoding, so two encodings never mean the same scalar)."""
    if len(data) != SCALAR_BYTES:
        raise ValueError("not a 32-byte scalar")
    value = int.from_bytes(data, "big")
    if value >= N:
        raise ValueError("scalar out of range")
    return value


def scalar_bytes(k: int) -> bytes:
    return (k % N).to_bytes(SCALAR_BYTES, "big")


def random_scalars(count: int) -> list[int]:
    """``count`` uniform scalars in [1, N): 48 random bytes each, reduced,
    so the bias is below 2**-128; one call to the system's generator."""
    pool = secrets.token_bytes(48 * count)
    out = []
    for i in range(count):
        k = int.from_bytes(pool[48 * i:48 * i + 48], "big") % N
        out.append(k or random_scalars(1)[0])
    return out


def hash_to_scalar(label: bytes, parts: Iterable[bytes]) -> int:
    """A Fiat–Shamir challenge: SHA-512 over a label and length-prefixed
    parts, reduced mod N (64 bytes, so the bias is below 2**-256)."""
    digest = hashlib.sha512(label)
    for part in parts:
        digest.update(len(part).to_bytes(4, "big"))
        digest.update(part)
    return int.from_bytes(digest.digest(), "big") % N


class FixedBase:
    """Fast multiples of one point through a table of ``v·256**i·P``
    (32 rows of 255 points, about 30 ms to build, 1 MB)."""

    __slots__ = ("point", "_rows")

    def __init__(self, point: Point):
        self.point = point
        rows, base = [], point
        for _ in range(SCALAR_BYTES):
            row: list = [None, base]
            for _v in range(2, 256):
                row.append(add([row[-1], base]))
            rows.append(row)
            base = add([row[255], base])  # 256 · base
        self._rows = rows

    def terms(self, k: int) -> list[Point]:
        """The table points that sum to k·P (k reduced mod N, nonzero)."""
        rows = self._rows
        return [rows[i][v] for i, v in enumerate((k % N).to_bytes(32, "little")) if v]

    def mul(self, k: int) -> Point:
        return add(self.terms(k))


G = g_mul(1)
_G_TABLE: FixedBase | None = None


def g_table() -> FixedBase:
    """The table for G, built once per process on first use."""
    global _G_TABLE
    if _G_TABLE is None:
        _G_TABLE = FixedBase(G)
    return _G_TABLE
