"""A commitment item's 兑现率 and score are kept to 2 places in the result
(7/8 → 0.88), a whole percent.  Shown with a tenth, "88.0%" says the score
is 88.0% when it is 87.5%: every view shows whole percents instead.

By hand (test_commitments.VOTES): item 1 is 3 已兑现, 1 部分兑现, 1 不了解:
兑现率 3/4 = 75%, score (3 + ½)/4 = 87.5% → 0.88 → "88%"; item 2 is 1 已兑现,
2 未兑现: 1/3 → 0.33 → "33%"; mean (7/8 + 1/3)/2 = 29/48 → 0.60 → "60%"."""

from __future__ import annotations

import io

from .conftest import login
from .test_commitments import counted_round
from .test_exports import export, pdf_text


def test_the_results_page_shows_whole_percents(client, orgs):
    round_ = counted_round(client, orgs["a"])
    login(client, "a")
    page = client.get(f"/admin/rounds/{round_.slug}/results").get_data(as_text=True)
    assert "88.0%" not in page and "33.0%" not in page
    for shown in ("75%", "88%", "33%", "60%"):
        assert f">{shown}<" in page


def test_the_pdf_and_xlsx_show_whole_percents(client):
    from openpyxl import load_workbook

    round_ = counted_round(client)
    text = pdf_text(export(round_, "pdf"))[1]
    assert "88.0%" not in text and "88%" in text and "60%" in text
    sheet = load_workbook(io.BytesIO(export(round_, "xlsx")))["承诺兑现"]
    assert {c.number_format for c in sheet[5][7:10]} == {"0%"}
