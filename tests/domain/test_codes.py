from hypothesis import given
from hypothesis import strategies as st

from surveyapp.domain import codes


def test_new_codes_are_distinct_well_formed_and_carry_40_bits_at_least():
    made = {codes.new_code() for _ in range(2000)}
    assert len(made) == 2000
    assert codes.BITS >= 40
    for code in made:
        assert codes.normalise(code) == code
    # Every position draws from the whole alphabet (5 bits each, none lost).
    plain = [code.replace("-", "") for code in made]
    for position in range(codes.LENGTH):
        assert {code[position] for code in plain} == set(codes.ALPHABET)


def test_normalise_forgives_case_spaces_dashes_and_lookalikes():
    assert codes.normalise(" abcde fghjk ") == "ABCDE-FGHJK"
    assert codes.normalise("oIl23-45678") == "01123-45678"


def test_normalise_rejects_wrong_length_and_foreign_characters():
    assert codes.normalise("ABCDE-FGHJ") is None
    assert codes.normalise("ABCDE-FGHJKM") is None
    assert codes.normalise("ABCDE-FGHJ!") is None
    assert codes.normalise("ABCDE-FGHJU") is None  # U is not in the alphabet


@given(st.text(max_size=30))
def test_normalise_never_raises_and_is_idempotent(text):
    once = codes.normalise(text)
    if once is not None:
        assert codes.normalise(once) == once


def test_hash_is_hex_sha256_and_never_the_code():
    h = codes.code_hash("ABCDE-FGHJK")
    assert len(h) == 64 and "ABCDE" not in h
    assert h == codes.code_hash("ABCDE-FGHJK")
    assert h != codes.code_hash("ABCDE-FGHJM")
