"""The 党委's view: its campaigns, and one campaign's branches side by side
(scores, indicators, 群众评价, turnout, ranks, who meets the standard, a
chart), each branch drilling down to its own results page; downloads.

Every view goes through :func:`campaign_for_user`: 404 for a campaign outside
the user's organisation subtree.  The figures gather only the rounds of the
user's own part of the campaign's tree (services/campaigns.py), so a branch
secretary never sees a sibling branch.  Sorting is a GET parameter; htmx
swaps the table alone (``HX-Target: campaign-table``).
"""

from __future__ import annotations

import io
import re

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ... import plugins
from ...domain.campaign import campaign_toml
from ...domain.model import SpecErrors
from ...exports import campaign as campaign_exports
from ...exports import charts
from ...exports.summary import points
from ...models import Campaign
from ...services import campaigns, orgs
from ..i18n import spec_message
from . import bp
from .forms import CampaignForm
from .wizard import template_title

SORTS = ("rank", "org")


def campaign_for_user(slug: str) -> Campaign:
    campaign = campaigns.campaign_for(current_user, slug)
    if campaign is None:
        abort(404)
    return campaign


@bp.route("/campaigns", endpoint="campaigns")
@login_required
def campaigns_list():
    return render_template("admin/campaigns.html", campaigns=campaigns.visible(current_user))


@bp.route("/campaigns/<campaign>", endpoint="campaign")
@login_required
def campaign_page(campaign: str):
    found = campaign_for_user(campaign)
    table = campaigns.table(found, current_user)
    sort = request.args.get("sort", "rank")
    if sort not in SORTS:
        sort = "rank"
    branches = campaign_exports.sorted_branches(table, sort)
    standard = table["standard"]
    context = dict(
        campaign=found, table=table, branches=branches, sort=sort, points=points,
        standard_text=campaign_exports.standard_text(standard, table["groups"]),
        turnout_text=lambda entry: (
            _("fewer than the threshold") if entry and entry["ballots"] is None
            else campaign_exports.turnout_text(entry)),
        formats=campaigns.FORMATS,
        differing=[(b, d) for b in campaign_exports.sorted_branches(table, "org")
                   for d in b["differences"]],
        chart=charts.score_ranking(
            campaign_exports.chart_rows(table), title=_("Branch scores"), top=table["top"],
            chart_id="campaign-ranking", floor=standard["score"],
            floor_label=_("Standard")))
    vary = {"Vary": "HX-Target"}
    if request.headers.get("HX-Target") == "campaign-table":
        return render_template("admin/_campaign_table.html", **context), 200, vary
    return render_template("admin/campaign.html", **context), 200, vary


@bp.route("/campaigns/<campaign>/export/<fmt>", endpoint="campaign_export")
@login_required
def campaign_export(campaign: str, fmt: str):
    found = campaign_for_user(campaign)
    if fmt not in campaigns.FORMATS:
        abort(404)
    data = campaigns.export(found, fmt, actor=current_user.username, user=current_user)
    stem = re.sub(r'[\\/:*?"<>|\s]+', "_", found.title).strip("_") or found.slug
    return send_file(io.BytesIO(data), mimetype=campaign_exports.MEDIA[fmt],
                     as_attachment=True, download_name=f"{stem}.{fmt}")


@bp.route("/campaigns/new", methods=["GET", "POST"], endpoint="campaign_new")
@login_required
def campaign_new():
    """A 党委 secretary (or an admin) starts a campaign for their organisation
    or one below it; the form is written as a campaign spec and checked as one."""
    form = CampaignForm()
    # Templates by the title they give their rounds, as in the wizard: never by key.
    form.template.choices = sorted(
        ((name, template_title(name) or name) for name in plugins.round_templates()),
        key=lambda choice: choice[1])
    form.org.choices = [(o.id, f"{o.kind} {o.name}".strip())
                        for o in orgs.visible_orgs(current_user)]
    problems: list[str] = []
    if form.validate_on_submit():
        groups = {"masses": form.masses.data.strip()} if form.masses.data.strip() else {}
        text = campaign_toml(form.title.data.strip(), form.template.data,
                             form.period.data.strip(),
                             {"label": form.label.data.strip(),
                              "score": form.score.data.strip() or None,
                              "criteria": form.criteria.data.strip() or None,
                              "groups": groups})
        try:
            created = campaigns.create(text, actor=current_user.username,
                                       org=orgs.get(form.org.data), source=_("form"))
        except SpecErrors as error:
            problems = [spec_message(e) for e in error.errors]
        else:
            flash(_("Campaign created. A round joins it with campaign = \"%(slug)s\" in its "
                    "spec.", slug=created.slug))
            return redirect(url_for("admin.campaign", campaign=created.slug), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("admin/campaign_new.html", form=form, problems=problems), status


@bp.route("/campaigns/<campaign>/branches/<int:org>", endpoint="campaign_history")
@login_required
def campaign_history(campaign: str, org: int):
    """One branch year over year, over the campaigns of the same template."""
    found = campaign_for_user(campaign)
    figures = campaigns.history(found, org, current_user)
    if figures is None:
        abort(404)
    return render_template("admin/campaign_history.html", campaign=found, history=figures,
                           points=points, turnout_text=campaign_exports.turnout_text)
