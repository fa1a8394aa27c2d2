"""A challenge from posting to award, in a real browser and the Persian UI: an organization posts a
challenge and opens it; a solver opens it and sends a proposal (the form opens with the challenge already
chosen); the owner shortlists and awards it and sees the agreement."""

from __future__ import annotations

import re

import pytest
from factories import make_org, make_role, make_user
from playwright.sync_api import expect

from khooshe.matching import models as mm

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "browser-secret-1404"
TITLE = "کاهش مصرف آب در خط رنگرزی"


def log_in(page, username):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))


def test_post_propose_shortlist_award_in_persian(page, live_server, transactional_db):
    owner = make_org(name_fa="نساجی یزدباف")
    solver = make_org(name_fa="پالایش آب نوین")
    make_role(user=make_user("owner-user", password=PASSWORD), kind="member", organization=owner)
    make_role(user=make_user("solver-user", password=PASSWORD), kind="member", organization=solver)

    # 1. The owner posts the challenge (choosing its organization with the search box) and opens it.
    log_in(page, "owner-user")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.goto("/matching/challenges/add/")
    page.locator("#id_owner_search").fill("یزدباف")
    page.locator("#id_owner_widget button.ac-option", has_text="یزدباف").click()
    page.fill("#id_title", TITLE)
    page.fill("#id_problem_statement", "پساب رنگرزی را تصفیه و دوباره مصرف کنیم.")
    page.locator("form.edit button[type=submit]").click()
    page.wait_for_url(re.compile(r"/matching/challenges/\d+/$"))
    expect(page.locator("h1")).to_contain_text(TITLE)
    challenge_url = page.url
    page.locator("#challenge-workflow form[action$='/open/'] button").click()
    expect(page.locator("#challenge-workflow .kh-status-open")).to_be_visible()

    # 2. The solver opens the challenge and sends a proposal: the form has the challenge chosen.
    log_in(page, "solver-user")
    page.goto(challenge_url)
    page.locator("#challenge-workflow a[href*='/matching/proposals/add/?challenge=']").click()
    page.wait_for_url(re.compile(r"/matching/proposals/add/\?challenge=\d+$"))
    challenge = mm.Challenge.objects.get(title=TITLE)
    expect(page.locator("#id_challenge")).to_have_value(str(challenge.pk))
    page.locator("#id_solver_search").fill("پالایش")
    page.locator("#id_solver_widget button.ac-option", has_text="پالایش آب نوین").click()
    page.fill("#id_summary", "سامانه غشایی برای بازچرخانی پساب")
    page.locator("form.edit button[type=submit]").click()
    page.wait_for_url(re.compile(r"/matching/proposals/\d+/$"))
    proposal_url = page.url

    # 3. The owner shortlists and awards it, and sees the agreement.
    log_in(page, "owner-user")
    page.goto(challenge_url)
    page.locator("#proposals a", has_text="پالایش آب نوین").click()
    page.wait_for_url(proposal_url)
    page.locator("#proposal-actions form[action$='/shortlist/'] button").click()
    page.wait_for_url(proposal_url)
    assert mm.Proposal.objects.get().status == mm.Proposal.Status.SHORTLISTED
    page.locator("#proposal-actions form[action$='/award/'] button").click()
    page.wait_for_url(proposal_url)
    proposal = mm.Proposal.objects.get()
    assert proposal.status == mm.Proposal.Status.AWARDED and proposal.agreement is not None
    agreement_link = page.locator(f"main a[href='{proposal.agreement.get_absolute_url()}']")
    expect(agreement_link).to_be_visible()
    agreement_link.click()
    expect(page.locator("main")).to_contain_text("نساجی یزدباف")
    expect(page.locator("main")).to_contain_text("پالایش آب نوین")

    assert not page.console_errors, page.console_errors
    assert not [r for r in page.failed_requests if "/static/" in r], page.failed_requests


def test_organiser_proposes_and_publishes_a_matchmaking_schedule(page, live_server, transactional_db):
    import datetime as dt

    from matching_factories import make_challenge
    from meetings_factories import make_day, make_participant

    organiser = make_org(name_fa="کارخانه نوآوری آزادی")
    make_role(user=make_user("organiser-user", password=PASSWORD), kind="member", organization=organiser)
    day = make_day(organiser, title="روز ملاقات صنعت آب", date=dt.date(2026, 5, 1), slot_count=3, tables=2)
    owner = make_org(name_fa="فولاد مبارکه")
    challenge = make_challenge(owner, problem_statement="بازچرخانی پساب صنعتی با غشا")
    make_participant(day=day, organization=owner, role="seeker", challenges=[challenge])
    for name in ("غشاگستر", "آب‌پالایش"):
        make_participant(day=day, organization=make_org(name_fa=name, capabilities="تصفیه پساب صنعتی با غشا"))

    log_in(page, "organiser-user")
    page.goto(day.get_absolute_url())
    expect(page.locator("main")).to_contain_text("۱۱ اردیبهشت ۱۴۰۵")  # the date, Jalali
    page.select_option("#propose-schedule select[name=method]", "cp-sat")
    page.locator("#propose-schedule button[type=submit]").click()
    page.wait_for_url(re.compile(r"/matching/matchmaking-days/\d+/schedule/$"))
    grid = page.locator("#schedule-grid")
    expect(grid.locator("a.meeting")).to_have_count(2)
    expect(grid).to_contain_text("غشاگستر")
    expect(grid).to_contain_text("۰۹:۰۰")
    page.locator("#schedule-actions form[action$='/publish-schedule/'] button").click()
    expect(page.locator("#schedule-grid a.meeting-confirmed")).to_have_count(2)
    assert not page.console_errors, page.console_errors
