"""Ballot kits made ahead (services/voting/kits.py): each used once, by the
process that made it, and the ballots sealed with them check."""

from __future__ import annotations

import time

import pytest

from surveyapp.domain.ballot_box import keys, sealing
from surveyapp.services.voting.kits import KitPool

LAYOUT = sealing.layout_of(["zhang", "li"], ["overall"], ["good", "poor"])


@pytest.fixture
def lock():
    key, _shares = keys.split_new_key(["a"], 1)
    return sealing.RoundLock.make(sealing.context("00" * 32, key.public_key), LAYOUT,
                                  key.public_key)


def filled(pool: KitPool, count: int) -> None:
    deadline = time.monotonic() + 30
    while len(pool) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(pool) == count


def test_a_pool_fills_in_the_background_and_each_kit_seals_one_ballot(lock):
    pool = KitPool(lock, target=3)
    filled(pool, 3)
    taken = [pool.take(), pool.take()]
    assert taken[0] != taken[1] and len(taken[0]) == sealing.kit_size(LAYOUT)
    filled(pool, 3)  # taking wakes the filler again
    choices = {cell: "good" for cell in LAYOUT.cells}
    ballots = [sealing.seal(lock, choices, kit) for kit in taken]
    assert ballots[0] != ballots[1]  # the same answers, different randomness
    assert all(sealing.check(lock, b) is None for b in ballots)
    with pytest.raises(ValueError):
        sealing.seal(lock, choices, taken[0][:-1])


def test_kits_copied_into_another_process_are_never_used_there(lock):
    pool = KitPool(lock, target=2)
    filled(pool, 2)
    pool._pid = -1  # as in a process forked after the pool was filled
    assert pool.take() is None and len(pool) == 0 and pool.wanted() == 0


def test_no_kits_are_made_when_the_target_is_zero(lock):
    pool = KitPool(lock, target=0)
    time.sleep(0.05)
    assert len(pool) == 0 and pool.take() is None


def test_a_pool_keeps_no_more_kit_bytes_than_its_bound():
    """The largest ballot (domain/bounds.py) would make 100 kits ~250 MB per
    worker; the pool keeps fewer kits instead of more memory."""
    from surveyapp.domain.bounds import BALLOT_POSITIONS_MAX
    from surveyapp.services.voting.kits import POOL_BYTES_MAX

    subjects = [f"s{i}" for i in range(BALLOT_POSITIONS_MAX // 10)]
    big = sealing.layout_of(subjects, ["overall"], [f"g{i}" for i in range(9)])
    key, _shares = keys.split_new_key(["a"], 1)
    lock = sealing.RoundLock.make(sealing.context("00" * 32, key.public_key), big,
                                  key.public_key)
    pool = KitPool(lock, target=100)
    assert 1 <= pool.target < 100
    assert pool.target * sealing.kit_size(big) <= POOL_BYTES_MAX
    assert KitPool(lock, target=0).target == 0
    assert 100 * sealing.kit_size(LAYOUT) <= POOL_BYTES_MAX  # a usual round keeps its 100
