"""``surveyapp demo``: an open round with codes, ready to vote on at once."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

import qrcode
from flask import current_app
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from ..domain.spec import load_spec
from ..extensions import db
from ..models import Organisation, User
from ..plugins import spec_context
from . import rounds

DEMO_SLUG = "demo"
DEMO_ORG = "示例集团公司 第一党支部"
SPEC = Path(__file__).with_name("demo.toml")
CODES_PER_GROUP = {"members": 5, "masses": 5}
DEMO_USER = "demo"


def make_demo(echo: Callable[[str], None] = print) -> dict[str, list[str]]:
    """Create (once) the demo round and open it; issue fresh codes each run,
    since codes are stored hashed and cannot be shown again."""
    round_ = rounds.get_round(DEMO_SLUG)
    if round_ is None:
        org = db.session.scalar(select(Organisation).where(Organisation.name == DEMO_ORG))
        if org is None:
            org = Organisation(name=DEMO_ORG)
            db.session.add(org)
            db.session.flush()
        round_ = rounds.create_round(load_spec(SPEC, **spec_context()),
                                     actor="demo", org=org, slug=DEMO_SLUG)
        rounds.set_status(round_, "open", actor="demo")
    password = _demo_secretary(round_.org_id)
    base = current_app.config["BASE_URL"].rstrip("/")
    echo(f"Demo round: {round_.title}  (slug {round_.slug}, {round_.status})")
    echo(f"Organiser console: {base}/admin/  user {DEMO_USER}, password {password}")
    if round_.status != "open":
        db.session.commit()
        echo(f"The demo round is {round_.status}, so no new codes were issued; "
             f"its results are on the console.")
        return {}
    issued = {group: rounds.issue_codes(round_, group, n, actor="demo")
              for group, n in CODES_PER_GROUP.items()}
    db.session.commit()
    for group, plain in issued.items():
        echo(f"\n{group}:")
        for code in plain:
            echo(f"  {base}/c/{code}")
    first = f"{base}/c/{issued['members'][0]}"
    echo(f"\nScan to vote as a member ({first}):")
    qr = qrcode.QRCode(border=2)
    qr.add_data(first)
    echo(_qr_text(qr))
    echo(f"Or open {base}/ and type a code.  Results: surveyapp rounds close demo; "
         "surveyapp tally demo")
    return issued


def _demo_secretary(org_id: int) -> str:
    """A secretary of the demo branch with a fresh password each run, so the
    console can be tried at once; the password is shown only here."""
    password = secrets.token_urlsafe(9)
    user = db.session.scalar(select(User).where(User.username == DEMO_USER))
    if user is None:
        user = User(username=DEMO_USER, role="secretary", org_id=org_id)
        db.session.add(user)
    user.password_hash = generate_password_hash(password)
    return password


def _qr_text(qr: qrcode.QRCode) -> str:
    """The QR code in half-height block characters, which any terminal shows."""
    matrix = qr.get_matrix()
    if len(matrix) % 2:
        matrix.append([False] * len(matrix[0]))
    blocks = {(False, False): "█", (True, False): "▄", (False, True): "▀", (True, True): " "}
    pairs = zip(matrix[::2], matrix[1::2], strict=True)
    return "\n".join("".join(blocks[cell] for cell in zip(upper, lower, strict=True))
                     for upper, lower in pairs)
