"""A self-contained HTML report of an analysis run (``khooshe analyze --out DIR`` writes it).

One file that opens offline anywhere: the tables, a choropleth of the regions, bar and bubble charts of
the industries and the industry relatedness network, drawn with ECharts, whose script, the font and the
data are all inlined. Its text is translated like the rest of the interface (Persian first).
"""

from __future__ import annotations

import base64
import csv
import json
import math
import numbers
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.template.loader import render_to_string
from django.utils.translation import get_language, get_language_bidi

from khooshe.core.text import fold
from khooshe.insights import glossary

WEB_STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
IRAN_DIR = Path(__file__).resolve().parent.parent / "registry" / "data" / "iran"
TOP_ROWS = 50



def iran_province_geometry(region_values: list[Any]) -> tuple[dict, list[str]]:
    """Iran's province boundaries, each feature tagged with the data's own region value.

    A region value matches a province by its Khooshe code (``IR-108``), its id in the shipped list
    (``108``), or its Persian or English name, compared after the shared text normalizer (so ي/ك,
    spaces and case do not matter). Returns the GeoJSON (matched provinces only, property ``region``) and
    the region values that matched no province.
    """
    names_by_id = {}
    with open(IRAN_DIR / "provinces.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            names_by_id[fold(row["name"])] = row["id"]
    keys: dict[str, int] = {}
    geojson = json.loads((IRAN_DIR / "provinces.min.geojson").read_text(encoding="utf-8"))
    for index, feature in enumerate(geojson["features"]):
        props = feature.get("properties") or {}
        for name in (props.get("name:fa"), props.get("name:en"), props.get("name")):
            if name:
                keys[fold(name)] = index
        province_id = names_by_id.get(fold(props.get("name:fa")))
        if province_id:
            keys[fold(province_id)] = index
            keys[fold(f"IR-{province_id}")] = index
    features, unmatched = [], []
    for value in region_values:
        index = keys.get(fold(str(value)))
        if index is None:
            unmatched.append(str(value))
            continue
        feature = dict(geojson["features"][index])
        feature["properties"] = {**feature.get("properties", {}), "region": str(value)}
        features.append(feature)
    return {"type": "FeatureCollection", "features": features}, unmatched


def render_report(tables: dict[str, pd.DataFrame], meta: dict, *, title: str, geometry: dict | None = None,
                  unmatched_regions: list[str] | None = None) -> str:
    """The report's HTML (one string, nothing fetched when it is opened)."""
    region_industry = tables["region_industry"]
    industries = tables["industries"].sort_values("employment", ascending=False)
    top_industries = [str(i) for i in industries["industry"].head(30)]
    lq_by_industry = {}
    if geometry is not None:
        subset = region_industry[region_industry["industry"].astype(str).isin(top_industries)]
        for industry, rows in subset.groupby(subset["industry"].astype(str)):
            lq_by_industry[industry] = [{"name": str(r), "value": _num(v)} for r, v in zip(rows["region"], rows["lq"], strict=True)]
    bubble_y = "growth" if "growth" in industries.columns and industries["growth"].notna().any() else "pci"
    charts = {
        "geometry": geometry,
        "lq_by_industry": lq_by_industry,
        "industries": top_industries,
        "bar": [[str(i), _num(e)] for i, e in zip(industries["industry"].head(20), industries["employment"].head(20), strict=True)],
        "bubble": [[_num(x), _num(y), _num(e), str(i)] for i, x, y, e in zip(
            industries["industry"], industries["locational_gini"], industries[bubble_y], industries["employment"], strict=True)],
        "bubble_y": bubble_y,
        "edges": _records(tables.get("relatedness_edges"), ["industry_a", "industry_b", "weight"]),
        "groups": {str(r["industry"]): int(r["group"]) for r in _records(tables.get("cluster_definitions"), ["industry", "group"])},
        "rtl": get_language_bidi(),
    }
    echarts = (WEB_STATIC / "vendor" / "echarts" / "echarts.min.js").read_text(encoding="utf-8")
    font = WEB_STATIC / "vendor" / "vazirmatn" / "Vazirmatn-Variable.woff2"
    context = {
        "title": title, "meta": meta, "language": get_language(), "rtl": get_language_bidi(),
        "clusters": _table(tables.get("clusters"), ["rank", "region", "industry", "employment", "lq", "stars",
                                                    "strong", "stage", "cluster_type", "tech_level", "score"],
                           explained=True),
        "regions": _table(tables["regions"].sort_values("employment", ascending=False),
                          ["region", "employment", "establishments", "diversity", "eci", "krugman", "hachman"]),
        "industries": _table(industries, ["industry", "employment", "regions_present", "ubiquity", "pci",
                                          "locational_gini", "growth", "cluster_type", "tech_level"],
                             explained=True),
        "diversification": _table(tables.get("diversification"), ["region", "industry", "rank", "density", "cog", "pci"]),
        "unmatched_regions": unmatched_regions or [],
        "lifecycle_rules": glossary.lifecycle_rules_text((meta.get("rules") or {}).get("lifecycle_rules")),
        "charts_json": json.dumps(charts, ensure_ascii=False, allow_nan=False).replace("</", "<\\/"),
        "echarts_js": echarts.replace("</script", "<\\/script"),
        "font_base64": base64.b64encode(font.read_bytes()).decode() if font.exists() else "",
    }
    return render_to_string("insights/report_standalone.html", context)


def _table(frame: pd.DataFrame | None, columns: list[str], *, explained: bool = False) -> dict:
    """The first rows of a table for the report; with ``explained``, a stage, type or technology level
    says why when pointed at (the reason in the report's language, from its code and figures)."""
    if frame is None or frame.empty:
        return {"columns": [], "rows": []}
    present = [c for c in columns if c in frame.columns]
    rows = []
    for record in frame.head(TOP_ROWS).to_dict("records"):
        cells = []
        for column in present:
            reason = glossary.row_reason(record, column) if explained and column in glossary.REASON_OF else ""
            value = record[column]
            value = glossary.value_label(column, value) or value  # codes such as "embryonic" in words
            cells.append({"value": _display(value), "title": reason,
                          "numeric": _is_number(record[column])})
        rows.append(cells)
    columns_out = [{"name": c, "title": glossary.column_title(c), "help": glossary.column_help(c) or ""} for c in present]
    return {"columns": columns_out, "rows": rows}


def _records(frame: pd.DataFrame | None, columns: list[str]) -> list[dict]:
    if frame is None or frame.empty:
        return []
    return [{c: (_num(v) if isinstance(v, int | float) else str(v)) for c, v in zip(columns, row, strict=True)}
            for row in frame[columns].itertuples(index=False)]


def _num(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _display(value: Any) -> str:
    if value is None or value is pd.NA or (_is_number(value) and not math.isfinite(float(value))):
        return "–"
    if isinstance(value, bool | np.bool_):
        return "✓" if value else ""
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
