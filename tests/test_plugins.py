"""Every hook through real plugins: the installed packages in plugins/, and
small plugins written here the way a plugin author would, registered with
``plugins.load_plugins(extra=...)`` (no mocks).  Includes plugins that raise
in each kind of hook."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import subprocess
import sys
import tomllib
import types
from fractions import Fraction as F
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from surveyapp import create_app, plugins
from surveyapp.database import db
from surveyapp.domain.model import Counts, SpecErrors
from surveyapp.domain.spec import parse_spec
from surveyapp.exporters import Exporter
from surveyapp.hookspecs import hookimpl
from surveyapp.models import Answer, AuditEvent, Ballot, BoardSum, Round, VoterCode
from surveyapp.services import rounds as rounds_service

from .conftest import csrf_token, issue, open_round

INSTALLED = ("party-member-appraisal", "four-strong-four-excellent", "cadre-evaluation")


@pytest.fixture
def use_plugins(monkeypatch):
    """Install a manager with the given extra plugins (plus the built-in and
    the installed packages); the environment's manager comes back after."""
    monkeypatch.delenv("SURVEYAPP_PLUGINS", raising=False)

    def use(*extra: tuple[str, object]):
        manager = plugins.load_plugins(extra=list(extra))
        plugins.use_plugin_manager(manager)
        return manager

    yield use
    plugins.use_plugin_manager(None)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def create(cli, tmp_path, spec: str) -> str:
    path = tmp_path / "round.toml"
    path.write_text(spec, encoding="utf-8")
    result = cli("rounds", "create", path)
    assert result.exit_code == 0, result.output
    return result.output.strip()


def paper_csv(tmp_path, ballots: list[tuple[str, dict]], name: str = "paper.csv"):
    """``[(group, {(subject, criterion): option})]`` as a paper ballots file."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["ballot", "group", "subject", "criterion", "option"])
    for number, (group, answers) in enumerate(ballots, start=1):
        for (subject, criterion), option in answers.items():
            writer.writerow([number, group, subject, criterion, option])
    path = tmp_path / name
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def run_round(cli, tmp_path, spec: str, ballots) -> dict:
    """Create, open, import paper ballots, close and tally: the JSON."""
    slug = create(cli, tmp_path, spec)
    assert cli("rounds", "open", slug).exit_code == 0
    result = cli("ballots", "import", slug, paper_csv(tmp_path, ballots))
    assert result.exit_code == 0, result.output
    assert cli("rounds", "close", slug).exit_code == 0
    assert cli.count(slug).exit_code == 0
    result = cli("tally", slug)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def outcome(tally: dict) -> dict:
    return {s["key"]: (s["score"], s["rank"], s["proposal"], s["flags"])
            for s in tally["subjects"]}


# -- the installed packages, end to end through the command line ---------------------------

PARTY_SPEC = """
template = "party-member-appraisal"

[[groups]]
key = "members"
label = "党员互评"
expected = 6
""" + "".join(f'\n[[subjects]]\nkey = "{k}"\nname = "{n}"\n'
              for k, n in (("a", "张三"), ("b", "李四"), ("c", "王五"), ("d", "赵六")))

GRADES = {"E": "excellent", "Q": "qualified", "B": "basic", "U": "unqualified"}


def member_ballots(*rows: str) -> list[tuple[str, dict]]:
    """One string per ballot, a grade letter for each of a, b, c, d."""
    return [("members", {(k, ""): GRADES[m] for k, m in zip("abcd", row, strict=True)})
            for row in rows]


def test_party_member_appraisal_from_the_template_alone(cli, tmp_path):
    # At most one 优秀 per ballot (⌊4/3⌋); a and b each get three and tie on 90.
    tally = run_round(cli, tmp_path, PARTY_SPEC, member_ballots(
        "EQQQ", "EQQU", "EQQU", "QEQU", "QEQB", "QEQU"))
    assert tally["round"]["title"] == "民主评议党员"
    assert outcome(tally) == {
        # ⌊4 × 1/3⌋ = 1 优秀, and the two best tie for it: the committee decides.
        "a": (90.0, 1, None, ["quota_tie:excellent"]),
        "b": (90.0, 1, None, ["quota_tie:excellent"]),
        "c": (80.0, 3, "qualified", []),
        # 4 of 6 不合格 is more than half: 初步认定, to be verified.
        "d": (23.33, 4, "unqualified", ["presume_fail:unqualified"]),
    }
    assert tally["flags"] == []  # 6 of 6 voted


def test_party_summary_export_and_quorum_flag(cli, tmp_path):
    spec = PARTY_SPEC.replace("expected = 6", "expected = 13")
    slug = create(cli, tmp_path, spec)
    cli("rounds", "open", slug)
    cli("ballots", "import", slug, paper_csv(tmp_path, member_ballots(*["EQQQ"] * 6)))
    cli("rounds", "close", slug)
    cli.count(slug)
    assert json.loads(cli("tally", slug).output)["flags"] == ["quorum_not_met:members"]
    out = tmp_path / "summary.csv"
    result = cli("tally", slug, "--format", "appraisal-summary", "-o", out)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[1] == ["1", "张三", "", "6", "6", "0", "0", "0", "0", "100.00", "优秀", ""]
    assert rows[-1] == ["说明", "党员互评参评人数未达规定比例"]  # the group by name, no key


def test_a_paper_ballot_over_the_per_ballot_cap_exits_2_naming_its_line(cli, tmp_path):
    slug = create(cli, tmp_path, PARTY_SPEC)
    cli("rounds", "open", slug)
    path = paper_csv(tmp_path, member_ballots("EQQQ", "EEQQ"))  # ballot 2 starts on line 6
    result = cli("ballots", "import", slug, path)
    assert result.exit_code == 2
    assert f"{path}:6 [ballot 2]" in result.output
    # About the sheet, not about one person on it; and no "you" for the typist.
    assert ("每张选票“优秀”不超过 1 人（共 4 人），这张选票评了 2 人：张三、李四。请改掉其中 1 人。"
            in result.output)  # zh default
    assert count(Ballot) == 0 and count(Answer) == 0  # not even the good ballot 1


CADRE_SPEC = """
template = "cadre-evaluation"

[[groups]]
key = "superior"
label = "上级"
weight = 20
expected = 5

[[groups]]
key = "peer"
label = "同级"
weight = 30

[[groups]]
key = "subordinate"
label = "下级"
weight = 30

[[groups]]
key = "masses"
label = "群众"
weight = 20
expected = 12

[[subjects]]
key = "wangwu"
name = "王五"
"""


def test_cadre_evaluation_from_the_template(cli, tmp_path):
    grades = {"superior": "good", "peer": "average", "subordinate": "average",
              "masses": "fairly_good"}
    ballots = [(group, {("wangwu", c): grade for c in ("de", "neng", "qin", "ji", "lian")})
               for group, grade in grades.items() for _ in range(5)]
    tally = run_round(cli, tmp_path, CADRE_SPEC, ballots)
    # 20×100 + 30×60 + 30×60 + 20×80 = 72 → 不称职 (<75); 好评率 1/2 < 3/5.
    assert outcome(tally) == {"wangwu": (72.0, 1, "incompetent", ["approval_below_min"])}
    assert tally["flags"] == ["quorum_not_met:masses"]  # 5 of 12
    assert tally["subjects"][0]["criteria"]["ji"]["score"] == 72.0
    spec = parse_spec(CADRE_SPEC, **plugins.spec_context())
    assert plugins.proposal_labels(spec) == {
        "good": "好", "fairly_good": "较好", "average": "一般", "poor": "较差",
        "excellent": "优秀", "competent": "称职", "basically_competent": "基本称职",
        "incompetent": "不称职"}


def test_four_excellent_member_scores_the_mass_criterion_from_the_masses(cli, tmp_path):
    spec = """
template = "four-excellent-member"

[[subjects]]
key = "zhao"
name = "赵敏"
"""
    members = {"political": "good", "skill": "good", "performance": "good", "mass": "poor"}
    masses = {"political": "average", "skill": "average", "performance": "average",
              "mass": "fairly_good"}
    ballots = [("members", {("zhao", c): o for c, o in members.items()})] * 5 + [
        ("masses", {("zhao", c): o for c, o in masses.items()})] * 5
    tally = run_round(cli, tmp_path, spec, ballots)
    # (7×100 × 3 + 9×80) / 30 = 94; without the split it would be 77.2.
    assert outcome(tally) == {"zhao": (94.0, 1, None, [])}


def test_the_web_ballot_states_the_per_ballot_cap_about_the_whole_ballot(client, use_plugins):
    use_plugins()
    spec = parse_spec(PARTY_SPEC, **plugins.spec_context())
    round_ = rounds_service.create_round(spec, actor="test")
    open_round(round_)
    [code] = issue(round_)
    client.get(f"/c/{code}")
    html = client.get("/ballot").get_data(as_text=True)
    data = {"csrf_token": csrf_token(html), "q-0-0": "excellent", "q-1-0": "excellent",
            "q-2-0": "qualified", "q-3-0": "qualified"}
    response = client.post("/ballot", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    message = ("每张选票“优秀”不超过 1 人（共 4 人），这张选票评了 2 人：张三、李四。"
               "请改掉其中 1 人。")
    summary = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', page, re.S)[1]
    assert message in summary  # at the top, about the ballot
    for card in re.findall(r'<fieldset[^>]*id="subject-\d+">(.*?)</fieldset>', page, re.S):
        assert message not in card  # no one person is singled out as the problem
    assert count(Ballot) == 0
    assert db.session.scalar(select(VoterCode.status)) == "issued"  # the code still works


def test_plugins_list_shows_name_version_and_hooks(cli):
    lines = [line.split(None, 2) for line in cli("plugins", "list").output.splitlines()]
    assert lines == [
        ["surveyapp", "0.1.0", "classify_subjects, grade_scales, register_exporters, "
                               "rule_names, score_subject, validate_ballot"],
        ["cadre-evaluation", "0.1.0",
         "classify_subjects, criteria_sets, round_templates, rule_names"],
        ["four-strong-four-excellent", "0.1.0",
         "campaign_standards, classify_subjects, criteria_sets, round_templates, rule_names, "
         "score_subject"],
        ["party-member-appraisal", "0.1.0",
         "classify_subjects, grade_scales, register_exporters, round_templates, rule_names"],
    ]


# -- a plugin written here, implementing every hook ------------------------------------------

class Acme:
    """An enterprise's plugin: its own scale, criteria, template, a ballot
    rule, a 短板 score (the weakest criterion), a flag and an export."""

    def __init__(self):
        self.events: list[tuple[str, dict, str]] = []

    @hookimpl
    def grade_scales(self):
        return {"acme-five": [{"key": str(n), "label": f"{n}星", "points": n * 20}
                              for n in range(5, 0, -1)]}

    @hookimpl
    def criteria_sets(self):
        return {"acme-values": [
            {"key": "safety", "label": "安全", "weight": 2, "description": "零事故"},
            {"key": "quality", "label": "质量", "weight": 1}]}

    @hookimpl
    def round_templates(self):
        return {"acme-review": {"title": "Acme 班组评议", "scale": "acme-five",
                                "criteria": "acme-values", "anonymity_min": 1,
                                "groups": [{"key": "crew", "label": "班组"}],
                                "rules": {"acme_safety_floor": 60}}}

    @hookimpl
    def rule_names(self):
        return {"acme_safety_floor": "safety score below which coaching is proposed"}

    @hookimpl
    def register_exporters(self):
        def export(result, spec):
            return "".join(f"{s['key']}={s['score']}\n" for s in result["subjects"]).encode()

        return [Exporter("acme-txt", "text/plain", "txt", export, "Acme")]

    @hookimpl
    def validate_ballot(self, spec, answers):
        # The same grade for everything on a ballot of several people is
        # not an appraisal (盲投): a message for the whole ballot.
        if len({s for s, _ in answers}) > 1 and len(set(answers.values())) == 1:
            return [(None, "Please grade each person on their own merits.")]
        return []

    @hookimpl
    def score_subject(self, spec, subject):
        scores = [c["score"] for c in subject["criteria"].values()]
        return None if None in scores else min(scores)

    @hookimpl
    def classify_subjects(self, spec, result):
        floor = spec.rules.get("acme_safety_floor")
        verdicts = {None: {"flags": ["acme:checked"]}}
        for subject in result["subjects"]:
            safety = subject["criteria"]["safety"]["score"]
            if floor is not None and safety is not None and safety < floor:
                verdicts[subject["key"]] = {"proposal": "coaching", "flags": ["acme:safety"]}
        return verdicts

    @hookimpl
    def round_event(self, event, round, spec):
        self.events.append((event, dict(round), spec.title))


ACME_SPEC = """
template = "acme-review"

[[subjects]]
key = "li"
name = "李工"

[[subjects]]
key = "wu"
name = "吴工"
"""


def test_every_hook_of_a_plugin_written_from_nothing(cli, tmp_path, use_plugins):
    acme = Acme()
    use_plugins(("acme", acme))
    slug = create(cli, tmp_path, ACME_SPEC)
    round_ = db.session.scalar(select(Round).where(Round.slug == slug))
    spec = rounds_service.round_spec(round_)
    # grade_scales, criteria_sets and round_templates made the round:
    assert [o.label for o in spec.options] == ["5星", "4星", "3星", "2星", "1星"]
    assert [(c.key, c.weight, c.description) for c in spec.criteria] == [
        ("safety", 2, "零事故"), ("quality", 1, "")]
    assert spec.title == "Acme 班组评议" and spec.rules == {"acme_safety_floor": 60}

    cli("rounds", "open", slug)
    ballots = [("crew", {("li", "safety"): "5", ("li", "quality"): "3",
                         ("wu", "safety"): "2", ("wu", "quality"): "5"}),
               ("crew", {("li", "safety"): "4", ("li", "quality"): "4",
                         ("wu", "safety"): "2", ("wu", "quality"): "4"})]
    assert cli("ballots", "import", slug, paper_csv(tmp_path, ballots)).exit_code == 0
    cli("rounds", "close", slug)
    cli.count(slug)
    tally = json.loads(cli("tally", slug).output)
    assert outcome(tally) == {
        "li": (70.0, 1, None, []),  # min(safety 90, quality 70); default would be 83.33
        "wu": (40.0, 2, "coaching", ["acme:safety"]),  # safety 40 < 60
    }
    assert tally["flags"] == ["acme:checked"]
    assert cli("tally", slug, "--format", "acme-txt").output == "li=70\nwu=40\n"

    cli("rounds", "publish", slug)
    assert [(e, r["status"], t) for e, r, t in acme.events] == [
        ("created", "draft", "Acme 班组评议"), ("opened", "open", "Acme 班组评议"),
        ("closed", "closed", "Acme 班组评议"), ("counted", "counted", "Acme 班组评议"),
        ("published", "published", "Acme 班组评议")]
    assert {r["slug"] for _, r, _ in acme.events} == {slug}


def test_a_message_for_the_whole_ballot_is_shown_at_the_top(client, use_plugins):
    use_plugins(("acme", Acme()))
    spec = parse_spec(ACME_SPEC, **plugins.spec_context())
    round_ = rounds_service.create_round(spec, actor="test")
    open_round(round_)
    [code] = issue(round_, group="crew")
    client.get(f"/c/{code}")
    html = client.get("/ballot").get_data(as_text=True)
    data = {"csrf_token": csrf_token(html), **{f"q-{s}-{c}": "3" for s in (0, 1)
                                              for c in (0, 1)}}
    response = client.post("/ballot", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S)[0]
    assert "Please grade each person on their own merits." in summary
    assert count(Ballot) == 0


def test_the_first_score_wins_and_none_passes_on(use_plugins):
    class Tenfold:
        @hookimpl(tryfirst=True)
        def score_subject(self, subject):
            return None if subject["key"] == "li" else subject["score"] * 10

    use_plugins(("acme", Acme()), ("tenfold", Tenfold()))
    spec = parse_spec(ACME_SPEC, **plugins.spec_context())
    counts = Counts()
    counts.add_ballot("crew", {("li", "safety"): "5", ("li", "quality"): "1",
                               ("wu", "safety"): "3", ("wu", "quality"): "3"})
    scores = {s["key"]: s["score"] for s in plugins.tally(spec, counts)["subjects"]}
    # wu: Tenfold answers first (60 × 10); li: Tenfold passes, Acme's min(100, 20).
    assert scores == {"wu": 600, "li": 20}


def test_a_later_exporter_replaces_one_of_the_same_name(use_plugins):
    class PlainCsv:
        @hookimpl
        def register_exporters(self):
            return [Exporter("csv", "text/csv", "csv", lambda result, spec: b"plain\n")]

    use_plugins(("plain-csv", PlainCsv()))
    assert plugins.exporters()["csv"].export({}, None) == b"plain\n"
    assert "json" in plugins.exporters()


# -- plugins that raise, or answer nonsense ------------------------------------------------

def raising(hook: str):
    """A plugin whose one hook raises, like a plugin with a bug."""
    def broken(**_):
        raise RuntimeError(f"bug in {hook}")

    return types.SimpleNamespace(**{hook: hookimpl(broken)})


@pytest.mark.parametrize("hook", ["grade_scales", "criteria_sets", "round_templates",
                                  "register_exporters"])
def test_a_registry_that_raises_stops_start_up_naming_the_plugin(hook, use_plugins, tmp_path):
    use_plugins(("acme-broken", raising(hook)))
    with pytest.raises(plugins.PluginError) as error:
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite",
                    "SECRET_KEY": "x"})
    assert str(error.value) == (f"plugin 'acme-broken' failed in {hook}: "
                                f"RuntimeError: bug in {hook}")


def test_an_invalid_registration_stops_start_up_naming_the_plugin(use_plugins):
    bad = types.SimpleNamespace(grade_scales=hookimpl(
        lambda: {"one-grade": [{"key": "ok", "label": "好", "points": 1}]}))
    use_plugins(("acme-bad", bad))
    with pytest.raises(plugins.PluginError) as error:
        plugins.registries()
    assert error.value.plugin == "acme-bad"
    assert "registers an invalid scale 'one-grade'" in str(error.value)
    assert "needs at least 2 options" in str(error.value)


def test_a_misspelt_rule_is_refused_with_the_name_meant(cli, tmp_path):
    """Through a real plugin: party-member-appraisal declares excellent_quota;
    a round that misspells it would silently get the template's 1/3."""
    path = tmp_path / "round.toml"
    path.write_text('template = "party-member-appraisal"\n'
                    'subjects = [{ key = "z", name = "张三" }, { key = "l", name = "李四" }]\n'
                    '[rules]\nexcelent_quota = "1/4"\n', encoding="utf-8")
    result = cli("rounds", "create", path)
    assert result.exit_code == 2
    # Reported like any other unknown key: file, line and field.
    assert (f'{path}:4 [rules.excelent_quota]: unknown key "excelent_quota" '
            f'(did you mean "excellent_quota"?)') in result.output
    assert count(Round) == 0


def test_a_template_setting_an_undeclared_rule_stops_start_up(use_plugins):
    sloppy = types.SimpleNamespace(round_templates=hookimpl(lambda: {"sloppy": {
        "scale": "four-grade", "rules": {"quota": "1/3"}}}))
    use_plugins(("acme-sloppy", sloppy))
    with pytest.raises(plugins.PluginError) as error:
        plugins.registries()
    assert error.value.plugin == "acme-sloppy"
    assert "registers an invalid template 'sloppy'" in str(error.value)
    assert 'rules.quota' in str(error.value) and 'unknown key "quota"' in str(error.value)
    declaring = types.SimpleNamespace(rule_names=hookimpl(lambda: {"quota": "a share"}))
    use_plugins(("acme-sloppy", sloppy), ("acme-rules", declaring))
    assert plugins.registries()["round_templates"]["sloppy"]["rules"] == {"quota": "1/3"}


@pytest.mark.parametrize(("declaration", "says"), [
    ({"type": "percent", "help": "a share"}, "type must be one of"),
    ({"type": "choice", "help": "one of them"}, "needs a list of choices"),
    ({"type": "share"}, "needs a help text"),
    ({"help": "a share", "min": 0}, "unknown keys: min"),
])
def test_a_rule_declared_as_a_table_of_the_wrong_shape_stops_start_up(use_plugins, declaration,
                                                                       says):
    odd = types.SimpleNamespace(rule_names=hookimpl(lambda: {"x": declaration}))
    use_plugins(("acme-odd", odd))
    with pytest.raises(plugins.PluginError, match="plugin 'acme-odd'") as error:
        plugins.registries()
    assert says in str(error.value)


def test_a_rule_of_type_options_refuses_a_misspelt_option(use_plugins):
    keyed = types.SimpleNamespace(rule_names=hookimpl(lambda: {
        "cap": {"type": "options", "help": "at most that share of a grade"}}))
    use_plugins(("acme-keyed", keyed))
    assert plugins.rule_names()["cap"].startswith("{option = ")
    with pytest.raises(SpecErrors, match=r"rules\.cap\.excelent.*did you mean"):
        parse_spec('title = "t"\nscale = "four-grade"\ngroups = [{ key = "g", label = "G" }]\n'
                   'subjects = [{ key = "z", name = "张三" }]\n'
                   'rules = { cap = { excelent = "1/3" } }\n', **plugins.spec_context())


def test_rule_descriptions_must_be_text(use_plugins):
    use_plugins(("acme-odd", types.SimpleNamespace(rule_names=hookimpl(lambda: {"x": 1}))))
    with pytest.raises(plugins.PluginError, match="plugin 'acme-odd'.*description"):
        plugins.registries()


def test_the_command_line_reports_a_broken_plugin_in_one_line(use_plugins, tmp_path,
                                                                monkeypatch):
    from surveyapp.cli import cli as main

    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")  # FlaskGroup sets it; restored after
    use_plugins(("acme-broken", raising("grade_scales")))
    result = CliRunner().invoke(main, ["plugins", "list"])
    assert result.exit_code == 1
    assert result.output.strip() == ("Error: plugin 'acme-broken' failed in grade_scales: "
                                     "RuntimeError: bug in grade_scales")


def test_validate_raising_on_the_web_stores_nothing(app, client, use_plugins):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: a 500 page
    spec = parse_spec(PARTY_SPEC, **plugins.spec_context())
    round_ = rounds_service.create_round(spec, actor="test")
    open_round(round_)
    # Broken after the round was created (say, upgraded mid-round); a plugin
    # broken already is refused at creation, see the test after these.
    use_plugins(("acme-broken", raising("validate_ballot")))
    [code] = issue(round_)
    client.get(f"/c/{code}")
    html = client.get("/ballot").get_data(as_text=True)
    data = {"csrf_token": csrf_token(html), **{f"q-{i}-0": "qualified" for i in range(4)}}
    assert client.post("/ballot", data=data).status_code == 500
    assert count(Ballot) == 0 and count(Answer) == 0
    assert db.session.scalar(select(VoterCode.status)) == "issued"


def test_validate_raising_on_paper_import_stores_nothing(cli, tmp_path, use_plugins):
    slug = create(cli, tmp_path, PARTY_SPEC)
    cli("rounds", "open", slug)
    use_plugins(("acme-broken", raising("validate_ballot")))  # broken mid-round
    audits = count(AuditEvent)
    result = cli("ballots", "import", slug, paper_csv(tmp_path, member_ballots("QQQQ")))
    assert result.exit_code == 1
    assert "Error: plugin 'acme-broken' failed in validate_ballot" in result.output
    assert count(Ballot) == 0 and count(AuditEvent) == audits


@pytest.mark.parametrize("hook", ["score_subject", "classify_subjects"])
def test_score_or_classify_raising_fails_the_count_and_changes_nothing(hook, cli, tmp_path,
                                                                       use_plugins):
    """The result is decided when the round is counted (and kept): a scoring
    plugin that breaks after the vote stops the count, which changes nothing."""
    slug = create(cli, tmp_path, PARTY_SPEC)
    cli("rounds", "open", slug)
    cli("ballots", "import", slug, paper_csv(tmp_path, member_ballots(*["QQQQ"] * 5)))
    cli("rounds", "close", slug)
    use_plugins(("acme-broken", raising(hook)))  # broken after the vote
    audits = count(AuditEvent)
    result = cli.count(slug)
    assert result.exit_code == 1
    assert f"Error: plugin 'acme-broken' failed in {hook}: RuntimeError" in result.output
    assert count(Ballot) == 5 and count(AuditEvent) == audits and count(BoardSum) == 0
    assert db.session.scalar(select(Round.status)) == "closed"
    assert db.session.scalar(select(Round.result_json)) is None


@pytest.mark.parametrize("hook", ["validate_ballot", "score_subject", "classify_subjects"])
def test_a_plugin_already_broken_is_refused_when_a_round_is_created(hook, cli, tmp_path,
                                                                     use_plugins):
    use_plugins(("acme-broken", raising(hook)))
    path = tmp_path / "round.toml"
    path.write_text(PARTY_SPEC, encoding="utf-8")
    result = cli("rounds", "create", str(path))
    assert result.exit_code == 2
    assert f"plugin 'acme-broken' failed in {hook}" in result.output
    assert count(Round) == 0


def test_a_failing_round_event_is_logged_and_the_change_stands(cli, tmp_path, use_plugins,
                                                                caplog):
    acme = Acme()
    use_plugins(("acme", acme), ("acme-broken", raising("round_event")))
    slug = create(cli, tmp_path, ACME_SPEC)
    with caplog.at_level(logging.ERROR, logger="surveyapp.plugins"):
        result = cli("rounds", "open", slug)
    assert result.exit_code == 0
    assert db.session.scalar(select(Round.status)) == "open"
    assert [e for e, _, _ in acme.events] == ["created", "opened"]  # the others still hear
    failure = "plugin 'acme-broken' failed in round_event: RuntimeError: bug in round_event"
    assert [r.getMessage() for r in caplog.records if r.name == "surveyapp.plugins"] == [
        f"{failure} (round {slug} stays draft)", f"{failure} (round {slug} stays open)"]


@pytest.mark.parametrize(("hook", "answer", "complaint"), [
    ("validate_ballot", lambda **_: ["too many"], "(subject_key or None, message) pairs"),
    ("score_subject", lambda **_: 0.1, "exact number (int or Fraction) or None, got float"),
    ("classify_subjects", lambda **_: {"nobody": {"flags": ["x"]}},
     "'nobody', which is not a subject"),
    ("classify_subjects", lambda **_: {"a": {"flags": "x"}}, "must be a list of strings"),
    ("classify_subjects", lambda **_: {"a": {"grade": "x"}}, 'with "proposal" and/or "flags"'),
])
def test_answers_of_the_wrong_shape_name_the_plugin(hook, answer, complaint, use_plugins):
    use_plugins(("acme-odd", types.SimpleNamespace(**{hook: hookimpl(answer)})))
    spec = parse_spec(PARTY_SPEC, **plugins.spec_context())
    counts = Counts()
    for _ in range(5):  # anonymity_min: fewer and nothing is scored
        counts.add_ballot("members", {(k, "overall"): "qualified" for k in "abcd"})
    with pytest.raises(plugins.PluginError) as error:
        plugins.validate_ballot(spec, {("a", "overall"): "qualified"})
        plugins.tally(spec, counts)
    assert error.value.plugin == "acme-odd" and complaint in str(error.value)


def test_hook_wrappers_and_misspelt_hooks_are_refused(use_plugins):
    class Wrapper:
        @hookimpl(wrapper=True)
        def score_subject(self, subject):
            return (yield)

    with pytest.raises(plugins.PluginError, match="'wrapper' wraps score_subject"):
        use_plugins(("wrapper", Wrapper()))

    class Typo:
        @hookimpl
        def score_subjects(self, subject):
            return 1

    with pytest.raises(plugins.PluginError, match="'typo' is invalid"):
        use_plugins(("typo", Typo()))

    class WrongArgument:
        @hookimpl
        def score_subject(self, subject, ballots):
            return 1

    with pytest.raises(plugins.PluginError, match="'wrong' is invalid: .*; Argument.*'ballots'"):
        use_plugins(("wrong", WrongArgument()))

    with pytest.raises(plugins.PluginError, match="'twice' cannot be registered"):
        use_plugins(("twice", Acme()), ("twice", Acme()))


# -- choosing plugins: SURVEYAPP_PLUGINS, entry points --------------------------------------

def names(manager) -> list[str]:
    return [name for name, _ in manager.list_name_plugin()]


def test_surveyapp_plugins_enables_and_disables_by_name(monkeypatch):
    monkeypatch.setenv("SURVEYAPP_PLUGINS", "cadre-evaluation")
    assert names(plugins.load_plugins()) == ["surveyapp", "cadre-evaluation"]
    monkeypatch.setenv("SURVEYAPP_PLUGINS", "-cadre-evaluation, -four-strong-four-excellent")
    assert names(plugins.load_plugins()) == ["surveyapp", "party-member-appraisal"]
    monkeypatch.setenv("SURVEYAPP_PLUGINS", "")
    assert names(plugins.load_plugins()) == ["surveyapp", *sorted(INSTALLED)]


def test_a_disabled_plugin_takes_its_templates_with_it(monkeypatch, use_plugins):
    use_plugins()
    monkeypatch.setenv("SURVEYAPP_PLUGINS", "-party-member-appraisal")
    plugins.use_plugin_manager(plugins.load_plugins())
    assert "party-member-appraisal" not in plugins.round_templates()
    assert "cadre-evaluation" in plugins.round_templates()


@pytest.mark.parametrize(("setting", "message"), [
    ("party-member-apraisal", "plugin 'party-member-apraisal' is named in SURVEYAPP_PLUGINS "
                              "but not installed; installed plugins: cadre-evaluation, "
                              "four-strong-four-excellent, party-member-appraisal"),
    ("-cadre", "plugin 'cadre' is named in SURVEYAPP_PLUGINS but not installed"),
    ("-surveyapp", "plugin 'surveyapp' is surveyapp's own behaviour and cannot be disabled"),
])
def test_a_typo_in_surveyapp_plugins_is_an_error(setting, message, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_PLUGINS", setting)
    with pytest.raises(plugins.PluginError) as error:
        plugins.load_plugins()
    assert str(error.value).startswith(message)


def fake_distribution(site, name: str, version: str, module: str, source: str) -> None:
    """An installed package with an entry point in the group surveyapp, as
    pip would leave it."""
    (site / f"{module}.py").write_text(source, encoding="utf-8")
    info = site / f"{module}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
                                   encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[surveyapp]\n{name} = {module}\n",
                                           encoding="utf-8")


def test_entry_point_plugins_load_and_one_that_cannot_be_imported_is_named(
        tmp_path, monkeypatch, use_plugins):
    site = tmp_path / "site"
    site.mkdir()
    fake_distribution(site, "acme-grades", "2.1.0", "acme_grades",
                      "from surveyapp.hookspecs import hookimpl\n\n\n@hookimpl\n"
                      "def grade_scales():\n    return {'acme-two': [\n"
                      "        {'key': 'pass', 'label': '通过', 'points': 1},\n"
                      "        {'key': 'fail', 'label': '不通过', 'points': 0}]}\n")
    fake_distribution(site, "acme-broken", "0.0.1", "acme_broken",
                      "import acme_vendor_sdk  # not installed\n")
    monkeypatch.syspath_prepend(str(site))

    with pytest.raises(plugins.PluginError) as error:
        use_plugins()
    assert str(error.value).startswith(
        "plugin 'acme-broken' (acme_broken) failed to load: ModuleNotFoundError")

    monkeypatch.setenv("SURVEYAPP_PLUGINS", "-acme-broken")
    plugins.use_plugin_manager(plugins.load_plugins())
    assert "acme-two" in plugins.grade_scales()
    info = {p["name"]: (p["version"], p["hooks"]) for p in plugins.plugin_info()}
    assert info["acme-grades"] == ("2.1.0", ["grade_scales"])
    assert "acme-broken" not in info


def test_plugin_info_of_an_unpackaged_plugin(use_plugins):
    acme = Acme()
    acme.__version__ = "3.0"
    use_plugins(("acme", acme), ("bare", raising("round_event")))
    info = {p["name"]: p for p in plugins.plugin_info()}
    assert info["acme"]["version"] == "3.0"
    assert info["acme"]["hooks"] == ["classify_subjects", "criteria_sets", "grade_scales",
                                     "register_exporters", "round_event", "round_templates",
                                     "rule_names", "score_subject", "validate_ballot"]
    assert (info["bare"]["version"], info["bare"]["hooks"]) == ("unknown", ["round_event"])


def test_the_pure_tally_is_the_service_tally(cli, tmp_path, use_plugins):
    """plugins.tally (what plugin tests use) agrees with the stored round's."""
    use_plugins()
    ballots = member_ballots("EQQQ", "QEQU", "QQEB", "QQQQ", "EQBU")
    tally = run_round(cli, tmp_path, PARTY_SPEC, ballots)
    spec = parse_spec(PARTY_SPEC, **plugins.spec_context())
    counts = Counts()
    for group, answers in ballots:
        counts.add_ballot(group, {(s, "overall"): o for (s, _), o in answers.items()})
    pure = plugins.tally(spec, counts)
    assert outcome(tally) == {s["key"]: (round(float(s["score"]), 2), s["rank"], s["proposal"],
                                         s["flags"]) for s in pure["subjects"]}
    assert isinstance(pure["subjects"][0]["score"], F)


# -- docs/plugins.md: its examples run, its tutorial's tests pass ---------------------------

DOCS = Path(__file__).resolve().parent.parent / "docs" / "plugins.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def doc_blocks(start: str, end: str) -> list[tuple[str, str]]:
    text = DOCS.read_text(encoding="utf-8")
    return BLOCK.findall(text[text.index(start):text.index(end)])


def test_every_hook_reference_example_runs(use_plugins, caplog):
    examples = [code for lang, code in doc_blocks("## Hook reference", "## Tutorial")
                if lang == "python"]
    modules = []
    for i, code in enumerate(examples):
        module = types.ModuleType(f"doc_example_{i}")
        exec(compile(code, f"{DOCS}:example {i}", "exec"), module.__dict__)
        modules.append((f"doc-{i}", module))
    manager = use_plugins(*modules)
    implemented = {h for _, m in modules for h in
                   (c.name for c in manager.get_hookcallers(m) or [])}
    assert implemented == {"grade_scales", "criteria_sets", "round_templates",
                           "register_exporters", "rule_names", "validate_ballot",
                           "score_subject", "classify_subjects", "round_event",
                           "campaign_standards"}
    assert plugins.campaign_standards()["four-strong-organisation"]["score"] == 90
    assert {"max_unqualified", "weakest_criterion", "trust_min"} <= set(plugins.rule_names())
    declared = plugins.rule_settings()
    assert [(declared[n].kind, declared[n].default) for n in (
        "max_unqualified", "weakest_criterion", "trust_min")] == [
        ("number", None), ("boolean", False), ("share", None)]
    assert plugins.rule_names()["weakest_criterion"].startswith("true: a person's")
    assert "trust" in plugins.grade_scales() and "ranking-txt" in plugins.exporters()
    assert parse_spec('template = "trust-vote"\nsubjects = [{ key = "z", name = "张三" }]\n',
                      **plugins.spec_context()).options[0].label == "满意"

    spec = parse_spec("""
title = "示例"
scale = "four-grade"
criteria = "team-basics"
groups = [{ key = "crew", label = "班组" }]
subjects = [{ key = "li", name = "李工" }, { key = "wu", name = "吴工" }]
rules = { max_unqualified = 1, weakest_criterion = true, trust_min = "1/2" }
""", **plugins.spec_context())
    both = {(s, c): "unqualified" for s in ("li", "wu") for c in ("safety", "teamwork")}
    assert plugins.validate_ballot(spec, both) == [("li", "每张选票最多评 1 个“不合格”。")]
    counts = Counts()
    for _ in range(5):
        counts.add_ballot("crew", {("li", "safety"): "excellent", ("li", "teamwork"): "basic",
                                   ("wu", "safety"): "qualified", ("wu", "teamwork"): "qualified"})
    result = plugins.tally(spec, counts)
    assert outcome(result) == {"wu": (80, 1, "unqualified", ["trust_below_min"]),
                               "li": (60, 2, "unqualified", ["trust_below_min"])}
    ranking = plugins.exporters()["ranking-txt"].export(result, spec).decode()
    assert ranking == "1\t吴工\t80.0\n2\t李工\t60.0\n"
    with caplog.at_level(logging.INFO, logger="acme.rounds"):
        plugins.emit("published", {"slug": "s1", "title": "示例", "status": "published"}, spec)
    assert "round s1 (示例) published: 2 subjects" in caplog.messages


def test_the_tutorial_plugin_passes_its_own_tests(tmp_path, monkeypatch):
    root = tmp_path / "surveyapp-team-review"
    for _, code in doc_blocks("## Tutorial", "## The example plugins"):
        first, _, rest = code.partition("\n")
        if first.startswith("# file: "):
            path = root / first.removeprefix("# file: ")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(rest, encoding="utf-8")
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["entry-points"]["surveyapp"] == {
        "team-review": "surveyapp_team_review"}
    monkeypatch.delenv("SURVEYAPP_PLUGINS", raising=False)
    # This checkout and its plugins, whatever an editable install points at.
    repo = Path(__file__).resolve().parents[1]
    checkout = [str(repo), *(str(p.parent) for p in sorted(repo.glob("plugins/*/pyproject.toml")))]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(root), *checkout]))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "tests"], cwd=root, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "4 passed" in run.stdout
