"""Inputs an attacker with a console login sent (issue 16): each used to
hold a worker for minutes or grow it by gigabytes.  Shared by
tests/test_bounds.py and bench/hostile.py."""

from __future__ import annotations

import io
import struct
import zipfile

import openpyxl

SHEET = "xl/worksheets/sheet1.xml"


def subject_lines(count: int) -> str:
    """A typed subject list: names only, so every key is made up (the
    issue's 99,999 lines fitted the text area's 200,000 characters)."""
    return "人\n" * count


def _sheet_xml(unpacked: int) -> bytes:
    head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>key</t></is></c>'
            b'<c r="B1" t="inlineStr"><is><t>name</t></is></c></row>')
    row = (b'<row><c t="inlineStr"><is><t>k</t></is></c>'
           b'<c t="inlineStr"><is><t>name</t></is></c></row>')
    tail = b"</sheetData></worksheet>"
    return head + row * max(1, (unpacked - len(head) - len(tail)) // len(row)) + tail


def xlsx_bomb(unpacked: int) -> bytes:
    """A small workbook whose sheet inflates to ``unpacked`` bytes of rows
    (the issue's: 1.9 MB holding 546 MB)."""
    book = openpyxl.Workbook()
    book.active.append(["key", "name"])
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for part in source.infolist():
            data = _sheet_xml(unpacked) if part.filename == SHEET else source.read(part)
            bomb.writestr(part.filename, data)
    return out.getvalue()


def lying_xlsx_bomb(unpacked: int, declared: int = 10_000) -> bytes:
    """The same, but its zip headers say the sheet is only ``declared`` bytes."""
    data = bytearray(xlsx_bomb(unpacked))
    name = SHEET.encode()
    # The local header (size at offset 22) and the central directory entry
    # (size at offset 24) of the sheet part.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = 0
        while (at := data.find(signature, at)) != -1:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(name)] == name:
                struct.pack_into("<I", data, at + offset, declared)
            at += 4
    return bytes(data)


PAPER_SPEC = """
title = "纸质票"
anonymity_min = 1
[scale]
options = [{ key = "x", label = "好", points = 1 }, { key = "y", label = "差", points = 0 }]
[[groups]]
key = "m"
label = "党员"
""" + "".join(f'[[subjects]]\nkey = "{k}"\nname = "{k}"\n' for k in "abcdefghij")


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        n, d = divmod(n, 36)
        text = digits[d] + text
        if not n:
            return text


def paper_rows(rows: int) -> bytes:
    """A paper-ballot CSV of ``rows`` blank answers, ten to a ballot, as
    short as rows can be (the issue's 190,000 rows fitted under the 2 MB
    body limit)."""
    lines = ["ballot,group,subject,criterion,option"]
    lines += [f"{_base36(i // 10)},m,{'abcdefghij'[i % 10]},," for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def nested_toml(depth: int) -> str:
    return "title = \"t\"\n[rules]\ndeep = " + "[" * depth + "]" * depth + "\n"


def dotted_toml(depth: int) -> str:
    return "title = \"t\"\n[rules]\n" + ".".join(f"k{i}" for i in range(depth)) + " = 1\n"
