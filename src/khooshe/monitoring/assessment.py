"""ESCA / EUCLES cluster-organisation self-assessment: the checklist structure and the score profile.

The checklist is data (``data/esca.json``): the Bronze benchmarking areas (structure; management and
governance; financing; services; contacts and interaction; achievements and recognition) and the Gold
label's five areas.  Every item has a weight and a score from 0 to 100; an area's score is the weighted
mean of its scored items, the total the weighted mean of every scored item.  A Gold assessment passes
when the total and each of the five areas reach the minimum (80%).
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.utils.translation import get_language

DATA = Path(__file__).with_name("data") / "esca.json"


@cache
def checklist() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def area_label(area: str) -> str:
    labels = checklist()["areas"].get(area)
    if not labels:
        return area
    return labels["fa"] if (get_language() or "fa").startswith("fa") else labels["en"]


def gold_minimum() -> Decimal:
    return Decimal(checklist()["gold_minimum"])


def score_profile(assessment) -> dict:
    """Per-area and total weighted scores (None where nothing is scored), and the Gold verdict."""
    areas: dict[str, list[Decimal]] = {}
    total_w = total_s = Decimal(0)
    order: list[str] = []
    for item in assessment.items.all():
        if item.area not in order:
            order.append(item.area)
        sums = areas.setdefault(item.area, [Decimal(0), Decimal(0), 0, 0])
        sums[3] += 1
        if item.score is None or not item.weight:
            continue
        sums[0] += item.weight * item.score
        sums[1] += item.weight
        sums[2] += 1
        total_s += item.weight * item.score
        total_w += item.weight
    rows = []
    for area in order:
        weighted, weight, scored, count = areas[area]
        score = (weighted / weight).quantize(Decimal("0.1")) if weight else None
        rows.append({"area": area, "label": area_label(area), "score": score, "scored": scored, "items": count})
    total = (total_s / total_w).quantize(Decimal("0.1")) if total_w else None
    result = {"areas": rows, "total": total, "minimum": None, "passed": None}
    if assessment.label == "gold":
        minimum = gold_minimum()
        complete = all(r["scored"] == r["items"] for r in rows) and rows
        result["minimum"] = minimum
        result["passed"] = bool(complete and total is not None and total >= minimum
                                and all(r["score"] is not None and r["score"] >= minimum for r in rows))
    return result


def compare_profiles(before, after) -> list[dict]:
    """Change of every area's score between two assessments (areas of either)."""
    old = {r["area"]: r for r in score_profile(before)["areas"]}
    new = {r["area"]: r for r in score_profile(after)["areas"]}
    rows = []
    for area in list(dict.fromkeys([*old, *new])):
        a, b = old.get(area, {}).get("score"), new.get(area, {}).get("score")
        rows.append({"area": area, "label": area_label(area), "before": a, "after": b,
                     "change": (b - a) if a is not None and b is not None else None})
    return rows
