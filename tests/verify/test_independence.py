"""The verifier stands alone: it imports only the standard library, coincurve and click, and
works copied out of surveyapp (pyproject.toml's import-linter contract says the same of
surveyapp's own modules)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import surveyapp.verify

PACKAGE = Path(surveyapp.verify.__file__).parent
ALLOWED = {"coincurve", "click"}


def imports(path: Path) -> list[tuple[int, str]]:
    """(level, module) of every import in the file: level 0 is absolute."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(0, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            out.append((node.level, node.module or ""))
    return out


def test_the_verifier_imports_only_the_standard_library_coincurve_and_click():
    files = sorted(PACKAGE.glob("*.py"))
    assert len(files) > 5
    for path in files:
        for level, module in imports(path):
            top = module.split(".")[0]
            if level:
                assert level == 1, f"{path.name} imports {'.' * level}{module}: outside verify"
            else:
                assert top in sys.stdlib_module_names or top in ALLOWED, (
                    f"{path.name} imports {module}")


def test_a_copy_outside_surveyapp_checks_a_board(hidden_board, tmp_path):
    copy = tmp_path / "boardcheck"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    board = hidden_board.write(tmp_path / "board.json")
    check = ("import runpy, sys; sys.argv = ['boardcheck', sys.argv[1], '--jobs', '1']\n"
             "try:\n    runpy.run_module('boardcheck', run_name='__main__')\n"
             "finally:\n"
             "    assert not [m for m in sys.modules if m.startswith('surveyapp')], 'imported'\n"
             "    assert 'boardcheck.ballots' in sys.modules, 'not run'")
    result = subprocess.run([sys.executable, "-c", check, str(board)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "every check holds" in result.stdout
