"""The monitoring and evaluation path as users see it, in the Persian interface: a CDA reports a value of a
manual indicator (Jalali period), sees the results framework status and the dashboard chart change; sends
the social-capital survey; a member answers through its link without an account; the answer shows up as a
tie on the network page and on the invitation; the status report renders."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from factories import make_role, make_user
from monitoring_factories import cluster_with_members
from playwright.sync_api import expect
from programs_factories import make_program

from khooshe.monitoring import models as mm
from khooshe.registry.models import Relation, Role

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "browser-secret-1404"
NAMES = ["پسته نوین", "فرآوری کرمان", "بسته‌بندی سیرجان", "دانشگاه شهید باهنر"]


def _status(page, code):
    return page.locator(f'#results-tree tr[data-code="{code}"] .kh-progress')


def test_cda_reports_a_value_sends_a_survey_and_sees_the_answer_and_the_report(page, browser, live_server,
                                                                                transactional_db):
    user = make_user("cda-me", password=PASSWORD)
    cluster, orgs = cluster_with_members(4, institutions=1)
    for org, name in zip(orgs, NAMES, strict=True):
        org.name_fa = name
        org.save()
    make_role(user=user, kind=Role.Kind.CLUSTER_STAFF, cluster=cluster)
    program = make_program(cluster=cluster, title_fa="برنامه توسعه خوشه پسته", start_date=dt.date(2025, 3, 21),
                           end_date=dt.date(2026, 3, 20))
    goal = mm.Result.objects.create(program=program, level=mm.Level.GOAL, title_fa="خوشه رقابت‌پذیر پسته")
    indicator = mm.Indicator.objects.create(program=program, result=goal, code="joint_actions",
                                            name_fa="اقدام‌های مشترک", unit="اقدام",
                                            frequency=mm.Frequency.QUARTERLY)
    # the first quarter: 1 Farvardin - 31 Khordad 1404 (2025-03-21 - 2025-06-21), target 20
    mm.Period.objects.create(indicator=indicator, start_date=dt.date(2025, 3, 21), end_date=dt.date(2025, 6, 21),
                             target=Decimal(20))

    page.goto("/accounts/login/")
    page.fill("#id_username", "cda-me")
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))

    # -- the results framework before any value: no data
    page.goto(f"/monitoring/programs/{program.pk}/results/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(_status(page, "joint_actions")).to_have_attribute("data-status", "no_data")
    row = page.locator('#results-tree tr[data-code="joint_actions"]')
    expect(row).to_contain_text("۱ فروردین ۱۴۰۴")  # the period, in Jalali with Persian digits

    # -- the CDA reports 15 (75% of the target: at risk), typed with Persian digits
    page.locator(f'#results-tree a[href="{indicator.get_absolute_url()}"]').click()
    form = page.locator("#record-value")
    form.locator("input[name=date]").fill("۱۴۰۴/۰۲/۱۰")
    form.locator("input[name=actual]").fill("۱۵")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/monitoring/periods/\d+/$"))
    expect(page.locator(".messages")).to_be_visible()
    expect(page.locator("#period-progress [data-status]")).to_have_attribute("data-status", "at_risk")
    expect(page.locator("#period-progress")).to_contain_text("۷۵")

    page.goto(f"/monitoring/programs/{program.pk}/results/")
    expect(_status(page, "joint_actions")).to_have_attribute("data-status", "at_risk")
    expect(_status(page, "joint_actions")).to_contain_text("در معرض خطر")

    # -- the dashboard draws the chart, labelled with the period's Jalali end date
    page.goto(f"/monitoring/programs/{program.pk}/dashboard/")
    card = page.locator('.kh-chart-card[data-code="joint_actions"]')
    expect(card.locator(".kh-chart canvas").first).to_be_visible()
    expect(card.locator(".kh-progress")).to_have_attribute("data-status", "at_risk")
    expect(card.locator(".kh-chart-table")).to_contain_text("۳۱ خرداد ۱۴۰۴")
    expect(card.locator(".kh-chart-table")).to_contain_text("۱۵")
    assert not page.console_errors, page.console_errors

    # -- a corrected value (19 = 95%): on track, on the framework, the dashboard and the report
    page.goto(indicator.get_absolute_url())
    form.locator("input[name=date]").fill("۱۴۰۴/۰۳/۰۱")
    form.locator("input[name=actual]").fill("19")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/monitoring/periods/\d+/$"))
    page.goto(f"/monitoring/programs/{program.pk}/results/")
    expect(_status(page, "joint_actions")).to_have_attribute("data-status", "on_track")
    expect(_status(page, "joint_actions")).to_contain_text("در مسیر")
    page.goto(f"/monitoring/programs/{program.pk}/dashboard/")
    expect(page.locator('.kh-chart-card[data-code="joint_actions"] .kh-progress')).to_have_attribute(
        "data-status", "on_track")

    # -- a date outside every period is refused with a message that names it
    page.goto(indicator.get_absolute_url())
    form.locator("input[name=date]").fill("۱۴۰۵/۰۱/۱۰")
    form.locator("input[name=actual]").fill("3")
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("joint_actions")
    expect(page.locator(".messages")).to_contain_text("۱۰ فروردین ۱۴۰۵")

    # -- the survey: created from the template on the results framework, opened, links for every member
    page.goto(f"/monitoring/programs/{program.pk}/results/")
    survey_form = page.locator("#framework-actions form", has=page.locator("select[name=template]"))
    survey_form.locator("select[name=template]").select_option("social-capital")
    survey_form.locator("input[name=survey_date]").fill("۱۴۰۴/۰۳/۱۵")
    survey_form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/monitoring/questionnaires/\d+/$"))
    questionnaire = mm.Questionnaire.objects.get(cluster=cluster)
    page.goto(f"/monitoring/questionnaires/{questionnaire.pk}/edit/")
    page.select_option("#id_status", "open")
    page.locator("main form.edit button[type=submit]").first.click()
    page.wait_for_url(re.compile(rf"/monitoring/questionnaires/{questionnaire.pk}/$"))
    page.locator("#questionnaire-invitations button[type=submit]").click()
    links = page.locator("#questionnaire-invitations tbody tr")
    expect(links).to_have_count(4)
    link = links.filter(has_text=NAMES[0]).locator("input").input_value()
    assert "/monitoring/survey/" in link

    # -- the member answers through the link, in another browser without logging in
    member = browser.new_context(locale="fa-IR", viewport={"width": 390, "height": 844})
    try:
        answer = member.new_page()
        answer.goto(link)
        expect(answer.locator("h1")).to_contain_text("سرمایه اجتماعی")
        expect(answer.locator("main")).to_contain_text(NAMES[0])
        network = answer.locator(".kh-trust-table")
        network.locator("select[aria-label='فرآوری کرمان']").select_option("4")
        for fieldset in answer.locator("#survey-form fieldset").all():
            radios = fieldset.locator("input[type=radio]")
            if radios.count():
                radios.nth(3).check()
            number = fieldset.locator("input[inputmode=decimal]")
            if number.count():
                number.fill("۳")
        answer.locator("#survey-form button[name=submit]").click()
        expect(answer.locator("#survey-thanks")).to_contain_text(NAMES[0])
        # the same link again: answered once, not a form
        answer.goto(link)
        expect(answer.locator("#survey-done")).to_be_visible()
        expect(answer.locator("#survey-form")).to_have_count(0)
    finally:
        member.close()

    tie = Relation.objects.get(origin="survey")
    assert {tie.source.name_fa, tie.target.name_fa} == {NAMES[0], NAMES[1]}

    # -- the CDA sees the answer: the invitation is submitted, the survey tie is on the network page
    page.goto(f"/monitoring/questionnaires/{questionnaire.pk}/")
    expect(links.filter(has_text=NAMES[0])).to_contain_text("ارسال‌شده")
    expect(links.filter(has_text=NAMES[1])).to_contain_text("آغازنشده")
    page.goto(f"/monitoring/clusters/{cluster.pk}/network/?date=۱۴۰۴/۰۴/۰۱&compare=۱۴۰۴/۰۳/۰۱")
    expect(page.locator('#network-figures tr[data-key="ties"] td').nth(0)).to_have_text("۰")
    expect(page.locator('#network-figures tr[data-key="ties"] td').nth(1)).to_have_text("۱")
    expect(page.locator("#network-change")).to_contain_text("۱")
    isolates = page.locator("#isolates")
    expect(isolates).not_to_contain_text(NAMES[0])
    expect(isolates).to_contain_text(NAMES[2])

    # -- the status report (HTML) with the indicator on track
    page.goto(f"/monitoring/programs/{program.pk}/report/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_contain_text("برنامه توسعه خوشه پسته")
    expect(page.locator("#report-indicators")).to_contain_text("اقدام‌های مشترک")
    expect(page.locator("#report-indicators")).to_contain_text("در مسیر")
    assert not page.console_errors, page.console_errors
