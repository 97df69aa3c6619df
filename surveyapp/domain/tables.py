"""Tables people upload: text files, CSV and the first sheet of an XLSX
workbook, as numbered rows of trimmed cells.  Shared by the subject roster
(:mod:`.subjects`) and the paper ballots (:mod:`.paper`); every error names
the file and, where it can, the line."""

from __future__ import annotations

import csv
import io
import pathlib
import zipfile
from typing import Any

from .bounds import FILE_BYTES_MAX, TABLE_COLUMNS_MAX, XLSX_PARTS_MAX, XLSX_UNCOMPRESSED_MAX
from .model import SpecError, SpecErrors

#: The last row number a sheet can have (Excel's own limit).
SHEET_ROWS_MAX = 1_048_576

#: Non-empty rows as (1-based line or row number, trimmed cells).
Rows = list[tuple[int, list[str]]]


def read_text(path: pathlib.Path, source: str) -> str:
    """The file as text (UTF-8, BOM tolerated), or SpecErrors saying why not."""
    return decode_text(read_bytes(path, source), source)


def read_bytes(path: pathlib.Path, source: str) -> bytes:
    """The file's bytes, if it is no larger than FILE_BYTES_MAX (checked
    before reading), or SpecErrors saying why not."""
    try:
        with path.open("rb") as file:
            raw = file.read(FILE_BYTES_MAX + 1)
    except OSError as error:
        raise SpecErrors([SpecError("cannot read the file: %(reason)s", source=source,
                                    params={"reason": str(error.strerror or error)})]) from None
    check_size(len(raw), source)
    return raw


def check_size(size: int, source: str) -> None:
    if size > FILE_BYTES_MAX:
        raise SpecErrors([SpecError("the file is larger than %(max)s MB", source=source,
                                    params={"max": FILE_BYTES_MAX // (1024 * 1024)})])


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


def too_many_rows(source: str, line: int, most: int) -> SpecErrors:
    return SpecErrors([SpecError("more than %(max)s rows below the header; at most %(max)s "
                                 "can be read from one file", source=source, line=line,
                                 params={"max": most})])


def csv_rows(text: str, source: str, *, max_rows: int) -> Rows:
    """Non-empty rows of CSV text as (1-based line where the row starts,
    trimmed cells): the header and at most ``max_rows`` more, or SpecErrors
    (reading stops there).  Shared with the paper ballot reader."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, start = [], 1
    try:
        for cells in reader:
            cells = [c.strip() for c in cells[:TABLE_COLUMNS_MAX]]
            if any(cells):
                if len(rows) > max_rows:
                    raise too_many_rows(source, start, max_rows)
                rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as error:
        raise SpecErrors([SpecError("not a readable CSV file: %(problem)s", source=source,
                                    line=reader.line_num,
                                    params={"problem": str(error)})]) from None
    return rows


def xlsx_rows(path: pathlib.Path, source: str, *, max_rows: int) -> Rows:
    """Non-empty rows of the first sheet as (1-based row number, trimmed
    cells): the header and at most ``max_rows`` more, or SpecErrors.

    The workbook is a zip file: the sizes its parts declare are checked
    first (zipfile never inflates a part beyond its declared size), then the
    sheet is read in streaming mode, a row at a time, and only its first
    TABLE_COLUMNS_MAX columns."""
    import openpyxl  # only needed for Excel files

    check_size(path.stat().st_size, source)
    check_workbook(path, source)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            # The dimension a file declares may be wrong: read what is there.
            sheet.reset_dimensions()
            rows = []
            for number, values in enumerate(
                    sheet.iter_rows(max_col=TABLE_COLUMNS_MAX, values_only=True), start=1):
                if number > SHEET_ROWS_MAX:  # a forged row number: openpyxl fills the gap
                    raise too_many_rows(source, number, max_rows)
                if values.count(None) == len(values):
                    continue
                cells = [cell_text(v) for v in values]
                if any(cells):
                    if len(rows) > max_rows:
                        raise too_many_rows(source, number, max_rows)
                    rows.append((number, cells))
        finally:
            book.close()
    except SpecErrors:
        raise
    except Exception as error:  # openpyxl raises many types for a damaged file
        raise SpecErrors([SpecError("cannot read as an Excel workbook: %(problem)s",
                                    source=source, params={"problem": str(error)})]) from None
    return rows


def check_workbook(path: pathlib.Path, source: str) -> None:
    """Refuse a workbook that would inflate beyond XLSX_UNCOMPRESSED_MAX (a
    zip bomb: 2 MB can hold gigabytes of repeated XML) or has too many parts."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise SpecErrors([SpecError("cannot read as an Excel workbook: %(problem)s",
                                    source=source, params={"problem": str(error)})]) from None
    if len(parts) > XLSX_PARTS_MAX:
        raise SpecErrors([SpecError("cannot read as an Excel workbook: %(problem)s",
                                    source=source, params={"problem": f"{len(parts)} parts"})])
    inflated = sum(part.file_size for part in parts)
    if inflated > XLSX_UNCOMPRESSED_MAX:
        raise SpecErrors([SpecError(
            "the workbook holds %(size)s MB once unpacked; at most %(max)s MB can be read "
            "(save only the sheet of people, or as CSV)", source=source,
            params={"size": round(inflated / (1024 * 1024), 1),
                    "max": XLSX_UNCOMPRESSED_MAX // (1024 * 1024)})])


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a number typed as a key: 1001, not 1001.0
    return str(value).strip()
