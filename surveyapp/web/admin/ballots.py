"""Paper ballots in the console: typed in one by one on a form laid out like
the paper 测评表 (a row per person, a column per grade), or imported as CSV.

Each is stored like a web ballot (same transaction rules, same plugin
ballot rules) with the channel "paper" and no code.  The audit log records
who entered paper ballots for which group, never what they said.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from ...domain.model import BLANK, SpecError, SpecErrors, commitment_key
from ...models import Round, VoterGroup
from ...services import turnout, voting
from ...services.errors import RoundError
from . import bp
from .access import round_for_user
from .forms import ConfirmForm, PaperGroupForm, PaperImportForm


class PaperBallotForm(FlaskForm):
    group = HiddenField()

    def table(self):
        """``[(criterion, [(subject, field), ...]), ...]``: one table per criterion."""
        return self._table


#: The commitment scale (承诺兑现), as on the phone ballot.
COMMITMENT_CHOICES = [SelectChoice("fulfilled", _l("Fulfilled")),
                      SelectChoice("partly", _l("Partly fulfilled")),
                      SelectChoice("not", _l("Not fulfilled")),
                      SelectChoice("unknown", _l("Don't know"))]

#: The choice for a name the sheet leaves out altogether (本人不评): not on
#: this ballot, so neither graded nor blank.
LEFT_OUT = "_absent"


def paper_form(round_: Round, rated: frozenset[str] | None = None, **kwargs) -> PaperBallotForm:
    """A required choice per person (of those the group rates, ``rated``;
    None: all) and criterion, including "left blank" and "left out", so a
    skipped row is noticed rather than silently stored as blank."""
    choices = [SelectChoice(o.key, o.label) for o in round_.options] + [
        SelectChoice(BLANK, _l("Left blank")), SelectChoice(LEFT_OUT, _l("Left out (own name)"))]
    subjects = [(si, s) for si, s in enumerate(round_.subjects)
                if rated is None or s.key in rated]
    attrs = {}
    for ci in range(len(round_.criteria)):
        for si, subject in subjects:
            attrs[f"p-{si}-{ci}"] = RadioField(subject.name, choices=choices, validators=[
                InputRequired(_l("Mark what the sheet says for %(name)s.", name=subject.name))])
    # 承诺兑现: a row per commitment item, on the commitment scale, after the grades.
    promised = [(si, subject, i, item) for si, subject in subjects
                for i, item in enumerate(subject.commitments)]
    commitment_choices = [*COMMITMENT_CHOICES, SelectChoice(BLANK, _l("Left blank"))]
    for si, subject, i, _item in promised:
        attrs[f"pk-{si}-{i}"] = RadioField(subject.name, choices=commitment_choices, validators=[
            InputRequired(_l("Mark what the sheet says for %(name)s.", name=subject.name))])
    form = type("RoundPaperForm", (PaperBallotForm,), attrs)(**kwargs)
    form._table = [(criterion, [(subject, form[f"p-{si}-{ci}"]) for si, subject in subjects])
                   for ci, criterion in enumerate(round_.criteria)]
    form.commitment_rows = [(CommitmentLine(subject.key, commitment_key(i),
                                            f"{subject.name} · {i + 1}. {item}"),
                             form[f"pk-{si}-{i}"]) for si, subject, i, item in promised]
    if promised:
        form._table.append((CommitmentTable(_l("Commitments")), form.commitment_rows))
    return form


@dataclass(frozen=True)
class CommitmentTable:
    """The paper form's 承诺兑现 table, shown like a criterion's."""

    label: str
    commitment: bool = True


@dataclass(frozen=True)
class CommitmentLine:
    """A row of it: the subject, the item's cell and what the row says."""

    key: str
    cell: str
    name: str


def _chosen_group(round_: Round, key: str | None) -> VoterGroup | None:
    if len(round_.groups) == 1:
        return round_.groups[0]
    return next((g for g in round_.groups if g.key == key), None)


def _page(round_: Round, *, form=None, group=None, importer=None, errors=(), status=200,
          rule_problems=(), spoil=None):
    chooser = PaperGroupForm(request.args if request.method == "GET" else None)
    chooser.group.choices = [SelectChoice(g.key, g.label) for g in round_.groups]
    if group is not None:
        chooser.group.data = group.key
    if spoil is None:
        spoil = ConfirmForm(formdata=None)
    spoil.confirm.data = False  # asked again each time
    return render_template("admin/paper.html", round=round_, form=form, group=group,
                           chooser=chooser, importer=importer or PaperImportForm(),
                           errors=errors, counts=turnout.paper_ballots(round_),
                           spoiled=turnout.spoiled(round_), rule_problems=rule_problems,
                           spoil=spoil), status


@bp.route("/rounds/<slug>/paper", methods=["GET", "POST"])
@login_required
def paper(slug: str):
    round_ = round_for_user(slug)
    key = request.form.get("group") if request.method == "POST" else request.args.get("group")
    group = _chosen_group(round_, key)
    if not round_.accepts_ballots:
        return _page(round_, status=409 if request.method == "POST" else 200)
    if group is None:
        return _page(round_, status=400 if request.method == "POST" else 200)
    form = paper_form(round_, frozenset(voting.structure_of(round_).spec.rated(group.key)))
    form.group.data = group.key
    if not form.validate_on_submit():
        return _page(round_, form=form, group=group,
                     status=400 if request.method == "POST" else 200)
    left_out = {subject.key for _, row in form.table() for subject, field in row
                if field.data == LEFT_OUT}
    keyed = {(subject.key, criterion.key): None if field.data == BLANK else field.data
             for criterion, row in form.table() for subject, field in row
             if subject.key not in left_out and not isinstance(criterion, CommitmentTable)}
    keyed |= {(line.key, line.cell): None if field.data == BLANK else field.data
              for line, field in form.commitment_rows if line.key not in left_out}
    try:
        problems = voting.enter_paper_ballot(round_, group.key, keyed,
                                             actor=current_user.username)
    except (voting.VotingError, RoundError):  # closed meanwhile
        return _page(round_, status=409)
    if problems:
        # Every row is marked, but the sheet breaks a rule (e.g. more 优秀
        # than allowed): said as such, with the way out, a 废票.
        return _page(round_, form=form, group=group, status=400,
                     rule_problems=[message for _subject, message in problems])
    flash(_("Paper ballot saved. Enter the next one."))
    return redirect(url_for("admin.paper", slug=slug, group=group.key), 303)


@bp.route("/rounds/<slug>/paper/spoil", methods=["POST"])
@login_required
def paper_spoil(slug: str):
    """Record one paper ballot of a group as 废票 (a count, nothing of what
    it said): a sheet that breaks the rules or cannot be read."""
    round_ = round_for_user(slug)
    group = _chosen_group(round_, request.form.get("group"))
    form = ConfirmForm()
    if not round_.accepts_ballots:
        return _page(round_, status=409)
    if group is None:
        return _page(round_, status=400)
    if not form.validate_on_submit() or not form.confirm.data:
        if not form.confirm.errors:
            form.confirm.errors.append(_("Please tick the box to confirm."))
        return _page(round_, form=_sheet(round_, group), group=group, spoil=form, status=400)
    try:
        voting.spoil_paper_ballot(round_, group.key, actor=current_user.username)
    except (voting.VotingError, RoundError):  # closed meanwhile
        return _page(round_, status=409)
    flash(_("Recorded as a spoiled ballot of %(group)s: it counts as returned, not as "
            "valid. Take the next sheet.", group=group.label))
    return redirect(url_for("admin.paper", slug=slug, group=group.key), 303)


@bp.route("/rounds/<slug>/paper/sheet.pdf")
@login_required
def paper_sheet(slug: str):
    """The printable 测评表 of a group, for members without a phone."""
    round_ = round_for_user(slug)
    try:
        data = voting.paper_sheet(round_, request.args.get("group") or None)
    except RoundError:
        abort(404)
    name = f"{round_.slug}-{request.args.get('group') or 'sheet'}.pdf"
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _sheet(round_: Round, group: VoterGroup) -> PaperBallotForm:
    form = paper_form(round_, formdata=None)
    form.group.data = group.key
    return form


@bp.route("/rounds/<slug>/paper/import", methods=["POST"])
@login_required
def paper_import(slug: str):
    round_ = round_for_user(slug)
    importer = PaperImportForm()
    if not round_.accepts_ballots:
        return _page(round_, importer=importer, status=409)
    if not importer.validate_on_submit():
        return _page(round_, importer=importer, status=400)
    upload = importer.file.data
    source = upload.filename or "upload.csv"
    try:
        n = voting.import_paper_ballots(round_, upload.read(), source=source,
                                        actor=current_user.username)
    except SpecErrors as errors:
        return _page(round_, importer=importer, errors=errors.errors, status=400)
    except SpecError as error:
        return _page(round_, importer=importer, errors=[error], status=400)
    except (voting.VotingError, RoundError):
        return _page(round_, importer=importer, status=409)
    flash(_("%(count)d paper ballots imported from %(file)s.", count=n, file=source))
    return redirect(url_for("admin.paper", slug=slug), 303)
