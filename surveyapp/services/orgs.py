"""Organisations (企业 → 党委 → 党支部) and who may see which: the one place
an organisation is found by name or id, or a subtree worked out."""

from __future__ import annotations

from sqlalchemy import select

from ..database import db
from ..models import Organisation, User
from .errors import ServiceError

DEFAULT_ORG = "默认组织"
#: Characters of an organisation's name (its column holds 200).
NAME_MAX = 200


def get(org_id: int | None) -> Organisation | None:
    return db.session.get(Organisation, org_id) if org_id is not None else None


def named(name: str) -> Organisation:
    """The organisation of that name, created (not committed) if missing."""
    if not 1 <= len(name.strip()) <= NAME_MAX or not name.isprintable():
        raise ServiceError("an organisation's name is 1 to %(max)d printable characters",
                           max=NAME_MAX)
    org = db.session.scalar(select(Organisation).where(Organisation.name == name)
                            .order_by(Organisation.id).limit(1))
    if org is None:
        org = Organisation(name=name)
        db.session.add(org)
        db.session.flush()
    return org


def default_org() -> Organisation:
    """The first organisation, created if there is none: where rounds and
    users go when nobody names one."""
    org = db.session.scalar(select(Organisation).order_by(Organisation.id).limit(1))
    return org if org is not None else named(DEFAULT_ORG)


def subtree_ids(org_id: int | None) -> set[int]:
    """The organisation and everything below it."""
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
    """The organisations a user may see; None means all (an admin)."""
    return None if user.role == "admin" else subtree_ids(user.org_id)


def visible_orgs(user: User) -> list[Organisation]:
    orgs = visible_org_ids(user)
    query = select(Organisation).order_by(Organisation.id)
    if orgs is not None:
        query = query.where(Organisation.id.in_(orgs))
    return list(db.session.scalars(query))
