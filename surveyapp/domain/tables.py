"""Tables people upload: text files, CSV and the first sheet of an XLSX
workbook, as numbered rows of trimmed cells.  Shared by the subject roster
(:mod:`.subjects`) and the paper ballots (:mod:`.paper`); every error names
the file and, where it can, the line."""

from __future__ import annotations

import csv
import io
import pathlib
from typing import Any

from .model import SpecError, SpecErrors

#: Non-empty rows as (1-based line or row number, trimmed cells).
Rows = list[tuple[int, list[str]]]


def read_text(path: pathlib.Path, source: str) -> str:
    """The file as text (UTF-8, BOM tolerated), or SpecErrors saying why not."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise SpecErrors([SpecError("cannot read the file: %(reason)s", source=source,
                                    params={"reason": str(error.strerror or error)})]) from None
    return decode_text(raw, source)


def decode_text(raw: bytes, source: str) -> str:
    """Uploaded bytes as text: UTF-8 (BOM tolerated), UTF-16 with its BOM, or
    else GB18030, the superset of GBK that Chinese Excel saves "CSV" in.
    Bytes that are none of them get SpecErrors naming the line."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        first = error
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        pass
    line = raw[:first.start].count(b"\n") + 1
    raise SpecErrors([SpecError("cannot read the text on line %(line)s: save the file as UTF-8 "
                                "(in Excel: CSV UTF-8) or GBK", source=source, line=line,
                                params={"line": line})]) from None


def csv_rows(text: str, source: str) -> Rows:
    """Non-empty rows of CSV text as (1-based line where the row starts,
    trimmed cells); shared with the paper ballot reader."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, start = [], 1
    try:
        for cells in reader:
            cells = [c.strip() for c in cells]
            if any(cells):
                rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as error:
        raise SpecErrors([SpecError("not a readable CSV file: %(problem)s", source=source,
                                    line=reader.line_num,
                                    params={"problem": str(error)})]) from None
    return rows


def xlsx_rows(path: pathlib.Path, source: str) -> Rows:
    """Non-empty rows of the first sheet as (1-based row number, trimmed cells)."""
    import openpyxl  # only needed for Excel files

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            rows = []
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [cell_text(v) for v in values]
                if any(cells):
                    rows.append((number, cells))
        finally:
            book.close()
    except Exception as error:  # openpyxl raises many types for a damaged file
        raise SpecErrors([SpecError("cannot read as an Excel workbook: %(problem)s",
                                    source=source, params={"problem": str(error)})]) from None
    return rows


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a number typed as a key: 1001, not 1001.0
    return str(value).strip()
