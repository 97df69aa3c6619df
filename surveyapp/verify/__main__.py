"""``python -m surveyapp.verify BOARD.json``: the same as ``surveyapp verify``."""

from .cli import verify_cli

verify_cli()
