"""Text that is not UTF-8 is a 400 wherever it comes (issue 16 §5): an
invalid comment used to be stored as the text "%FF%FE%80"."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from surveyapp.database import db
from surveyapp.models import Ballot, Round

from . import conftest
from .conftest import csrf_token, full_ballot, issue, make_round


def ballots() -> int:
    return db.session.scalar(select(func.count()).select_from(Ballot))


@pytest.fixture
def voter(app, client):
    round_ = make_round()
    [code] = issue(round_)
    client.get(f"/c/{code}")
    token = csrf_token(client.get("/ballot").get_data(as_text=True))
    return round_, client, token


def encoded(fields: dict[str, str], raw: bytes) -> bytes:
    from urllib.parse import urlencode

    return urlencode(fields).encode() + b"&comment=" + raw


@pytest.mark.parametrize("raw", [b"%FF%FE%80", b"%E5%A5", b"\xff\xfe", "好".encode()[:2]])
def test_a_comment_that_is_not_utf8_is_refused_not_stored(voter, raw):
    round_, client, token = voter
    response = client.post("/ballot", data=encoded({"csrf_token": token, **full_ballot(round_)},
                                                   raw),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and ballots() == 0
    good = client.post("/ballot", data=encoded({"csrf_token": token, **full_ballot(round_)},
                                               b"%E5%A5%BD%20ok"),
                       content_type="application/x-www-form-urlencoded")
    assert good.status_code == 302 and ballots() == 1


def test_a_multipart_field_that_is_not_utf8_is_refused(voter):
    round_, client, token = voter
    boundary = "xyz"
    parts = [(k, v.encode()) for k, v in {"csrf_token": token, **full_ballot(round_)}.items()]
    parts.append(("comment", b"\xff\xfe\x80"))
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'
                    .encode() + v + b"\r\n" for k, v in parts) + f"--{boundary}--\r\n".encode()
    response = client.post("/ballot", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 400 and ballots() == 0


def test_an_upload_may_hold_any_bytes_and_its_fields_are_still_checked(client, orgs):
    assert conftest.login(client, "a").status_code == 302
    token = csrf_token(client.get("/admin/").get_data(as_text=True))
    client.post("/admin/new", data={"csrf_token": token, "title": "上传", "template": "",
                                    "scale": "four-grade", "access": "codes",
                                    "anonymity_min": "3"})
    client.post("/admin/new/groups", data={"csrf_token": token, "rows-0-key": "m",
                                           "rows-0-label": "党员"})
    client.post("/admin/new/criteria", data={"csrf_token": token})
    # A file's bytes are the reader's business: GBK, as Chinese Excel saves a CSV, is read...
    gbk = "key,name\n1,张三\n".encode("gbk")
    response = client.post("/admin/new/subjects", content_type="multipart/form-data", data={
        "csrf_token": token, "action": "preview", "subjects": "",
        "subjects_file": (io.BytesIO(gbk), "members.csv")})
    assert response.status_code == 200 and "张三" in response.get_data(as_text=True)
    # ... and bytes that are no text at all are refused by the reader, naming the line.
    response = client.post("/admin/new/subjects", content_type="multipart/form-data", data={
        "csrf_token": token, "action": "preview", "subjects": "",
        "subjects_file": (io.BytesIO(b"key,name\n1,\xff\xfe\x80\n"), "members.csv")})
    assert response.status_code == 400 and "UTF-8" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Round)) == 0


@pytest.mark.parametrize("url", ["/c/%FF%FE", "/?lang=%FF", "/r/%C3%28"])
def test_a_path_or_query_that_is_not_utf8_is_a_400(client, url):
    assert client.get(url).status_code == 400


def test_chinese_in_paths_queries_and_forms_still_reads(client):
    assert client.get("/?lang=en&x=%E5%A5%BD").status_code == 200
    assert client.get("/c/%E5%A5%BD").status_code == 404  # read, and not a code
