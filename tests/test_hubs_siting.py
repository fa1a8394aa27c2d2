"""Site selection for a new innovation factory: default criteria, AHP weights and the consistency check,
the TOPSIS / weighted-sum ranking against a hand computation, distances from points of interest, the
import of candidates (errors named by row and column), the export, the map data and who sees what."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from factories import make_org, make_role, make_user
from hubs_siting_factories import make_small_case, make_study

from khooshe.hubs.siting import services
from khooshe.hubs.siting.models import CandidateSite, PointOfInterest, SitingCriterion, SitingStudy
from khooshe.registry.models import Role

pytestmark = pytest.mark.django_db


def english_user(**kw):
    return make_user(language="en", **kw)


def english_client(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def admin():
    return english_user(superuser=True)


def hand_topsis(matrix, weights, types):
    """Textbook TOPSIS (Hwang and Yoon 1981), written out: vector normalisation, weighting, distances to
    the ideal and anti-ideal, relative closeness."""
    x = np.asarray(matrix, float)
    w = np.asarray(weights, float) / np.sum(weights)
    v = x / np.sqrt((x ** 2).sum(axis=0)) * w
    benefit = np.asarray(types) > 0
    ideal = np.where(benefit, v.max(axis=0), v.min(axis=0))
    anti = np.where(benefit, v.min(axis=0), v.max(axis=0))
    d_plus = np.sqrt(((v - ideal) ** 2).sum(axis=1))
    d_minus = np.sqrt(((v - anti) ** 2).sum(axis=1))
    return d_minus / (d_plus + d_minus)


# -- criteria -------------------------------------------------------------------------------------------------
def test_a_new_study_gets_the_location_criteria_of_the_source_document(admin, client):
    owner = make_org()
    english_client(client, admin)
    response = client.post(reverse("hubs:sitingstudy_add"), {"name": "Kerman factory", "owner": owner.pk,
                                                              "method": "topsis"})
    assert response.status_code == 302
    study = SitingStudy.objects.get(name="Kerman factory")
    criteria = {c.key: c for c in study.criteria.all()}
    assert set(criteria) == {"km_university", "km_airport", "km_transit", "km_industry", "road_access",
                             "utilities", "area_m2", "cost"}
    assert criteria["km_airport"].direction == "cost" and criteria["area_m2"].direction == "benefit"
    assert criteria["km_university"].from_points and not criteria["cost"].from_points
    assert study.created_by == admin
    page = client.get(reverse("hubs:siting_criteria", kwargs={"pk": study.pk}))
    assert "Distance to the airport and passenger terminals" in page.content.decode()


def test_direct_weights_are_saved_and_a_bad_weight_is_named(admin, client):
    study = make_small_case()
    english_client(client, admin)
    url = reverse("hubs:siting_criteria", kwargs={"pk": study.pk})
    ids = {c.key: c.pk for c in study.criteria.all()}
    bad = client.post(url, {"action": "weights", f"w_{ids['km_airport']}": "heavy", f"w_{ids['area_m2']}": "1",
                            f"w_{ids['utilities']}": "1", "method": "topsis"})
    assert bad.status_code == 400
    assert "Weight of “km airport”: “heavy” is not a number" in bad.content.decode()
    assert SitingCriterion.objects.get(pk=ids["km_airport"]).weight == 2
    ok = client.post(url, {"action": "weights", f"w_{ids['km_airport']}": "۳", f"w_{ids['area_m2']}": "0.5",
                           f"w_{ids['utilities']}": "0", "method": "weighted_sum"})
    assert ok.status_code == 302
    assert {c.key: c.weight for c in study.criteria.all()} == {"km_airport": 3, "area_m2": 0.5, "utilities": 0}
    study.refresh_from_db()
    assert study.method == "weighted_sum"


# -- AHP --------------------------------------------------------------------------------------------------------
def test_ahp_weights_and_consistency_ratio_are_stored():
    study = make_small_case()
    result = services.set_ahp_weights(study=study, judgements={("km_airport", "area_m2"): 3,
                                                               ("km_airport", "utilities"): 5,
                                                               ("area_m2", "utilities"): 2})
    weights = {c.key: round(c.weight, 3) for c in study.criteria.all()}
    assert weights == {"km_airport": 0.648, "area_m2": 0.23, "utilities": 0.122}
    study.refresh_from_db()
    assert study.consistency_ratio == pytest.approx(0.0036, abs=1e-4)
    assert result.consistent


def test_inconsistent_comparisons_are_refused_with_a_clear_message(admin, client):
    study = make_small_case()
    english_client(client, admin)
    # airport 9x area, area 9x utilities, but utilities 9x airport: a circle, CR far above 0.1
    response = client.post(reverse("hubs:siting_criteria", kwargs={"pk": study.pk}), {
        "action": "ahp", "ahp__km_airport__area_m2": "9", "ahp__km_airport__utilities": "-9",
        "ahp__area_m2__utilities": "9"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "The comparisons contradict each other: the consistency ratio is" in text
    assert "so the weights were not changed" in text
    assert {c.key: c.weight for c in study.criteria.all()} == {"km_airport": 2, "area_m2": 1, "utilities": 1}
    study.refresh_from_db()
    assert study.consistency_ratio is None


def test_consistent_comparisons_through_the_page_set_the_weights(admin, client):
    study = make_small_case()
    english_client(client, admin)
    response = client.post(reverse("hubs:siting_criteria", kwargs={"pk": study.pk}), {
        "action": "ahp", "ahp__km_airport__area_m2": "3", "ahp__km_airport__utilities": "5",
        "ahp__area_m2__utilities": "2"}, follow=True)
    assert "Weights from the pairwise comparisons saved (consistency ratio 0.004" in response.content.decode()
    assert round(study.criteria.get(key="km_airport").weight, 3) == 0.648


# -- ranking ----------------------------------------------------------------------------------------------------
def test_topsis_ranking_matches_the_hand_computation():
    study = make_small_case()
    ranking = services.rank(study)
    expected = hand_topsis([[10, 3000, 2], [20, 6000, 4], [40, 5000, 5]], [2, 1, 1], [-1, 1, 1])
    assert expected.round(4).tolist() == [0.6955, 0.6821, 0.2783]
    assert [c.name for c in ranking.candidates] == ["A", "B", "C"]
    scores = [ranking.scores[c.pk] for c in ranking.candidates]
    assert scores == pytest.approx(expected.tolist(), abs=1e-9)
    assert [ranking.ranks[c.pk] for c in ranking.candidates] == [1, 2, 3]


def test_weighted_sum_changes_the_winner_and_contributions_add_up():
    study = make_small_case(method="weighted_sum")
    ranking = services.rank(study)
    # min-max: A = 0.5*1 + 0.25*0 + 0.25*0 = 0.5; B = 0.5*(2/3) + 0.25*1 + 0.25*(2/3) = 0.75; C = 0 + 0.25*(2/3) + 0.25
    assert [c.name for c in ranking.candidates] == ["B", "A", "C"]
    assert [round(ranking.scores[c.pk], 4) for c in ranking.candidates] == [0.75, 0.5, 0.4167]
    for candidate in ranking.candidates:
        assert sum(ranking.contributions[candidate.pk].values()) == pytest.approx(ranking.scores[candidate.pk])


def test_sensitivity_says_how_far_a_weight_can_move_before_the_winner_changes(admin, client):
    study = make_small_case()
    ranking = services.rank(study)
    stability = ranking.sensitivity.stability
    airport = stability.loc["km_airport"]
    assert airport["weight"] == pytest.approx(0.5)
    assert airport["stable_from"] <= 0.5 <= airport["stable_to"]
    assert airport["stable_from"] > 0  # with less weight on the airport, B (bigger, better served) wins
    english_client(client, admin)
    page = client.get(reverse("hubs:siting_ranking", kwargs={"pk": study.pk})).content.decode()
    assert "How sure is the first place?" in page and 'id="sensitivity-table"' in page


def test_missing_value_counts_as_the_median_and_is_listed(admin, client):
    study = make_small_case()
    a = study.candidates.get(name="A")
    a.values = {"km_airport": 10, "area_m2": 3000}
    a.save()
    ranking = services.rank(study)
    assert ranking.matrix[a.pk]["utilities"] == 4.5  # median of 4 and 5
    assert [(c.name, k.key) for c, k in ranking.filled] == [("A", "utilities")]
    english_client(client, admin)
    page = client.get(reverse("hubs:siting_ranking", kwargs={"pk": study.pk})).content.decode()
    assert "Missing values counted as the median of the candidates" in page


def test_too_few_candidates_is_explained(admin, client):
    study = make_study()
    CandidateSite.objects.create(study=study, name="Only one")
    english_client(client, admin)
    page = client.get(reverse("hubs:siting_ranking", kwargs={"pk": study.pk})).content.decode()
    assert "Add at least two candidate sites to rank them." in page


def test_distance_criterion_is_computed_from_points_of_interest():
    study = make_small_case()
    airport = study.criteria.get(key="km_airport")
    airport.from_points = True
    airport.save()
    PointOfInterest.objects.create(study=study, criterion=airport, name="Kerman airport", latitude=30.2558,
                                   longitude=56.9588)
    b = study.candidates.get(name="B")
    b.values = {"area_m2": 6000, "utilities": 4}  # no distance typed: computed
    b.save()
    ranking = services.rank(study)
    assert (b.pk, "km_airport") in ranking.computed
    assert ranking.matrix[b.pk]["km_airport"] == pytest.approx(14.0, abs=0.5)  # haversine, as the crow flies
    assert ranking.matrix[study.candidates.get(name="A").pk]["km_airport"] == 10  # typed values win


# -- candidates: values, import -------------------------------------------------------------------------------
def test_values_grid_saves_and_names_a_bad_cell(admin, client):
    study = make_small_case()
    a = study.candidates.get(name="A")
    english_client(client, admin)
    url = reverse("hubs:siting_candidates", kwargs={"pk": study.pk})
    bad = client.post(url, {"action": "values", f"v_{a.pk}_km_airport": "far"})
    assert bad.status_code == 400
    assert "“A”, km airport: “far” is not a number" in bad.content.decode()
    ok = client.post(url, {"action": "values", f"v_{a.pk}_km_airport": "۱۲٫۵", f"v_{a.pk}_utilities": ""})
    assert ok.status_code == 302
    a.refresh_from_db()
    assert a.values == {"km_airport": 12.5, "area_m2": 3000}


def upload(client, study, name, content: bytes):
    return client.post(reverse("hubs:siting_candidates", kwargs={"pk": study.pk}),
                       {"action": "import", "file": SimpleUploadedFile(name, content)})


def test_csv_import_names_the_row_and_column_of_each_error_and_imports_nothing(admin, client):
    study = make_small_case()
    english_client(client, admin)
    content = (b"name,latitude,longitude,km_airport,area_m2,colour\n"
               b"Old textile mill,30.29,57.05,12,8000,red\n"
               b"Warehouse 7,95,57.1,abc,4000,\n"
               b",30.3,57.1,5,100,\n")
    response = upload(client, study, "sites.csv", content)
    assert response.status_code == 400
    text = response.content.decode()
    assert "Row 1, colour: Unknown column" in text
    assert "Row 3, latitude “95”: 95.0 is out of range" in text
    assert "Row 3, km_airport “abc”: “abc” is not a number" in text
    assert "Row 4, name: The name is required" in text
    assert study.candidates.count() == 3


def test_xlsx_import_creates_and_updates_candidates(admin, client):
    from openpyxl import Workbook

    study = make_small_case()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["name", "latitude", "longitude", "km airport", "Utilities", "address"])
    sheet.append(["Old textile mill", 30.29, 57.05, 12, 3, "Kerman, Jomhouri Blvd"])
    sheet.append(["A", None, None, 8, None, ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    english_client(client, admin)
    response = upload(client, study, "sites.xlsx", buffer.getvalue())
    assert response.status_code == 302, response.content.decode()[-3000:]
    mill = study.candidates.get(name="Old textile mill")
    assert (mill.latitude, mill.longitude, mill.values) == (30.29, 57.05, {"km_airport": 12, "utilities": 3})
    a = study.candidates.get(name="A")
    assert a.values["km_airport"] == 8 and a.values["area_m2"] == 3000  # updated, other values kept
    assert study.candidates.count() == 4


def test_import_of_another_file_type_is_refused(admin, client):
    study = make_small_case()
    english_client(client, admin)
    response = upload(client, study, "sites.pdf", b"%PDF")
    assert response.status_code == 400
    assert "is neither a .csv nor a .xlsx file" in response.content.decode()


# -- export and map ---------------------------------------------------------------------------------------------
def test_ranking_exports_as_xlsx_in_rank_order(admin, client):
    from openpyxl import load_workbook

    study = make_small_case()
    english_client(client, admin)
    with translation.override("en"):
        response = client.get(reverse("hubs:siting_ranking_xlsx", kwargs={"pk": study.pk}))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Rank", "Candidate site", "Score")
    assert [(r[0], r[1]) for r in rows[1:]] == [(1, "A"), (2, "B"), (3, "C")]
    assert rows[1][5:] == (10, 3000, 2)


def test_map_data_has_the_candidates_coloured_by_rank_and_the_points(admin, client):
    study = make_small_case()
    airport = study.criteria.get(key="km_airport")
    PointOfInterest.objects.create(study=study, criterion=airport, name="Airport", latitude=30.25, longitude=56.96)
    CandidateSite.objects.create(study=study, name="No coordinates", values={"km_airport": 50})
    english_client(client, admin)
    data = client.get(reverse("hubs:siting_map", kwargs={"pk": study.pk})).json()
    candidates = [f for f in data["features"] if f["properties"]["kind"] == "candidate"]
    ranking = services.rank(study)
    assert [(f["properties"]["name"], f["properties"]["rank"]) for f in candidates] == [
        (c.name, ranking.ranks[c.pk]) for c in ranking.candidates if c.name != "No coordinates"]
    assert len(candidates) == 3 and ranking.ranks[study.candidates.get(name="No coordinates").pk]  # ranked, not mapped
    first = study.candidates.get(name=candidates[0]["properties"]["name"])
    assert candidates[0]["geometry"]["coordinates"] == [first.longitude, first.latitude]
    assert candidates[0]["properties"]["colour"] == "#2e7d32"  # first: green
    assert candidates[-1]["properties"]["colour"] != candidates[0]["properties"]["colour"]
    points = [f["properties"]["name"] for f in data["features"] if f["properties"]["kind"] == "point"]
    assert points == ["Airport"]
    page = client.get(reverse("hubs:siting_ranking", kwargs={"pk": study.pk})).content.decode()
    assert "data-siting-map" in page and "vendor/leaflet/leaflet.js" in page


def test_ranking_api(admin, client):
    study = make_small_case()
    english_client(client, admin)
    data = client.get(f"/api/hubs/siting/{study.pk}/ranking/").json()
    assert [(r["name"], r["rank"]) for r in data["ranking"]] == [("A", 1), ("B", 2), ("C", 3)]


# -- who sees and edits what ------------------------------------------------------------------------------------
def test_a_private_study_is_seen_by_its_owner_and_staff_only(client):
    owner = make_org()
    study = make_small_case(owner=owner)
    member = make_role(english_user(), kind=Role.Kind.MEMBER, organization=owner).user
    outsider = english_user()
    urls = [reverse("hubs:siting_ranking", kwargs={"pk": study.pk}), reverse("hubs:siting_map", kwargs={"pk": study.pk}),
            reverse("hubs:siting_candidates", kwargs={"pk": study.pk}), study.get_absolute_url(),
            f"/api/hubs/siting/{study.pk}/ranking/"]
    for url in urls:
        assert client.get(url).status_code == 404, url  # anonymous
    client.force_login(outsider)
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert study not in SitingStudy.objects.visible_to(outsider)
    client.force_login(member)
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_a_published_study_is_public_but_read_only_for_others(client):
    study = make_small_case(published=True)
    assert client.get(reverse("hubs:siting_ranking", kwargs={"pk": study.pk})).status_code == 200
    assert client.get(reverse("hubs:siting_map", kwargs={"pk": study.pk})).json()["features"]
    outsider = english_user()
    client.force_login(outsider)
    a = study.candidates.get(name="A")
    page = client.get(reverse("hubs:siting_candidates", kwargs={"pk": study.pk})).content.decode()
    assert f'name="v_{a.pk}_km_airport"' not in page  # no inputs for a reader
    response = client.post(reverse("hubs:siting_candidates", kwargs={"pk": study.pk}),
                           {"action": "values", f"v_{a.pk}_km_airport": "1"})
    assert response.status_code == 403
    a.refresh_from_db()
    assert a.values["km_airport"] == 10


def test_hub_staff_of_the_owner_edit_the_study(client):
    hub = make_role(kind=Role.Kind.HUB_STAFF).organization
    staff = make_role(english_user(), kind=Role.Kind.HUB_STAFF, organization=hub).user
    study = make_small_case(owner=hub)
    client.force_login(staff)
    b = study.candidates.get(name="B")
    response = client.post(reverse("hubs:siting_candidates", kwargs={"pk": study.pk}),
                           {"action": "values", f"v_{b.pk}_km_airport": "5"})
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.values["km_airport"] == 5


def test_a_study_cannot_be_given_to_an_organization_of_someone_else(client):
    mine = make_role(english_user(), kind=Role.Kind.MEMBER)
    other = make_org()
    client.force_login(mine.user)
    with translation.override("en"):
        response = client.post(reverse("hubs:sitingstudy_add"), {"name": "Grab", "owner": other.pk,
                                                                  "method": "topsis"})
    assert response.status_code in (200, 400)
    assert not SitingStudy.objects.filter(name="Grab").exists()
    response = client.post(reverse("hubs:sitingstudy_add"), {"name": "Mine", "owner": mine.organization_id,
                                                              "method": "topsis"})
    assert response.status_code == 302
    assert SitingStudy.objects.get(name="Mine").criteria.count() == 8


def test_the_api_refuses_a_study_owned_by_someone_elses_organization(client):
    mine = make_role(english_user(), kind=Role.Kind.MEMBER)
    client.force_login(mine.user)
    with translation.override("en"):
        response = client.post("/api/hubs/siting-studies/", {"name": "Grab", "owner": make_org().pk},
                               content_type="application/json")
    assert response.status_code == 400
    assert "Choose as owner one of your own organizations." in str(response.json()["owner"])
    assert not SitingStudy.objects.filter(name="Grab").exists()
    response = client.post("/api/hubs/siting-studies/", {"name": "Mine", "owner": mine.organization_id},
                           content_type="application/json")
    assert response.status_code == 201


def test_the_study_pages_render_for_an_editor_in_persian(client):
    owner = make_org()
    member = make_role(make_user(), kind=Role.Kind.MEMBER, organization=owner).user  # Persian by default
    study = make_small_case(owner=owner)
    client.force_login(member)
    for name in ("hubs:siting_criteria", "hubs:siting_candidates", "hubs:siting_ranking"):
        response = client.get(reverse(name, kwargs={"pk": study.pk}))
        assert response.status_code == 200, name
        assert 'dir="rtl"' in response.content.decode()
    ranking = client.get(reverse("hubs:siting_ranking", kwargs={"pk": study.pk})).content.decode()
    assert re.search("۰[.٫]۶۹۶", ranking)  # A's TOPSIS score 0.6955 with Persian digits
    criteria = client.get(reverse("hubs:siting_criteria", kwargs={"pk": study.pk})).content.decode()
    assert 'name="ahp__km_airport__area_m2"' in criteria and 'id="weights-form"' in criteria
