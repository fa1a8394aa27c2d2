"""Reads of residents: who may see or move a resident, room credits of a month, the journey board and
timeline, and the outcome figures used by dashboards and monitoring (``resident_outcomes``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

import jdatetime
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from khooshe.core.jalali import to_jalali
from khooshe.registry.access import access_for

from .models import CreditCharge, JourneyStage, KpiSnapshot, Residency, StageMove, StageOutcome


# -- access ------------------------------------------------------------------------------------------------------
def is_residency_staff(user, residency: Residency) -> bool:
    """Staff of the residency's site (or an admin): they enter figures and move stages."""
    acc = access_for(user)
    return acc.is_admin or residency.site.operator_id in acc.hub_ids


# -- credits ------------------------------------------------------------------------------------------------------
def credit_month(day: dt.date) -> dt.date:
    """The first (Gregorian) day of the Jalali month of ``day``: credits renew each Jalali month."""
    j = to_jalali(day)
    return jdatetime.date(j.year, j.month, 1).togregorian()


def credits_used(residency: Residency, month: dt.date) -> Decimal:
    """Credits spent by the residency's active bookings of the month (a cancelled booking gives them back)."""
    from khooshe.hubs.models import Booking

    total = (CreditCharge.objects.filter(residency=residency, month=month,
                                         booking__in=Booking.objects.active())
             .aggregate(total=Sum("credits"))["total"])
    return total or Decimal(0)


def credit_summary(residency: Residency, day: dt.date) -> dict:
    month = credit_month(day)
    used = credits_used(residency, month)
    return {"month": month, "allowance": residency.monthly_credits, "used": used,
            "left": max(residency.monthly_credits - used, Decimal(0))}


def booking_residency(*, user, site, organization, day: dt.date) -> Residency | None:
    """The active residency whose credits pay a booking: the booking's organization's, else the first
    residency at the site of an organization the booker belongs to."""
    qs = Residency.objects.active_on(day).filter(site=site, status=Residency.Status.ACTIVE).order_by("pk")
    if organization is not None:
        return qs.filter(organization=organization).first()
    own = access_for(user).organization_ids
    return qs.filter(organization__in=own).first() if own else None


# -- the journey ---------------------------------------------------------------------------------------------------
def skipped_stages(current: JourneyStage, target: JourneyStage) -> list[JourneyStage]:
    """The stages a move passes over without stopping. Moving to the next stage skips none; an exit skips
    none (a team may leave at any stage); a move back "skips" the stages between (it needs a reason too);
    graduation and exit stages never count as skipped."""
    if target.outcome == StageOutcome.EXITED:
        return []
    low, high = sorted((current.order, target.order))
    between = JourneyStage.objects.filter(site_id=current.site_id, order__gt=low, order__lt=high, outcome="")
    if target.order < current.order:
        return list(between) or [target]
    return list(between.order_by("order"))


def stage_on(residency_ids, day: dt.date) -> dict[int, int | None]:
    """Stage id of each residency on ``day``: the target of its latest move on or before it; when its
    first move came later, the stage that move started from; without moves, its current stage."""
    moves = defaultdict(list)
    for residency_id, moved_on, from_id, to_id in (StageMove.objects.filter(residency_id__in=residency_ids)
                                                   .order_by("moved_on", "pk")
                                                   .values_list("residency_id", "moved_on", "from_stage_id",
                                                                "to_stage_id")):
        moves[residency_id].append((moved_on, from_id, to_id))
    result = {}
    for pk, stage_id in Residency.objects.filter(pk__in=residency_ids).values_list("pk", "stage_id"):
        rows = moves.get(pk)
        if not rows:
            result[pk] = stage_id
            continue
        reached = [to_id for moved_on, _from, to_id in rows if moved_on <= day]
        result[pk] = reached[-1] if reached else rows[0][1]
    return result


def journey_board(site, user, day: dt.date) -> list[dict]:
    """Columns of the site's journey board: each stage with the residents at it on ``day``."""
    from .services import ensure_journey_stages

    stages = ensure_journey_stages(site=site)
    residencies = list(Residency.objects.visible_to(user).filter(site=site, status=Residency.Status.ACTIVE)
                       .active_on(day).select_related("organization"))
    current = {r.pk: r.stage_id for r in residencies}
    first = next((s.pk for s in stages if not s.outcome), None)
    cards = defaultdict(list)
    for r in residencies:
        cards[current[r.pk] or first].append(r)
    return [{"stage": s, "residencies": cards.get(s.pk, []), "count": len(cards.get(s.pk, []))}
            for s in stages if not s.outcome or cards.get(s.pk)]


def timeline(residency: Residency) -> list[dict]:
    """The resident's moves, oldest first, each with its KPI snapshot."""
    return [{"move": m, "snapshot": m.snapshot} for m in
            residency.stage_moves.select_related("from_stage", "to_stage", "approved_by", "snapshot")
            .order_by("moved_on", "pk")]


def kpi_series(residency: Residency) -> dict:
    """The resident's snapshots as chart series (dates as ISO text; the page shows them in Jalali)."""
    rows = list(residency.kpi_snapshots.order_by("date", "pk").values_list(
        "date", "headcount", "funds_raised", "customers", "patents"))
    return {"dates": [d.isoformat() for d, *_rest in rows],
            "headcount": [r[1] for r in rows], "funds_raised": [r[2] for r in rows],
            "customers": [r[3] for r in rows], "patents": [r[4] for r in rows]}


# -- outcome figures ------------------------------------------------------------------------------------------------
def resident_outcomes(*, site_ids: list[int] | None, first: dt.date, last: dt.date) -> dict:
    """Outcome figures of the residents of the sites ``site_ids`` (None: every site) for the period
    [first, last], both days included.

    - "jobs_created": the sum over every residency that started on or before ``last`` and has a KPI
      snapshot dated on or before ``last`` of (headcount of its latest snapshot up to ``last``) minus
      (headcount of its earliest snapshot, the one taken at entry). Net: a team that shrank counts
      negative. Snapshots are the ones entered by staff and those taken at stage moves.
    - "capital_raised": rials raised in the period: for each such residency, funds raised to date of its
      latest snapshot up to ``last`` minus that of its latest snapshot before ``first`` (or, when it has
      none, of its earliest snapshot: money raised before it joined does not count).
    - "graduates": moves to a graduation stage dated in [first, last].
    - "residents": residencies in force on ``last`` (started on or before it, ending on or after it).
    - "by_stage": stage name -> count of those residents, by their stage on ``last``.
    - "by_sector": sector title -> count of those residents; a resident with several sectors counts in
      each, one with none under "Sector not given".
    """
    qs = Residency.objects.all()
    if site_ids is not None:
        qs = qs.filter(site_id__in=site_ids)
    return outcomes_of(qs, first, last)


def cluster_resident_outcomes(member_ids, first: dt.date, last: dt.date) -> dict:
    """``resident_outcomes`` for a cluster: the residencies of cluster members at any site, and every
    residency at a site run by a member (the cluster's own innovation factory or hub)."""
    qs = Residency.objects.filter(Q(organization_id__in=member_ids) | Q(site__operator_id__in=member_ids))
    return outcomes_of(qs, first, last)


def outcomes_of(residencies, first: dt.date, last: dt.date) -> dict:
    ids = list(residencies.filter(start_date__lte=last).values_list("pk", flat=True))
    snapshots = defaultdict(list)
    for residency_id, date, headcount, funds in (KpiSnapshot.objects.filter(residency_id__in=ids, date__lte=last)
                                                 .order_by("residency_id", "date", "pk")
                                                 .values_list("residency_id", "date", "headcount", "funds_raised")):
        snapshots[residency_id].append((date, headcount, funds))
    jobs = raised = 0
    for rows in snapshots.values():
        jobs += rows[-1][1] - rows[0][1]
        before = [r for r in rows if r[0] < first]
        raised += rows[-1][2] - (before[-1][2] if before else rows[0][2])
    graduates = StageMove.objects.filter(residency_id__in=ids, to_stage__outcome=StageOutcome.GRADUATED,
                                         moved_on__gte=first, moved_on__lte=last).count()
    active = list(residencies.active_on(last).values_list("pk", flat=True))
    stages = stage_on(active, last)
    names = dict(JourneyStage.objects.filter(pk__in={s for s in stages.values() if s}).values_list("pk", "name"))
    by_stage = Counter(names.get(stages.get(pk), _("Stage not set")) for pk in active)
    by_sector: Counter = Counter()
    sectors = defaultdict(list)
    from khooshe.registry.models import Organization

    for org_id, title_fa, title_en in (Organization.sectors.through.objects
                                       .filter(organization__residencies__in=active)
                                       .values_list("organization_id", "sector__title_fa", "sector__title_en")):
        sectors[org_id].append((title_fa, title_en))
    persian = _is_persian()
    for org_id in Residency.objects.filter(pk__in=active).values_list("organization_id", flat=True):
        titles = {(fa or en) if persian else (en or fa) for fa, en in sectors.get(org_id, [])}
        for title in titles or {_("Sector not given")}:
            by_sector[title] += 1
    return {"jobs_created": int(jobs), "capital_raised": int(raised), "graduates": graduates,
            "residents": len(active), "by_stage": dict(by_stage), "by_sector": dict(by_sector)}


def _is_persian() -> bool:
    from khooshe.core.jalali import is_persian

    return is_persian()
