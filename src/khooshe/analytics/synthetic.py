"""Synthetic establishment records for tests, demonstrations and benchmarks.

The data look like an establishment register (one row per establishment and year): a few big regions and
many small ones, a few big industries and many small ones, each industry present in only some regions
(diverse regions host the rare industries, as in real economies), heavy-tailed establishment sizes, and
employment that grows or shrinks by industry from year to year.  It is written to Parquet in chunks, so
that 10 million rows need only a few hundred MB of memory to generate.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from khooshe.analytics.validation import AnalyticsInputError

__all__ = ["SCHEMA", "generate_establishments"]

#: Columns of the generated file.
SCHEMA = pa.schema([
    ("establishment_id", pa.int64()),
    ("year", pa.int32()),
    ("region", pa.string()),
    ("industry", pa.string()),
    ("employees", pa.int32()),
    ("wages", pa.int64()),
])


def generate_establishments(
    path: str | os.PathLike,
    *,
    n_rows: int,
    n_regions: int,
    n_industries: int,
    n_years: int,
    seed: int = 0,
    first_year: int = 2019,
    chunk_rows: int = 250_000,
) -> Path:
    """Write ``n_rows`` synthetic establishment-year records to a Parquet file.

    Every establishment is observed in each of ``n_years`` consecutive years (so there are
    ``ceil(n_rows / n_years)`` establishments), always in the same region and industry.

    How the data are drawn (all from one seeded generator):

    - region size :math:`w_r \\propto r^{-1}` (Zipf, region ``R0001`` the biggest) and industry size
      :math:`v_i` log-normal;
    - presence: region :math:`r` has industry :math:`i` with probability
      :math:`\\sigma((c_r - d_i) / 0.08)`, where the capability :math:`c_r` grows with the region's size
      and the difficulty :math:`d_i` is uniform: big regions are diverse, rare industries sit in big
      regions (the nested pattern of economic complexity);
    - an establishment's region and industry: drawn with probability
      :math:`\\propto w_r v_i \\epsilon_{ri}` over the present cells, :math:`\\epsilon_{ri}` log-normal
      (local specialisations);
    - size: :math:`1 + \\lfloor \\exp(\\mu_i + 1.1 z) \\rfloor` employees (heavy-tailed: most have a
      few, some thousands); each year it moves with the industry's growth rate and noise (0 allowed:
      a dormant year);
    - wages: employees x the industry's wage level x a region factor (bigger regions pay more) x noise,
      in whole currency units (integers, so sums are exact on every backend).

    Parameters
    ----------
    path : str or PathLike
        Parquet file to write (its folder is created).
    n_rows, n_regions, n_industries, n_years : int
        Size of the data (all at least 1).
    seed : int
        Seed of the random generator: the same arguments give the same file.
    first_year : int
        Year of the first observation.
    chunk_rows : int
        Rows generated and written at a time: one Parquet row group each (the unit that DuckDB and Spark
        read in parallel); bounds the memory used.

    Returns
    -------
    pathlib.Path
        ``path``.  Columns: see :data:`SCHEMA`.

    Examples
    --------
    >>> import tempfile, pyarrow.parquet as pq
    >>> folder = tempfile.mkdtemp()
    >>> path = generate_establishments(f"{folder}/e.parquet", n_rows=1000, n_regions=5, n_industries=8,
    ...                                n_years=2, seed=1)
    >>> table = pq.read_table(path)
    >>> table.num_rows, table.column_names
    (1000, ['establishment_id', 'year', 'region', 'industry', 'employees', 'wages'])
    >>> sorted(set(table.column("year").to_pylist()))
    [2019, 2020]
    """
    for name, value in (("n_rows", n_rows), ("n_regions", n_regions), ("n_industries", n_industries),
                        ("n_years", n_years), ("chunk_rows", chunk_rows)):
        if not isinstance(value, int | np.integer) or value < 1:
            raise AnalyticsInputError(
                "bad_argument", f"{name} must be a whole number of at least 1, got {value!r}.",
                argument=name, value=str(value),
            )
    rng = np.random.default_rng(seed)
    regions = pa.array([f"R{r + 1:04d}" for r in range(n_regions)])
    industries = pa.array([f"I{i + 1:04d}" for i in range(n_industries)])

    # Regions: Zipf sizes; capability rises with size (rank), with some noise.
    rank = np.arange(1, n_regions + 1)
    region_weight = 1.0 / rank
    capability = np.clip(1.0 - rank / (n_regions + 1) + rng.normal(0, 0.1, n_regions), 0, 1)
    region_wage = 1.0 + 0.3 * capability
    # Industries: log-normal sizes, uniform difficulty, own growth rate, typical size and wage level.
    industry_weight = rng.lognormal(0.0, 1.2, n_industries)
    difficulty = rng.uniform(0.0, 1.0, n_industries)
    growth = rng.normal(0.02, 0.04, n_industries)
    size_mu = rng.normal(1.0, 0.6, n_industries)
    wage_level = rng.lognormal(np.log(300.0), 0.4, n_industries)

    presence = rng.random((n_regions, n_industries)) < 1.0 / (
        1.0 + np.exp(-(capability[:, None] - difficulty[None, :]) / 0.08))
    # Every industry exists somewhere (in its most capable region) and every region has some industry.
    presence[np.argmax(capability), :] = True
    presence[np.arange(n_regions), np.argmax(industry_weight)] = True
    propensity = (region_weight[:, None] * industry_weight[None, :]
                  * rng.lognormal(0.0, 1.0, (n_regions, n_industries)) * presence).ravel()
    cdf = np.cumsum(propensity)
    cdf /= cdf[-1]

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    per_chunk = max(1, chunk_rows // n_years)  # establishments per chunk
    n_establishments = -(-n_rows // n_years)
    written = 0
    with pq.ParquetWriter(path, SCHEMA, compression="zstd") as writer:
        for first in range(0, n_establishments, per_chunk):
            count = min(per_chunk, n_establishments - first)
            cell = np.minimum(np.searchsorted(cdf, rng.random(count), side="right"), cdf.size - 1)
            region, industry = np.divmod(cell, n_industries)
            base = 1.0 + np.floor(np.exp(size_mu[industry] + 1.1 * rng.standard_normal(count)))
            wage_noise = rng.lognormal(0.0, 0.25, count)

            # Rows: every establishment of the chunk in every year, establishment-major.
            ids = np.repeat(np.arange(first, first + count, dtype=np.int64), n_years)
            t = np.tile(np.arange(n_years), count)
            idx = np.repeat(np.arange(count), n_years)
            shock = rng.normal(0.0, 0.15, count * n_years)
            employees = np.floor(base[idx] * np.exp(growth[industry[idx]] * t + shock) + 0.5)
            employees = np.minimum(employees, 2**31 - 1).astype(np.int32)
            wages = np.floor(employees * wage_level[industry[idx]] * region_wage[region[idx]]
                             * wage_noise[idx] + 0.5).astype(np.int64)
            keep = min(count * n_years, n_rows - written)  # the last establishment may lose its last years
            chunk = pa.table({
                "establishment_id": ids[:keep],
                "year": (first_year + t[:keep]).astype(np.int32),
                "region": pc.take(regions, pa.array(region[idx[:keep]])),
                "industry": pc.take(industries, pa.array(industry[idx[:keep]])),
                "employees": employees[:keep],
                "wages": wages[:keep],
            }, schema=SCHEMA)
            writer.write_table(chunk, row_group_size=keep)
            written += keep
    return path
