"""Ballot forms, built per round from its subjects, criteria and scale.

They render the ballot page; a posted ballot is checked by ``posted.read_ballot``
and its findings are put beside the fields here (:func:`show_posted`).
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from ...services.voting.structure import RoundStructure
from .posted import (
    COMMENT_MAX,
    LEFT_OUT,
    PostedBallot,
    commitment_field,
    field_name,
    offers_left_out,
)

#: The commitment scale (承诺兑现) as the ballot shows it.
COMMITMENT_CHOICES = [SelectChoice("fulfilled", _l("Fulfilled")),
                      SelectChoice("partly", _l("Partly fulfilled")),
                      SelectChoice("not", _l("Not fulfilled")),
                      SelectChoice("unknown", _l("Don't know"))]


class CodeForm(FlaskForm):
    code = StringField(_l("Voter code"), validators=[InputRequired(_l("Please enter your code.")),
                                                     Length(max=40)])


class BallotForm(FlaskForm):
    comment = TextAreaField(_l("Opinions and suggestions (optional)"),
                            render_kw={"maxlength": COMMENT_MAX})

    def questions(self):
        """``(subject, [(criterion, field), ...])`` in ballot order."""
        return self._questions

    def subject_field(self, subject_key: str | None):
        """The first field of a subject, where messages about it are shown."""
        return next((row[0][1] for subject, row in self._questions
                     if subject.key == subject_key), None)


# How many em of label fit across a card on a 360 px phone, button padding
# and gaps included (a CJK character is 1 em, a Latin one about 0.6).
ROW_EMS = 20


def option_columns(labels: list[str]) -> int:
    """Grade buttons per row: as many as fit with the longest label on one
    line, spread evenly over the rows (4 grades: one row of 4; 5: 3 + 2)."""
    widest = max((sum(1 if ord(ch) > 0x2E7F else 0.6 for ch in label) for label in labels),
                 default=1)
    for rows in range(1, len(labels) + 1):
        columns = -(-len(labels) // rows)
        if columns * (widest + 1) <= ROW_EMS:
            return columns
    return 1


REQUIRED = {"required": True}


def form_class(round_: RoundStructure, choose_group: bool,
               group_key: str | None = None) -> tuple[type[BallotForm], list]:
    """The round's form class and its layout ``[(subject, [(criterion, field
    name), ...])]`` (a subject's commitment items last in its row, each a
    ``CriterionView`` with ``commitment`` set) for a ballot of ``group_key`` (only the subjects it
    rates; None: every subject), made once per snapshot: a frozen round's
    snapshot is cached, so its class is too.  Labels are plain data or lazy strings, so
    one class serves every locale.  The fields carry no validators: the
    post is read by ``posted.read_ballot``."""
    made = round_.form_classes.get((choose_group, group_key))
    if made is not None:
        return made
    choices = [SelectChoice(o.key, o.label) for o in round_.options]
    if offers_left_out(round_):
        choices.append(SelectChoice(LEFT_OUT, _l("Myself (not rated)")))
    attrs: dict = {}
    layout = []
    for si, subject in round_.subjects_of(group_key):
        row = []
        for ci, criterion in enumerate(round_.criteria):
            name = field_name(si, ci)
            label = subject.name if len(round_.criteria) == 1 else criterion.label
            attrs[name] = RadioField(label, choices=choices, render_kw=REQUIRED)
            row.append((criterion, name))
        for i, item in enumerate(subject.commitment_views()):
            name = commitment_field(si, i)
            attrs[name] = RadioField(item.label, choices=COMMITMENT_CHOICES, render_kw=REQUIRED)
            row.append((item, name))
        layout.append((subject, row))
    if choose_group:
        attrs["group"] = RadioField(
            _l("I take part as"), choices=[SelectChoice(g.key, g.label) for g in round_.groups],
            render_kw=REQUIRED)
    # Options capped per ballot: their radios carry data-limit (the index of
    # the limit) for the live count and the refused tap (app.js, app.css).
    limits = round_.limits_of(group_key)
    attrs["limits"] = limits
    attrs["limited"] = {limit.option: str(i) for i, limit in enumerate(limits)}
    # Widths from the Chinese labels (the default language; "本人（不评）" when offered).
    attrs["option_columns"] = option_columns([o.label for o in round_.options]
                                             + ["本人（不评）"] * offers_left_out(round_))
    attrs["group_columns"] = option_columns([g.label for g in round_.groups])
    attrs["commitment_columns"] = option_columns(["已兑现", "部分兑现", "未兑现", "不了解"])
    made = (type("RoundBallotForm", (BallotForm,), attrs), layout)
    round_.form_classes[choose_group, group_key] = made
    return made


def ballot_form(round_: RoundStructure, *, choose_group: bool = False,
                group_key: str | None = None, **kwargs) -> BallotForm:
    """A form with one required radio group per subject (that ``group_key``
    rates) and criterion.

    Nothing is preselected (domain.md §4: no nudging towards any grade).
    """
    cls, layout = form_class(round_, choose_group, group_key)
    form = cls(**kwargs)
    form._questions = [(subject, [(criterion, form[name]) for criterion, name in row])
                       for subject, row in layout]
    return form


def show_posted(form: BallotForm, posted: PostedBallot) -> None:
    """Put what ``read_ballot`` found missing beside each field."""
    missing = set(posted.missing)
    for subject, row in form.questions():
        for _criterion, field in row:
            if field.name in missing:
                field.errors = [_("Please choose one option for %(name)s.", name=subject.name)]
    if "group" in missing:
        form["group"].errors = [_("Please choose your group.")]
    if posted.comment_too_long:
        form.comment.errors = [_("Please keep your comment to %(max)d characters or fewer.",
                                 max=COMMENT_MAX)]
