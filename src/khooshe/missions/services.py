"""Every write of the missions app: keyword-only, one transaction, access checked here.

The composer itself is pure (``khooshe.analytics.valuechain``); this module turns a mission's records
into its inputs (``engine_inputs``), derives trust between members from the registry's relations
(``trust_scores``) and stores what it finds (``Composition``).  Errors a user can cause raise
``ValidationError`` naming the field, stage or member; access errors raise ``PermissionDenied``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from khooshe.analytics import valuechain as vc
from khooshe.analytics.validation import AnalyticsInputError
from khooshe.registry.models import Organization, Relation, Sector

from .models import SMALL_SIZES, ChainTemplate, Composition, Demand, Licence, MemberCapacity, Mission, Stage
from .templates_io import shipped_templates, template_problems
from .texts import gap_message

SMALL_KINDS = {"startup", "knowledge_based", "creative", "sme", "cooperative"}
WEIGHTS = ("cost", "distance", "quality", "trust", "members", "spread")


def _check_mission(user, mission: Mission) -> None:
    if not mission.is_editable_by(user):
        raise PermissionDenied(_("Only the organization that owns this mission may change it."))


def _engine_error(exc: AnalyticsInputError) -> ValidationError:
    """The composer's input error as a message in the user's language."""
    p = exc.params
    if exc.code == "cyclic_order":
        return ValidationError(_("The stage order has a cycle: %(cycle)s. Remove one of these predecessor links.")
                               % {"cycle": " → ".join(str(s) for s in p.get("stages", ()))})
    if exc.code == "unqualified_member":
        return ValidationError(_("A member cannot serve a stage: %(reason)s") % {"reason": exc.message})
    if exc.code == "negative_value":
        return ValidationError(_("%(column)s must not be negative (row %(row)s, value %(value)s).")
                               % {"column": p.get("column"), "row": (p.get("row") or 0) + 1, "value": p.get("value")})
    return ValidationError(_("The chain cannot be composed: %(reason)s") % {"reason": exc.message})


# -- inputs of the composer -----------------------------------------------------------------------------
def _is_small(org: Organization) -> bool:
    if org.size_class:
        return org.size_class in SMALL_SIZES
    return org.kind in SMALL_KINDS


def _place(org: Organization) -> tuple[float | None, float | None]:
    if org.latitude is not None and org.longitude is not None:
        return org.latitude, org.longitude
    if org.region_id and org.region.latitude is not None and org.region.longitude is not None:
        return org.region.latitude, org.region.longitude
    return None, None


def engine_stages(mission: Mission) -> list[vc.Stage]:
    stages = list(mission.stages.prefetch_related("predecessors", "sectors"))
    return [vc.Stage(str(s.pk), s.name, predecessors=tuple(str(p.pk) for p in s.predecessors.all()),
                     licences=tuple(s.licence_kinds), min_quality=s.min_quality, max_share=s.max_share,
                     min_lot=s.min_lot, sectors=tuple(x.code for x in s.sectors.all()),
                     organization_kind=s.organization_kind) for s in stages]


def engine_inputs(mission: Mission) -> tuple[list[vc.Stage], list[vc.Candidate]]:
    """The mission's stages and its members' offers as the composer's dataclasses (ids as strings)."""
    stages = engine_stages(mission)
    caps = (MemberCapacity.objects.filter(stage__mission=mission)
            .select_related("organization", "organization__region").prefetch_related("organization__licences"))
    cands = []
    for c in caps:
        org = c.organization
        lat, lon = _place(org)
        licences = tuple(vc.Licence(lic.kind, lic.valid_from, lic.valid_until, lic.number)
                         for lic in org.licences.all())
        cands.append(vc.Candidate(str(org.pk), str(c.stage_id), capacity=int(c.capacity),
                                  unit_cost=float(c.unit_cost), lead_time=float(c.lead_time_days),
                                  quality=float(c.quality), licences=licences, latitude=lat, longitude=lon,
                                  region=org.region.code if org.region_id else "", small=_is_small(org)))
    return stages, cands


def trust_scores(org_ids) -> dict[tuple[str, str], float]:
    """Trust between organizations from the registry's relations: a direct relation gives its strength / 5
    (the strongest if several); organizations two steps apart (a common partner) get half the weaker
    strength / 5.  Pairs without a path of length 1 or 2 are absent (trust 0)."""
    ids = set(org_ids)
    if not ids:
        return {}
    rels = Relation.objects.filter(source__in=ids) | Relation.objects.filter(target__in=ids)
    adj: dict[int, dict[int, int]] = defaultdict(dict)
    for a, b, s in rels.values_list("source_id", "target_id", "strength"):
        if a == b:
            continue
        adj[a][b] = max(adj[a].get(b, 0), s)
        adj[b][a] = max(adj[b].get(a, 0), s)
    out: dict[tuple[str, str], float] = {}
    for a in ids:
        for b, s in adj[a].items():
            if b in ids and a < b:
                out[(str(a), str(b))] = s / 5
    for nbrs in adj.values():
        inside = sorted((n, s) for n, s in nbrs.items() if n in ids)
        for i, (a, sa) in enumerate(inside):
            for b, sb in inside[i + 1:]:
                key = (str(a), str(b))
                out[key] = max(out.get(key, 0.0), min(sa, sb) / 10)
    return out


def _objectives(weights: dict) -> vc.Objectives:
    values = {}
    for name in (*WEIGHTS, "transport_rate"):
        v = weights.get(name, 1.0 if name == "cost" else 0.0)
        try:
            v = float(v)
        except (TypeError, ValueError):
            raise ValidationError({name: _("Give a number, not “%(value)s”.") % {"value": v}}) from None
        if not v >= 0 or v == float("inf"):
            raise ValidationError({name: _("Give a number of 0 or more, not “%(value)s”.") % {"value": v}})
        values[name] = v
    return vc.Objectives(**values)


def _names(mission: Mission, result: vc.Composition) -> dict:
    stage_names = {str(s.pk): s.name for s in mission.stages.all()}
    ids = {int(a.member) for a in result.allocations} | {int(m) for m, _s, _w in result.excluded}
    org_names = {str(o.pk): str(o) for o in Organization.objects.filter(pk__in=ids)}
    return {"stages": stage_names, "members": org_names}


def _store(*, mission, demand, units, params, result: vc.Composition, rank=1, base=None, removed=None,
           extra=None) -> Composition:
    data = result.as_dict()
    data["names"] = _names(mission, result)
    data.update(extra or {})
    comp = Composition.objects.create(
        mission=mission, demand=demand, units=units, rank=rank, base=base, removed_member=removed,
        status=result.status, served=result.served, total_cost=Decimal(str(round(result.total_cost, 2))),
        objective=result.objective, gap=result.gap, solve_seconds=result.solve_seconds, parameters=params,
        result=data)
    comp.members.set([int(m) for m in result.members])
    return comp


def compose_mission(*, user, mission: Mission, units: int, demand: Demand | None = None,
                    weights: dict | None = None, max_members: int | None = None, alternatives: int = 1,
                    time_limit: float = 20.0) -> list[Composition]:
    """Compose the best consortium (and ``alternatives - 1`` next best ones that differ in members) for
    ``units`` per period, and store them.  Infeasible demand is stored too: status "partial" with the
    binding stages and the shortfall."""
    _check_mission(user, mission)
    if units is None or int(units) < 1:
        raise ValidationError({"units": _("Give the demand as a whole number of units, 1 or more.")})
    if not 1 <= int(alternatives) <= 10:
        raise ValidationError({"alternatives": _("Ask for 1 to 10 consortia.")})
    if max_members is not None and int(max_members) < 1:
        raise ValidationError({"max_members": _("The consortium needs at least one member.")})
    objectives = _objectives(weights or {})
    stages, cands = engine_inputs(mission)
    if not stages:
        raise ValidationError(_("The mission has no stages yet: add stages (or apply a chain template) first."))
    trust = trust_scores({int(c.member) for c in cands}) if objectives.trust > 0 else None
    params = {"units": int(units), "weights": objectives.__dict__, "max_members": max_members,
              "alternatives": int(alternatives), "time_limit": time_limit}
    try:
        results = vc.alternatives(stages, cands, int(units), k=int(alternatives), objectives=objectives,
                                  trust=trust, max_members=max_members, on=timezone.localdate(),
                                  time_limit=time_limit)
        if not results:
            results = [vc.compose(stages, cands, int(units), objectives=objectives, trust=trust,
                                  max_members=max_members, on=timezone.localdate(), time_limit=time_limit)]
    except AnalyticsInputError as exc:
        raise _engine_error(exc) from exc
    with transaction.atomic():
        return [_store(mission=mission, demand=demand, units=int(units), params=params, result=r, rank=n)
                for n, r in enumerate(results, 1)]


def what_if_remove(*, user, composition: Composition, organization: Organization) -> Composition:
    """Compose again without ``organization``: how much of the demand is still served, at what cost."""
    mission = composition.mission
    _check_mission(user, mission)
    if not composition.members.filter(pk=organization.pk).exists():
        raise ValidationError({"organization": _("%(org)s is not a member of this consortium.")
                               % {"org": organization}})
    params = dict(composition.parameters)
    objectives = _objectives(params.get("weights", {}))
    stages, cands = engine_inputs(mission)
    trust = trust_scores({int(c.member) for c in cands}) if objectives.trust > 0 else None
    try:
        after = vc.compose(stages, cands, composition.units, objectives=objectives, trust=trust,
                           max_members=params.get("max_members"), on=timezone.localdate(),
                           exclude_members=[str(organization.pk)], time_limit=params.get("time_limit", 20.0))
    except AnalyticsInputError as exc:
        raise _engine_error(exc) from exc
    before = float(composition.result.get("total_cost", composition.total_cost))
    extra = {"served_share": after.served / composition.units if composition.units else 1.0,
             "cost_before": before, "cost_after": after.total_cost}
    params["removed"] = organization.pk
    with transaction.atomic():
        return _store(mission=mission, demand=composition.demand, units=composition.units, params=params,
                      result=after, base=composition, removed=organization, extra=extra)


# -- gaps ---------------------------------------------------------------------------------------------
def _find_gap(mission: Mission, stage: Stage, kind: str, units: int, horizon_days: int):
    from .selectors import mission_gaps

    for gap in mission_gaps(mission, units=units, horizon_days=horizon_days):
        if gap.stage == str(stage.pk) and gap.kind == kind:
            return gap
    raise ValidationError(_("Stage %(stage)s has no “%(kind)s” gap any more; reload the page.")
                          % {"stage": stage.name, "kind": kind})


def _member_names(gap) -> dict:
    pks = [int(m) for m in gap.members if str(m).isdigit()]
    return {str(o.pk): str(o) for o in Organization.objects.filter(pk__in=pks)} if pks else {}


def _gap_text(mission, stage, gap) -> tuple[str, str, str]:
    t = gap.target
    title = _("Partner wanted: %(stage)s for %(mission)s") % {"stage": stage.name, "mission": mission.title}
    background = _("The value chain of the mission “%(mission)s” has a gap at the stage “%(stage)s”: %(message)s") \
        % {"mission": mission.title, "stage": stage.name, "message": gap_message(gap, stage.name, _member_names(gap))}
    lines = [_("We look for a %(kind)s that can serve the stage “%(stage)s” with %(capacity)s %(unit)s per %(period)s.")
             % {"kind": t.organization_kind, "stage": stage.name, "capacity": t.capacity,
                "unit": stage.capacity_unit, "period": mission.capacity_period}]
    if t.licences:
        lines.append(_("Required licences: %(licences)s.") % {"licences": ", ".join(t.licences)})
    if t.min_quality:
        lines.append(_("Quality score of at least %(q)s.") % {"q": t.min_quality})
    if t.sectors:
        lines.append(_("Sectors (ISIC): %(codes)s.") % {"codes": ", ".join(t.sectors)})
    if t.region:
        lines.append(_("Preferably in region %(region)s.") % {"region": t.region})
    return title, background, "\n".join(lines)


@transaction.atomic
def challenge_from_gap(*, user, mission: Mission, stage: Stage, kind: str, units: int, horizon_days: int = 90):
    """A draft challenge (matchmaking) of the mission's owner, prefilled from a gap's recruitment target."""
    from khooshe.matching.models import Challenge
    from khooshe.registry.models import Region

    _check_mission(user, mission)
    if stage.mission_id != mission.pk:
        raise ValidationError({"stage": _("This stage belongs to another mission.")})
    gap = _find_gap(mission, stage, kind, units, horizon_days)
    title, background, statement = _gap_text(mission, stage, gap)
    region = mission.region or Region.objects.filter(code=gap.target.region).first()
    challenge = Challenge(owner=mission.owner, title=title[:300], background=background, problem_statement=statement,
                          constraints=_("Capacity unit: %(unit)s; at most %(share)s%% of the stage per member; "
                                        "minimum lot %(lot)s.") % {"unit": stage.capacity_unit,
                                                                   "share": round(stage.max_share * 100),
                                                                   "lot": stage.min_lot},
                          success_criteria=_("The stage “%(stage)s” has enough qualified capacity for the demand "
                                             "of %(units)s.") % {"stage": stage.name, "units": units},
                          region=region)
    if not Challenge.can_be_created_by(user) or not challenge.is_editable_by(user):
        raise PermissionDenied(_("You may not post challenges for this organization."))
    challenge.full_clean()
    challenge.save()
    challenge.sectors.set(Sector.objects.filter(pk__in=stage.sectors.values("pk")))
    return challenge


@transaction.atomic
def task_from_gap(*, user, mission: Mission, stage: Stage, kind: str, units: int, program, horizon_days: int = 90,
                  duration_days: int = 90):
    """A task in a cluster development program: recruit members for the gap's stage."""
    from khooshe.programs.models import Task

    _check_mission(user, mission)
    if not program.is_editable_by(user):
        raise PermissionDenied(_("You may not add tasks to this program."))
    gap = _find_gap(mission, stage, kind, units, horizon_days)
    title, _background, statement = _gap_text(mission, stage, gap)
    start = max(timezone.localdate(), program.start_date) if getattr(program, "start_date", None) \
        else timezone.localdate()
    end = start + dt.timedelta(days=duration_days - 1)
    if getattr(program, "end_date", None) and end > program.end_date:
        end = max(start, program.end_date)
    task = Task(program=program, title_fa=title[:500], title_en=title[:500], start_date=start, end_date=end,
                responsible_organization=mission.owner, expected_output=statement,
                success_indicators=_("Qualified capacity of the stage “%(stage)s” ≥ %(units)s.")
                % {"stage": stage.name, "units": units})
    task.full_clean()
    task.save()
    return task


# -- stages and templates -------------------------------------------------------------------------------
def cycle_problem(*, mission: Mission, stage: Stage | None, predecessors) -> str | None:
    """The message to show when giving ``stage`` these predecessors would make the chain cyclic."""
    graph = {str(s.pk): [str(p.pk) for p in s.predecessors.all()]
             for s in mission.stages.prefetch_related("predecessors")}
    key = str(stage.pk) if stage is not None and stage.pk else "new"
    graph[key] = [str(p.pk) for p in predecessors]
    for p in predecessors:
        if p.mission_id != mission.pk:
            return _("%(stage)s belongs to another mission.") % {"stage": p.name}
        if stage is not None and p.pk == stage.pk:
            return _("A stage cannot follow itself.")
    names = {str(s.pk): s.name for s in mission.stages.all()}
    names["new"] = stage.name if stage is not None else "?"
    try:
        vc.stage_order([vc.Stage(k, predecessors=tuple(v)) for k, v in graph.items()])
    except AnalyticsInputError as exc:
        if exc.code == "cyclic_order":
            return _("The stage order has a cycle: %(cycle)s. Remove one of these predecessor links.") % {
                "cycle": " → ".join(names.get(s, s) for s in exc.params["stages"])}
        raise
    return None


@transaction.atomic
def apply_template(*, user, mission: Mission, template: ChainTemplate) -> list[Stage]:
    """Copy a chain template's stages into a mission (names must not clash with its stages)."""
    _check_mission(user, mission)
    specs = template.stage_list
    problems = template_problems(specs)
    if problems:
        raise ValidationError(problems)
    existing = set(mission.stages.values_list("name", flat=True))
    clash = [s["name"] for s in specs if s["name"] in existing]
    if clash:
        raise ValidationError(_("The mission already has stages named %(names)s; rename or delete them first.")
                              % {"names": ", ".join(clash)})
    start = (mission.stages.order_by("-position").values_list("position", flat=True).first() or 0)
    created: dict[str, Stage] = {}
    depth: dict[str, int] = {}
    for spec in specs:
        name = spec["name"]
        depth[name] = 1 + max((depth[p] for p in spec.get("predecessors", [])), default=0)
        created[name] = Stage.objects.create(
            mission=mission, name=name, position=start + depth[name],
            licences=", ".join(spec.get("licences", [])), capability_tags=", ".join(spec.get("capability_tags", [])),
            capacity_unit=spec.get("capacity_unit", "unit"), min_quality=spec.get("min_quality", 0.0),
            max_share=spec.get("max_share", 1.0), min_lot=spec.get("min_lot", 0),
            organization_kind=spec.get("organization_kind", "sme"))
        created[name].predecessors.set([created[p] for p in spec.get("predecessors", [])])
        codes = spec.get("sectors", [])
        if codes:
            created[name].sectors.set(Sector.objects.filter(scheme="ISIC4", code__in=codes))
    return list(created.values())


@transaction.atomic
def load_shipped_templates(*, overwrite: bool = False) -> list[ChainTemplate]:
    """Create (or, with ``overwrite``, reset) the shipped chain templates."""
    out = []
    for data in shipped_templates():
        obj, made = ChainTemplate.objects.get_or_create(
            key=data["key"], defaults={"name_fa": data["name_fa"], "name_en": data["name_en"],
                                       "stages": json.dumps(data["stages"], ensure_ascii=False, indent=1)})
        if not made and overwrite:
            obj.name_fa, obj.name_en = data["name_fa"], data["name_en"]
            obj.stages = json.dumps(data["stages"], ensure_ascii=False, indent=1)
            obj.save()
        out.append(obj)
    return out


@transaction.atomic
def import_template(*, user, data: bytes) -> tuple[ChainTemplate, bool]:
    """Create or update a chain template from its JSON export."""
    if not ChainTemplate.can_be_created_by(user):
        raise PermissionDenied(_("Only platform administrators may import chain templates."))
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError({"file": _("The file is not JSON: %(error)s") % {"error": exc}}) from None
    if not isinstance(doc, dict) or not doc.get("key") or not doc.get("name_fa"):
        raise ValidationError({"file": _("The file needs “key”, “name_fa” and “stages”.")})
    problems = template_problems(doc.get("stages"))
    if problems:
        raise ValidationError({"file": problems})
    obj, made = ChainTemplate.objects.update_or_create(
        key=str(doc["key"])[:60], defaults={"name_fa": str(doc["name_fa"])[:200],
                                            "name_en": str(doc.get("name_en", ""))[:200],
                                            "stages": json.dumps(doc["stages"], ensure_ascii=False, indent=1)})
    obj.full_clean()
    return obj, made


__all__ = ["apply_template", "challenge_from_gap", "compose_mission", "cycle_problem", "engine_inputs",
           "import_template", "load_shipped_templates", "task_from_gap", "trust_scores", "what_if_remove",
           "Licence"]
