"""The 支部书记's day where a real walk stumbled (issue 17), in Chromium on a
1366×768 desktop and a 390 px phone, with JavaScript and without: voiding
codes, the wizard, paper sheets over the limit and 废票, closing below the
quorum, the projector view, the results table on a phone, publishing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from surveyapp import plugins
from surveyapp.database import db
from surveyapp.domain.spec import parse_spec
from surveyapp.models import Round, VoterCode, VoterGroup
from surveyapp.services import codes as codes_service
from surveyapp.services import rounds as rounds_service

from ..conftest import count_round, open_round
from ..test_results_page import vote
from .test_admin_round import log_in

DESKTOP, PHONE = (1366, 768), (390, 844)
UNIT = "中国石油天然气股份有限公司第三采油厂"
SPEC = """
title = "2026年度民主评议党员"
template = "party-member-appraisal"
anonymity_min = 2
[[groups]]
key = "members"
label = "党员互评"
weight = 60
expected = 8
[[groups]]
key = "masses"
label = "群众评议"
weight = 40
expected = 6
""" + "".join(f'[[subjects]]\nkey = "{k}"\nname = "{n}"\nunit = "{UNIT}"\n'
              for k, n in (("zhangsan", "张三"), ("lisi", "李四"), ("wangwu", "王五")))


def a_round(org, status="open"):
    round_ = rounds_service.create_round(parse_spec(SPEC, **plugins.spec_context()),
                                         actor="t", org=org)
    open_round(round_)
    if status == "counted":
        vote(round_, {"members": [{"zhangsan": "excellent", "lisi": "qualified",
                                   "wangwu": "basic"}] * 3,
                      "masses": [{"zhangsan": "qualified", "lisi": "qualified",
                                  "wangwu": "qualified"}] * 2})
        rounds_service.transition(round_, "close", actor="t")
        count_round(round_)
    db.session.commit()
    return round_


def voided() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(VoterCode)
                             .where(VoterCode.status == "void"))


@pytest.mark.parametrize("javascript", [True, False])
def test_a_refused_single_void_never_arms_the_batch_void(new_page, secretary_account,
                                                         javascript, screenshot):
    round_ = a_round(secretary_account)
    codes_service.issue(round_, "members", 5, actor="t")
    db.session.commit()
    page = new_page(viewport=DESKTOP if javascript else PHONE, javascript=javascript)
    log_in(page)
    page.goto(f"/admin/rounds/{round_.slug}/codes")
    page.locator("details summary").click()
    page.get_by_label("要作废的投票码，每行一个").fill("ABCDE-FGHJ")  # not recognised
    page.locator("#codes-confirm").check()
    page.get_by_role("button", name="作废这些投票码").click()
    problems = page.locator("#problems")
    expect(problems).to_contain_text("不是投票码：ABCDE-FGHJ")
    # The refusal is where the eye is, at the top, not below the fold.
    box = problems.bounding_box()
    assert box["y"] < page.viewport_size["height"]
    if javascript:
        expect(problems).to_be_focused()
    else:  # the batch's box is shown, and not ticked
        expect(page.locator("#batch-confirm")).not_to_be_checked()
    expect(page.locator("#codes-confirm")).not_to_be_checked()
    screenshot(page, f"codes-refused-{'js' if javascript else 'nojs'}", full_page=False)

    page.get_by_role("button", name="作废该批次中未使用的投票码").click()
    if javascript:  # one click asks first, in words
        dialog = page.locator("dialog.confirm-dialog")
        expect(dialog).to_contain_text("作废所选批次中所有未使用的投票码")
        dialog.get_by_role("button", name="取消").click()
    else:
        expect(page.locator(".error-summary")).to_contain_text("请勾选以确认")
    assert voided() == 0

    # A well-formed code that is not this round's: said so, not "0 voided" in green.
    page.get_by_label("要作废的投票码，每行一个").fill("ZZZZZ-ZZZZZ")
    page.locator("#codes-confirm").check()
    page.get_by_role("button", name="作废这些投票码").click()
    expect(page.locator("#problems")).to_contain_text("没有作废任何投票码")
    expect(page.locator(".flash")).to_have_count(0)
    assert voided() == 0


def test_the_login_request_is_no_success_message(new_page):
    page = new_page(viewport=DESKTOP)
    page.goto("/admin/")
    flash = page.locator(".flash")
    expect(flash).to_have_text("请先登录。")
    expect(flash).to_have_class(re.compile(r"\bflash-info\b"))
    green = "rgb(218, 251, 225)"
    assert flash.evaluate("e => getComputedStyle(e).backgroundColor") != green


def test_a_template_fills_in_the_title(new_page, secretary_account):
    page = new_page(viewport=DESKTOP)
    log_in(page)
    page.goto("/admin/new")
    title = page.locator("#title")
    page.select_option("#template", "party-member-appraisal")
    expect(title).to_have_value("民主评议党员")
    page.select_option("#template", "cadre-evaluation")
    expect(title).to_have_value("干部民主测评")  # it filled it, so it follows
    title.fill("2026年度干部考核")
    page.select_option("#template", "party-member-appraisal")
    expect(title).to_have_value("2026年度干部考核")  # typed by hand: kept
    options = page.locator("#scale option").all_inner_texts()
    assert not any(re.search(r"[a-z]{3,}", o) for o in options), options


def test_a_paper_sheet_over_the_limit_becomes_a_spoiled_ballot(new_page, secretary_account,
                                                               screenshot):
    round_ = a_round(secretary_account)
    page = new_page(viewport=PHONE)
    log_in(page)
    page.goto(f"/admin/rounds/{round_.slug}/paper?group=members")
    radio = page.locator('input[name="p-0-0"][value="excellent"]')
    size = radio.bounding_box()
    assert size["width"] >= 28 and size["height"] >= 28  # were 21 px
    cell = page.locator("td.mark label").first.bounding_box()
    assert cell["width"] >= 44 and cell["height"] >= 44
    for i in range(3):
        page.locator(f'input[name="p-{i}-0"][value="excellent"]').check()
    page.get_by_role("button", name="保存这张选票").click()
    problems = page.locator("#problems")
    expect(problems).to_contain_text("这张选票不符合本次评议的规则")
    expect(problems).to_contain_text("这张选票评了 3 人：张三、李四、王五")
    expect(page.locator("body")).not_to_contain_text("有些行还没有选择")
    screenshot(page, "paper-over-the-limit", full_page=False)
    problems.get_by_role("button", name="登记为废票").click()
    expect(page.locator(".flash")).to_contain_text("已登记为党员互评的废票")
    expect(page.locator("main")).to_contain_text("另有废票 1 张")
    db.session.rollback()
    assert db.session.scalar(select(VoterGroup.spoiled).where(
        VoterGroup.round_id == round_.id, VoterGroup.key == "members")) == 1


def test_closing_below_the_quorum_is_warned_of(new_page, secretary_account):
    round_ = a_round(secretary_account)
    vote(round_, {"members": [{"zhangsan": "qualified"}] * 2})
    page = new_page(viewport=DESKTOP)
    log_in(page)
    page.goto(f"/admin/rounds/{round_.slug}")
    expect(page.locator(".quorum-warning")).to_contain_text("党员互评 2/8 人、群众评议 0/6 人")
    page.get_by_role("button", name="结束评议…").click()
    dialog = page.locator("dialog.confirm-dialog")
    expect(dialog).to_contain_text("参评人数未达到规定比例（须超过应参评人数的 1/2）")
    dialog.get_by_role("button", name="取消").click()
    db.session.rollback()
    assert db.session.scalar(select(Round.status)) == "open"


def test_the_projector_view_refreshes_itself(new_page, secretary_account, screenshot,
                                             accessibility_violations):
    round_ = a_round(secretary_account)
    page = new_page(viewport=(1280, 720))
    log_in(page)
    page.goto(f"/admin/rounds/{round_.slug}")
    page.get_by_role("link", name="全屏显示（会场投影用）").click()
    total = page.locator(".screen-total [data-total]")
    expect(total).to_have_text("0")
    expect(page.locator(".bar")).to_be_hidden()  # nothing but the counts
    assert float(total.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 100
    assert accessibility_violations(page) == []
    vote(round_, {"members": [{"zhangsan": "qualified"}] * 3,
                  "masses": [{"zhangsan": "qualified"}]})
    expect(total).to_have_text("4", timeout=12_000)  # no reload: htmx, every 5 s
    expect(page.locator('[data-group="members"]')).to_have_text("3")
    screenshot(page, "turnout-screen", full_page=False)


def test_results_on_a_phone_show_that_the_table_scrolls(new_page, secretary_account,
                                                       screenshot):
    round_ = a_round(secretary_account, status="counted")
    page = new_page(viewport=PHONE)
    log_in(page)
    page.goto(f"/admin/rounds/{round_.slug}/results")
    summary = page.locator("section:has(#summary-h)")
    expect(summary.locator(".scroll-cue")).to_be_visible()
    expect(summary.locator(".scroll-cue")).to_have_text("左右滑动查看更多列")
    wrap = summary.locator(".table-wrap")
    assert wrap.get_attribute("tabindex") == "0"  # reachable by keyboard
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    page.locator("#scoring summary").click()
    expect(page.locator("#scoring")).to_contain_text("个人得分为各组别得分的加权平均")
    screenshot(page, "results-phone", full_page=False)
    # Publishing: a preview, then the public page.
    page.locator("section:has(#publish-h) button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("公示页面预览")
    expect(page.locator(".preview-page")).to_contain_text("张三")
    page.get_by_role("button", name="确认公示").click()
    expect(page.locator(".flash")).to_contain_text("已公示")
