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

from flask import abort, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...exports import campaign as campaign_exports
from ...exports import charts
from ...exports.summary import points
from ...models import Campaign
from ...services import campaigns
from . import bp

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
        standard_text=campaign_exports.standard_text(standard),
        turnout_text=lambda entry: (
            _("fewer than the threshold") if entry and entry["ballots"] is None
            else campaign_exports.turnout_text(entry)),
        formats=campaigns.FORMATS,
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
