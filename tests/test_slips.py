"""QR slips: the PDF read back with pypdf, and `codes issue --pdf`."""

from __future__ import annotations

import csv
import io

import pytest
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics
from sqlalchemy import func, select

from surveyapp.database import db
from surveyapp.domain import codes
from surveyapp.exports.slips import CJK_FONT, Layout, slips_pdf, wrap
from surveyapp.models import VoterCode

from .conftest import SPEC


def pages_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_twelve_slips_a_page_each_with_code_title_group_and_instruction():
    plain = [codes.new_code() for _ in range(25)]
    data = slips_pdf(plain, title="2026年度民主评议党员", base_url="http://vote.example/",
                     group="党员互评")
    pages = pages_text(data)
    assert len(pages) == 3  # 12 + 12 + 1
    for number, text in enumerate(pages):
        on_page = plain[number * 12:(number + 1) * 12]
        assert all(code in text for code in on_page)
        assert not any(code in text for code in plain if code not in on_page)
        assert text.count("2026年度民主评议党员") >= len(on_page)
        assert text.count("党员互评") >= len(on_page)
        assert "扫描二维码" in text and "http://vote.example/" in text
        assert f"第 {number + 1}/3 页" in text
    reader = PdfReader(io.BytesIO(data))
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (595, 842)  # A4


def test_layout_and_progress_per_page():
    seen = []
    data = slips_pdf([codes.new_code() for _ in range(21)], title="t", base_url="http://x",
                     layout=Layout(columns=2, rows=5), progress=seen.append)
    assert len(pages_text(data)) == 3
    assert seen == [10, 20, 21]


def test_cut_lines_are_dashed():
    data = slips_pdf([codes.new_code()], title="t", base_url="http://x")
    content = PdfReader(io.BytesIO(data)).pages[0].get_contents().get_data()
    assert b"[4 3] 0 d" in content


def test_long_titles_wrap_into_the_slip_and_end_in_an_ellipsis():
    title = "某某集团公司机关第一党支部二〇二六年度民主评议党员暨群众评议工作满意度测评" * 2
    lines = wrap(title, CJK_FONT, 10, 150, max_lines=2)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert all(pdfmetrics.stringWidth(line, CJK_FONT, 10) <= 150 for line in lines)
    assert wrap("短标题", CJK_FONT, 10, 150, max_lines=2) == ["短标题"]


# -- the command line --------------------------------------------------------------

@pytest.fixture
def slug(cli, tmp_path):
    spec = tmp_path / "round.toml"
    spec.write_text(SPEC, encoding="utf-8")
    return cli("rounds", "create", str(spec)).output.strip()


def stored_hashes() -> set[str]:
    return set(db.session.scalars(select(VoterCode.code_hash)))


def test_codes_issue_pdf_and_csv_hold_the_same_codes(cli, slug, tmp_path):
    pdf, table = tmp_path / "slips.pdf", tmp_path / "codes.csv"
    result = cli("codes", "issue", slug, "--group", "masses", "--count", "14",
                 "--pdf", str(pdf), "--csv", str(table))
    assert result.exit_code == 0, result.output
    assert f"written to {pdf}" in result.output
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8-sig"))))
    pages = pages_text(pdf.read_bytes())
    assert len(pages) == 2
    text = "".join(pages)
    assert all(row["code"] in text for row in rows) and len(rows) == 14
    assert "群众评议" in text and "2026年度民主评议党员" in text
    assert {codes.code_hash(row["code"]) for row in rows} == stored_hashes()


def test_codes_issue_pdf_alone_prints_no_codes(cli, slug, tmp_path):
    pdf = tmp_path / "slips.pdf"
    result = cli("codes", "issue", slug, "--group", "members", "--count", "3", "--pdf", str(pdf))
    assert result.exit_code == 0
    assert "code,group,url" not in result.output
    assert len(stored_hashes()) == 3 and pdf.stat().st_size > 0


def test_unwritable_pdf_exits_2_and_keeps_nothing(cli, slug, tmp_path):
    table = tmp_path / "codes.csv"
    result = cli("codes", "issue", slug, "--group", "members", "--count", "3",
                 "--csv", str(table), "--pdf", str(tmp_path / "missing" / "slips.pdf"))
    assert result.exit_code == 2
    assert "slips.pdf" in result.output
    assert db.session.scalar(select(func.count()).select_from(VoterCode)) == 0
    assert not table.exists()  # its codes were rolled back, so the file went too
