"""Analysis runs: the background task's lifecycle and progress, errors with nothing kept, the result pages
(tables paged and sorted by DuckDB, exports, map, priorities) and "create registry cluster"."""

from __future__ import annotations

import csv
import io
import math

import pandas as pd
import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from factories import make_org, make_region, make_sector, make_user
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from test_insights_support import (
    EMPLOYMENT,
    expected_lq,
    good_csv,
    make_dataset,
    run_analysis,
    setup_insights_env,
    staff_user,
)

from khooshe.analytics.validation import AnalyticsInputError
from khooshe.insights import results, selectors, services, storage
from khooshe.insights.models import AnalysisRun
from khooshe.registry.models import Cluster, ClusterMembership, Region, Sector

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("insights_env")]


@pytest.fixture
def insights_env(settings, tmp_path, monkeypatch):
    return setup_insights_env(settings, tmp_path, monkeypatch)


@pytest.fixture
def admin():
    return make_user(superuser=True)


@pytest.fixture
def finished_run(admin, django_capture_on_commit_callbacks):
    dataset = make_dataset(admin)
    return run_analysis(admin, dataset, django_capture_on_commit_callbacks)


def streamed(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# -- lifecycle -------------------------------------------------------------------------------------------------
def test_run_lifecycle_with_the_immediate_backend(admin, django_capture_on_commit_callbacks, insights_env):
    dataset = make_dataset(admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = services.start_run(user=admin, dataset=dataset, parameters={"eco_specialisation_threshold": 1.5})
    assert AnalysisRun.objects.get(pk=run.pk).status == "queued"  # nothing runs before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    run.refresh_from_db()
    assert run.status == "succeeded" and run.progress == 100 and run.task_id
    assert run.started_at <= run.finished_at
    assert set(run.tables) == {"region_industry", "regions", "industries", "clusters", "diversification"}
    assert run.tables["region_industry"]["rows"] == 12
    # The pipeline got the stored Parquet file, the canonical columns and the run's options.
    call = insights_env.calls[0]
    assert call["source"] == str(storage.dataset_data(dataset.pk))
    assert call["columns"] == {"region_col": "region", "industry_col": "industry", "value_col": "value"}
    assert call["options"].eco_specialisation_threshold == 1.5 and call["options"].presence_threshold == 1.0
    # Progress was visible in the database while the pipeline ran.
    assert insights_env.progress_seen == [(10, "Reading the records"), (50, "Computing the indicators")]
    folder = storage.run_dir(run.pk)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{n}.parquet" for n in run.tables] + ["meta.json"])
    assert not list((storage.root() / "tmp").iterdir())


def test_a_task_delivered_twice_runs_once(finished_run, insights_env):
    assert services.execute_run(finished_run.pk) == "skipped"
    assert len(insights_env.calls) == 1


@pytest.mark.parametrize("error, code, shown", [
    (AnalyticsInputError("duplicate_row", "dup", row=7, region="R1", industry="10"), "duplicate_row", "R1"),
    (RuntimeError("disk full"), "internal_error", "disk full"),
])
def test_a_failed_run_keeps_nothing_and_names_the_problem(client, admin,
                                                          django_capture_on_commit_callbacks, error, code, shown, insights_env):
    insights_env.fail_with = error
    run = run_analysis(admin, make_dataset(admin), django_capture_on_commit_callbacks)
    assert run.status == "failed" and run.error_code == code
    assert not storage.run_dir(run.pk).exists() and not list((storage.root() / "tmp").iterdir())
    client.force_login(admin)
    page = client.get(run.get_absolute_url()).content.decode()
    assert 'id="run-error"' in page and shown in page
    body = client.get(reverse("insights-run-detail", args=[run.pk])).json()
    assert body["error"]["code"] == code and shown in body["error"]["message"]


def test_the_error_message_is_translated(client, admin, django_capture_on_commit_callbacks, insights_env):
    insights_env.fail_with = AnalyticsInputError("all_zero_industry", "Industry '26' is all zero.", industry="26")
    run = run_analysis(admin, make_dataset(admin), django_capture_on_commit_callbacks)
    client.force_login(admin)
    persian = client.get(reverse("insights-run-detail", args=[run.pk])).json()  # the user's language: Persian
    assert persian["error"]["message"].startswith("صنعت «26»")
    admin.language = "en"
    admin.save()
    english = client.get(reverse("insights-run-detail", args=[run.pk])).json()
    assert english["error"]["message"].startswith("The industry “26” has no activity")
    assert english["error"]["code"] == "all_zero_industry" and english["error"]["params"] == {"industry": "26"}
    unknown = services._json_safe({"x": float("nan"), "y": {1, 2}})
    assert unknown["x"] == "nan" and sorted(unknown["y"]) == [1, 2]


def test_single_region_data_is_refused_by_the_pipeline(admin, django_capture_on_commit_callbacks):
    dataset = make_dataset(admin, b"province,isic,employees\nR1,10,5\nR1,26,7\n")
    run = run_analysis(admin, dataset, django_capture_on_commit_callbacks)
    assert run.status == "failed" and run.error_code == "single_region" and run.error_params == {"region": "R1"}


def test_progress_fragment_polls_until_the_run_ends(client, admin):
    dataset = make_dataset(admin)
    run = AnalysisRun.objects.create(dataset=dataset, created_by=admin, status="running", progress=42,
                                     step="Computing the indicators")
    client.force_login(admin)
    page = client.get(run.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 1s"' in page and 'value="42"' in page
    response = client.get(reverse("insights:run_progress", args=[run.pk]))
    assert "Computing the indicators" in response.content.decode() and "HX-Refresh" not in response
    AnalysisRun.objects.filter(pk=run.pk).update(status="succeeded", progress=100)
    response = client.get(reverse("insights:run_progress", args=[run.pk]))
    assert response["HX-Refresh"] == "true" and "every 1s" not in response.content.decode()


def test_start_run_from_the_dataset_page_and_permissions(client, django_capture_on_commit_callbacks):
    owner = staff_user()
    dataset = make_dataset(owner, visibility="public")
    url = reverse("insights:run_start", args=[dataset.pk])
    client.force_login(make_user())  # sees the public dataset, may not analyse it
    assert client.post(url).status_code == 403
    client.logout()
    assert client.post(url).status_code == 302 and AnalysisRun.objects.count() == 0  # to the login page
    client.force_login(owner)
    response = client.post(url, {"presence_threshold": "-1"})
    assert response.status_code == 302 and AnalysisRun.objects.count() == 0  # refused, said on the page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"presence_threshold": "1", "eco_specialisation_threshold": "2",
                                     "eco_size_quantile": "0.9", "eco_focus_quantile": "0.9",
                                     "candidate_min_stars": "2", "diversification_top": "10"})
    run = AnalysisRun.objects.get()
    assert response["Location"] == run.get_absolute_url()
    run.refresh_from_db()
    assert run.status == "succeeded" and run.created_by == owner


# -- result tables ------------------------------------------------------------------------------------------------
def test_table_pages_are_sorted_and_filtered_by_duckdb(finished_run):
    lq = expected_lq()
    request = selectors.TableRequest(sort="-lq", per_page=5, page=1)
    page = selectors.table_page(finished_run, "region_industry", request)
    assert page.total == 12 and page.pages == 3
    top = lq.sort_values(ascending=False)
    assert [(r["region"], r["industry"]) for r in page.records()] == list(top.index[:5])
    assert [r["lq"] for r in page.records()] == pytest.approx(list(top.values[:5]))
    request.page = 3
    assert len(selectors.table_page(finished_run, "region_industry", request).rows) == 2
    filtered = selectors.table_page(finished_run, "region_industry", selectors.TableRequest(
        sort="region", filters=[results.Filter("lq", "gte", 1.0), results.Filter("industry", "eq", "26")]))
    assert [r["region"] for r in filtered.records()] == sorted(i[0] for i, v in lq.items() if i[1] == "26" and v >= 1)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(frame=st.lists(st.tuples(st.sampled_from(["a", "b", "c", None]), st.integers(-5, 5),
                                st.floats(-10, 10, allow_nan=False) | st.none()), min_size=0, max_size=40),
       descending=st.booleans(), page=st.integers(1, 4), per_page=st.integers(1, 7), minimum=st.integers(-5, 5))
def test_results_query_matches_pandas(tmp_path_factory, frame, descending, page, per_page, minimum):
    """Any page of any filtered, sorted table is the slice pandas gives (NULLs last, ties in file order)."""
    data = pd.DataFrame(frame, columns=["name", "n", "x"])
    data["n"] = data["n"].astype("int64")
    path = tmp_path_factory.mktemp("q") / "t.parquet"
    data.to_parquet(path, index=False)
    got = results.query(path, sort=f"{'-' if descending else ''}x", filters=[results.Filter("n", "gte", minimum)],
                        page=page, per_page=per_page)
    expected = data[data["n"] >= minimum].reset_index()
    expected = expected.sort_values(["x", "index"], ascending=[not descending, True], na_position="last",
                                    kind="stable")
    expected = expected.iloc[(page - 1) * per_page: page * per_page]
    assert got.total == int((data["n"] >= minimum).sum())
    assert [r["n"] for r in got.records()] == expected["n"].tolist()
    assert [None if r["x"] is None or (isinstance(r["x"], float) and math.isnan(r["x"])) else r["x"]
            for r in got.records()] == [None if pd.isna(v) else v for v in expected["x"]]


def test_bad_table_requests_are_refused_by_name(finished_run):
    params = {"sort": "nope", "lq__gte": "abc", "colour": "red", "page": "0"}
    from django.http import QueryDict

    request = selectors.parse_table_request(finished_run, "region_industry", QueryDict(
        "&".join(f"{k}={v}" for k, v in params.items())))
    assert set(request.errors) == {"sort", "colour", "page"}
    with pytest.raises(results.TableQueryError) as caught:
        selectors.table_page(finished_run, "region_industry", selectors.TableRequest(
            filters=[results.Filter("lq", "gte", "abc")]))
    assert caught.value.field == "lq"
    assert selectors.table_path(finished_run, "../../etc/passwd") is None


def test_run_page_tabs_and_table_fragment(client, finished_run, admin):
    client.force_login(admin)
    page = client.get(finished_run.get_absolute_url()).content.decode()
    for tab in ("clusters", "regions", "industries", "region_industry", "diversification", "map"):
        assert f"?tab={tab}" in page, tab
    response = client.get(finished_run.get_absolute_url(), {"tab": "region_industry", "sort": "-lq", "per_page": 25})
    assert response.status_code == 200
    assert response.context["rows"] and response.context["page"].sort == [("lq", True)]
    fragment = client.get(reverse("insights:run_table", args=[finished_run.pk, "region_industry"]),
                          {"sort": "-employment", "q": "R4"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'id="table-results"' in fragment
    assert client.get(finished_run.get_absolute_url(), {"tab": "nope"}).status_code == 404
    assert client.get(reverse("insights:run_table", args=[finished_run.pk, "nope"])).status_code == 404


def test_search_finds_rows_by_the_registry_name_of_their_region(client, admin,
                                                                 django_capture_on_commit_callbacks):
    make_region(code="R4", kind=Region.Kind.PROVINCE, name_fa="کرمان", name_en="Kerman")
    run = run_analysis(admin, make_dataset(admin), django_capture_on_commit_callbacks)
    assert run.labels["regions"]["R4"]["name_en"] == "Kerman"
    page = selectors.table_page(run, "region_industry", selectors.TableRequest(q="كرمان"))  # Arabic kaf
    assert {r["region"] for r in page.records()} == {"R4"}


def test_exports_csv_and_xlsx_have_every_matching_row(client, finished_run, admin):
    client.force_login(admin)
    url = reverse("insights:run_export", args=[finished_run.pk, "region_industry", "csv"])
    rows = list(csv.reader(io.StringIO(streamed(client.get(url, {"industry": "10", "sort": "region"})).decode(
        "utf-8-sig"))))
    assert rows[0][:3] == ["region", "industry", "employment"]
    assert [r[0] for r in rows[1:]] == ["R1", "R2", "R3", "R4"]
    url = reverse("insights:run_export", args=[finished_run.pk, "region_industry", "xlsx"])
    response = client.get(url, {"sort": "-lq"})
    sheet = load_workbook(io.BytesIO(streamed(response)), read_only=True).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 13 and values[0][0] == "region"
    lq_column = values[0].index("lq")
    assert values[1][lq_column] == pytest.approx(expected_lq().max())
    everything = load_workbook(io.BytesIO(streamed(client.get(reverse(
        "insights:run_export", args=[finished_run.pk, "all", "xlsx"])))), read_only=True)
    assert len(everything.worksheets) == len(finished_run.tables)
    assert client.get(reverse("insights:run_export", args=[finished_run.pk, "region_industry", "pdf"])).status_code \
        == 404
    assert client.get(url, {"lq__gte": "x"}).status_code == 400


def test_results_follow_the_datasets_visibility(client, finished_run):
    urls = [finished_run.get_absolute_url(), reverse("insights:run_table", args=[finished_run.pk, "regions"]),
            reverse("insights:run_export", args=[finished_run.pk, "regions", "csv"]),
            reverse("insights:run_map", args=[finished_run.pk]) + "?industry=10",
            reverse("insights-run-detail", args=[finished_run.pk])]
    for url in urls:
        assert client.get(url).status_code in (401, 403, 404), url
    client.force_login(make_user())
    for url in urls:
        assert client.get(url).status_code == 404, url
    finished_run.dataset.visibility = "public"
    finished_run.dataset.save()
    client.logout()
    for url in urls:
        assert client.get(url).status_code == 200, url


# -- the map --------------------------------------------------------------------------------------------------------
def test_map_data_matches_regions_by_code_and_name(client, admin, django_capture_on_commit_callbacks):
    kerman = make_region(code="IR-KE", kind=Region.Kind.PROVINCE, name_fa="کرمان", name_en="Kerman")
    tehran = make_region(code="R2", kind=Region.Kind.PROVINCE, name_fa="تهران", name_en="Tehran")
    make_region(code="C-BAM", kind=Region.Kind.COUNTY, name_fa="بم", name_en="Bam", parent=kerman,
                         latitude=29.1, longitude=58.3)
    content = good_csv().decode().replace("R1,", "استان كرمان,").replace("R3,", "C-BAM,").encode()
    run = run_analysis(admin, make_dataset(admin, content), django_capture_on_commit_callbacks)
    client.force_login(admin)
    data = client.get(reverse("insights:run_map", args=[run.pk]), {"industry": "10"}).json()
    lq = expected_lq()
    assert data["provinces"][str(kerman.pk)]["value"] == pytest.approx(lq[("R1", "10")])
    assert data["provinces"][str(tehran.pk)]["value"] == pytest.approx(lq[("R2", "10")])
    assert data["points"][0]["name"] == "بم" and data["points"][0]["lat"] == 29.1
    assert data["unmatched"] == ["R4"]
    assert client.get(reverse("insights:run_map", args=[run.pk]), {"industry": "10", "measure": "x"}).status_code \
        == 400
    page = client.get(run.get_absolute_url(), {"tab": "map"}).content.decode()
    assert "data-insights-map" in page and reverse("registry:region_boundaries") in page


# -- priorities ------------------------------------------------------------------------------------------------------
def test_priority_table_reranks_with_the_weights(client, finished_run, admin):
    client.force_login(admin)
    url = reverse("insights:run_priorities", args=[finished_run.pk])
    by_lq = client.get(url, {"w_lq": "1", "w_employment": "0", "w_stars": "0"}).context["priority"]
    by_size = client.get(url, {"w_lq": "0", "w_employment": "1", "w_stars": "0"}).context["priority"]
    lq_order = [(r["region"], r["industry"]) for r in by_lq.rows]
    size_order = [(r["region"], r["industry"]) for r in by_size.rows]
    candidates = expected_lq()[expected_lq() >= 1]
    assert lq_order == list(candidates.sort_values(ascending=False).index)
    employment = pd.Series(EMPLOYMENT)
    assert size_order == list(employment[candidates.index].sort_values(ascending=False, kind="stable").index)
    assert [r["rank"] for r in by_lq.rows] == list(range(1, len(lq_order) + 1))
    api = client.get(reverse("insights-run-priorities", args=[finished_run.pk]),
                     {"weights": "lq:1,employment:0,stars:0"}).json()
    assert [(r["region"], r["industry"]) for r in api["results"]] == lq_order


def test_rank_alternatives_uses_the_decision_engine_as_documented(insights_env):
    frame = pd.DataFrame({"employment": [10.0, 30.0, 20.0], "lq": [3.0, 1.0, 2.0]})
    scores, ranks = services.rank_alternatives(frame, {"employment": 1, "lq": 1})
    # min-max: employment (0, 1, .5), lq (1, 0, .5); equal weights 0.5: (.5, .5, .5) -> a three-way tie
    assert scores == pytest.approx([0.5, 0.5, 0.5])
    scores, ranks = services.rank_alternatives(frame, {"employment": 3, "lq": 1})
    assert scores == pytest.approx([0.25, 0.75, 0.5]) and list(ranks) == [3, 1, 2]


# -- a registry cluster from a candidate ---------------------------------------------------------------------------
@pytest.fixture
def registry_for_run(admin, django_capture_on_commit_callbacks):
    province = make_region(code="R1", kind=Region.Kind.PROVINCE, name_fa="کرمان", name_en="Kerman")
    county = make_region(code="R1-C", kind=Region.Kind.COUNTY, name_fa="رفسنجان", parent=province)
    section = make_sector(scheme="ISIC4", code="C", level=Sector.Level.SECTION, title_en="Manufacturing")
    food = make_sector(scheme="ISIC4", code="10", level=Sector.Level.DIVISION, parent=section,
                       title_en="Food products", title_fa="محصولات غذایی")
    food_class = make_sector(scheme="ISIC4", code="1030", level=Sector.Level.CLASS, parent=food, title_en="Fruit")
    other = make_sector(scheme="ISIC4", code="100", level=Sector.Level.GROUP, parent=section, title_en="Not food")
    members = [make_org(region=province), make_org(region=county, kind="university"),
               make_org(region=county, visibility="private")]
    outsiders = [make_org(region=province), make_org(region=make_region())]
    for org in members:
        org.sectors.add(food_class if org.kind == "university" else food)
    outsiders[0].sectors.add(other)  # "C/100" must not match "C/10"
    outsiders[1].sectors.add(food)
    run = run_analysis(admin, make_dataset(admin), django_capture_on_commit_callbacks)
    return {"run": run, "province": province, "food": food, "members": members}


def test_create_registry_cluster_with_members(client, registry_for_run, admin):
    run = registry_for_run["run"]
    client.force_login(admin)
    url = reverse("insights:create_cluster", args=[run.pk])
    confirm = client.get(url, {"region": "R1", "industry": "10"})
    assert confirm.status_code == 200 and confirm.context["member_count"] == 3
    assert Cluster.objects.count() == 0  # a GET only asks
    response = client.post(url, {"region": "R1", "industry": "10", "name_fa": "خوشه غذایی کرمان",
                                 "name_en": "Kerman food", "visibility": "private"})
    cluster = Cluster.objects.get()
    assert response.status_code == 302 and response["Location"] == cluster.get_absolute_url()
    assert cluster.name_fa == "خوشه غذایی کرمان" and cluster.stage == "developing" and cluster.type == "traded"
    assert cluster.tech_level == "medium_high" and cluster.visibility == "private"
    assert list(cluster.sectors.all()) == [registry_for_run["food"]]
    assert list(cluster.regions.all()) == [registry_for_run["province"]]
    memberships = ClusterMembership.objects.filter(cluster=cluster)
    assert {m.organization_id for m in memberships} == {o.pk for o in registry_for_run["members"]}
    assert {m.role for m in memberships} == {"core", "support"}
    assert "analysis" in cluster.description.lower() or "تحلیل" in cluster.description
    # Audit-logged, by whom.
    entries = LogEntry.objects.get_for_object(cluster)
    assert {e.actor for e in entries} == {admin}
    assert entries.filter(action=LogEntry.Action.CREATE).count() == 1  # then its sector and region (m2m)
    assert LogEntry.objects.filter(content_type__model="clustermembership").count() == 3
    # Not twice: the second click goes to the same cluster, and the priority table links to it.
    client.post(url, {"region": "R1", "industry": "10", "name_fa": "x", "visibility": "private"})
    assert Cluster.objects.count() == 1
    table = client.get(reverse("insights:run_priorities", args=[run.pk]))
    assert cluster.get_absolute_url() in table.content.decode()


def test_only_who_may_create_clusters_can(client, registry_for_run):
    run = registry_for_run["run"]
    run.dataset.visibility = "public"
    run.dataset.save()
    url = reverse("insights:create_cluster", args=[run.pk])
    data = {"region": "R1", "industry": "10", "name_fa": "x", "visibility": "private"}
    client.force_login(staff_user())  # cluster staff may not create registry clusters (registry rule)
    clusters = Cluster.objects.count()
    assert client.post(url, data).status_code == 403
    assert "Create registry cluster" not in client.get(reverse("insights:run_priorities", args=[run.pk])).content.decode()
    client.logout()
    assert client.post(url, data).status_code == 302 and Cluster.objects.count() == clusters
    client.force_login(make_user(superuser=True))
    assert client.get(url, {"region": "R9", "industry": "10"}).status_code == 404  # not a candidate
