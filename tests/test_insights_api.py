"""Datasets through the generic UI and API (the shared test mixins), the runs API (start a run, its status
and progress, result tables page by page) and the OpenAPI schema."""

from __future__ import annotations

import itertools

import pytest
from django.core.management import call_command
from django.urls import reverse
from factories import make_org, make_region, make_sector, make_user
from mixins import APITestCases, ViewTestCases
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from test_insights_support import expected_lq, good_csv, make_dataset, setup_insights_env, staff_user, upload

from khooshe.insights import storage
from khooshe.insights.models import AnalysisRun, Dataset
from khooshe.registry.models import Region, Sector

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("insights_env")]


@pytest.fixture
def insights_env(settings, tmp_path, monkeypatch):
    return setup_insights_env(settings, tmp_path, monkeypatch)
_numbers = itertools.count(1)


def make_datasets(n: int = 3) -> list[Dataset]:
    """Public datasets whose sortable columns differ (no files: list, detail, edit and delete need none)."""
    out = []
    for i in range(n):
        k = next(_numbers)
        out.append(Dataset.objects.create(
            name=f"آمار اشتغال {k}", description=f"Employment {k}", visibility="public",
            source="registry" if i % 2 else "upload", file_format="registry" if i % 2 else "csv",
            original_name="" if i % 2 else f"employment-{k}.csv", row_count=100 + 7 * k + i,
            region_col="province", industry_col="isic", value_col="employees"))
    return out


class DatasetCase:
    model = Dataset
    bulk_objects = staticmethod(make_datasets)

    @pytest.fixture(autouse=True)
    def _insights(self, insights_env):
        # Organizations with a region and a sector, so that a dataset can be built from the registry.
        region = make_region(code="P-1", kind=Region.Kind.PROVINCE)
        other = make_region(code="P-2", kind=Region.Kind.PROVINCE)
        section = make_sector(scheme="ISIC4", code="C", level=Sector.Level.SECTION)
        sector = make_sector(scheme="ISIC4", code="10", level=Sector.Level.DIVISION, parent=section)
        for place in (region, other):
            make_org(region=place, employee_band="10-49").sectors.add(sector)

    def make_private(self):
        return Dataset.objects.create(name="خصوصی", visibility="private", file_format="csv", region_col="a",
                                      industry_col="b", value_col="c")

    def filter_cases(self, objects):
        registry = [o for o in objects if o.source == "registry"]
        return [({"source": "registry"}, registry), ({"q": "اشتغال", "source": "upload"},
                                                     [o for o in objects if o.source == "upload"])]


class TestDatasetViews(DatasetCase, ViewTestCases.ListObjectsViewTestCase, ViewTestCases.GetObjectViewTestCase,
                       ViewTestCases.EditObjectViewTestCase, ViewTestCases.DeleteObjectViewTestCase,
                       ViewTestCases.BulkDeleteObjectsViewTestCase, ViewTestCases.BulkExportObjectsViewTestCase):
    edit_data = {"name": "نام تازه", "description": "Edited"}

    def test_add_button_leads_to_the_upload(self):
        content = self.client.get(self.url("list")).content.decode()
        assert f'href="{reverse("insights:dataset_upload")}"' in content
        assert self.url("add") == reverse("insights:dataset_upload")

    def test_menu_has_the_datasets(self):
        content = self.client.get("/").content.decode()
        assert f'href="{self.url("list")}"' in content


class TestDatasetAPI(DatasetCase, APITestCases.StandardAPITestCase):
    api_create_data = {"name": "From the registry", "source": "registry", "visibility": "public"}
    api_update_data = {"name": "Renamed", "description": "new text"}
    api_invalid_data = ({"name": "No file", "source": "upload"}, "file")

    def test_api_upload_a_file(self):
        response = self.client.post(self.api_url(), {
            "name": "Uploaded", "file": upload("e.csv", good_csv()), "region_col": "province",
            "industry_col": "isic", "value_col": "employees"})
        assert response.status_code == 201, response.json()
        dataset = Dataset.objects.get(pk=response.json()["id"])
        assert dataset.row_count == 12 and dataset.owner == self.admin and dataset.visibility == "private"
        assert storage.dataset_data(dataset.pk).exists()

    def test_api_upload_errors_name_the_column(self):
        count = Dataset.objects.count()
        response = self.client.post(self.api_url(), {
            "name": "Bad", "file": upload("e.csv", b"province,isic,employees\nR1,10,-3\n"),
            "region_col": "province", "industry_col": "isic", "value_col": "employees"})
        assert response.status_code == 400
        assert "value_col" in response.json() and "employees" in response.json()["value_col"][0]
        response = self.client.post(self.api_url(), {
            "name": "Bad", "file": upload("e.csv", good_csv()), "region_col": "state", "industry_col": "isic",
            "value_col": "employees"})
        assert response.status_code == 400 and "state" in response.json()["region_col"][0]
        assert Dataset.objects.count() == count

    def test_api_mapping_is_fixed_after_creation(self):
        dataset = make_datasets(1)[0]
        response = self.client.patch(self.api_url(dataset), {"value_col": "other", "name": "N"},
                                     content_type="application/json")
        assert response.status_code == 200
        dataset.refresh_from_db()
        assert dataset.value_col == "employees" and dataset.name == "N"


# -- the runs API ---------------------------------------------------------------------------------------------
def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_runs_api_start_status_and_tables(django_capture_on_commit_callbacks):
    owner = staff_user()
    dataset = make_dataset(owner)
    api = token_client(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(reverse("insights-run-list"), {"dataset": dataset.pk,
                                                           "parameters": {"eco_specialisation_threshold": 1.5}}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "queued"
    run = api.get(reverse("insights-run-detail", args=[response.json()["id"]])).json()
    assert run["status"] == "succeeded" and run["progress"] == 100 and run["error"] is None
    assert run["parameters"]["eco_specialisation_threshold"] == 1.5 and run["parameters"]["presence_threshold"] == 1.0
    assert run["tables"]["region_industry"]["rows"] == 12
    url = reverse("insights-run-table", args=[run["id"], "region_industry"])
    page = api.get(url, {"ordering": "-lq", "page_size": 5}).json()
    assert page["count"] == 12 and len(page["results"]) == 5 and "page=2" in page["next"]
    assert page["previous"] is None
    lqs = [row["lq"] for row in page["results"]]
    assert lqs == sorted(lqs, reverse=True)
    assert {c["name"] for c in page["columns"]} >= {"region", "industry", "lq"}
    assert next(c for c in page["columns"] if c["name"] == "lq")["help"]
    second = api.get(page["next"]).json()
    assert second["previous"] and not {(r["region"], r["industry"]) for r in second["results"]} & {
        (r["region"], r["industry"]) for r in page["results"]}
    filtered = api.get(url, {"industry": "55", "lq__gte": "1", "ordering": "region"}).json()
    lq = expected_lq()
    assert [r["region"] for r in filtered["results"]] == sorted(r for (r, i), v in lq.items() if i == "55" and v >= 1)
    assert len(filtered["results"]) == 2
    only = api.get(url, {"only": "strong"}).json()
    assert only["count"] == sum(1 for r in api.get(url, {"page_size": 100}).json()["results"] if r["strong"])
    for params, field in (({"ordering": "nope"}, "ordering"), ({"lq__gte": "many"}, "lq"), ({"colour": "x"}, "colour"),
                          ({"page_size": "5000"}, "page_size"), ({"only": "region"}, "only")):
        bad = api.get(url, params)
        assert bad.status_code == 400 and field in bad.json(), params
    assert api.get(reverse("insights-run-table", args=[run["id"], "nope"])).status_code == 404
    listed = api.get(reverse("insights-run-list"), {"dataset": dataset.pk}).json()
    assert [r["id"] for r in listed["results"]] == [run["id"]]


def test_runs_api_refuses_bad_parameters_and_foreign_datasets(insights_env):
    owner = staff_user()
    dataset = make_dataset(owner, visibility="public")
    api = token_client(owner)
    url = reverse("insights-run-list")
    response = api.post(url, {"dataset": dataset.pk, "parameters": {"eco_size_quantile": 5}}, format="json")
    assert response.status_code == 400 and "eco_size_quantile" in str(response.json()["parameters"])
    response = api.post(url, {"dataset": dataset.pk, "parameters": {"colour": "red"}}, format="json")
    assert response.status_code == 400 and "colour" in str(response.json()["parameters"])
    response = api.post(url, {"dataset": dataset.pk, "parameters": [1, 2]}, format="json")
    assert response.status_code == 400
    # Someone who sees the public dataset may not analyse it; a private one does not even exist for them.
    other = token_client(make_user())
    assert other.post(url, {"dataset": dataset.pk}, format="json").status_code == 403
    private = make_dataset(owner)
    response = other.post(url, {"dataset": private.pk}, format="json")
    assert response.status_code == 400 and "dataset" in response.json()
    assert APIClient().post(url, {"dataset": dataset.pk}, format="json").status_code == 401
    assert AnalysisRun.objects.count() == 0


def test_runs_api_unfinished_run_has_no_tables(insights_env):
    owner = staff_user()
    run = AnalysisRun.objects.create(dataset=make_dataset(owner), created_by=owner, status="running", progress=30,
                                     step="Computing")
    api = token_client(owner)
    body = api.get(reverse("insights-run-detail", args=[run.pk])).json()
    assert body["status"] == "running" and body["progress"] == 30 and body["step"] == "Computing"
    response = api.get(reverse("insights-run-table", args=[run.pk, "regions"]))
    assert response.status_code == 400 and "status" in response.json()


def test_nan_values_are_null_in_json(tmp_path):
    from khooshe.insights.api import json_value

    assert json_value(float("nan")) is None and json_value(float("inf")) is None and json_value(2.5) == 2.5


def test_schema_documents_the_insights_endpoints_without_warnings(tmp_path):
    import yaml

    target = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target))
    paths = yaml.safe_load(target.read_text(encoding="utf-8"))["paths"]
    for path in ("/api/insights/datasets/", "/api/insights/datasets/{id}/", "/api/insights/runs/",
                 "/api/insights/runs/{id}/", "/api/insights/runs/{id}/tables/{name}/",
                 "/api/insights/runs/{id}/priorities/"):
        assert path in paths, path
    params = {p["name"] for p in paths["/api/insights/runs/{id}/tables/{name}/"]["get"]["parameters"]}
    assert {"page", "page_size", "ordering", "q", "name", "id"} <= params
