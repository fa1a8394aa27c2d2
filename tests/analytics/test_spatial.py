"""Spatial concentration: contiguity weights from region boundaries and global / local Moran's I
(khooshe.analytics.spatial), on Iran's provinces and on small synthetic maps."""

import json
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from libpysal.weights import W
from shapely.geometry import box

from khooshe.analytics.spatial import (
    MoranResult,
    SpatialDataWarning,
    local_morans,
    morans_i,
    weights_from_geometry,
)
from khooshe.analytics.validation import AnalyticsInputError

PROVINCES = Path(__file__).resolve().parents[2] / "src/khooshe/registry/data/iran/provinces.min.geojson"
ID = "name:en"
# The planted hot spot: Tehran and the provinces around it.
CENTRE = ["Tehran", "Alborz", "Qom", "Markazi", "Semnan", "Mazandaran", "Qazvin"]


@pytest.fixture(scope="module")
def iran():
    return gpd.read_file(PROVINCES)


@pytest.fixture(scope="module")
def iran_weights(iran):
    return weights_from_geometry(iran, id_field=ID)


@pytest.fixture(scope="module")
def planted_lq(iran_weights):
    """A cluster's LQ: low (0.2-1) everywhere, high (3-4) in Tehran and its neighbours."""
    rng = np.random.default_rng(42)
    lq = pd.Series(rng.uniform(0.2, 1.0, iran_weights.n), index=list(iran_weights.id_order))
    lq[CENTRE] = rng.uniform(3.0, 4.0, len(CENTRE))
    return lq


def dense_row_standardised(weights, ids):
    """The row-standardised weight matrix in the order of ``ids``, rebuilt from the neighbour lists."""
    position = {region: k for k, region in enumerate(ids)}
    matrix = np.zeros((len(ids), len(ids)))
    for region in ids:
        neighbours = [n for n in weights.neighbors[region] if n in position]
        matrix[position[region], [position[n] for n in neighbours]] = 1.0
    return matrix / matrix.sum(axis=1, keepdims=True)


def grid(n_x, n_y, *, extra=()):
    cells = [box(x, y, x + 1, y + 1) for y in range(n_y) for x in range(n_x)]
    names = [f"c{x}{y}" for y in range(n_y) for x in range(n_x)]
    for name, geometry in extra:
        names.append(name)
        cells.append(geometry)
    return gpd.GeoDataFrame({"region": names}, geometry=cells)


# -- weights ----------------------------------------------------------------------------------------------

def test_iran_queen_weights(iran, iran_weights):
    w = iran_weights
    assert w.n == 31 and not w.islands and w.transform == "R"
    assert set(w.neighbors["Tehran"]) == {"Alborz", "Qom", "Markazi", "Semnan", "Mazandaran"}
    assert set(w.neighbors["Kerman"]) == {"Fars", "Yazd", "Sistan and Baluchestan", "South Khorasan", "Hormozgan"}
    for region in w.id_order:
        assert sum(w.weights[region]) == pytest.approx(1.0)
    # Reference: queen neighbours are the provinces whose boundaries intersect (shapely, not libpysal).
    left, right = iran.sindex.query(iran.geometry, predicate="intersects")
    names = iran[ID].to_numpy()
    reference = {(names[a], names[b]) for a, b in zip(left, right, strict=True) if a != b}
    ours = {(region, n) for region in w.id_order for n in w.neighbors[region]}
    assert ours == reference


def test_weights_from_a_path_a_mapping_and_rook(iran_weights):
    from_path = weights_from_geometry(str(PROVINCES), id_field=ID)
    assert from_path.neighbors == iran_weights.neighbors
    small = grid(3, 2)
    mapping = json.loads(small.to_json())  # a GeoJSON FeatureCollection
    assert weights_from_geometry(mapping, id_field="region").neighbors == \
        weights_from_geometry(small, id_field="region").neighbors
    rook = weights_from_geometry(grid(3, 3), id_field="region", method="rook")
    queen = weights_from_geometry(grid(3, 3), id_field="region")
    assert sorted(rook.neighbors["c11"]) == ["c01", "c10", "c12", "c21"]
    assert len(queen.neighbors["c11"]) == 8 and len(queen.neighbors["c00"]) == 3


def test_weights_errors(iran):
    with pytest.raises(AnalyticsInputError) as err:
        weights_from_geometry(iran, id_field="province")
    assert err.value.code == "missing_column" and "name:en" in str(err.value)
    with pytest.raises(AnalyticsInputError) as err:
        weights_from_geometry(iran, id_field=ID, method="distance")
    assert err.value.code == "unknown_method"
    duplicated = iran.copy()
    duplicated.loc[3, ID] = duplicated.loc[4, ID]
    with pytest.raises(AnalyticsInputError) as err:
        weights_from_geometry(duplicated, id_field=ID)
    assert err.value.code == "duplicate_region" and err.value.params["region"] == iran.loc[4, ID]
    no_shape = iran.copy()
    no_shape.loc[no_shape[ID] == "Qom", "geometry"] = None
    with pytest.raises(AnalyticsInputError) as err:
        weights_from_geometry(no_shape, id_field=ID)
    assert err.value.code == "missing_geometry" and err.value.params["regions"] == ["Qom"]
    with pytest.raises(AnalyticsInputError) as err:
        weights_from_geometry("/nonexistent/provinces.geojson", id_field=ID)
    assert err.value.code == "unreadable_geometry"
    with pytest.raises(AnalyticsInputError) as err:
        weights_from_geometry(grid(2, 1), id_field="region")
    assert err.value.code == "too_few_regions"


# -- global Moran's I -------------------------------------------------------------------------------------

def test_global_moran_equals_the_formula_on_iran(iran_weights, planted_lq):
    result = morans_i(planted_lq, iran_weights)
    assert isinstance(result, MoranResult)
    ids = list(iran_weights.id_order)
    matrix = dense_row_standardised(iran_weights, ids)
    z = planted_lq[ids].to_numpy() - planted_lq.mean()
    n = len(ids)
    assert result.i == pytest.approx(z @ matrix @ z / (z @ z), rel=1e-12)   # S0 = n
    assert result.expected_i == pytest.approx(-1 / (n - 1))
    # Variance under normality (Cliff & Ord): (n^2 S1 - n S2 + 3 S0^2) / ((n^2 - 1) S0^2) - E[I]^2.
    s0 = matrix.sum()
    s1 = 0.5 * ((matrix + matrix.T) ** 2).sum()
    s2 = ((matrix.sum(axis=1) + matrix.sum(axis=0)) ** 2).sum()
    variance = (n * n * s1 - n * s2 + 3 * s0 * s0) / ((n * n - 1) * s0 * s0) - (1 / (n - 1)) ** 2
    assert result.z_normal == pytest.approx((result.i + 1 / (n - 1)) / np.sqrt(variance), rel=1e-10)
    # The planted hot spot is strong spatial clustering.
    assert result.i > 0.4 and result.p == pytest.approx(0.001) and result.n == 31


def test_global_moran_is_reproducible_with_its_seed_and_leaves_global_random_state_alone(iran_weights, planted_lq):
    np.random.seed(123)
    before = np.random.random()
    np.random.seed(123)
    noisy = planted_lq.sample(frac=1.0, random_state=1).set_axis(planted_lq.index)  # spatially random
    a = morans_i(noisy, iran_weights, permutations=199, seed=7)
    b = morans_i(noisy, iran_weights, permutations=199, seed=7)
    assert (a.z, a.p) == (b.z, b.p)
    assert np.random.random() == before
    analytical = morans_i(noisy, iran_weights, permutations=0)
    assert (analytical.z, analytical.p) == (analytical.z_normal, analytical.p_normal)


# -- local Moran's I --------------------------------------------------------------------------------------

def test_planted_hot_spot_comes_out_high_high(iran_weights, planted_lq):
    local = local_morans(planted_lq, iran_weights)
    assert list(local.index) == list(iran_weights.id_order)
    hot = set(local.index[local["hot_spot"]])
    # Tehran and the provinces whose neighbours are mostly in the centre are significant hot spots;
    # every hot spot is in the planted centre.
    assert {"Tehran", "Alborz", "Qom", "Markazi"} <= hot <= set(CENTRE)
    assert (local.loc[CENTRE, "quadrant"] == "HH").all()
    assert not local.loc["Sistan and Baluchestan", "hot_spot"]
    assert (local.loc[local["hot_spot"], "p"] < 0.05).all()


def test_local_moran_equals_the_formula_and_quadrants_follow_the_signs(iran_weights, planted_lq):
    local = local_morans(planted_lq, iran_weights, permutations=99)
    ids = list(iran_weights.id_order)
    y = planted_lq[ids].to_numpy()
    z = (y - y.mean()) / y.std()
    lag = dense_row_standardised(iran_weights, ids) @ z
    n = len(ids)
    np.testing.assert_allclose(local["local_i"].to_numpy(), (n - 1) * z * lag / (z @ z), rtol=1e-12)
    expected = np.where(z > 0, np.where(lag > 0, "HH", "HL"), np.where(lag > 0, "LH", "LL"))
    assert (local["quadrant"].to_numpy() == expected).all()
    assert (local["p"] >= 1 / 100).all()
    assert local["cold_spot"].equals(local["significant"] & (local["quadrant"] == "LL"))


def test_local_moran_is_reproducible(iran_weights, planted_lq):
    a = local_morans(planted_lq, iran_weights, permutations=199, seed=3)
    b = local_morans(planted_lq, iran_weights, permutations=199, seed=3)
    pd.testing.assert_frame_equal(a, b)


# -- regions that cannot be used --------------------------------------------------------------------------

def test_regions_without_geometry_or_value_are_dropped_with_a_warning(iran_weights, planted_lq):
    values = planted_lq.copy()
    values["Atlantis"] = 5.0
    values["Qom"] = np.nan
    weights_before = {k: list(v) for k, v in iran_weights.weights.items()}
    with pytest.warns(SpatialDataWarning, match="Atlantis") as caught:
        result = morans_i(values, iran_weights)
    assert "Qom" in str(caught[0].message)
    assert result.dropped == {"no_geometry": ["Atlantis"], "no_value": ["Qom"], "island": []}
    assert result.n == 30
    # Same as computing on the 30 provinces with Qom's links removed and the rows re-standardised.
    ids = [r for r in iran_weights.id_order if r != "Qom"]
    matrix = dense_row_standardised(iran_weights, ids)
    z = values[ids].to_numpy() - values[ids].mean()
    assert result.i == pytest.approx(z @ matrix @ z / (z @ z), rel=1e-12)
    # The caller's weights are untouched.
    assert {k: list(v) for k, v in iran_weights.weights.items()} == weights_before
    assert iran_weights.n == 31

    with pytest.warns(SpatialDataWarning):
        local = local_morans(values, iran_weights, permutations=99)
    assert local.loc["Atlantis", "note"] == "no_geometry" and local.loc["Atlantis", "value"] == 5.0
    assert local.loc["Qom", "note"] == "no_value" and np.isnan(local.loc["Qom", "local_i"])
    assert local.loc["Tehran", "note"] == "" and len(local) == 32


def test_islands_are_named_and_left_out():
    geometry = grid(3, 3, extra=[("island", box(10, 10, 11, 11))])
    with pytest.warns(SpatialDataWarning, match="island"):
        w = weights_from_geometry(geometry, id_field="region")
    values = pd.Series(np.arange(10.0), index=geometry["region"])
    with pytest.warns(SpatialDataWarning, match="without a neighbour"):
        result = morans_i(values, w, permutations=0)
    assert result.dropped["island"] == ["island"] and result.n == 9
    with pytest.warns(SpatialDataWarning):
        local = local_morans(values, w, permutations=9)
    assert local.loc["island", "note"] == "island" and not local.loc["island", "hot_spot"]


def test_a_region_cut_off_by_a_missing_value_becomes_an_island():
    # A row of cells c00 - c10 - c20 - c30 (rook): without c10 and c20's values, c00 has no neighbour left.
    w = weights_from_geometry(grid(5, 1), id_field="region", method="rook")
    values = pd.Series({"c00": 1.0, "c20": 3.0, "c30": 4.0, "c40": 7.0})
    with pytest.warns(SpatialDataWarning):
        result = morans_i(values, w, permutations=0)
    assert result.dropped == {"no_geometry": [], "no_value": ["c10"], "island": ["c00"]}


# -- bad input --------------------------------------------------------------------------------------------

def test_spatial_input_errors(iran_weights, planted_lq):
    cases = [
        (lambda: morans_i(planted_lq.to_numpy(), iran_weights), "not_a_series"),
        (lambda: morans_i(planted_lq, {"Tehran": ["Qom"]}), "not_weights"),
        (lambda: morans_i(planted_lq.astype(object).replace({planted_lq["Fars"]: "high"}), iran_weights),
         "non_numeric"),
        (lambda: morans_i(planted_lq.replace({planted_lq["Fars"]: np.inf}), iran_weights), "non_finite"),
        (lambda: morans_i(pd.Series(2.0, index=planted_lq.index), iran_weights), "constant_values"),
        (lambda: morans_i(pd.Series([1.0, 2.0], index=["x", "y"]), iran_weights), "no_common_regions"),
        (lambda: morans_i(planted_lq, iran_weights, permutations=-1), "bad_permutations"),
        (lambda: local_morans(planted_lq, iran_weights, permutations=0), "bad_permutations"),
        (lambda: local_morans(planted_lq, iran_weights, alpha=1.5), "bad_alpha"),
        (lambda: morans_i(pd.concat([planted_lq, planted_lq.iloc[:1]]), iran_weights), "duplicate_region"),
    ]
    for call, code in cases:
        with pytest.raises(AnalyticsInputError) as err, warnings.catch_warnings():
            warnings.simplefilter("ignore", SpatialDataWarning)
            call()
        assert err.value.code == code, code
    with pytest.raises(AnalyticsInputError) as err:
        morans_i(planted_lq.astype(object).replace({planted_lq["Fars"]: "high"}), iran_weights)
    assert err.value.params["region"] == "Fars"
    with pytest.raises(AnalyticsInputError) as err, pytest.warns(SpatialDataWarning):
        morans_i(planted_lq[["Tehran", "Qom"]], iran_weights)
    assert err.value.code == "too_few_regions"


def test_weights_type_is_libpysal_w(iran_weights):
    assert isinstance(iran_weights, W)
