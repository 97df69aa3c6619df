"""The ballot's first load on a weak phone network: the page for 20 subjects
plus every same-origin stylesheet and script it references, gzip-compressed
(level 6, a common server default), stays under 60 KB."""

from __future__ import annotations

import gzip
import re

import pytest

from .ballot_specs import ballot_spec
from .conftest import issue, make_round

BUDGET = 60 * 1024
ASSET_RE = re.compile(r'<(?:link[^>]*rel="stylesheet"[^>]*href|script[^>]*src)="(/[^"]+)"')


def compressed(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=6))


@pytest.mark.parametrize("criteria", [False, True], ids=["one-criterion", "three-criteria"])
def test_first_load_of_a_20_subject_ballot_is_under_60_kb(client, criteria):
    round_ = make_round(ballot_spec(20, criteria=criteria))
    [code] = issue(round_, "g0")
    client.get(f"/c/{code}")
    page = client.get("/ballot")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('class="card subject') == 20

    assets = ASSET_RE.findall(html)
    # The budget is only honest with everything the page loads.
    assert "/static/css/app.css" in assets and "/static/js/app.js" in assets
    assert any(a.endswith("/htmx.min.js") for a in assets), \
        "htmx is missing from static/vendor: run `make setup`"
    sizes = {"HTML": compressed(page.data)}
    for url in assets:
        response = client.get(url)
        assert response.status_code == 200, url
        sizes[url] = compressed(response.data)
        response.close()
    total = sum(sizes.values())
    assert total < BUDGET, f"{total} bytes compressed > {BUDGET}: {sizes}"
