"""The encrypted ballot box's cryptography, with no app: sealing, proofs,
shares, opening.  Every proof is checked to fail once anything it covers
is changed; sums of sealed ballots decrypt to the sums of what was sealed."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyapp.domain.ballot_box import curve, keys, opening, proofs, sealing
from surveyapp.domain.model import SpecError

SUBJECTS = ("zhang", "li", "wang")
CRITERIA = ("overall",)
OPTIONS = ("excellent", "qualified", "unknown")
LAYOUT = sealing.layout_of(SUBJECTS, CRITERIA, OPTIONS)
POSITIONS = len(LAYOUT.positions)  # the options, then blank


@pytest.fixture(scope="module")
def box():
    key, shares = keys.split_new_key(["张三", "李四", "王五"], 2)
    context = sealing.context(sealing.spec_hash({"title": "t"}), key.public_key)
    return key, shares, sealing.RoundLock.make(context, LAYOUT, key.public_key)


def ballot(**answers):
    """Choices for every cell: an option key, None (blank) or ABSENT."""
    return {(s, "overall"): answers.get(s, "qualified") for s in SUBJECTS}


def decrypt_all(key, shares, lock, sealed_ballots):
    """Every position's count, per group, from the shares given."""
    sums: dict[str, opening.Accumulator] = {}
    for group, sealed in sealed_ballots:
        sums.setdefault(group, opening.Accumulator(len(LAYOUT.cells) * POSITIONS)).add(
            sealing.ciphertexts(LAYOUT, sealed))
    trustees = {t.index: t for t in key.trustees}
    out = {}
    for group, accumulator in sums.items():
        table = opening.Counts(accumulator.ballots)
        counts = []
        for position, (a, b) in enumerate(accumulator.sums()):
            parts = [opening.partial_decryption(lock.context, f"{group}|{position}", share,
                                                trustees[share.index], a, b)
                     for share in shares]
            assert all(opening.check_partial(lock.context, f"{group}|{position}",
                                             trustees[p.index], a, b, p) for p in parts)
            counts.append(table.count_of(b, opening.combined(parts)))
        out[group] = counts
    return out


# -- the group --------------------------------------------------------------------------------

H = curve.g_mul(123456789)
H_TABLE = curve.FixedBase(H)


@given(st.integers(min_value=1, max_value=curve.N - 1))
@settings(max_examples=40)
def test_the_tables_multiply_as_libsecp256k1_does(k):
    assert curve.encode(H_TABLE.mul(k)) == curve.encode(curve.mul(H, k))
    assert curve.encode(curve.g_table().mul(k)) == curve.encode(curve.g_mul(k))


def test_points_off_the_curve_and_scalars_out_of_range_are_refused():
    with pytest.raises(ValueError):
        curve.decode(b"\x02" + b"\xff" * 32)  # x beyond the field
    with pytest.raises(ValueError):
        curve.decode(b"\x04" + b"\x01" * 32)
    with pytest.raises(ValueError):
        curve.scalar_from(curve.N.to_bytes(32, "big"))


# -- sealing and opening ------------------------------------------------------------------------

choices = st.sampled_from([*OPTIONS, None, sealing.ABSENT])


@given(st.lists(st.tuples(st.sampled_from(["members", "masses"]),
                          st.fixed_dictionaries({s: choices for s in SUBJECTS})),
                min_size=1, max_size=6))
@settings(max_examples=8)
def test_sums_of_sealed_ballots_decrypt_to_the_sums_of_their_answers(box, cast):
    key, shares, lock = box
    sealed = [(group, sealing.seal(lock, ballot(**answers))) for group, answers in cast]
    expected: dict[str, Counter] = {}
    for group, answers in cast:
        for cell, subject in enumerate(SUBJECTS):
            answer = answers[subject]
            if answer != sealing.ABSENT:
                position = LAYOUT.positions.index(sealing.BLANK if answer is None else answer)
                expected.setdefault(group, Counter())[cell * POSITIONS + position] += 1
    for group, counts in decrypt_all(key, shares[:2], lock, sealed).items():
        assert counts == [expected.get(group, Counter())[p] for p in range(len(counts))]


def test_any_two_of_three_shares_open_the_box_and_one_does_not(box):
    key, shares, lock = box
    sealed = [("members", sealing.seal(lock, ballot(zhang="excellent", li=None,
                                                              wang=sealing.ABSENT)))]
    results = [decrypt_all(key, pair, lock, sealed) for pair in
               ([shares[0], shares[1]], [shares[0], shares[2]], [shares[2], shares[1]])]
    assert results[0] == results[1] == results[2]
    assert results[0]["members"][:POSITIONS] == [1, 0, 0, 0]
    with pytest.raises(ValueError):  # one share alone decrypts to no count
        decrypt_all(key, shares[:1], lock, sealed)


def test_a_sealed_ballot_holds_no_answer_in_the_clear(box):
    _key, _shares, lock = box
    first = sealing.seal(lock, ballot())
    again = sealing.seal(lock, ballot())
    assert first != again and len(first) == LAYOUT.size  # fresh randomness each time
    assert sealing.tracker(first) != sealing.tracker(again)
    assert not any(option.encode() in first for option in OPTIONS)


# -- every proof fails once what it covers changes ---------------------------------

def flip(data: bytes, at: int) -> bytes:
    changed = bytearray(data)
    changed[at] ^= 0x01
    return bytes(changed)


def test_every_byte_of_a_sealed_ballot_is_covered_by_its_proofs(box):
    """Flip one bit in each field of a cell (A, B, the four commitments, c0,
    s0, s1, and the cell's own proof) and the ballot no longer checks."""
    _key, _shares, lock = box
    sealed = sealing.seal(lock, ballot(zhang="excellent"))
    assert sealing.check(lock, sealed) is None
    offsets = [len(sealing.MAGIC) + o for o in
               (0, 33, 66, 99, 132, 165, 198, 230, 262,          # position 0's fields
                sealing.POSITION * POSITIONS,                        # the cell's a0
                sealing.POSITION * POSITIONS + 4 * 33 + 10)]        # the cell's c0
    offsets.append(len(sealed) - 1)  # the last cell's last response
    for at in offsets:
        assert sealing.check(lock, flip(sealed, at)) is not None, at


def test_a_proof_is_bound_to_its_round_and_its_place(box):
    key, _shares, lock = box
    sealed = sealing.seal(lock, ballot())
    assert sealing.check(lock, sealed) is None
    other = sealing.RoundLock.make(sealing.context("00" * 32, key.public_key), LAYOUT,
                                   key.public_key)
    assert sealing.check(other, sealed) is not None          # another round
    first, second = sealing.POSITION, 2 * sealing.POSITION
    base = len(sealing.MAGIC)
    swapped = (sealed[:base] + sealed[base + first:base + second] + sealed[base:base + first]
               + sealed[base + second:])
    assert sealing.check(lock, swapped) is not None          # positions swapped
    assert sealing.check(lock, sealed[:-1]) is not None      # truncated


def test_an_encryption_of_two_cannot_pass_for_zero_or_one(box):
    """A forger encrypting 2 and simulating both branches cannot make the
    hash agree: the challenge is fixed only after the commitments."""
    _key, _shares, lock = box
    g = curve.g_table()
    r = curve.random_scalars(1)[0]
    a = curve.encode(g.mul(r))
    b = curve.encode(curve.add(lock.h.terms(r) + [curve.G, curve.G]))
    honest_looking = proofs.prove_zero_or_one(lock.context, b"p", a, b, 1, r, lock.h,
                                              curve.random_scalars(3))
    assert not proofs.verify_zero_or_one(lock.context, b"p", a, b, honest_looking, lock.h)
    zero = curve.encode(lock.h.mul(r))
    proof = proofs.prove_zero_or_one(lock.context, b"p", a, zero, 0, r, lock.h,
                                     curve.random_scalars(3))
    assert proofs.verify_zero_or_one(lock.context, b"p", a, zero, proof, lock.h)
    # Weak Fiat-Shamir would accept the same proof for another statement or key.
    assert not proofs.verify_zero_or_one(lock.context, b"p", a, b, proof, lock.h)
    assert not proofs.verify_zero_or_one(lock.context, b"q", a, zero, proof, lock.h)
    assert not proofs.verify_zero_or_one(b"x" * 32, b"p", a, zero, proof, lock.h)
    assert not proofs.verify_zero_or_one(lock.context, b"p", a, zero, proof, lock.h,
                                         label=proofs.AT_MOST_ONE)


def test_a_partial_decryption_with_a_wrong_share_or_a_changed_proof_fails(box):
    key, shares, lock = box
    sealed = sealing.seal(lock, ballot())
    a, b = sealing.ciphertexts(LAYOUT, sealed)[0]
    trustee = key.trustees[0]
    part = opening.partial_decryption(lock.context, "g|0", shares[0], trustee, a, b)
    assert opening.check_partial(lock.context, "g|0", trustee, a, b, part)
    forged = keys.Share(1, (shares[0].secret + 1) % curve.N, shares[0].tag)
    wrong = opening.partial_decryption(lock.context, "g|0", forged, trustee, a, b)
    assert not opening.check_partial(lock.context, "g|0", trustee, a, b, wrong)
    encoded = part.encode()
    for at in range(0, len(encoded), 17):
        try:
            [changed] = opening.PartialDecryption.decode_all(flip(encoded, at))
        except ValueError:
            continue  # no longer even a point or scalar
        assert not opening.check_partial(lock.context, "g|0", trustee, a, b, changed), at
    assert not opening.check_partial(lock.context, "g|1", trustee, a, b, part)  # another sum
    assert not opening.check_partial(lock.context, "g|0", key.trustees[1], a, b, part)


# -- shares --------------------------------------------------------------------------------------

def test_a_share_survives_being_typed_and_a_typo_or_another_round_is_caught(box):
    key, shares, _lock = box
    text = keys.share_text(shares[1])
    typed = text.lower().replace("-", " ").replace("1", "l").replace("0", "o")
    assert keys.parse_share(typed) == shares[1]
    assert keys.share_in_text(f"round: x\nshare: {text}\n") == shares[1]
    groups = text.split("-")
    position = 5
    mistyped = groups[position][0].translate(str.maketrans("0123456789ABCDEFGHJKMNPQRSTVWXYZ",
                                                           "123456789ABCDEFGHJKMNPQRSTVWXYZ0"))
    groups[position] = mistyped + groups[position][1:]
    with pytest.raises(SpecError, match="typo"):
        keys.parse_share("-".join(groups))
    with pytest.raises(SpecError, match="letters and digits"):
        keys.parse_share(text[:-3])
    with pytest.raises(SpecError, match="not a trustee"):
        keys.parse_share("ABCDE-FGHJK")
    # A number that is not digits, even with matching check characters.
    crafted = "S1" + shares[1].tag + "0A" + "0" * keys.SECRET_CHARS
    with pytest.raises(SpecError, match="damaged"):
        keys.parse_share(crafted + keys._check(crafted))
    assert opening.check_share(shares[1], key.trustees[1], keys.key_tag(key.public_key))
    assert not opening.check_share(shares[1], key.trustees[0], keys.key_tag(key.public_key))
    assert repr(shares[1]).find(str(shares[1].secret)) == -1  # never printed by accident


def test_threshold_and_trustee_numbers_are_checked():
    with pytest.raises(ValueError):
        keys.split_new_key(["a", "b"], 3)
    key, shares = keys.split_new_key(["a"], 1)
    assert [t.index for t in key.trustees] == [1] and shares[0].index == 1
    # With one trustee the share is the key itself: x_1 = f(1) = x.
    assert curve.encode(curve.g_mul(shares[0].secret)) == key.public_key


# -- comments --------------------------------------------------------------------------------------

TRACKER = "ab" * 32


def test_a_sealed_comment_opens_with_the_shares_and_refuses_changes(box):
    _key, shares, lock = box
    sealed = sealing.seal_comment(lock, "食堂排队太久", TRACKER)
    assert "食堂".encode() not in sealed
    assert sealing.check_comment(lock.context, TRACKER, sealed)
    ephemeral = sealing.comment_ephemeral(sealed)
    secret = opening.comment_secret([shares[2], shares[0]], ephemeral)
    assert sealing.open_comment(lock.context, sealed, secret) == "食堂排队太久"
    with pytest.raises(ValueError):
        sealing.open_comment(lock.context, flip(sealed, len(sealed) - 1), secret)
    with pytest.raises(ValueError):
        sealing.open_comment(b"another round's context........", sealed, secret)
    with pytest.raises(ValueError):
        sealing.open_comment(lock.context, sealed, opening.comment_secret(shares[:1], ephemeral))


def test_comments_all_look_alike_whatever_their_length_or_absence(box):
    _key, shares, lock = box
    sizes = {len(sealing.seal_comment(lock, text, TRACKER))
             for text in ("", "好", "意见" * 400, "x" * 1000)}
    assert sizes == {sealing.SEALED_COMMENT}
    empty = sealing.seal_comment(lock, "", TRACKER)
    secret = opening.comment_secret(shares[:2], sealing.comment_ephemeral(empty))
    assert sealing.open_comment(lock.context, empty, secret) == ""


def test_a_comment_key_needs_its_makers_proof_so_no_ballot_can_pass_for_one(box):
    """Whoever writes to the database could put a ballot's A where a
    comment's K goes and have the trustees decrypt it: the proof of knowing
    k, bound to the ballot's tracker, refuses that, and any other change."""
    _key, _shares, lock = box
    sealed = sealing.seal_comment(lock, "意见", TRACKER)
    sealed_ballot = sealing.seal(lock, ballot())
    a = sealing.ciphertexts(LAYOUT, sealed_ballot)[0][0]
    assert not sealing.check_comment(lock.context, TRACKER, a + sealed[33:])
    assert not sealing.check_comment(lock.context, "cd" * 32, sealed)   # moved to a ballot
    for at in (0, 40, 70, 80, len(sealed) - 1):
        assert not sealing.check_comment(lock.context, TRACKER, flip(sealed, at)), at


def test_a_receipt_names_its_tracker_and_is_forgiving_to_type(box):
    _key, _shares, lock = box
    sealed = sealing.seal(lock, ballot())
    tracker = sealing.tracker(sealed)
    receipt = sealing.receipt(tracker)
    assert len(receipt) == 23 and receipt.count("-") == 3
    assert tracker.startswith(sealing.receipt_prefix(receipt.lower().replace("-", " ")))
    assert sealing.receipt_prefix("ABCDE-FGH12") is None
