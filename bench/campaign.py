"""Benchmark: the 党委's campaign page beside one branch's results page.

Builds, in a temporary SQLite database, a campaign of 200 branches, each
with a 民主评议党员 round of 30 members and 100 ballots (党员 60, 群众 40:
20,000 ballots in all), counted: each round's shown result is decided by the
same disclosure control as at a real count and stored (``Round.result_json``),
as counting does.  The ballots themselves are not sealed here: the pages read
only the stored results, and sealing 20,000 ballots is bench/crypto.py's
business.

Then, in one run and interleaved, it times over the console (Flask's test
client, logged in as an admin):

* one branch's results page (``/admin/rounds/<slug>/results``);
* the campaign page (``/admin/campaigns/<slug>``): 200 branches side by side,
  their chart and proposals, from the 200 stored results, with every
  member's 评定 (6,000, one in ten differing from its proposal) beside them;
* the campaign's figures alone (``services.campaigns.table``) and its XLSX.

Target: the campaign page under one second.  Each figure is the best of
``--repeat`` runs.  Usage: ``.venv/bin/python bench/campaign.py``.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from benchkit import Timer

TARGET = 1.0
GRADES = (("excellent", 30), ("qualified", 55), ("basic", 12), ("unqualified", 3))

CAMPAIGN = """
title = "2026年度民主评议党员（全委）"
template = "party-member-appraisal"
period = "2026"

[standard]
label = "优秀党员"
score = 90
groups = { masses = 88 }
"""


def round_text(branch: int, members: int, campaign: str) -> str:
    lines = [f'title = "第{branch:03d}党支部2026年度民主评议党员"',
             'template = "party-member-appraisal"', f'campaign = "{campaign}"',
             "anonymity_min = 5",
             "[[groups]]", 'key = "members"', 'label = "党员互评"', "weight = 60",
             "expected = 64",
             "[[groups]]", 'key = "masses"', 'label = "群众评议"', "weight = 40",
             "expected = 45"]
    for m in range(members):
        lines += ["[[subjects]]", f'key = "m{m:02d}"', f'name = "党员{branch:03d}-{m:02d}"',
                  f'unit = "第{branch:03d}党支部"']
    return "\n".join(lines) + "\n"




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--branches", type=int, default=200)
    parser.add_argument("--members", type=int, default=30)
    parser.add_argument("--ballots", type=int, default=100, help="per branch")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="surveyapp-bench-"))
    os.environ["SURVEYAPP_INSTANCE_PATH"] = str(workdir / "instance")
    path = workdir / "bench.sqlite"

    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from surveyapp import create_app, plugins
    from surveyapp.database import db
    from surveyapp.domain.model import Counts
    from surveyapp.domain.spec import parse_spec
    from surveyapp.models import CommitteeDecision, User
    from surveyapp.services import campaigns, disclosure, orgs
    from surveyapp.services import rounds as rounds_service

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "bench",
                      "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
                      "BALLOT_KITS": 0})
    rng = random.Random(18)
    keys = [k for k, _ in GRADES]
    weights = [w for _, w in GRADES]
    with app.app_context():
        start = time.perf_counter()
        upgrade()
        committee = orgs.named("机关党委")
        campaign = campaigns.create(CAMPAIGN, actor="bench", org=committee)
        slugs, ballots = [], 0
        for b in range(args.branches):
            branch = orgs.named(f"第{b:03d}党支部")
            branch.parent_id = committee.id
            spec = parse_spec(round_text(b, args.members, campaign.slug),
                              **plugins.spec_context())
            round_ = rounds_service.create_round(spec, actor="bench", org=branch,
                                                 campaign_id=campaign.id)
            counts = Counts()
            # Stronger and weaker branches, so ranks and proposals differ.
            bias = rng.uniform(0.5, 6.0)
            for i in range(args.ballots):
                group = "members" if i < args.ballots * 0.6 else "masses"
                picks = rng.choices(keys, [weights[0] * bias, *weights[1:]],
                                    k=args.members)
                counts.add_ballot(group, {(s.key, "overall"): pick
                                          for s, pick in zip(spec.subjects, picks,
                                                             strict=True)})
                ballots += 1
            shown = disclosure.decide(spec, counts, counts)
            round_.result_json = disclosure.encode(shown.result)
            # The committee's 评定 of every member, one in ten unlike its proposal.
            ids = {s.key: s.id for s in round_.subjects}
            for n, subject in enumerate(shown.result["subjects"]):
                proposal = subject["proposal"] if subject["proposal"] in keys else None
                differs = n % 10 == 0 or proposal is None
                db.session.add(CommitteeDecision(
                    round_id=round_.id, subject_id=ids[subject["key"]],
                    option_key="qualified" if differs and proposal != "qualified"
                    else (proposal or "basic"),
                    reason="经支委会研究，结合日常表现" if differs else ""))
            round_.status = "counted"
            slugs.append(round_.slug)
        db.session.add(User(username="bench", role="admin",
                            password_hash=generate_password_hash("bench-password")))
        db.session.commit()
        built = time.perf_counter() - start

        client = app.test_client()
        client.post("/admin/login", data={"username": "bench", "password": "bench-password"})
        one_url = f"/admin/rounds/{slugs[0]}/results"
        campaign_url = f"/admin/campaigns/{campaign.slug}"
        for url in (one_url, campaign_url):  # warm: templates compiled, catalogs read
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        one, page, figures, xlsx = Timer(), Timer(), Timer(), Timer()
        for _ in range(args.repeat):
            db.session.expire_all()
            one.run(lambda: client.get(one_url).data)
            db.session.expire_all()
            page.run(lambda: client.get(campaign_url).data)
            db.session.expire_all()
            figures.run(lambda: campaigns.table(campaign))
            db.session.expire_all()
            xlsx.run(lambda: campaigns.export(campaign, "xlsx", actor="bench"))
        proposed = figures.result["summary"]["proposed"]
        differing = figures.result["summary"]["differences"]

    print(f"surveyapp campaign benchmark (SQLite {sqlite3.sqlite_version}, Python "
          f"{sys.version.split()[0]}, best of {args.repeat}; wall clock, CPU in brackets)")
    print(f"campaign: {args.branches} branches × {args.members} members, {ballots:,} ballots "
          f"in all; built and counted in {built:.1f} s; {proposed} members meet the standard; "
          f"{differing} 评定 differ from their proposals")
    print(f"  one branch's results page  {one.wall:7.3f} s  ({one.cpu:.3f} s)  "
          f"{len(one.result):,} bytes")
    print(f"  the campaign page          {page.wall:7.3f} s  ({page.cpu:.3f} s)  "
          f"{len(page.result):,} bytes, {page.wall / one.wall:.1f}× one branch's page")
    print(f"    of which the figures     {figures.wall:7.3f} s  ({figures.cpu:.3f} s)")
    print(f"  the campaign's XLSX        {xlsx.wall:7.3f} s  ({xlsx.cpu:.3f} s)  "
          f"{len(xlsx.result):,} bytes")
    verdict = "met" if page.wall < TARGET else "NOT met"
    print(f"target: the campaign page under {TARGET:g} s: {verdict} ({page.wall:.3f} s)")


if __name__ == "__main__":
    main()
