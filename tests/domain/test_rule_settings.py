"""Reading a rule setting typed in a form or on a command line, and writing
a round back as a spec file (domain/rule_settings.py, domain/spec_toml.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveyapp.domain import rule_settings as rs
from surveyapp.domain.spec import parse_spec
from surveyapp.domain.spec_toml import spec_to_toml


def setting(kind, **kw):
    return rs.RuleSetting("x", "help", kind, **kw)


@pytest.mark.parametrize(("text", "value"), [
    ("4", 4), ("1/3", "1/3"), ("0.3", "0.3"), ("30%", "3/10"), ("12.5%", "1/8"), ("", None)])
def test_numbers_and_shares(text, value):
    assert rs.read(setting("share"), text) == value


@pytest.mark.parametrize("text", ["half", "1/0", "30 %%", "--1"])
def test_what_is_not_a_number_is_refused(text):
    with pytest.raises(ValueError):
        rs.read(setting("number"), text)


def test_booleans_choices_and_toml_values():
    assert rs.read(setting("boolean"), "true") is True
    assert rs.read(setting("boolean"), "false") is False
    with pytest.raises(ValueError):
        rs.read(setting("boolean"), "maybe")
    assert rs.read(setting("choice", choices=("round", "ballot")), "ballot") == "ballot"
    with pytest.raises(ValueError):
        rs.read(setting("choice", choices=("round", "ballot")), "both")
    assert rs.read(setting("list"), '["excellent", "qualified"]') == ["excellent", "qualified"]
    assert rs.read(setting("options"), '{ excellent = "1/3" }') == {"excellent": "1/3"}
    with pytest.raises(ValueError):
        rs.read(setting("options"), "1/3")
    with pytest.raises(ValueError, match="not a TOML value"):
        rs.read(setting("table"), "{ min = ")
    assert rs.read(setting("value"), "masses") == "masses"


def test_kinds_read_from_plain_descriptions():
    assert rs.guess_kind("{option = share}: ...") == "options"
    assert rs.guess_kind("true or false (default)") == "boolean"
    assert rs.guess_kind("[option, ...]: ...") == "list"
    assert rs.guess_kind("share of members who may be proposed 优秀") == "share"
    assert rs.guess_kind("the voter group of the masses") == "value"


def test_command_line_assignments():
    assert rs.assignment("excellent_quota=0.3") == ("excellent_quota", 0.3)
    assert rs.assignment("rules.per_ballot_basis=ballot") == ("per_ballot_basis", "ballot")
    assert rs.assignment('per_ballot_max={ excellent = "1/3" }') == (
        "per_ballot_max", {"excellent": "1/3"})
    assert rs.assignment("quorum=") == ("quorum", None)
    for bad in ("quorum", "=1", 'bands=[{ min = 90 '):
        with pytest.raises(ValueError):
            rs.assignment(bad)


values = st.recursive(
    st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(min_size=1, max_size=6), inner, max_size=3),
    max_leaves=8)


@given(values)
def test_a_value_written_as_toml_reads_back(value):
    assert rs.value_of(rs.toml_value(value)) == value


def test_a_round_written_as_a_spec_file_reads_back_the_same():
    text = '''
title = "2026年度\\"四强\\"测评"
anonymity_min = 3

[scale]
options = [{ key = "good", label = "好", points = 100 }, { key = "bad", label = "差", points = 0 },
           { key = "unknown", label = "不了解" }]

[[criteria]]
key = "politics"
label = "政治引领力强"
weight = 25
description = "第一行\\n第二行"
items = [{ key = "study", label = "理论学习", points = 10 },
         { key = "life", label = "组织生活", points = "15/2" }]

[[groups]]
key = "up"
label = "上级"
weight = "1/3"
rates = ["unit:机关"]

[[groups]]
key = "peers"
label = "同级"
expected = 4

[[subjects]]
key = "z"
name = "张三"
unit = "机关"
post = "主任"

[[subjects]]
key = "l"
name = "李四"

[trustees]
names = ["甲", "乙"]
threshold = 2

[rules]
per_ballot_max = { good = "1/3" }
"odd key" = [1, 2.5, true]
'''
    spec = parse_spec(text)
    assert parse_spec(spec_to_toml(spec)) == spec


def test_a_declaration_as_a_table_with_choices_in_words():
    declared = rs.declared("basis", {"type": "choice", "help": "what the share is of",
                                     "choices": {"round": "本组评价的全部人员",
                                                 "ballot": "本张选票上的人员"},
                                     "default": "round", "label": "计算基数",
                                     "hint": "每票限额按哪部分人数计算"})
    assert declared.choices == ("round", "ballot")
    assert declared.choice_label("ballot") == "本张选票上的人员"
    assert (declared.label, declared.hint, declared.default) == (
        "计算基数", "每票限额按哪部分人数计算", "round")
    plain = rs.declared("quorum", "share of the expected voters")
    assert (plain.kind, plain.label, plain.choice_label("x")) == ("share", None, "x")
    with pytest.raises(ValueError, match="label must be a non-empty text"):
        rs.declared("x", {"help": "h", "label": " "})
