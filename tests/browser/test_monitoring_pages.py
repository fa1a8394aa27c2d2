"""Every page of programs and monitoring, as a CDA sees it, in Persian and English, on a desktop (1280 px)
and a phone (390 px): no server error, no script error, no Latin digits or Gregorian month names in the
Persian text, and nothing wider than the phone's screen. On the generic pages of core (lists, details,
forms) only the sections these apps add are held to the last two rules; the rest is core's.

With ``KHOOSHE_REVIEW_DIR=/tmp/review-monitoring`` the test also saves a full-page screenshot of each page
there (the page-by-page review of docs/monitoring.md was made from them)."""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from factories import make_relation, make_user
from monitoring_factories import cluster_with_members
from programs_factories import make_program, program_from

from khooshe.monitoring import models as mm
from khooshe.monitoring import services
from khooshe.programs import services as program_services
from khooshe.registry.models import RelationType

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "review-secret-1404"
REVIEW_DIR = os.environ.get("KHOOSHE_REVIEW_DIR")
GREGORIAN_MONTHS = re.compile(r"\b(January|February|March|April|June|July|August|September|October|November|"
                              r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b")


def _seed():
    """A cluster with a program from the ministry's template, both indicator sets, a reported value, a
    survey with one answer, two self-assessments; an empty program; an indicator without target."""
    program_services.load_shipped_templates()
    user = make_user("cda-review", password=PASSWORD, superuser=True)
    cluster, orgs = cluster_with_members(6, institutions=1)
    # names without digits, so that a Latin digit on a Persian page is the page's and not the test data's
    cluster.name_fa = "خوشه پسته رفسنجان"
    cluster.save()
    for org, name in zip(orgs, ["پسته نوین", "فرآوری کرمان", "بسته‌بندی سیرجان", "بازرگانی بم", "سردخانه زرند",
                                "دانشگاه شهید باهنر"], strict=True):
        org.name_fa = name
        org.save()
    make_relation(source=orgs[0], target=orgs[1], type=RelationType.PARTNERSHIP, strength=4,
                  start_date=dt.date(2024, 1, 1))
    program = program_from("ministry-four-phases", cluster=cluster, user=user, budget_planned=Decimal(5_000_000_000),
                           start_date=dt.date(2025, 3, 21))
    services.apply_indicator_set(user=user, program=program, key="ministry-success")
    services.apply_indicator_set(user=user, program=program, key="unido-cluster")
    entered = program.indicators.filter(method=mm.Indicator.Method.ENTERED).first()
    for i, period in enumerate(entered.periods.order_by("start_date")[:3]):
        period.target = Decimal(10 * (i + 1))
        period.save()
        services.record_value(user=user, indicator=entered, date=period.start_date, actual=8 * (i + 1))
    services.compute_indicators(program=program)
    bare = mm.Indicator.objects.create(program=program, code="bare", name_fa="شاخص بی‌هدف", unit="")
    mm.Period.objects.create(indicator=bare, start_date=dt.date(2025, 3, 21), end_date=dt.date(2025, 6, 20))
    questionnaire = services.create_questionnaire(user=user, cluster=cluster, template_key="social-capital",
                                                  survey_date=dt.date(2025, 6, 1),
                                                  status=mm.Questionnaire.Status.OPEN)
    invitations = services.invite_members(user=user, questionnaire=questionnaire)
    bronze = services.create_self_assessment(user=user, cluster=cluster, label="bronze", assessed_on=dt.date(2025, 4, 1))
    services.score_items(user=user, assessment=bronze, scores={i.pk: 60 for i in bronze.items.all()})
    later = services.create_self_assessment(user=user, cluster=cluster, label="bronze", assessed_on=dt.date(2025, 9, 1))
    services.score_items(user=user, assessment=later, scores={i.pk: 75 for i in later.items.all()})
    gold = services.create_self_assessment(user=user, cluster=cluster, label="gold", assessed_on=dt.date(2025, 10, 1))
    empty = make_program(cluster=cluster, title_fa="برنامه بدون فعالیت", budget_planned=None)
    task = program.tasks.order_by("pk").first()
    phase = program.phases.order_by("order").first()
    return {"user": user, "cluster": cluster, "program": program, "empty": empty, "indicator": entered,
            "bare": bare, "period": entered.periods.exclude(actual=None).first(),
            "questionnaire": questionnaire, "invitation": invitations[0], "bronze": bronze, "later": later,
            "gold": gold, "task": task, "phase": phase, "output": phase.outputs.first()}


# The pages drawn by templates of programs and monitoring are checked whole; on the generic list, detail and
# form pages (core) only the sections programs and monitoring add are (None: only errors are checked).
OWN_SECTIONS = {
    "program-detail": "#program-plan, #program-gates", "program-empty": "#program-plan, #program-gates",
    "phase-detail": "#phase-gate", "indicator-detail": "#indicator-values", "indicator-bare": "#indicator-values",
    "period-detail": "#period-progress", "period-bare": "#period-progress",
    "questionnaire": "#questionnaire-invitations", "invitation": "#invitation-link",
    "selfassessment": "#assessment-profile, #assessment-scoring",
    "selfassessment-gold": "#assessment-profile, #assessment-scoring",
}
GENERIC = {"programs-list", "program-edit", "tasks", "task-detail", "task-edit", "output-detail", "templates",
           "indicators", "indicator-add", "periods", "results-list", "questionnaires", "selfassessments"}


def _pages(d) -> list[tuple[str, str]]:
    p, e, c = d["program"].pk, d["empty"].pk, d["cluster"].pk
    return [
        ("programs-list", "/programs/programs/"),
        ("program-new", "/programs/new/"),
        ("program-detail", f"/programs/programs/{p}/"),
        ("program-edit", f"/programs/programs/{p}/edit/"),
        ("program-empty", f"/programs/programs/{e}/"),
        ("gantt", f"/programs/programs/{p}/gantt/"),
        ("gantt-empty", f"/programs/programs/{e}/gantt/"),
        ("matrix", f"/programs/programs/{p}/matrix/"),
        ("matrix-empty", f"/programs/programs/{e}/matrix/"),
        ("tasks", f"/programs/tasks/?program={p}&sort=number"),
        ("task-detail", f"/programs/tasks/{d['task'].pk}/"),
        ("task-edit", f"/programs/tasks/{d['task'].pk}/edit/"),
        ("phase-detail", f"/programs/phases/{d['phase'].pk}/"),
        ("output-detail", f"/programs/phaseoutputs/{d['output'].pk}/"),
        ("templates", "/programs/programtemplates/"),
        ("results", f"/monitoring/programs/{p}/results/"),
        ("results-empty", f"/monitoring/programs/{e}/results/"),
        ("dashboard", f"/monitoring/programs/{p}/dashboard/"),
        ("dashboard-empty", f"/monitoring/programs/{e}/dashboard/"),
        ("indicators", f"/monitoring/indicators/?program={p}"),
        ("indicator-detail", f"/monitoring/indicators/{d['indicator'].pk}/"),
        ("indicator-bare", f"/monitoring/indicators/{d['bare'].pk}/"),
        ("indicator-add", f"/monitoring/indicators/add/?program={p}"),
        ("periods", f"/monitoring/periods/?indicator={d['indicator'].pk}"),
        ("period-detail", f"/monitoring/periods/{d['period'].pk}/"),
        ("period-bare", f"/monitoring/periods/{d['bare'].periods.first().pk}/"),
        ("results-list", f"/monitoring/results/?program={p}"),
        ("questionnaires", "/monitoring/questionnaires/"),
        ("questionnaire", f"/monitoring/questionnaires/{d['questionnaire'].pk}/"),
        ("invitation", f"/monitoring/invitations/{d['invitation'].pk}/"),
        ("survey", d["invitation"].public_url()),
        ("network", f"/monitoring/clusters/{c}/network/"),
        ("network-compare", f"/monitoring/clusters/{c}/network/?date=1404/09/01&compare=1403/01/01"),
        ("selfassessments", "/monitoring/selfassessments/"),
        ("selfassessment", f"/monitoring/selfassessments/{d['bronze'].pk}/"),
        ("selfassessment-gold", f"/monitoring/selfassessments/{d['gold'].pk}/"),
        ("selfassessment-compare", f"/monitoring/self-assessments/compare/?before={d['bronze'].pk}&after={d['later'].pk}"),
        ("report", f"/monitoring/programs/{p}/report/"),
        ("report-empty", f"/monitoring/programs/{e}/report/"),
    ]


def _persian_problems(page, selector) -> list[str]:
    """Latin digits and Gregorian month names in the visible Persian text (not in inputs, code or LTR spans)."""
    text = page.evaluate("""(selector) => {
        const skip = (el) => el.closest('input, textarea, select, code, pre, script, style, [dir=ltr], .kh-gantt');
        const out = [];
        for (const root of document.querySelectorAll(selector)) {
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
            const node = walker.currentNode;
            if (!node.textContent.trim() || skip(node.parentElement)) continue;
            const style = getComputedStyle(node.parentElement);
            if (style.display === 'none' || style.visibility === 'hidden') continue;
            out.push(node.textContent.trim());
        }
        }
        return out;
    }""", selector)
    problems = []
    for chunk in text:
        if not re.search(r"[\u0600-\u06FF]", chunk):
            continue  # an English sentence (an untranslated text or English data) may keep its Latin digits
        if re.search(r"[0-9]", chunk) and not re.fullmatch(r"[A-Za-z0-9_\-./:]+", chunk):
            problems.append(f"Latin digits: {chunk[:80]!r}")
        if GREGORIAN_MONTHS.search(chunk):
            problems.append(f"Gregorian month: {chunk[:80]!r}")
    return problems


def test_every_program_and_monitoring_page_reads_well_in_both_languages_and_on_a_phone(
        page, live_server, transactional_db):
    d = _seed()
    page.goto("/accounts/login/")
    page.fill("#id_username", "cda-review")
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))
    out = Path(REVIEW_DIR) if REVIEW_DIR else None
    if out:
        out.mkdir(parents=True, exist_ok=True)
    problems = []
    for language in ("fa", "en"):
        d["user"].language = language
        d["user"].save(update_fields=["language"])
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            for name, url in _pages(d):
                page.console_errors.clear()
                response = page.goto(url)
                where = f"{language} {width}px {name} ({url})"
                if response.status >= 500:
                    problems.append(f"{where}: HTTP {response.status}")
                    continue
                page.wait_for_load_state("load")
                if page.console_errors:
                    problems.append(f"{where}: script errors {page.console_errors}")
                selector = None if name in GENERIC else OWN_SECTIONS.get(name, "main")
                if selector and language == "fa":
                    problems += [f"{where}: {p}" for p in _persian_problems(page, selector)]
                if selector and width == 390:
                    overflow = page.evaluate("""(selector) => Math.max(0, ...[...document.querySelectorAll(selector)]
                        .map((el) => selector === 'main' ? document.documentElement.scrollWidth - window.innerWidth
                                                         : Math.max(el.scrollWidth - el.clientWidth,
                                                                    el.getBoundingClientRect().right - window.innerWidth,
                                                                    -el.getBoundingClientRect().left)))""",
                                             selector)
                    if overflow > 2:
                        problems.append(f"{where}: {selector} is {overflow} px wider than the phone's screen")
                if out:
                    page.screenshot(path=str(out / f"{name}-{language}-{width}.png"), full_page=True)
    # the status report as PDF (WeasyPrint), in both languages
    for language in ("fa", "en"):
        d["user"].language = language
        d["user"].save(update_fields=["language"])
        pdf = page.request.get(f"/monitoring/programs/{d['program'].pk}/report/?format=pdf")
        assert pdf.status == 200 and pdf.body().startswith(b"%PDF"), (language, pdf.status)
        if out:
            (out / f"report-{language}.pdf").write_bytes(pdf.body())
    assert not problems, "\n".join(problems)
