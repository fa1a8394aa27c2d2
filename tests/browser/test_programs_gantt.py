"""A CDA, in the Persian UI, creates a program from the ministry's four-phase template and sees its Gantt
chart: bars drawn for every task, Jalali month names in the header, the critical path in red; dragging a
bar moves the task and its dependants."""

from __future__ import annotations

import re

import pytest
from factories import make_role, make_user
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from khooshe.programs import services
from khooshe.programs.models import Program
from khooshe.registry.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "browser-secret-1404"


def test_cda_creates_a_program_from_the_four_phase_template_and_sees_its_gantt(page, live_server, transactional_db):
    services.load_shipped_templates()
    user = make_user("cda-browser", password=PASSWORD)
    role = make_role(user=user, kind=Role.Kind.CLUSTER_STAFF)

    page.goto("/accounts/login/")
    page.fill("#id_username", "cda-browser")
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))

    page.goto("/programs/new/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.select_option("#id_template", label="برنامه چهار مرحله‌ای توسعه خوشه (وزارت ارتباطات)")
    page.select_option("#id_cluster", str(role.cluster.pk))
    page.fill("#id_title_fa", "برنامه توسعه خوشه جویشگر بومی")
    page.fill("#id_start_date", "۱۴۰۴/۰۱/۰۱")
    page.locator("#from-template-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/programs/programs/\d+/gantt/$"))
    program = Program.objects.get(title_fa="برنامه توسعه خوشه جویشگر بومی")
    count = program.tasks.count()

    chart = page.locator("#gantt")
    expect(chart).to_have_attribute("data-ready", "1")
    expect(chart.locator(".bar-wrapper")).to_have_count(count)
    expect(chart.locator(".bar-wrapper.kh-critical").first).to_be_visible()
    # Jalali month names in the header (the program starts on 1 Farvardin 1404)
    expect(chart.locator(".grid-header")).to_contain_text("فروردین")
    assert chart.locator(".arrow").count() > 0  # dependencies drawn
    assert not page.console_errors, page.console_errors

    # Drag the first subtask (1-1-1, five days) a week later in the day view: its successors move too.
    page.locator("[data-view=Day]").click()
    expect(chart).to_have_attribute("data-view", "Day")
    first = program.tasks.get(number="1-1-1")
    second = program.tasks.get(number="1-1-2")
    bar = chart.locator(f'.bar-wrapper[data-id="t{first.pk}"] .bar')
    column = 38  # the day view's column width (programs/gantt.js)
    # A headless drag is sometimes lost while the chart still scrolls after the redraw (seen on a busy CI):
    # drag again, at most three times, until the page reloads with the move saved.
    for attempt in range(3):
        bar.scroll_into_view_if_needed()
        box, previous = bar.bounding_box(), None
        for _ in range(20):  # wait until the bar stands still
            if box == previous:
                break
            page.wait_for_timeout(150)
            previous, box = box, bar.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] / 2 + 7 * column, box["y"] + box["height"] / 2, steps=10)
        try:
            with page.expect_navigation(timeout=20000):  # the move is saved, then the page reloads
                page.mouse.up()
            break
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.start_date > program.start_date
    assert second.start_date > first.end_date
    expect(page.locator(".messages")).to_contain_text("۱-۱-۲")
