"""Who may see what: organisation subtrees and round lookup for a user."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from ...extensions import db
from ...models import Organisation, Round, User


def subtree_ids(org_id: int | None) -> set[int]:
    """The organisation and everything below it (企业 → 党委 → 党支部)."""
    if org_id is None:
        return set()
    children: dict[int | None, list[int]] = {}
    for oid, parent in db.session.execute(select(Organisation.id, Organisation.parent_id)):
        children.setdefault(parent, []).append(oid)
    found, todo = set(), [org_id]
    while todo:
        oid = todo.pop()
        if oid not in found:
            found.add(oid)
            todo.extend(children.get(oid, []))
    return found


def visible_org_ids(user: User) -> set[int] | None:
    """None means every organisation (an admin)."""
    return None if user.role == "admin" else subtree_ids(user.org_id)


def visible_rounds(user: User):
    """A select() of the rounds a user may see, newest first."""
    query = select(Round).order_by(Round.id.desc())
    orgs = visible_org_ids(user)
    return query if orgs is None else query.where(Round.org_id.in_(orgs))


def round_for_user(slug: str) -> Round:
    """The round, or 404 when it does not exist or is not the user's."""
    round_ = db.session.scalar(visible_rounds(current_user).where(Round.slug == slug))
    if round_ is None:
        abort(404)
    return round_


def visible_orgs(user: User) -> list[Organisation]:
    orgs = visible_org_ids(user)
    query = select(Organisation).order_by(Organisation.id)
    if orgs is not None:
        query = query.where(Organisation.id.in_(orgs))
    return list(db.session.scalars(query))
