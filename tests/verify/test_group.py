"""The verifier's own group layer and multi-scalar sum, against libsecp256k1's plain
multiplication and against the ballot box's definitions of the same things."""

from __future__ import annotations

import secrets

from hypothesis import given, settings
from hypothesis import strategies as st

from surveyapp.domain.ballot_box import curve, keys
from surveyapp.verify import group, proofs
from surveyapp.verify.group import N
from surveyapp.verify.msm import Buckets

scalars = st.one_of(st.integers(0, N - 1),
                    st.sampled_from([0, 1, 2, 255, 256, 2**128 - 1, 2**128, N - 1, N - 2]))


def multi(terms) -> object:
    """Σ k·P the slow way: one multiplication each."""
    return group.add(group.mul(point, k) for point, k in terms)


@given(st.lists(st.tuples(st.integers(1, N - 1), scalars), min_size=1, max_size=12))
@settings(max_examples=40)
def test_the_bucket_sum_is_the_sum_of_the_products(pairs):
    terms = [(group.g_mul(log), k) for log, k in pairs]
    buckets = Buckets()
    for point, k in terms:
        buckets.put(point, k.to_bytes(32, "little"))
    assert group.equal(buckets.total(), multi(terms))


def test_the_bucket_sum_of_terms_that_cancel_is_the_point_at_infinity():
    point = group.g_mul(secrets.randbelow(N - 1) + 1)
    k = secrets.randbelow(N - 1) + 1
    buckets = Buckets()
    buckets.put(point, k.to_bytes(32, "little"))
    buckets.put(point, (N - k).to_bytes(32, "little"))
    assert buckets.total() is None
    assert Buckets().total() is None


def test_small_weights_use_the_low_windows_only():
    point = group.g_mul(7)
    buckets = Buckets()
    weight = secrets.token_bytes(16)
    buckets.put(point, weight)
    assert not any(any(row) for row in buckets.rows[16:])
    assert group.equal(buckets.total(), group.mul(point, int.from_bytes(weight, "little")))


def test_points_round_trip_and_sums_cancel():
    point = group.g_mul(12345)
    assert group.encode(group.decode(group.encode(point))) == group.encode(point)
    assert group.equal(group.from_raw(group.raw(point)), point)
    assert group.add([point, group.mul(point, N - 1)]) is None
    assert group.add_g(group.g_mul(5), N - 5) is None
    assert group.equal(group.add_g(None, 3), group.g_mul(3))
    assert group.encode(group.G) == curve.encode(curve.G)


def test_what_is_not_a_point_or_a_scalar_is_refused():
    for data in (b"", b"\x04" + bytes(32), b"\x02" + bytes(32), b"\x02" + b"\xff" * 32,
                 curve.encode(curve.G) + b"\x00"):
        try:
            group.decode(data)
        except ValueError:
            continue
        raise AssertionError(f"{data.hex()} parsed")
    assert group.scalar((N - 1).to_bytes(32, "big")) == N - 1
    for data in (N.to_bytes(32, "big"), b"\xff" * 32, bytes(31)):
        try:
            group.scalar(data)
        except ValueError:
            continue
        raise AssertionError(f"{data.hex()} read as a scalar")


@given(st.sets(st.integers(1, 9), min_size=1, max_size=5))
def test_lagrange_coefficients_are_the_ballot_boxs(indexes):
    assert group.lagrange_at(sorted(indexes)) == keys.lagrange_at_zero(sorted(indexes))


@given(st.binary(max_size=40), st.lists(st.binary(max_size=70), max_size=8))
def test_the_hash_is_the_ballot_boxs(label, parts):
    assert proofs.challenge(label, parts) == curve.hash_to_scalar(label, parts)
