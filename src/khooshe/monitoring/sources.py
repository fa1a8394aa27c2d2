"""Named sources a derived indicator's formula can use, computed for one period from Khooshe's data.

Every source is a function ``(context) -> Decimal | None`` of a :class:`SourceContext` (the program, its
cluster, the period's first and last day).  "In the period" means dated between the first and the last
day, both included; counts "at the end of the period" use the state on the last day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from khooshe.registry.models import Agreement, Relation, RelationType


@dataclass
class SourceContext:
    program: object
    cluster: object
    start: dt.date
    end: dt.date
    _cache: dict = field(default_factory=dict)

    def members(self) -> list[int]:
        if "members" not in self._cache:
            from .selectors import members_at

            self._cache["members"] = members_at(self.cluster, self.end)
        return self._cache["members"]

    def network(self):
        if "network" not in self._cache:
            from .selectors import network_figures

            self._cache["network"] = network_figures(self.cluster, self.end, program=self.program)
        return self._cache["network"]


def _d(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(round(float(value), 6))) if isinstance(value, float) else Decimal(value)


def _relations_in_period(ctx: SourceContext):
    ids = ctx.members()
    return Relation.objects.filter(source_id__in=ids, target_id__in=ids,
                                   start_date__gte=ctx.start, start_date__lte=ctx.end)


def _agreements_in_period(ctx: SourceContext):
    return Agreement.objects.filter(parties__in=ctx.members(), signed_on__gte=ctx.start,
                                    signed_on__lte=ctx.end).distinct()


def active_member_ids(ctx: SourceContext) -> set[int]:
    """Members with at least one recorded interaction in the period: a relation that started in it, an
    agreement signed in it, or a proposal sent or received (matching) in it."""
    ids = set(ctx.members())
    active: set[int] = set()
    for source, target in _relations_in_period(ctx).values_list("source_id", "target_id"):
        active.update((source, target))
    active.update(Agreement.objects.filter(signed_on__gte=ctx.start, signed_on__lte=ctx.end)
                  .values_list("parties", flat=True))
    try:
        from khooshe.matching.models import Proposal
    except ImportError:  # pragma: no cover - matching is always installed
        Proposal = None
    if Proposal is not None:
        start = dt.datetime.combine(ctx.start, dt.time.min, tzinfo=dt.UTC)
        end = dt.datetime.combine(ctx.end, dt.time.max, tzinfo=dt.UTC)
        for solver, owner in Proposal.objects.filter(created_at__gte=start, created_at__lte=end).values_list(
                "solver_id", "challenge__owner_id"):
            active.update((solver, owner))
    return active & ids


def _joint_action_ids(ctx: SourceContext) -> set[int]:
    ids = set(ctx.members())
    found: set[int] = set()
    for source, target in _relations_in_period(ctx).filter(type=RelationType.JOINT_PROJECT).values_list(
            "source_id", "target_id"):
        found.update((source, target))
    for agreement in _agreements_in_period(ctx).prefetch_related("parties"):
        parties = {p.pk for p in agreement.parties.all()} & ids
        if len(parties) >= 2:
            found |= parties
    return found & ids


def _trust_index(ctx: SourceContext) -> Decimal | None:
    """Mean trust (1-5) given in the network answers of the cluster's surveys submitted in the period."""
    from .models import Invitation, QuestionKind

    total = count = 0
    invitations = Invitation.objects.filter(questionnaire__cluster=ctx.cluster, submitted_at__date__gte=ctx.start,
                                            submitted_at__date__lte=ctx.end).select_related("questionnaire")
    network_questions = {}
    for invitation in invitations:
        qn = invitation.questionnaire_id
        if qn not in network_questions:
            network_questions[qn] = {str(pk) for pk in invitation.questionnaire.questions.filter(
                kind=QuestionKind.NETWORK).values_list("pk", flat=True)}
        for key, value in (invitation.answers or {}).items():
            if key in network_questions[qn] and isinstance(value, list):
                for tie in value:
                    trust = tie.get("trust") if isinstance(tie, dict) else None
                    if isinstance(trust, int | float):
                        total += trust
                        count += 1
    return None if count == 0 else Decimal(total) / Decimal(count)


def _center(ctx: SourceContext, key: str):
    center = ctx.network().get("center")
    return None if center is None else _d(center[key])


@dataclass(frozen=True)
class Source:
    label: object
    compute: Callable[[SourceContext], Decimal | None]


SOURCES: dict[str, Source] = {
    "members": Source(_("Members of the cluster at the end of the period"),
                      lambda ctx: Decimal(len(ctx.members()))),
    "active_members": Source(_("Members with at least one recorded interaction in the period (relation, "
                               "agreement or proposal)"), lambda ctx: Decimal(len(active_member_ids(ctx)))),
    "relations": Source(_("Relations between members in force at the end of the period"),
                        lambda ctx: Decimal(ctx.network()["ties"])),
    "new_relations": Source(_("Relations between members that started in the period"),
                            lambda ctx: Decimal(_relations_in_period(ctx).count())),
    "survey_relations": Source(_("Relations between members reported in surveys in the period"),
                               lambda ctx: Decimal(_relations_in_period(ctx).filter(
                                   origin=Relation.Origin.SURVEY).count())),
    "joint_projects": Source(_("Joint-project relations between members that started in the period"),
                             lambda ctx: Decimal(_relations_in_period(ctx).filter(
                                 type=RelationType.JOINT_PROJECT).count())),
    "firms_in_joint_actions": Source(_("Members in at least one joint action (joint project or agreement with "
                                       "another member) in the period"),
                                     lambda ctx: Decimal(len(_joint_action_ids(ctx)))),
    "agreements": Source(_("Agreements signed by a member in the period"),
                         lambda ctx: Decimal(_agreements_in_period(ctx).count())),
    "density": Source(_("Network density at the end of the period"), lambda ctx: _d(ctx.network()["density"])),
    "average_degree": Source(_("Average ties per member"), lambda ctx: _d(ctx.network()["average_degree"])),
    "degree_centralization": Source(_("Freeman degree centralisation"),
                                    lambda ctx: _d(ctx.network()["degree_centralization"])),
    "transitivity": Source(_("Clustering (transitivity)"), lambda ctx: _d(ctx.network()["transitivity"])),
    "components": Source(_("Connected components"), lambda ctx: Decimal(ctx.network()["components"])),
    "isolates": Source(_("Members without ties"), lambda ctx: Decimal(len(ctx.network()["isolates"]))),
    "isolate_share": Source(_("Share of members without ties (0-1)"),
                            lambda ctx: _d(ctx.network()["isolate_share"])),
    "ei_index": Source(_("E-I index of firm-institution ties"), lambda ctx: _d(ctx.network()["ei_index"])),
    "cda_degree_share": Source(_("Centralisation around the CDA: share of members tied to it (0-1)"),
                               lambda ctx: _center(ctx, "degree_share")),
    "cda_betweenness": Source(_("Centralisation around the CDA: its betweenness (0-1)"),
                              lambda ctx: _center(ctx, "betweenness")),
    "trust_index": Source(_("Mean trust (1-5) in the survey network answers submitted in the period"),
                          _trust_index),
}


def source_values(ctx: SourceContext, wanted: list[str]) -> dict[str, Decimal | None]:
    return {name: SOURCES[name].compute(ctx) for name in wanted if name in SOURCES}



# -- hubs: residents' outcomes (issue 5: "jobs created and capital raised in hubs") ----------------------
def _hub_outcomes(ctx: SourceContext) -> dict:
    """The outcome figures of the cluster's residents (hubs.residents.selectors.cluster_resident_outcomes):
    residencies of the cluster's members at any site, and every residency at a site whose operator is a
    member (the cluster's own innovation factory). A member hosted by an outside hub still counts: the
    jobs and capital are the cluster's; an outside hub's other residents do not."""
    if "hub_outcomes" not in ctx._cache:
        from khooshe.hubs.residents.selectors import cluster_resident_outcomes

        ctx._cache["hub_outcomes"] = cluster_resident_outcomes(ctx.members(), ctx.start, ctx.end)
    return ctx._cache["hub_outcomes"]


SOURCES.update({
    "hub_jobs_created": Source(_("Jobs created by the cluster's hub residents up to the end of the period (latest "
                                 "headcount minus headcount at entry)"),
                               lambda ctx: Decimal(_hub_outcomes(ctx)["jobs_created"])),
    "hub_capital_raised": Source(_("Capital raised by the cluster's hub residents in the period (rials)"),
                                 lambda ctx: Decimal(_hub_outcomes(ctx)["capital_raised"])),
    "hub_graduates": Source(_("Teams of the cluster that graduated from a hub in the period"),
                            lambda ctx: Decimal(_hub_outcomes(ctx)["graduates"])),
})


# -- hubs: events held (issue 5: "events held") -----------------------------------------------------------
def _hub_events(ctx: SourceContext) -> dict:
    """hubs.events.selectors.event_figures for the sites of the cluster's own hubs (operators that are
    members): the events the cluster's innovation factories and creative houses held in the period."""
    if "hub_events" not in ctx._cache:
        from khooshe.hubs.events.selectors import event_figures
        from khooshe.hubs.models import Site

        sites = list(Site.objects.filter(operator_id__in=ctx.members()).values_list("pk", flat=True))
        ctx._cache["hub_events"] = event_figures(site_ids=sites, first=ctx.start, last=ctx.end)
    return ctx._cache["hub_events"]


SOURCES.update({
    "hub_events": Source(_("Events held in the period by the hubs that are members of the cluster"),
                         lambda ctx: Decimal(_hub_events(ctx)["events"])),
    "hub_event_attendance": Source(_("People checked in at those events"),
                                   lambda ctx: Decimal(_hub_events(ctx)["attended"])),
})
