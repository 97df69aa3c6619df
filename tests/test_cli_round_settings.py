"""The command line's way to a draft's settings (issue 14: every setting
from the console and the command line): `rounds rules` shows and sets the
[rules], `rounds spec` prints the round as a spec file and `rounds update`
replaces a draft's settings with one (who rates whom, sub-items, rules).
Bad input is one line per problem, exit status 2, nothing written."""

from __future__ import annotations

import json

import pytest

from surveyapp.domain.spec import parse_spec
from surveyapp.services.rounds import create_round, round_spec

from .conftest import SPEC, open_round


@pytest.fixture
def draft(app):
    return create_round(parse_spec(SPEC + '\n[rules]\nquorum = "1/2"\n'), actor="t")


def rules_of(round_) -> dict:
    return json.loads(round_.rules_json or "{}")


@pytest.mark.parametrize("command", ["rules", "spec", "update"])
def test_each_command_has_help_with_an_example(cli, command):
    result = cli("rounds", command, "--help")
    assert result.exit_code == 0 and "Example: surveyapp rounds" in result.output


def test_rules_lists_every_declared_setting_and_the_rounds_values(cli, draft):
    result = cli("rounds", "rules", draft.slug)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert 'quorum = "1/2"  [share] share of the expected voters' in result.output
    assert any(line.startswith('per_ballot_basis = (default: "round")  [choice]')
               for line in lines)
    assert any(line.startswith("excellent_quota = (not set)  [share]") for line in lines)


def test_rules_set_and_unset(cli, draft):
    result = cli("rounds", "rules", draft.slug, "--set", "excellent_quota=0.3",
                 "--set", 'per_ballot_max={ excellent = "1/3" }',
                 "--set", "per_ballot_basis=ballot", "--set", "leave_own_name_out=true",
                 "--unset", "quorum")
    assert result.exit_code == 0, result.output
    assert rules_of(draft) == {"excellent_quota": 0.3, "per_ballot_max": {"excellent": "1/3"},
                               "per_ballot_basis": "ballot", "leave_own_name_out": True}
    assert round_spec(draft).rules["excellent_quota"] == 0.3


@pytest.mark.parametrize(("setting", "says"), [
    ("excelent_quota=0.3", 'unknown key "excelent_quota" (did you mean "excellent_quota"?)'),
    ("per_ballot_max={ excelent = 1 }", "[rules.per_ballot_max.excelent]"),
    ("per_ballot_basis=sometimes", 'per_ballot_basis must be "round" or "ballot"'),
    ("leave_own_name_out=maybe", "leave_own_name_out must be true or false"),
    ("quorum", "expected NAME=VALUE"),
    ('bands=[{ min = "x", option = "excellent" }]', "rules.bands"),
    ("excellent_quota=inf", "rules.excellent_quota must be a number"),  # bands or not
])
def test_bad_rules_are_one_line_exit_2_and_nothing_written(cli, draft, setting, says):
    result = cli("rounds", "rules", draft.slug, "--set", setting)
    assert result.exit_code == 2
    assert says in result.output and len(result.output.strip().splitlines()) == 1
    assert rules_of(draft) == {"quorum": "1/2"}


def test_an_open_round_refuses_rule_changes(cli, draft):
    open_round(draft)
    result = cli("rounds", "rules", draft.slug, "--set", "quorum=2/3")
    assert result.exit_code == 2 and "froze" in result.output
    assert rules_of(draft) == {"quorum": "1/2"}


def test_spec_then_update_sets_rates_items_and_rules(cli, draft, tmp_path):
    printed = cli("rounds", "spec", draft.slug)
    assert printed.exit_code == 0
    text = printed.output
    assert parse_spec(text) == round_spec(draft)  # what it prints is the round
    text = text.replace('key = "masses"\n', 'key = "masses"\nrates = ["unit:工程技术党支部"]\n')
    text = text.replace('description = ""\n', 'description = ""\nitems = [{ key = "study", '
                        'label = "理论学习", points = 10 }, { key = "life", label = "组织生活", '
                        'points = 15 }]\n')
    text = text.replace('quorum = "1/2"', 'quorum = "2/3"')
    path = tmp_path / "round.toml"
    path.write_text(text, encoding="utf-8")
    result = cli("rounds", "update", draft.slug, path)
    assert result.exit_code == 0, result.output
    spec = round_spec(draft)
    assert spec.group("masses").rates == ("unit:工程技术党支部",)
    assert spec.criteria[0].points == 25 and spec.rules == {"quorum": "2/3"}


def test_update_refuses_bad_input_with_its_line_and_writes_nothing(cli, draft, tmp_path):
    text = cli("rounds", "spec", draft.slug).output
    path = tmp_path / "round.toml"
    path.write_text(text.replace('key = "masses"\n', 'key = "masses"\nrates = ["zhangsna"]\n'),
                    encoding="utf-8")
    result = cli("rounds", "update", draft.slug, path)
    assert result.exit_code == 2
    assert f"{path}:" in result.output and 'did you mean "zhangsan"' in result.output
    assert round_spec(draft).group("masses").rates is None
    # access is fixed once a round exists
    path.write_text(text.replace('access = "codes"', 'access = "link"'), encoding="utf-8")
    result = cli("rounds", "update", draft.slug, path)
    assert result.exit_code == 2 and "access" in result.output
    assert cli("rounds", "update", draft.slug, tmp_path / "none.toml").exit_code == 2
    open_round(draft)
    path.write_text(text, encoding="utf-8")
    result = cli("rounds", "update", draft.slug, path)
    assert result.exit_code == 2 and "froze" in result.output
