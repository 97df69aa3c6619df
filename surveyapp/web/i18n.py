"""Language choice and message catalogs.

Chinese is the default; English is a switch away (``?lang=en``) or chosen by
the browser.  Catalogs are kept as ``.po`` text in the package and compiled
into the instance folder when they change, so a checkout needs no build step.
The Chinese catalog lives under ``zh``: Babel reads ``zh_CN`` as
``zh_Hans_CN`` and falls back to ``zh``, never to ``zh_CN``.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, has_request_context, request, session
from flask_babel import get_locale, gettext, lazy_gettext

from ..domain.model import SHOWN_KINDS
from ..paths import TRANSLATIONS_DIR
from .extensions import babel

LANGUAGES = {"zh_CN": "中文", "en": "English"}


def select_locale() -> str | None:
    if not has_request_context():
        return None  # the CLI (e.g. a plugin's message on paper import): the default
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
        return chosen
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    match = request.accept_languages.best_match(["zh_CN", "zh", "en"], default="zh_CN")
    return "en" if match == "en" else "zh_CN"


#: A round's status inside a message, in words (the status filter's wording).
STATUS_WORDS = {"draft": lazy_gettext("a draft"), "open": lazy_gettext("open"),
                "closed": lazy_gettext("closed"), "counted": lazy_gettext("counted"),
                "published": lazy_gettext("published")}


#: A spec's field names (the ``name`` of "%(name)s must be a positive
#: number"), as the console's forms call them: "weight 必须是正数" showed the
#: parser's English key to a secretary typing in a form.
FIELD_WORDS = {"weight": lazy_gettext("weight"), "title": lazy_gettext("title"),
               "label": lazy_gettext("name"), "name": lazy_gettext("name"),
               "key": lazy_gettext("key"), "expected": lazy_gettext("expected voters"),
               "anonymity_min": lazy_gettext("the smallest breakdown shown"),
               "description": lazy_gettext("description"), "unit": lazy_gettext("unit"),
               "post": lazy_gettext("post"), "points": lazy_gettext("points"),
               "groups": lazy_gettext("voter groups"), "criteria": lazy_gettext("criteria"),
               "subjects": lazy_gettext("people"), "options": lazy_gettext("grades")}


def _word(name: str, value):
    """A param value that is itself a word to translate: the kind of a value
    ("got an array"), a round's status or a spec's field name."""
    if value in SHOWN_KINDS:
        return gettext(value)
    if name == "status" and value in STATUS_WORDS:
        return str(STATUS_WORDS[value])
    if name == "name" and isinstance(value, str) and value in FIELD_WORDS:
        return str(FIELD_WORDS[value])
    return value


def spec_message(error, *, located: bool = False) -> str:
    """A domain :class:`~surveyapp.domain.model.SpecError` or a service's
    refusal (:class:`~surveyapp.services.errors.ServiceError`) in the page's
    language: its English template looked up in the catalog and formatted
    with its params.  ``located`` prefixes where it is (file:line [field]).
    Errors without a template (plugins' own) show their message as is."""
    template = getattr(error, "template", None)
    message = error.message
    if template is not None:
        params = {name: _word(name, value) for name, value in error.params.items()}
        try:
            message = gettext(template, **params)
        except (KeyError, ValueError, TypeError):  # a broken translation must not be a 500
            pass
    where = getattr(error, "where", "") if located else ""
    return f"{where}: {message}" if where else message


def compile_catalogs(target: Path) -> Path:
    """Compile every ``.po`` under the package into ``target`` if stale."""
    for po in TRANSLATIONS_DIR.glob("*/LC_MESSAGES/*.po"):
        mo = target / po.relative_to(TRANSLATIONS_DIR).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as source:
            catalog = read_po(source)
        tmp = mo.with_suffix(".tmp")
        with tmp.open("wb") as out:
            write_mo(out, catalog)
        tmp.replace(mo)  # atomic, so concurrent workers never read half a file
    return target


def init_app(app: Flask) -> None:
    compiled = compile_catalogs(Path(app.instance_path) / "translations")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(compiled))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["spec_message"] = spec_message
