"""A scanned code is held in the (signed) session with its round and group,
so a posted ballot is cast without looking the code up first.  What the
session says is checked in the one UPDATE that spends the code: a session
that names another group or round stores nothing and spends nothing, and a
session from before the round and group were held still votes."""

from __future__ import annotations

from sqlalchemy import func, select

from surveyapp.database import db
from surveyapp.models import Ballot, VoterCode

from .conftest import csrf_token, full_ballot, issue, make_round


def scanned(client, code: str) -> str:
    client.get(f"/c/{code}")
    return csrf_token(client.get("/ballot").get_data(as_text=True))


def stored() -> tuple[int, int, list[str]]:
    """Ballots, of them those stored sealed, and the codes' statuses."""
    db.session.expire_all()
    return (db.session.scalar(select(func.count()).select_from(Ballot)),
            db.session.scalar(select(func.count()).select_from(Ballot)
                              .where(Ballot.sealed.is_not(None))),
            db.session.scalars(select(VoterCode.status).order_by(VoterCode.status)).all())


def test_the_session_holds_the_codes_round_and_group(client):
    round_ = make_round()
    [code] = issue(round_, group="masses")
    scanned(client, code)
    with client.session_transaction() as session:
        masses = next(g for g in round_.groups if g.key == "masses")
        assert session["held"] == [round_.id, round_.slug, masses.id]


def test_a_session_naming_another_group_stores_and_spends_nothing(client):
    round_ = make_round()
    [code] = issue(round_, group="members")
    token = scanned(client, code)
    masses = next(g for g in round_.groups if g.key == "masses")
    with client.session_transaction() as session:
        session["held"] = [round_.id, round_.slug, masses.id]
    response = client.post("/ballot", data={"csrf_token": token, **full_ballot(round_)})
    assert response.status_code == 404
    assert stored() == (0, 0, ["issued"])


def test_a_session_naming_another_round_stores_and_spends_nothing(client):
    round_, other = make_round(), make_round()
    [code] = issue(round_)
    issue(other)
    token = scanned(client, code)
    with client.session_transaction() as session:
        session["held"] = [other.id, other.slug, other.groups[0].id]
    response = client.post("/ballot", data={"csrf_token": token, **full_ballot(other)})
    assert response.status_code == 404
    assert stored() == (0, 0, ["issued", "issued"])


def test_a_session_holding_only_the_code_still_votes(client):
    round_ = make_round()
    [code] = issue(round_)
    token = scanned(client, code)
    with client.session_transaction() as session:
        del session["held"]
    response = client.post("/ballot", data={"csrf_token": token, **full_ballot(round_)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/done")
    assert stored() == (1, 1, ["used"])
