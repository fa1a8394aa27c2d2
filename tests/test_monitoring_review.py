"""Regression tests for what the page-by-page review of the monitoring pages found (docs/monitoring.md,
"Reviewed"): Persian digits and reading direction, empty states, phone layout hooks, odd input."""

from __future__ import annotations

import datetime as dt
import re
import zlib
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from factories import make_relation, make_user
from mixins import page, visible_text
from monitoring_factories import cluster_with_members, make_indicator, make_period, make_self_assessment
from programs_factories import make_program, make_task

from khooshe.registry.models import RelationType

pytestmark = pytest.mark.django_db
D = dt.date


def _user(language):
    user = make_user(superuser=True)
    user.language = language  # a logged-in user's saved language wins over the cookie
    user.save(update_fields=["language"])
    return user


@pytest.fixture
def fa_client(client):
    client.force_login(_user("fa"))
    with translation.override("fa"):
        yield client


@pytest.fixture
def en_client(client):
    client.force_login(_user("en"))
    with translation.override("en"):
        yield client


# -- dashboard ------------------------------------------------------------------------------------------
def test_dashboard_says_why_an_indicator_has_no_chart_instead_of_drawing_an_empty_one(en_client):
    program = make_program()
    no_periods = make_indicator(program=program, code="noperiods")
    no_values = make_indicator(program=program, code="novalues")
    make_period(indicator=no_values, target=None)
    drawn = make_indicator(program=program, code="drawn")
    make_period(indicator=drawn, target=Decimal(10), actual=Decimal(7))
    response = en_client.get(reverse("monitoring:dashboard", args=[program.pk]))
    assert response.status_code == 200
    html = page(response)
    assert f'id="chart-{drawn.pk}"' in html
    assert f'id="chart-{no_values.pk}"' not in html and f'id="chart-{no_periods.pk}"' not in html
    text = visible_text(html)
    assert "has no reporting periods yet" in text
    assert "No target or value yet" in text
    # the chart data holds only the chart that is drawn; the x axis is named
    data = re.search(r'<script id="me-chart-data" type="application/json">(.*?)</script>', html, re.S).group(1)
    assert f"chart-{drawn.pk}" in data and f"chart-{no_values.pk}" not in data
    assert "Period end" in data


def test_dashboard_of_a_program_without_indicators_points_to_the_results_framework(en_client):
    program = make_program()
    response = en_client.get(reverse("monitoring:dashboard", args=[program.pk]))
    assert response.status_code == 200
    assert "This program has no indicator yet" in visible_text(page(response))


def test_dashboard_table_lists_only_the_periods_with_a_target_or_a_value(fa_client):
    program = make_program()
    indicator = make_indicator(program=program, code="sparse")
    make_period(indicator=indicator, start_date=D(2025, 3, 21), end_date=D(2025, 6, 21), target=Decimal(5))
    make_period(indicator=indicator, start_date=D(2025, 6, 22), end_date=D(2025, 9, 22), target=None)
    html = page(fa_client.get(reverse("monitoring:dashboard", args=[program.pk])))
    table = re.search(r'<table class="grid kh-chart-table">.*?</table>', html, re.S).group(0)
    assert "۳۱ خرداد ۱۴۰۴" in table  # the period with a target, its end in Jalali
    assert "۳۱ شهریور ۱۴۰۴" not in table  # the empty one is not a row of dashes


# -- results framework ----------------------------------------------------------------------------------
def test_results_framework_thresholds_are_in_persian_digits(fa_client):
    program = make_program()
    text = visible_text(page(fa_client.get(reverse("monitoring:results_framework", args=[program.pk]))))
    assert "۹۰" in text and "۷۰" in text
    assert not re.search(r"\b(90|70)\b", text)


def test_results_framework_tables_scroll_on_a_phone_instead_of_widening_the_page(fa_client):
    program = make_program()
    make_indicator(program=program)
    html = page(fa_client.get(reverse("monitoring:results_framework", args=[program.pk])))
    assert '<div class="kh-scroll"><table class="grid kh-indicators">' in html


# -- detail pages and their extras ----------------------------------------------------------------------
def test_period_page_title_reads_right_to_left_and_its_status_badge_is_styled(fa_client):
    period = make_period(start_date=D(2025, 3, 21), end_date=D(2025, 6, 21), target=Decimal(10),
                         actual=Decimal(9))
    assert str(period).startswith("۱ فروردین ۱۴۰۴")  # the dates first, the Latin code last
    html = page(fa_client.get(period.get_absolute_url()))
    assert "monitoring/monitoring.css" in html  # the extra brings the badge colours to the generic page
    assert 'data-status="on_track"' in html


# -- network --------------------------------------------------------------------------------------------
def test_network_figures_keep_the_minus_sign_on_the_left_in_the_persian_page(fa_client):
    cluster, orgs = cluster_with_members(3, institutions=1)
    make_relation(source=orgs[0], target=orgs[1], type=RelationType.PARTNERSHIP, start_date=D(2024, 1, 1))
    html = page(fa_client.get(reverse("monitoring:network", args=[cluster.pk]), {"date": "1404/01/01"}))
    ei = re.search(r'<tr data-key="ei_index">.*?</tr>', html, re.S).group(0)
    assert '<bdi dir="ltr">-۱.۰۰۰</bdi>' in ei  # one firm-firm tie: E-I = -1, read as "-1"


def test_network_without_brokers_shows_the_note_without_a_list_number(fa_client):
    cluster, _orgs = cluster_with_members(2, institutions=0)
    html = page(fa_client.get(reverse("monitoring:network", args=[cluster.pk])))
    assert '<ol id="brokers" class="kh-empty">' in html


@pytest.mark.parametrize(("params", "message"), [
    ({"date": "1404/13/40"}, "is not a date"),
    ({"date": "1404/05/01", "compare": "1404/06/01"}, "must be before"),
])
def test_network_odd_dates_are_a_message_not_an_error(en_client, params, message):
    cluster, _orgs = cluster_with_members(2)
    response = en_client.get(reverse("monitoring:network", args=[cluster.pk]), params)
    assert response.status_code == 200
    assert message in visible_text(page(response))


# -- report ---------------------------------------------------------------------------------------------
def test_report_groups_the_budget_names_the_currency_and_numbers_late_tasks_in_persian(fa_client):
    program = make_program(start_date=D(2025, 3, 21), end_date=D(2026, 3, 20), budget_planned=Decimal(5_000_000_000))
    make_task(program=program, title_fa="مطالعه شناختی", start_date=D(2025, 3, 21), end_date=D(2025, 4, 20),
              budget_spent=Decimal(1_250_000))
    html = page(fa_client.get(reverse("monitoring:program_report", args=[program.pk])))
    text = visible_text(html)
    assert "۵٬۰۰۰٬۰۰۰٬۰۰۰" in text and "۱٬۲۵۰٬۰۰۰" in text
    assert "IRR" in text
    late = re.search(r'<table id="report-late">.*?</table>', html, re.S).group(0)
    assert "۱ مطالعه شناختی" in visible_text(late) and not re.search(r">\s*1 ", late)
    assert 'name="viewport"' in html  # readable on a phone


def test_report_of_an_empty_program_renders_with_its_empty_states(en_client):
    program = make_program(budget_planned=None)
    response = en_client.get(reverse("monitoring:program_report", args=[program.pk]))
    assert response.status_code == 200
    text = visible_text(page(response))
    assert "No task is late." in text and "No indicator yet." in text


# -- self-assessment ------------------------------------------------------------------------------------
def test_comparing_self_assessments_without_choosing_them_is_a_clear_400(en_client):
    response = en_client.get(reverse("monitoring:compare_self_assessments"), {"before": "x", "after": "1"})
    assert response.status_code == 400
    assert "Choose two self-assessments" in response.content.decode()
    item = make_self_assessment()
    assert en_client.get(reverse("monitoring:compare_self_assessments"),
                         {"before": item.pk, "after": 999999}).status_code == 404


def test_report_pdf_embeds_the_persian_font(fa_client):
    """The PDF was set in a fallback font: WeasyPrint did not know Vazirmatn (now read from the static files)."""
    program = make_program()
    response = fa_client.get(reverse("monitoring:program_report", args=[program.pk]), {"format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert any(b"Vazirmatn" in part for part in _pdf_streams(response.content))


def _pdf_streams(pdf: bytes):
    """The PDF's objects as text: its compressed streams unpacked (font names are in them)."""
    yield pdf
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            yield zlib.decompress(match.group(1))
        except zlib.error:
            continue
