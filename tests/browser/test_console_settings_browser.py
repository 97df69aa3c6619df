"""A draft's rules, who rates whom and sub-items from the console, on a
360 px phone in Chromium: no sideways scroll, axe-clean with and without a
refusal on the page, and the values saved are the round's (issue 14)."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from surveyapp.database import db
from surveyapp.domain.spec import parse_spec
from surveyapp.models import Round
from surveyapp.services.rounds import create_round, round_spec

from ..conftest import SPEC
from .test_admin_round import assert_no_horizontal_scroll, log_in

THREE = SPEC + '\n[[subjects]]\nkey = "wangwu"\nname = "王五"\nunit = "机关党支部"\n'


def reloaded(slug: str) -> Round:
    db.session.rollback()  # see what the server's threads committed
    return db.session.query(Round).filter_by(slug=slug).one()


def test_rules_rates_and_sub_items_on_a_phone(new_page, secretary_account, screenshot,
                                               accessibility_violations):
    slug = create_round(parse_spec(THREE), actor="t", org=secretary_account).slug
    page = new_page()
    log_in(page)
    page.goto(f"/admin/rounds/{slug}")
    assert accessibility_violations(page) == []

    # The rules: a refused share stays beside its field, nothing is saved.
    page.get_by_role("link", name="修改规则").click()
    expect(page.locator("h1")).to_contain_text("规则")
    assert_no_horizontal_scroll(page, 360)
    assert accessibility_violations(page) == []
    page.fill("#rule-per_ballot_max-excellent", "一半")
    page.get_by_role("button", name="保存规则").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#rule-per_ballot_max-excellent ~ .error")).to_contain_text("请输入数值")
    assert_no_horizontal_scroll(page, 360)
    assert accessibility_violations(page) == []
    screenshot(page, "phone-rules-refused")
    assert json.loads(reloaded(slug).rules_json or "{}") == {}
    page.fill("#rule-per_ballot_max-excellent", "1/3")
    page.select_option("#rule-leave_own_name_out", "true")
    page.get_by_role("button", name="保存规则").click()
    expect(page.locator("h1")).to_have_text("2026年度民主评议党员")
    assert json.loads(reloaded(slug).rules_json) == {"per_ballot_max": {"excellent": "1/3"},
                                                      "leave_own_name_out": True}

    # Who rates whom: 群众 rate only the 机关党支部.
    page.get_by_role("link", name="修改评价关系").click()
    assert_no_horizontal_scroll(page, 360)
    assert accessibility_violations(page) == []
    group = page.locator("fieldset.rates-group").nth(1)
    group.get_by_label("仅下方勾选的人员和单位").check()
    group.get_by_label("机关党支部", exact=True).check()
    screenshot(page, "phone-rates")
    page.get_by_role("button", name="保存评价关系").click()
    expect(page.locator(".setting").filter(has_text="评价关系")).to_contain_text("评价 1 人")
    assert round_spec(reloaded(slug)).rated("masses") == ("wangwu",)

    # Sub-items and their total.
    page.get_by_role("link", name="修改细项").click()
    assert_no_horizontal_scroll(page, 360)
    page.fill("#items-0", "理论学习, 十")
    page.get_by_role("button", name="保存细项").click()
    expect(page.locator("#items-0 ~ .error")).to_be_visible()
    assert accessibility_violations(page) == []
    page.fill("#items-0", "理论学习, 10\n组织生活, 15")
    page.get_by_role("button", name="保存细项").click()
    expect(page.locator(".setting").filter(has_text="细项")).to_contain_text("合计 25 分")
    assert_no_horizontal_scroll(page, 360)
    assert accessibility_violations(page) == []
    assert round_spec(reloaded(slug)).criteria[0].points == 25
