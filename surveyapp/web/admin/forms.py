"""Console forms.  Values are checked twice: WTForms for the shape of each
field, then the domain's spec parser for what a round may be, whose errors
(``groups[1].weight``) are put back beside the field they name."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ...domain.bounds import CRITERIA_MAX, GROUPS_MAX

#: Most codes one request issues and prints: slips cost ~7 ms each (bench/slips.py), so
#: printing them stays within a few seconds.  The command line has no limit.
MAX_WEB_CODES = 500
#: Blank rows offered below the filled ones in the groups and criteria steps.
SPARE_ROWS = 1


class BasicsForm(FlaskForm):
    # DataRequired, not InputRequired: a title left empty may come from the
    # template (wizard._new_basics) before the form is checked.
    title = StringField(_l("Title"), validators=[DataRequired(_l("Please enter a title.")),
                                                 Length(max=200)])
    template = SelectField(_l("Template"), choices=[], validate_choice=True,
                           render_kw={"data-fills-title": "title"})
    scale = SelectField(_l("Grade scale"), choices=[], validate_choice=True)
    access = RadioField(_l("How voters take part"), default="codes", choices=[
        SelectChoice("codes", _l("A personal single-use code for each voter (QR slips)")),
        SelectChoice("link", _l("One shared link or QR poster (weaker: one ballot per "
                                "browser)"))])
    anonymity_min = IntegerField(_l("Hide any breakdown with fewer ballots than"), default=5,
                                 validators=[InputRequired(), NumberRange(1, 1000)])
    org = SelectField(_l("Organisation"), coerce=int, choices=[])
    opens_at = DateTimeLocalField(_l("Voting opens at (optional)"), format="%Y-%m-%dT%H:%M",
                                  validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Deadline: voting closes at (optional)"),
                                   format="%Y-%m-%dT%H:%M", validators=[Optional()])


def moment_text(value) -> str | None:
    """A form's local date and time as spec data ("2026-12-01T18:00"), or None."""
    return value.strftime("%Y-%m-%dT%H:%M") if value else None


# Fields render in this order: what people read first, the key (for files) last.
class GroupRow(Form):
    label = StringField(_l("Group name"), validators=[Length(max=80)])
    weight = StringField(_l("Weight"), validators=[Length(max=20)])
    expected = StringField(_l("Expected voters"), validators=[Length(max=9)])
    key = StringField(_l("Key"), validators=[Length(max=64)])


class GroupsForm(FlaskForm):
    rows = FieldList(FormField(GroupRow), min_entries=1, max_entries=GROUPS_MAX + SPARE_ROWS)


class CriterionRow(Form):
    label = StringField(_l("Criterion"), validators=[Length(max=200)])
    weight = StringField(_l("Weight"), validators=[Length(max=20)])
    key = StringField(_l("Key"), validators=[Length(max=64)])
    description = StringField(_l("Description"), validators=[Length(max=500)])


class CriteriaForm(FlaskForm):
    rows = FieldList(FormField(CriterionRow), min_entries=1,
                     max_entries=CRITERIA_MAX + SPARE_ROWS)


class SubjectsForm(FlaskForm):
    subjects = TextAreaField(_l("People to appraise, one per line"),
                             validators=[Length(max=200_000)])
    subjects_file = FileField(_l("Or import a table (CSV or Excel)"), validators=[
        FileAllowed(["csv", "xlsx"], _l("Choose a .csv or .xlsx file."))])


class IssueCodesForm(FlaskForm):
    group = SelectField(_l("Voter group"), choices=[], validate_choice=True,
                        render_kw={"data-fills": "count"})
    count = IntegerField(_l("Number of codes"), validators=[
        InputRequired(_l("How many codes?")), NumberRange(1, MAX_WEB_CODES)])


class TokenForm(FlaskForm):
    """Only the CSRF token: the view reads its own fields (the 监票人's keys)."""


class ConfirmForm(FlaskForm):
    """A checkbox that stands in for a confirm dialog when JavaScript is off."""

    confirm = BooleanField(_l("Yes, I am sure"))


class VoidBatchForm(ConfirmForm):
    batch = SelectField(_l("Batch"), choices=[], validate_choice=True)


class VoidCodesForm(ConfirmForm):
    codes = TextAreaField(_l("Codes to void, one per line"),
                          validators=[InputRequired(_l("Paste at least one code.")),
                                      Length(max=100_000)])


class PaperImportForm(FlaskForm):
    file = FileField(_l("Paper ballots CSV"), validators=[
        FileRequired(_l("Choose a file.")), FileAllowed(["csv"], _l("Choose a .csv file."))])


class PaperGroupForm(FlaskForm):
    """Chosen once for a pile of paper ballots (a GET form: no CSRF)."""

    class Meta:
        csrf = False

    group = SelectField(_l("Voter group of this pile"), choices=[], validators=[Optional()])


# -- the organisation tree and the accounts (administrators) --------------------------------

class OrgCreateForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(_l("Please enter a name.")),
                                               Length(max=200)])
    kind = SelectField(_l("Kind"), default="党支部",
                       choices=[SelectChoice(kind, kind)
                                for kind in ("企业", "党委", "党总支", "党支部")])
    parent = SelectField(_l("Under"), coerce=int, choices=[])


class OrgMoveForm(FlaskForm):
    org = SelectField(_l("Organisation"), coerce=int, choices=[])
    parent = SelectField(_l("Move under"), coerce=int, choices=[])


class UserCreateForm(FlaskForm):
    name = StringField(_l("User name"), validators=[InputRequired(_l("Please enter a name.")),
                                                    Length(max=80)])
    role = SelectField(_l("Role"), default="secretary", choices=[
        SelectChoice("secretary", _l("Secretary (sees the rounds of their organisation and "
                                     "everything below it)")),
        SelectChoice("admin", _l("Administrator (sees everything)"))])
    org = SelectField(_l("Organisation"), coerce=int, choices=[])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=200)])


class UserAssignForm(FlaskForm):
    org = SelectField(_l("Organisation"), coerce=int, choices=[])


class UserPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"),
                             validators=[InputRequired(), Length(max=200)])


class RoundCopyForm(FlaskForm):
    title = StringField(_l("Title of the new round"),
                        validators=[InputRequired(_l("Please enter a title.")),
                                    Length(max=200)])


class FollowUpForm(FlaskForm):
    """限期改正: the subjects whose commitment mean is below ``below`` (a percentage)."""

    below = IntegerField(_l("Commitment mean below (%)"),
                         validators=[InputRequired(_l("Please enter a percentage.")),
                                     NumberRange(min=0, max=100)])
    title = StringField(_l("Title of the new round"),
                        validators=[InputRequired(_l("Please enter a title.")),
                                    Length(max=200)])


class TestCodesForm(FlaskForm):
    group = SelectField(_l("Voter group"), choices=[], validate_choice=True)
    count = IntegerField(_l("Number of test codes"), default=2, validators=[
        InputRequired(_l("How many codes?")), NumberRange(1, 50)])


class DeadlineForm(FlaskForm):
    closes_at = DateTimeLocalField(_l("New deadline (empty: none)"), format="%Y-%m-%dT%H:%M",
                                   validators=[Optional()])


class CampaignForm(FlaskForm):
    """A campaign: its rounds' template and period, and its absolute standard
    (empty floors: none of that kind)."""

    title = StringField(_l("Title"), validators=[InputRequired(_l("Please enter a title.")),
                                                 Length(max=200)])
    template = SelectField(_l("Template of its rounds"), choices=[], validate_choice=True)
    period = StringField(_l("Period"), validators=[Length(max=40)])
    org = SelectField(_l("Organisation running it"), coerce=int, choices=[])
    label = StringField(_l("Proposed as"), validators=[Length(max=80)])
    score = StringField(_l("Score at least"), validators=[Length(max=20)])
    criteria = StringField(_l("Every indicator at least"), validators=[Length(max=20)])
    masses = StringField(_l("Mass evaluation (group masses) at least"), validators=[Length(max=20)])
