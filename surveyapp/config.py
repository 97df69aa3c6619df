"""Every ``SURVEYAPP_*`` setting, read here and nowhere else, with defaults
that run out of the box (the README lists them)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

#: Rate limits (web/limits.py says what each counts), by config key.
RATE_LIMITS: dict[str, object] = {
    "RATELIMIT_ENABLED": True,
    # Counts shared by every process of the machine (web/limit_store.py).
    "RATELIMIT_STORAGE_URI": "machine://",
    "RATELIMIT_CODE_ATTEMPTS": "30 per minute;300 per hour",
    "RATELIMIT_CODE_ATTEMPTS_PER_BROWSER": "10 per minute;50 per hour",
    "RATELIMIT_BALLOTS_PER_CLIENT": "600 per minute",
    "RATELIMIT_BALLOTS_PER_ROUND": "1200 per minute",
    "RATELIMIT_INVALID_BALLOTS": "10 per minute;100 per hour",
    "RATELIMIT_LOGINS": "10 per minute;50 per hour",
    "RATELIMIT_TRUSTED_PROXIES": 0,
}
# Config key -> environment variable, where the name is not simply SURVEYAPP_ + key.
_VARIABLES = {"RATELIMIT_STORAGE_URI": "SURVEYAPP_RATELIMIT_STORAGE_URL"}


class ConfigError(ValueError):
    """A setting that cannot work, named with what it should be (the command
    line prints it as one line, exit status 2)."""


def instance_path() -> str | None:
    """Where the SQLite file, the secret key and compiled catalogs live
    (None: Flask's default, ``./instance``)."""
    return os.environ.get("SURVEYAPP_INSTANCE_PATH")


def from_environment(instance_path: str) -> dict:
    """The app's settings from ``SURVEYAPP_*`` variables.

    Without ``SURVEYAPP_DATABASE_URL`` the database is a SQLite file in the
    instance folder.  Without ``SURVEYAPP_SECRET_KEY`` a random key is made
    once and kept in the instance folder, so sessions survive a restart.
    """
    instance = Path(instance_path)
    return {
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "SURVEYAPP_DATABASE_URL", f"sqlite:///{instance / 'surveyapp.sqlite'}"
        ),
        "SECRET_KEY": os.environ.get("SURVEYAPP_SECRET_KEY") or _instance_secret(instance),
        "BASE_URL": os.environ.get("SURVEYAPP_BASE_URL", "http://127.0.0.1:5000"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Over HTTPS Flask-WTF would also demand a Referer from this site, but
        # pages send none (Referrer-Policy: no-referrer, as ballot URLs carry
        # codes): the token bound to the session (and SameSite) is the check.
        "WTF_CSRF_SSL_STRICT": False,
        # A ballot of 50 subjects x 5 criteria is well under this.
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        # Ballot kits each worker keeps ready per open round (services/voting/kits.py):
        # each is ~55 KB for 20 people on a 5-grade scale; 0 makes every kit on demand.
        "BALLOT_KITS": _typed(os.environ.get("SURVEYAPP_BALLOT_KITS"), 100,
                              "SURVEYAPP_BALLOT_KITS"),
        # The organisation's local time: a round's deadline written without an
        # offset ("2026-12-01 18:00") is in this zone, and the console shows them in it.
        "TIMEZONE": os.environ.get("SURVEYAPP_TIMEZONE", "Asia/Shanghai"),
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "LANGUAGES": ["zh_CN", "en"],
        **{key: _typed(os.environ.get(_variable(key)), default, _variable(key))
           for key, default in RATE_LIMITS.items()},
    }


def plugin_selection() -> tuple[set[str] | None, set[str]]:
    """``SURVEYAPP_PLUGINS``: the plugins to enable (None: all installed) and
    those to disable (``-name``)."""
    raw = [p.strip() for p in os.environ.get("SURVEYAPP_PLUGINS", "").split(",") if p.strip()]
    disabled = {p[1:].strip() for p in raw if p.startswith("-")}
    enabled = {p for p in raw if not p.startswith("-")}
    return (enabled or None), disabled


def _variable(key: str) -> str:
    return _VARIABLES.get(key, f"SURVEYAPP_{key}")


def _typed(raw: str | None, default: object, variable: str) -> object:
    if raw is None:
        return default
    if isinstance(default, bool):
        return raw.strip().lower() not in ("0", "false", "no", "off", "")
    if isinstance(default, int):
        if not raw.strip().isdigit():
            raise ConfigError(f"{variable} must be a whole number, got {raw!r}")
        return int(raw)
    return raw


def _instance_secret(instance: Path) -> str:
    path = instance / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        instance.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        path.write_text(key)
        path.chmod(0o600)
        return key
