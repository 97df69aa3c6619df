"""secp256k1 for the verifier, straight from libsecp256k1 through coincurve's cffi binding.

Written for this package alone (it shares no code with the ballot box that makes boards).
A point inside is an opaque ``secp256k1_pubkey`` (64 bytes, libsecp256k1's own affine form);
outside it is 33 bytes, SEC 1 compressed.  libsecp256k1 cannot hold the point at infinity:
here it is ``None``, and every function takes and gives ``None`` for it, so sums that cancel
are still sums.
"""

from __future__ import annotations

from collections.abc import Iterable

from coincurve._libsecp256k1 import ffi, lib
from coincurve.context import GLOBAL_CONTEXT

#: The order of the group (SEC 2).
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
POINT_BYTES = 33
SCALAR_BYTES = 32
#: libsecp256k1's in-memory point: what travels between processes (no square root to redo).
RAW_BYTES = 64

CTX = GLOBAL_CONTEXT.ctx
_COMPRESSED = lib.SECP256K1_EC_COMPRESSED

Point = object  # a cdata ``secp256k1_pubkey *``, or None for the point at infinity


def new_point() -> object:
    return ffi.new("secp256k1_pubkey *")


def decode(data: bytes) -> Point:
    """The point a compressed encoding stands for; ValueError if it stands for none."""
    out = new_point()
    if len(data) != POINT_BYTES or not lib.secp256k1_ec_pubkey_parse(CTX, out, data,
                                                                      POINT_BYTES):
        raise ValueError("not a point")
    return out


def encode(point: Point) -> bytes:
    if point is None:
        raise ValueError("the point at infinity has no encoding")
    buffer = ffi.new("unsigned char[33]")
    size = ffi.new("size_t *", POINT_BYTES)
    lib.secp256k1_ec_pubkey_serialize(CTX, buffer, size, point, _COMPRESSED)
    return bytes(ffi.buffer(buffer, POINT_BYTES))


def raw(point: Point) -> bytes | None:
    return None if point is None else bytes(ffi.buffer(point, RAW_BYTES))


def from_raw(data: bytes | None) -> Point:
    if data is None:
        return None
    out = new_point()
    ffi.memmove(out, data, RAW_BYTES)
    return out


def add(points: Iterable[Point]) -> Point:
    """The sum, in one call to libsecp256k1 however many points (its addition is complete:
    a point added to itself is doubled)."""
    present = [p for p in points if p is not None]
    if not present:
        return None
    out = new_point()
    if not lib.secp256k1_ec_pubkey_combine(CTX, out, present, len(present)):
        return None  # they cancel
    return out


def add_all(points: list) -> Point:
    """:func:`add` for a list known to hold no ``None`` (the hot path)."""
    if not points:
        return None
    out = new_point()
    if not lib.secp256k1_ec_pubkey_combine(CTX, out, points, len(points)):
        return None
    return out


def g_mul(k: int) -> Point:
    """k·G."""
    k %= N
    if not k:
        return None
    out = new_point()
    lib.secp256k1_ec_pubkey_create(CTX, out, k.to_bytes(SCALAR_BYTES, "big"))
    return out


def mul(point: Point, k: int) -> Point:
    """k·P (libsecp256k1's variable-base multiplication)."""
    k %= N
    if point is None or not k:
        return None
    out = new_point()
    ffi.memmove(out, point, RAW_BYTES)
    lib.secp256k1_ec_pubkey_tweak_mul(CTX, out, k.to_bytes(SCALAR_BYTES, "big"))
    return out


def add_g(point: Point, k: int) -> Point:
    """P + k·G."""
    k %= N
    if not k:
        return point
    if point is None:
        return g_mul(k)
    out = new_point()
    ffi.memmove(out, point, RAW_BYTES)
    if not lib.secp256k1_ec_pubkey_tweak_add(CTX, out, k.to_bytes(SCALAR_BYTES, "big")):
        return None
    return out


def equal(a: Point, b: Point) -> bool:
    if a is None or b is None:
        return a is b
    return lib.secp256k1_ec_pubkey_cmp(CTX, a, b) == 0


def scalar(data: bytes) -> int:
    """A 32-byte big-endian scalar; ValueError unless it is below N (one encoding each)."""
    value = int.from_bytes(data, "big")
    if len(data) != SCALAR_BYTES or value >= N:
        raise ValueError("not a scalar below the group order")
    return value


def lagrange_at(indexes: list[int], at: int = 0) -> dict[int, int]:
    """λ_i = Π_{j≠i} (at − j)/(i − j) mod N: at 0 these are the doc's Π j·(j − i)⁻¹."""
    out = {}
    for i in indexes:
        numerator = denominator = 1
        for j in indexes:
            if j != i:
                numerator = numerator * (at - j) % N
                denominator = denominator * (i - j) % N
        out[i] = numerator * pow(denominator, -1, N) % N
    return out


G = g_mul(1)
