"""Organisations (企业 → 党委 → 党支部) and who may see which: the one place
an organisation is found by name or id, created, moved, listed as a tree,
or a subtree worked out.

The tree is the access rule: a user sees the rounds of their organisation
and everything below it (``visible_org_ids``), so a 党委 account sees its
branches and a branch secretary never a sibling.  Other parts (campaigns of
a 党委) ask ``subtree_ids`` and ``tree`` rather than walking parents.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..database import db
from ..models import Organisation, User
from . import audit
from .errors import ServiceError

DEFAULT_ORG = "默认组织"
#: What an organisation is (shown to people; access follows the tree, not the kind).
KINDS = ("企业", "党委", "党总支", "党支部")
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


@dataclass(frozen=True)
class Node:
    """One organisation in the tree, with how deep it sits (0 for a root)."""

    org: Organisation
    depth: int


def _children() -> dict[int | None, list[Organisation]]:
    children: dict[int | None, list[Organisation]] = {}
    for org in db.session.scalars(select(Organisation).order_by(Organisation.id)):
        children.setdefault(org.parent_id, []).append(org)
    return children


def tree(user: User | None = None) -> list[Node]:
    """The organisations depth first, each under its parent; only the user's
    subtree for a non-admin (None: all)."""
    children = _children()
    visible = None if user is None else visible_org_ids(user)
    if visible is None:
        roots = children.get(None, [])
    else:
        roots = [o for o in db.session.scalars(select(Organisation).where(
            Organisation.id.in_(visible)).order_by(Organisation.id))
            if o.parent_id not in visible]
    found: list[Node] = []
    todo = [(org, 0) for org in reversed(roots)]
    while todo:
        org, depth = todo.pop()
        found.append(Node(org, depth))
        todo.extend((child, depth + 1) for child in reversed(children.get(org.id, [])))
    return found


def path(org: Organisation) -> str:
    """Its name with its ancestors', e.g. "示例集团 / 机关党委 / 第一党支部"."""
    names = []
    seen: set[int] = set()
    node: Organisation | None = org
    while node is not None and node.id not in seen:
        seen.add(node.id)
        names.append(node.name)
        node = get(node.parent_id)
    return " / ".join(reversed(names))


def find(ref: str) -> Organisation:
    """An organisation by its id or its name; ServiceError if there is none,
    or if several share the name (then its id tells them apart)."""
    ref = ref.strip()
    if ref.isdigit() and (org := get(int(ref))) is not None:
        return org
    found = list(db.session.scalars(select(Organisation).where(Organisation.name == ref)
                                    .order_by(Organisation.id)))
    if not found:
        raise ServiceError("no organisation %(name)s (see `surveyapp orgs list`)",
                           name=repr(ref))
    if len(found) > 1:
        raise ServiceError("several organisations are called %(name)s; give the id of one: "
                           "%(ids)s", name=repr(ref), ids=", ".join(str(o.id) for o in found))
    return found[0]


def _check_name(name: str, kind: str, parent: Organisation | None,
                same: Organisation | None = None) -> str:
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise ServiceError("an organisation's name is 1 to %(max)d characters", max=NAME_MAX)
    if kind not in KINDS:
        raise ServiceError("kind must be one of %(kinds)s", kinds=", ".join(KINDS))
    parent_id = parent.id if parent else None
    for sibling in db.session.scalars(select(Organisation).where(
            Organisation.name == name, Organisation.parent_id.is_(None) if parent_id is None
            else Organisation.parent_id == parent_id)):
        if sibling is same:
            continue
        if parent is None:
            raise ServiceError("there is already a top-level organisation called %(name)s",
                               name=repr(name))
        raise ServiceError("%(parent)s already has an organisation called %(name)s",
                           parent=path(parent), name=repr(name))
    return name


def create(name: str, *, kind: str = "党支部", parent: Organisation | None = None,
           actor: str) -> Organisation:
    """A new organisation under ``parent`` (None: at the top), committed."""
    name = _check_name(name, kind, parent)
    org = Organisation(name=name, kind=kind, parent_id=parent.id if parent else None)
    db.session.add(org)
    db.session.flush()
    audit.record("org.create", actor, detail=f"{path(org)} ({kind})")
    db.session.commit()
    return org


def move(org: Organisation, parent: Organisation | None, *, actor: str) -> None:
    """Put ``org`` (with everything below it) under ``parent`` (None: the
    top), committed; refused if ``parent`` is the organisation itself or
    below it."""
    if parent is not None and parent.id in subtree_ids(org.id):
        raise ServiceError("%(name)s cannot go under itself or one of its own branches",
                           name=org.name)
    _check_name(org.name, org.kind if org.kind in KINDS else "党支部", parent, same=org)
    before = path(org)
    org.parent_id = parent.id if parent else None
    db.session.flush()
    audit.record("org.move", actor, detail=f"{before} → {path(org)}")
    db.session.commit()


def may_manage(user: User, org: Organisation) -> bool:
    """May ``user`` see (and run rounds of) ``org``?"""
    visible = visible_org_ids(user)
    return visible is None or org.id in visible
