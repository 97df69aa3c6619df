"""The exporter protocol for plugins: ``from surveyapp.exporters import Exporter``.

Kept as the documented import path of the plugin API; the exports themselves
live in :mod:`surveyapp.exports`.
"""

from .exports import BUILTIN, Exporter

__all__ = ["BUILTIN", "Exporter"]
