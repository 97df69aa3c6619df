"""The secretary's console: wizard, editing drafts, codes and slips, opening and
closing, live turnout, paper ballots, the audit log, and the organisation
boundary on every round URL."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask_babel import refresh
from pypdf import PdfReader
from sqlalchemy import func, select

from surveyapp import plugins
from surveyapp.database import db
from surveyapp.domain import codes as code_rules
from surveyapp.domain.spec import parse_spec
from surveyapp.hookspecs import hookimpl
from surveyapp.models import AuditEvent, Ballot, Round, VoterCode
from surveyapp.services import codes as codes_service
from surveyapp.services.rounds import create_round, transition

from . import conftest
from .conftest import SPEC, count_round, csrf_token, open_round

ROOT = Path(__file__).resolve().parent.parent


class TestTemplates:
    """A plugin with one template, so the wizard is tested against a known one."""

    @staticmethod
    @hookimpl
    def round_templates():
        return {"test-appraisal": {
            "title": "测试评议模板",
            "scale": "four-grade",
            "groups": [{"key": "members", "label": "党员互评", "weight": 70, "expected": 8},
                       {"key": "masses", "label": "群众评议", "weight": 30}],
            "criteria": [{"key": "political", "label": "政治素质", "weight": 1},
                         {"key": "work", "label": "工作业绩", "weight": 2}],
            "rules": {"per_ballot_max": {"excellent": 1}},
        }}


@pytest.fixture
def templates():
    plugins.use_plugin_manager(plugins.load_plugins(extra=[("test-templates", TestTemplates)]))
    yield
    plugins.use_plugin_manager(None)


def login(client, name):
    assert conftest.login(client, name).status_code == 302
    return client


@pytest.fixture
def secretary(client, orgs):
    return login(client, "a")


def token(client, url="/admin/") -> str:
    return csrf_token(client.get(url).get_data(as_text=True))


def post(client, url, data=None, **kwargs):
    return client.post(url, data={"csrf_token": token(client), **(data or {})}, **kwargs)


def visible(html: str) -> str:
    """What a page shows: its text without tags (so without attributes)."""
    return re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S))


def text(response) -> str:
    return response.get_data(as_text=True)


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def branch_round(orgs, status="draft", spec=SPEC, org="a") -> Round:
    round_ = create_round(parse_spec(spec), actor="t", org=orgs[org])
    if status != "draft":
        open_round(round_)
    if status in ("closed", "counted"):
        transition(round_, "close", actor="t")
    if status == "counted":
        count_round(round_)
    return round_


# -- the wizard -----------------------------------------------------------------------

def basics(**extra):
    return {"title": "2026年度民主评议党员", "template": "", "scale": "four-grade",
            "access": "codes", "anonymity_min": "3", **extra}


def test_wizard_makes_no_round_until_the_last_step(secretary, orgs):
    response = post(secretary, "/admin/new", basics())
    assert response.status_code == 302 and response.headers["Location"].endswith("/new/groups")
    page = text(secretary.get("/admin/new/groups"))
    assert 'value="members"' in page  # one sensible row to start from

    response = post(secretary, "/admin/new/groups", {
        "rows-0-key": "members", "rows-0-label": "党员互评", "rows-0-weight": "60",
        "rows-0-expected": "12", "rows-1-key": "", "rows-1-label": "群众评议",
        "rows-1-weight": "40", "rows-1-expected": "", "rows-2-label": ""})
    assert response.status_code == 302 and response.headers["Location"].endswith("/criteria")
    response = post(secretary, "/admin/new/criteria", {"rows-0-label": ""})
    assert response.status_code == 302 and response.headers["Location"].endswith("/subjects")
    assert count(Round) == 0

    preview = post(secretary, "/admin/new/subjects", {
        "subjects": "张三,工程技术党支部\n\n李四，综合办公室\nwang5,王五,生产车间\n",
        "action": "preview"})
    assert preview.status_code == 200
    assert "王五" in text(preview) and "s1" in text(preview)
    assert count(Round) == 0  # a preview saves nothing

    done = post(secretary, "/admin/new/subjects", {
        "subjects": "张三,工程技术党支部\n李四，综合办公室\nwang5,王五,生产车间\n",
        "action": "finish"})
    assert done.status_code == 302
    round_ = db.session.scalar(select(Round))
    assert done.headers["Location"].endswith(f"/admin/rounds/{round_.slug}")
    assert round_.org_id == orgs["a"].id and round_.status == "draft"
    assert round_.anonymity_min == 3
    assert [(g.key, g.label, g.weight, g.expected) for g in round_.groups] == [
        ("members", "党员互评", "60", 12), ("g1", "群众评议", "40", None)]
    assert [c.key for c in round_.criteria] == ["overall"]
    assert [(s.key, s.name, s.unit) for s in round_.subjects] == [
        ("s1", "张三", "工程技术党支部"), ("s2", "李四", "综合办公室"),
        ("wang5", "王五", "生产车间")]
    assert [o.key for o in round_.options][:2] == ["excellent", "qualified"]
    assert secretary.get("/admin/new/subjects").status_code == 302  # the draft is gone


def test_wizard_prefills_from_a_template(secretary, templates):
    page = text(secretary.get("/admin/new"))
    assert "测试评议模板" in page
    post(secretary, "/admin/new", basics(template="test-appraisal", scale=""))
    groups = text(secretary.get("/admin/new/groups"))
    assert 'value="群众评议"' in groups and 'value="70"' in groups and 'value="8"' in groups
    post(secretary, "/admin/new/groups", {
        "rows-0-key": "members", "rows-0-label": "党员互评", "rows-0-weight": "70",
        "rows-0-expected": "8", "rows-1-key": "masses", "rows-1-label": "群众评议",
        "rows-1-weight": "30"})
    criteria = text(secretary.get("/admin/new/criteria"))
    assert 'value="政治素质"' in criteria and 'value="工作业绩"' in criteria
    # Editable: drop one criterion, rename the other.
    post(secretary, "/admin/new/criteria", {
        "rows-0-key": "political", "rows-0-label": "政治素质优", "rows-0-weight": "1",
        "rows-1-key": "", "rows-1-label": "", "rows-1-weight": ""})
    post(secretary, "/admin/new/subjects", {"subjects": "张三\n李四", "action": "finish"})
    round_ = db.session.scalar(select(Round))
    assert round_.template == "test-appraisal"
    assert [(c.key, c.label) for c in round_.criteria] == [("political", "政治素质优")]
    assert round_.rules_json == '{"per_ballot_max": {"excellent": 1}}'


def test_wizard_shows_errors_beside_the_row_they_concern(secretary):
    post(secretary, "/admin/new", basics())
    response = post(secretary, "/admin/new/groups", {
        "rows-0-key": "members", "rows-0-label": "党员互评", "rows-0-weight": "-1",
        "rows-1-key": "members", "rows-1-label": "群众", "rows-1-weight": "1",
        "rows-1-expected": "十"})
    assert response.status_code == 400
    page = text(response)
    assert "权重 必须是正数" in page and "weight" not in visible(page)  # in the form's words
    assert "请输入整数" in page  # the expected voters of row 2, in Chinese
    assert count(Round) == 0


def test_wizard_without_template_needs_a_scale(secretary):
    response = post(secretary, "/admin/new", basics(scale=""))
    assert response.status_code == 400
    assert "请选择评价等级" in text(response)


def test_wizard_steps_cannot_be_skipped(secretary):
    assert secretary.get("/admin/new/criteria").headers["Location"].endswith("/admin/new")
    post(secretary, "/admin/new", basics())
    response = post(secretary, "/admin/new/subjects", {"subjects": "张三", "action": "finish"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/new/groups")
    assert count(Round) == 0


def test_wizard_add_row_keeps_what_was_typed(secretary):
    post(secretary, "/admin/new", basics())
    response = post(secretary, "/admin/new/groups", {
        "rows-0-key": "members", "rows-0-label": "党员互评", "rows-0-weight": "1",
        "action": "add"})
    assert response.status_code == 200
    page = text(response)
    assert 'value="党员互评"' in page and 'name="rows-1-label"' in page


def test_subject_file_errors_are_listed_row_by_row_and_nothing_is_saved(secretary):
    post(secretary, "/admin/new", basics())
    post(secretary, "/admin/new/groups", {"rows-0-key": "members", "rows-0-label": "党员",
                                          "rows-0-weight": "1"})
    post(secretary, "/admin/new/criteria", {})
    table = "工号,姓名,部门\n1001,张三,技术部\n1001,李四,技术部\nbad key,王五,\n1004,,财务部\n"
    response = post(secretary, "/admin/new/subjects", {
        "subjects_file": (io.BytesIO(table.encode("utf-8")), "members.csv"),
        "action": "finish"}, content_type="multipart/form-data")
    assert response.status_code == 400
    page = text(response)
    rows = re.findall(r"<tr><td>(\d+)</td><td>(\w*)</td><td>([^<]+)</td></tr>", page)
    assert [(line, column) for line, column, _ in rows] == [
        ("3", "key"), ("4", "key"), ("5", "name")]
    assert "代码 &#34;1001&#34; 重复" in rows[0][2] and "members.csv" in page
    assert count(Round) == 0


def test_subject_xlsx_is_previewed_before_it_is_saved(secretary, tmp_path):
    post(secretary, "/admin/new", basics())
    post(secretary, "/admin/new/groups", {"rows-0-key": "members", "rows-0-label": "党员",
                                          "rows-0-weight": "1"})
    post(secretary, "/admin/new/criteria", {})
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["key", "name", "unit"])
    sheet.append([1001, "张三", "技术部"])
    sheet.append(["lisi", "李四", "财务部"])
    path = tmp_path / "people.xlsx"
    book.save(path)
    response = post(secretary, "/admin/new/subjects", {
        "subjects_file": (path.open("rb"), "people.xlsx"), "action": "finish"},
        content_type="multipart/form-data")
    assert response.status_code == 200 and count(Round) == 0  # shown, not saved
    page = text(response)
    assert "1001,张三,技术部" in page and "lisi,李四,财务部" in page  # now in the text box
    done = post(secretary, "/admin/new/subjects", {"subjects": "1001,张三,技术部\nlisi,李四,财务部",
                                                   "action": "finish"})
    assert done.status_code == 302
    assert [s.key for s in db.session.scalar(select(Round)).subjects] == ["1001", "lisi"]


def test_admin_picks_the_organisation(client, orgs):
    login(client, "root")
    post(client, "/admin/new", basics(org=str(orgs["b"].id)))
    post(client, "/admin/new/groups", {"rows-0-key": "members", "rows-0-label": "党员",
                                       "rows-0-weight": "1"})
    post(client, "/admin/new/criteria", {})
    post(client, "/admin/new/subjects", {"subjects": "张三", "action": "finish"})
    assert db.session.scalar(select(Round)).org_id == orgs["b"].id


def test_secretary_cannot_choose_another_organisation(secretary, orgs):
    post(secretary, "/admin/new", basics(org=str(orgs["b"].id)))
    post(secretary, "/admin/new/groups", {"rows-0-key": "members", "rows-0-label": "党员",
                                          "rows-0-weight": "1"})
    post(secretary, "/admin/new/criteria", {})
    post(secretary, "/admin/new/subjects", {"subjects": "张三", "action": "finish"})
    assert db.session.scalar(select(Round)).org_id == orgs["a"].id


# -- editing drafts; frozen once open ------------------------------------------------------

def test_draft_settings_can_change_and_freeze_at_open(secretary, orgs):
    round_ = branch_round(orgs)
    slug = round_.slug
    base = f"/admin/rounds/{slug}/edit"
    page = text(secretary.get(f"{base}/criteria"))
    assert 'name="rows-0-label"' in page
    response = post(secretary, f"{base}/criteria", {
        "rows-0-key": "political", "rows-0-label": "政治素质", "rows-0-weight": "2",
        "rows-1-key": "work", "rows-1-label": "工作业绩", "rows-1-weight": "1"})
    assert response.status_code == 302
    assert [(c.key, c.weight) for c in round_.criteria] == [("political", "2"), ("work", "1")]
    response = post(secretary, f"{base}/subjects", {"subjects": "zhangsan,张三,工程\nzhaoliu,赵六,",
                                                    "action": "finish"})
    assert response.status_code == 302
    assert [s.name for s in round_.subjects] == ["张三", "赵六"]
    response = post(secretary, f"{base}/basics", {"title": "新标题", "scale": "good-fair",
                                                  "anonymity_min": "4"})
    assert response.status_code == 302
    assert round_.title == "新标题" and [o.label for o in round_.options][0] == "好"

    open_round(round_)
    for part in ("basics", "groups", "criteria", "subjects"):
        assert secretary.get(f"{base}/{part}").status_code == 409
        response = post(secretary, f"{base}/{part}", {
            "title": "改不了", "rows-0-label": "改不了", "subjects": "改不了", "action": "finish"})
        assert response.status_code == 409
        assert "已冻结" in text(response)
    db.session.expire_all()
    assert round_.title == "新标题" and [s.name for s in round_.subjects] == ["张三", "赵六"]
    edits = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "round.edit"))
    assert list(edits) == ["criteria", "subjects", "basics"]


def test_a_group_with_codes_cannot_be_removed(secretary, orgs):
    round_ = branch_round(orgs)
    codes_service.issue(round_, "masses", 2, actor="t")[0]
    db.session.commit()
    response = post(secretary, f"/admin/rounds/{round_.slug}/edit/groups", {
        "rows-0-key": "members", "rows-0-label": "党员互评", "rows-0-weight": "1"})
    assert response.status_code == 400
    assert "以下组别已发放投票码，不能删除：群众评议 (2)" in text(response)
    db.session.expire_all()
    assert [g.key for g in round_.groups] == ["members", "masses"]
    # Changing it in place keeps its id, so the codes still point at it.
    masses_id = round_.groups[1].id
    response = post(secretary, f"/admin/rounds/{round_.slug}/edit/groups", {
        "rows-0-key": "members", "rows-0-label": "党员互评", "rows-0-weight": "1",
        "rows-1-key": "masses", "rows-1-label": "职工群众", "rows-1-weight": "1",
        "rows-1-expected": "30"})
    assert response.status_code == 302
    assert (round_.groups[1].id, round_.groups[1].label) == (masses_id, "职工群众")


# -- codes ----------------------------------------------------------------------------------

def test_issued_codes_are_shown_once_and_stored_only_hashed(secretary, orgs):
    round_ = branch_round(orgs)
    response = post(secretary, f"/admin/rounds/{round_.slug}/codes",
                    {"group": "members", "count": "13"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = text(response)
    plain = re.findall(r"<code>([0-9A-Z]{5}-[0-9A-Z]{5})</code>", page)
    assert len(set(plain)) == 13
    stored = set(db.session.scalars(select(VoterCode.code_hash)))
    assert stored == {code_rules.code_hash(c) for c in plain}
    with secretary.session_transaction() as session:
        assert not any(c in repr(dict(session)) for c in plain)
    assert not db.session.scalars(select(AuditEvent.detail)
                                  .where(AuditEvent.detail.contains(plain[0]))).first()
    # The page never shows them again.
    assert not any(c in text(secretary.get(f"/admin/rounds/{round_.slug}/codes")) for c in plain)

    form = {"group": "members", "batch": "1", "codes": " ".join(plain)}
    pdf = post(secretary, f"/admin/rounds/{round_.slug}/codes/download", {**form, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "attachment" in pdf.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(pdf.data))
    assert len(reader.pages) == 2
    pdf_text = "".join(p.extract_text() for p in reader.pages)
    assert all(c in pdf_text for c in plain) and "党员互评" in pdf_text

    table = post(secretary, f"/admin/rounds/{round_.slug}/codes/download",
                 {**form, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(table.data.decode("utf-8-sig"))))
    assert [r["code"] for r in rows] == plain
    assert rows[0]["url"] == f"http://vote.example/c/{plain[0]}"


def test_only_this_rounds_codes_can_be_printed(secretary, orgs):
    round_ = branch_round(orgs)
    other = branch_round(orgs)
    [theirs] = codes_service.issue(other, "members", 1, actor="t")[0]
    [mine] = codes_service.issue(round_, "members", 1, actor="t")[0]
    db.session.commit()
    url = f"/admin/rounds/{round_.slug}/codes/download"
    for codes in (theirs, "AAAAA-AAAAA", f"{mine} not-a-code"):
        response = post(secretary, url, {"group": "members", "format": "pdf", "codes": codes})
        assert response.status_code == 400
    assert post(secretary, url, {"group": "masses", "format": "pdf",
                                 "codes": mine}).status_code == 400
    assert post(secretary, url, {"group": "members", "format": "pdf",
                                 "codes": mine}).status_code == 200


def test_void_a_batch_or_single_codes_and_reissue(secretary, orgs, app):
    round_ = branch_round(orgs, status="open")
    first = codes_service.issue(round_, "members", 3, actor="t")[0]
    second = codes_service.issue(round_, "masses", 2, actor="t")[0]
    db.session.commit()
    page = text(secretary.get(f"/admin/rounds/{round_.slug}/codes"))
    assert "批次 1" in page and "批次 2" in page

    response = post(secretary, f"/admin/rounds/{round_.slug}/codes/void-batch", {"batch": "1"})
    assert response.status_code == 400  # not confirmed
    assert count(VoterCode, VoterCode.status == "void") == 0
    response = post(secretary, f"/admin/rounds/{round_.slug}/codes/void-batch",
                    {"batch": "1", "confirm": "y"})
    assert response.status_code == 303
    assert count(VoterCode, VoterCode.status == "void", VoterCode.batch == 1) == 3

    typed = f"{second[0].lower().replace('-', '')}\n{first[0]}\nZZZZZ-ZZZZZ"
    response = post(secretary, f"/admin/rounds/{round_.slug}/codes/void",
                    {"codes": typed, "confirm": "y"})
    assert response.status_code == 303
    assert count(VoterCode, VoterCode.status == "void") == 4
    assert app.test_client().get(f"/c/{second[0]}").status_code == 410
    assert app.test_client().get(f"/c/{second[1]}").status_code == 302

    reissued = post(secretary, f"/admin/rounds/{round_.slug}/codes",
                    {"group": "masses", "count": "1"})
    assert "批次 3" in text(reissued)
    details = list(db.session.scalars(select(AuditEvent.detail).where(
        AuditEvent.action.in_(["codes.void", "codes.issue"])).order_by(AuditEvent.id)))
    assert details[-3:] == ["batch=1 voided=3", "listed=3 voided=1",
                            "group=masses count=1 batch=3"]


def test_link_round_has_a_poster_and_no_codes(secretary, orgs):
    round_ = branch_round(orgs, spec=SPEC.replace('anonymity_min = 2', 'anonymity_min = 2\n'
                                                  'access = "link"'))
    response = secretary.get(f"/admin/rounds/{round_.slug}/codes")
    assert response.status_code == 302 and response.headers["Location"].endswith("/poster")
    poster = text(secretary.get(f"/admin/rounds/{round_.slug}/poster"))
    assert f"http://vote.example/r/{round_.slug}" in poster
    svg = secretary.get(f"/admin/rounds/{round_.slug}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<path" in svg.data


# -- open, close, turnout --------------------------------------------------------------------

SHARE_RE = re.compile(r"<code>(S1[-0-9A-Z]+)</code>")


RECORD_RE = re.compile(r'name="record" value="([^"]+)"')


def open_in_console(secretary, round_) -> list[str]:
    """Both steps of opening: the slips page, then opening with its key."""
    slips = text(post(secretary, f"/admin/rounds/{round_.slug}/open", {"confirm": "y"}))
    shares = SHARE_RE.findall(slips)
    opened = post(secretary, f"/admin/rounds/{round_.slug}/open/with-key",
                  {"record": RECORD_RE.search(slips).group(1), "confirm": "y"})
    assert opened.status_code == 303, text(opened)
    return shares


def altered(text: str) -> str:
    """``text`` with its last character changed (to one it is not)."""
    return text[:-1] + ("1" if text[-1] == "0" else "0")


def test_open_shows_each_trustee_their_key_once_and_they_count_the_round(secretary, orgs):
    spec = SPEC + '[trustees]\nnames = ["张三", "李四", "王五"]\nthreshold = 2\n'
    round_ = branch_round(orgs, spec=spec)
    round_page = text(secretary.get(f"/admin/rounds/{round_.slug}"))
    assert "张三、李四、王五" in round_page and "2 位共同开箱计票" in round_page
    slips = post(secretary, f"/admin/rounds/{round_.slug}/open", {"confirm": "y"})
    assert slips.status_code == 200 and slips.headers["Cache-Control"] == "no-store"
    page = text(slips)
    shares = SHARE_RE.findall(page)
    assert len(shares) == 3 and len(set(shares)) == 3
    assert "监票人 1/3：张三" in page and "<svg" in page  # QR per slip
    assert page.count("<details") == 3 and "<details class=\"card key-slip\" open" not in page
    db.session.expire_all()
    assert round_.status == "draft" and round_.public_key is None  # step one changes nothing
    assert "checked" not in page  # "every trustee has their slip" is ticked anew, not carried
    record = RECORD_RE.search(page).group(1)
    # Each trustee downloads their own slip: a PDF of that share alone.
    one = post(secretary, f"/admin/rounds/{round_.slug}/key-slips.pdf",
               {"record": record, "shares": shares[1]})
    assert one.mimetype == "application/pdf" and one.headers["Cache-Control"] == "no-store"
    assert "key-slip-2.pdf" in one.headers["Content-Disposition"]
    assert post(secretary, f"/admin/rounds/{round_.slug}/key-slips.pdf",
                {"record": record, "shares": altered(shares[0])}).status_code == 400
    # A record not signed here (someone's own key) is refused; so is no tick.
    forged = record[:-2] + ("AA" if record[-2:] != "AA" else "BB")
    assert post(secretary, f"/admin/rounds/{round_.slug}/open/with-key",
                {"record": forged, "confirm": "y"}).status_code == 400
    unticked = post(secretary, f"/admin/rounds/{round_.slug}/open/with-key",
                    {"record": record, "shares": shares})
    assert unticked.status_code == 400 and SHARE_RE.findall(text(unticked)) == shares
    opened = post(secretary, f"/admin/rounds/{round_.slug}/open/with-key",
                  {"record": record, "confirm": "y"})
    assert opened.status_code == 303
    db.session.expire_all()
    assert round_.status == "open"
    assert shares[0] not in text(secretary.get(f"/admin/rounds/{round_.slug}"))  # never again
    assert post(secretary, f"/admin/rounds/{round_.slug}/open/with-key",
                {"record": record, "confirm": "y"}).status_code == 303  # no second opening
    assert count(AuditEvent, AuditEvent.action == "round.open") == 1
    post(secretary, f"/admin/rounds/{round_.slug}/close", {"confirm": "y"})
    count_url = f"/admin/rounds/{round_.slug}/count"
    assert "开箱计票" in text(secretary.get(count_url))
    refused = post(secretary, count_url, {"share-1": shares[0]})
    assert refused.status_code == 400 and "只提供了 1 份密钥" in text(refused)
    typo = shares[2][:-1] + ("0" if shares[2][-1] != "0" else "1")
    refused = post(secretary, count_url, {"share-1": shares[0], "share-3": typo})
    assert refused.status_code == 400 and "校验位不符" in text(refused)
    twice = post(secretary, count_url, {"share-1": shares[0], "share-3": shares[0]})
    assert twice.status_code == 400 and "输入了两次" in text(twice)
    db.session.expire_all()
    assert round_.status == "closed"
    # A key names its trustee: 李四's typed in 王五's box is still 李四's, and counts.
    counted = post(secretary, count_url, {"share-1": shares[0], "share-3": shares[1]})
    assert counted.status_code == 303 and counted.headers["Location"].endswith("/results")
    db.session.expire_all()
    assert round_.status == "counted"
    assert db.session.scalar(select(AuditEvent.detail).where(
        AuditEvent.action == "round.count")) == "shares of trustees 1, 2"

def test_a_key_made_before_the_trustees_changed_does_not_open_the_round(secretary, orgs):
    spec = SPEC + '[trustees]\nnames = ["张三", "李四"]\nthreshold = 2\n'
    round_ = branch_round(orgs, spec=spec)
    page = text(post(secretary, f"/admin/rounds/{round_.slug}/open", {"confirm": "y"}))
    round_.threshold = 1  # edited in another tab meanwhile
    db.session.commit()
    refused = post(secretary, f"/admin/rounds/{round_.slug}/open/with-key",
                   {"record": RECORD_RE.search(page).group(1), "confirm": "y"},
                   follow_redirects=True)
    assert "生成密钥后评议的设置或监票人发生了变化" in text(refused)
    db.session.expire_all()
    assert round_.status == "draft" and round_.public_key is None


def test_open_and_close_ask_first(secretary, orgs):
    round_ = branch_round(orgs)
    url = f"/admin/rounds/{round_.slug}/open"
    asked = secretary.get(url)
    assert asked.status_code == 200 and "冻结" in text(asked)
    # The round page's button without JavaScript: a confirmation page, nothing done.
    assert post(secretary, url).status_code == 200 and round_.status == "draft"
    response = post(secretary, url, {"asked": "1"})
    assert response.status_code == 400 and round_.status == "draft"
    response = post(secretary, url, {"asked": "1", "confirm": "y"})
    assert response.status_code == 200 and "监票人密钥条" in text(response)  # shown once
    db.session.expire_all()
    assert round_.status == "draft"  # until the slips are handed out
    open_in_console(secretary, round_)
    db.session.expire_all()
    assert round_.status == "open"
    assert post(secretary, url, {"confirm": "y"}).status_code == 303  # no second opening
    response = post(secretary, f"/admin/rounds/{round_.slug}/close", {"confirm": "y"})
    db.session.expire_all()
    assert response.status_code == 303 and round_.status == "closed"
    actions = list(db.session.scalars(select(AuditEvent.actor).where(
        AuditEvent.action.in_(["round.open", "round.close"]))))
    assert actions == ["a", "a"]


def test_turnout_panel_polls_while_open_and_shows_counts_only(secretary, orgs, app):
    round_ = branch_round(orgs, status="open")
    codes = codes_service.issue(round_, "members", 3, actor="t")[0]
    db.session.commit()
    voter = app.test_client()
    voter.get(f"/c/{codes[0]}")
    ballot = text(voter.get("/ballot"))
    response = voter.post("/ballot", data={"csrf_token": csrf_token(ballot), "q-0-0": "excellent",
                                           "q-1-0": "qualified"})
    assert response.status_code in (302, 303)

    panel = secretary.get(f"/admin/rounds/{round_.slug}/turnout")
    html = text(panel)
    assert 'hx-trigger="every 5s"' in html
    # One ballot, anonymity_min 2: that group's turnout is not shown on its own.
    assert re.search(r'data-group="members">不显示<', html)
    assert "人数少的组不显示投票数" in html and "1/5" not in html
    assert re.search(r'data-group="masses">0<', html)
    assert re.search(r"data-total>1<", html) and "1/10" in html
    assert not any(code in html for code in codes)
    assert "round.html" not in html and "<html" not in html  # a fragment, not a page
    detail = text(secretary.get(f"/admin/rounds/{round_.slug}"))
    assert 'id="turnout"' in detail and "hx-get" in detail

    transition(round_, "close", actor="t")
    assert "hx-trigger" not in text(secretary.get(f"/admin/rounds/{round_.slug}/turnout"))


def test_turnout_panel_hides_a_group_the_total_would_give_away(secretary, orgs, app):
    """The domain's rule, as on the results and the board: with the total
    shown, a lone small group hidden is total − the rest, so the smallest
    other group is hidden beside it."""
    round_ = branch_round(orgs, status="open")
    members = codes_service.issue(round_, "members", 1, actor="t")[0]
    masses = codes_service.issue(round_, "masses", 2, actor="t")[0]
    db.session.commit()
    for code in members + masses:
        voter = app.test_client()
        voter.get(f"/c/{code}")
        ballot = text(voter.get("/ballot"))
        assert voter.post("/ballot", data={"csrf_token": csrf_token(ballot), "q-0-0": "excellent",
                                           "q-1-0": "qualified"}).status_code in (302, 303)
    html = text(secretary.get(f"/admin/rounds/{round_.slug}/turnout"))
    assert re.search(r"data-total>3<", html)
    assert re.search(r'data-group="members">不显示<', html)
    assert re.search(r'data-group="masses">不显示<', html)  # 2 ≥ k, but 3 − 2 = 1
    listed = text(secretary.get("/admin/"))
    line = re.search(r'<span class="turnout-line">(.*?)</span>\s*</a>', listed, re.S).group(1)
    assert re.findall(r"<span>\S+ (\S+?)(?:/\d+)?</span>", line) == ["不显示", "不显示"]


# -- paper ballots ------------------------------------------------------------------------

def test_paper_ballot_entered_like_the_sheet(secretary, orgs):
    round_ = branch_round(orgs, status="open")
    page = text(secretary.get(f"/admin/rounds/{round_.slug}/paper?group=masses"))
    assert "未填" in page and "基本合格" in page
    url = f"/admin/rounds/{round_.slug}/paper"
    response = post(secretary, url, {"group": "masses", "p-0-0": "excellent"})
    assert response.status_code == 400 and "李四" in text(response)
    assert count(Ballot) == 0
    response = post(secretary, url, {"group": "masses", "p-0-0": "excellent",
                                     "p-1-0": "_blank"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("paper?group=masses")
    ballot = db.session.scalar(select(Ballot))
    assert (ballot.channel, ballot.group_id) == ("paper", round_.groups[1].id)
    assert count(AuditEvent, AuditEvent.action == "ballots.paper_entry") == 1


def test_paper_ballot_obeys_plugin_rules(secretary, orgs):
    spec = SPEC + '\n[rules]\nper_ballot_max = { excellent = 1 }\n'
    round_ = branch_round(orgs, status="open", spec=spec)
    response = post(secretary, f"/admin/rounds/{round_.slug}/paper",
                    {"group": "members", "p-0-0": "excellent", "p-1-0": "excellent"})
    assert response.status_code == 400 and "优秀" in text(response)
    assert count(Ballot) == 0


def test_paper_csv_import_is_all_or_nothing(secretary, orgs):
    round_ = branch_round(orgs, status="open")
    url = f"/admin/rounds/{round_.slug}/paper/import"
    bad = "ballot,group,subject,criterion,option\n1,members,张三,,excellent\n1,members,nobody,,x\n"
    response = post(secretary, url, {"file": (io.BytesIO(bad.encode()), "paper.csv")},
                    content_type="multipart/form-data")
    assert response.status_code == 400
    page = text(response)
    assert "<td>3</td><td>subject</td>" in page and "<td>3</td><td>option</td>" in page
    assert count(Ballot) == 0
    good = ("ballot,group,subject,criterion,option\n1,members,张三,,优秀\n1,members,李四,,\n"
            "2,masses,zhangsan,,qualified\n")
    response = post(secretary, url, {"file": (io.BytesIO(good.encode()), "paper.csv")},
                    content_type="multipart/form-data")
    assert response.status_code == 303
    assert count(Ballot, Ballot.channel == "paper") == 2


def test_paper_ballots_only_while_open(secretary, orgs):
    round_ = branch_round(orgs, status="closed")
    response = post(secretary, f"/admin/rounds/{round_.slug}/paper",
                    {"group": "members", "p-0-0": "excellent", "p-1-0": "excellent"})
    assert response.status_code == 409 and count(Ballot) == 0


# -- audit log ------------------------------------------------------------------------------

def test_audit_log_tells_who_did_what_but_nothing_about_ballots(secretary, orgs, client):
    round_ = branch_round(orgs)
    issued = post(secretary, f"/admin/rounds/{round_.slug}/codes",
                  {"group": "members", "count": "2"})
    plain = re.findall(r"<code>([0-9A-Z-]{11})</code>", text(issued))
    open_in_console(secretary, round_)
    post(secretary, f"/admin/rounds/{round_.slug}/paper",
         {"group": "members", "p-0-0": "excellent", "p-1-0": "basic"})
    page = text(secretary.get(f"/admin/rounds/{round_.slug}/audit"))
    for action in ("创建评议", "发放投票码", "开始评议", "录入一张纸质选票"):
        assert action in page
    assert "group=members count=2 batch=1" in page
    assert not any(code in page for code in plain)
    assert "excellent" not in page and "优秀" not in page and "基本合格" not in page
    assert secretary.get("/admin/audit").status_code == 404  # everything: admins only
    secretary.post("/admin/logout", data={"csrf_token": token(secretary)})
    login(client, "root")
    everything = text(client.get("/admin/audit"))
    assert "登录" in everything and round_.title in everything


# -- the organisation boundary ----------------------------------------------------------------

def round_rules(app):
    return [rule for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("admin.") and "slug" in rule.arguments]


def test_every_round_url_is_404_for_another_branch(client, orgs, app):
    round_ = branch_round(orgs, status="open")
    codes_service.issue(round_, "members", 1, actor="t")[0]
    db.session.commit()
    login(client, "b")
    rules = round_rules(app)
    assert len(rules) >= 15
    csrf = token(client)
    for rule in rules:
        values = {name: {"part": "groups", "fmt": "csv"}.get(name, "x")
                  for name in rule.arguments - set(rule.defaults or {})} | {"slug": round_.slug}
        url = app.url_map.bind("vote.example").build(rule.endpoint, values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={"csrf_token": csrf})
            assert response.status_code == 404, (method, url, response.status_code)
    db.session.expire_all()
    assert round_.status == "open" and count(Ballot) == 0
    assert count(VoterCode, VoterCode.status == "issued") == 1


def test_the_party_committee_sees_its_branches(client, orgs):
    round_ = branch_round(orgs)
    login(client, "party")
    assert client.get(f"/admin/rounds/{round_.slug}").status_code == 200


def test_console_in_english(secretary, orgs):
    round_ = branch_round(orgs, status="open")
    codes_service.issue(round_, "members", 2, actor="t")[0]
    db.session.commit()
    pages = {f"/admin/rounds/{round_.slug}?lang=en": "What to do next",
             f"/admin/rounds/{round_.slug}/codes": "Codes are shown only once.",
             f"/admin/rounds/{round_.slug}/paper?group=members": "Left blank",
             f"/admin/rounds/{round_.slug}/audit": "Issued codes",
             f"/admin/rounds/{round_.slug}/close": "No more ballots are accepted",
             "/admin/new": "Title and template"}
    for url, expected in pages.items():
        refresh()  # requests here share the test's app context, where Babel caches the locale
        response = secretary.get(url)
        assert response.status_code == 200, url
        assert expected in text(response), url
        assert "投票码" not in text(response).split("<main", 1)[1], url


# -- every string translated ------------------------------------------------------------------

def test_console_strings_have_chinese_translations():
    with (ROOT / "surveyapp/translations/zh/LC_MESSAGES/messages.po").open("rb") as po:
        catalog = read_po(po)
    keywords = {"_": None, "_l": None, "gettext": None, "ngettext": (1, 2),
                "lazy_gettext": None}
    found = [*extract_from_dir(str(ROOT / "surveyapp/admin"), [("**.py", "python")],
                               keywords=keywords),
             *extract_from_dir(str(ROOT / "templates/admin"), [("**.html", "jinja2")],
                               keywords=keywords)]
    missing = []
    for filename, _lineno, message, _comments, _context in found:
        if filename in ("auth.py", "access.py", "results.py") or "results" in filename:
            continue  # other parts of the console, with their own tests
        msgid = message if isinstance(message, str) else message[0]
        entry = catalog.get(msgid)
        if entry is None or not entry.string or (isinstance(entry.string, tuple)
                                                 and not all(entry.string)):
            missing.append(f"{filename}: {msgid}")
    assert len(found) > 200
    assert not missing, "\n".join(missing)
