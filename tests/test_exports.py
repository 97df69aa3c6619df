"""Each export opened and read back: cells of the XLSX, text of the PDF,
the CSV's BOM, the JSON against the tally contract, and suppression in
every one of them.  Numbers: see tests/test_results_page.py."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader

from surveyapp.database import db
from surveyapp.exporters import BUILTIN, Exporter
from surveyapp.plugins import exporters
from surveyapp.services.results import tally_json, tally_round
from surveyapp.services.rounds import round_spec

from .conftest import SPEC
from .test_results_page import (
    BANDS,
    SUPPRESSED_SPEC,
    SUPPRESSED_VOTES,
    closed_round,
    login,
    people_fixture,  # noqa: F401  (the "people" fixture)
)


def export(round_, name: str) -> bytes:
    return exporters()[name].export(tally_round(round_), round_spec(round_))


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_builtin_exporters_are_registered_with_their_media_types():
    assert {"json", "csv", "xlsx", "pdf"} <= set(exporters())
    binary = {e.name: e.is_binary for e in BUILTIN}
    assert binary == {"json": False, "csv": False, "xlsx": True, "pdf": True}
    assert Exporter("x", "application/vnd.api+json", "json", lambda r, s: b"").is_binary is False


# -- XLSX --------------------------------------------------------------------------

def test_xlsx_summary_sheet_is_laid_out_for_printing(app, people):
    round_, _ = closed_round(people["a"])
    book = load_workbook(io.BytesIO(export(round_, "xlsx")))
    assert book.sheetnames == ["汇总表", "党员互评", "群众评议"]
    sheet = book["汇总表"]
    assert sheet["A1"].value == "2026年度民主评议党员 测评结果汇总表"
    assert "A1:" in " ".join(str(r) for r in sheet.merged_cells.ranges)
    assert sheet["A1"].font.bold
    assert "党员互评 3/5 (60.0%)" in sheet["A2"].value
    assert "群众评议 2/5 (40.0%)" in sheet["A2"].value
    header = [c.value for c in sheet[3]]
    assert header[:4] == ["序号", "姓名", "单位", "测评人数"]
    assert header[4] == "优秀" and header[-4:] == ["得分", "排名", "建议等次", "标记"]
    assert [c.value for c in sheet[4]][4:6] == ["票数", "得票率"]
    assert all(c.font.bold for c in sheet[3] if c.value)
    assert sheet.freeze_panes == "C5"
    assert sheet.column_dimensions["B"].width == 10 and sheet.column_dimensions["C"].width >= 12
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
    assert sheet.print_title_rows == "$3:$4"  # the header repeats on every printed page

    zhang = {h: c.value for h, c in zip(header, sheet[5], strict=False) if h}
    assert zhang["序号"] == 1 and zhang["姓名"] == "张三" and zhang["单位"] == "工程技术党支部"
    assert zhang["测评人数"] == 5 and zhang["优秀"] == 2 and zhang["得分"] == 84.0
    assert zhang["排名"] == 1 and zhang["建议等次"] == "优秀"
    share = sheet.cell(5, header.index("优秀") + 2)  # the column right of 票数
    assert share.value == 0.4 and share.number_format == "0.0%"
    score = sheet.cell(5, header.index("得分") + 1)
    assert isinstance(score.value, int | float) and score.number_format == "0.00"
    li = [c.value for c in sheet[6]]
    assert li[1] == "李四" and 58.0 in li and "不合格票超过规定比例，需组织核实" in li[-1]


def test_xlsx_has_a_sheet_per_group_with_its_numbers(app, people):
    round_, _ = closed_round(people["a"])
    sheet = load_workbook(io.BytesIO(export(round_, "xlsx")))["党员互评"]
    assert "党员互评" in sheet["A1"].value and "3/5 (60.0%)" in sheet["A2"].value
    header = [c.value for c in sheet[3]]
    zhang = [c.value for c in sheet[5]]
    assert zhang[1] == "张三" and zhang[header.index("票数")] == 3
    assert zhang[header.index("优秀")] == 2 and zhang[header.index("得分")] == 93.33
    assert sheet.freeze_panes == "C5"


def test_xlsx_honours_suppression(app, people):
    round_, _ = closed_round(people["a"], spec=SUPPRESSED_SPEC, votes=SUPPRESSED_VOTES)
    book = load_workbook(io.BytesIO(export(round_, "xlsx")))
    summary = book["汇总表"]
    header = [c.value for c in summary[3]]
    rows = {r[1]: r for r in summary.iter_rows(min_row=5, max_row=7, values_only=True)}
    wang = rows["王五"]
    assert wang[header.index("测评人数")] is None and wang[header.index("得分")] is None
    assert wang[header.index("优秀")] is None and wang[header.index("排名")] is None
    assert "少于3张票，为保护匿名不显示" in wang[-1]
    masses = {r[1]: r for r in book["群众评议"].iter_rows(min_row=5, max_row=7,
                                                         values_only=True)}
    for name in ("张三", "李四"):                       # 1 ballot: nothing shown
        assert all(v is None for v in masses[name][3:-1]), masses[name]
        assert "为保护匿名不显示" in masses[name][-1]
    assert masses["王五"][3] is None        # 王五 is hidden as a whole (2 ballots in all)
    members = [r for r in book["党员互评"].iter_rows(min_row=5, max_row=7, values_only=True)
               if r[1] == "张三"][0]
    assert members[3] is None and "一并不显示" in members[-1]


# -- PDF ---------------------------------------------------------------------------

def test_pdf_is_one_page_with_names_scores_and_chinese_text(app, people):
    round_, _ = closed_round(people["a"])
    data = export(round_, "pdf")
    assert data.startswith(b"%PDF")
    pages, text = pdf_text(data)
    assert pages == 1
    assert "2026年度民主评议党员 测评结果汇总" in text
    assert "党员互评 3/5 (60.0%)" in text
    for expected in ("张三", "李四", "84.00", "58.00", "工程技术党支部", "2 (40.0%)"):
        assert expected in text
    assert b"STSong-Light" in data


def test_pdf_honours_suppression(app, people):
    round_, _ = closed_round(people["a"], spec=SUPPRESSED_SPEC, votes=SUPPRESSED_VOTES)
    _, text = pdf_text(export(round_, "pdf"))
    flat = text.replace("\n", "")
    wang = flat[flat.index("王五"):]
    assert wang.startswith("王五综合办公室—")        # no 测评人数, then the counts
    assert "少于3张票，为保护匿名不显示" in flat
    # 张三's totals would leave one split of its hidden groups: not shown, and said why.
    assert "张三工程技术党支部——————80.00" in flat and "不显示各等次总票数" in flat


def test_pdf_of_fifty_subjects_still_fits_one_page(app, people):
    many = SPEC + "".join(
        f'\n[[subjects]]\nkey = "p{i}"\nname = "成员{i:02d}"\nunit = "第{i % 5}车间"\n'
        for i in range(48))
    votes = {"members": [{"zhangsan": "excellent", **{f"p{i}": "qualified" for i in range(48)}}
                         for _ in range(2)]}
    round_, _ = closed_round(people["a"], spec=many, votes=votes)
    pages, text = pdf_text(export(round_, "pdf"))
    assert pages == 1 and "成员47" in text and "成员00" in text


# -- CSV and JSON ----------------------------------------------------------------------

def test_csv_has_a_bom_and_blank_cells_where_suppressed(app, people):
    round_, _ = closed_round(people["a"], spec=SUPPRESSED_SPEC, votes=SUPPRESSED_VOTES)
    raw = export(round_, "csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    table = {r["key"]: r for r in csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))}
    assert table["wangwu"]["score"] == "" and table["wangwu"]["excellent"] == ""
    assert table["zhangsan"]["masses:ballots"] == "" and table["zhangsan"]["masses:score"] == ""
    assert table["zhangsan"]["excellent"] == "" and table["zhangsan"]["score"] == "80.0"


def test_json_export_is_the_tally_contract(app, people):
    round_, _ = closed_round(people["a"], spec=SUPPRESSED_SPEC, votes=SUPPRESSED_VOTES)
    data = json.loads(export(round_, "json"))
    assert data == json.loads(json.dumps(tally_json(round_)))
    wang = next(s for s in data["subjects"] if s["key"] == "wangwu")
    assert wang["score"] is None and wang["criteria"]["overall"]["counts"] is None


# -- downloads and the command line ----------------------------------------------------

def test_download_from_the_page_is_the_same_workbook(client, people):
    round_, _ = closed_round(people["a"], spec=SPEC + BANDS)
    login(client)
    response = client.get(f"/admin/rounds/{round_.slug}/results/export/xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    disposition = response.headers["Content-Disposition"]
    assert "attachment" in disposition and ".xlsx" in disposition
    assert load_workbook(io.BytesIO(response.data))["汇总表"]["B5"].value == "张三"
    pdf = client.get(f"/admin/rounds/{round_.slug}/results/export/pdf")
    assert pdf.mimetype == "application/pdf" and "张三" in pdf_text(pdf.data)[1]


def test_cli_writes_xlsx_and_pdf_with_o(cli, people, tmp_path):
    round_, _ = closed_round(people["a"])
    for fmt in ("xlsx", "pdf"):
        out = tmp_path / f"r.{fmt}"
        result = cli("tally", round_.slug, "--format", fmt, "-o", str(out))
        assert result.exit_code == 0, result.output
        assert f"{fmt} written to {out}" in result.output
    assert load_workbook(out.with_suffix(".xlsx"))["汇总表"]["B5"].value == "张三"
    assert "84.00" in pdf_text(out.with_suffix(".pdf").read_bytes())[1]
    result = cli("tally", round_.slug, "--format", "xlsx", "-o", str(tmp_path / "no" / "r.xlsx"))
    assert result.exit_code == 2 and "no/r.xlsx" in result.output


def test_cli_pipes_binary_formats_but_refuses_a_terminal(app, people, tmp_path):
    round_, _ = closed_round(people["a"])
    db.session.remove()
    surveyapp = Path(sys.executable).with_name("surveyapp")
    env = {**os.environ, "SURVEYAPP_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "SURVEYAPP_INSTANCE_PATH": str(tmp_path / "instance")}
    piped = subprocess.run([surveyapp, "tally", round_.slug, "--format", "pdf"], env=env,
                           capture_output=True, timeout=120)
    assert piped.returncode == 0 and piped.stdout.startswith(b"%PDF")

    primary, secondary = pty.openpty()
    try:
        on_tty = subprocess.run([surveyapp, "tally", round_.slug, "--format", "xlsx"],
                                env=env, stdout=secondary, stderr=subprocess.PIPE, timeout=120)
    finally:
        os.close(secondary)
    os.set_blocking(primary, False)
    try:
        printed = os.read(primary, 4096)
    except (BlockingIOError, OSError):
        printed = b""
    os.close(primary)
    assert on_tty.returncode == 2
    assert b"-o FILE" in on_tty.stderr and b"binary" in on_tty.stderr
    assert b"PK" not in printed  # no zip bytes reached the terminal


def test_names_that_look_like_formulas_stay_text_in_csv_and_xlsx(app, people):
    spec = SPEC.replace('name = "张三"', 'name = "=HYPERLINK(\\"http://x\\",\\"点我\\")"').replace(
        'unit = "工程技术党支部"', 'unit = "@SUM(A1)"', 1)
    round_, _ = closed_round(people["a"], spec=spec, votes={})
    rows = list(csv.DictReader(io.StringIO(export(round_, "csv").decode("utf-8-sig"))))
    hostile = next(r for r in rows if r["key"] == "zhangsan")
    assert hostile["name"] == "'=HYPERLINK(\"http://x\",\"点我\")"
    assert hostile["unit"] == "'@SUM(A1)"
    assert next(r for r in rows if r["key"] == "lisi")["name"] == "李四"  # others untouched

    book = load_workbook(io.BytesIO(export(round_, "xlsx")))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith("=")]
    assert cells, "the hostile name should be in the workbook"
    assert all(c.data_type == "s" for c in cells)
