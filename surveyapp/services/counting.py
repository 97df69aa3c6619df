"""Counting: opening a closed round's ballot box (开箱计票) with its 监票人's
shares, deciding what may be shown, and keeping only that.

The ballots are summed position by position per voter group and channel;
those sums are decrypted in memory only, to decide what the results may
show (services/disclosure.py).  Then what is kept: the shown result
(``Round.result_json``) and the sums the bulletin board publishes
(``BoardSum``), per *unit*, each decrypted with every present trustee's
proof only where the result shows that count; a hidden group's count is
written nowhere.  The comments are decrypted one by one, shuffled and
stored with no link to any ballot, and their sealed copies erased.  All of
it in one transaction: a wrong or missing share, or a sum that decrypts to
nothing, changes nothing.
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
from ..domain.disclosure import Disclosed
from ..domain.model import BLANK, COMMITMENT_PREFIX, Counts, SpecError, SpecErrors
from ..models import Answer, Ballot, BoardSum, Comment, Round, VoterCode
from . import ballot_box, disclosure
from .errors import RoundError
from .rounds import apply_transition, check_transition, round_spec

#: Ballots read from the database at a time.
BATCH = 500
#: The board's unit for the groups whose turnout is hidden, and for all ballots.
HIDDEN_UNIT = "~hidden"
ALL_UNIT = "~all"


def not_counted_error(round_: Round) -> RoundError:
    box = ballot_box.box(round_)
    return RoundError("round %(slug)s is not counted yet: opening its ballot box needs "
                      "%(threshold)d of its trustees' shares", slug=round_.slug,
                      threshold=box.threshold if box else 1)


# -- 开箱计票 ----------------------------------------------------------------------------------

def count_work(round_: Round) -> int:
    """What 开箱计票 adds up: every position of every sealed ballot (0 for a
    round whose ballots are plain)."""
    box = ballot_box.box(round_)
    if box is None:
        return 0
    ballots = db.session.scalar(select(func.count()).select_from(Ballot)
                                .where(Ballot.round_id == round_.id)) or 0
    return ballots * box.layout.total_positions


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
    :func:`check_shares`, decide what may be shown and keep it; the round
    becomes counted.  ``progress(done, total)`` follows the ballots summed."""
    move = check_transition(round_, "count")
    box = ballot_box.box(round_)
    spec = round_spec(round_)
    try:
        if box is None:
            counts, web = _plain_counts(round_, channel=None), _plain_counts(round_, "web")
            _add_sheets(round_, counts)
            shown = disclosure.decide(spec, counts, web)
        else:
            sums = _sum_ballots(round_, box, progress)
            counts, web = _counts_in_memory(round_, box, shares, sums)
            _add_sheets(round_, counts)
            shown = disclosure.decide(spec, counts, web)
            _keep_board_sums(round_, box, shares, sums, shown)
            _open_comments(round_, box, shares)
        checks = {"subjects": {key: {"score": rule} for key, rule
                               in disclosure.score_rules(spec, counts, shown).items()}}
        round_.result_json = disclosure.encode({**shown.result, "checks": checks})
    except BaseException:
        db.session.rollback()
        raise
    detail = ("ballots stored plain" if box is None else
              "shares of trustees " + ", ".join(str(s.index) for s in shares))
    apply_transition(round_, move, actor, detail)


def _sum_ballots(round_: Round, box: ballot_box.Box,
                 progress: Callable[[int, int], None] | None
                 ) -> dict[tuple[str, str], opening.Accumulator]:
    """The ballots' ciphertexts summed per (group key, channel)."""
    total = db.session.scalar(select(func.count()).select_from(Ballot)
                              .where(Ballot.round_id == round_.id)) or 0
    groups = {g.id: g.key for g in round_.groups}
    positions = box.layout.total_positions
    sums: dict[tuple[str, str], opening.Accumulator] = {}
    done = 0
    query = (select(Ballot.group_id, Ballot.channel, Ballot.sealed)
             .where(Ballot.round_id == round_.id).execution_options(yield_per=BATCH))
    for group_id, channel, sealed in db.session.execute(query):
        if sealed is None:
            raise RoundError("a ballot of round %(slug)s is stored without its seal",
                             slug=round_.slug)
        accumulator = sums.setdefault((groups[group_id], channel),
                                      opening.Accumulator(positions))
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
    return sums


def _decrypt(sums: list[tuple[bytes, bytes]], ballots: int, shares: Sequence[Share],
             round_: Round) -> list[int]:
    table = opening.Counts(ballots)
    try:
        return [table.count_of(b, opening.shared_decryption(shares, a)) for a, b in sums]
    except ValueError:
        raise RoundError("a sum of round %(slug)s decrypts to no count: a ballot is "
                         "damaged", slug=round_.slug) from None


def _counts_in_memory(round_: Round, box: ballot_box.Box, shares: Sequence[Share],
                      sums: dict[tuple[str, str], opening.Accumulator]
                      ) -> tuple[Counts, Counts]:
    """Every ballot's counts and the web ballots' own, decrypted here and
    never stored: they decide what is shown, then they are gone."""
    counts, web = Counts(), Counts()
    for (group, channel), accumulator in sums.items():
        found = _decrypt(accumulator.sums(), accumulator.ballots, shares, round_)
        _add_counts(counts, box.layout, group, accumulator.ballots, found)
        if channel == "web":
            _add_counts(web, box.layout, group, accumulator.ballots, found)
    return counts, web


def _add_counts(counts: Counts, layout: sealing.Layout, group: str, ballots: int,
                found: Sequence[int]) -> None:
    """Add a group's decrypted sums (per position of the layout) to ``counts``."""
    counts.ballots[group] = counts.ballots.get(group, 0) + ballots
    in_cell: Counter[int] = Counter()  # ballots with the cell: Σ of its positions
    for position, n in enumerate(found):
        cell, option = layout.position_at(position)
        subject, criterion = layout.cells[cell]
        in_cell[cell] += n
        if option != BLANK and n:  # blanks are what ``cast`` has beyond the answers
            row = counts.answers.setdefault((group, subject, criterion), {})
            row[option] = row.get(option, 0) + n
    include: dict[str, int] = {}
    for cell, n in in_cell.items():
        subject = layout.cells[cell][0]
        include[subject] = max(include.get(subject, 0), n)
    for subject, n in include.items():
        counts.cast[(group, subject)] = counts.cast.get((group, subject), 0) + n


def board_units(round_: Round, turnout_hidden: frozenset[str] | set[str]) -> dict[str, str]:
    """Each voter group's unit on the board: its own key when its turnout is
    shown, else the one unit of all the hidden ones."""
    return {g.key: HIDDEN_UNIT if g.key in turnout_hidden else g.key for g in round_.groups}


def shown_positions(layout: sealing.Layout, result: dict, unit: str) -> set[int]:
    """The positions whose count the result shows for ``unit`` (a group's
    breakdown, or the subject's counts over all groups for ``~all``)."""
    subjects = {s["key"]: s for s in result["subjects"]}
    out = set()
    for cell, (subject, criterion) in enumerate(layout.cells):
        entry = subjects.get(subject)
        if entry is None:
            continue
        first, size = layout.offsets[cell], len(layout.cell_positions[cell])
        if criterion.startswith(COMMITMENT_PREFIX):
            # A commitment item is shown over all groups only, where not suppressed.
            index = int(criterion[len(COMMITMENT_PREFIX):]) - 1
            items = entry.get("commitments") or []
            if (unit == ALL_UNIT and index < len(items)
                    and items[index].get("counts") is not None):
                out.update(range(first, first + size))
            continue
        if unit == ALL_UNIT:
            shown = entry["criteria"].get(criterion, {}).get("counts") is not None
        else:
            shown = entry["groups"].get(unit, {}).get("counts") is not None
        if shown:
            out.update(range(first, first + size))
    return out


def _keep_board_sums(round_: Round, box: ballot_box.Box, shares: Sequence[Share],
                     sums: dict[tuple[str, str], opening.Accumulator],
                     shown: Disclosed) -> None:
    """The board's sums per unit, decrypted with proofs where shown only."""
    units = board_units(round_, shown.turnout)
    members: dict[str, list[opening.Accumulator]] = {}
    for (group, _channel), accumulator in sums.items():
        members.setdefault(units[group], []).append(accumulator)
    if members:
        members[ALL_UNIT] = [a for parts in list(members.values()) for a in parts]
    trustees = {t.index: t for t in box.trustees}
    for unit, parts in members.items():
        accumulator = opening.Accumulator.merged(parts)
        table = opening.Counts(accumulator.ballots)
        visible = shown_positions(box.layout, shown.result, unit) if unit != HIDDEN_UNIT else ()
        for position, (a, b) in enumerate(accumulator.sums()):
            row = BoardSum(round_id=round_.id, unit=unit, position=position,
                           ciphertext=a + b, count=None, partials=None)
            if position in visible:
                name = f"{unit}|{position}"
                parts_ = [opening.partial_decryption(box.context, name, share,
                                                     trustees[share.index], a, b)
                          for share in shares]
                try:
                    row.count = table.count_of(b, opening.combined(parts_))
                except ValueError:
                    raise RoundError("a sum of round %(slug)s decrypts to no count: a ballot "
                                     "is damaged", slug=round_.slug) from None
                row.partials = b"".join(p.encode() for p in parts_)
            db.session.add(row)


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


# -- the counts of rounds counted before results were kept -------------------------------------

def load_counts(round_: Round) -> tuple[Counts, Counts | None]:
    """The counts of a counted round that keeps no result of its own (one
    counted before counting decided what is shown): from its per-group
    sums, or, for a round whose ballots are plain, from its answers.  The
    second is the web ballots' own, where known."""
    if not lifecycle.shows_results(round_.status):
        raise not_counted_error(round_)
    if round_.is_sealed:
        counts, web = _legacy_counts(round_), None
    else:
        counts, web = _plain_counts(round_, channel=None), _plain_counts(round_, "web")
    _add_sheets(round_, counts)
    return counts, web


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


def _legacy_counts(round_: Round) -> Counts:
    layout = ballot_box.layout(round_)
    counts = Counts()
    found: dict[str, list[int]] = {}
    for unit, position, n in db.session.execute(
            select(BoardSum.unit, BoardSum.position, BoardSum.count)
            .where(BoardSum.round_id == round_.id)):
        found.setdefault(unit, [0] * layout.total_positions)[position] = n
    ballots = dict(db.session.execute(
        select(Ballot.group_id, func.count()).where(Ballot.round_id == round_.id)
        .group_by(Ballot.group_id)).all())
    for group in round_.groups:
        if group.key in found:
            _add_counts(counts, layout, group.key, 0, found[group.key])
        counts.ballots[group.key] = ballots.get(group.id, 0)
    return counts


def _plain_counts(round_: Round, channel: str | None) -> Counts:
    groups = {g.id: g.key for g in round_.groups}
    subjects = {s.id: s.key for s in round_.subjects}
    criteria = {c.id: c.key for c in round_.criteria}
    options = {o.id: o.key for o in round_.options}
    counts = Counts()
    per_criterion: Counter[tuple[str, str, str]] = Counter()
    where = [Ballot.round_id == round_.id]
    if channel is not None:
        where.append(Ballot.channel == channel)
    for group_id, n in db.session.execute(
            select(Ballot.group_id, func.count()).where(*where).group_by(Ballot.group_id)):
        counts.ballots[groups[group_id]] = n
    # Every ballot that includes a subject has one row per criterion (a NULL
    # option is a blank), so a single GROUP BY yields both the counts and how
    # many ballots include each subject.
    for group_id, subject_id, criterion_id, option_id, n in db.session.execute(
            select(Ballot.group_id, Answer.subject_id, Answer.criterion_id, Answer.option_id,
                   func.count())
            .join(Answer, Answer.ballot_id == Ballot.id)
            .where(*where)
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
