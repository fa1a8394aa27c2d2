"""Multi-criteria decisions: AHP weights, weighted sum, TOPSIS, sensitivity and the cluster-priority ranking."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from khooshe.analytics.decision import (
    CRITERIA_GROUPS,
    ahp_weights,
    rank_clusters,
    sensitivity,
    topsis,
    weighted_sum,
)
from khooshe.analytics.validation import AnalyticsInputError

# Hwang and Yoon (1981), Multiple Attribute Decision Making, the fighter-aircraft example: maximum speed,
# ferry range, maximum payload, purchasing cost (a cost), reliability, manoeuvrability.
AIRCRAFT = pd.DataFrame(
    [[2.0, 1500, 20000, 5.5, 5, 9], [2.5, 2700, 18000, 6.5, 3, 5], [1.8, 2000, 21000, 4.5, 7, 7],
     [2.2, 1800, 20000, 5.0, 5, 5]],
    index=["A1", "A2", "A3", "A4"], columns=["speed", "range", "payload", "cost", "reliability", "manoeuvrability"],
)
AIRCRAFT_WEIGHTS = [0.2, 0.1, 0.1, 0.1, 0.2, 0.3]


def textbook_topsis(values, weights, types):
    """TOPSIS as the textbook writes it (the ideal of a cost criterion is its minimum)."""
    v = values / np.sqrt((values ** 2).sum(axis=0)) * weights
    ideal = np.where(types > 0, v.max(axis=0), v.min(axis=0))
    anti = np.where(types > 0, v.min(axis=0), v.max(axis=0))
    d_plus = np.sqrt(((v - ideal) ** 2).sum(axis=1))
    d_minus = np.sqrt(((v - anti) ** 2).sum(axis=1))
    return d_minus / (d_plus + d_minus)


# -- TOPSIS ------------------------------------------------------------------------------------------------


def test_topsis_reproduces_hwang_and_yoon():
    result = topsis(AIRCRAFT, AIRCRAFT_WEIGHTS, {"cost": "cost"})
    # relative closeness published in the book: 0.643, 0.268, 0.614, 0.312 (from intermediate values
    # rounded to 4 decimals; unrounded, A3 is 0.6135)
    np.testing.assert_allclose(result["score"], [0.643, 0.268, 0.614, 0.312], atol=1e-3)
    np.testing.assert_allclose(result["score"], [0.643277, 0.268384, 0.613542, 0.312291], atol=1e-6)
    assert result["rank"].to_dict() == {"A1": 1, "A2": 4, "A3": 2, "A4": 3}


@settings(max_examples=80, deadline=None)
@given(
    values=arrays(float, st.tuples(st.integers(2, 7), st.integers(1, 5)), elements=st.floats(0.5, 1000)),
    data=st.data(),
)
def test_topsis_equals_the_textbook_formula(values, data):
    n = values.shape[1]
    weights = np.array(data.draw(st.lists(st.floats(0.05, 1), min_size=n, max_size=n)))
    types = np.array(data.draw(st.lists(st.sampled_from([1, -1]), min_size=n, max_size=n)))
    result = topsis(values, weights, ["benefit" if t > 0 else "cost" for t in types])
    expected = textbook_topsis(values, weights / weights.sum(), types)
    expected = np.where(np.isnan(expected), 0.5, expected)  # all alternatives alike
    np.testing.assert_allclose(result["score"], expected, atol=1e-12)


def test_topsis_degenerate_inputs():
    # an all-zero criterion is left out; identical alternatives are halfway; one alternative too
    with_zero = AIRCRAFT.assign(zero=0.0)
    scores = topsis(with_zero, [*AIRCRAFT_WEIGHTS, 0.5], {"cost": "cost"})["score"]
    np.testing.assert_allclose(scores, topsis(AIRCRAFT, AIRCRAFT_WEIGHTS, {"cost": "cost"})["score"])
    alike = topsis([[1.0, 2.0], [1.0, 2.0]], [0.5, 0.5])
    assert alike["score"].tolist() == [0.5, 0.5] and alike["rank"].tolist() == [1, 1]
    assert topsis([[3.0, 4.0]], [1, 1])["rank"].tolist() == [1]


# -- weighted sum -----------------------------------------------------------------------------------------


def test_weighted_sum_by_hand():
    matrix = pd.DataFrame({"value_added": [10.0, 30.0, 20.0], "distance": [5.0, 15.0, 10.0]}, index=["a", "b", "c"])
    # minmax: value added 0, 1, 0.5; distance is a cost: 1, 0, 0.5
    result = weighted_sum(matrix, {"value_added": 3, "distance": 1}, criteria_types={"distance": "cost"})
    np.testing.assert_allclose(result["score"], [0.25, 0.75, 0.5])
    assert result["rank"].tolist() == [3, 1, 2]
    by_max = weighted_sum(matrix, [0.5, 0.5], criteria_types=["benefit", "cost"], normalisation="max")
    np.testing.assert_allclose(by_max["score"], [0.5 * (10 / 30) + 0.5 * (1 - 5 / 15), 0.5 * 1 + 0,
                                                 0.5 * (20 / 30) + 0.5 * (1 - 10 / 15)])


@pytest.mark.parametrize("normalisation", ["minmax", "max", "vector"])
@settings(max_examples=30, deadline=None)
@given(values=arrays(float, st.tuples(st.integers(2, 6), st.integers(1, 4)), elements=st.floats(0.5, 500)),
       data=st.data())
def test_weighted_sum_equals_pymcdm_wsm(normalisation, values, data):
    from pymcdm import normalizations
    from pymcdm.methods import WSM

    n = values.shape[1]
    weights = np.array(data.draw(st.lists(st.floats(0.05, 1), min_size=n, max_size=n)))
    weights /= weights.sum()
    types = np.array(data.draw(st.lists(st.sampled_from([1, -1]), min_size=n, max_size=n)))
    reference = WSM(getattr(normalizations, f"{normalisation}_normalization"))(values, weights, types, validation=False)
    result = weighted_sum(values, weights, criteria_types=types, normalisation=normalisation)
    np.testing.assert_allclose(result["score"], reference, atol=1e-12)


def test_ties_share_the_best_rank_and_constant_criteria_do_not_separate():
    result = weighted_sum([[1.0, 7.0], [2.0, 7.0], [2.0, 7.0], [0.0, 7.0]], [1, 1])
    assert result["rank"].tolist() == [3, 1, 1, 4]
    np.testing.assert_allclose(result["score"], [0.75, 1.0, 1.0, 0.5])


@pytest.mark.parametrize(("weights", "types", "code"), [
    ([0.5], None, "shape_mismatch"),
    ([0.5, -0.5], None, "negative_weight"),
    ([0, 0], None, "zero_weights"),
    (["a", 1], None, "non_numeric"),
    ({"exports": 1}, None, "missing_weight"),
    ({"exports": 1, "wages": 1, "jobs": 1}, None, "unknown_criterion"),
    ([1, 1], {"salary": "cost"}, "unknown_criterion"),
    ([1, 1], ["benefit", "loss"], "invalid_criterion_type"),
    ([1, 1], ["benefit"], "shape_mismatch"),
])
def test_bad_weights_and_types_name_the_criterion(weights, types, code):
    matrix = pd.DataFrame({"exports": [1.0, 2.0], "wages": [3.0, 1.0]})
    with pytest.raises(AnalyticsInputError) as error:
        weighted_sum(matrix, weights, criteria_types=types)
    assert error.value.code == code


def test_missing_value_in_the_matrix_names_row_and_column():
    matrix = pd.DataFrame({"exports": [1.0, np.nan]}, index=["copper", "tiles"])
    with pytest.raises(AnalyticsInputError) as error:
        topsis(matrix, [1])
    assert error.value.code == "non_finite" and "tiles" in str(error.value) and "exports" in str(error.value)
    with pytest.raises(AnalyticsInputError) as error:
        weighted_sum(matrix.fillna(0), [1], normalisation="softmax")
    assert error.value.code == "invalid_option"


# -- AHP -------------------------------------------------------------------------------------------------------


def principal_eigenvector(matrix):
    values, vectors = np.linalg.eig(matrix)
    k = np.argmax(values.real)
    w = np.abs(vectors[:, k].real)
    return w / w.sum(), values[k].real


def test_consistent_comparisons_give_back_the_weights():
    truth = {"exports": 0.5, "wages": 0.3, "employment": 0.2}
    pairs = {(a, b): truth[a] / truth[b] for a in truth for b in truth if a < b}
    result = ahp_weights(pairs)
    np.testing.assert_allclose(result.weights[list(truth)], list(truth.values()), atol=1e-6)
    assert result.consistency_ratio == pytest.approx(0.0, abs=1e-6) and result.consistent


def test_weights_and_ratio_equal_the_eigenvector_method():
    # a classic 4 x 4 judgement matrix (Saaty's scale), slightly inconsistent
    matrix = np.array([[1, 3, 5, 7], [1 / 3, 1, 3, 5], [1 / 5, 1 / 3, 1, 3], [1 / 7, 1 / 5, 1 / 3, 1]])
    labels = ["value_added", "exports", "wages", "growth"]
    result = ahp_weights(pd.DataFrame(matrix, index=labels, columns=labels), precision=8)
    w, lambda_max = principal_eigenvector(matrix)
    np.testing.assert_allclose(result.weights.to_numpy(), w, atol=1e-6)
    saaty_random_index_4 = 0.89  # Saaty (2005), the table AHPy uses with random_index="saaty"
    assert result.consistency_ratio == pytest.approx((lambda_max - 4) / 3 / saaty_random_index_4, abs=1e-6)
    assert result.weights.index.tolist() == labels
    pd.testing.assert_frame_equal(result.matrix, pd.DataFrame(matrix, index=labels, columns=labels))
    donegan_dodd = ahp_weights(matrix, random_index="dd")
    assert donegan_dodd.consistency_ratio == pytest.approx((lambda_max - 4) / 3 / 0.8286, abs=1e-4)


def test_missing_comparisons_are_completed():
    result = ahp_weights({("a", "b"): 3, ("b", "c"): 2})
    # the consistent completion of a/b = 3 and b/c = 2 is a/c = 6
    assert result.completed[("a", "c")] == pytest.approx(6.0, rel=1e-4)
    np.testing.assert_allclose(result.weights, [6 / 9, 2 / 9, 1 / 9], atol=1e-5)
    assert result.matrix.loc["c", "a"] == pytest.approx(1 / 6, rel=1e-4)


def test_inconsistent_judgements_name_the_one_to_revise():
    truth = {"a": 0.4, "b": 0.3, "c": 0.2, "d": 0.1}
    pairs = {(x, y): truth[x] / truth[y] for x in truth for y in truth if x < y}
    pairs[("b", "d")] = 1 / 6  # truly 3: b is more important than d, this says the opposite
    result = ahp_weights(pairs)
    assert not result.consistent and result.consistency_ratio > 0.1
    assert result.worst_comparison[:3] == ("b", "d", pytest.approx(1 / 6))
    with pytest.raises(AnalyticsInputError) as error:
        ahp_weights(pairs, strict=True)
    assert error.value.code == "ahp_inconsistent"
    assert error.value.params["element_a"] == "b" and error.value.params["element_b"] == "d"
    assert "revise" in str(error.value)
    assert ahp_weights(pairs, strict=True, max_consistency_ratio=1.0).consistent


@pytest.mark.parametrize(("pairwise", "kwargs", "code"), [
    ({("a", "b"): 0}, {}, "ahp_not_positive"),
    ({("a", "b"): "x"}, {}, "non_numeric"),
    ({("a", "a"): 2}, {}, "ahp_bad_pair"),
    ({"a": 2}, {}, "ahp_bad_pair"),
    ({("a", "b"): 2, ("b", "a"): 2}, {}, "ahp_conflicting_pair"),
    ({("a", "b"): 2, ("c", "d"): 2}, {}, "ahp_disconnected"),
    ([[1, 2], [2, 1]], {}, "ahp_not_reciprocal"),
    ([[2, 2], [0.5, 1]], {}, "ahp_bad_diagonal"),
    ([[1, 2, 3], [0.5, 1, 2]], {}, "ahp_not_square"),
    ({("a", "b"): 2}, {"random_index": "foo"}, "invalid_option"),
    ({(f"c{i}", f"c{i + 1}"): 2 for i in range(16)}, {}, "ahp_too_many_elements"),
])
def test_bad_comparisons(pairwise, kwargs, code):
    with pytest.raises(AnalyticsInputError) as error:
        ahp_weights(pairwise, **kwargs)
    assert error.value.code == code


def test_a_pair_given_twice_consistently_is_accepted():
    result = ahp_weights({("a", "b"): 4, ("b", "a"): 0.25})
    np.testing.assert_allclose(result.weights, [0.8, 0.2], atol=1e-6)


# -- sensitivity ---------------------------------------------------------------------------------------------

CLUSTERS = pd.DataFrame({"exports": [120.0, 40.0, 100.0], "employment": [900, 1500, 1300]},
                        index=["copper", "pistachio", "carpets"])


def test_sensitivity_boundaries_match_the_analytical_ones():
    # minmax: exports 1, 0, 0.75; employment 0, 1, 2/3. Carpets beat copper while 0.75 t + 2/3 (1 - t) >= t,
    # i.e. t <= 8/11, and beat pistachio while it is >= 1 - t, i.e. t >= 4/13.
    result = sensitivity(CLUSTERS, [0.6, 0.4], method="weighted_sum", tolerance=1e-6)
    row = result.stability.loc["exports"]
    assert row["top"] == "carpets"
    assert row["stable_from"] == pytest.approx(4 / 13, abs=1e-6)
    assert row["stable_to"] == pytest.approx(8 / 11, abs=1e-6)
    assert (row["top_below"], row["top_above"]) == ("pistachio", "copper")
    employment = result.stability.loc["employment"]
    assert employment["stable_from"] == pytest.approx(1 - 8 / 11, abs=1e-6)
    assert employment["stable_to"] == pytest.approx(1 - 4 / 13, abs=1e-6)


def test_sensitivity_ranks_equal_a_fresh_ranking_at_every_step():
    result = sensitivity(AIRCRAFT, AIRCRAFT_WEIGHTS, {"cost": "cost"}, steps=11)
    ranks = result.ranks
    assert set(ranks["criterion"]) == set(AIRCRAFT.columns)
    for (criterion, weight), step in ranks.groupby(["criterion", "weight"]):
        c = AIRCRAFT.columns.get_loc(criterion)
        others = np.delete(np.array(AIRCRAFT_WEIGHTS), c)
        weights = np.insert(others * (1 - weight) / others.sum(), c, weight)
        expected = topsis(AIRCRAFT, weights, {"cost": "cost"})
        np.testing.assert_allclose(step["score"], expected["score"], atol=1e-12)
        assert step["rank"].tolist() == expected["rank"].tolist()
    # the current weights are on the grid and give the base ranking
    at_current = ranks[(ranks["criterion"] == "speed") & np.isclose(ranks["weight"], 0.2)]
    assert at_current["rank"].tolist() == [1, 4, 2, 3]


def test_topsis_stability_range_is_where_the_top_really_holds():
    result = sensitivity(AIRCRAFT, AIRCRAFT_WEIGHTS, {"cost": "cost"}, tolerance=1e-5)
    for criterion, row in result.stability.iterrows():
        c = AIRCRAFT.columns.get_loc(criterion)
        others = np.delete(np.array(AIRCRAFT_WEIGHTS), c)

        def top_at(t, c=c, others=others):
            weights = np.insert(others * (1 - t) / others.sum(), c, t)
            return topsis(AIRCRAFT, weights, {"cost": "cost"})["score"].idxmax()

        assert row["top"] == "A1"
        assert row["stable_from"] <= row["weight"] <= row["stable_to"]
        assert top_at(row["stable_from"]) == "A1" and top_at(row["stable_to"]) == "A1"
        if row["top_above"] is not None:
            assert top_at(row["stable_to"] + 3e-5) != "A1"
        if row["top_below"] is not None:
            assert top_at(row["stable_from"] - 3e-5) != "A1"


def test_sensitivity_rejects_bad_steps():
    with pytest.raises(AnalyticsInputError) as error:
        sensitivity(CLUSTERS, [1, 1], steps=1)
    assert error.value.code == "invalid_option"


# -- cluster priorities -----------------------------------------------------------------------------------------


def test_rank_clusters_uses_present_criteria_with_equal_group_weights():
    frame = CLUSTERS.assign(wages=[30.0, 20.0, 25.0], lq=[3.1, 1.4, 2.2], name=["x", "y", "z"])
    ranking = rank_clusters(frame, columns={"specialisation": "lq"})
    # economic: exports, wages; social: employment; industrial: specialisation (from column "lq")
    assert ranking.weights.round(4).to_dict() == {"exports": 0.1667, "wages": 0.1667,
                                                  "employment": 0.3333, "specialisation": 0.3333}
    assert ranking.groups.to_dict() == {"exports": "economic", "wages": "economic", "employment": "social",
                                        "specialisation": "industrial"}
    criteria = frame[["exports", "wages", "employment", "lq"]].set_axis(
        ["exports", "wages", "employment", "specialisation"], axis=1)
    expected = topsis(criteria, ranking.weights)
    pd.testing.assert_series_equal(ranking.table["score"], expected["score"])
    assert list(ranking.table.columns) == ["exports", "wages", "employment", "specialisation", "score", "rank"]


def test_rank_clusters_group_weights_from_ahp_and_direct_weights():
    groups = ahp_weights({("economic", "social"): 2, ("economic", "industrial"): 4, ("social", "industrial"): 2})
    ranking = rank_clusters(CLUSTERS.assign(growth=[0.01, 0.08, 0.03]), group_weights=groups)
    economic, social, industrial = groups.weights[["economic", "social", "industrial"]]
    assert ranking.weights.to_dict() == pytest.approx({"exports": economic, "employment": social, "growth": industrial})
    direct = rank_clusters(CLUSTERS, weights={"exports": 1, "employment": 3}, method="weighted_sum")
    assert direct.weights.to_dict() == {"exports": 0.25, "employment": 0.75}
    pd.testing.assert_series_equal(direct.table["rank"], weighted_sum(CLUSTERS, [1, 3])["rank"])


def test_rank_clusters_other_criteria_for_sites():
    sites = pd.DataFrame({"km_university": [2.0, 8.0, 5.0], "km_airport": [20.0, 5.0, 10.0]}, index=list("ABC"))
    ranking = rank_clusters(sites, groups={"access": ("km_university", "km_airport")},
                            criteria_types={"km_university": "cost", "km_airport": "cost"})
    pd.testing.assert_series_equal(ranking.table["score"], topsis(sites, [1, 1], "cost")["score"])
    assert CRITERIA_GROUPS["social"] == ("employment", "graduate_jobs")


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"columns": {"salary": "wages"}}, "unknown_criterion"),
    ({"group_weights": {"economic": 1, "cultural": 1}}, "unknown_group"),
    ({"group_weights": {"economic": 1}}, "missing_weight"),
    ({"method": "electre"}, "invalid_option"),
])
def test_rank_clusters_bad_input(kwargs, code):
    with pytest.raises(AnalyticsInputError) as error:
        rank_clusters(CLUSTERS, **kwargs)
    assert error.value.code == code


def test_rank_clusters_without_any_criterion():
    with pytest.raises(AnalyticsInputError) as error:
        rank_clusters(pd.DataFrame({"name": ["a"]}))
    assert error.value.code == "no_criteria" and "value_added" in str(error.value)
