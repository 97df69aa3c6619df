"""Voter routes.  They work as plain form posts; htmx (hx-boost) only makes
them smoother, and 4xx pages are full pages so either way reads well.

The session holds the code between scanning and submitting so it leaves the
address bar at once (and with it browser history and Referer headers).
"""

from __future__ import annotations

import secrets

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from markupsafe import escape
from wtforms import ValidationError

from ...models import Round
from ...services import deadlines
from ...services.rounds import get_round
from ...services.voting import (
    REASONS,
    CodeCheck,
    RoundStructure,
    VotingError,
    cast,
    cast_test,
    check_code,
    round_refusal,
    round_structure,
    structure_of,
)
from ...services.voting import (
    problems as ballot_problems,
)
from ...services.voting.structure import GroupView
from ..forms import show_problems
from ..i18n import LANGUAGES
from ..limits import BROWSER, BallotPost, CodeAttempt, ensure_browser
from . import bp
from .forms import CodeForm, ballot_form, show_posted
from .posted import read_ballot
from .review import review

#: Refusals where the code itself is at fault: the page offers the code back
#: in a field, to be corrected rather than typed again from the start.
RETYPE = ("bad_code", "unknown_code")


def refused(error: VotingError, round_: RoundStructure | Round | None = None, *,
            after_submit: bool = False, typed: str | None = None):
    """The page for a code or round that cannot take a ballot.  After a
    submit (``after_submit``) a used code most likely means a double tap or a
    retry whose first try got through, and the page says so.  A code that is
    mistyped or unknown comes back in a field (``typed``) to be corrected."""
    form = None
    if error.reason in RETYPE and not after_submit:
        form = CodeForm(formdata=None, data={"code": (typed or "")[:40]})
    return render_template("ballot/refused.html", reason=error.reason, round=round_,
                           when=deadlines.local(error.when), after_submit=after_submit,
                           form=form), REASONS[error.reason]


@bp.route("/", methods=["GET", "POST"])
def enter_code():
    ensure_browser()  # its guesses are counted as its own (limits.py)
    form = CodeForm()
    if form.validate_on_submit():
        return redeem(form.code.data)
    status = 400 if form.errors else 200
    return render_template("ballot/enter_code.html", form=form), status


#: Refusals that mean the code is not one: a guess (limits.py counts them).
WRONG_CODES = ("bad_code", "unknown_code")


@bp.route("/c/<code>")
def redeem(code: str):
    attempt = CodeAttempt()  # 429 here for a browser that spent its own allowance
    try:
        checked = check_code(code)
    except VotingError as error:
        if error.reason in WRONG_CODES:
            attempt.wrong()  # 429 instead of 404 once the address's allowance is spent
        else:
            attempt.right()  # a real code, only not one that may vote: no guess
        return refused(error, typed=code)
    attempt.right()
    # A new voter on this phone: nothing of the last one's session stays but
    # the browser's id (limits.py) and the language asked for (a slip's link
    # may carry ?lang=en).
    lang = request.args.get("lang")
    lang = lang if lang in LANGUAGES else session.get("lang")
    browser = session.get(BROWSER)
    session.clear()
    session[BROWSER] = browser
    if lang in LANGUAGES:
        session["lang"] = lang
    hold_code(checked)
    return redirect(url_for("ballot.ballot"))


def hold_code(checked: CodeCheck) -> None:
    """Keep a checked code in the session, with its round and group: the
    signed session is the voter's own, and what it says is checked again,
    in SQL, when the ballot is cast.  A new random sheet number names where
    this voter's answers are kept on the phone until they are cast."""
    session["code"] = checked.code
    session["held"] = [checked.round_id, checked.round_slug, checked.group_id]
    session["sheet"] = new_sheet()
    if checked.test:  # a test run's code: the ballot is checked, never stored
        session["test"] = True


def new_sheet() -> str:
    """The name of one voter's unsent answers in the phone's sessionStorage
    (app.js): random, never stored on the server, tied to no code.  A new
    scan on a shared phone starts a new sheet, so nobody sees the answers
    the last voter left unsent."""
    return secrets.token_urlsafe(9)


@bp.route("/ballot", methods=["GET", "POST"])
def ballot():
    code = session.get("code")
    if not code:
        return redirect(url_for("ballot.enter_code"))
    try:
        # A posted ballot needs no look-up of its code first: the code is
        # spent by one UPDATE that checks code, round, group and status
        # together, and anything amiss there gets the same refusal.
        held = session.get("held") if request.method == "POST" else None
        round_, group = checked_round(code, held=held)
    except VotingError as error:
        session.pop("code", None)
        return refused(error, after_submit=request.method == "POST")
    test = bool(session.get("test"))
    if test and round_.access == "link":
        # A link round's test link shows the ballot as the shared link does:
        # the group is chosen on it (or first), whichever group the code has.
        return fill_in(round_, None, code=code, test=True, code_group=group)
    return fill_in(round_, group, code=code, test=test)


def checked_round(code: str, *, held: list | None = None) -> tuple[RoundStructure, GroupView]:
    """The round and group of a code that may vote, or VotingError.  With
    ``held`` (the session's [round id, slug, group id] for the code) the
    database is not asked whether the code may still vote."""
    if held is not None:
        round_id, slug, group_id = held
        checked = CodeCheck(code, round_id, slug, group_id)
    else:
        checked = check_code(code)
    round_ = round_structure(checked.round_id, checked.round_slug)
    group = round_ and round_.group(checked.group_id)
    if group is None:  # only a draft can lose a group, and drafts take no ballots
        raise VotingError("not_open")
    return round_, group


@bp.route("/r/<slug>", methods=["GET", "POST"])
def link_ballot(slug: str):
    """A shared-link round: anyone with the QR may vote once per browser."""
    round_ = get_round(slug)
    if round_ is None or round_.access != "link":
        abort(404)
    if error := round_refusal(round_):
        return refused(error, round_)
    if slug in session.get("voted", []):
        return refused(VotingError("used_code"), round_)
    return fill_in(structure_of(round_), None)


def fill_in(round_: RoundStructure, group: GroupView | None, *, code: str | None = None,
            test: bool = False, code_group: GroupView | None = None):
    """Show the ballot, or store a posted one: a complete ballot that passes
    the plugins' rules is cast; anything else gets the page back (400) with
    every answer kept and each problem beside its field.  ``code_group``: a
    link round's test code's own group, where the ballot lets one be chosen."""
    group, choose_group = ballot_group(round_, group)
    if group is None and choose_group is None:
        return choose_group_first(round_)
    group_key = group.key if group is not None else None
    if request.method != "POST":
        ensure_browser()  # its posts are counted as its own (limits.py)
        if "sheet" not in session:  # a session from before sheets, or a shared link
            session["sheet"] = new_sheet()
        return fresh_page(round_, group, choose_group, test=test)
    posted = read_ballot(round_, request.form, choose_group=choose_group, group_key=group_key)
    # The plugins' ballot rules (e.g. at most 30% 优秀 per ballot) see only
    # complete ballots.
    problems = ballot_problems(round_.spec, posted.keyed,
                               group_key or posted.group_key) if posted.complete else []
    limits = BallotPost(round_.id)
    if posted.complete and not problems:
        if group is None:
            key = posted.group_key if choose_group else round_.groups[0].key
            group = next(g for g in round_.groups if g.key == key)
        if code is not None and limits.keeps_failing():
            # E.g. a replayed cookie of a spent code: look it up before sealing.
            try:
                check_code(code)
            except VotingError as error:
                limits.not_cast(None)
                session.pop("code", None)
                return refused(error, round_, after_submit=True)
        if test and code is not None:
            return test_ballot_cast(round_, code_group or group, code, limits)
        taken = limits.cast()  # only the ballot allowances: 429 once spent
        try:
            receipt = cast(round_, group, posted.answers, code=code, comment=posted.comment)
        except VotingError as error:
            limits.not_cast(taken)
            session.pop("code", None)
            return refused(error, round_, after_submit=True)
        session.pop("code", None)
        session.pop("sheet", None)
        if code is None:
            session["voted"] = [*session.get("voted", []), round_.slug]
        session["receipt"] = receipt
        session["receipt_round"] = [round_.slug, round_.title]
        session["sealed"] = round_.lock is not None
        return redirect(url_for("ballot.done"))
    limits.cannot_count()  # 429 once this browser's allowance is spent
    form = ballot_form(round_, choose_group=choose_group,  # filled in from the post
                       group_key=group_key)
    show_posted(form, posted)
    show_problems(form, problems, form.subject_field)
    return show_ballot(round_, group, form, submitted=True, test=test)


def ballot_group(round_: RoundStructure, group: GroupView | None
                 ) -> tuple[GroupView | None, bool | None]:
    """``(group, choose_group)`` of a ballot: the code's group; a link
    round's only group; or, when a link round has several, chosen on the
    ballot (``choose_group``), unless their ballots differ (评价关系: each
    group rates its own subjects) so the group must be chosen first
    (``?group=KEY``; ``(None, None)`` until it is)."""
    if group is not None:
        return group, False
    if len(round_.groups) == 1:
        return round_.groups[0], False
    if not round_.relations:
        return None, True
    chosen = request.args.get("group")
    return next((g for g in round_.groups if g.key == chosen), None), (
        False if chosen in {g.key for g in round_.groups} else None)


def choose_group_first(round_: RoundStructure):
    """A link round whose groups rate different subjects: which group first."""
    return render_template("ballot/choose_group.html", round=round_), (
        400 if request.method == "POST" else 200)


def show_ballot(round_: RoundStructure, group: GroupView | None, form, *, submitted: bool,
                expired: bool = False, test: bool = False):
    """The ballot page; after a refused submit (400) with every answer kept
    and the problems listed at the top.  ``test``: marked as a test run's."""
    return render_template("ballot/ballot.html", round=round_, group=group, form=form,
                           review=review(form, submitted=submitted), expired=expired,
                           test=test, csrf=form.csrf_token.current_token,
                           sheet=session.get("sheet", "")), 400 if submitted or expired else 200


def test_ballot_cast(round_: RoundStructure, group: GroupView, code: str,
                     limits: BallotPost):
    """A complete test ballot: its test code is marked used, nothing else kept."""
    session.pop("code", None)
    session.pop("test", None)
    try:
        cast_test(round_.id, group.id, code)
    except VotingError as error:
        limits.not_cast(None)
        return refused(error, round_, after_submit=True)
    session.pop("sheet", None)
    session["test_done"] = round_.title
    return redirect(url_for("ballot.done"))


# What a cached empty ballot page holds where each request puts its own: no
# template output contains a NUL, so these cannot be mistaken for content.
TOKEN_MARK = "\x00csrf\x00"
SHEET_MARK = "\x00sheet\x00"


def fresh_page(round_: RoundStructure, group: GroupView | None, choose_group: bool, *,
               test: bool = False) -> str:
    """An empty ballot, as :func:`show_ballot` renders it, from a page made
    once per round snapshot, group, language, address and test mark:
    rendering its hundred radio buttons was most of the work of a page, and
    they are the same for every voter.  Each request puts in its own form
    token and sheet number (tests/test_ballot_page_cache.py checks the
    result is the page rendered anew)."""
    key = ("page", group.id if group else None, choose_group, str(get_locale()),
           request.full_path, test)  # the form posts back to its path, ?group= included
    page = round_.rendered.get(key)
    if page is None:
        form = ballot_form(round_, choose_group=choose_group, formdata=None,
                           group_key=group.key if group is not None else None)
        page = round_.rendered[key] = render_template(
            "ballot/ballot.html", round=round_, group=group, form=form,
            review=review(form, submitted=False), expired=False, test=test, csrf=TOKEN_MARK,
            sheet=SHEET_MARK)
    return page.replace(TOKEN_MARK, generate_csrf()).replace(
        SHEET_MARK, str(escape(session.get("sheet", ""))))


# A voter may leave the ballot open longer than the form token lives (a
# long queue, a phone that slept); a token from this session up to this old
# still gets the ballot back with its answers.
STALE_FORM_LIMIT = 24 * 3600


def genuine_but_stale() -> bool:
    """The token was issued to this session, only too long ago.  A missing
    or foreign token (a cross-site post) is not: it never gets a page
    pre-filled with someone else's answers."""
    try:
        validate_csrf(request.form.get("csrf_token"), time_limit=STALE_FORM_LIMIT)
    except ValidationError:
        return False
    return True


@bp.errorhandler(CSRFError)
def form_expired(error):
    """A ballot posted with a stale form token: show it again with the
    answers kept and a fresh token instead of losing them.  Nothing is
    stored; anything else gets the plain page."""
    round_, group = None, None
    if request.method != "POST" or not genuine_but_stale():
        pass
    elif request.endpoint == "ballot.ballot" and session.get("code"):
        try:
            round_, group = checked_round(session["code"])
        except VotingError as error:
            session.pop("code", None)
            return refused(error, after_submit=True)
    elif request.endpoint == "ballot.link_ballot":
        row = get_round(request.view_args["slug"])
        if row is not None and not (row.access != "link" or round_refusal(row)
                                    or row.slug in session.get("voted", [])):
            round_ = structure_of(row)
    if round_ is None:
        return render_template("error.html", code=400, reason="csrf"), 400
    group, choose_group = ballot_group(round_, group)
    if group is None and choose_group is None:
        return choose_group_first(round_)
    form = ballot_form(round_, choose_group=choose_group,
                       group_key=None if group is None else group.key)
    return show_ballot(round_, group, form, submitted=False, expired=True,
                       test=bool(session.get("test")) and (group is not None or choose_group))


@bp.route("/done")
def done():
    if title := session.pop("test_done", None):
        return render_template("ballot/test_done.html", title=title)
    receipt = session.get("receipt")
    if not receipt:
        return redirect(url_for("ballot.enter_code"))
    sealed = session.get("sealed", False)
    slug, title = session.get("receipt_round") or (None, None)
    return render_template("ballot/done.html", receipt=receipt, sealed=sealed,
                           round_title=title, check_url=check_url(slug),
                           message=_("Your ballot is in the ballot box.") if sealed
                           else _("Your ballot has been counted."))


def check_url(slug: str | None) -> str | None:
    """Where a receipt is checked, as a full address to note down."""
    if not slug:
        return None
    return current_app.config["BASE_URL"].rstrip("/") + url_for("public.receipt", slug=slug)


@bp.route("/done/receipt.txt")
def receipt_file():
    """The receipt as a small text file to keep: the round, the receipt and
    where to check it.  Made from this session only; nothing is stored."""
    receipt = session.get("receipt")
    if not receipt:
        return redirect(url_for("ballot.enter_code"))
    slug, title = session.get("receipt_round") or (None, None)
    lines = [title or "", _("Receipt code: %(receipt)s", receipt=receipt)]
    if url := check_url(slug):
        lines.append(_("Check that it was counted at: %(url)s", url=url))
    lines.append(_("The receipt cannot be used to see how you voted."))
    body = "\r\n".join(line for line in lines if line) + "\r\n"
    return body, 200, {"Content-Type": "text/plain; charset=utf-8",
                       "Content-Disposition": 'attachment; filename="receipt.txt"'}
