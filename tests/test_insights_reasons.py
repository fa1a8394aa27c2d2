"""Every classification says why, in the reader's language: the reasons of the stage, type and technology
level built from their codes and figures (pages, exports, the standalone report, the registry cluster's
description), the life-cycle rule on the run page, and the registry's support institutions feeding the
support density of a registry dataset's analysis (the real pipeline)."""

from __future__ import annotations

import csv
import io
import json
import re

import pandas as pd
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from factories import make_org, make_region, make_sector, make_user
from test_insights_support import IMMEDIATE, run_analysis

from khooshe.analytics import classify
from khooshe.analytics.pipeline import PipelineOptions, run_pipeline
from khooshe.core.text import persian_digits
from khooshe.insights import glossary, report, selectors, services, storage
from khooshe.insights.models import AnalysisRun
from khooshe.registry.models import Cluster, OrganizationKind, Region, Sector

PERSIAN_DIGIT = re.compile("[۰-۹]")
ASCII_DIGIT = re.compile("[0-9]")

# Figures of the classify docstrings: every life-cycle reason code, and three industry types.
STAGES = pd.DataFrame(
    {"employment": [40, 800, 900, 5000, 50, 500, 300], "establishments": [3, 30, 35, 120, 40, 5, 20],
     "growth": [0.10, 0.06, 0.01, 0.02, 0.0, 0.1, None], "support_density": [0.0, 0.5, 0.2, 2.5, None, 1, None]})
TYPES = pd.DataFrame({"4711": [500, 300, 200, 1000], "0710": [0, 0, 90, 10], "2620": [300, 5, 5, 10],
                      "5610": [100, 60, 40, 200]}, index=["Tehran", "Isfahan", "Kerman", "Khorasan"])


# -- the sentences ------------------------------------------------------------------------------------------------
def test_every_reason_code_of_the_analytics_has_a_sentence():
    codes = {"embryonic_small", "embryonic_few_establishments", "embryonic_small_employment", "developed",
             "developing_growth", "formed_growth_unknown", "formed_slow_growth", "natural_resource_listed",
             "traded_concentrated", "traded_uneven", "local_even", "eurostat_manufacturing", "eurostat_services",
             "eurostat_division_with_exceptions", "not_covered", "mixed_section", "unknown_isic_code"}
    assert codes <= set(glossary.REASONS)
    # the codes the analytics documents are exactly these (a new code needs a sentence here)
    assert set(classify.lifecycle_stage(STAGES)["reason_code"]) <= codes
    assert set(classify.cluster_type(TYPES)["reason_code"]) <= codes


def test_english_sentences_are_the_analytics_own():
    """The English templates reproduce the analytics' sentences exactly: the figures are put back right."""
    with translation.override("en"):
        for result in (classify.lifecycle_stage(STAGES), classify.cluster_type(TYPES)):
            for row in result.itertuples():
                assert glossary.reason_text(row.reason_code, json.dumps(row.reason_params)) == row.reason


def test_persian_sentences_have_persian_numbers():
    stages = classify.lifecycle_stage(STAGES)
    with translation.override("fa"):
        developing = glossary.reason_text("developing_growth", stages.loc[1, "reason_params"])
        developed = glossary.reason_text("developed", stages.loc[3, "reason_params"])
        traded = glossary.reason_text(*classify.cluster_type(TYPES).loc["2620", ["reason_code", "reason_params"]])
        tech = classify.technology_level(["2620"]).iloc[0]
        high = glossary.reason_text(tech["reason_code"], tech["reason_params"])
    # 6% growth, at least 3%; lacks 20 of the 50 establishments, 200 of the 1,000 employees, 0.5 of 1 per 100
    assert "۶٫۰٪" in developing and "۳٫۰٪" in developing and "۱٬۰۰۰" in developing and "۰٫۵" in developing
    assert developing.startswith("در حال توسعه:")
    assert "۵٬۰۰۰" in developed and "۲٫۵" in developed
    gini = classify.cluster_type(TYPES).loc["2620", "locational_gini"]
    assert persian_digits(f"{gini:.3f}".replace(".", "٫")) in traded and traded.startswith("تجاری:")
    assert "ساخت محصولات رایانه‌ای" in high and "فناوری بالا" in high  # the Persian ISIC title and level
    for sentence in (developing, developed, traded):
        assert not ASCII_DIGIT.search(sentence)


def test_unknown_codes_and_broken_figures_fall_back_to_the_stored_sentence():
    assert glossary.reason_text("a_new_code", {"x": 1}, "The English reason.") == "The English reason."
    assert glossary.reason_text("developed", "{not json", "Fallback.") == "Fallback."
    assert glossary.reason_text("developed", {"employment": 1}, "Fallback.") == "Fallback."  # figures missing
    assert glossary.reason_text(None, None, "") == ""
    record = {"stage": "formed", "stage_reason": "growing employment"}  # a table without codes
    assert glossary.row_reason(record, "stage") == "growing employment"


def test_the_lifecycle_rule_is_rendered_from_its_thresholds():
    rules = {"formed_min_establishments": 12, "formed_min_employment": 150, "developing_min_growth": 0.05,
             "developed_min_establishments": 40, "developed_min_employment": 2500,
             "developed_min_support_density": 1.5}
    with translation.override("en"):
        text = glossary.lifecycle_rules_text(rules)
    assert text[0] == "Embryonic: fewer than 12 establishments or fewer than 150 employees."
    assert "at least 40 establishments, 2,500 employees and 1.5 support institutions" in text[1]
    assert "grows at least 5.0% a year" in text[2] and len(text) == 4
    with translation.override("fa"):
        persian = glossary.lifecycle_rules_text(rules)
    assert "۱۲" in persian[0] and "۲٬۵۰۰" in persian[1] and "۵٫۰٪" in persian[2] and "Embryonic" not in persian[0]
    assert glossary.lifecycle_rules_text(None) == glossary.lifecycle_rules_text(
        {"formed_min_establishments": 10})  # the defaults


def test_the_standalone_report_explains_in_its_language():
    plan = {"P1": {"10": 55, "26": 3, "62": 3}, "P2": {"10": 4, "26": 6, "62": 5},
            "P3": {"10": 5, "26": 5, "62": 6}, "P4": {"10": 3, "26": 12, "62": 4}}
    rows = [(region, industry, 30.0, f"{region}-{industry}-{k}")
            for region, industries in plan.items() for industry, count in industries.items() for k in range(count)]
    frame = pd.DataFrame(rows, columns=["region", "industry", "value", "plant"])
    result = run_pipeline(frame, {"region_col": "region", "industry_col": "industry", "value_col": "value",
                                  "establishment_col": "plant"}, PipelineOptions(support_institutions={"P1": 1}))
    with translation.override("fa"):
        html = report.render_report(result.tables, result.meta, title="گزارش")
        reason = glossary.row_reason(result.tables["clusters"].iloc[0].to_dict(), "stage")
    assert f'title="{escape(reason)}"' in html
    assert reason.startswith("توسعه‌یافته: ۵۵ بنگاه")  # P1 x 10, first by priority
    assert "جنینی: کمتر از ۱۰ بنگاه" in html  # the rule, translated
    with translation.override("en"):
        html = report.render_report(result.tables, result.meta, title="Report")
    assert "Developed: 55 establishments, 1,650 employees and 1.64 support institutions" in html
    assert "How the life-cycle stage is decided" in html and "fewer than 10 establishments" in html


# -- the registry's support institutions, through the real pipeline ------------------------------------------------
@pytest.fixture
def registry(settings, tmp_path):
    """Four provinces: P1 with 55 food firms (1,650 employees) and a university; P4 with electronics firms,
    a chamber in one of its counties and a service provider that is also an establishment."""
    settings.KHOOSHE_INSIGHTS_DIR = tmp_path / "insights"
    settings.TASKS = IMMEDIATE
    provinces = {code: make_region(code=code, kind=Region.Kind.PROVINCE, name_fa=f"استان {n}", name_en=f"Province {n}")
                 for n, code in enumerate(["P1", "P2", "P3", "P4"], start=1)}
    county = make_region(code="P4-C", kind=Region.Kind.COUNTY, parent=provinces["P4"], name_fa="شهرستان")
    manufacturing = make_sector(scheme="ISIC4", code="C", level=Sector.Level.SECTION, title_en="Manufacturing")
    services_section = make_sector(scheme="ISIC4", code="J", level=Sector.Level.SECTION, title_en="Information")
    sectors = {"10": make_sector(scheme="ISIC4", code="10", level=Sector.Level.DIVISION, parent=manufacturing,
                                 title_en="Food products", title_fa="محصولات غذایی"),
               "26": make_sector(scheme="ISIC4", code="26", level=Sector.Level.DIVISION, parent=manufacturing,
                                 title_en="Computer and electronic products", title_fa="رایانه و الکترونیک"),
               "62": make_sector(scheme="ISIC4", code="62", level=Sector.Level.DIVISION, parent=services_section,
                                 title_en="Computer programming", title_fa="برنامه‌نویسی")}
    plan = {"P1": {"10": 55, "26": 3, "62": 3}, "P2": {"10": 4, "26": 6, "62": 5},
            "P3": {"10": 5, "26": 5, "62": 6}, "P4": {"10": 3, "26": 12, "62": 3}}
    for code, industries in plan.items():
        for industry, count in industries.items():
            for _k in range(count):
                make_org(region=provinces[code], employee_band="10-49").sectors.add(sectors[industry])
    make_org(region=provinces["P1"], kind=OrganizationKind.UNIVERSITY)  # no sector: support only
    make_org(region=county, kind=OrganizationKind.CHAMBER)  # in a county: counts for its province
    provider = make_org(region=provinces["P4"], kind=OrganizationKind.SERVICE_PROVIDER, employee_band="10-49")
    provider.sectors.add(sectors["62"])  # support institution and establishment
    make_org(region=provinces["P2"], kind=OrganizationKind.SME)  # a firm: not a support institution
    make_org(region=None, kind=OrganizationKind.RESEARCH)  # no region: nowhere
    return provinces


@pytest.mark.django_db
def test_support_institutions_are_counted_by_region_at_the_datasets_level(registry):
    admin = make_user(superuser=True)
    assert services.support_institution_counts(admin, "province") == {"P1": 1, "P4": 2}
    assert services.support_institution_counts(admin, "county") == {"P4-C": 1}
    assert services.SUPPORT_KINDS >= {"university", "research", "accelerator", "innovation_factory",
                                      "creative_house", "coworking", "chamber", "government", "service_provider"}
    assert not services.SUPPORT_KINDS & {"startup", "knowledge_based", "creative", "sme", "large", "cooperative"}


@pytest.mark.django_db
def test_a_registry_dataset_passes_its_support_institutions_and_big_clusters_can_be_developed(
        client, registry, django_capture_on_commit_callbacks):
    admin = make_user(superuser=True)
    dataset = services.create_registry_dataset(user=admin, name="Registry")
    assert json.loads((storage.dataset_dir(dataset.pk) / storage.SUPPORT_FILE).read_text()) == {"P1": 1, "P4": 2}
    run = run_analysis(admin, dataset, django_capture_on_commit_callbacks)
    assert run.status == "succeeded", (run.error_code, run.error_message)
    assert run.parameters["support_institutions"] == {"P1": 1, "P4": 2}  # a run parameter, shown with the run
    data = pd.read_parquet(storage.dataset_data(dataset.pk))
    plants = data.groupby("region")["establishment"].nunique()  # P4: 18 firms + the service provider
    clusters = selectors.priority_frame(run).set_index(["region", "industry"])
    assert clusters.loc[("P1", "10"), "support_density"] == pytest.approx(100 / plants["P1"])
    assert clusters.loc[("P4", "26"), "support_density"] == pytest.approx(200 / plants["P4"])
    assert clusters.loc[("P1", "10"), "stage"] == "developed"

    client.force_login(admin)  # Persian by default
    page = client.get(run.get_absolute_url(), {"tab": "clusters"}).content.decode()
    with translation.override("fa"):
        sentence = glossary.row_reason(clusters.loc[("P1", "10")].to_dict(), "stage")
    assert sentence.startswith("توسعه‌یافته") and PERSIAN_DIGIT.search(sentence)
    assert escape(sentence) in page
    assert 'id="lifecycle-rules"' in page and "۵۰" in page
    assert "۳ در ۲ منطقه" in page  # "About this analysis": 3 support institutions in 2 regions
    # "Run again" keeps them (a registry dataset passes its own again)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("insights:run_start", args=[dataset.pk]), {"again": run.pk})
    assert AnalysisRun.objects.latest("pk").parameters["support_institutions"] == {"P1": 1, "P4": 2}


@pytest.mark.django_db
def test_pages_exports_and_the_new_cluster_show_translated_reasons(client, registry,
                                                                   django_capture_on_commit_callbacks):
    admin = make_user(superuser=True)
    run = run_analysis(admin, services.create_registry_dataset(user=admin, name="Registry"),
                       django_capture_on_commit_callbacks)
    client.force_login(admin)
    industries = selectors.table_page(run, "industries", selectors.TableRequest(per_page=10)).records()
    food = next(r for r in industries if r["industry"] == "10")
    with translation.override("fa"):
        type_fa, tech_fa = glossary.row_reason(food, "cluster_type"), glossary.row_reason(food, "tech_level")
    with translation.override("en"):
        type_en = glossary.row_reason(food, "cluster_type")

    # the table page: the sentence in Persian, the code and figures columns not shown
    page = client.get(reverse("insights:run_table", args=[run.pk, "industries"]))
    html = page.content.decode()
    titles = [h["name"] for h in page.context["headers"]]
    assert "type_reason" in titles and "type_reason_code" not in titles and "tech_reason_params" not in titles
    assert escape(tech_fa) in html and "یوروستات" in tech_fa and escape(food["tech_reason"]) not in html

    # CSV in Persian, then in English: the reason translated, the label next to the code, the code kept
    response = client.get(reverse("insights:run_export", args=[run.pk, "industries", "csv"]))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    food_row = next(r for r in rows if r["industry"] == "10")
    assert food_row["type_reason"] == type_fa and food_row["type_reason_code"] == food["type_reason_code"]
    with translation.override("fa"):
        assert food_row["cluster_type_label"] == glossary.value_label("cluster_type", food["cluster_type"])
        assert food_row["tech_level"] == "low" and food_row["tech_level_label"] == "ساخت با فناوری پایین"
    admin.language = "en"
    admin.save()
    response = client.get(reverse("insights:run_export", args=[run.pk, "industries", "xlsx"]))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [c.value for c in sheet[1]]
    values = {header[i]: cell.value for row in sheet.iter_rows(min_row=2) for i, cell in enumerate(row)
              if row[header.index("industry")].value == "10"}
    assert values["type_reason"] == type_en and values["tech_level_label"] == "low-tech manufacturing"

    # "create registry cluster": the description says why, in the language of whoever creates it
    admin.language = "fa"
    admin.save()
    client.post(reverse("insights:create_cluster", args=[run.pk]), {
        "region": "P1", "industry": "10", "name_fa": "خوشه غذایی", "visibility": "private"})
    cluster = Cluster.objects.get(name_fa="خوشه غذایی")
    assert cluster.stage == "developed" and type_fa in cluster.description
    assert "support_reason_params" not in cluster.description and "{" not in cluster.description


@pytest.mark.django_db
def test_the_demo_analysis_passes_the_support_institutions_too(registry):
    run = services.create_demo_analysis(user=make_user(superuser=True))
    assert run.status == "succeeded" and run.parameters == {"support_institutions": {"P1": 1, "P4": 2}}
    assert selectors.candidate_row(run, "P1", "10")["stage"] == "developed"
