"""Σ k_j·P_j over many points at once: Pippenger's bucket method on libsecp256k1's
many-point addition.

A scalar is cut into bytes (windows of 8 bits).  For each window every point goes into the
bucket of its byte's value, so a bucket is one list, summed by one ``add`` (each addition
inside it costs ~0.4 µs in C, against ~34 µs for a variable-base multiplication).  A window's
Σ v·bucket_v is then Σ_t 2^t·(Σ of the buckets whose value has bit t): eight more sums and
no multiplication.  The windows are joined by doublings from the top bit down.

A point with a 128-bit scalar costs 16 bucket entries and one with a 256-bit scalar 32,
whatever the batch size; each window adds ~300 sums of its own, so batches of thousands of
points pay for them.
"""

from __future__ import annotations

from . import group
from .group import Point

_BITS = 8
_VALUES = 1 << _BITS
#: For each bit of a window, the bucket values that have it.
_WITH_BIT = [[v for v in range(1, _VALUES) if v >> t & 1] for t in range(_BITS)]


class Buckets:
    """Collects (point, scalar) terms; :meth:`total` is their sum."""

    __slots__ = ("rows",)

    def __init__(self, windows: int = group.SCALAR_BYTES):
        # rows[i][v]: the points whose scalar has byte v at place i (little-endian).
        self.rows = [[[] for _ in range(_VALUES)] for _ in range(windows)]

    def put(self, point: Point, digits: bytes) -> None:
        """Add k·point, k given as little-endian bytes (16 for a random weight, 32 for a
        scalar mod N)."""
        for row, v in zip(self.rows, digits, strict=False):
            if v:
                row[v].append(point)

    def put_all(self, terms: list) -> None:
        """:meth:`put` for many (point, digits): the hot loop, kept in one frame."""
        rows = self.rows
        for point, digits in terms:
            for row, v in zip(rows, digits, strict=False):
                if v:
                    row[v].append(point)

    def total(self) -> Point:
        acc = None
        add_all, add = group.add_all, group.add
        for row in reversed(self.rows):
            if acc is None and not any(row):
                continue  # nothing yet above this window
            sums = [add_all(bucket) if bucket else None for bucket in row]
            for t in range(_BITS - 1, -1, -1):
                bit = add([sums[v] for v in _WITH_BIT[t]])
                acc = add((acc, acc, bit))  # 2·acc + Σ of the buckets with bit t
        return acc
