"""In Chromium, in the Persian UI: hub staff move a resident to the next stage through the gate (criteria
ticked, evidence link, figures, a Jalali date) and see the journey page with its ECharts figure chart."""

from __future__ import annotations

import re

import jdatetime
import pytest
from django.utils import timezone
from hubs_factories import make_site
from hubs_residents_factories import make_residency, make_staff, stage
from playwright.sync_api import expect

from khooshe.core.text import persian_digits

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "browser-secret-1404"


def test_staff_move_a_resident_and_see_the_journey_chart(page, live_server, transactional_db):
    site = make_site()
    residency = make_residency(site, start_date=timezone.localdate().replace(day=1))
    staff = make_staff(site, username="hub-staff")
    staff.set_password(PASSWORD)
    staff.save()
    feasibility = stage(site, "feasibility")

    page.goto("/accounts/login/")
    page.fill("#id_username", "hub-staff")
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))

    page.goto(f"/hubs/residencies/{residency.pk}/move/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#id_to_stage")).to_have_value(str(feasibility.pk))
    for criterion in feasibility.criteria:
        page.get_by_label(f"{feasibility.name}: {criterion}").check()
    j = jdatetime.date.fromgregorian(date=timezone.localdate())
    page.fill("#id_date", persian_digits(f"{j.year}/{j.month:02d}/{j.day:02d}"))
    page.fill("#id_evidence_link", "https://example.org/feasibility.pdf")
    page.fill("#id_headcount", "۴")
    page.fill("#id_funds_raised", "۱٬۲۰۰٬۰۰۰")
    page.locator("#move-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/hubs/residencies/{residency.pk}/journey/"))
    expect(page.locator("#journey-stages .current")).to_contain_text(feasibility.name)
    expect(page.locator("#journey-timeline")).to_contain_text("۴")
    expect(page.locator("#kpi-chart canvas")).to_have_count(1)
    assert page.console_errors == []
    residency.refresh_from_db()
    assert residency.stage_id == feasibility.pk
    assert residency.kpi_snapshots.get().funds_raised == 1_200_000
