"""Running the service: ``serve``, ``demo``, ``backup`` and ``plugins list``."""

from __future__ import annotations

from pathlib import Path

import click
import qrcode
from flask import current_app
from flask.cli import with_appcontext

from .. import plugins
from ..domain.codes import slip_url
from ..services import backup, demo, schema
from ..services.errors import ServiceError
from .common import fail_with


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes.  [default: 2 per CPU]")
@click.option("--threads", type=click.IntRange(min=1), default=1, show_default=True,
              help="Threads per worker.")
@with_appcontext
def serve_cli(host: str, port: int, workers: int | None, threads: int):
    """Apply migrations and serve with gunicorn (no access log: see README)."""
    from .serve import default_workers, run

    schema.upgrade()
    schema.release_connections()
    run(current_app._get_current_object(), host=host, port=port,
        workers=workers or default_workers(), threads=threads)


@click.command("demo")
@with_appcontext
def demo_cli():
    """A demo organisation, round and codes; prints URLs and a QR code."""
    schema.upgrade()
    made = demo.make_demo(Path(current_app.instance_path))
    round_ = made.round
    base = current_app.config["BASE_URL"].rstrip("/")
    click.echo(f"Demo round: {round_.title}  (slug {round_.slug}, {round_.status})")
    click.echo(f"Organiser console: {base}/admin/  user {demo.DEMO_USER}, "
               f"password {made.password}")
    if not made.codes:
        click.echo(f"The demo round is {round_.status}, so no new codes were issued; "
                   "its results are on the console.")
        return
    for group, plain in made.codes.items():
        click.echo(f"\n{group}:")
        for code in plain:
            click.echo(f"  {slip_url(base, code)}")
    first = slip_url(base, made.codes["members"][0])
    click.echo(f"\nScan to vote as a member ({first}):")
    qr = qrcode.QRCode(border=2)
    qr.add_data(first)
    click.echo(_qr_text(qr))
    click.echo(f"Or open {base}/ and type a code.  To end the demo and read its results:\n"
               f"  surveyapp rounds close demo\n"
               f"  surveyapp rounds count demo --share {made.share_file}\n"
               f"  surveyapp tally demo")


def _qr_text(qr: qrcode.QRCode) -> str:
    """The QR code in half-height block characters, which any terminal shows."""
    matrix = qr.get_matrix()
    if len(matrix) % 2:
        matrix.append([False] * len(matrix[0]))
    blocks = {(False, False): "█", (True, False): "▄", (False, True): "▀", (True, True): " "}
    pairs = zip(matrix[::2], matrix[1::2], strict=True)
    return "\n".join("".join(blocks[cell] for cell in zip(upper, lower, strict=True))
                     for upper, lower in pairs)


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_cli(file: Path):
    """Copy the SQLite database to FILE while the service runs."""
    try:
        backup.backup(file)
    except ServiceError as error:
        fail_with(error)
    click.echo(f"backed up to {file}")


@click.group("plugins", help="Installed plugins.")
def plugins_cli():
    pass


@plugins_cli.command("list")
def plugins_list():
    """Each plugin with its version and the hooks it implements."""
    rows = [(p["name"], p["version"], ", ".join(p["hooks"])) for p in plugins.plugin_info()]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    for name, version, hooks in rows:
        click.echo(f"{name:<{widths[0]}}  {version:<{widths[1]}}  {hooks}")
