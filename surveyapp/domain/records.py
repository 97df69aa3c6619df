"""A member's record over the years, and the committee's decisions against
the proposals: plain data in, plain data out (no Flask, no database).

People are followed across rounds by a **person key** that the branch's
secretary confirmed for each subject of a counted round (never by voter
data, never by a name alone).  :func:`propose_links` suggests one key per
subject from the links already confirmed in earlier rounds: the same
subject key first, then the same name *and* unit, else the subject key
itself (a new person).  The secretary confirms or changes each; only a
confirmed key links periods.

:func:`member_record` puts a person's periods side by side from each
round's result *as shown* (its own disclosure control applied): score,
proposal (测评建议), rank among the round's peers ("3/12"), and the
committee's 评定 with its reason.  A hidden figure stays None.  Where the
previous period's 评定 was 基本合格/不合格 (or a cadre scale's 基本称职/
不称职), the period after it is marked for the follow-up (限期改正) check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

#: 评定 whose follow-up (限期改正, 教育转化) is checked in the next period:
#: by key or by label, so a plugin's scale with other keys is caught too.
FOLLOW_UP_KEYS = frozenset({"basic", "unqualified", "basically_competent", "incompetent"})
FOLLOW_UP_LABELS = frozenset({"基本合格", "不合格", "基本称职", "不称职"})

#: How a proposed link was found.
SAME_KEY = "same_key"
SAME_NAME_UNIT = "same_name_unit"
NEW_PERSON = "new"


def needs_follow_up(option: str | None, label: str | None) -> bool:
    return bool(option) and (option in FOLLOW_UP_KEYS or (label or "") in FOLLOW_UP_LABELS)


@dataclass(frozen=True)
class Known:
    """A subject of an earlier round already linked to a person."""

    subject_key: str
    name: str
    unit: str
    person: str


@dataclass(frozen=True)
class Proposal:
    subject: str          # this round's subject key
    name: str
    unit: str
    person: str           # the proposed (or confirmed) person key
    basis: str            # SAME_KEY | SAME_NAME_UNIT | NEW_PERSON, or "confirmed"
    confirmed: bool = False


def propose_links(subjects: Sequence[tuple[str, str, str]], known: Sequence[Known],
                  confirmed: Mapping[str, str]) -> list[Proposal]:
    """One proposal per subject ``(key, name, unit)``: its confirmed person
    key if it has one; else the person an earlier round's subject with the
    same key was linked to; else the one with the same name and unit (only
    when exactly one person matches: two 张三 in one unit are left to the
    secretary); else the subject key (a new person).  ``known``: newest
    first, so a key reused over the years follows its latest link."""
    by_key: dict[str, str] = {}
    by_name: dict[tuple[str, str], set[str]] = {}
    for k in known:
        by_key.setdefault(k.subject_key, k.person)
        by_name.setdefault((k.name, k.unit), set()).add(k.person)
    out = []
    for key, name, unit in subjects:
        if key in confirmed:
            out.append(Proposal(key, name, unit, confirmed[key], "confirmed", True))
        elif key in by_key:
            out.append(Proposal(key, name, unit, by_key[key], SAME_KEY))
        elif len(people := by_name.get((name, unit), set())) == 1:
            out.append(Proposal(key, name, unit, next(iter(people)), SAME_NAME_UNIT))
        else:
            out.append(Proposal(key, name, unit, key, NEW_PERSON))
    return out


@dataclass(frozen=True)
class Period:
    """One counted round in which the person was a subject: the round's
    result as shown, the subject's key in it and the committee's decisions
    (subject key → (option key, reason)); ``labels`` name options and bands."""

    period: str
    round_slug: str
    round_title: str
    org: str
    subject: str
    result: Mapping
    labels: Mapping[str, str]
    decisions: Mapping[str, tuple[str, str]] = field(default_factory=dict)


def _rank_text(rank: int | None, peers: int) -> str | None:
    return None if rank is None else f"{rank}/{peers}"


def member_record(person: str, periods: Sequence[Period]) -> dict:
    """The person's periods oldest first (as given), each with the shown
    score, the proposal, rank among the round's subjects, the 评定 and its
    reason; ``follow_up`` on a period after one whose 评定 needs it, naming
    that 评定, so this period's result can be read beside it."""
    rows, previous = [], None
    names: list[str] = []
    for p in periods:
        subject = next((s for s in p.result.get("subjects", []) if s["key"] == p.subject), None)
        if subject is None:
            continue
        peers = len(p.result["subjects"])
        option, reason = p.decisions.get(p.subject, (None, ""))
        hidden = "suppressed" in subject.get("flags", []) or subject["score"] is None
        row = {
            "period": p.period, "round": p.round_slug, "title": p.round_title, "org": p.org,
            "subject": p.subject, "name": subject["name"], "unit": subject.get("unit", ""),
            "score": subject["score"], "hidden": hidden,
            "rank": subject["rank"], "peers": peers,
            "rank_text": _rank_text(subject["rank"], peers),
            "proposal": subject.get("proposal"),
            "proposal_label": p.labels.get(subject.get("proposal") or "", subject.get("proposal")),
            "decision": option, "decision_label": p.labels.get(option, option) if option else None,
            "reason": reason, "differs": bool(option) and option != subject.get("proposal"),
            "follow_up": None}
        if previous is not None and needs_follow_up(previous["decision"],
                                                     previous["decision_label"]):
            row["follow_up"] = {"period": previous["period"],
                                "decision_label": previous["decision_label"],
                                "reason": previous["reason"]}
        if subject["name"] not in names:
            names.append(subject["name"])
        rows.append(row)
        previous = row
    return {"person": person, "names": names, "periods": rows,
            "open_follow_up": bool(rows) and needs_follow_up(rows[-1]["decision"],
                                                             rows[-1]["decision_label"])}


# -- the committee's decisions against the proposals -----------------------------------------

def decided_rows(result: Mapping, labels: Mapping[str, str],
                 decisions: Mapping[str, tuple[str, str]]) -> list[dict]:
    """Each subject of a shown result with its proposal (测评建议) and the
    committee's 评定 and reason (None/"" until decided), in the result's order."""
    out = []
    for s in result.get("subjects", []):
        option, reason = decisions.get(s["key"], (None, ""))
        proposal = s.get("proposal")
        out.append({"key": s["key"], "name": s["name"], "unit": s.get("unit", ""),
                    "score": s["score"], "rank": s["rank"], "proposal": proposal,
                    "proposal_label": labels.get(proposal, proposal) if proposal else None,
                    "decision": option,
                    "decision_label": labels.get(option, option) if option else None,
                    "reason": reason, "differs": bool(option) and option != proposal})
    return out


def differences(rows: Sequence[dict]) -> list[dict]:
    """The decided subjects whose 评定 differs from the proposal (or had none)."""
    return [r for r in rows if r["differs"]]

