"""Where the templates and migrations live.

In a checkout they sit at the top of the repository (the layout the project
was designed with); an installed wheel carries them inside the package.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PACKAGE_DIR.parent / name


TEMPLATES_DIR = _find("templates")
MIGRATIONS_DIR = _find("migrations")
STATIC_DIR = PACKAGE_DIR / "static"
TRANSLATIONS_DIR = PACKAGE_DIR / "translations"
