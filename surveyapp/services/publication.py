"""Publishing (公示): the fields the secretary chose, frozen at publishing
time into ``Round.publish_json``.  The public page shows that snapshot and
never computes anything live; the console and the command line publish
through :func:`publish` alike.

The snapshot holds only the chosen fields, so nothing else is even stored
for the public page.  Rows come in rank order only when rank or score is
published; otherwise in the round's own order, so the order cannot give
the ranking away.  Group breakdowns are never published, and a subject the
tally suppressed carries no counts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from fractions import Fraction

from ..domain import lifecycle
from ..domain.model import RoundSpec
from ..exports import summary
from ..models import Round, today
from . import comments as comment_review
from . import decisions
from .results import results
from .rounds import apply_transition, check_transition

#: Publishable fields in display order (the name is always shown).  All but
#: "comments" are shown beside each name; the comments come apart, pooled.
#: "decision" is the committee's 评定 with its reason (services/decisions.py).
FIELDS = ("unit", "rank", "score", "proposal", "decision", "counts", "turnout", "comments")
DEFAULT_FIELDS = ("unit", "proposal")


def stored(round_: Round) -> dict:
    try:
        data = json.loads(round_.publish_json or "{}")
    except ValueError:
        data = {}
    return data if isinstance(data, dict) else {}


def chosen_fields(round_: Round) -> list[str]:
    """The last choice (kept after unpublishing), or the defaults."""
    fields = stored(round_).get("fields")
    if not isinstance(fields, list):
        return list(DEFAULT_FIELDS)
    return [f for f in FIELDS if f in fields]


def build(result: dict, spec: RoundSpec, fields: list[str],
          comments: list[str] | None = None,
          decided: Mapping[str, tuple[str, str]] | None = None) -> dict:
    """The JSON-ready snapshot of an exact tally, with only ``fields``.
    Scores are kept as exact fraction strings and rounded when shown.
    ``comments``: the reviewed texts to show, when "comments" is a field;
    ``decided``: the committee's 评定 by subject key, (option key, reason),
    when "decision" is."""
    fields = [f for f in FIELDS if f in fields]
    table = summary.rows(result, spec)
    if not {"rank", "score"} & set(fields):
        order = {s.key: i for i, s in enumerate(spec.subjects)}
        table.sort(key=lambda r: order.get(r.key, len(order)))
    subjects = []
    for row in table:
        entry: dict = {"name": row.name}
        if "unit" in fields:
            entry["unit"] = row.unit
        if "rank" in fields:
            entry["rank"] = row.rank
        if "score" in fields:
            entry["score"] = None if row.score is None else str(row.score)
        if "proposal" in fields:
            entry["proposal"] = summary.option_label(spec, row.proposal) or None
        if "decision" in fields:
            option, reason = (decided or {}).get(row.key, (None, ""))
            entry["decision"] = summary.option_label(spec, option) or None
            entry["reason"] = reason
        if "counts" in fields:
            entry["counts"] = row.counts  # None when the tally suppressed the subject
        subjects.append(entry)
    snapshot: dict = {"fields": fields, "title": result["round"]["title"],
                      "published_on": today().isoformat(),
                      "anonymity_min": spec.anonymity_min, "subjects": subjects}
    if "counts" in fields:
        snapshot["options"] = [{"key": k, "label": label, "abstains": _abstains(spec, k)}
                               for k, label in summary.count_columns(spec, table)]
    if "score" in fields:
        top = summary.max_points(spec)
        snapshot["top"] = None if top is None else str(top)
    if "turnout" in fields:
        snapshot["turnout"] = [{"label": t["label"], "ballots": t["ballots"],
                                "expected": t["expected"]}
                               for t in summary.turnout_rows(result, spec)]
    if "comments" in fields:
        snapshot["comments"] = list(comments or [])
    return snapshot


def _abstains(spec: RoundSpec, key: str) -> bool:
    option = spec.option(key)
    return option is None or option.points is None


def snapshot(round_: Round) -> dict | None:
    """What the 公示 page shows, as frozen when the round was published;
    None unless it is published."""
    if not lifecycle.is_published(round_.status):
        return None
    data = stored(round_)
    return data if "subjects" in data else None


def preview(round_: Round, fields: list[str] | None = None) -> dict:
    """The 公示 that publishing ``fields`` (the last choice, or the defaults,
    when None) would freeze, built but not stored: RoundError where
    publishing would be refused."""
    check_transition(round_, "publish")
    found = results(round_)
    chosen = chosen_fields(round_) if fields is None else fields
    shown = comment_review.for_publication(round_) if "comments" in chosen else None
    decided = decisions.recorded(round_) if "decision" in chosen else None
    return build(found.exact, found.spec, chosen, shown, decided)


def publish(round_: Round, fields: list[str] | None = None, *, actor: str) -> None:
    """Freeze ``fields`` (the last choice, or the defaults, when None) and
    publish; the transition audits and commits."""
    move = check_transition(round_, "publish")
    round_.publish_json = json.dumps(preview(round_, fields), ensure_ascii=False)
    apply_transition(round_, move, actor)


def unpublish(round_: Round, *, actor: str) -> None:
    """Back to counted; only the choice of fields is kept, for next time."""
    move = check_transition(round_, "unpublish")
    round_.publish_json = json.dumps({"fields": chosen_fields(round_)})
    apply_transition(round_, move, actor)


def rows(snap: dict) -> list[summary.Row]:
    """Snapshot subjects as summary rows, for the charts and the table."""
    out = []
    for entry in snap["subjects"]:
        counts = entry.get("counts")
        total = sum(counts.values()) if counts else 0
        shares = ({k: Fraction(n, total) for k, n in counts.items()} if total else None)
        score = entry.get("score")
        out.append(summary.Row(
            key="", name=entry["name"], unit=entry.get("unit", ""), rank=entry.get("rank"),
            score=None if score is None else Fraction(score), ballots=None,
            answers=total or None, counts=counts, shares=shares, criteria={},
            proposal=entry.get("proposal"), flags=[]))
    return out
