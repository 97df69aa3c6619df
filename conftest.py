"""Tests import this checkout's example plugins, whatever an editable install
of them points at (a shared virtualenv may hold another checkout's): each
plugin's folder goes first on sys.path, before any test imports them."""

from __future__ import annotations

import pathlib
import sys

for folder in sorted((pathlib.Path(__file__).parent / "plugins").glob("*/pyproject.toml")):
    path = str(folder.parent)
    if path not in sys.path:
        sys.path.insert(0, path)
