"""The secretary's results page (after close only): turnout, the summary
table with its group breakdown, SVG charts, downloads through the exporter
hook, the comments to review (web/admin/comments.py) and publishing the 公示
page.

Sorting and filtering are plain GET parameters, so the page works without
JavaScript; htmx only swaps the table (``HX-Target: results-table``).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from ... import plugins
from ...domain import comments as comment_rules
from ...domain.model import BLANK
from ...exports import BUILTIN, charts, explain, summary
from ...exports.flags import flag_label, hidden_reason
from ...models import Round
from ...services import comments, decisions, follow_up, publication
from ...services import results as results_service
from ...services.errors import RoundError
from ..i18n import spec_message
from . import bp
from .access import round_for_user
from .forms import FollowUpForm

FIELD_LABELS = {"unit": _l("Unit"), "rank": _l("Rank"), "score": _l("Score"),
                "proposal": _l("Proposed grade"),
                "decision": _l("The committee's decision and its reason"),
                "counts": _l("Votes per grade"),
                "turnout": _l("Turnout"), "comments": _l("The comments you chose to show")}
DECISION_LABELS = {comment_rules.PENDING: _l("Pending"), comment_rules.SHOW: _l("Shown"),
                   comment_rules.REDACT: _l("Shown redacted"), comment_rules.HIDE: _l("Hidden")}


class PublishForm(FlaskForm):
    fields = SelectMultipleField(
        _l("Publish beside each name"),
        choices=[SelectChoice(f, FIELD_LABELS[f]) for f in publication.FIELDS],
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())


def _lang() -> str:
    return "en" if str(get_locale()) == "en" else "zh"


def _page(round_: Round, form: PublishForm | None = None, status: int = 200, *,
          comment_error: tuple[str, str, str | None] | None = None,
          decision_error: tuple[str, str, str, str] | None = None):
    """The page; ``comment_error`` is (comment id, message, text typed) when
    a review without JavaScript was refused; ``decision_error`` is (subject
    key, message, grade chosen, reason typed) when a 评定 was."""
    back_url, back_label = url_for("admin.round_detail", slug=round_.slug), _("Round")
    if not round_.shows_results:
        return render_template("admin/results.html", round=round_, ready=False,
                               back_url=back_url, back_label=back_label), 409
    found = results_service.results(round_)
    spec, result = found.spec, found.exact
    lang = _lang()
    table = summary.rows(result, spec)
    query = {"sort": request.args.get("sort", "rank"), "unit": request.args.get("unit", ""),
             "proposal": request.args.get("proposal", ""),
             "flagged": request.args.get("flagged") == "1"}
    if query["sort"] not in summary.SORTS:
        query["sort"] = "rank"
    shown = summary.select(table, **query)
    columns = summary.count_columns(spec, table, _("Blank"))
    chart_options = [(key, label, key == BLANK or spec.option(key).points is None)
                     for key, label in columns]
    if form is None:
        form = PublishForm(formdata=None, fields=publication.chosen_fields(round_))
    context = dict(
        round=round_, ready=True, spec=spec, result=result, rows=shown, total=len(table),
        columns=columns, query=query, units=summary.units(table),
        several=len(spec.criteria) > 1,
        commitments=summary.commitment_lines(result),
        follow_up_form=FollowUpForm(formdata=None, data={
            "below": round(follow_up.threshold(spec) * 100),
            "title": round_.title + follow_up.TITLE_SUFFIX}),
        turnout=summary.turnout_rows(result, spec), turnout_text=summary.turnout_text,
        sheets=explain.sheets_rows(result, spec),
        scoring=explain.score_explanation(spec, table, lang),
        percent=summary.percent, points=summary.points,
        option_label=lambda key: summary.option_label(spec, key),
        flag_label=lambda flag: flag_label(flag, spec, lang),
        hidden_reason=lambda reason: hidden_reason(reason, spec, lang),
        no_proposal=summary.NO_PROPOSAL,
        exporters=sorted(plugins.exporters().values(), key=lambda e: e.name),
        form=form, field_labels=FIELD_LABELS,
        published=publication.snapshot(round_),
        review=comments.review(round_), decision_labels=DECISION_LABELS,
        comment_error=comment_error,
        decisions=decisions.decisions(round_), decisions_editable=decisions.editable(round_),
        decision_error=decision_error,
        # The address voters reach the service at, as printed on the slips.
        public_url=current_app.config["BASE_URL"].rstrip("/")
        + url_for("public.page", slug=round_.slug),
        back_url=back_url, back_label=back_label,
        ranking_svg=charts.score_ranking(table, title=_("Score ranking"),
                                         top=summary.max_points(spec)),
        grades_svg=charts.grade_distribution(
            table, chart_options, title=_("Grade distribution per subject"),
            hidden_text=_("hidden: fewer than %(k)d ballots", k=spec.anonymity_min)),
    )
    # htmx asks for the table alone; caches must keep the two answers apart.
    vary = {"Vary": "HX-Target"}
    if request.headers.get("HX-Target") == "results-table":
        return render_template("admin/_results_table.html", **context), status, vary
    return render_template("admin/results.html", **context), status, vary


@bp.route("/rounds/<slug>/results")
@login_required
def results(slug: str):
    return _page(round_for_user(slug))


def _safe(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("_")


def _filename(round_: Round, exporter) -> str:
    """The round's title as a file name (Chinese kept; path characters not),
    then what the file is: surveyapp's own results, or a plugin's format by
    its label (民主评议党员测评汇总表), so two CSV files never share a name."""
    stem = _safe(round_.title) or round_.slug
    builtin = {e.name for e in BUILTIN}
    suffix = _("results") if exporter.name in builtin else (
        _safe(exporter.label or "") or _safe(exporter.name))
    return f"{stem}-{suffix}.{exporter.extension}"


@bp.route("/rounds/<slug>/results/export/<fmt>")
@login_required
def results_export(slug: str, fmt: str):
    round_ = round_for_user(slug)
    if not round_.shows_results:
        return _page(round_)
    exporter = plugins.exporters().get(fmt)
    if exporter is None:
        abort(404)
    data = results_service.export(round_, fmt, actor=current_user.username)
    # The name in words (filename*), and an ASCII one for old clients that
    # is just as distinct: the round's slug and the format's name.
    fallback = f"{round_.slug}-{exporter.name}.{exporter.extension}"
    return Response(data, mimetype=exporter.media_type, headers={
        "Content-Disposition": f'attachment; filename="{fallback}"; '
                               f"filename*=UTF-8''{quote(_filename(round_, exporter))}"})


@bp.route("/rounds/<slug>/results/publish", methods=["POST"])
@login_required
def results_publish(slug: str):
    round_ = round_for_user(slug)
    form = PublishForm()
    if not form.validate_on_submit():
        return _page(round_, form=form, status=400)
    if request.form.get("confirm") != "y":
        # First the page as the public will see it, then "Publish now".
        return _preview(round_, form.fields.data or [])
    try:
        publication.publish(round_, form.fields.data or [], actor=current_user.username)
    except RoundError as error:
        flash(spec_message(error), "error")
        return _page(round_, form=form, status=409)
    flash(_("Published: anyone with the address below can read the results page."))
    return redirect(url_for("admin.results", slug=slug))


def _preview(round_: Round, fields: list[str]):
    """What publishing ``fields`` would show at /p/<slug>, built as
    publishing builds it but not stored; 409 before the round is counted."""
    try:
        snap = publication.preview(round_, fields)
    except RoundError as error:
        flash(spec_message(error), "error")
        return _page(round_, status=409)
    return render_template("admin/publish_preview.html", round=round_, snap=snap,
                           fields=snap["fields"], rows=publication.rows(snap),
                           options=snap.get("options", []), field_labels=FIELD_LABELS,
                           percent=summary.percent, points=summary.points,
                           public_url=current_app.config["BASE_URL"].rstrip("/")
                           + url_for("public.page", slug=round_.slug))


@bp.route("/rounds/<slug>/results/unpublish", methods=["POST"])
@login_required
def results_unpublish(slug: str):
    round_ = round_for_user(slug)
    try:
        publication.unpublish(round_, actor=current_user.username)
    except RoundError as error:
        flash(spec_message(error), "error")
        return _page(round_, status=409)
    flash(_("Unpublished: the public results page is gone."))
    return redirect(url_for("admin.results", slug=slug))
