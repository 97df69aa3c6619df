"""A member year over year in the console: confirm the person key of each
subject of a counted round (proposed by services/members.py), the people the
user may see, a person's record and its downloads; and a round's draft
report for the 组织生活会 / 上报党委.

Round pages go through :func:`round_for_user`; a person's pages gather only
the rounds of the user's own organisation subtree and are 404 when none of
them links the person, so a branch secretary never learns of a sibling
branch's member.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...exports import records as record_exports
from ...exports import report as report_exports
from ...exports.summary import points
from ...services import members, report
from ...services.errors import ServiceError
from ..i18n import spec_message
from . import bp
from .access import round_for_user
from .forms import TokenForm


def _attachment(data: bytes, media: str, name: str, fallback: str) -> Response:
    return Response(data, mimetype=media, headers={
        "Content-Disposition": f'attachment; filename="{fallback}"; '
                               f"filename*=UTF-8''{quote(name)}"})


@bp.route("/rounds/<slug>/members", methods=["GET", "POST"], endpoint="member_links")
@login_required
def member_links(slug: str):
    """Each subject's person key, proposed or confirmed; one form confirms all."""
    round_ = round_for_user(slug)
    if not round_.shows_results:
        abort(409)
    error, status = None, 200
    if request.method == "POST":
        if not TokenForm().validate_on_submit():
            abort(400)
        links = {s.key: request.form.get(f"person-{s.key}", "").strip()
                 for s in round_.subjects if f"person-{s.key}" in request.form}
        try:
            changed = members.confirm(round_, links, actor=current_user.username)
        except ServiceError as refused:
            error, status = spec_message(refused), 400
        else:
            flash(_("%(n)d links confirmed.", n=changed))
            return redirect(url_for("admin.member_links", slug=round_.slug), 303)
    return render_template("admin/member_links.html", round=round_,
                           proposals=members.proposals(round_), error=error,
                           typed=request.form if error else {}), status


@bp.route("/members", endpoint="members")
@login_required
def members_list():
    return render_template("admin/members.html", people=members.people(current_user))


@bp.route("/members/<person>", endpoint="member_record")
@login_required
def member_record(person: str):
    found = members.record(person, current_user)
    if found is None:
        abort(404)
    return render_template("admin/member_record.html", record=found, points=points,
                           formats=("csv", "xlsx"),
                           follow_up_text=record_exports.follow_up_text)


@bp.route("/members/<person>/export/<fmt>", endpoint="member_export")
@login_required
def member_export(person: str, fmt: str):
    if fmt not in members.FORMATS or members.record(person, current_user) is None:
        abort(404)
    data = members.export(person, fmt, actor=current_user.username, user=current_user)
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", person)
    return _attachment(data, record_exports.MEDIA[fmt], f"历年评议_{person}.{fmt}",
                       f"member-{safe}.{fmt}")


@bp.route("/rounds/<slug>/report/<fmt>", endpoint="round_report")
@login_required
def round_report(slug: str, fmt: str):
    """The draft report for the 组织生活会 / 上报党委, as PDF or XLSX."""
    round_ = round_for_user(slug)
    if fmt not in report.FORMATS:
        abort(404)
    if not round_.shows_results:
        abort(409)
    data = report.export(round_, fmt, actor=current_user.username)
    stem = re.sub(r'[\\/:*?"<>|\s]+', "_", round_.title).strip("_") or round_.slug
    return _attachment(data, report_exports.MEDIA[fmt], f"{stem}_测评情况报告.{fmt}",
                       f"{round_.slug}-report.{fmt}")
