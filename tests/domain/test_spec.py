"""Tests of round spec parsing: the DESIGN.md example, each validation rule
with its field and line, templates, subject files and the dict round trip."""

from __future__ import annotations

import json
from fractions import Fraction as F

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyapp.domain.model import (
    OVERALL,
    Criterion,
    Group,
    Option,
    RoundSpec,
    SpecError,
    SpecErrors,
    Subject,
)
from surveyapp.domain.spec import (
    load_spec,
    parse_spec,
    spec_from_dict,
    spec_to_dict,
)
from surveyapp.domain.subjects import read_roster, read_subjects_table

# The example of DESIGN.md, "Round spec", verbatim.
DESIGN_EXAMPLE = """\
title = "2026年度民主评议党员"
template = "party-member-appraisal"   # optional
access = "codes"                      # "codes": one single-use code per voter | "link": shared QR
anonymity_min = 5                     # a breakdown with fewer ballots than this is never shown

[scale]
options = [
  { key = "excellent",   label = "优秀",     points = 100 },
  { key = "qualified",   label = "合格",     points = 80 },
  { key = "basic",       label = "基本合格", points = 60 },
  { key = "unqualified", label = "不合格",   points = 0 },
]   # an option with no points (不了解/弃权) is an abstention: counted, never scored

[[criteria]]          # optional: none means one criterion with key "overall"
key = "political"
label = "政治素质优"
weight = 1

[[groups]]
key = "members"
label = "党员互评"
weight = 40
expected = 32

[[subjects]]
key = "zhangsan"
name = "张三"
unit = "工程技术党支部"

[rules]               # read by plugins; e.g. excellent_quota = 0.33, per_ballot_max = { excellent = 0.3 }
"""  # noqa: E501 (verbatim from DESIGN.md)

# A small valid spec; tests replace pieces of it.  Line numbers matter below.
BASE = """\
title = "评议"

[scale]
options = [
  { key = "good", label = "好", points = 100 },
  { key = "bad", label = "差", points = 0 },
]

[[groups]]
key = "members"
label = "党员"

[[subjects]]
key = "s1"
name = "张三"
"""


def errors_of(text: str, **kwargs) -> list[SpecError]:
    with pytest.raises(SpecErrors) as caught:
        parse_spec(text, source="r.toml", **kwargs)
    return caught.value.errors


def one_error(text: str, **kwargs) -> SpecError:
    errors = errors_of(text, **kwargs)
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


# -- valid specs ------------------------------------------------------------------

def test_design_example_parses_to_the_expected_spec():
    spec = parse_spec(DESIGN_EXAMPLE, templates={"party-member-appraisal": {}})
    assert spec == RoundSpec(
        title="2026年度民主评议党员",
        options=(Option("excellent", "优秀", F(100)), Option("qualified", "合格", F(80)),
                 Option("basic", "基本合格", F(60)), Option("unqualified", "不合格", F(0))),
        criteria=(Criterion("political", "政治素质优", F(1)),),
        groups=(Group("members", "党员互评", F(40), 32),),
        subjects=(Subject("zhangsan", "张三", "工程技术党支部"),),
        template="party-member-appraisal",
        access="codes",
        anonymity_min=5,
        rules={},
    )


def test_defaults_fill_what_a_minimal_spec_leaves_out():
    spec = parse_spec(BASE)
    assert spec.access == "codes"
    assert spec.anonymity_min == 5
    assert spec.template is None
    assert spec.criteria == (Criterion(OVERALL, "总体评价", F(1), ""),)
    assert spec.groups == (Group("members", "党员", F(1), None),)
    assert spec.subjects == (Subject("s1", "张三", ""),)
    assert spec.rules == {}


def test_abstentions_float_points_and_rules_pass_through():
    text = BASE.replace('{ key = "bad", label = "差", points = 0 },',
                        '{ key = "bad", label = "差", points = 0.1 },\n'
                        '  { key = "unknown", label = "不了解" },')
    text += '\n[rules]\nexcellent_quota = 0.33\nper_ballot_max = { good = 2 }\n'
    spec = parse_spec(text)
    assert spec.option("bad").points == F(1, 10)  # exact, not the binary float
    assert spec.option("unknown").is_abstention
    assert spec.rules == {"excellent_quota": 0.33, "per_ballot_max": {"good": 2}}


def test_criteria_with_fractional_weights_and_descriptions():
    text = BASE + ('\n[[criteria]]\nkey = "de"\nlabel = "德"\nweight = 0.2\n'
                   'description = "政治思想"\n\n[[criteria]]\nkey = "neng"\nlabel = "能"\n')
    spec = parse_spec(text)
    assert spec.criteria == (Criterion("de", "德", F(1, 5), "政治思想"),
                             Criterion("neng", "能", F(1), ""))


def test_inline_arrays_and_a_bom_are_accepted():
    text = ('\ufefftitle = "t"\nscale = { options = [{ key = "a", label = "A", points = 1 },'
            ' { key = "b", label = "B" }] }\ngroups = [{ key = "g", label = "G", weight = 2 }]\n'
            'subjects = [{ key = "s", name = "S", unit = "U" }]\naccess = "link"\n'
            'anonymity_min = 1\n')
    spec = parse_spec(text)
    assert spec.access == "link" and spec.anonymity_min == 1
    assert spec.groups == (Group("g", "G", F(2)),)
    assert spec.subjects == (Subject("s", "S", "U"),)


# -- validation ----------------------------------------------------------------------

@pytest.mark.parametrize(("old", "new", "field", "line", "words"), [
    ('title = "评议"', 'title = "评议"\ntitel = "x"', "titel", 2, 'did you mean "title"'),
    ('title = "评议"', 'title = "  "', "title", 1, "title must not be empty"),
    ('title = "评议"', f'title = "{"长" * 201}"', "title", 1, "at most 200 characters"),
    ('title = "评议"', "title = 2026", "title", 1, "title must be text, got 2026"),
    ('title = "评议"\n', "", "title", None, "title is required"),
    ('title = "评议"', 'title = "t"\naccess = "qr"', "access", 2,
     'access must be "codes" or "link", got "qr"'),
    ('title = "评议"', 'title = "t"\nanonymity_min = 0', "anonymity_min", 2,
     "at least 1, got 0"),
    ('title = "评议"', 'title = "t"\nanonymity_min = true', "anonymity_min", 2,
     "got true"),
    ('title = "评议"', 'title = "t"\nanonymity_min = 2.5', "anonymity_min", 2, "got 2.5"),
    ('key = "good"', 'key = "go od"', "scale.options[0].key", 5, 'got "go od"'),
    ('key = "bad"', 'key = "good"', "scale.options[1].key", 6,
     'duplicate key "good", also used by scale.options[0] on line 5'),
    ('label = "差"', 'label = ""', "scale.options[1].label", 6, "label must not be empty"),
    ('label = "差", ', "", "scale.options[1].label", 6, "label is required"),
    ("points = 0 }", 'points = "zero" }', "scale.options[1].points", 6,
     'points must be a number'),
    ("points = 0 }", "points = 0, colour = 1 }", "scale.options[1].colour", 6,
     'unknown key "colour"'),
    ('  { key = "bad", label = "差", points = 0 },\n', "", "scale.options", 4,
     "the scale needs at least 2 options, got 1"),
    (', points = 100 },\n  { key = "bad", label = "差", points = 0 },',
     ' },\n  { key = "bad", label = "差" },', "scale.options", 4,
     "at least one option must have points"),
    ('  { key = "bad", label = "差", points = 0 },\n', '  "bad",\n', "scale.options[1]", 4,
     'scale.options[1] must be a table, got "bad"'),
    ('label = "党员"', 'label = "党员"\nweight = -1', "groups[0].weight", 12,
     "weight must be a positive number, got -1"),
    ('label = "党员"', 'label = "党员"\nweight = 0', "groups[0].weight", 12, "got 0"),
    ('label = "党员"', 'label = "党员"\nwieght = 3', "groups[0].wieght", 12,
     'did you mean "weight"'),
    ('label = "党员"', 'label = "党员"\nexpected = -1', "groups[0].expected", 12,
     "expected must be a whole number of at least 0, got -1"),
    ('label = "党员"', 'label = "党员"\nexpected = true', "groups[0].expected", 12,
     "got true"),
    ('label = "党员"\n', "", "groups[0].label", 9, "label is required"),
    ('[[groups]]\nkey = "members"\nlabel = "党员"\n', "", "groups", None,
     "at least one voter group is required"),
    ('name = "张三"', 'name = "张三"\nunit = 3', "subjects[0].unit", 16, "unit must be text"),
    ('name = "张三"\n', "", "subjects[0].name", 13, "name is required"),
    ('[[subjects]]\nkey = "s1"\nname = "张三"\n', "", "subjects", None,
     "at least one subject is required"),
    ('title = "评议"', 'title = "t"\nsubjects_file = "x.csv"', "subjects_file", 2,
     "not both"),
    ('title = "评议"', 'title = "t"\nrules = 3', "rules", 2, "rules must be a table, got 3"),
])
def test_each_rule_reports_its_field_and_line(old, new, field, line, words):
    assert old in BASE
    error = one_error(BASE.replace(old, new))
    assert error.field == field
    assert error.line == line
    assert words in error.message
    assert error.source == "r.toml"


def test_criteria_rules():
    criteria = ('\n[[criteria]]\nkey = "de"\nlabel = "德"\nweight = 0\n'
                '\n[[criteria]]\nkey = "de"\nlabel = "德2"\nnote = "x"\n')
    errors = errors_of(BASE + criteria)
    assert [(e.field, e.line) for e in errors] == [
        ("criteria[0].weight", 20),
        ("criteria[1].note", 25),
        ("criteria[1].key", 23),
    ]
    assert "weight must be a positive number, got 0" in errors[0].message
    assert "also used by criteria[0] on line 18" in errors[2].message


def test_an_empty_criteria_array_means_the_overall_criterion():
    assert parse_spec("criteria = []\n" + BASE).criteria == (Criterion(OVERALL, "总体评价"),)


def test_an_empty_groups_array_is_an_error_on_its_line():
    text = "groups = []\n" + BASE.replace('[[groups]]\nkey = "members"\nlabel = "党员"\n', "")
    error = one_error(text)
    assert (error.field, error.line) == ("groups", 1)
    assert error.message == "at least one voter group is required, got 0"


def test_several_errors_are_reported_at_once_in_file_order_of_checks():
    text = (BASE.replace('title = "评议"', 'title = ""\naccess = "qr"')
            .replace('label = "党员"', 'label = "党员"\nweight = -1'))
    errors = errors_of(text)
    assert [e.field for e in errors] == ["title", "access", "groups[0].weight"]
    assert [e.line for e in errors] == [1, 2, 13]
    assert "r.toml:13 [groups[0].weight]: weight must be a positive number, got -1" \
        in str(SpecErrors(errors))


def test_a_toml_syntax_error_is_one_error_with_its_line():
    error = one_error(BASE.replace('[[groups]]', '[[groups]'))
    assert error.line == 9
    assert error.message.startswith("invalid TOML:")
    assert error.field is None


def test_a_spec_must_be_a_table():
    with pytest.raises(SpecErrors) as caught:
        spec_from_dict(["not", "a", "table"], source="form")
    assert "must be a table" in caught.value.errors[0].message


def test_resolved_is_not_a_toml_key():
    error = one_error("resolved = true\n" + BASE)
    assert error.field == "resolved" and error.line == 1


# -- templates ------------------------------------------------------------------------

TEMPLATE = {
    "title": "民主评议党员",
    "anonymity_min": 3,
    "scale": {"options": [{"key": "excellent", "label": "优秀", "points": 95},
                          {"key": "competent", "label": "称职", "points": 85},
                          {"key": "unknown", "label": "不了解"}]},
    "criteria": [{"key": "de", "label": "德", "weight": 0.2},
                 {"key": "neng", "label": "能", "weight": "3/20"}],
    "groups": [{"key": "leaders", "label": "上级"}],
    "rules": {"excellent_quota": "1/3", "per_ballot_max": {"excellent": 0.3}},
}

SPEC_OVER_TEMPLATE = """\
template = "pma"

[[groups]]
key = "members"
label = "党员互评"
weight = 60

[[subjects]]
key = "s1"
name = "张三"
"""


def test_a_spec_takes_what_it_leaves_out_from_its_template():
    spec = parse_spec(SPEC_OVER_TEMPLATE, templates={"pma": TEMPLATE})
    assert spec.template == "pma"
    assert spec.title == "民主评议党员"
    assert spec.anonymity_min == 3
    assert [o.key for o in spec.options] == ["excellent", "competent", "unknown"]
    assert spec.criteria == (Criterion("de", "德", F(1, 5)), Criterion("neng", "能", F(3, 20)))
    assert spec.groups == (Group("members", "党员互评", F(60)),)  # the spec's, not merged
    assert spec.rules == TEMPLATE["rules"]


def test_rules_merge_key_by_key_and_the_spec_wins():
    text = SPEC_OVER_TEMPLATE + '\n[rules]\nexcellent_quota = 0.25\nveto = true\n'
    spec = parse_spec(text, templates={"pma": TEMPLATE})
    assert spec.rules == {"excellent_quota": 0.25, "veto": True,
                          "per_ballot_max": {"excellent": 0.3}}
    spec.rules["per_ballot_max"]["excellent"] = 1  # the plugin's dict is not shared
    assert TEMPLATE["rules"]["per_ballot_max"] == {"excellent": 0.3}


def test_an_unknown_template_lists_the_known_ones():
    error = one_error(SPEC_OVER_TEMPLATE.replace("pma", "pmx"),
                      templates={"pma": TEMPLATE, "cadre": {}})
    assert error.field == "template" and error.line == 1
    assert 'unknown template "pmx"; known templates: cadre, pma' in error.message
    assert "none are installed" in one_error(SPEC_OVER_TEMPLATE).message


def test_errors_in_what_a_template_supplies_name_the_template():
    bad = dict(TEMPLATE, anonymity_min=0)
    error = one_error(SPEC_OVER_TEMPLATE, templates={"pma": bad})
    assert (error.source, error.line, error.field) == ("template pma", None, "anonymity_min")


def test_a_spec_subjects_file_replaces_template_subjects(tmp_path):
    (tmp_path / "m.csv").write_text("key,name\nx,X\n", encoding="utf-8")
    template = dict(TEMPLATE, subjects=[{"key": "t", "name": "T"}])
    text = 'template = "pma"\nsubjects_file = "m.csv"\n'
    spec = parse_spec(text, templates={"pma": template}, base_dir=tmp_path)
    assert spec.subjects == (Subject("x", "X"),)


# -- scales and criteria sets registered by plugins --------------------------------------

SCALES = {"cadre": [{"key": "excellent", "label": "优秀", "points": 95},
                    {"key": "competent", "label": "称职", "points": 85},
                    {"key": "unknown", "label": "不了解"}],
          "broken": [{"key": "only", "label": "唯一", "points": 1}]}
CRITERIA_SETS = {"de-neng": [{"key": "de", "label": "德", "weight": 0.2},
                             {"key": "neng", "label": "能", "weight": 0.15}]}
NAMED = """\
title = "测评"
scale = "cadre"
criteria = "de-neng"
groups = [{ key = "all", label = "全体" }]
subjects = [{ key = "s1", name = "张三" }]
"""


def test_a_spec_may_name_a_registered_scale_and_criteria_set():
    spec = parse_spec(NAMED, scales=SCALES, criteria_sets=CRITERIA_SETS)
    assert [o.key for o in spec.options] == ["excellent", "competent", "unknown"]
    assert spec.option("unknown").is_abstention
    assert spec.criteria == (Criterion("de", "德", F(1, 5)), Criterion("neng", "能", F(3, 20)))
    assert spec_from_dict(spec_to_dict(spec)) == spec  # stored in full, not by name


def test_a_template_may_name_a_scale():
    template = {"scale": "cadre", "title": "测评"}
    text = 'template = "t"\ngroups = [{ key = "g", label = "G" }]\n' \
           'subjects = [{ key = "s", name = "S" }]\n'
    spec = parse_spec(text, templates={"t": template}, scales=SCALES)
    assert spec.option("competent").points == 85


def test_unknown_scale_and_criteria_set_names():
    errors = errors_of(NAMED.replace('"cadre"', '"x"'), scales=SCALES)
    assert [(e.field, e.line) for e in errors] == [("scale", 2), ("criteria", 3)]
    assert errors[0].message == 'unknown scale "x"; known: broken, cadre'
    assert errors[1].message == 'unknown criteria set "de-neng"; known: none are installed'


def test_errors_inside_a_registered_scale_name_it():
    error = one_error(NAMED.replace('"cadre"', '"broken"'), scales=SCALES,
                      criteria_sets=CRITERIA_SETS)
    assert (error.source, error.field, error.line) == ("scale broken", "scale.options", None)


# -- subjects files ----------------------------------------------------------------------

def spec_with_file(name: str) -> str:
    return f'subjects_file = "{name}"\n' + BASE.split("[[subjects]]")[0]


def test_subjects_from_csv_with_bom_any_header_case_and_extra_columns(tmp_path):
    (tmp_path / "members.csv").write_bytes(
        "\ufeff Key ,NAME,Unit,phone\r\nzhangsan,张三,一支部,123\r\n\r\nlisi, 李四 ,,\r\n"
        .encode())
    (tmp_path / "r.toml").write_text(spec_with_file("members.csv"), encoding="utf-8")
    spec = load_spec(tmp_path / "r.toml")
    assert spec.subjects == (Subject("zhangsan", "张三", "一支部"), Subject("lisi", "李四", ""))


def test_a_bad_csv_row_is_reported_with_its_file_line_and_column(tmp_path):
    path = tmp_path / "members.csv"
    path.write_text("key,name\nzhangsan,张三\n\nbad key,李四\nwangwu,\nzhangsan,张三2\n",
                    encoding="utf-8")
    errors = errors_of(spec_with_file("members.csv"), base_dir=tmp_path)
    assert [(e.source, e.line, e.field) for e in errors] == [
        (str(path), 4, "key"), (str(path), 5, "name"), (str(path), 6, "key")]
    assert "duplicate key \"zhangsan\", also on line 2" in errors[2].message


def test_subjects_from_xlsx_with_number_keys_and_empty_rows(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["工号", "姓名", "部门"])  # the Chinese header names are understood too
    sheet.append([1001, "张三", "技术部"])
    sheet.append([None, None, None])
    sheet.append([1002.0, "李四", None])
    book.save(tmp_path / "members.xlsx")
    spec = parse_spec(spec_with_file("members.xlsx"), base_dir=tmp_path)
    assert spec.subjects == (Subject("1001", "张三", "技术部"), Subject("1002", "李四", ""))


def test_a_bad_xlsx_row_is_reported_with_its_row_number(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([])
    sheet.append(["key", "name", "unit"])
    sheet.append(["a", "甲", ""])
    sheet.append(["a", "乙", ""])
    sheet.append(["-b", "丙", ""])
    book.save(tmp_path / "members.xlsx")
    with pytest.raises(SpecErrors) as caught:
        read_subjects_table(tmp_path / "members.xlsx")
    assert [(e.line, e.field) for e in caught.value.errors] == [(4, "key"), (5, "key")]
    assert "also on line 3" in caught.value.errors[0].message


@pytest.mark.parametrize(("content", "line", "field", "words"), [
    ("", None, None, "the file is empty"),
    ("key,unit\n1,x\n", 1, "name", "missing column name"),
    ("key,name\n", 1, None, "no subjects"),
])
def test_subject_table_shape_errors(tmp_path, content, line, field, words):
    path = tmp_path / "s.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SpecErrors) as caught:
        read_subjects_table(path)
    error = caught.value.errors[0]
    assert (error.source, error.line, error.field) == (str(path), line, field)
    assert words in error.message


def test_subject_files_that_cannot_be_read(tmp_path):
    (tmp_path / "s.xls").write_bytes(b"old excel")
    (tmp_path / "s.xlsx").write_bytes(b"not a zip")
    (tmp_path / "bad.csv").write_bytes("key,name\na,张三\n".encode() + b"b,\xff\n")
    for name, words, line in [("s.xls", "use a .csv or .xlsx file", None),
                              ("s.xlsx", "cannot read as an Excel workbook", None),
                              ("bad.csv", "cannot read the text on line 3", 3)]:
        with pytest.raises(SpecErrors) as caught:
            read_subjects_table(tmp_path / name)
        assert words in caught.value.errors[0].message
        assert caught.value.errors[0].line == line


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-16"])
def test_a_roster_as_chinese_excel_saves_it(tmp_path, encoding):
    # Chinese Excel's "CSV" is GBK; 序号 numbers the list (not a key), 职务 is kept.
    path = tmp_path / "花名册.csv"
    path.write_bytes("序号,姓名,部门,职务,联系电话\n1,张三,工程技术部,党支部书记,123\n"
                     "2,李四,综合办公室,,456\n".encode(encoding))
    roster = read_roster(path)
    assert roster.subjects == [Subject("s1", "张三", "工程技术部", "党支部书记"),
                               Subject("s2", "李四", "综合办公室", "")]
    assert roster.columns == {"name": "姓名", "unit": "部门", "post": "职务"}
    assert roster.ignored == ["序号", "联系电话"] and roster.keys_made


def test_subjects_file_problems_found_from_the_spec(tmp_path):
    missing = one_error(spec_with_file("nope.csv"), base_dir=tmp_path)
    assert (missing.field, missing.line) == ("subjects_file", 1)
    assert "no such file" in missing.message
    no_dir = one_error(spec_with_file("m.csv"))
    assert no_dir.field == "subjects_file" and "read from a file" in no_dir.message


def test_load_spec_names_the_file_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.toml").write_bytes(("\ufeff" + BASE.replace('"评议"', '""')).encode())
    with pytest.raises(SpecErrors) as caught:
        load_spec("r.toml")
    assert str(caught.value) == "r.toml:1 [title]: title must not be empty"


# -- the dict round trip -----------------------------------------------------------------

def test_to_dict_is_json_and_parses_back_to_the_same_spec():
    spec = parse_spec(SPEC_OVER_TEMPLATE, templates={"pma": TEMPLATE})
    data = json.loads(json.dumps(spec_to_dict(spec), ensure_ascii=False))
    assert data["criteria"][1]["weight"] == "3/20"
    assert data["scale"]["options"][0]["points"] == 95
    # The template is already merged in: no templates are needed to read it back.
    assert spec_from_dict(data) == spec


def test_design_example_round_trips():
    spec = parse_spec(DESIGN_EXAMPLE, templates={"party-member-appraisal": {}})
    assert spec_from_dict(spec_to_dict(spec)) == spec


KEYS = st.from_regex(r"[a-z0-9][a-z0-9_.-]{0,8}", fullmatch=True)
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
               min_size=1, max_size=12).filter(lambda s: s == s.strip())
POSITIVE = st.fractions(min_value=F(1, 1000), max_value=1000, max_denominator=1000)


def keyed(build, min_size=1):
    return st.lists(KEYS, min_size=min_size, max_size=4, unique=True).flatmap(
        lambda keys: st.tuples(*(build(k) for k in keys)))


def scored_first(options: tuple[Option, ...]) -> tuple[Option, ...]:
    """A scale needs at least one option with points."""
    first = options[0]
    return (Option(first.key, first.label, first.points or F(1)), *options[1:])


specs = st.builds(
    RoundSpec,
    title=TEXT,
    options=keyed(lambda k: st.builds(Option, st.just(k), TEXT,
                                      st.none() | st.fractions(max_denominator=100)),
                  min_size=2).map(scored_first),
    criteria=keyed(lambda k: st.builds(Criterion, st.just(k), TEXT, POSITIVE,
                                       st.one_of(st.just(""), TEXT))),
    groups=keyed(lambda k: st.builds(Group, st.just(k), TEXT, POSITIVE,
                                     st.none() | st.integers(0, 500))),
    subjects=keyed(lambda k: st.builds(Subject, st.just(k), TEXT, st.just("") | TEXT)),
    template=st.none() | st.just("pma"),
    access=st.sampled_from(["codes", "link"]),
    anonymity_min=st.integers(1, 50),
    rules=st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5),
                          max_size=3),
)


@settings(max_examples=60)
@given(specs)
def test_generated_specs_round_trip_through_json(spec):
    data = json.loads(json.dumps(spec_to_dict(spec)))
    assert spec_from_dict(data) == spec


# -- [rules] keys against the names plugins declare -------------------------------------

DECLARED = {"excellent_quota": "share of 优秀", "per_ballot_max": "cap per ballot"}


def test_rules_are_not_checked_without_declared_names():
    spec = parse_spec(BASE + "\n[rules]\nanything = 1\n")
    assert spec.rules == {"anything": 1}


def test_an_undeclared_rule_is_an_unknown_key_with_its_line():
    text = BASE + "\n[rules]\nexcellent_quota = 0.3\nexcelent_quota = 0.25\n"
    error = one_error(text, rule_names=DECLARED)
    assert (error.line, error.field) == (19, "rules.excelent_quota")
    assert str(error).endswith('unknown key "excelent_quota" (did you mean "excellent_quota"?)')
    assert parse_spec(text.replace("excelent_quota = 0.25\n", ""),
                      rule_names=DECLARED).rules == {"excellent_quota": 0.3}


def test_a_templates_rules_are_checked_too_and_none_declared_says_so():
    templates = {"t": {"rules": {"quota": 1}}}
    error = one_error('template = "t"\n' + BASE, templates=templates, rule_names={})
    assert error.field == "rules.quota"
    assert str(error).endswith('unknown key "quota"; allowed: none')
