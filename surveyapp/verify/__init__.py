"""The independent verifier of a round's bulletin board (docs/board.md).

Written from that page alone: it imports nothing of surveyapp but itself (the standard
library, coincurve's binding of libsecp256k1 and click), so it checks the code that makes
boards rather than agreeing with it by construction.  pyproject.toml's import-linter
contracts hold it to that.

:func:`~.verifier.verify` checks a :class:`~.board.Board` read by :func:`~.board.load`;
:mod:`.cli` is ``surveyapp verify``.
"""
