"""Context of the mission and composition pages' extra sections."""

from django import template

from ..forms import ComposeForm
from ..models import ChainTemplate, Composition
from ..selectors import chain_diagram, consortium_map, default_units, mission_gaps
from ..texts import GAP_LABELS, exclusion_reason, gap_message

register = template.Library()

def _member_names(ids) -> dict:
    from khooshe.registry.models import Organization

    pks = [int(i) for i in ids if str(i).isdigit()]
    return {str(o.pk): str(o) for o in Organization.objects.filter(pk__in=pks)} if pks else {}


@register.simple_tag
def mission_overview(mission, user, request=None):
    units = None
    if request is not None:
        try:
            units = int(request.GET.get("units") or 0) or None
        except ValueError:
            units = None
    units = units or default_units(mission)
    gaps = mission_gaps(mission, units=units) if units else []
    stages = {str(s.pk): s for s in mission.stages.all()}
    member_names = _member_names({m for g in gaps for m in g.members})
    rows = [{"gap": g, "stage": stages.get(g.stage), "label": GAP_LABELS.get(g.kind, g.kind),
             "message": gap_message(g, stages[g.stage].name if g.stage in stages else g.stage, member_names)}
            for g in gaps]
    programs = []
    try:
        from khooshe.programs.models import Program

        programs = [p for p in Program.objects.visible_to(user).order_by("-pk")[:50] if p.is_editable_by(user)]
    except ImportError:  # the programs app is optional
        programs = []
    return {
        "units": units, "gaps": rows, "diagram": chain_diagram(mission, gaps=gaps),
        "can_edit": mission.is_editable_by(user), "form": ComposeForm(initial={"units": units}),
        "templates": ChainTemplate.objects.all(), "programs": programs,
        "compositions": mission.compositions.filter(base__isnull=True).order_by("-pk")[:10],
    }


@register.simple_tag
def composition_overview(comp: Composition, user):
    result = comp.result or {}
    names = result.get("names", {})
    stage_names = names.get("stages", {})
    member_names = names.get("members", {})
    allocations = [{**a, "stage_name": stage_names.get(a["stage"], a["stage"]),
                    "member_name": member_names.get(a["member"], a["member"])} for a in result.get("allocations", [])]
    binding = [{"stage": stage_names.get(k, k), **v} for k, v in result.get("binding", {}).items()]
    reasons = result.get("excluded_reasons") or []
    excluded = []
    for i, (m, s, r) in enumerate(result.get("excluded", [])):
        member, stage = member_names.get(m, m), stage_names.get(s, s)
        if i < len(reasons):
            r = exclusion_reason(reasons[i][0], reasons[i][1], stage, member) or r
        excluded.append({"member": member, "stage": stage, "reason": r})
    siblings = Composition.objects.filter(mission=comp.mission, parameters=comp.parameters, base__isnull=True,
                                          created_at__date=comp.created_at.date()).exclude(pk=comp.pk)
    return {
        "result": result, "allocations": allocations, "binding": binding, "excluded": excluded,
        "diagram": chain_diagram(comp.mission, comp), "points": consortium_map(comp),
        "can_edit": comp.is_editable_by(user), "siblings": siblings.order_by("rank")[:10],
        "variants": comp.variants.select_related("removed_member").order_by("-pk")[:20],
        "members": sorted(member_names.items(), key=lambda kv: kv[1]),
    }
