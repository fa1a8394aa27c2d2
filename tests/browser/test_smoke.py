"""A person's first visit, in a real browser: the Persian page and its font, logging in, registering a
knowledge-based company with a Jalali date, finding it with an Arabic-keyboard spelling, and seeing it
on the map."""

from __future__ import annotations

import re

import pytest
from factories import make_user
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "browser-secret-1403"
NAME = "شرکت نوآوران کرمانی"  # Persian ک and ی
TYPED_ON_ARABIC_KEYBOARD = "نوآوران كرماني"  # Arabic ك and ي


def test_persian_page_login_create_search_and_map(page, live_server, transactional_db):
    make_user("browser-admin", password=PASSWORD, superuser=True)

    # 1. The Persian home page: right to left, in Vazirmatn.
    page.goto("/")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "fa")
    page.evaluate("document.fonts.ready")
    font_family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Vazirmatn" in font_family
    page.wait_for_function("""() => {
        const faces = Array.from(document.fonts).filter(f => f.family.replace(/["']/g, "") === "Vazirmatn");
        return faces.length > 0 && faces.every(f => f.status === "loaded") && document.fonts.check("16px Vazirmatn");
    }""")

    # 2. Log in.
    page.goto("/accounts/login/")
    page.fill("#id_username", "browser-admin")
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator(".account")).to_contain_text("browser-admin")

    # 3. Register a knowledge-based company certified from 1403/05/12 (Jalali).
    page.goto("/registry/organizations/add/")
    page.select_option("#id_kind", "knowledge_based")
    page.fill("#id_name_fa", NAME)
    page.select_option("#id_certification", "knowledge_based")
    page.fill("#id_certified_from", "1403/05/12")
    page.fill("#id_latitude", "30.2839")
    page.fill("#id_longitude", "57.0834")
    page.locator("form.edit button[type=submit]").click()
    page.wait_for_url(re.compile(r"/registry/organizations/\d+/$"))
    expect(page.locator("h1")).to_contain_text(NAME)
    expect(page.locator("main")).to_contain_text("۱۲ مرداد ۱۴۰۳")
    detail_url = page.url

    # 4. Find it from the list's search box, typed with Arabic letters (ي/ك).
    page.goto("/registry/organizations/")
    page.locator("input[name=q]").press_sequentially(TYPED_ON_ARABIC_KEYBOARD, delay=20)
    results = page.locator("#results")
    expect(results.locator("tbody a", has_text=NAME)).to_be_visible()
    expect(page.locator("#result-count")).to_contain_text("۱")
    expect(results.locator("tbody tr")).to_have_count(1)
    results.locator("tbody a", has_text=NAME).click()
    page.wait_for_url(detail_url)

    # 5. See it on the map: the status line counts it and its marker opens a popup with its name.
    page.goto("/registry/map/?q=" + TYPED_ON_ARABIC_KEYBOARD)
    status = page.locator(".kh-status")
    expect(status).to_contain_text("۱")
    point = page.wait_for_function("""() => {
        const el = document.querySelector("[data-khooshe-map]");
        const kmap = el && el._khoosheMap;
        if (!kmap) return null;
        let found = null;
        kmap.points.eachLayer(group => (group.eachLayer ? group.eachLayer(m => { found = m; }) : null));
        if (!found) return null;
        kmap.map.setView(found.getLatLng(), 8, {animate: false});
        const p = kmap.map.latLngToContainerPoint(found.getLatLng());
        return {x: p.x, y: p.y};
    }""").json_value()
    box = page.locator("[data-khooshe-map]").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    expect(page.locator(".kh-popup")).to_contain_text(NAME)

    assert not page.console_errors, page.console_errors
    assert not [r for r in page.failed_requests if "/static/" in r], page.failed_requests
