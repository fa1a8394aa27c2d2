"""Chain templates as data: the format, its validation, and exchange as JSON.

A template's ``stages`` is a list, in chain order::

    [{"name": "Active ingredient", "name_fa": "ماده مؤثره", "predecessors": [],
      "licences": ["gmp"], "sectors": ["2100"], "capability_tags": ["synthesis"],
      "min_quality": 0.7, "max_share": 0.5, "min_lot": 10, "capacity_unit": "kg",
      "organization_kind": "knowledge_based"}, ...]

``predecessors`` name earlier stages of the same template (by ``name``); two predecessors feed one stage.
The shipped templates live in ``missions/data/templates/*.json`` (``{"key", "name_fa", "name_en", "stages"}``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from khooshe.analytics.validation import AnalyticsInputError
from khooshe.analytics.valuechain import Stage as EngineStage
from khooshe.analytics.valuechain import stage_order

DATA = Path(__file__).parent / "data" / "templates"
STAGE_KEYS = {"name", "name_fa", "predecessors", "licences", "sectors", "capability_tags", "min_quality",
              "max_share", "min_lot", "capacity_unit", "organization_kind"}


def template_problems(stages: Any) -> list[str]:
    """What is wrong with a template's stages (empty when it can be used); each message names the stage."""
    if not isinstance(stages, list) or not stages:
        return [_("Give the stages as a non-empty list.")]
    problems: list[str] = []
    names: list[str] = []
    for n, st in enumerate(stages, 1):
        if not isinstance(st, dict):
            problems.append(_("Stage %(n)s is not an object with a name.") % {"n": n})
            continue
        name = str(st.get("name", "")).strip()
        if not name:
            problems.append(_("Stage %(n)s has no name.") % {"n": n})
        unknown = sorted(set(st) - STAGE_KEYS)
        if unknown:
            problems.append(_("Stage %(name)s: unknown keys %(keys)s.") % {"name": name or n, "keys": ", ".join(unknown)})
        for key, low, high in (("min_quality", 0, 1), ("max_share", 0.01, 1)):
            if key in st:
                v = st[key]
                if not isinstance(v, (int, float)) or isinstance(v, bool) or not low <= v <= high:
                    problems.append(_("Stage %(name)s: %(key)s %(value)s must be between %(low)s and %(high)s.")
                                    % {"name": name, "key": key, "value": v, "low": low, "high": high})
        if "min_lot" in st and (not isinstance(st["min_lot"], int) or isinstance(st["min_lot"], bool)
                                or st["min_lot"] < 0):
            problems.append(_("Stage %(name)s: min_lot %(value)s must be a whole number >= 0.")
                            % {"name": name, "value": st["min_lot"]})
        for key in ("predecessors", "licences", "sectors", "capability_tags"):
            if key in st and not (isinstance(st[key], list) and all(isinstance(x, str) for x in st[key])):
                problems.append(_("Stage %(name)s: %(key)s must be a list of texts.") % {"name": name, "key": key})
        if name in names:
            problems.append(_("Stage %(name)s appears twice.") % {"name": name})
        names.append(name)
    if problems:
        return problems
    try:
        stage_order([EngineStage(s["name"], predecessors=tuple(s.get("predecessors", ()))) for s in stages])
    except AnalyticsInputError as exc:
        if exc.code == "cyclic_order":
            return [_("The stage order has a cycle: %(cycle)s. Remove one of these predecessor links.")
                    % {"cycle": " → ".join(exc.params["stages"])}]
        return [_("Stage %(stage)s follows %(value)s, which is not a stage of the template.")
                % {"stage": exc.params.get("stage"), "value": exc.params.get("value")}]
    return []


def shipped_templates() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(DATA.glob("*.json"))]


def template_json(template) -> str:
    return json.dumps({"key": template.key, "name_fa": template.name_fa, "name_en": template.name_en,
                       "stages": template.stage_list}, ensure_ascii=False, indent=2)
