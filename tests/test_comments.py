"""The review of comments (意见建议): counted, read in their random order on
the results page and in the exports, shown, hidden or redacted one by one
before anything reaches the 公示, audited without their text, and only
ever shown pooled, never per voter group."""

from __future__ import annotations

import csv
import io
import json
import re

import openpyxl
from flask_babel import refresh
from pypdf import PdfReader
from sqlalchemy import inspect, select

from surveyapp.database import db
from surveyapp.domain.spec import parse_spec
from surveyapp.models import AuditEvent, Comment, Round
from surveyapp.services import comments as comments_service
from surveyapp.services import publication
from surveyapp.services import rounds as rounds_service
from surveyapp.services.rounds import create_round
from surveyapp.services.voting.casting import cast
from surveyapp.services.voting.structure import structure_of

from . import conftest
from .conftest import SPEC, count_round, csrf_token, open_round

NAMED = "张三同志经常迟到，希望改进"
REDACTED = "××同志经常迟到，希望改进"
PLAIN = "食堂排队太久"
RUDE = "某某某是个骗子"
WRITTEN = [NAMED, PLAIN, RUDE]


def counted_round(org, texts=WRITTEN, *, spec=SPEC, ballots=None):
    """A counted round of ``org`` whose ballots carry ``texts`` as comments
    (and, with ``ballots``, that many ballots in all, the rest without)."""
    round_ = create_round(parse_spec(spec), actor="test", org=org)
    open_round(round_)
    structure = structure_of(round_)
    criterion = round_.criteria[0].key
    answers = {(s.key, criterion): "qualified" for s in round_.subjects}
    total = max(len(texts), ballots or 0)
    for i in range(total):
        group = structure.groups[i % len(structure.groups)]
        cast(structure, group, answers, comment=texts[i] if i < len(texts) else "")
    rounds_service.transition(round_, "close", actor="test")
    count_round(round_)
    db.session.commit()
    return round_


def stored(round_) -> list[Comment]:
    db.session.expire_all()
    return list(db.session.scalars(select(Comment).where(Comment.round_id == round_.id)
                                   .order_by(Comment.id)))


def by_text(round_) -> dict[str, Comment]:
    return {c.text: c for c in stored(round_)}


def login(client, name="a"):
    assert conftest.login(client, name).status_code == 302
    return client


def page(client, round_) -> str:
    return client.get(f"/admin/rounds/{round_.slug}/results").get_data(as_text=True)


def review(client, round_, comment, decision, redacted=None, **kwargs):
    token = csrf_token(page(client, round_))
    data = {"csrf_token": token, "decision": decision}
    if redacted is not None:
        data["redacted"] = redacted
    return client.post(f"/admin/rounds/{round_.slug}/comments/{comment.id}", data=data,
                       **kwargs)


def publish(client, round_, fields):
    token = csrf_token(page(client, round_))
    return client.post(f"/admin/rounds/{round_.slug}/results/publish",
                       data={"csrf_token": token, "fields": fields, "confirm": "y"})


def section(html: str, heading_id: str) -> str:
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start:html.index("</section>", start)]


def reviewed_as_planned(client, round_) -> dict[str, Comment]:
    """NAMED redacted, PLAIN shown, RUDE hidden, through the console."""
    comments = by_text(round_)
    assert review(client, round_, comments[NAMED], "redact", REDACTED).status_code == 303
    assert review(client, round_, comments[PLAIN], "show").status_code == 303
    assert review(client, round_, comments[RUDE], "hide").status_code == 303
    return by_text(round_)


# -- the console --------------------------------------------------------------------------------

def test_counted_comments_are_read_in_their_stored_order_and_reviewed_in_the_console(
        client, orgs):
    round_ = counted_round(orgs["a"])
    login(client)
    html = section(page(client, round_), "comments-h")
    # Every comment, pending, in the stored random order (by random id): stable, not cast order.
    order = [c.text for c in stored(round_)]
    assert sorted(order) == sorted(WRITTEN)
    assert sorted(order, key=html.index) == order
    assert html.count("待审核") == 1 + 3  # the count, and each comment's badge
    assert all(c.decision == "pending" and c.shown_text is None for c in stored(round_))

    comments = by_text(round_)
    response = review(client, round_, comments[NAMED], "redact", REDACTED)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/admin/rounds/{round_.slug}/results#comment-{comments[NAMED].id}")
    review(client, round_, comments[PLAIN], "show")
    review(client, round_, comments[RUDE], "hide")
    after = by_text(round_)
    assert (after[NAMED].decision, after[NAMED].shown_text) == ("redact", REDACTED)
    assert (after[PLAIN].decision, after[PLAIN].shown_text) == ("show", None)
    assert (after[RUDE].decision, after[RUDE].shown_text) == ("hide", None)
    assert [c.text for c in stored(round_)] == order  # deciding does not reorder

    html = section(page(client, round_), "comments-h")
    # The console still shows every original, the redacted one beside its redaction.
    assert NAMED in html and REDACTED in html and RUDE in html and PLAIN in html
    assert "公示页显示：" in html and "原文（仅您可见）：" in html
    # Back to pending, and a decision for a comment of another round is a 404.
    review(client, round_, after[NAMED], "pending")
    assert by_text(round_)[NAMED].decision == "pending"
    assert by_text(round_)[NAMED].shown_text is None
    other = counted_round(orgs["a"], ["别的评议的意见", "再一条"])
    stranger = stored(other)[0]
    url = f"/admin/rounds/{round_.slug}/comments/{stranger.id}"
    assert client.post(url, data={"csrf_token": csrf_token(page(client, round_)),
                                  "decision": "hide"}).status_code == 404
    assert by_text(other)["别的评议的意见"].decision == "pending"


def test_a_refused_redaction_without_javascript_keeps_what_was_typed(client, orgs):
    round_ = counted_round(orgs["a"])
    login(client)
    named = by_text(round_)[NAMED]
    for typed, message in [("   ", "遮盖后的文本为空"), (NAMED, "与原文相同"),
                           ("长" * 2001, "超过 2000 个字")]:
        response = review(client, round_, named, "redact", typed)
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        item = html[html.index(f'id="comment-{named.id}"'):]
        item = item[:item.index("</li>")]
        assert message in item and 'role="alert"' in item
        assert f">{typed.strip() or ''}</textarea>" in item or typed.strip() == ""
    assert by_text(round_)[NAMED].decision == "pending"
    assert review(client, round_, named, "publish").status_code == 400  # no such decision
    assert not db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "comment.review")).all()


def test_htmx_swaps_one_comment_and_the_counts(client, orgs):
    round_ = counted_round(orgs["a"])
    login(client)
    plain = by_text(round_)[PLAIN]
    response = review(client, round_, plain, "show",
                      headers={"HX-Request": "true", "HX-Target": f"comment-{plain.id}"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<li class="comment decision-show" id="comment-{plain.id}"')
    assert "<html" not in html and NAMED not in html  # this comment only
    tally = html[html.index('id="comment-tally"'):]
    assert 'hx-swap-oob="true"' in tally and "待审核 2" in tally and "显示 1" in tally
    assert 'id="comments-pending" hx-swap-oob="true"' in html
    refused = review(client, round_, plain, "redact", "",
                     headers={"HX-Request": "true", "HX-Target": f"comment-{plain.id}"})
    assert refused.status_code == 400 and "遮盖后的文本为空" in refused.get_data(as_text=True)


def test_comments_wait_for_the_count(client, orgs):
    round_ = create_round(parse_spec(SPEC), actor="test", org=orgs["a"])
    open_round(round_)
    structure = structure_of(round_)
    cast(structure, structure.groups[0], {(s.key, "overall"): "qualified"
                                          for s in round_.subjects}, comment=PLAIN)
    rounds_service.transition(round_, "close", actor="test")
    db.session.commit()
    login(client)
    assert "意见建议" not in page(client, round_)
    response = client.post(f"/admin/rounds/{round_.slug}/comments/x",
                           data={"csrf_token": csrf_token(page(client, round_)),
                                 "decision": "show"})
    assert response.status_code == 409
    assert db.session.scalars(select(Comment)).all() == []  # still sealed


# -- the 公示 ------------------------------------------------------------------------------------

def test_pending_comments_never_reach_the_public_page(client, orgs):
    round_ = counted_round(orgs["a"])
    login(client)
    publish_html = section(page(client, round_), "publish-h")
    assert 'value="comments"' in publish_html and "3 条意见尚待审核" in publish_html
    # Chosen while any is pending: refused, saying why, with the choice kept.
    response = publish(client, round_, ["unit", "comments"])
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "3 条意见尚未审核" in html
    assert re.search(r'<input[^>]*checked[^>]*value="comments"', html)
    db.session.expire_all()
    assert round_.status == "counted"
    # Published without them (the default): no comment in the snapshot or on the page.
    reviewed_as_planned(client, round_)
    assert review(client, round_, by_text(round_)[PLAIN], "pending").status_code == 303
    assert publish(client, round_, ["unit"]).status_code == 302
    db.session.expire_all()
    assert "comments" not in json.loads(round_.publish_json)
    public = client.get(f"/p/{round_.slug}").get_data(as_text=True)
    assert not any(text in public for text in [*WRITTEN, REDACTED])
    assert "意见建议" not in public


def test_redacted_text_replaces_the_original_in_public_and_hidden_ones_show_nowhere(
        client, orgs):
    round_ = counted_round(orgs["a"])
    login(client)
    reviewed_as_planned(client, round_)
    assert publish(client, round_, ["unit", "comments"]).status_code == 302
    db.session.expire_all()
    assert round_.status == "published"
    snapshot = json.loads(round_.publish_json)
    assert "comments" in snapshot["fields"]
    # The stored order, shown and redacted ones only; nothing else of them in the snapshot.
    order = [c for c in stored(round_) if c.decision != "hide"]
    assert snapshot["comments"] == [c.shown_text or c.text for c in order]
    assert set(snapshot["comments"]) == {REDACTED, PLAIN}
    assert NAMED not in round_.publish_json and RUDE not in round_.publish_json
    public = client.get(f"/p/{round_.slug}").get_data(as_text=True)
    comments_html = section(public, "comments-h")
    assert REDACTED in comments_html and PLAIN in comments_html
    assert NAMED not in public and RUDE not in public
    # The console still shows the originals to the secretary.
    console = page(client, round_)
    assert NAMED in console and RUDE in console and "公示后不能更改" in console
    assert "下方列出：2 条意见（已审核）" in section(console, "publish-h")


def test_a_decision_changes_only_after_unpublishing(client, orgs):
    round_ = counted_round(orgs["a"])
    login(client)
    comments = reviewed_as_planned(client, round_)
    assert publish(client, round_, ["comments"]).status_code == 302
    assert 'name="decision"' not in page(client, round_)  # no review form once published
    response = review(client, round_, comments[RUDE], "show")
    assert response.status_code == 409
    assert "请先撤回公示" in response.get_data(as_text=True)
    assert by_text(round_)[RUDE].decision == "hide"
    token = csrf_token(page(client, round_))
    client.post(f"/admin/rounds/{round_.slug}/results/unpublish", data={"csrf_token": token})
    assert review(client, round_, comments[RUDE], "show").status_code == 303
    # Published again (the CLI takes the last choice), the 公示 follows the new decision.
    publication.publish(db.session.get(Round, round_.id), actor="test")
    assert RUDE in client.get(f"/p/{round_.slug}").get_data(as_text=True)


# -- the audit log ------------------------------------------------------------------------------

def test_the_review_is_audited_with_decisions_never_with_text(client, orgs):
    round_ = counted_round(orgs["a"])
    login(client)
    comments = reviewed_as_planned(client, round_)
    review(client, round_, comments[PLAIN], "show")  # the same again: nothing new to record
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "comment.review").order_by(AuditEvent.id)).all()
    assert [(e.actor, e.detail) for e in events] == [
        ("a", f"comment={comments[NAMED].id[:8]} decision=redact"),
        ("a", f"comment={comments[PLAIN].id[:8]} decision=show"),
        ("a", f"comment={comments[RUDE].id[:8]} decision=hide")]
    log = client.get(f"/admin/rounds/{round_.slug}/audit").get_data(as_text=True)
    assert log.count("审核了一条意见") == 3
    everything = " ".join(f"{e.action} {e.detail}" for e in db.session.scalars(
        select(AuditEvent)))
    for text in [*WRITTEN, REDACTED, "张三", "迟到", "骗子", "食堂"]:
        assert text not in everything and text not in log


# -- exports ------------------------------------------------------------------------------------

def export(client, round_, fmt):
    response = client.get(f"/admin/rounds/{round_.slug}/results/export/{fmt}")
    assert response.status_code == 200
    return response.data


def test_the_xlsx_has_a_sheet_of_comments_with_their_decisions(client, orgs):
    hostile = '=HYPERLINK("http://evil.example","点击")'
    round_ = counted_round(orgs["a"], [*WRITTEN, hostile, "第一行\n第二行\x01"])
    login(client)
    reviewed_as_planned(client, round_)
    book = openpyxl.load_workbook(io.BytesIO(export(client, round_, "xlsx")))
    assert book.sheetnames[-1] == "意见建议"
    sheet = book["意见建议"]
    assert sheet["A1"].value.endswith("意见建议")
    assert sheet["A2"].value == "共 5 条：待审核 2，显示 1，部分遮盖 1，隐藏 1"
    header = [c.value for c in sheet[3]]
    assert header == ["序号", "编号", "审核结果", "意见建议"]  # no voter group
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5, max_row=9)]
    expected = []
    for i, c in enumerate(stored(round_), start=1):
        label = {"pending": "待审核", "show": "显示", "redact": "部分遮盖", "hide": "隐藏"}
        text = {"redact": c.shown_text, "hide": "（已隐藏）"}.get(c.decision,
                                                              c.text.replace("\x01", "\ufffd"))
        expected.append([i, c.id[:8], label[c.decision], text])
    assert rows == expected
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert NAMED not in cells and RUDE not in cells  # the originals stay in the console
    hostile_cell = next(c for row in sheet.iter_rows() for c in row if c.value == hostile)
    assert hostile_cell.data_type == "s"  # text, never a formula


def test_the_pdf_lists_the_comments_on_a_page_of_their_own(client, orgs):
    round_ = counted_round(orgs["a"])
    login(client)
    reviewed_as_planned(client, round_)
    reader = PdfReader(io.BytesIO(export(client, round_, "pdf")))
    assert len(reader.pages) == 2
    first, second = (p.extract_text() for p in reader.pages)
    assert "意见建议" not in first
    for text in ("意见建议", "部分遮盖", REDACTED, PLAIN, "隐藏", "（已隐藏）"):
        assert text in second, text
    assert "张三" not in second and "骗子" not in second
    empty = counted_round(orgs["a"], [])
    assert len(PdfReader(io.BytesIO(export(client, empty, "pdf"))).pages) == 1


def test_comments_have_their_own_command_and_the_tally_json_stays_as_it_was(cli, orgs):
    round_ = counted_round(orgs["a"], [*WRITTEN, "-1+1"])
    comments = by_text(round_)
    comments_service.decide(round_, comments[NAMED].id, "redact", REDACTED, actor="test")
    comments_service.decide(round_, comments[RUDE].id, "hide", actor="test")
    tally = cli("tally", round_.slug)
    assert tally.exit_code == 0 and "comments" not in json.loads(tally.output)
    assert not any(text in tally.output for text in WRITTEN)

    listed = cli("comments", round_.slug)
    assert listed.exit_code == 0, listed.output
    data = json.loads(listed.output)
    assert data["round"]["slug"] == round_.slug and data["withheld"] is False
    assert data["comments"] == [
        {"id": c.id[:8], "decision": c.decision,
         "text": {"redact": c.shown_text, "hide": None}.get(c.decision, c.text)}
        for c in stored(round_)]
    as_csv = cli("comments", round_.slug, "--format", "csv")
    rows = list(csv.reader(io.StringIO(as_csv.output.lstrip("\ufeff"))))
    assert rows[0] == ["id", "decision", "text"]
    assert {r[2] for r in rows[1:]} == {REDACTED, PLAIN, "", "'-1+1"}
    assert db.session.scalar(select(AuditEvent.detail).where(
        AuditEvent.action == "comments.export").order_by(AuditEvent.id.desc())) == "format=csv"
    refused = cli("comments", counted_round(orgs["a"]).slug, "--format", "xml")
    assert refused.exit_code == 2


def test_the_command_line_publishes_comments_only_once_reviewed(cli, orgs):
    round_ = counted_round(orgs["a"])
    round_.publish_json = json.dumps({"fields": ["unit", "comments"]})  # the console's last choice
    db.session.commit()
    refused = cli("rounds", "publish", round_.slug)
    assert refused.exit_code == 2
    assert "has 3 comments not yet reviewed" in refused.output
    assert db.session.get(Round, round_.id).status == "counted"
    for c in stored(round_):
        comments_service.decide(round_, c.id, "hide" if c.text == RUDE else "show", actor="t")
    assert cli("rounds", "publish", round_.slug).exit_code == 0
    assert sorted(json.loads(db.session.get(Round, round_.id).publish_json)["comments"]) == \
        sorted([NAMED, PLAIN])


# -- never per group ----------------------------------------------------------------------------

def test_comments_are_pooled_and_withheld_when_too_few_voters_wrote_them(client, orgs):
    # Comments carry no group: not in the table, not in any view of them.
    columns = {c["name"] for c in inspect(db.engine).get_columns("comment")}
    assert columns == {"id", "round_id", "subject_id", "text", "decision", "shown_text"}
    # One voter (anonymity_min 2): their comment is shown nowhere, the console included.
    round_ = counted_round(orgs["a"], [PLAIN])
    login(client)
    html = section(page(client, round_), "comments-h")
    assert PLAIN not in html and "少于 2 人" in html
    assert review(client, round_, stored(round_)[0], "show").status_code == 404
    book = openpyxl.load_workbook(io.BytesIO(export(client, round_, "xlsx")))
    assert PLAIN not in str([c.value for row in book["意见建议"].iter_rows() for c in row])
    assert publish(client, round_, ["comments"]).status_code == 302
    db.session.expire_all()
    assert json.loads(round_.publish_json)["comments"] == []
    assert PLAIN not in client.get(f"/p/{round_.slug}").get_data(as_text=True)


def test_the_comment_review_speaks_english_too(client, orgs):
    round_ = counted_round(orgs["a"])
    login(client)
    refresh()
    html = client.get(f"/admin/rounds/{round_.slug}/results?lang=en").get_data(as_text=True)
    comments_html = section(html, "comments-h")
    for words in ("Comments", "Pending", "Show", "Hide", "Redact part of it"):
        assert words in comments_html, words
    assert "待审核" not in comments_html


def test_hostile_comments_are_text_in_the_console_and_on_the_public_page(client, orgs):
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    round_ = counted_round(orgs["a"], [hostile, PLAIN])
    login(client)
    console = page(client, round_)
    assert "<script>alert(1)" not in console and "&lt;script&gt;alert(1)" in console
    review(client, round_, by_text(round_)[hostile], "redact", hostile.replace("1", "×"))
    review(client, round_, by_text(round_)[PLAIN], "show")
    assert publish(client, round_, ["comments"]).status_code == 302
    public = client.get(f"/p/{round_.slug}").get_data(as_text=True)
    assert "<script>alert(×)" not in public and "&lt;script&gt;alert(×)" in public
    assert "<img src=x" not in public
