"""Reads of the missions app: gaps, the chain diagram and the consortium map."""

from __future__ import annotations

from django.utils import timezone

from khooshe.analytics import valuechain as vc

from .models import Composition, Mission, Stage


def default_units(mission: Mission) -> int | None:
    demand = mission.demands.order_by("-pk").first()
    return demand.units if demand else None


def mission_gaps(mission: Mission, *, units: int, horizon_days: int = 90) -> list[vc.Gap]:
    """The chain's gaps for ``units`` per period (see ``valuechain.find_gaps``)."""
    from .services import engine_inputs

    stages, cands = engine_inputs(mission)
    if not stages:
        return []
    return vc.find_gaps(stages, cands, int(units), on=timezone.localdate(), horizon_days=horizon_days,
                        region=mission.region.code if mission.region_id else "")


def chain_diagram(mission: Mission, composition: Composition | None = None, gaps=()) -> dict:
    """Data of the chain diagram (an ECharts sankey): a node per stage (red when it has a gap), a node per
    member serving it (with its volume when a composition is given), links = the volumes that flow."""
    stages = list(mission.stages.prefetch_related("predecessors"))
    gap_stages = {g.stage for g in gaps}
    nodes, links = [], []
    stage_name = {s.pk: s.name for s in stages}
    for s in stages:
        nodes.append({"name": f"s{s.pk}", "label": s.name, "depth": s.position, "kind": "stage",
                      "gap": str(s.pk) in gap_stages})
    if composition is not None and composition.result:
        names = composition.result.get("names", {}).get("members", {})
        seen = set()
        for a in composition.result.get("allocations", []):
            key = f"m{a['member']}@{a['stage']}"
            if key not in seen:
                seen.add(key)
                nodes.append({"name": key, "label": names.get(a["member"], a["member"]), "kind": "member",
                              "volume": a["volume"]})
            links.append({"source": key, "target": f"s{a['stage']}", "value": a["volume"]})
        for f in composition.result.get("flows", []):
            links.append({"source": f"s{f['from_stage']}", "target": f"m{f['to_member']}@{f['to_stage']}",
                          "value": f["volume"]})
    else:
        for s in stages:
            for p in s.predecessors.all():
                links.append({"source": f"s{p.pk}", "target": f"s{s.pk}", "value": 1})
    return {"nodes": nodes, "links": links, "stages": stage_name}


def consortium_map(composition: Composition) -> list[dict]:
    """Members of a composition with a place (their own coordinates, else their region's centre)."""
    from khooshe.registry.models import Organization

    from .services import _place

    volumes: dict[int, int] = {}
    for a in composition.result.get("allocations", []):
        volumes[int(a["member"])] = volumes.get(int(a["member"]), 0) + a["volume"]
    out = []
    for org in Organization.objects.filter(pk__in=volumes).select_related("region"):
        lat, lon = _place(org)
        if lat is not None:
            out.append({"id": org.pk, "name": str(org), "lat": lat, "lon": lon, "volume": volumes[org.pk],
                        "url": org.get_absolute_url()})
    return out


def stages_of(mission: Mission):
    return Stage.objects.filter(mission=mission).order_by("position", "pk")
