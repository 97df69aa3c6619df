"""Numbers typed into the settings pages, `rounds rules --set` and
`rounds follow-up --below` are read with ``Fraction``, which also reads
exponents: "1e99999999" asks it for 10**99999999, minutes of one worker's
time (hours for a digit more) before any check runs.  Such text is refused
at once, as the spec parser already refuses it."""

from __future__ import annotations

from fractions import Fraction

import pytest

from surveyapp.domain import campaign, rule_checks, rule_settings, rules
from surveyapp.domain.spec import parse_spec
from surveyapp.services.rounds import create_round

from .conftest import SPEC, csrf_token, login

HUGE = "1e99999999"


@pytest.fixture(autouse=True)
def fraction_never_sees_an_exponent(monkeypatch):
    """Fail at once where ``Fraction`` would be asked for 10**99999999 (and
    hang for minutes), rather than timing the call."""
    def guarded(value=0, *args):
        if isinstance(value, str) and "e" in value.lower():
            raise AssertionError(f"Fraction({value!r}) was called")
        return Fraction(value, *args)
    for module in (campaign, rule_checks, rule_settings, rules):
        monkeypatch.setattr(module, "Fraction", guarded)


def test_a_number_with_an_exponent_is_refused_at_once():
    with pytest.raises(ValueError):
        rule_settings.number(HUGE)
    with pytest.raises(ValueError, match="must be a number"):
        rules.as_fraction(HUGE, "quorum")
    assert rule_checks.share_value(HUGE) is None
    assert campaign._number(HUGE) is None  # a campaign standard given as text


@pytest.mark.parametrize("text", ["4", "0.3", "1/3", "-1", " 2/3 "])
def test_plain_numbers_still_read(text):
    rule_settings.number(text.strip())
    rules.as_fraction(text, "x")
    assert rule_settings.number("30%") == "3/10"


def test_the_rules_form_refuses_an_exponent_with_400(client, orgs):
    round_ = create_round(parse_spec(SPEC), actor="t", org=orgs["a"])
    login(client, "a")
    url = f"/admin/rounds/{round_.slug}/rules"
    token = csrf_token(client.get(url).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "rule-quorum": HUGE})
    assert response.status_code == 400


def test_rules_set_refuses_an_exponent_in_a_string(cli, app):
    round_ = create_round(parse_spec(SPEC), actor="t")
    result = cli("rounds", "rules", round_.slug, "--set", f'quorum="{HUGE}"')
    assert result.exit_code == 2 and "must be a number" in result.output
