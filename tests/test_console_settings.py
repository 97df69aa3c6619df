"""A draft's rules, who rates whom and criteria sub-items from the console
(issue 14: every round setting available from the console): each value is
checked by the parser and the plugins' rehearsal a spec file goes through,
refusals are shown beside their field with 400 and nothing is saved, and a
frozen round refuses."""

from __future__ import annotations

import json

from surveyapp import plugins
from surveyapp.database import db
from surveyapp.domain.spec import parse_spec, spec_from_dict, spec_to_dict
from surveyapp.services.rounds import create_round, round_spec

from .conftest import SPEC, csrf_token, login, open_round

FOUR_STRONG = SPEC.replace('anonymity_min = 2\n', 'anonymity_min = 2\n\n[[criteria]]\n'
                           'key = "politics"\nlabel = "政治引领力强"\n\n[[criteria]]\n'
                           'key = "work"\nlabel = "推动发展力强"\n', 1)


def draft(orgs, text=SPEC):
    return create_round(parse_spec(text), actor="t", org=orgs["a"])


def post(client, url, data):
    page = client.get(url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token(page), **data})


def stored_rules(round_) -> dict:
    db.session.expire_all()
    return json.loads(round_.rules_json or "{}")


# -- [rules] --------------------------------------------------------------------------

def test_the_rules_form_offers_every_declared_setting_with_a_fitting_input(client, orgs):
    round_ = draft(orgs)
    login(client, "a")
    page = client.get(f"/admin/rounds/{round_.slug}/rules").get_data(as_text=True)
    # A share per grade: one input per option of the round's scale.
    assert 'name="rule-per_ballot_max-excellent"' in page
    assert 'name="rule-per_ballot_max-unknown"' in page
    # A boolean and a choice are selects; a plugin's share is a text box.
    assert '<select id="rule-leave_own_name_out"' in page
    assert '<option value="ballot"' in page
    assert 'name="rule-excellent_quota"' in page  # party-member-appraisal's
    assert 'name="rule-veto_caps"' in page  # four-strong-four-excellent's


def test_rules_set_from_the_console_are_the_rules_of_the_round(client, orgs):
    round_ = draft(orgs)
    login(client, "a")
    response = post(client, f"/admin/rounds/{round_.slug}/rules", {
        "rule-per_ballot_max-excellent": "1/3", "rule-per_ballot_basis": "ballot",
        "rule-leave_own_name_out": "true", "rule-quorum": "50%",
        "rule-quota_tie_break": '["excellent", "qualified"]', "rule-excellent_quota": "0.3",
        "rule-bands": '[{ min = 90, option = "excellent" }, { min = 0, option = "qualified" }]'})
    assert response.status_code == 302
    rules = stored_rules(round_)
    assert rules == {"per_ballot_max": {"excellent": "1/3"}, "per_ballot_basis": "ballot",
                     "leave_own_name_out": True, "quorum": "1/2",
                     "quota_tie_break": ["excellent", "qualified"], "excellent_quota": "0.3",
                     "bands": [{"min": 90, "option": "excellent"},
                               {"min": 0, "option": "qualified"}]}
    # The round as a spec goes through creation's check again: a round
    # created from it has the same rules.
    spec = spec_from_dict(spec_to_dict(round_spec(round_)), **plugins.spec_context())
    assert spec.rules == rules
    assert json.loads(create_round(spec, actor="t", org=orgs["a"]).rules_json) == rules
    # The form shows them back; emptying a field unsets the rule.
    page = client.get(f"/admin/rounds/{round_.slug}/rules").get_data(as_text=True)
    assert 'value="1/3"' in page and '<option value="ballot" selected>' in page
    response = post(client, f"/admin/rounds/{round_.slug}/rules", {
        "rule-per_ballot_max-excellent": "1/3"})
    assert response.status_code == 302
    assert stored_rules(round_) == {"per_ballot_max": {"excellent": "1/3"}}


def test_bad_rule_values_are_refused_beside_their_field_and_nothing_is_saved(client, orgs):
    round_ = draft(orgs, SPEC + '\n[rules]\nquorum = "1/2"\n')
    login(client, "a")
    url = f"/admin/rounds/{round_.slug}/rules"
    # Not a number at all: the form says so, the parser never sees it.
    response = post(client, url, {"rule-quorum": "half", "rule-per_ballot_basis": "round"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'class="field rule invalid"' in html and "value=\"half\"" in html
    # The parser's own refusal: an option that is not on the scale.
    response = post(client, url, {"rule-quota_tie_break": '["excelent"]'})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "excelent" in html
    assert html.index("rule-quota_tie_break") < html.index('class="error"')
    # A value only the plugins' rehearsal refuses (a veto cap naming no group).
    response = post(client, url, {"rule-veto_caps": '[{ group = "nobody", below = "1/2", '
                                                    'cap = "excellent" }]'})
    assert response.status_code == 400
    assert stored_rules(round_) == {"quorum": "1/2"}


def test_a_frozen_round_refuses_rule_rates_and_item_changes(client, orgs):
    round_ = draft(orgs)
    open_round(round_)
    db.session.commit()
    login(client, "a")
    token = csrf_token(client.get(f"/admin/rounds/{round_.slug}").get_data(as_text=True))
    before = round_.rules_json
    for page in ("rules", "rates", "items"):
        assert client.get(f"/admin/rounds/{round_.slug}/{page}").status_code == 409
        response = client.post(f"/admin/rounds/{round_.slug}/{page}", data={
            "csrf_token": token, "rule-quorum": "1/2", "rates-0-mode": "some",
            "rates-0": "zhangsan", "items-0": "a, 1"})
        assert response.status_code == 409
    db.session.expire_all()
    assert round_.rules_json == before and round_spec(round_).groups[0].rates is None


def test_another_branchs_round_is_not_found(client, orgs):
    round_ = draft(orgs)
    login(client, "b")
    for page in ("rules", "rates", "items"):
        assert client.get(f"/admin/rounds/{round_.slug}/{page}").status_code == 404


# -- who rates whom -------------------------------------------------------------------

def test_rates_set_from_the_console_shape_the_ballot_count(client, orgs):
    round_ = draft(orgs, SPEC + '\n[[subjects]]\nkey = "wangwu"\nname = "王五"\n'
                   'unit = "机关党支部"\n')
    login(client, "a")
    url = f"/admin/rounds/{round_.slug}/rates"
    page = client.get(url).get_data(as_text=True)
    assert "unit:机关党支部" in page and "王五" in page
    response = post(client, url, {"rates-0-mode": "all",
                                  "rates-1-mode": "some",
                                  "rates-1": ["zhangsan", "unit:机关党支部"]})
    assert response.status_code == 302
    db.session.expire_all()
    spec = round_spec(round_)
    assert spec.group("members").rates is None
    assert spec.group("masses").rates == ("zhangsan", "unit:机关党支部")
    assert spec.rated("masses") == ("zhangsan", "wangwu")
    # The round page counts whom each group rates.
    detail = client.get(f"/admin/rounds/{round_.slug}").get_data(as_text=True)
    assert "评价 2 人" in detail or "rates 2 people" in detail


def test_a_group_that_rates_nobody_is_refused_beside_it(client, orgs):
    round_ = draft(orgs)
    login(client, "a")
    url = f"/admin/rounds/{round_.slug}/rates"
    response = post(client, url, {"rates-0-mode": "some"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'class="field rates-group invalid"' in html
    db.session.expire_all()
    assert round_spec(round_).group("members").rates is None


# -- criteria sub-items ---------------------------------------------------------------

def test_sub_items_set_from_the_console_with_their_total(client, orgs):
    round_ = draft(orgs, FOUR_STRONG)
    login(client, "a")
    url = f"/admin/rounds/{round_.slug}/items"
    response = post(client, url, {"items-0": "理论学习, 10\nstudy2,组织生活，15\n",
                                  "items-1": ""})
    assert response.status_code == 302
    db.session.expire_all()
    spec = round_spec(round_)
    politics = spec.criteria[0]
    assert [(i.key, i.label, i.points) for i in politics.items] == [
        ("i1", "理论学习", 10), ("study2", "组织生活", 15)]
    assert politics.points == 25 and spec.criteria[1].items == ()
    page = client.get(url).get_data(as_text=True)
    assert "i1,理论学习,10" in page and ("25" in page)
    # Removing a line removes the item.
    assert post(client, url, {"items-0": "理论学习, 10"}).status_code == 302
    db.session.expire_all()
    assert [i.label for i in round_spec(round_).criteria[0].items] == ["理论学习"]


def test_bad_sub_items_are_refused_on_their_line(client, orgs):
    round_ = draft(orgs, FOUR_STRONG)
    login(client, "a")
    url = f"/admin/rounds/{round_.slug}/items"
    response = post(client, url, {"items-0": "理论学习, 10\n组织生活, -5\n"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "2" in html
    response = post(client, url, {"items-0": "only a name"})
    assert response.status_code == 400
    db.session.expire_all()
    assert round_spec(round_).criteria[0].items == ()


# -- what the settings pages leave alone ------------------------------------------------

def test_commitment_items_survive_the_settings_pages_and_a_spec_round_trip(client, orgs, cli,
                                                                            tmp_path):
    """The settings pages and ``rounds spec``/``rounds update`` rewrite the
    round from its spec: a subject's 承诺兑现 items must come through."""
    text = SPEC.replace('name = "张三"\n', 'name = "张三"\ncommitments = ["按时交纳党费", '
                        '"带头完成攻关任务"]\n', 1)
    round_ = draft(orgs, text)
    items = ("按时交纳党费", "带头完成攻关任务")
    assert round_spec(round_).subjects[0].commitments == items
    login(client, "a")
    assert post(client, f"/admin/rounds/{round_.slug}/rules",
                {"rule-quorum": "1/2"}).status_code == 302
    db.session.expire_all()
    assert round_spec(round_).subjects[0].commitments == items
    printed = cli("rounds", "spec", round_.slug)
    assert printed.exit_code == 0 and "按时交纳党费" in printed.output
    path = tmp_path / "round.toml"
    path.write_text(printed.output.replace('quorum = "1/2"', 'quorum = "2/3"'), encoding="utf-8")
    assert cli("rounds", "update", round_.slug, path).exit_code == 0
    db.session.expire_all()
    assert round_spec(round_).subjects[0].commitments == items
    assert round_spec(round_).rules == {"quorum": "2/3"}
