"""``surveyapp verify BOARD.json``: exit status 0 and a summary when every check holds, 1 and
the first failure when one does not, 2 and one line when the file is not a board."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .board import HIDDEN, load
from .errors import Failure, NotABoard
from .verifier import Summary, verify


@click.command("verify")
@click.argument("board_file", metavar="BOARD.json",
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Processes checking ballots (default: one per CPU).")
def verify_cli(board_file: Path, jobs: int | None) -> None:
    """Check a round's bulletin board without trusting surveyapp: every ballot's proofs, the
    sums, the decryptions and the published figures (docs/board.md)."""
    bar = None

    def progress(done: int) -> None:
        nonlocal bar
        if bar is None:  # shown once the ballots' check starts, not for a file that is no board
            bar = click.progressbar(length=len(board.ballots), label="Checking ballots",
                                    file=sys.stderr, show_pos=True)
            bar.__enter__()
        bar.update(done)

    try:
        board = load(board_file)
        try:
            summary = verify(board, jobs=jobs, progress=progress)
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
    except NotABoard as problem:
        click.echo(f"error: {board_file}: {problem}", err=True)
        sys.exit(2)
    except Failure as failure:
        click.echo(f"{board_file}: FAILED: {failure}")
        sys.exit(1)
    click.echo("\n".join(summary_lines(board_file, summary)))


def summary_lines(path: Path, summary: Summary) -> list[str]:
    board, figures = summary.board, summary.figures
    units = ", ".join(f"{unit} {n}" for unit, n in sorted(summary.per_unit.items()))
    hidden = "; their groups are hidden" if HIDDEN in summary.per_unit else ""
    trustees = ", ".join(str(i) for i in summary.decrypting) or "none"
    lines = [
        f"{path}: round {board.slug} ({board.title}): every check holds",
        f"  ballots      {summary.ballots}, trackers in order, none twice"
        + (f" ({units}{hidden})" if units else ""),
        f"  proofs       {summary.proofs} proofs of the ballots hold (each answer 0 or 1, "
        "at most one per cell)",
        f"  sums         {summary.sums}, each the sum of its ballots",
        f"  decryptions  {summary.decrypted} counts decrypted by trustees {trustees} "
        f"({board.threshold} of {len(board.trustees)}): {summary.shares} decryption proofs "
        "hold",
        f"  figures      {figures.checked} published figures follow from the counts",
    ]
    if figures.hidden:
        lines.append(f"               {figures.hidden} not checkable: they involve hidden "
                     "groups")
    if figures.plugin:
        lines.append(f"               {figures.plugin} subject scores by a plugin's rule: "
                     "not checked")
    return lines
