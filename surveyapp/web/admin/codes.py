"""Voter codes in the console: issue, print, void, re-issue; and the shared
QR poster of a "link" round.

Codes are stored hashed, so their plain text exists only in the answer to
the request that issued them.  That answer is a one-time page (never
cached) listing the codes, with buttons that post them back to be rendered
as QR slips (PDF) or a CSV file; nothing keeps them, neither the database,
the session nor a log.  A lost sheet is handled by voiding its codes and
issuing new ones.
"""

from __future__ import annotations

import re

import qrcode
import qrcode.image.svg
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ...domain import codes as code_rules
from ...exports.slips import codes_csv, slips_pdf
from ...models import Round
from ...services import codes, rounds
from ...services.errors import RoundError
from ..i18n import spec_message
from ..pages import NO_STORE
from . import bp
from .access import round_for_user
from .forms import MAX_WEB_CODES, IssueCodesForm, VoidBatchForm, VoidCodesForm


def base_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def _group_choices(round_: Round, batches: list[dict]) -> list[SelectChoice]:
    """The groups, each carrying how many codes it still needs (its expected
    voters less the codes it holds that are not void), which the count
    field takes when the group is chosen (admin.js)."""
    return [SelectChoice(g.key, g.label, render_kw={"data-count": str(n) if n else ""})
            for g, n in codes.still_needed(round_, batches)]


def _forms(round_: Round, batches: list[dict], issue: IssueCodesForm | None = None,
           void_batch: VoidBatchForm | None = None, void_codes: VoidCodesForm | None = None):
    """The page's three forms.  Only the one that was posted reads the post:
    the others are shown fresh, so a box ticked in one form never shows up
    ticked in another (they share the field name ``confirm``)."""
    if issue is None:
        # The first group still short of codes, with what it needs.
        needed = codes.still_needed(round_, batches)
        group, count = next(((g, n) for g, n in needed if n), (None, None))
        issue = IssueCodesForm(formdata=None, data={"group": group and group.key,
                                                    "count": count})
    issue.group.choices = _group_choices(round_, batches)
    void_batch = void_batch or VoidBatchForm(formdata=None)
    void_batch.batch.choices = [
        SelectChoice(f"{row['batch']}", _("Batch %(batch)d · %(group)s · %(unused)d unused",
                              batch=row["batch"], group=row["group"].label,
                              unused=row["issued"]))
        for row in batches if row["issued"]]
    return issue, void_batch, void_codes or VoidCodesForm(formdata=None)


def _page(round_: Round, status: int = 200, **forms):
    batches = codes.batches(round_)
    issue, void_batch, void_codes = _forms(round_, batches, **forms)
    for form in (void_batch, void_codes):
        # A refused void is asked again: its box never comes back ticked.
        form.confirm.data = False
    # Every problem also at the top of the page, where the eye is after a
    # post, each linking to its field.
    anchors = {id(void_batch.confirm): "batch-confirm", id(void_codes.confirm): "codes-confirm"}
    problems = [(anchors.get(id(field), field.id), message)
                for form in (issue, void_batch, void_codes)
                for field in form if field.name != "csrf_token" for message in field.errors]
    return render_template("admin/codes.html", round=round_, batches=batches,
                           issue=issue, void_batch=void_batch, void_codes=void_codes,
                           problems=problems, max_codes=MAX_WEB_CODES), status


def _codes_round(slug: str) -> Round:
    round_ = round_for_user(slug)
    if round_.access != "codes":
        abort(404)
    return round_


@bp.route("/rounds/<slug>/codes", methods=["GET", "POST"], endpoint="codes")
@login_required
def codes_page(slug: str):
    round_ = round_for_user(slug)
    if round_.access != "codes":
        return redirect(url_for("admin.poster", slug=slug))
    if request.method == "GET":
        return _page(round_)
    issue = IssueCodesForm()
    issue.group.choices = _group_choices(round_, codes.batches(round_))
    if not issue.validate_on_submit():
        return _page(round_, 400, issue=issue)
    try:
        plain, batch = codes.issue(round_, issue.group.data, issue.count.data,
                                   actor=current_user.username)
    except RoundError as error:
        issue.group.errors.append(spec_message(error))
        return _page(round_, 409, issue=issue)
    group = rounds.group_by_key(round_, issue.group.data)
    return render_template("admin/codes_issued.html", round=round_, group=group, batch=batch,
                           codes=plain, joined="\n".join(plain)), 200, NO_STORE


def posted_codes(round_: Round, group) -> list[str]:
    """The codes posted back from the one-time page; each must be one of this
    round's and group's, so nobody prints slips for codes that do not count."""
    plain = [code_rules.normalise(c) for c in request.form.get("codes", "").split()]
    if not plain or None in plain or len(plain) > MAX_WEB_CODES:
        abort(400)
    if not codes.all_belong(round_, group, plain):
        abort(400)
    return plain


@bp.route("/rounds/<slug>/codes/download", methods=["POST"])
@login_required
def codes_download(slug: str):
    round_ = _codes_round(slug)
    try:
        group = rounds.group_by_key(round_, request.form.get("group", ""))
    except RoundError:
        abort(400)
    plain = posted_codes(round_, group)
    fmt = request.form.get("format")
    batch = re.sub(r"\D", "", request.form.get("batch", ""))
    name = f"{round_.slug}-{group.key}" + (f"-batch{batch}" if batch else "")
    if fmt == "pdf":
        data = slips_pdf(plain, title=round_.title, base_url=base_url(), group=group.label)
        mimetype, name = "application/pdf", f"{name}.pdf"
    elif fmt == "csv":
        data = codes_csv(plain, group=group.key, base_url=base_url())
        mimetype, name = "text/csv", f"{name}.csv"
    else:
        abort(400)
    codes.record_download(round_, group, len(plain), fmt, actor=current_user.username)
    return Response(data, mimetype=mimetype, headers={
        **NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'})


def _confirmed(form: VoidBatchForm) -> bool:
    """A batch form posted valid with its box ticked; otherwise False, with
    "tick the box" where nothing else is wrong."""
    if form.validate_on_submit() and form.confirm.data:
        return True
    if not form.confirm.errors and not form.batch.errors:
        form.confirm.errors.append(_("Please tick the box to confirm."))
    return False


@bp.route("/rounds/<slug>/codes/void-batch", methods=["POST"])
@login_required
def void_batch(slug: str):
    round_ = _codes_round(slug)
    form = _forms(round_, codes.batches(round_), void_batch=VoidBatchForm())[1]
    if not _confirmed(form):
        return _page(round_, 400, void_batch=form)
    try:
        n = codes.void_batch(round_, int(form.batch.data), actor=current_user.username)
    except RoundError:
        form.batch.errors.append(_("Codes of a closed round stay as they are."))
        return _page(round_, 409, void_batch=form)
    flash(_("%(count)d unused codes of batch %(batch)s no longer work.", count=n,
            batch=form.batch.data))
    return redirect(url_for("admin.codes", slug=slug), 303)


@bp.route("/rounds/<slug>/codes/reissue", methods=["POST"])
@login_required
def reissue_batch(slug: str):
    """A lost sheet: the batch's unused codes stop working and as many new
    ones are shown once, like freshly issued codes."""
    round_ = _codes_round(slug)
    form = _forms(round_, codes.batches(round_), void_batch=VoidBatchForm())[1]
    if not _confirmed(form):
        return _page(round_, 400, void_batch=form)
    try:
        plain, batch = codes.reissue(round_, int(form.batch.data), actor=current_user.username)
    except RoundError as error:
        form.batch.errors.append(spec_message(error))
        return _page(round_, 409, void_batch=form)
    group = codes.batch_group(round_, batch)
    flash(_("The unused codes of batch %(old)s no longer work; here are %(count)d new ones.",
            old=form.batch.data, count=len(plain)))
    return render_template("admin/codes_issued.html", round=round_, group=group, batch=batch,
                           codes=plain, joined="\n".join(plain)), 200, NO_STORE


@bp.route("/rounds/<slug>/codes/void", methods=["POST"])
@login_required
def void_codes(slug: str):
    round_ = _codes_round(slug)
    form = VoidCodesForm()
    if not form.validate_on_submit() or not form.confirm.data:
        if not form.errors:
            form.confirm.errors.append(_("Please tick the box to confirm."))
        return _page(round_, 400, void_codes=form)
    typed = [t for t in re.split(r"[\s,，;；]+", form.codes.data) if t]
    plain = [code_rules.normalise(t) for t in typed]
    bad = [t for t, c in zip(typed, plain, strict=True) if c is None]
    if bad:
        form.codes.errors.append(_("Not a code: %(codes)s", codes=", ".join(bad[:10])))
        return _page(round_, 400, void_codes=form)
    try:
        n, listed = codes.void_listed(round_, plain, actor=current_user.username)
    except RoundError:
        form.codes.errors.append(_("Codes of a closed round stay as they are."))
        return _page(round_, 409, void_codes=form)
    if n == 0:
        # Nothing happened: say so beside the codes, which stay typed in.
        form.codes.errors.append(ngettext(
            "This code was not voided: it is not an unused code of this round (already "
            "used, already void, or mistyped).",
            "None of these %(num)d codes was voided: none is an unused code of this round "
            "(already used, already void, or mistyped).", listed))
        return _page(round_, 400, void_codes=form)
    if n < listed:
        flash(_("%(done)d of %(listed)d codes voided; the others were already used, void or "
                "not codes of this round.", done=n, listed=listed), "warning")
    else:
        flash(_("%(done)d codes voided.", done=n))
    return redirect(url_for("admin.codes", slug=slug), 303)


# -- "link" rounds: one QR for everyone ----------------------------------------------------

def link_url(round_: Round) -> str:
    return f"{base_url()}/r/{round_.slug}"


@bp.route("/rounds/<slug>/poster")
@login_required
def poster(slug: str):
    round_ = round_for_user(slug)
    if round_.access != "link":
        return redirect(url_for("admin.codes", slug=slug))
    return render_template("admin/poster.html", round=round_, url=link_url(round_))


@bp.route("/rounds/<slug>/qr.svg")
@login_required
def round_qr(slug: str):
    round_ = round_for_user(slug)
    if round_.access != "link":
        abort(404)
    image = qrcode.make(link_url(round_), image_factory=qrcode.image.svg.SvgPathImage,
                        border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    # Crisp edges: no hairline seams between modules when scaled up for a projector.
    svg = image.to_string().replace(b"<svg ", b'<svg shape-rendering="crispEdges" ', 1)
    return Response(svg, mimetype="image/svg+xml")
