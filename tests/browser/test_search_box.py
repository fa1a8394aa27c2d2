"""The organization list's search box in a real browser, Persian UI: a query with a ZWNJ word gives the
ranked (name before capabilities), highlighted results, and every word typed must occur."""

from __future__ import annotations

import pytest
from factories import make_org
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ZWNJ = "\u200c"
QUERY = f"فناوری{ZWNJ}های آبیاری"  # "irrigation technologies", the plural joined by a ZWNJ


def test_persian_query_with_zwnj_ranked_and_highlighted(page, live_server, transactional_db):
    in_name = make_org(name_fa=f"شرکت فناوری{ZWNJ}های آبیاری هوشمند")
    in_capabilities = make_org(name_fa="کشت و صنعت کویر", capabilities=f"فناوری{ZWNJ}های نوین آبیاری قطره{ZWNJ}ای")
    make_org(name_fa="شرکت فناوری اطلاعات")  # one word only: not a match
    make_org(name_fa="آبیاری سنتی")  # the other word only

    page.goto("/registry/organizations/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator("input[name=q]").press_sequentially(QUERY, delay=20)
    results = page.locator("#results")
    rows = results.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#result-count")).to_contain_text("۲")
    # Ranked: the name match (boost 3) before the capabilities match (boost 2).
    expect(rows.nth(0)).to_contain_text(in_name.name_fa)
    expect(rows.nth(1)).to_contain_text(in_capabilities.name_fa)
    # Highlighted: the matching words are marked, in the snippet under each name.
    expect(rows.nth(1).locator(".snippet mark").first).to_be_visible()
    marked = results.locator("mark").all_inner_texts()
    assert any("آبیاری" in m for m in marked)
    assert any(m.startswith("فناوری") for m in marked)
    assert page.console_errors == []
