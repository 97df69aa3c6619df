"""Organiser accounts: create, list, look up, check a password, reset it,
disable or enable an account, assign it to an organisation.  Voters never
have accounts.  A disabled account keeps its name (the audit log names it)
and cannot log in."""

from __future__ import annotations

from sqlalchemy import func, select
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
    has not ended (it names the user's current epoch) and the account is not
    disabled."""
    user_id, _, epoch = session_id.partition(".")
    if not (user_id.isdigit() and epoch.isdigit()):
        return None
    user = get(int(user_id))
    if user is None or user.disabled:  # disabling ends open sessions
        return None
    return user if user.session_epoch == int(epoch) else None


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
        return None if user.disabled else user
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


def listing() -> list[User]:
    """Every account, by name."""
    return list(db.session.scalars(select(User).order_by(User.username)))


def find(name: str) -> User:
    user = db.session.scalar(select(User).where(User.username == name))
    if user is None:
        raise ServiceError("no user %(name)s (see `surveyapp users list`)", name=repr(name))
    return user


def reset_password(user: User, password: str, *, actor: str) -> None:
    """A new password for ``user``, committed."""
    if len(password) < PASSWORD_MIN:
        raise ServiceError("password: at least %(min)d characters, please", min=PASSWORD_MIN)
    set_password(user, password)
    audit.record("user.password", actor, detail=user.username)
    db.session.commit()


def set_disabled(user: User, disabled: bool, *, actor: str) -> None:
    """Disable (or enable again) an account, committed.  The last enabled
    administrator stays enabled, so somebody can always manage the others."""
    if disabled and user.role == "admin" and not user.disabled:
        others = db.session.scalar(select(func.count()).select_from(User).where(
            User.role == "admin", User.disabled.is_(False), User.id != user.id))
        if not others:
            raise ServiceError("%(name)s is the last enabled administrator; enable or create "
                               "another first", name=user.username)
    if user.disabled == disabled:
        return
    user.disabled = disabled
    audit.record("user.disable" if disabled else "user.enable", actor, detail=user.username)
    db.session.commit()


def assign(user: User, org: Organisation, *, actor: str) -> None:
    """Make ``user`` an organiser of ``org`` (and so of everything below it), committed."""
    user.org_id = org.id
    audit.record("user.assign", actor, detail=f"{user.username} → {org.name}")
    db.session.commit()
