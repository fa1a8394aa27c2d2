"""Datasets: upload (CSV, XLSX, Parquet) with column mapping, bad files named precisely with nothing
saved, the registry's organizations as a dataset, downloads, and who may do what."""

from __future__ import annotations

import io
from html import escape
from pathlib import Path

import pandas as pd
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from factories import make_org, make_region, make_sector, make_user
from test_insights_support import good_csv, make_dataset, setup_insights_env, staff_user, upload, xlsx_bytes

from khooshe.analytics.validation import AnalyticsInputError
from khooshe.insights import ingest, services, storage
from khooshe.insights.models import Dataset
from khooshe.registry.models import Region, Sector

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("insights_env")]


@pytest.fixture
def insights_env(settings, tmp_path, monkeypatch):
    return setup_insights_env(settings, tmp_path, monkeypatch)


def stored_frame(dataset) -> pd.DataFrame:
    return pd.read_parquet(storage.dataset_data(dataset.pk))


def nothing_saved(count_before: int) -> bool:
    leftovers = [p for p in (storage.root() / "datasets").glob("*")] if (storage.root() / "datasets").exists() else []
    work = list((storage.root() / "tmp").glob("*")) if (storage.root() / "tmp").exists() else []
    return Dataset.objects.count() == count_before and not leftovers and not work


# -- reading and storing files ---------------------------------------------------------------------------
def test_csv_upload_stores_canonical_columns_and_keeps_codes_as_text(insights_env):
    user = make_user(superuser=True)
    content = ("استان,isic,employees,year\n"
               "كرمان,01,۱۲۳,1401\n"        # Arabic kaf, Persian digits
               "تهران,10,\"1,250\",1401\n"  # thousands separator
               "تهران,01,0,1401\n").encode()
    dataset = make_dataset(user, content, region="استان", industry="isic", value="employees", year="year")
    frame = stored_frame(dataset)
    assert list(frame.columns) == ["region", "industry", "value", "year"]
    assert frame["industry"].tolist() == ["01", "10", "01"]  # the leading zero of an ISIC code is kept
    assert frame["region"].tolist() == ["کرمان", "تهران", "تهران"]  # one spelling of ک
    assert frame["value"].tolist() == [123.0, 1250.0, 0.0]
    assert frame["year"].tolist() == [1401, 1401, 1401]
    assert dataset.row_count == 3 and dataset.file_format == "csv"
    assert dataset.mapping == {"region": "استان", "industry": "isic", "value": "employees", "year": "year"}
    assert storage.original_file(dataset.pk).read_bytes() == content


def test_xlsx_upload(insights_env):
    user = make_user(superuser=True)
    content = xlsx_bytes([["Region", "ISIC", "Jobs"], ["R1", "10", 12], ["R2", 26, 30.0], [None, None, None],
                          ["R3", "10", 7]])
    staged = services.stage_upload(user=user, uploaded_file=upload("stats.xlsx", content))
    assert staged.preview.columns == ["Region", "ISIC", "Jobs"]
    assert staged.preview.rows[1] == ["R2", "26", "30"]
    assert staged.preview.guesses == {"region": "Region", "industry": "ISIC", "value": "Jobs"}
    dataset = services.create_dataset(user=user, token=staged.token, name="x",
                                      mapping={"region": "Region", "industry": "ISIC", "value": "Jobs"})
    frame = stored_frame(dataset)
    assert frame.to_dict("list") == {"region": ["R1", "R2", "R3"], "industry": ["10", "26", "10"],
                                     "value": [12.0, 30.0, 7.0]}  # the blank row is skipped
    assert dataset.file_format == "xlsx" and storage.original_file(dataset.pk).suffix == ".xlsx"
    assert not storage.staging_dir(user.pk, staged.token).exists()


def test_parquet_upload_with_typed_columns(tmp_path):
    user = make_user(superuser=True)
    buffer = io.BytesIO()
    pd.DataFrame({"r": ["A", "B"], "i": [10, 26], "e": [1.5, 2.0], "w": [100, None]}).to_parquet(buffer)
    dataset = services.create_dataset_from_file(user=user, uploaded_file=upload("d.parquet", buffer.getvalue()),
                                                name="p", mapping={"region": "r", "industry": "i", "value": "e",
                                                                   "wage": "w"})
    frame = stored_frame(dataset)
    assert frame["industry"].tolist() == ["10", "26"]
    assert frame["wage"].tolist() == [100.0, 0.0]  # a missing wage counts as none paid


@pytest.mark.parametrize("content, mapping, code, params", [
    (b"province,isic,employees\nR1,10,12\nR2,26,abc\n", {}, "non_numeric",
     {"row": 2, "column": "employees", "value": "abc"}),
    (b"province,isic,employees\nR1,10,12\nR2,26,5\nR3,55,-4\n", {}, "negative_value",
     {"row": 3, "column": "employees", "value": "-4"}),
    (b"province,isic,employees\nR1,10,12\n,26,5\n", {}, "missing_value", {"row": 2, "column": "province"}),
    (b"province,isic,employees\nR1,10,inf\n", {}, "non_finite", {"row": 1, "column": "employees"}),
    (b"province,isic,employees\n", {}, "empty_file", {}),
    (b"province,isic,employees\nR1,10,3\n", {"value": "jobs"}, "missing_column",
     {"column": "jobs", "role": "value"}),
    (b"province,isic,employees,year\nR1,10,3,2021.5\n", {"year": "year"}, "non_integer_year",
     {"row": 1, "value": "2021.5"}),
    (b"province,isic,employees\nR1,10,3\n", {"industry": "province"}, "mapping_duplicate", {"column": "province"}),
])
def test_bad_files_are_refused_naming_row_column_value_and_nothing_is_saved(content, mapping, code,
                                                                               params):
    user = make_user(superuser=True)
    before = Dataset.objects.count()
    full = {"region": "province", "industry": "isic", "value": "employees", **mapping}
    with pytest.raises(AnalyticsInputError) as caught:
        make_dataset(user, content, **full)
    assert caught.value.code == code
    for key, value in params.items():
        assert str(caught.value.params[key]) == str(value), (key, caught.value.params)
    assert nothing_saved(before)


def test_row_numbers_follow_the_file_in_a_large_file(insights_env):
    """The bad row is found by its position in the file, also when DuckDB reads in parallel."""
    user = make_user(superuser=True)
    lines = ["province,isic,employees"] + [f"R{i % 50},{i % 7},{i}" for i in range(1, 120_001)]
    lines[100_001] = "R1,3,twelve"
    with pytest.raises(AnalyticsInputError) as caught:
        make_dataset(user, ("\n".join(lines) + "\n").encode())
    assert caught.value.params["row"] == 100_001 and caught.value.params["value"] == "twelve"


@pytest.mark.parametrize("name, content, code", [
    ("notes.docx", b"PK...", "unsupported_format"),
    ("broken.xlsx", b"this is not a workbook", "unreadable_file"),
    ("broken.parquet", b"not parquet at all", "unreadable_file"),
])
def test_unreadable_files(name, content, code):
    user = make_user(superuser=True)
    with pytest.raises(AnalyticsInputError) as caught:
        services.stage_upload(user=user, uploaded_file=upload(name, content))
    assert caught.value.code == code
    assert not list((storage.root() / "uploads").glob("*/*")) if (storage.root() / "uploads").exists() else True


def test_guess_mapping_recognises_persian_and_english_names():
    assert ingest.guess_mapping(["استان", "کد فعالیت", "تعداد شاغلان", "سال"]) == {
        "region": "استان", "industry": "کد فعالیت", "value": "تعداد شاغلان", "year": "سال"}


# -- the upload pages ---------------------------------------------------------------------------------------------
def test_upload_in_two_steps_then_the_dataset_page(client, insights_env):
    user = staff_user()
    client.force_login(user)
    response = client.post(reverse("insights:dataset_upload"), {"file": upload("employment.csv", good_csv())})
    assert response.status_code == 200
    content = response.content.decode()
    assert "R1" in content and "employees" in content  # the preview
    token = response.context["form"].initial["token"]
    assert response.context["form"].initial["name"] == "employment"
    assert 'value="province" selected' in content  # the guessed mapping is pre-selected
    response = client.post(reverse("insights:dataset_upload"), {
        "token": token, "name": "Employment 2022", "visibility": "private", "region_col": "province",
        "industry_col": "isic", "value_col": "employees"})
    dataset = Dataset.objects.get()
    assert response.status_code == 302 and response["Location"] == dataset.get_absolute_url()
    assert dataset.owner == user and dataset.row_count == 12
    page = client.get(dataset.get_absolute_url()).content.decode()
    assert "Employment 2022" in page and reverse("insights:run_start", args=[dataset.pk]) in page


def test_mapping_errors_show_next_to_the_field_and_save_nothing(client, insights_env):
    client.force_login(make_user(superuser=True))
    content = b"province,isic,employees\nR1,10,12\nR2,26,\xd8\xaf\xd9\x88\n"  # "دو" (two) in letters
    response = client.post(reverse("insights:dataset_upload"), {"file": upload("e.csv", content)})
    token = response.context["form"].initial["token"]
    data = {"token": token, "name": "E", "visibility": "private", "region_col": "province", "industry_col": "isic",
            "value_col": "employees"}
    response = client.post(reverse("insights:dataset_upload"), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "value_col" in errors
    message = errors["value_col"][0]
    assert "2" in message.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")) and "employees" in message
    assert "دو" in message
    assert 'id="id_value_col_error"' in response.content.decode()
    assert Dataset.objects.count() == 0
    # The staged file is still there: choosing another column (a retry) needs no new upload.
    response = client.post(reverse("insights:dataset_upload"), {**data, "value_col": ""})
    assert response.status_code == 400 and "value_col" in response.context["form"].errors


def test_upload_of_an_unreadable_file_shows_the_error_on_the_file_field(client, insights_env):
    client.force_login(make_user(superuser=True))
    response = client.post(reverse("insights:dataset_upload"), {"file": upload("a.xlsx", b"garbage")})
    assert response.status_code == 400
    assert "file" in response.context["form"].errors
    assert "XLSX" in response.context["form"].errors["file"][0]


def test_another_users_staged_upload_cannot_be_used(client, insights_env):
    owner = make_user(superuser=True)
    staged = services.stage_upload(user=owner, uploaded_file=upload("e.csv", good_csv()))
    client.force_login(make_user(superuser=True))
    response = client.post(reverse("insights:dataset_upload"), {
        "token": staged.token, "name": "E", "visibility": "private", "region_col": "province",
        "industry_col": "isic", "value_col": "employees"})
    assert response.status_code == 400 and Dataset.objects.count() == 0
    for token in ("../../etc", "x" * 32):
        assert storage.staging_dir(owner.pk, token) is None


def test_who_may_upload(client, insights_env):
    url = reverse("insights:dataset_upload")
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    client.force_login(make_user())
    assert client.get(url).status_code == 403
    assert client.post(url, {"file": upload("e.csv", good_csv())}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.stage_upload(user=make_user(), uploaded_file=upload("e.csv", good_csv()))
    client.force_login(staff_user())
    assert client.get(url).status_code == 200
    assert Dataset.objects.count() == 0


def test_private_datasets_and_their_files_are_hidden(client, insights_env):
    owner = staff_user()
    dataset = make_dataset(owner)
    for url in (dataset.get_absolute_url(), reverse("insights:dataset_download", args=[dataset.pk, "original"]),
                reverse("insights:dataset_download", args=[dataset.pk, "data"])):
        assert client.get(url).status_code == 404
        client.force_login(make_user())
        assert client.get(url).status_code == 404
        client.force_login(owner)
        assert client.get(url).status_code == 200
        client.logout()
    client.force_login(owner)
    response = client.get(reverse("insights:dataset_download", args=[dataset.pk, "original"]))
    assert b"".join(response.streaming_content) == good_csv()
    dataset.visibility = "public"
    dataset.save()
    client.logout()
    assert client.get(dataset.get_absolute_url()).status_code == 200


def test_deleting_a_dataset_removes_its_files(client, django_capture_on_commit_callbacks):
    user = make_user(superuser=True)
    dataset = make_dataset(user)
    folder = storage.dataset_dir(dataset.pk)
    assert folder.exists()
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("insights:dataset_delete", args=[dataset.pk]))
    assert response.status_code == 302
    assert not Dataset.objects.exists() and not folder.exists()


# -- the registry's organizations as establishments ----------------------------------------------------------
@pytest.fixture
def small_registry():
    country = make_region(code="IR", kind=Region.Kind.COUNTRY, name_fa="ایران", name_en="Iran")
    kerman = make_region(code="P-KE", kind=Region.Kind.PROVINCE, parent=country, name_fa="کرمان", name_en="Kerman")
    tehran = make_region(code="P-TE", kind=Region.Kind.PROVINCE, parent=country, name_fa="تهران", name_en="Tehran")
    rafsanjan = make_region(code="C-RA", kind=Region.Kind.COUNTY, parent=kerman, name_fa="رفسنجان",
                            name_en="Rafsanjan")
    section = make_sector(scheme="ISIC4", code="C", level=Sector.Level.SECTION, title_en="Manufacturing")
    food = make_sector(scheme="ISIC4", code="10", level=Sector.Level.DIVISION, parent=section, title_en="Food")
    food_class = make_sector(scheme="ISIC4", code="1030", level=Sector.Level.CLASS, parent=food, title_en="Fruit")
    computers = make_sector(scheme="ISIC4", code="26", level=Sector.Level.DIVISION, parent=section,
                            title_en="Computers")
    orgs = [
        make_org(region=rafsanjan, employee_band="50-99"),   # a county of Kerman: counts for Kerman
        make_org(region=kerman, employee_band="1000+"),
        make_org(region=tehran, employee_band=""),            # no band: 5
        make_org(region=tehran, employee_band="10-49"),
        make_org(region=tehran, employee_band="10-49", visibility="private"),
        make_org(region=None, employee_band="10-49"),         # no region: left out
        make_org(region=kerman),                              # no sector: left out
    ]
    for org, sector in zip(orgs, [food_class, food, computers, computers, computers, food], strict=False):
        org.sectors.add(sector)
    return {"kerman": kerman, "tehran": tehran, "rafsanjan": rafsanjan, "food": food, "computers": computers,
            "orgs": orgs}


def test_registry_dataset_uses_province_codes_isic_divisions_and_band_estimates(small_registry):
    admin = make_user(superuser=True)
    dataset = services.create_registry_dataset(user=admin, name="Registry")
    frame = stored_frame(dataset).sort_values(["region", "value"])
    assert frame[["region", "industry", "value"]].values.tolist() == [
        ["P-KE", "10", 75.0], ["P-KE", "10", 1500.0], ["P-TE", "26", 5.0], ["P-TE", "26", 30.0],
        ["P-TE", "26", 30.0]]
    assert dataset.source == "registry" and dataset.row_count == 5
    # A cluster staff member sees only public organizations: the private one is not in their dataset.
    dataset = services.create_registry_dataset(user=staff_user(), name="Mine")
    assert dataset.row_count == 4


def test_registry_dataset_of_a_single_province_uses_counties(small_registry):
    admin = make_user(superuser=True)
    frame, level = services.organization_records(admin, "auto")
    assert level == "province"
    for org in small_registry["orgs"]:
        if org.region_id == small_registry["tehran"].pk:
            org.delete()
    frame, level = services.organization_records(admin, "auto")
    assert level == "county" and frame["region"].tolist() == ["C-RA"]  # the one in Kerman city has no county


def test_registry_dataset_page(client, small_registry):
    client.force_login(make_user(superuser=True))
    response = client.post(reverse("insights:dataset_from_registry"), {
        "name": "From the registry", "visibility": "private", "region_level": "province"})
    dataset = Dataset.objects.get()
    assert response.status_code == 302 and dataset.name == "From the registry"
    assert client.get(reverse("insights:dataset_download", args=[dataset.pk, "original"])).status_code == 404


def test_registry_dataset_without_organizations_is_a_clear_error(client, insights_env):
    client.force_login(make_user(superuser=True))
    response = client.post(reverse("insights:dataset_from_registry"), {
        "name": "Nothing", "visibility": "private", "region_level": "auto"})
    assert response.status_code == 400 and Dataset.objects.count() == 0
    assert escape("region and a sector") in response.content.decode() or "منطقه" in response.content.decode()


def test_staging_folders_older_than_a_day_are_pruned(insights_env):
    user = make_user(superuser=True)
    staged = services.stage_upload(user=user, uploaded_file=upload("e.csv", good_csv()))
    folder = storage.staging_dir(user.pk, staged.token)
    import os

    old = folder.stat().st_mtime - 2 * 24 * 3600
    os.utime(folder, (old, old))
    storage.prune_staging()
    assert not folder.exists() and Path(storage.root()).exists()
