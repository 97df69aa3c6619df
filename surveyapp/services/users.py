"""Organiser accounts: create, look up, check a password.  Voters never
have accounts."""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import db
from ..models import Organisation, User
from . import audit
from .errors import ServiceError

ROLES = ("admin", "secretary")
PASSWORD_MIN = 8
PASSWORD_MAX = 200  # the login form's limit
NAME_MAX = 80  # the user table's column

# Compared against when the user does not exist, so both paths cost a hash.
_DUMMY_HASH = "scrypt:32768:8:1$0000000000000000$" + "0" * 128


def get(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def from_session(session_id: str) -> User | None:
    """The user a console session names (``User.get_id``), if that session
    has not ended: it names the user's current epoch."""
    user_id, _, epoch = session_id.partition(".")
    if not (user_id.isdigit() and epoch.isdigit()):
        return None
    user = get(int(user_id))
    return user if user is not None and user.session_epoch == int(epoch) else None


def end_sessions(user: User) -> None:
    """Log the user out everywhere: every session made before stops working."""
    user.session_epoch += 1
    audit.record("user.logout", user.username)
    db.session.commit()


def exists(name: str) -> bool:
    return db.session.scalar(select(User.id).where(User.username == name)) is not None


def authenticate(username: str, password: str) -> User | None:
    """The user if the password is right; the same work either way, so the
    time taken does not tell whether the name exists."""
    user = db.session.scalar(select(User).where(User.username == username))
    if check_password_hash(user.password_hash if user else _DUMMY_HASH, password) and user:
        return user
    return None


def record_login(user: User) -> None:
    audit.record("user.login", user.username)
    db.session.commit()


def create(name: str, role: str, org: Organisation, password: str, *, actor: str) -> User:
    if not 1 <= len(name) <= NAME_MAX or not name.isprintable() or name != name.strip():
        raise ServiceError("a user name is 1 to %(max)d printable characters, without spaces "
                           "around them", max=NAME_MAX)
    if len(password) > PASSWORD_MAX:
        raise ServiceError("password: at most %(max)d characters, please", max=PASSWORD_MAX)
    if role not in ROLES:
        raise ServiceError("role must be one of %(roles)s", roles=", ".join(ROLES))
    if exists(name):
        raise ServiceError("user %(name)s exists already", name=repr(name))
    if len(password) < PASSWORD_MIN:
        raise ServiceError("password: at least %(min)d characters, please", min=PASSWORD_MIN)
    user = User(username=name, role=role, org_id=org.id,
                password_hash=generate_password_hash(password))
    db.session.add(user)
    audit.record("user.create", actor, detail=f"{name} ({role})")
    db.session.commit()
    return user


def set_password(user: User, password: str) -> None:
    """Without committing (the demo sets a fresh one with its other changes)."""
    user.password_hash = generate_password_hash(password)
