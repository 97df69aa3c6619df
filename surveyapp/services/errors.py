"""Refusals the user can act on, in words the web can translate.

Like :class:`surveyapp.domain.model.SpecError`, a refusal keeps its English
``template`` and its ``params`` apart: the command line prints the English,
the console looks the template up in its catalog (``web/i18n.py``).
"""

from __future__ import annotations


class ServiceError(Exception):
    def __init__(self, template: str, **params: object):
        self.template = template
        self.params = params
        self.message = template % params if params else template
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class RoundError(ServiceError):
    """A request the round's state does not allow (open a closed round, ...)."""
