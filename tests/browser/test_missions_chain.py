"""A town operator, in the Persian UI, composes a consortium for a mission: the chain diagram (ECharts
sankey) draws the stages and members, the consortium map (Leaflet) draws the members, and a gap shows in
red on the mission page."""

from __future__ import annotations

import re

import pytest
from factories import make_org, make_role, make_user
from missions_factories import make_chain
from playwright.sync_api import expect

from khooshe.registry.models import Region

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "browser-secret-1404"


def test_compose_see_diagram_map_and_gaps(page, live_server, transactional_db):
    user = make_user("mission-owner", password=PASSWORD)
    owner = make_org()
    make_role(user=user, kind="member", organization=owner)
    mission, stages, orgs = make_chain(owner=owner)
    region = Region.objects.create(code="T-MIS", kind="province", name_fa="استان آزمون", latitude=35.7,
                                   longitude=51.4)
    for n, org in enumerate(orgs.values()):
        org.region, org.latitude, org.longitude = region, 35.0 + n / 10, 51.0 + n / 10
        org.save()

    page.goto("/accounts/login/")
    page.fill("#id_username", "mission-owner")
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))

    page.goto(mission.get_absolute_url() + "?units=100")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("[data-mission-diagram] canvas")).to_have_count(1)
    expect(page.locator(".kh-gap-single_supplier").first).to_be_visible()

    page.fill("#compose #id_units", "100")
    page.locator("#compose button[type=submit]").click()
    page.wait_for_url(re.compile(r"/missions/compositions/\d+/$"))
    expect(page.locator(".kh-allocations tbody tr")).to_have_count(4)
    expect(page.locator("[data-mission-diagram] canvas")).to_have_count(1)
    expect(page.locator("[data-consortium-map] .leaflet-interactive")).to_have_count(4)
    assert not page.console_errors, page.console_errors
