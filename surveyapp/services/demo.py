"""``surveyapp demo``: an open round with codes, ready to vote on at once."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from .. import plugins
from ..database import db
from ..domain import lifecycle
from ..domain.spec import load_spec
from ..exports.key_slips import share_file
from ..models import Round, User
from . import ballot_box, codes, orgs, rounds, users

DEMO_SLUG = "demo"
DEMO_ORG = "示例集团公司 第一党支部"
SPEC = Path(__file__).with_name("demo.toml")
CODES_PER_GROUP = {"members": 5, "masses": 5}
DEMO_USER = "demo"
SHARE_FILE = "demo-share-1.txt"


@dataclass
class Demo:
    round: Round
    password: str  # the demo secretary's, fresh each run and shown only once
    share_file: Path  # the demo's one 监票人 share, kept so the demo can be counted
    codes: dict[str, list[str]] = field(default_factory=dict)  # group key -> plain codes


def make_demo(instance: Path) -> Demo:
    """Create (once) the demo round and open it, keeping its 监票人 share in
    the instance folder (a real round hands it to its trustee and keeps
    nothing); issue fresh codes each run, since codes are stored hashed and
    cannot be shown again."""
    share_path = instance / SHARE_FILE
    round_ = rounds.get_round(DEMO_SLUG)
    if round_ is None:
        round_ = rounds.create_round(load_spec(SPEC, **plugins.spec_context()),
                                     actor="demo", org=orgs.named(DEMO_ORG), slug=DEMO_SLUG)

        def keep(shares) -> None:  # before the round opens, so its key is never lost
            [share] = shares
            share_path.write_text(share_file(share, title=round_.title, slug=DEMO_SLUG,
                                             name=ballot_box.DEFAULT_TRUSTEE, threshold=1,
                                             count=1), encoding="utf-8")
            share_path.chmod(0o600)

        rounds.open_round(round_, actor="demo", deliver=keep)
    demo = Demo(round_, _demo_secretary(round_.org_id), share_path)
    db.session.commit()
    if lifecycle.accepts_ballots(round_.status):
        for group, n in CODES_PER_GROUP.items():
            demo.codes[group] = codes.issue(round_, group, n, actor="demo")[0]
    return demo


def _demo_secretary(org_id: int) -> str:
    """A secretary of the demo branch with a fresh password each run, so the
    console can be tried at once."""
    password = secrets.token_urlsafe(9)
    user = db.session.scalar(select(User).where(User.username == DEMO_USER))
    if user is None:
        user = User(username=DEMO_USER, role="secretary", org_id=org_id)
        db.session.add(user)
    users.set_password(user, password)
    return password
