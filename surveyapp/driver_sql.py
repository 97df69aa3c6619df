"""Core statements run straight on the database driver's cursor.

SQLAlchemy's work around each execution (an execution context, every row's
parameters processed one by one) cost a ballot more CPU than SQLite spent
storing it, and a ballot's statements run while other voters wait for their
turn to write (writers.py).  A statement here is still compiled by SQLAlchemy,
once per dialect, so its SQL, parameter style and type conversions are
SQLAlchemy's; only the call goes to the driver, inside the connection's
transaction.  Engine events (``before_cursor_execute``) do not see them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.sql import ClauseElement


class DriverStatement:
    def __init__(self, statement: ClauseElement):
        self.statement = statement
        self._plans: dict[str, tuple] = {}

    def _plan(self, connection: Connection) -> tuple:
        dialect = connection.dialect
        plan = self._plans.get(dialect.name)
        if plan is None:
            compiled = self.statement.compile(dialect=dialect)
            fixed = {name: bind.value for name, bind in compiled.binds.items()
                     if bind.value is not None}  # literals such as status = 'used'
            convert = {name: process for name, bind in compiled.binds.items()
                       if (process := bind.type.bind_processor(dialect)) is not None}
            order = tuple(compiled.positiontup) if compiled.positional else None
            plan = self._plans[dialect.name] = (compiled.string, fixed, convert, order)
        return plan

    @staticmethod
    def _parameters(plan: tuple, values: Mapping[str, Any]) -> tuple | dict:
        _sql, fixed, convert, order = plan
        params = {**fixed, **values}
        for name, process in convert.items():
            params[name] = process(params[name])
        return params if order is None else tuple(params[name] for name in order)

    def execute(self, connection: Connection, values: Mapping[str, Any]) -> int:
        """Run once; the number of rows it changed."""
        plan = self._plan(connection)
        cursor = connection.connection.cursor()
        try:
            cursor.execute(plan[0], self._parameters(plan, values))
            return cursor.rowcount
        finally:
            cursor.close()

    def executemany(self, connection: Connection, rows: Iterable[Mapping[str, Any]]) -> None:
        plan = self._plan(connection)
        cursor = connection.connection.cursor()
        try:
            cursor.executemany(plan[0], [self._parameters(plan, row) for row in rows])
        finally:
            cursor.close()
