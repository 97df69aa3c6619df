"""Configuration from the environment, with defaults that run out of the box."""

import os
import secrets
from pathlib import Path


def from_environment(instance_path: str) -> dict:
    """Settings read from ``SURVEYAPP_*`` variables.

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
        # A ballot of 50 subjects x 5 criteria is well under this.
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "LANGUAGES": ["zh_CN", "en"],
    }


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
