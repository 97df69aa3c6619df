"""``surveyapp backup``: a consistent copy of a SQLite database while it
takes ballots."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..database import db
from .errors import ServiceError


def backup(file: Path) -> None:
    """Copy the database to ``file`` with SQLite's online backup; the copy is
    a consistent snapshot and a working database itself."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise ServiceError("backup copies SQLite databases; for PostgreSQL use pg_dump")
    if file.exists():
        raise ServiceError("%(file)s: exists already; choose a new file name", file=str(file))
    if not file.parent.is_dir():
        raise ServiceError("%(file)s: no such folder", file=str(file.parent))
    source = sqlite3.connect(url.database)
    try:
        target = sqlite3.connect(file)
    except sqlite3.Error as error:
        source.close()
        raise ServiceError("%(file)s: cannot write it (%(reason)s)", file=str(file),
                           reason=str(error)) from None
    try:
        with target:
            source.backup(target)  # consistent while others write
    finally:
        target.close()
        source.close()
