"""Refuse input no field may hold, before any view sees it.

A NUL character is never meaningful in a code, a slug, a name or a comment,
and PostgreSQL cannot store or even compare one in a text column (it raises,
which would be a 500): such a request gets a 400 on either database.

Text that is not UTF-8 is refused too (400), and a form posted as fields
may hold at most FIELDS_BYTES_MAX (413).  Left to werkzeug, a form's
invalid bytes became the text ``%FF%FE%80`` (URL-encoded forms) or U+FFFD
(multipart), which was then stored as a comment or a name as if typed.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote_to_bytes

from flask import Flask, Request, abort, request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.formparser import FormDataParser, MultiPartParser

#: Bytes of a form posted as fields (not multipart): a ballot of the largest
#: round is ~10 KB, the codes a secretary pastes to void ~150 KB.  Multipart
#: posts (uploads) have the request's 2 MB, 500 KB per text field.
FIELDS_BYTES_MAX = 256 * 1024


def _utf8(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the form is not UTF-8 text") from None


class _StrictMultiPartParser(MultiPartParser):
    def get_part_charset(self, headers) -> str:
        return "latin-1"  # every byte kept as it came, to be decoded strictly below

    def parse(self, stream, boundary, content_length):
        form, files = super().parse(stream, boundary, content_length)
        return self.cls((name, _utf8(value.encode("latin-1")))
                        for name, value in form.items(multi=True)), files


class _StrictFormDataParser(FormDataParser):
    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        # Decoding %-escapes takes ~80 bytes of memory per byte of body, and
        # werkzeug applies no limit of its own here (it does to multipart).
        raw = stream.read(FIELDS_BYTES_MAX + 1)
        if len(raw) > FIELDS_BYTES_MAX:
            raise RequestEntityTooLarge()
        try:
            items = parse_qsl(_utf8(raw), keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:  # a %-escape that is not UTF-8
            raise BadRequest("the form is not UTF-8 text") from None
        return stream, self.cls(items), self.cls()

    def _parse_multipart(self, stream, mimetype, content_length, options):
        parser = _StrictMultiPartParser(stream_factory=self.stream_factory,
                                        max_form_memory_size=self.max_form_memory_size,
                                        max_form_parts=self.max_form_parts, cls=self.cls)
        boundary = options.get("boundary", "").encode("ascii")
        if not boundary:
            raise ValueError("Missing boundary")
        form, files = parser.parse(stream, boundary, content_length)
        return stream, form, files


class StrictRequest(Request):
    form_data_parser_class = _StrictFormDataParser


def _wsgi_bytes(text: str) -> bytes:
    """A WSGI string (bytes decoded as latin-1), %-escapes undone."""
    return unquote_to_bytes(text.encode("latin-1", "replace"))


def _has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in v for v in vs) for key, vs in values.lists())


def refuse_bad_text() -> None:
    # The path as the client sent it (gunicorn's and werkzeug's RAW_URI):
    # PATH_INFO may already have had invalid bytes replaced.
    environ = request.environ
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw is not None:
        _utf8(_wsgi_bytes(raw.partition("?")[0]))
    _utf8(_wsgi_bytes(environ.get("QUERY_STRING", "")))
    if "\x00" in request.path or _has_nul(request.args):
        abort(400)
    if request.method in ("POST", "PUT", "PATCH") and _has_nul(request.form):
        abort(400)


def init_app(app: Flask) -> None:
    app.request_class = StrictRequest
    app.before_request(refuse_bad_text)
