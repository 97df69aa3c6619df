"""Counting: opening a closed round's ballot box (开箱计票) with its 监票人's
shares, and reading back the counts the tally takes.

The ballots of a sealed round are summed, position by position, per voter
group; only those sums are decrypted, each with every present trustee's
proof of correct decryption, and stored (``OpenedSum``).  The comments are
decrypted one by one, shuffled and stored with no link to any ballot, and
their sealed copies erased.  All of it in one transaction: a wrong or
missing share, or a sum that decrypts to nothing, changes nothing.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable, Sequence

from sqlalchemy import func, select, update

from ..database import db
from ..domain import lifecycle
from ..domain.ballot_box import keys, opening, sealing
from ..domain.ballot_box.keys import Share
from ..domain.model import BLANK, Counts, SpecError, SpecErrors
from ..models import Answer, Ballot, Comment, OpenedSum, Round, VoterCode
from . import ballot_box
from .errors import RoundError
from .rounds import apply_transition, check_transition

#: Ballots read from the database at a time.
BATCH = 500


def not_counted_error(round_: Round) -> RoundError:
    box = ballot_box.box(round_)
    return RoundError("round %(slug)s is not counted yet: opening its ballot box needs "
                      "%(threshold)d of its trustees' shares", slug=round_.slug,
                      threshold=box.threshold if box else 1)


# -- 开箱计票 ----------------------------------------------------------------------------------

def check_shares(round_: Round, texts: Sequence[tuple[str, str]]) -> list[Share]:
    """The shares as typed or read (``(source, text)`` pairs), checked one by
    one against the round: a typo, another round's share, a share given
    twice or too few of them each stop the count with a clear message.  A
    round whose ballots are plain needs none."""
    box = ballot_box.box(round_)
    if box is None:
        return []
    errors: list[SpecError] = []
    found: dict[int, Share] = {}
    for source, text in texts:
        try:
            share = keys.share_in_text(text, source=source)
        except SpecError as error:
            errors.append(error)
            continue
        trustee = next((t for t in box.trustees if t.index == share.index), None)
        if share.tag != box.tag:
            errors.append(SpecError("this share belongs to another round", source=source))
        elif trustee is None or not opening.check_share(share, trustee, box.tag):
            errors.append(SpecError("this is not the share of trustee %(index)s of this round",
                                    source=source, params={"index": share.index}))
        elif share.index in found:
            errors.append(SpecError("the share of trustee %(index)s is given twice", source=source,
                                    params={"index": share.index}))
        else:
            found[share.index] = share
    if errors:
        raise SpecErrors(errors)
    if len(found) < box.threshold:
        raise RoundError("%(given)d shares given; opening the ballot box needs %(threshold)d of "
                         "the %(count)d trustees' shares", given=len(found),
                         threshold=box.threshold, count=len(box.trustees))
    return [found[i] for i in sorted(found)][:box.threshold]


def count_round(round_: Round, shares: Sequence[Share], *, actor: str,
                progress: Callable[[int, int], None] | None = None) -> None:
    """Open the ballot box of a closed round with shares checked by
    :func:`check_shares` and record its counts; the round becomes counted.
    ``progress(done, total)`` follows the ballots summed."""
    move = check_transition(round_, "count")
    box = ballot_box.box(round_)
    if box is None:
        apply_transition(round_, move, actor, "ballots stored plain")
        return
    trustees = {t.index: t for t in box.trustees}
    try:
        _open_sums(round_, box, shares, trustees, progress)
        _open_comments(round_, box, shares)
    except BaseException:
        db.session.rollback()
        raise
    apply_transition(round_, move, actor,
                     "shares of trustees " + ", ".join(str(s.index) for s in shares))


def _open_sums(round_: Round, box: ballot_box.Box, shares: list[Share], trustees: dict,
               progress: Callable[[int, int], None] | None) -> None:
    total = db.session.scalar(select(func.count()).select_from(Ballot)
                              .where(Ballot.round_id == round_.id)) or 0
    positions = len(box.layout.cells) * len(box.layout.positions)
    sums: dict[int, opening.Accumulator] = {}
    done = 0
    query = (select(Ballot.group_id, Ballot.sealed).where(Ballot.round_id == round_.id)
             .execution_options(yield_per=BATCH))
    for group_id, sealed in db.session.execute(query):
        if sealed is None:
            raise RoundError("a ballot of round %(slug)s is stored without its seal",
                             slug=round_.slug)
        accumulator = sums.setdefault(group_id, opening.Accumulator(positions))
        try:
            accumulator.add(sealing.ciphertexts(box.layout, sealed))
        except ValueError:
            raise RoundError("a sealed ballot of round %(slug)s is damaged",
                             slug=round_.slug) from None
        done += 1
        if progress and done % BATCH == 0:
            progress(done, total)
    if progress:
        progress(done, total)
    for group_id, accumulator in sums.items():
        table = opening.Counts(accumulator.ballots)
        for position, (a, b) in enumerate(accumulator.sums()):
            name = f"{group_id}|{position}"
            parts = [opening.partial_decryption(box.context, name, share, trustees[share.index],
                                                a, b) for share in shares]
            try:
                count = table.count_of(b, opening.combined(parts))
            except ValueError:
                raise RoundError("a sum of round %(slug)s decrypts to no count: a ballot is "
                                 "damaged", slug=round_.slug) from None
            db.session.add(OpenedSum(round_id=round_.id, group_id=group_id, position=position,
                                     count=count, ciphertext=a + b,
                                     partials=b"".join(p.encode() for p in parts)))


def _open_comments(round_: Round, box: ballot_box.Box, shares: list[Share]) -> None:
    texts = []
    for tracker, sealed in db.session.execute(
            select(Ballot.tracker, Ballot.sealed_comment)
            .where(Ballot.round_id == round_.id, Ballot.sealed_comment.is_not(None))
            .execution_options(yield_per=BATCH)):
        try:
            # Its maker's proof first: no share is applied to a K nobody made for it.
            if not sealing.check_comment(box.context, tracker, sealed):
                raise ValueError("the proof of a sealed comment fails")
            secret = opening.comment_secret(shares, sealing.comment_ephemeral(sealed))
            text = sealing.open_comment(box.context, sealed, secret)
        except ValueError:
            raise RoundError("a sealed comment of round %(slug)s was altered",
                             slug=round_.slug) from None
        if text:
            texts.append(text)
    secrets.SystemRandom().shuffle(texts)
    for text in texts:
        db.session.add(Comment(id=secrets.token_hex(16), round_id=round_.id, text=text))
    db.session.execute(update(Ballot).where(Ballot.round_id == round_.id)
                       .values(sealed_comment=None))


# -- the counts the tally takes -----------------------------------------------------------------

def load_counts(round_: Round) -> Counts:
    """The round's counts: from its decrypted sums, or, for a round whose
    ballots are plain, from its answers."""
    if not lifecycle.shows_results(round_.status):
        raise not_counted_error(round_)
    counts = _opened_counts(round_) if round_.is_sealed else _plain_counts(round_)
    _add_sheets(round_, counts)
    return counts


def _add_sheets(round_: Round, counts: Counts) -> None:
    """The 废票 of each group and, in a round of codes, what was handed out
    (发出): its codes not voided, used or not, and its paper ballots, valid
    or spoiled, each of which was a sheet handed out.  A shared-link round
    hands out nothing countable: its 发出 stays unknown."""
    for group in round_.groups:
        counts.spoiled[group.key] = group.spoiled or 0
    if round_.access != "codes":
        return
    held = dict(db.session.execute(
        select(VoterCode.group_id, func.count())
        .where(VoterCode.round_id == round_.id, VoterCode.status != "void")
        .group_by(VoterCode.group_id)).all())
    paper = dict(db.session.execute(
        select(Ballot.group_id, func.count())
        .where(Ballot.round_id == round_.id, Ballot.channel == "paper")
        .group_by(Ballot.group_id)).all())
    for group in round_.groups:
        counts.issued[group.key] = (held.get(group.id, 0) + paper.get(group.id, 0)
                                    + (group.spoiled or 0))


def _opened_counts(round_: Round) -> Counts:
    layout = ballot_box.layout(round_)
    groups = {g.id: g.key for g in round_.groups}
    counts = Counts()
    for group_id, n in db.session.execute(
            select(Ballot.group_id, func.count()).where(Ballot.round_id == round_.id)
            .group_by(Ballot.group_id)):
        counts.ballots[groups[group_id]] = n
    k = len(layout.positions)
    in_cell: Counter[tuple[str, int]] = Counter()  # ballots with the cell: Σ of its positions
    for group_id, position, n in db.session.execute(
            select(OpenedSum.group_id, OpenedSum.position, OpenedSum.count)
            .where(OpenedSum.round_id == round_.id)):
        group = groups[group_id]
        subject, criterion = layout.cells[position // k]
        option = layout.positions[position % k]
        in_cell[(group, position // k)] += n
        if option != BLANK and n:  # blanks are what ``cast`` has beyond the answers
            counts.answers.setdefault((group, subject, criterion), {})[option] = n
    for (group, cell), n in in_cell.items():
        subject = layout.cells[cell][0]
        counts.cast[(group, subject)] = max(counts.cast.get((group, subject), 0), n)
    return counts


def _plain_counts(round_: Round) -> Counts:
    groups = {g.id: g.key for g in round_.groups}
    subjects = {s.id: s.key for s in round_.subjects}
    criteria = {c.id: c.key for c in round_.criteria}
    options = {o.id: o.key for o in round_.options}
    counts = Counts()
    per_criterion: Counter[tuple[str, str, str]] = Counter()
    for group_id, n in db.session.execute(
            select(Ballot.group_id, func.count()).where(Ballot.round_id == round_.id)
            .group_by(Ballot.group_id)):
        counts.ballots[groups[group_id]] = n
    # Every ballot that includes a subject has one row per criterion (a NULL
    # option is a blank), so a single GROUP BY yields both the counts and how
    # many ballots include each subject.
    for group_id, subject_id, criterion_id, option_id, n in db.session.execute(
            select(Ballot.group_id, Answer.subject_id, Answer.criterion_id, Answer.option_id,
                   func.count())
            .join(Answer, Answer.ballot_id == Ballot.id)
            .where(Ballot.round_id == round_.id)
            .group_by(Ballot.group_id, Answer.subject_id, Answer.criterion_id,
                      Answer.option_id)):
        group, subject = groups[group_id], subjects[subject_id]
        per_criterion[(group, subject, criteria[criterion_id])] += n
        if option_id is not None:
            key = (group, subject, criteria[criterion_id])
            counts.answers.setdefault(key, {})[options[option_id]] = n
    for (group, subject, _), n in per_criterion.items():
        counts.cast[(group, subject)] = max(counts.cast.get((group, subject), 0), n)
    return counts
