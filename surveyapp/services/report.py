"""A round's draft report for the 组织生活会 / 上报党委 (exports/report.py):
the result as shown, the committee's 评定 and reasons beside the proposals,
their differences, and the comments that passed review; PDF or XLSX."""

from __future__ import annotations

from ..database import db
from ..exports import report as report_exports
from ..models import Round
from . import audit, comments, decisions
from .errors import RoundError
from .results import results

FORMATS = tuple(report_exports.FORMATS)


def tables(round_: Round) -> dict:
    """The report's tables as display text; RoundError before the count."""
    found = results(round_)
    return report_exports.report_tables(found.exact, found.spec, comments.review(round_),
                                        decisions.recorded(round_))


def export(round_: Round, fmt: str, *, actor: str) -> bytes:
    """The report as ``fmt`` (pdf or xlsx), recorded in the audit log."""
    if fmt not in FORMATS:
        raise RoundError("unknown format %(fmt)s; choose one of: %(known)s", fmt=repr(fmt),
                         known=", ".join(FORMATS))
    data = report_exports.export(tables(round_), fmt)
    audit.record("report.export", actor, round_, f"format={fmt}")
    db.session.commit()
    return data
