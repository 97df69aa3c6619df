"""Every upload and form has a stated bound (surveyapp/domain/bounds.py),
checked before the work it would cause starts (issue 16 §1).  Each input an
attacker with a console login sent, and that held a worker for minutes or
grew it by gigabytes, now gets a prompt 4xx.  "Prompt" is shown by what is
not done: the parser, the workbook reader or the sealing is never reached,
and a tracemalloc peak stays small, rather than by a clock."""

from __future__ import annotations

import io
import tracemalloc

import openpyxl
import pytest
from sqlalchemy import func, select

from surveyapp.database import db
from surveyapp.domain import bounds, spec
from surveyapp.domain.model import SpecErrors
from surveyapp.domain.spec import parse_spec, spec_from_dict
from surveyapp.models import Ballot, Round
from surveyapp.services import rounds as rounds_service
from surveyapp.services.voting import paper as paper_service
from surveyapp.web.admin import count as count_view
from surveyapp.web.admin import drafts, wizard

from . import conftest
from .conftest import SPEC, csrf_token, full_ballot, issue, open_round
from .hostile_inputs import (
    PAPER_SPEC,
    dotted_toml,
    lying_xlsx_bomb,
    nested_toml,
    paper_rows,
    subject_lines,
    xlsx_bomb,
)

MB = 1024 * 1024


@pytest.fixture
def secretary(client, orgs):
    assert conftest.login(client, "a").status_code == 302
    return client


def post(client, url, data=None, **kwargs):
    token = csrf_token(client.get("/admin/").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)


def text(response) -> str:
    return response.get_data(as_text=True)


def rounds() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Round))


def to_subjects_step(client) -> None:
    post(client, "/admin/new", {"title": "边界", "template": "", "scale": "four-grade",
                                "access": "codes", "anonymity_min": "3"})
    post(client, "/admin/new/groups", {"rows-0-key": "members", "rows-0-label": "党员",
                                       "rows-0-weight": "1"})
    assert post(client, "/admin/new/criteria", {}).status_code == 302


class Calls:
    """Counts calls of a function it stands in for."""

    def __init__(self, monkeypatch, owner, name):
        self.n = 0
        real = getattr(owner, name)

        def counted(*args, **kwargs):
            self.n += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, counted)


# -- the wizard's subject list ---------------------------------------------------------------

@pytest.mark.parametrize("lines", [99_999, bounds.SUBJECTS_MAX + 1])
def test_a_subject_list_beyond_the_bound_is_refused_before_it_is_read(
        secretary, monkeypatch, lines):
    to_subjects_step(secretary)
    checked = Calls(monkeypatch, wizard, "check")  # the spec parser behind each step
    response = post(secretary, "/admin/new/subjects",  # as the page's form sends it
                    {"subjects": subject_lines(lines), "action": "finish"},
                    content_type="multipart/form-data")
    assert response.status_code == 400
    assert f"一次评议最多评议 {bounds.SUBJECTS_MAX} 人；名单中有 {lines} 人。" in text(response)
    assert checked.n == 0 and rounds() == 0


def test_a_form_posted_as_fields_is_bounded_before_it_is_decoded(secretary, monkeypatch):
    """Sent URL-encoded instead, the 99,999 names are 1.2 MB of %-escapes,
    which took ~90 MB to decode: refused unread."""
    from surveyapp.web import request_guard

    to_subjects_step(secretary)
    decoded = Calls(monkeypatch, request_guard, "parse_qsl")
    response = post(secretary, "/admin/new/subjects",
                    {"subjects": subject_lines(99_999), "action": "finish"})
    assert response.status_code == 413 and decoded.n == 0 and rounds() == 0
    most = request_guard.FIELDS_BYTES_MAX
    escapes = "%E4%BA%BA" * ((most - 200) // 9)  # the worst case for decoding
    token = csrf_token(secretary.get("/admin/").get_data(as_text=True))
    body = f"csrf_token={token}&action=preview&subjects={escapes}".encode()
    assert len(body) <= most
    response, peak = peak_of(lambda: secretary.post(
        "/admin/new/subjects", data=body, content_type="application/x-www-form-urlencoded"))
    assert response.status_code == 400 and decoded.n == 1
    assert peak < 48 * MB, peak


def test_a_subject_list_at_the_bound_makes_a_round(secretary):
    to_subjects_step(secretary)
    response = post(secretary, "/admin/new/subjects",
                    {"subjects": subject_lines(bounds.SUBJECTS_MAX), "action": "finish"},
                    content_type="multipart/form-data")
    assert response.status_code == 302 and rounds() == 1
    made = rounds_service.round_spec(db.session.scalar(select(Round)))
    assert [s.key for s in made.subjects] == [f"s{i}" for i in range(1, bounds.SUBJECTS_MAX + 1)]


class Probed(set):
    def __contains__(self, item):
        self.probes = getattr(self, "probes", 0) + 1
        return super().__contains__(item)


def test_made_up_keys_take_linear_work():
    """Key generation used to start from s1 for every line: n² probes
    (20,000 names took 17 s).  Now each key costs about one probe."""
    for n in (1_000, 20_000):
        taken = Probed({"s2", "s5", "s7"})
        made_up = drafts._MadeUpKeys("s", taken)
        keys = [made_up() for _ in range(n)]
        assert len(set(keys)) == n and not {"s2", "s5", "s7"} & set(keys)
        assert taken.probes <= n + 3


# -- uploaded tables -------------------------------------------------------------------------

def upload_subjects(client, data: bytes, name: str):
    return post(client, "/admin/new/subjects",
                {"subjects": "", "action": "preview",
                 "subjects_file": (io.BytesIO(data), name)},
                content_type="multipart/form-data")


def peak_of(call) -> tuple[object, int]:
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_an_xlsx_bomb_is_refused_without_being_opened(secretary, monkeypatch):
    to_subjects_step(secretary)
    bomb = xlsx_bomb(64 * MB)
    assert len(bomb) < MB  # fits any upload limit
    opened = Calls(monkeypatch, openpyxl, "load_workbook")
    response, peak = peak_of(lambda: upload_subjects(secretary, bomb, "members.xlsx"))
    assert response.status_code == 400
    assert "该工作簿解压后有 64.0 MB，最多只能读取 8 MB" in text(response)
    assert opened.n == 0
    assert peak < 16 * MB, peak


def test_an_xlsx_whose_zip_headers_lie_is_read_no_further_than_they_say(secretary):
    """zipfile inflates a part no further than its declared size, so a
    workbook that declares 10 KB and holds 64 MB is cut off and refused."""
    to_subjects_step(secretary)
    bomb = lying_xlsx_bomb(64 * MB)
    response, peak = peak_of(lambda: upload_subjects(secretary, bomb, "members.xlsx"))
    assert response.status_code == 400 and "无法按 Excel 工作簿读取" in text(response)
    assert peak < 16 * MB, peak


def test_a_workbook_with_more_rows_than_people_allowed_stops_at_the_bound(secretary, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["key", "name"])
    for i in range(bounds.SUBJECTS_MAX + 1):
        sheet.append([f"k{i}", f"人{i}"])
    sheet.cell(row=900_000, column=3, value="far below")  # rows are not padded up to it
    path = tmp_path / "members.xlsx"
    book.save(path)
    to_subjects_step(secretary)
    response = upload_subjects(secretary, path.read_bytes(), "members.xlsx")
    assert response.status_code == 400
    assert f"表头下超过 {bounds.SUBJECTS_MAX} 行" in text(response)


def test_a_csv_roster_beyond_the_bound_is_refused(secretary):
    to_subjects_step(secretary)
    rows = "key,name\n" + "".join(f"k{i},人{i}\n" for i in range(20_000))
    response = upload_subjects(secretary, rows.encode(), "members.csv")
    assert response.status_code == 400
    assert f"表头下超过 {bounds.SUBJECTS_MAX} 行" in text(response)


# -- paper ballots -----------------------------------------------------------------------------

@pytest.fixture
def paper_round(orgs):
    round_ = rounds_service.create_round(parse_spec(PAPER_SPEC), actor="t", org=orgs["a"])
    open_round(round_)
    db.session.commit()
    return round_


def import_paper(client, round_, data: bytes):
    return post(client, f"/admin/rounds/{round_.slug}/paper/import",
                {"file": (io.BytesIO(data), "paper.csv")}, content_type="multipart/form-data")


def test_a_190000_row_paper_csv_is_refused_before_any_ballot_is_sealed(
        secretary, paper_round, monkeypatch):
    sealed = Calls(monkeypatch, paper_service, "ballot_rows")
    data = paper_rows(190_000)
    assert len(data) < 2 * MB  # under the request's size limit, as in the issue
    response = import_paper(secretary, paper_round, data)
    assert response.status_code == 400
    assert f"表头下超过 {bounds.PAPER_ROWS_MAX} 行" in text(response)
    assert sealed.n == 0
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0


def test_a_paper_csv_with_more_ballots_than_one_request_seals_is_refused(
        secretary, paper_round, monkeypatch):
    most = bounds.SEALED_POSITIONS_MAX // parse_spec(PAPER_SPEC).positions
    sealed = Calls(monkeypatch, paper_service, "ballot_rows")
    response = import_paper(secretary, paper_round, paper_rows(10 * (most + 1)))
    assert response.status_code == 400
    assert f"该文件有 {most + 1} 张选票；本次评议一个文件最多 {most} 张" in text(response)
    assert sealed.n == 0
    response = import_paper(secretary, paper_round, paper_rows(10 * 3))
    assert response.status_code == 303 and sealed.n == 3  # within the bound: imported


# -- specs -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text_", [nested_toml(100_000),
                                   nested_toml(bounds.SPEC_NESTING_MAX + 1)],
                         ids=["brackets", "just-too-deep"])
def test_deeply_nested_toml_is_refused_before_it_is_parsed(monkeypatch, text_):
    parsed = Calls(monkeypatch, spec.tomllib, "loads")
    with pytest.raises(SpecErrors) as raised:
        parse_spec(text_)
    [error] = raised.value.errors
    assert error.message == f"tables and arrays nest more than {bounds.SPEC_NESTING_MAX} deep"
    assert error.line == 3 and parsed.n == 0


def test_nesting_without_brackets_is_refused_too():
    for data in (dotted_toml(5_000), "title = \"t\"\n[a.b.c.d.e.f.g.h]\nx = 1\n"):
        with pytest.raises(SpecErrors, match="nest more than"):
            parse_spec(data)
    deep: dict = {}
    for _ in range(10_000):
        deep = {"k": deep}
    with pytest.raises(SpecErrors, match="nest more than"):
        spec_from_dict({"title": "t", "rules": deep})


def test_rules_nested_within_the_bound_are_kept():
    fine = SPEC + "[rules]\nper_ballot_max = { excellent = 0.3 }\nlists = [[[1]]]\n"
    assert parse_spec(fine).rules["lists"] == [[[1]]]


def test_brackets_inside_strings_and_comments_are_not_nesting():
    quoted = ('title = "[[[[[[[[[[[["\n# {{{{{{{{{{{{{{\n[rules]\nnote = \'\'\'\n'
              + "[" * 50 + "\n'''\n" + SPEC.replace('title = "2026年度民主评议党员"\n', ""))
    assert parse_spec(quoted).title == "[[[[[[[[[[[["


def spec_with(**parts) -> dict:
    data = {"title": "t", "scale": {"options": [{"key": "a", "label": "A", "points": 1},
                                                {"key": "b", "label": "B", "points": 0}]},
            "groups": [{"key": "g", "label": "G"}], "subjects": [{"key": "s", "name": "S"}]}
    return data | parts


@pytest.mark.parametrize(("part", "count"), [
    ("subjects", bounds.SUBJECTS_MAX + 1), ("groups", bounds.GROUPS_MAX + 1),
    ("criteria", bounds.CRITERIA_MAX + 1)])
def test_too_many_entries_are_refused_before_each_is_checked(part, count):
    names = {"subjects": "name"}.get(part, "label")
    entries = [{"key": f"k{i}", names: "x"} for i in range(count)]
    with pytest.raises(SpecErrors) as raised:
        spec_from_dict(spec_with(**{part: entries}))
    assert [e.message for e in raised.value.errors] == [
        f"at most {getattr(bounds, part.upper() + '_MAX')} entries, got {count}"]


def test_a_ballot_with_too_many_positions_is_refused():
    subjects = [{"key": f"s{i}", "name": "x"} for i in range(300)]
    criteria = [{"key": f"c{i}", "label": "x"} for i in range(4)]
    with pytest.raises(SpecErrors) as raised:
        spec_from_dict(spec_with(subjects=subjects, criteria=criteria))
    [error] = raised.value.errors
    assert error.field == "subjects" and "3600" in error.message
    assert spec_from_dict(spec_with(subjects=subjects[:250], criteria=criteria)).positions == 3000


def test_long_names_are_refused_and_messages_quote_only_their_start():
    with pytest.raises(SpecErrors) as raised:
        spec_from_dict(spec_with(subjects=[{"key": "k" * 100_000, "name": "n" * 101}]))
    messages = [e.message for e in raised.value.errors]
    assert all(len(m) < 300 for m in messages), messages
    assert "name must be at most 100 characters, got 101" in messages


def test_a_spec_with_100000_unknown_rules_lists_a_hundred_problems():
    rules = "".join(f"r{i} = 1\n" for i in range(100_000))
    with pytest.raises(SpecErrors) as raised:
        parse_spec(SPEC + "[rules]\n" + rules, rule_names={"known": "a plugin"})
    errors = raised.value.errors
    assert len(errors) == bounds.ERRORS_MAX + 1
    assert errors[-1].message == f"… and {100_000 - bounds.ERRORS_MAX} more errors"


# -- forms and requests that grow ----------------------------------------------------------------

def test_adding_rows_stops_at_the_forms_bound(secretary):
    post(secretary, "/admin/new", {"title": "边界", "template": "", "scale": "four-grade",
                                   "access": "codes", "anonymity_min": "3"})
    rows = {f"rows-{i}-label": f"组{i}" for i in range(bounds.GROUPS_MAX + 5)}
    response = post(secretary, "/admin/new/groups", {**rows, "action": "add"})
    assert response.status_code == 200
    assert text(response).count('name="rows-') <= 4 * (bounds.GROUPS_MAX + 1)


def test_the_console_does_not_count_a_round_beyond_its_bound(secretary, orgs, monkeypatch):
    round_ = rounds_service.create_round(parse_spec(SPEC), actor="t", org=orgs["a"])
    shares = open_round(round_)
    db.session.commit()
    voter = conftest.Client(secretary.application)
    [code] = issue(round_)
    voter.get(f"/c/{code}")
    page = voter.get("/ballot").get_data(as_text=True)
    assert voter.post("/ballot", data={"csrf_token": csrf_token(page),
                                       **full_ballot(round_)}).status_code == 302
    rounds_service.transition(round_, "close", actor="t")
    db.session.commit()
    work = len(round_.subjects) * len(round_.criteria) * (len(round_.options) + 1)
    monkeypatch.setattr(count_view, "CONSOLE_COUNT_MAX", work - 1)
    page = secretary.get(f"/admin/rounds/{round_.slug}/count")
    assert f"surveyapp rounds count {round_.slug}" in text(page)
    assert 'name="share-1"' not in text(page)
    share = shares[0]
    response = post(secretary, f"/admin/rounds/{round_.slug}/count",
                    {"share-1": str(share)})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Round, round_.id).status == "closed"
    monkeypatch.setattr(count_view, "CONSOLE_COUNT_MAX", work)
    assert 'name="share-1"' in text(secretary.get(f"/admin/rounds/{round_.slug}/count"))
