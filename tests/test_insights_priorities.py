"""The priority tab: weights from AHP pairwise comparisons (with the consistency ratio and a warning naming
the comparison to revise), and how sensitive the first place is to each weight. The candidates are those of
the small pandas pipeline (tests/test_insights_support.py), so every ranking can be redone by hand."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from django.urls import reverse
from factories import make_user
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from test_insights_support import EMPLOYMENT, expected_lq, make_dataset, run_analysis, setup_insights_env

from khooshe.analytics import decision
from khooshe.insights import selectors, services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("insights_env")]
CRITERIA = ["employment", "establishments", "lq", "stars"]  # what the small pipeline's candidates offer


@pytest.fixture
def insights_env(settings, tmp_path, monkeypatch):
    return setup_insights_env(settings, tmp_path, monkeypatch)


@pytest.fixture
def admin():
    return make_user(superuser=True, language="en")


@pytest.fixture
def run(admin, django_capture_on_commit_callbacks):
    return run_analysis(admin, make_dataset(admin), django_capture_on_commit_callbacks)


def candidates() -> pd.DataFrame:
    """The candidates by hand: every region-industry with LQ >= 1, its figures and the criteria."""
    lq = expected_lq()
    chosen = lq[lq >= 1]
    return pd.DataFrame({"employment": pd.Series(EMPLOYMENT)[chosen.index].astype(float),
                         "establishments": 1.0, "lq": chosen, "stars": (chosen >= 2).astype(float)})


def minmax(frame: pd.DataFrame) -> pd.DataFrame:
    spread = frame.max() - frame.min()
    return ((frame - frame.min()) / spread.where(spread > 0)).fillna(1.0)  # a constant criterion gives 1


def ahp_params(judgements: dict[tuple[str, str], int], **extra) -> dict:
    return {"ahp": "1", "method": "weighted_sum", **{f"ahp__{a}__{b}": str(v) for (a, b), v in judgements.items()},
            **extra}


def ratio(value: int) -> float:
    return value if value > 0 else 1 / -value


# -- AHP -----------------------------------------------------------------------------------------------------------
def test_ahp_weights_are_the_engines_and_rank_the_candidates(client, admin, run):
    judgements = {("employment", "establishments"): 3, ("employment", "lq"): -2, ("employment", "stars"): 5,
                  ("establishments", "lq"): -5, ("establishments", "stars"): 1, ("lq", "stars"): 7}
    expected = decision.ahp_weights({pair: ratio(v) for pair, v in judgements.items()})
    client.force_login(admin)
    response = client.get(reverse("insights:run_ahp", args=[run.pk]), ahp_params(judgements))
    assert response.status_code == 200
    ahp = response.context["ahp"]
    assert [w for _title, w in ahp["weights"]] == pytest.approx(expected.weights.tolist(), abs=1e-6)
    assert ahp["consistency_ratio"] == pytest.approx(expected.consistency_ratio) and ahp["consistent"]
    assert ahp["warning"] == "" and 'id="ahp-warning"' not in response.content.decode()
    # the sliders hold the same weights, the largest at the top of the scale
    sliders = {name: weight for _group, items in response.context["criteria"] for name, _t, _h, weight in items}
    assert max(sliders.values()) == 5.0
    assert pd.Series(sliders)[CRITERIA].to_numpy() / sum(sliders.values()) == pytest.approx(
        expected.weights[CRITERIA].to_numpy(), abs=1e-6)
    # ... and rank the candidates as a weighted sum of min-max scaled criteria does, by hand
    scores = (minmax(candidates()) * expected.weights[CRITERIA]).sum(axis=1)
    by_hand = list(scores.sort_values(ascending=False, kind="stable").index)
    ranked = [(r["region"], r["industry"]) for r in response.context["priority"].rows]
    assert ranked == by_hand
    # every pair has its select, on Saaty's 17-step scale, keeping what was chosen
    html = response.content.decode()
    assert html.count("<select name=\"ahp__") == 6 and response.context["ahp_pairs"][1]["value"] == -2
    assert len(response.context["ahp_pairs"][0]["options"]) == 17
    assert "Employment is extremely more important (9)" in html


def test_inconsistent_comparisons_show_a_warning_naming_the_worst_one(client, admin, run):
    # employment > lq > stars > employment, all "extremely": a circle no weights can honour
    judgements = {("employment", "lq"): 9, ("lq", "stars"): 9, ("employment", "stars"): -9}
    expected = decision.ahp_weights({pair: ratio(v) for pair, v in judgements.items()
                                     } | {("employment", "establishments"): 1, ("establishments", "lq"): 1,
                                          ("establishments", "stars"): 1})
    assert not expected.consistent
    client.force_login(admin)
    response = client.get(reverse("insights:run_ahp", args=[run.pk]), ahp_params(judgements))
    ahp = response.context["ahp"]
    assert not ahp["consistent"] and ahp["consistency_ratio"] == pytest.approx(expected.consistency_ratio)
    a, b, _given, _implied = expected.worst_comparison
    titles = {"employment": "Employment", "lq": "Location quotient", "stars": "Stars",
              "establishments": "Establishments"}
    warning = ahp["warning"]
    assert f"Revise first the comparison of “{titles[a]}” with “{titles[b]}”" in warning
    assert "consistency ratio" in warning and 'id="ahp-warning"' in response.content.decode()
    # the weights are applied all the same (the user decides), the warning says what to revise
    assert dict(ahp["weights"]) == pytest.approx({titles[k]: w for k, w in expected.weights.items()}, abs=1e-6)
    admin.language = "fa"
    admin.save()
    persian = client.get(reverse("insights:run_ahp", args=[run.pk]), ahp_params(judgements)).context["ahp"]
    assert "ناسازگار" in persian["warning"] and "اشتغال" in persian["warning"] and "۰٫۱" in persian["warning"]


def test_judgements_off_the_scale_count_as_equal(rf):
    request = rf.get("/", {"ahp": "1", "ahp__a__b": "4", "ahp__a__c": "10", "ahp__b__c": "three"})
    assert selectors.parse_judgements(request.GET, ["a", "b", "c"]) == {("a", "b"): 4, ("a", "c"): 1, ("b", "c"): 1}
    assert selectors.parse_judgements(rf.get("/").GET, ["a", "b"]) is None  # no AHP form sent
    assert [selectors.saaty_ratio(v) for v in (9, 1, -3)] == pytest.approx([9, 1, 1 / 3])
    assert selectors.slider_weights({"a": 0.5, "b": 0.25, "c": 0.25}) == {"a": 5.0, "b": 2.5, "c": 2.5}


# -- sensitivity -----------------------------------------------------------------------------------------------------
def stable_range(a: np.ndarray, b: np.ndarray, top: int) -> tuple[float, float]:
    """Weights t of criterion a (1 - t for b) where alternative ``top`` keeps the best weighted sum:
    t (a_top - a_j) + (1 - t)(b_top - b_j) >= 0 for every j, a linear inequality in t each."""
    low, high = 0.0, 1.0
    for j in range(len(a)):
        slope = (a[top] - a[j]) - (b[top] - b[j])
        constant = b[top] - b[j]
        if abs(slope) < 1e-15:
            continue
        bound = -constant / slope
        if slope > 0:
            low = max(low, bound)
        else:
            high = min(high, bound)
    return low, high


def test_sensitivity_of_the_first_place_matches_a_hand_computation(client, admin, run):
    client.force_login(admin)
    params = {"w_lq": "1", "w_employment": "1", "w_establishments": "0", "w_stars": "0", "method": "weighted_sum"}
    response = client.get(reverse("insights:run_priorities", args=[run.pk]), params)
    sensitivity = response.context["sensitivity"]
    rows = {row["name"]: row for row in sensitivity.rows}
    assert set(rows) == {"employment", "lq"}  # the criteria with a weight
    scaled = minmax(candidates())
    a, b = scaled["lq"].to_numpy(), scaled["employment"].to_numpy()
    top = int(np.argmax(0.5 * a + 0.5 * b))
    low, high = stable_range(a, b, top)
    assert rows["lq"]["weight"] == pytest.approx(0.5)
    assert (rows["lq"]["stable_from"], rows["lq"]["stable_to"]) == pytest.approx((low, high), abs=2e-4)
    assert (rows["employment"]["stable_from"], rows["employment"]["stable_to"]) == pytest.approx(
        (1 - high, 1 - low), abs=2e-4)
    region, industry = candidates().index[top]
    assert sensitivity.top == f"{region} · {industry}"
    # just outside the range, the one with the best score there comes first
    if high < 1:
        beyond = (high + 1e-3) * a + (1 - high - 1e-3) * b
        assert rows["lq"]["top_above"] == " · ".join(candidates().index[int(np.argmax(beyond))])
    html = response.content.decode()
    assert 'id="sensitivity-table"' in html and "data-sensitivity-chart" in html
    chart = json.loads(html.split('id="sensitivity-data" type="application/json">')[1].split("</script>")[0])
    first = chart["criteria"][0]
    assert len(first["series"]) == min(5, len(candidates()))
    assert first["weights"][0] == 0.0 and first["weights"][-1] == 1.0
    assert first["series"][0]["name"] == sensitivity.top


def test_sensitivity_rows_are_the_engines_for_topsis(client, admin, run):
    client.force_login(admin)
    weights = {"employment": 2.0, "establishments": 1.0, "lq": 3.0, "stars": 1.0}
    params = {f"w_{k}": str(v) for k, v in weights.items()} | {"method": "topsis"}
    rows = client.get(reverse("insights:run_priorities", args=[run.pk]), params).context["sensitivity"].rows
    table = selectors.priority_table(run, weights=weights, method="topsis")
    frame = table.ranked.reset_index(drop=True)[CRITERIA].astype(float)
    expected = decision.sensitivity(frame, [weights[c] for c in CRITERIA], method="topsis").stability
    assert [row["name"] for row in rows] == CRITERIA
    for row in rows:
        assert row["weight"] == pytest.approx(expected.loc[row["name"], "weight"])
        assert row["stable_from"] == pytest.approx(expected.loc[row["name"], "stable_from"])
        assert row["stable_to"] == pytest.approx(expected.loc[row["name"], "stable_to"])
    # the same engine call as services makes (the one place that calls it)
    assert services.priority_sensitivity(frame, weights, "topsis").stability.equals(expected)


def test_the_priority_tab_offers_ahp_and_sensitivity_in_persian(client, run):
    user = make_user(superuser=True)  # Persian: the default language
    client.force_login(user)
    html = client.get(run.get_absolute_url(), {"tab": "clusters"}).content.decode()
    assert 'id="ahp-panel"' in html and "مقایسه‌های زوجی" in html and "هم‌اهمیت" in html
    assert 'id="sensitivity-table"' in html and "رتبه اول چقدر پایدار است؟" in html
    assert "echarts.min.js" in html and "insights-sensitivity.js" in html
    assert 'step="any"' in html  # the sliders keep AHP's weights exactly


# -- support institutions through the API ------------------------------------------------------------------------------
def test_the_api_takes_support_institutions_and_names_a_bad_region(admin, django_capture_on_commit_callbacks):
    dataset = make_dataset(admin)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=admin).key}")
    url = reverse("insights-run-list")
    response = api.post(url, {"dataset": dataset.pk, "parameters": {"support_institutions": {"R1": -2}}},
                        format="json")
    assert response.status_code == 400 and "R1" in str(response.json()["parameters"]["support_institutions"])
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(url, {"dataset": dataset.pk, "parameters": {"support_institutions": {"R1": 3, "R2": 0}}},
                            format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["parameters"]["support_institutions"] == {"R1": 3, "R2": 0}


def test_sensitivity_is_left_out_above_the_limit(client, admin, run, monkeypatch):
    monkeypatch.setattr(selectors, "SENSITIVITY_MAX_CANDIDATES", 2)
    client.force_login(admin)
    response = client.get(reverse("insights:run_priorities", args=[run.pk]))
    assert response.context["sensitivity"].skipped and response.context["sensitivity"].rows == []
    assert "too many candidates to test the ranking" in response.content.decode()
