"""The command line covers every job the console does (issue 14, part 6): codes
voided and re-issued, rounds copied and deleted, the organisation tree, users,
the audit log.  Each command has --help with an example; bad input is one
line, exit status 2, nothing written."""

from __future__ import annotations

import csv

import click
import pytest
from flask import g
from sqlalchemy import func, select

from surveyapp.cli import COMMANDS
from surveyapp.database import db
from surveyapp.models import AuditEvent, Organisation, Round, User, VoterCode
from surveyapp.services import users as users_service

from .conftest import SPEC, login


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def create(cli, tmp_path, spec=SPEC, *extra) -> str:
    path = tmp_path / "round.toml"
    path.write_text(spec, encoding="utf-8")
    result = cli("rounds", "create", str(path), *extra)
    assert result.exit_code == 0, result.output
    return result.output.strip()


def leaf_commands():
    for command in COMMANDS:
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                yield [command.name, name], sub
        else:
            yield [command.name], command


@pytest.mark.parametrize("path", [p for p, _ in leaf_commands()], ids=" ".join)
def test_every_command_shows_an_example_in_its_help(cli, path):
    result = cli(*path, "--help")
    assert result.exit_code == 0, result.output
    if path[0] in ("serve", "demo", "backup", "plugins", "ballots", "tally", "comments",
                   "board"):
        return  # commands older than this contract; the README shows them
    shown = " ".join(result.output.split())
    assert "Example: " in shown and "surveyapp " + " ".join(path) in shown.split("Example: ")[1]


# -- codes ---------------------------------------------------------------------------------

def test_void_a_batch_or_listed_codes_and_reissue_a_lost_batch(cli, tmp_path):
    slug = create(cli, tmp_path)
    first = tmp_path / "first.csv"
    assert cli("codes", "issue", slug, "--group", "members", "--count", "3",
               "--csv", first).exit_code == 0
    assert cli("codes", "issue", slug, "--group", "masses", "--count", "2").exit_code == 0
    listed = cli("codes", "batches", slug).output.splitlines()
    assert listed == ["batch\tgroup\tunused\tused\tvoid", "1\tmembers\t3\t0\t0",
                      "2\tmasses\t2\t0\t0"]

    # One code of the first sheet, listed in the CSV format `codes issue` writes.
    rows = list(csv.DictReader(first.open(encoding="utf-8-sig")))
    one = tmp_path / "one.csv"
    one.write_text("code,group,url\n" + f"{rows[0]['code']},members,x\n", encoding="utf-8")
    result = cli("codes", "void", slug, "--codes", one)
    assert result.exit_code == 0 and "1 of 1 codes voided" in result.output

    new = tmp_path / "new.csv"
    result = cli("codes", "reissue", slug, "--batch", "1", "--csv", new)
    assert result.exit_code == 0, result.output
    assert "2 codes for members written to" in result.output
    assert len(list(csv.DictReader(new.open(encoding="utf-8-sig")))) == 2
    assert cli("codes", "batches", slug).output.splitlines()[1:] == [
        "1\tmembers\t0\t0\t3", "2\tmasses\t2\t0\t0", "3\tmembers\t2\t0\t0"]

    result = cli("codes", "void", slug, "--batch", "2")
    assert result.exit_code == 0 and "2 unused codes of batch 2 voided" in result.output
    assert count(VoterCode, VoterCode.status == "issued") == 2


def test_bad_code_input_is_one_line_exit_2_and_voids_nothing(cli, tmp_path):
    slug = create(cli, tmp_path)
    assert cli("codes", "issue", slug, "--group", "members", "--count", "2").exit_code == 0
    bad = tmp_path / "bad.txt"
    bad.write_text("not-a-code-at-all\n", encoding="utf-8")
    cases = [("codes", "void", slug, "--codes", bad),
             ("codes", "void", slug),
             ("codes", "void", slug, "--batch", "9"),
             ("codes", "reissue", slug, "--batch", "9"),
             ("codes", "void", "nosuchslug", "--batch", "1")]
    for args in cases:
        result = cli(*args)
        assert result.exit_code == 2, (args, result.output)
        assert len(result.output.strip().splitlines()) == 1, result.output
    assert "bad.txt:1: not a code" in cli(*cases[0]).output
    assert count(VoterCode, VoterCode.status == "issued") == 2


def test_codes_of_a_closed_round_cannot_be_voided_or_reissued(cli, tmp_path):
    slug = create(cli, tmp_path)
    assert cli("codes", "issue", slug, "--group", "members", "--count", "2").exit_code == 0
    assert cli("rounds", "open", slug).exit_code == 0
    assert cli("rounds", "close", slug).exit_code == 0
    for args in (("void", slug, "--batch", "1"), ("reissue", slug, "--batch", "1")):
        result = cli("codes", *args)
        assert result.exit_code == 2 and "can no longer change" in result.output
    assert count(VoterCode, VoterCode.status == "issued") == 2
    assert count(VoterCode) == 2


# -- rounds: copy and delete -----------------------------------------------------------------

def test_copy_makes_next_years_draft_with_the_same_settings(cli, tmp_path):
    spec = SPEC + '\n[trustees]\nnames = ["张三", "李四"]\nthreshold = 2\n'
    slug = create(cli, tmp_path, spec)
    assert cli("rounds", "open", slug).exit_code == 0
    result = cli("rounds", "copy", slug)
    assert result.exit_code == 0, result.output
    copy = db.session.scalar(select(Round).where(Round.slug == result.output.strip()))
    first = db.session.scalar(select(Round).where(Round.slug == slug))
    assert copy.status == "draft" and copy.title == "2027年度民主评议党员"
    assert copy.org_id == first.org_id and copy.trustee_names == first.trustee_names
    for part, attribute in (("groups", "weight"), ("subjects", "name"), ("options", "points")):
        assert ([(r.key, getattr(r, attribute)) for r in getattr(copy, part)]
                == [(r.key, getattr(r, attribute)) for r in getattr(first, part)])
    assert copy.public_key is None and count(VoterCode, VoterCode.round_id == copy.id) == 0
    titled = cli("rounds", "copy", slug, "--title", "2027年度群众评议").output.strip()
    assert db.session.scalar(select(Round.title).where(Round.slug == titled)) == "2027年度群众评议"
    assert cli("rounds", "copy", slug, "--title", " ").exit_code == 2


def test_delete_only_drafts_keeping_the_audit_trail(cli, tmp_path):
    slug = create(cli, tmp_path)
    assert cli("codes", "issue", slug, "--group", "members", "--count", "2").exit_code == 0
    result = cli("rounds", "delete", slug, "--yes")
    assert result.exit_code == 0, result.output
    assert count(Round) == 0 and count(VoterCode) == 0
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"round.create", "codes.issue", "round.delete"} <= actions

    opened = create(cli, tmp_path)
    assert cli("rounds", "open", opened).exit_code == 0
    result = cli("rounds", "delete", opened, "--yes")
    assert result.exit_code == 2 and "only a draft round can be deleted" in result.output
    assert count(Round) == 1
    assert cli("rounds", "delete", create(cli, tmp_path), input="n\n").exit_code == 2
    assert count(Round) == 2


# -- the organisation tree --------------------------------------------------------------------

def test_orgs_create_list_and_move(cli):
    top = cli("orgs", "create", "示例集团", "--kind", "企业").output.strip()
    committee = cli("orgs", "create", "机关党委", "--kind", "党委", "--parent", top)
    assert committee.exit_code == 0, committee.output
    assert cli("orgs", "create", "第一党支部", "--parent", "机关党委").exit_code == 0
    other = cli("orgs", "create", "生产党委", "--kind", "党委", "--parent", "示例集团")
    assert other.exit_code == 0
    listed = cli("orgs", "list").output.splitlines()
    assert [line.split("\t")[1] for line in listed] == [
        "企业 示例集团", "  党委 机关党委", "    党支部 第一党支部", "  党委 生产党委"]
    result = cli("orgs", "move", "第一党支部", "--parent", "生产党委")
    assert result.exit_code == 0 and result.output.strip() == "示例集团 / 生产党委 / 第一党支部"
    assert cli("orgs", "list").output.splitlines()[-1].split("\t")[1] == "    党支部 第一党支部"


def test_orgs_bad_input_is_one_line_exit_2(cli):
    cli("orgs", "create", "机关党委", "--kind", "党委")
    cli("orgs", "create", "第一党支部", "--parent", "机关党委")
    before = count(Organisation)
    cases = {("orgs", "create", "第二党支部", "--parent", "没有这个党委"): "no organisation",
             ("orgs", "create", "第一党支部", "--parent", "机关党委"): "already has",
             ("orgs", "create", "", "--parent", "机关党委"): "1 to 200 characters",
             ("orgs", "move", "机关党委", "--parent", "第一党支部"): "under itself",
             ("orgs", "move", "机关党委"): "--parent NAME or --top",
             ("orgs", "create", "x", "--kind", "小组"): "Invalid value"}
    for args, words in cases.items():
        result = cli(*args)
        assert result.exit_code == 2, (args, result.output)
        assert words in result.output, (args, result.output)
    assert count(Organisation) == before


# -- users -----------------------------------------------------------------------------------

def test_users_list_reset_password_disable_and_assign(cli, client):
    for name, role in (("root", "--admin"), ("zhang", "--secretary")):
        assert cli("users", "create", name, role, "--org", "第一党支部",
                   "--password-stdin", input="a good password\n").exit_code == 0
    assert cli("orgs", "create", "第二党支部").exit_code == 0
    assert cli("users", "list").output.splitlines() == [
        "root\tadmin\t第一党支部", "zhang\tsecretary\t第一党支部"]
    result = cli("users", "reset-password", "zhang", "--password-stdin",
                 input="another good one\n")
    assert result.exit_code == 0, result.output
    assert login(client, "zhang", "another good one").status_code == 302
    assert cli("users", "disable", "zhang").exit_code == 0
    assert "zhang\tsecretary\t第一党支部\tdisabled" in cli("users", "list").output
    # Disabled: the open session ends and a new login fails.  (Requests in tests share
    # the test's app context, where Flask-Login caches the user; a server does not.)
    g.pop("_login_user", None)
    assert client.get("/admin/").status_code == 302
    assert login(client, "zhang", "another good one").status_code == 400
    assert cli("users", "disable", "zhang", "--enable").exit_code == 0
    assigned = cli("users", "assign", "zhang", "--org", "第二党支部")
    assert assigned.output.strip() == "zhang → 第二党支部"
    actions = list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("user.%"))))
    assert {"user.password", "user.disable", "user.enable", "user.assign"} <= set(actions)


def test_users_bad_input_is_one_line_exit_2(cli):
    assert cli("users", "create", "root", "--admin", "--password-stdin",
               input="a good password\n").exit_code == 0
    before = db.session.scalar(select(User.password_hash))
    for args, stdin, words in [
            (("users", "reset-password", "nobody", "--password-stdin"), "long enough", "no user"),
            (("users", "reset-password", "root", "--password-stdin"), "short\n", "at least 8"),
            (("users", "disable", "root"), None, "last enabled administrator"),
            (("users", "assign", "root", "--org", "没有"), None, "no organisation")]:
        result = cli(*args, input=stdin)
        assert result.exit_code == 2, result.output
        assert words in result.output and len(result.output.strip().splitlines()) == 1
    db.session.expire_all()
    assert db.session.scalar(select(User.password_hash)) == before
    assert not users_service.find("root").disabled


# -- the audit log ---------------------------------------------------------------------------

def test_audit_prints_the_log_newest_first(cli, tmp_path):
    slug = create(cli, tmp_path)
    other = create(cli, tmp_path)
    assert cli("codes", "issue", slug, "--group", "members", "--count", "2").exit_code == 0
    lines = cli("audit").output.splitlines()
    assert [line.split("\t")[3] for line in lines] == ["codes.issue", "round.create",
                                                        "round.create"]
    assert lines[0].split("\t")[1:3] == ["cli", slug]
    assert "group=members count=2 batch=1" in lines[0]
    only = cli("audit", "--round", other, "--limit", "5").output.splitlines()
    assert len(only) == 1 and other in only[0]
    assert cli("audit", "--round", "nope").exit_code == 2
