"""A whole round run by a secretary in Chromium: log in, create a round from a
template in the wizard, import subjects from a CSV file, issue codes, open,
two voters on 360×640 phones, the live turnout, close, results.  And the
console on a phone with JavaScript off.  Screenshots go to test-artifacts/."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from surveyapp import plugins
from surveyapp.database import db
from surveyapp.models import Ballot, Round
from surveyapp.services.results import tally_json

from ..test_admin_console import TestTemplates
from .conftest import ARTIFACTS

DESKTOP = (1280, 900)
SUBJECTS_CSV = ("工号,姓名,部门\n1001,王建国,工程技术部\n1002,李秀英,综合办公室\n"
                "1003,张伟,生产车间\n")


@pytest.fixture
def snap():
    """A full-page screenshot in test-artifacts/test_admin_round/, leaving the
    text caret alone: Playwright hides it with an injected style, after which
    Chromium reports the next htmx swap of elements with ids as an inline-style
    CSP violation (an artefact of the test tool, not of the page)."""
    folder = ARTIFACTS / "test_admin_round"

    def take(page, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True, caret="initial")
        return path

    return take


@pytest.fixture
def templates():
    plugins.use_plugin_manager(plugins.load_plugins(extra=[("test-templates", TestTemplates)]))
    yield
    plugins.use_plugin_manager(None)


def fresh(query):
    db.session.rollback()  # see what the server's threads committed
    return db.session.scalar(query)


def assert_no_horizontal_scroll(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll}px wide on a {width}px screen"


def log_in(page) -> None:
    page.goto("/admin/login")
    page.fill("#username", "shuji")
    page.fill("#password", "password-shuji")
    page.get_by_role("button", name="登录").click()
    expect(page.locator("h1")).to_have_text("评议活动")


def next_step(page, number: int) -> None:
    """Press 下一步 and wait until the wizard shows step ``number``."""
    page.get_by_role("button", name="下一步").click()
    expect(page.locator(".wizard-steps [aria-current=step]")).to_contain_text(f"{number}.")


def vote(page, code: str, subjects: int, criteria: int) -> None:
    page.goto(f"/c/{code}")
    expect(page).to_have_url(re.compile(r"/ballot$"))
    for s in range(subjects):
        for c in range(criteria):
            page.locator(f'input[name="q-{s}-{c}"][value="qualified"]').check()
    page.get_by_role("button", name="提交选票").click()
    expect(page.locator("h1")).to_have_text("感谢参与")


def test_a_whole_round_in_the_browser(new_page, snap, templates, secretary_account,
                                      accessibility_violations, tmp_path):
    admin = new_page(viewport=DESKTOP)
    log_in(admin)

    # 1. The wizard, from a template.
    admin.get_by_role("link", name="新建评议").first.click()
    admin.fill("#title", "2026年度民主评议党员")
    admin.select_option("#template", "test-appraisal")
    admin.fill("#anonymity_min", "2")
    snap(admin, "01-wizard-basics")
    next_step(admin, 2)
    expect(admin.locator("#rows-1-label")).to_have_value("群众评议")  # from the template
    admin.fill("#rows-0-expected", "2")
    assert accessibility_violations(admin) == []
    snap(admin, "02-wizard-groups")
    next_step(admin, 3)
    expect(admin.locator("#rows-0-label")).to_have_value("政治素质")
    snap(admin, "03-wizard-criteria")
    next_step(admin, 4)

    # 2. Subjects from a CSV file: previewed, then saved.
    people = tmp_path / "members.csv"
    people.write_text(SUBJECTS_CSV, encoding="utf-8")
    admin.set_input_files("#subjects_file", str(people))
    admin.get_by_role("button", name="预览").click()
    expect(admin.locator(".preview tbody tr")).to_have_count(3)
    assert accessibility_violations(admin) == []
    assert fresh(select(Round.id)) is None  # nothing saved before the last click
    snap(admin, "04-wizard-subjects-preview")
    admin.get_by_role("button", name="创建评议").click()
    expect(admin.locator("h1")).to_have_text("2026年度民主评议党员")
    round_ = fresh(select(Round))
    assert [s.name for s in round_.subjects] == ["王建国", "李秀英", "张伟"]
    snap(admin, "05-round-draft")

    # 3. Codes: the one-time page, the CSV and the slips.
    admin.get_by_role("link", name="投票码与二维码票条").click()
    admin.select_option("#group", "members")
    expect(admin.locator("#count")).to_have_value("2")  # what the group still needs (admin.js)
    admin.fill("#count", "2")
    admin.get_by_role("button", name="发放投票码").click()
    expect(admin.locator("h1")).to_contain_text("新发放 2 个投票码")
    snap(admin, "06-codes-issued")
    with admin.expect_download() as download:
        admin.locator('[data-download="csv"]').click()
    rows = list(csv.DictReader(io.StringIO(
        download.value.path().read_text(encoding="utf-8-sig"))))
    codes = [row["code"] for row in rows]
    assert len(codes) == 2
    with admin.expect_download() as download:
        admin.locator('[data-download="pdf"]').click()
    slips = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    assert all(code in slips.pages[0].extract_text() for code in codes)
    admin.get_by_role("link", name="完成").click()
    expect(admin.locator("table")).to_contain_text("党员互评")
    admin.locator("details summary").click()  # the void forms
    snap(admin, "06b-codes-batches")

    # 4. Open, confirmed in a dialog.
    admin.get_by_role("link", name=re.compile(r"^← ")).click()
    admin.get_by_role("button", name="开始评议…").click()
    dialog = admin.locator("dialog.confirm-dialog")
    expect(dialog).to_be_visible()
    snap(admin, "07-open-dialog")
    dialog.get_by_role("button", name="开始评议").click()
    # The secretary is the one 监票人: their key slip, shown this once.
    expect(admin.locator("h1")).to_have_text("监票人密钥条")
    share = admin.locator(".share-text code").inner_text()
    assert share.startswith("S1-")
    snap(admin, "07b-key-slip")
    admin.get_by_label("每位监票人都已拿到密钥条（已打印或保存）。").check()
    admin.get_by_role("button", name="开始评议：投票开始").click()
    expect(admin.locator(".badge")).to_have_text("进行中")
    turnout = admin.locator('#turnout [data-group="members"]')
    expect(turnout).to_have_text("0")

    # 5. Two voters, each on their own phone.
    for code in codes:
        phone = new_page()
        vote(phone, code, subjects=3, criteria=2)
    snap(phone, "08-phone-voted")
    # The turnout panel refreshes itself (htmx, every 5 s): no reload here.
    expect(turnout).to_have_text("2", timeout=15_000)
    expect(admin.locator("#turnout")).to_contain_text("2/2 · 100%")
    assert accessibility_violations(admin) == []
    snap(admin, "09-round-open-turnout")

    # 6. Close, then the results.
    admin.get_by_role("button", name="结束评议…").click()
    admin.locator("dialog.confirm-dialog").get_by_role("button", name="结束评议").click()
    expect(admin.locator(".badge")).to_have_text("已结束")
    assert fresh(select(Round.status)) == "closed"
    admin.get_by_role("link", name="开箱计票").first.click()
    admin.get_by_label(re.compile("第 1 位监票人")).fill(share.lower())  # typed as it comes
    snap(admin, "09b-count")
    admin.get_by_role("button", name="开箱计票").click()
    expect(admin.locator("h1")).to_contain_text("测评结果")
    assert fresh(select(Round.status)) == "counted"
    result = tally_json(fresh(select(Round)))
    assert result["turnout"]["members"] == {"ballots": 2, "expected": 2}
    assert {s["name"]: s["score"] for s in result["subjects"]} == {
        "王建国": 80, "李秀英": 80, "张伟": 80}
    expect(admin.locator("body")).to_contain_text("王建国")
    snap(admin, "10-results")

    admin.goto(f"/admin/rounds/{round_.slug}/audit")
    for action in ("创建评议", "发放投票码", "下载投票码", "开始评议", "结束评议", "开箱计票"):
        expect(admin.locator("table.audit")).to_contain_text(action)
    snap(admin, "11-audit-log")
    admin.get_by_role("link", name="评议活动").first.click()
    expect(admin.locator(".round-card")).to_contain_text("已计票")
    snap(admin, "12-rounds")


def test_the_console_on_a_phone_without_javascript(new_page, snap, secretary_account):
    page = new_page(javascript=False)
    log_in(page)
    assert_no_horizontal_scroll(page, 360)
    page.get_by_role("link", name="新建评议").first.click()
    page.fill("#title", "2026年度群众评议")
    page.select_option("#scale", "satisfaction")
    assert_no_horizontal_scroll(page, 360)
    snap(page, "phone-01-wizard-basics")
    next_step(page, 2)
    page.fill("#rows-0-expected", "30")
    page.get_by_role("button", name="增加一行").click()  # a plain post without JavaScript
    page.fill("#rows-2-label", "群众代表")
    assert_no_horizontal_scroll(page, 360)
    snap(page, "phone-02-wizard-groups")
    next_step(page, 3)
    next_step(page, 4)
    page.fill("#subjects", "王建国,工程技术部\n李秀英,综合办公室")
    page.get_by_role("button", name="创建评议").click()
    expect(page.locator("h1")).to_have_text("2026年度群众评议")
    assert_no_horizontal_scroll(page, 360)
    snap(page, "phone-03-round")

    # Without JavaScript the open button leads to a confirmation page.
    page.get_by_role("button", name="开始评议…").click()
    expect(page.locator("h1")).to_contain_text("开始“2026年度群众评议”")
    page.get_by_role("button", name="开始评议").click()
    expect(page.locator(".error")).to_have_text("请勾选以确认。")
    page.get_by_label("是的，我已确认").check()
    snap(page, "phone-04-confirm-open")
    page.get_by_role("button", name="开始评议").click()
    expect(page.locator(".share-text code")).to_have_count(1)
    assert_no_horizontal_scroll(page, 360)
    snap(page, "phone-04b-key-slip")
    page.get_by_role("button", name="开始评议：投票开始").click()
    expect(page.locator(".error")).to_have_text("请勾选以确认。")  # nothing lost
    expect(page.locator(".share-text code")).to_have_count(1)
    page.get_by_label("每位监票人都已拿到密钥条（已打印或保存）。").check()
    page.get_by_role("button", name="开始评议：投票开始").click()
    expect(page.locator(".badge")).to_have_text("进行中")

    # A paper ballot, typed in like the sheet.
    page.get_by_role("link", name="纸质选票").click()
    page.select_option("#group", "g1")
    page.get_by_role("button", name="录入该组别的选票").click()
    page.locator('input[name="p-0-0"][value="satisfied"]').check()
    page.locator('input[name="p-1-0"][value="_blank"]').check()
    assert_no_horizontal_scroll(page, 360)  # the wide sheet scrolls inside its card
    snap(page, "phone-05-paper-ballot")
    page.get_by_role("button", name="保存这张选票").click()
    expect(page.locator(".flash")).to_contain_text("纸质选票已保存")
    assert fresh(select(Ballot.channel)) == "paper"
    slug = fresh(select(Round.slug))
    page.goto(f"/admin/rounds/{slug}")
    # One ballot in a round with anonymity_min 5: a small group's turnout is not shown.
    expect(page.locator('#turnout [data-group="g1"]')).to_have_text("不显示")
    expect(page.locator("#turnout [data-total]")).to_have_text("1")
    assert_no_horizontal_scroll(page, 360)
    for url in (f"/admin/rounds/{slug}/codes", f"/admin/rounds/{slug}/audit", "/admin/"):
        page.goto(url)
        assert_no_horizontal_scroll(page, 360)


def test_a_link_round_gets_a_poster(new_page, snap, secretary_account):
    page = new_page(viewport=DESKTOP)
    log_in(page)
    page.get_by_role("link", name="新建评议").first.click()
    page.fill("#title", "食堂满意度测评")
    page.select_option("#scale", "satisfaction")
    page.get_by_label("共用一个链接或二维码海报（较弱：每个浏览器一票）").check()
    next_step(page, 2)
    next_step(page, 3)
    next_step(page, 4)
    page.fill("#subjects", "第一食堂\n第二食堂")
    page.get_by_role("button", name="创建评议").click()
    page.get_by_role("link", name="二维码海报").click()
    poster = page.locator(".poster-qr")
    expect(poster).to_be_visible()
    assert poster.evaluate("img => img.naturalWidth") > 0  # the SVG loaded under the CSP
    slug = fresh(select(Round.slug))
    expect(page.locator(".poster-url")).to_have_text(f"http://vote.example/r/{slug}")
    snap(page, "13-poster")
    page.emulate_media(media="print")
    expect(page.locator(".admin-nav")).to_be_hidden()
    snap(page, "13b-poster-print")
