"""Reference data: the ISIC Rev.4 tree, Iran's regions, and the loaders for other code lists and countries."""

import csv
import json

import pytest
from django.utils import translation
from typer.testing import CliRunner

from khooshe.core.text import fold
from khooshe.registry.models import Region, Sector
from khooshe.registry.reference import (
    IRAN_COUNTIES,
    IRAN_DIR,
    IRAN_PROVINCES,
    ReferenceDataError,
    ensure_reference_data,
    load_boundaries_geojson,
    load_code_list,
    load_iran,
    load_isic4,
    load_regions_csv,
    point_in_polygon,
    representative_point,
)

pytestmark = pytest.mark.django_db

# Iran's bounding box, generously: 25..40 N, 44..64 E.
IRAN_LAT, IRAN_LON = (24.5, 40.0), (44.0, 63.5)


@pytest.fixture(autouse=True)
def _english():
    """Error texts are asserted in English (the msgids), whatever the catalogue translates."""
    with translation.override("en"):
        yield


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


# -- ISIC Rev.4 -----------------------------------------------------------------------------------
def test_isic4_tree_has_the_published_counts(reference_data):
    isic = Sector.objects.filter(scheme="ISIC4")
    counts = {level: isic.filter(level=level).count() for level in (1, 2, 3, 4)}
    assert counts == {1: 21, 2: 88, 3: 238, 4: 419}
    assert isic.count() == 766
    sections = sorted(isic.filter(level=1).values_list("code", flat=True))
    assert sections == list("ABCDEFGHIJKLMNOPQRSTU")


def test_every_section_division_and_group_has_a_persian_title(reference_data):
    untitled = Sector.objects.filter(scheme="ISIC4", level__lte=3, title_fa="")
    missing = list(untitled.values_list("code", flat=True))
    assert missing == []
    assert Sector.objects.get(scheme="ISIC4", code="A").title_fa == "کشاورزی، جنگلداری و ماهیگیری"
    assert Sector.objects.get(scheme="ISIC4", code="C").title_fa == "صنعت (ساخت)"
    assert Sector.objects.get(scheme="ISIC4", code="10").title_fa == "ساخت محصولات غذایی"
    # The translation is Persian, not a copy of the English title.
    assert Sector.objects.get(scheme="ISIC4", code="107").title_fa == "ساخت سایر محصولات غذایی"
    assert not Sector.objects.filter(scheme="ISIC4", level__lte=3, title_fa__regex=r"[A-Za-z]").exists()


def test_isic4_parents_levels_and_paths_are_consistent(reference_data):
    sectors = {s.pk: s for s in Sector.objects.filter(scheme="ISIC4")}
    for sector in sectors.values():
        if sector.level == 1:
            assert sector.parent_id is None and sector.path == sector.code
        else:
            parent = sectors[sector.parent_id]
            assert parent.level == sector.level - 1
            assert sector.path == f"{parent.path}/{sector.code}"
        assert sector.title_en
    assert Sector.objects.get(scheme="ISIC4", code="1071").path == "C/10/107/1071"
    assert Sector.objects.get(scheme="ISIC4", code="0125").path == "A/01/012/0125"  # pistachios grow here


def test_ensure_reference_data_is_idempotent(reference_data):
    sectors, regions = Sector.objects.count(), Region.objects.count()
    assert ensure_reference_data() == []
    assert ensure_reference_data() == []
    assert (Sector.objects.count(), Region.objects.count()) == (sectors, regions)
    # Explicit reloads update in place: nothing is created twice.
    assert load_isic4().created == 0
    assert load_iran().created == 0
    assert (Sector.objects.count(), Region.objects.count()) == (sectors, regions)


def test_ensure_reference_data_fills_what_is_missing_without_touching_edits(reference_data):
    food = Sector.objects.get(scheme="ISIC4", code="10")
    food.title_fa = "صنایع غذایی"
    food.save()
    Sector.objects.filter(scheme="ISIC4", code="1071").delete()
    Region.objects.filter(code="IR-1080008").delete()

    loaded = ensure_reference_data()

    assert [r.created for r in loaded] == [1, 1]
    assert Sector.objects.get(scheme="ISIC4", code="1071").parent.code == "107"
    assert Region.objects.get(code="IR-1080008").parent.code == "IR-108"
    assert Sector.objects.get(scheme="ISIC4", code="10").title_fa == "صنایع غذایی"


def test_isic4_loads_in_a_handful_of_queries(reference_data, django_assert_max_num_queries):
    Sector.objects.filter(scheme="ISIC4").delete()
    with django_assert_max_num_queries(20):
        result = load_isic4()
    assert result.created == 766
    assert Sector.objects.filter(scheme="ISIC4").count() == 766


# -- Iran -----------------------------------------------------------------------------------------
def test_iran_has_31_provinces_with_boundaries_and_points_inside(reference_data):
    iran = Region.objects.get(code="IR")
    assert (iran.kind, iran.name_fa, iran.name_en) == ("country", "ایران", "Iran")
    provinces = Region.objects.filter(kind="province", parent=iran)
    assert provinces.count() == IRAN_PROVINCES == 31
    for province in provinces:
        assert province.code.startswith("IR-")
        assert province.name_fa and province.name_en, province.code
        assert province.boundary and province.boundary["type"] in ("Polygon", "MultiPolygon")
        assert IRAN_LAT[0] < province.latitude < IRAN_LAT[1], province.code
        assert IRAN_LON[0] < province.longitude < IRAN_LON[1], province.code
        polygons = ([province.boundary["coordinates"]] if province.boundary["type"] == "Polygon"
                    else province.boundary["coordinates"])
        inside = any(point_in_polygon(province.longitude, province.latitude, p) for p in polygons)
        assert inside, province.code


def test_all_31_geojson_provinces_match_the_csv():
    result = load_iran()
    assert result.unmatched == []
    with open(IRAN_DIR / "provinces.min.geojson", encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    assert len(features) == 31
    stored = {fold(name) for name in Region.objects.filter(kind="province").values_list("name_fa", flat=True)}
    assert {fold(f["properties"]["name:fa"]) for f in features} == stored


def test_kerman_has_its_counties(reference_data):
    kerman = Region.objects.get(code="IR-108")
    assert (kerman.name_fa, kerman.name_en) == ("کرمان", "Kerman")
    counties = kerman.children.filter(kind="county")
    names = set(counties.values_list("name_fa", flat=True))
    assert {"کرمان", "رفسنجان", "سیرجان", "بم", "جیرفت", "زرند"} <= names
    assert counties.count() == 25
    county = Region.objects.get(code="IR-1080008")
    assert county.name_fa == "کرمان" and county.latitude is None and county.province() == kerman
    assert Region.objects.filter(kind="county", code__startswith="IR-").count() == IRAN_COUNTIES


# -- custom code lists ----------------------------------------------------------------------------
CODE_LIST_HEADER = ["code", "parent_code", "title_en", "title_fa"]


def test_custom_code_list_loads_and_reloads_without_duplicates(reference_data, tmp_path):
    path = write_csv(tmp_path / "pistachio.csv", CODE_LIST_HEADER, [
        ["P1", "", "Pistachio value chain", "زنجیره ارزش پسته"],
        ["P1.2", "P1", "Processing", "فرآوری"],  # children may come before or after their parent
        ["P1.1", "P1", "Growing", "کاشت"],
        ["P1.2.1", "P1.2", "", "بسته‌بندی"],  # only a Persian title: used for English too
    ])
    result = load_code_list(path, "KERMAN", progress=False)
    assert result.created == 4
    nodes = {s.code: s for s in Sector.objects.filter(scheme="KERMAN")}
    assert nodes["P1.2.1"].level == 3 and nodes["P1.2.1"].path == "P1/P1.2/P1.2.1"
    assert nodes["P1.2.1"].parent == nodes["P1.2"] and nodes["P1.2.1"].title_en == "بسته‌بندی"
    assert Sector.objects.filter(scheme="ISIC4", code="P1").count() == 0

    # Reload with a changed title and a moved node: updated in place, descendants follow.
    write_csv(path, CODE_LIST_HEADER, [
        ["P1", "", "Pistachio cluster", ""],
        ["P1.2", "P1.1", "Processing", "فرآوری"],
    ])
    result = load_code_list(path, "KERMAN")
    assert (result.created, result.updated) == (0, 2)
    nodes = {s.code: s for s in Sector.objects.filter(scheme="KERMAN")}
    assert len(nodes) == 4
    assert nodes["P1"].title_en == "Pistachio cluster" and nodes["P1"].title_fa == "زنجیره ارزش پسته"
    assert nodes["P1.2.1"].path == "P1/P1.1/P1.2/P1.2.1" and nodes["P1.2.1"].level == 4


def test_bad_code_list_writes_nothing_and_names_row_column_value(reference_data, tmp_path):
    path = write_csv(tmp_path / "bad.csv", CODE_LIST_HEADER, [
        ["X1", "", "Top", ""],
        ["X2", "X1", "Fine row", ""],
        ["X3", "NOPE", "Orphan", ""],
        ["X2", "X1", "Again", ""],
        ["X4", "X1", "", ""],
    ])
    with pytest.raises(ReferenceDataError) as caught:
        load_code_list(path, "BAD")
    problems = {(e.row, e.column, e.value) for e in caught.value.errors}
    assert (4, "parent_code", "NOPE") in problems
    assert (5, "code", "X2") in problems
    assert (6, "title_en", "") in problems
    text = str(caught.value)
    assert "row 4" in text and "parent_code" in text and "NOPE" in text
    assert "nothing was written" in text
    assert not Sector.objects.filter(scheme="BAD").exists()


def test_code_list_rejects_loops_depth_and_missing_columns(reference_data, tmp_path):
    loop = write_csv(tmp_path / "loop.csv", CODE_LIST_HEADER, [["A1", "B1", "a", ""], ["B1", "A1", "b", ""]])
    with pytest.raises(ReferenceDataError, match="loop"):
        load_code_list(loop, "LOOP")
    deep = write_csv(tmp_path / "deep.csv", CODE_LIST_HEADER,
                     [["L1", "", "1", ""], ["L2", "L1", "2", ""], ["L3", "L2", "3", ""],
                      ["L4", "L3", "4", ""], ["L5", "L4", "5", ""]])
    with pytest.raises(ReferenceDataError) as caught:
        load_code_list(deep, "DEEP")
    assert [(e.row, e.column, e.value) for e in caught.value.errors] == [(6, "parent_code", "L4")]
    header = write_csv(tmp_path / "header.csv", ["code", "title_en"], [["A", "x"]])
    with pytest.raises(ReferenceDataError) as caught:
        load_code_list(header, "HDR")
    assert {(e.row, e.column) for e in caught.value.errors} == {(1, "parent_code"), (1, "title_fa")}
    assert not Sector.objects.filter(scheme__in=["LOOP", "DEEP", "HDR"]).exists()


# -- regions of another country -------------------------------------------------------------------
REGION_HEADER = ["code", "kind", "parent_code", "name_fa", "name_en", "latitude", "longitude"]


def test_region_csv_loader(reference_data, tmp_path):
    path = write_csv(tmp_path / "de.csv", REGION_HEADER, [
        ["DE-BY", "province", "DE", "بایرن", "Bavaria", "48.79", "11.50"],
        ["DE", "country", "", "آلمان", "Germany", "", ""],
        ["DE-BY-M", "county", "DE-BY", "", "Munich", "48.137", "11.575"],
    ])
    result = load_regions_csv(path)
    assert result.created == 3
    munich = Region.objects.get(code="DE-BY-M")
    assert munich.parent.code == "DE-BY" and munich.parent.parent.code == "DE"
    assert munich.name_fa == "Munich" and munich.latitude == pytest.approx(48.137)
    assert munich.province().code == "DE-BY"

    # Reload: updates by code; an empty cell keeps the stored value.
    write_csv(path, REGION_HEADER, [["DE-BY", "province", "DE", "باواریا", "", "", ""]])
    assert load_regions_csv(path).updated == 1
    bavaria = Region.objects.get(code="DE-BY")
    assert (bavaria.name_fa, bavaria.name_en) == ("باواریا", "Bavaria")
    assert bavaria.latitude == pytest.approx(48.79)
    assert Region.objects.filter(code__startswith="DE").count() == 3


def test_bad_region_csv_writes_nothing(reference_data, tmp_path):
    path = write_csv(tmp_path / "bad.csv", REGION_HEADER, [
        ["XX", "country", "", "ایکس", "X", "", ""],
        ["XX-1", "state", "XX", "یک", "", "", ""],
        ["XX-2", "province", "XX-9", "دو", "", "", ""],
        ["XX-3", "province", "XX", "سه", "", "95", "10"],
        ["XX-4", "province", "XX", "چهار", "", "30", ""],
    ])
    with pytest.raises(ReferenceDataError) as caught:
        load_regions_csv(path)
    problems = {(e.row, e.column, e.value) for e in caught.value.errors}
    assert {(3, "kind", "state"), (4, "parent_code", "XX-9"), (5, "latitude", "95"),
            (6, "longitude", "")} <= problems
    assert not Region.objects.filter(code__startswith="XX").exists()


def test_boundaries_attach_by_folded_name_and_by_code(reference_data, tmp_path):
    write_csv(tmp_path / "r.csv", REGION_HEADER, [
        ["ZZ", "country", "", "زد", "Zed", "", ""],
        ["ZZ-1", "province", "ZZ", "کوهپایه‌ی شمالی", "North Hills", "", ""],
        ["ZZ-2", "province", "ZZ", "دشت", "Plain", "", ""],
    ])
    load_regions_csv(tmp_path / "r.csv")
    square = {"type": "Polygon", "coordinates": [[[10, 10], [12, 10], [12, 12], [10, 12], [10, 10]]]}
    geo = {"type": "FeatureCollection", "features": [
        # Arabic yeh and kaf, a space instead of the ZWNJ: still the same name after fold().
        {"type": "Feature", "properties": {"name": "كوهپايه ي شمالي"}, "geometry": square},
        {"type": "Feature", "properties": {"name": "Atlantis"}, "geometry": square},
    ]}
    (tmp_path / "b.geojson").write_text(json.dumps(geo), encoding="utf-8")
    result = load_boundaries_geojson(tmp_path / "b.geojson", name_property="name")
    assert result.updated == 1 and result.unmatched == ["Atlantis"]
    hills = Region.objects.get(code="ZZ-1")
    assert hills.boundary == square
    assert (hills.latitude, hills.longitude) == (pytest.approx(11), pytest.approx(11))

    geo = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "ZZ-2"}, "geometry": square}]}
    (tmp_path / "c.geojson").write_text(json.dumps(geo), encoding="utf-8")
    result = load_boundaries_geojson(tmp_path / "c.geojson", name_property="name", code_property="id")
    assert result.updated == 1
    assert Region.objects.get(code="ZZ-2").boundary == square


def test_malformed_boundaries_write_nothing(reference_data, tmp_path):
    geo = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Kerman"},
         "geometry": {"type": "Polygon", "coordinates": [[[57, 30], [58, 30], [57, 30]]]}}]}
    (tmp_path / "b.geojson").write_text(json.dumps(geo), encoding="utf-8")
    before = Region.objects.get(code="IR-108").boundary
    with pytest.raises(ReferenceDataError) as caught:
        load_boundaries_geojson(tmp_path / "b.geojson", name_property="name")
    assert [(e.row, e.column, e.value) for e in caught.value.errors] == [(1, "geometry", "Kerman")]
    assert Region.objects.get(code="IR-108").boundary == before


def test_representative_point_lies_inside_a_concave_polygon():
    # A "C" shape: its centroid falls in the empty middle.
    shape = [[[0, 0], [10, 0], [10, 2], [2, 2], [2, 8], [10, 8], [10, 10], [0, 10], [0, 0]]]
    lat, lon = representative_point({"type": "Polygon", "coordinates": shape})
    assert point_in_polygon(lon, lat, shape)
    # A hole where the centroid would be.
    ring = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
    hole = [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]
    lat, lon = representative_point({"type": "MultiPolygon", "coordinates": [[ring, hole]]})
    assert point_in_polygon(lon, lat, [ring, hole])


# -- command line ---------------------------------------------------------------------------------
def test_cli_load_sectors_reports_errors(reference_data, tmp_path, monkeypatch):
    from khooshe import cli

    monkeypatch.setattr(cli, "setup_django", lambda: None)
    good = write_csv(tmp_path / "ok.csv", CODE_LIST_HEADER, [["T1", "", "Tourism", "گردشگری"]])
    bad = write_csv(tmp_path / "bad.csv", CODE_LIST_HEADER, [["T2", "T9", "Orphan", ""]])
    runner = CliRunner()
    ok = runner.invoke(cli.app, ["load-sectors", str(good), "--scheme", "CLI"])
    assert ok.exit_code == 0, ok.output
    assert "1 created" in ok.output
    failed = runner.invoke(cli.app, ["load-sectors", str(bad), "--scheme", "CLI"])
    assert failed.exit_code == 1
    assert "row 2" in failed.output and "T9" in failed.output
    assert list(Sector.objects.filter(scheme="CLI").values_list("code", flat=True)) == ["T1"]


def test_persian_titles_file_only_names_isic_codes():
    from khooshe.registry.reference import ISIC_FA_CSV, isic4_rows

    with open(ISIC_FA_CSV, encoding="utf-8") as handle:
        codes = [row["code"] for row in csv.DictReader(handle)]
    assert len(codes) == len(set(codes)) == 21 + 88 + 238
    assert set(codes) <= {row.code for row in isic4_rows()}
