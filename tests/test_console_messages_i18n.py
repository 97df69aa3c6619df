"""Errors found by the domain core (spec TOML, subject tables, paper-ballot
CSV) reach the console in the secretary's language: Chinese by default,
English on request; the command line keeps the English of SpecError.message.

The domain raises English %-templates with params (SpecError.template /
.params); the console looks the template up in the zh catalog."""

from __future__ import annotations

import ast
import html
import io
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import refresh

from surveyapp.database import db
from surveyapp.domain.model import SpecError, SpecErrors
from surveyapp.domain.paper import parse_paper_ballots
from surveyapp.domain.spec import parse_spec, spec_from_dict
from surveyapp.domain.subjects import read_subjects_table
from surveyapp.models import Ballot, Round
from surveyapp.services.rounds import create_round

from . import conftest
from .conftest import SPEC, csrf_token, open_round

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "surveyapp/translations/zh/LC_MESSAGES/messages.po"
DOMAIN_MODULES = [ROOT / "surveyapp/domain" / name for name in
                  ("spec.py", "paper.py", "tables.py", "subjects.py", "ballot_box/keys.py",
                  "campaign.py")]
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")
PROBLEM_ROW = re.compile(r"<tr><td>(\d*)</td><td>([^<]*)</td><td>([^<]+)</td></tr>")


@pytest.fixture(scope="module")
def catalog():
    with CATALOG.open("rb") as f:
        return read_po(f)


# -- the console --------------------------------------------------------------------------

def console(client, language: str):
    """A logged-in secretary whose console speaks ``language`` ("zh" = the default)."""
    assert conftest.login(client, "a").status_code == 302
    if language == "en":
        refresh()
        assert "Log out" in client.get("/admin/?lang=en").get_data(as_text=True)
    return client


def post(client, url, data, **kwargs):
    # Requests here share the test's app context, where Babel caches the locale.
    refresh()
    token = csrf_token(client.get("/admin/").get_data(as_text=True))
    refresh()
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


def problems(response) -> list[tuple[str, str, str]]:
    """(line, column, message) of each row of the page's problem table."""
    page = response.get_data(as_text=True)
    return [(line, column, html.unescape(message))
            for line, column, message in PROBLEM_ROW.findall(page)]


SUBJECT_MESSAGES = {
    "zh": ['代码 "1001" 重复，第 2 行已使用', "姓名为空"],
    "en": ['duplicate key "1001", also on line 2', "name is empty"],
}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_subject_file_errors_speak_the_console_language(client, orgs, language):
    secretary = console(client, language)
    post(secretary, "/admin/new", {"title": "2026年度民主评议党员", "template": "",
                                   "scale": "four-grade", "access": "codes",
                                   "anonymity_min": "3"})
    post(secretary, "/admin/new/groups", {"rows-0-key": "members", "rows-0-label": "党员",
                                          "rows-0-weight": "1"})
    post(secretary, "/admin/new/criteria", {})
    table = "工号,姓名,部门\n1001,张三,技术部\n1001,李四,技术部\n1004,,财务部\n"
    response = post(secretary, "/admin/new/subjects", {
        "subjects_file": (io.BytesIO(table.encode()), "members.csv"), "action": "finish"},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert problems(response) == [("3", "key", SUBJECT_MESSAGES[language][0]),
                                  ("4", "name", SUBJECT_MESSAGES[language][1])]
    assert db.session.query(Round).count() == 0


PAPER_MESSAGES = {
    "zh": [("2", "ballot", "票号为空"),
           ("3", "subject", "subject 列的 'nobody' 无法识别；应为以下之一：zhangsan, lisi"),
           ("3", "option", "option 列的 'x' 无法识别；应为以下之一："
                           "excellent, qualified, basic, unqualified, unknown")],
    "en": [("2", "ballot", "ballot label is empty"),
           ("3", "subject", "unknown subject 'nobody'; expected one of: zhangsan, lisi"),
           ("3", "option", "unknown option 'x'; expected one of: "
                           "excellent, qualified, basic, unqualified, unknown")],
}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_paper_csv_errors_speak_the_console_language(client, orgs, language):
    round_ = create_round(parse_spec(SPEC), actor="t", org=orgs["a"])
    open_round(round_)
    secretary = console(client, language)
    bad = "ballot,group,subject,criterion,option\n,members,张三,,excellent\n1,members,nobody,,x\n"
    response = post(secretary, f"/admin/rounds/{round_.slug}/paper/import",
                    {"file": (io.BytesIO(bad.encode()), "paper.csv")},
                    content_type="multipart/form-data")
    assert response.status_code == 400
    assert problems(response) == PAPER_MESSAGES[language]
    assert db.session.query(Ballot).count() == 0


# -- the domain's messages and the catalog ----------------------------------------------------

def raised(call) -> list[SpecError]:
    try:
        call()
    except SpecErrors as errors:
        return errors.errors
    except SpecError as error:
        return [error]
    raise AssertionError("no error raised")


BAD_SPEC = """
title = ""
access = "public"
anonymity_min = 0
titel = 1
rules = 3
subjects_file = "x.csv"

[scale]
options = [{ key = "a b", label = "A" }, { key = "b", label = 2, points = "many" }]

[[groups]]
key = "g"
label = "G"
weight = -1
expected = true

[[groups]]
key = "g"
label = "H"
colour = "red"
wieght = 2
"""


def bad_inputs(tmp_path: Path) -> list[SpecError]:
    """SpecErrors of many kinds, from every entry point of spec.py and paper.py."""
    errors = raised(lambda: parse_spec(BAD_SPEC))
    errors += raised(lambda: parse_spec("title = \n"))
    errors += raised(lambda: parse_spec('title = "t"\ntemplate = "nope"\n'))
    errors += raised(lambda: parse_spec('title = "t"\nscale = "nope"\ncriteria = "nope"\n'
                                        'groups = 1\nsubjects = []\n'))
    errors += raised(lambda: parse_spec('title = "t"\nscale = [\n'))
    errors += raised(lambda: parse_spec('title = "t"\nscale = "x" = 1\n'))
    errors += raised(lambda: spec_from_dict({"title": "x" * 300, "scale": {"options": [{}]},
                                             "groups": [1], "subjects": [{"key": "k"}]}))
    errors += raised(lambda: spec_from_dict(["not", "a", "table"]))
    errors += raised(lambda: spec_from_dict({"template": 3, "resolved": "yes"}))
    errors += raised(lambda: spec_from_dict({"template": "t"}, templates={"t": [1]}))
    errors += raised(lambda: spec_from_dict({"template": "x"}, templates={"t": {}}))
    errors += raised(lambda: spec_from_dict(
        {"title": "t", "groups": [], "subjects": [], "subjects_file": "s.csv",
         "scale": {"options": [{"key": "a", "label": "A"}, {"key": "b", "label": "B"}]},
         "criteria": "set"}, scales={"four": []}, criteria_sets={"set": []}))
    errors += raised(lambda: spec_from_dict({"title": "t", "scale": "five", "groups": 1,
                                             "subjects_file": "s.csv"}, scales={"four": []}))
    errors += raised(lambda: spec_from_dict({"title": "t", "scale": "four", "criteria": "none",
                                             "subjects_file": 3}, scales={"four": []}))
    errors += raised(lambda: spec_from_dict({"title": "t", "subjects_file": "none.csv"},
                                            base_dir=tmp_path))
    errors += raised(lambda: spec_from_dict(
        {"title": "t", "scale": {}, "criteria": "set", "groups": [{"key": "g", "label": "G"},
                                                                  {"key": "g", "label": "H"},
                                                                  {"label": "I"}]},
        criteria_sets={"set": None}))
    errors += raised(lambda: spec_from_dict({"title": "t", "criteria": "none"},
                                            criteria_sets={"set": []}))
    header = "header.csv"
    for name, content in [("s.txt", "x"), ("s", "x"), ("s.csv", "foo,bar\n"), ("e.csv", ""),
                          ("h.csv", "key,name\n"), ("b.csv", b"key,name\n\xff\n"),
                          ("r.csv", "key,name\n,A\nk2,\nbad key,A\nk,B\nk,C\n"),
                          ("x.xlsx", "not a workbook"),
                          ("q.csv", 'key,name\n"k,A\n' + "x" * 200_000 + "\n")]:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        errors += raised(lambda path=path: read_subjects_table(path))
    errors += raised(lambda: read_subjects_table(tmp_path / "missing.csv"))
    spec = spec_from_dict({
        "title": "t", "scale": "four", "criteria": [{"key": "a", "label": "A"},
                                                    {"key": "b", "label": "B"}],
        "groups": [{"key": "members", "label": "M"}, {"key": "masses", "label": "N"}],
        "subjects": [{"key": f"s{i}", "name": f"S{i}"} for i in range(11)]},
        scales={"four": [{"key": "excellent", "label": "优秀", "points": 1},
                         {"key": "basic", "label": "基本合格", "points": 0}]})
    header = "ballot,group,subject,criterion,option\n"
    for text in ["", "x,y\n", header, "ballot,group,ballot,,option,foo\n",
                 header + "1,members,s1,a,excellent,extra\n"
                          "1,members,s1,,excellent\n"
                          "1,members,s1,a,excellent\n1,masses,s2,a,excellent\n"
                          "2,members,s1,a,excellent\n2,members,s1,a,basic\n"
                          ",,nobody,c,\n",
                 header + "1,members,nobody,a,\n" * 101]:
        errors += raised(lambda text=text: parse_paper_ballots(text, spec))
    return errors


def test_every_domain_error_is_a_translated_template(tmp_path, catalog):
    errors = bad_inputs(tmp_path)
    assert len({e.template for e in errors}) >= 70  # the inputs reach nearly every message
    untranslated = []
    for error in errors:
        formatted = error.template % error.params if error.params else error.template
        assert formatted == error.message, error.template
        entry = catalog.get(error.template)
        if entry is None or not entry.string or entry.fuzzy or not CJK.search(entry.string):
            untranslated.append(error.template)
            continue
        # The translation keeps every placeholder, so it formats with the same params.
        assert set(re.findall(r"%\((\w+)\)s", entry.string)) == set(error.params), error.template
        assert entry.check(catalog) == []
        assert CJK.search(entry.string % error.params if error.params else entry.string)
    assert untranslated == []


def test_english_messages_are_unchanged_for_the_command_line(tmp_path):
    messages = [str(e) for e in bad_inputs(tmp_path)]
    assert "<spec>:3 [access]: access must be \"codes\" or \"link\", got \"public\"" in messages
    assert '<spec>:5 [titel]: unknown key "titel" (did you mean "title"?)' in messages
    assert ('<spec>:22 [groups[1].wieght]: unknown key "wieght" (did you mean "weight"?)'
            in messages)
    assert ('<spec>:19 [groups[1].key]: duplicate key "g", also used by groups[0] on line 13'
            in messages)
    assert "<csv>: … and 1 more errors" in messages
    assert not any(CJK.search(m) for m in messages if "民主评议" not in m)


def message_templates(path: Path):
    """First arguments of the calls that report errors in a domain module."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and node.args:
            name = getattr(node.func, "attr", getattr(node.func, "id", None))
            if name in ("add", "error", "SpecError"):
                yield node.lineno, node.args[0]


def test_domain_modules_raise_no_formatted_strings(catalog):
    """A message built with an f-string cannot be looked up in the catalog;
    every literal template must have its translation."""
    problems = []
    for path in DOMAIN_MODULES:
        for lineno, arg in message_templates(path):
            where = f"{path.name}:{lineno}"
            if isinstance(arg, ast.JoinedStr):
                problems.append(f"{where}: f-string message")
            elif isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                entry = catalog.get(arg.value)
                if entry is None or not entry.string:
                    problems.append(f"{where}: no Chinese for {arg.value!r}")
    assert problems == []


@pytest.mark.parametrize(("query", "expected"), [
    ("", "rules 必须是表，实际为 数组"),
    ("?lang=en", "rules must be a table, got an array"),
])
def test_the_kind_of_a_value_is_translated_inside_a_message(app, query, expected):
    from surveyapp.web.i18n import spec_message

    [error] = raised(lambda: parse_spec("rules = [1, 2]\n" + SPEC))
    assert error.params == {"got": "an array"}
    with app.test_request_context("/admin/" + query):
        refresh()
        assert spec_message(error) == expected


SERVICE_MODULES = sorted((ROOT / "surveyapp/services").rglob("*.py"))


def test_every_service_refusal_has_its_chinese(catalog):
    """A service's refusal reaches the console as a template to look up (web/i18n.py);
    each has its translation, with the same placeholders, and none is an f-string."""
    from surveyapp.domain.lifecycle import TRANSITIONS

    templates = [(f"lifecycle:{t.name}", ast.Constant(t.refusal)) for t in TRANSITIONS.values()]
    for path in SERVICE_MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and node.args
                    and getattr(node.func, "id", None) in ("RoundError", "ServiceError",
                                                            "SpecError", "CampaignError",
                                                            "MemberError")):
                templates.append((f"{path.name}:{node.lineno}", node.args[0]))
    assert len(templates) >= 15
    problems = []
    for where, arg in templates:
        if isinstance(arg, ast.Attribute) and arg.attr == "refusal":
            continue  # a transition's refusal, checked above from lifecycle
        if isinstance(arg, ast.Name) and arg.id == "message":
            continue  # a plugin's own (translated) message, passed on with its line
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            problems.append(f"{where}: not a literal template")
            continue
        entry = catalog.get(arg.value)
        if entry is None or not entry.string or not CJK.search(entry.string):
            problems.append(f"{where}: no Chinese for {arg.value!r}")
        elif set(re.findall(r"%\((\w+)\)", entry.string)) != set(
                re.findall(r"%\((\w+)\)", arg.value)):
            problems.append(f"{where}: placeholders differ in {arg.value!r}")
    assert problems == []


@pytest.mark.parametrize(("query", "expected"), [
    ("", "评议 demo 正在进行，只有尚在准备中的评议才能开始"),
    ("?lang=en", "round demo is open; only a draft round can be opened"),
])
def test_a_refusal_and_the_status_inside_it_speak_the_page_language(app, query, expected):
    from surveyapp.services.errors import RoundError
    from surveyapp.web.i18n import spec_message

    error = RoundError(TRANSITIONS_OPEN, slug="demo", status="open")
    with app.test_request_context(f"/{query}"):
        assert spec_message(error) == expected


TRANSITIONS_OPEN = "round %(slug)s is %(status)s; only a draft round can be opened"
