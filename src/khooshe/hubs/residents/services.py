"""Writes of residents: residency contracts (one resident per dedicated desk or office), the journey's
default stages, stage moves through a gate, KPI snapshots and room credits consumed by bookings.
Every write is keyword-only and runs in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from khooshe.core.jalali import format_date
from khooshe.core.templatetags.khooshe import digits, list_separator
from khooshe.hubs.models import Booking, Site, Space, SpaceKind

from . import selectors
from .models import (
    EXCLUSIVE_KINDS,
    CreditCharge,
    JourneyStage,
    KpiSnapshot,
    Residency,
    StageMove,
    StageOutcome,
)

DESK_KINDS = (SpaceKind.HOT_DESK, SpaceKind.DEDICATED_DESK)


class ResidentError(Exception):
    """A write refused for a reason the user can fix; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# -- the journey's default stages ---------------------------------------------------------------------
# From the seed text on an innovation factory: "the path of people in the factory runs from creativity in
# the ideation space to feasibility studies of the idea, prototypes, a market test of the product or
# service, launch, scale-up and customer feedback, ending in innovative SMEs".
DEFAULT_STAGES = [
    # key, Persian name, English name, entry criteria (Persian | English), evidence kinds, outcome
    ("ideation", "ایده‌پردازی", "Ideation",
     "تیم و ایده ثبت شده است", "The team and its idea are registered", "", StageOutcome.NONE),
    ("feasibility", "مطالعه امکان‌سنجی", "Feasibility study",
     "مسئله و مشتری هدف روشن است\nبرآورد بازار و هزینه انجام شده است",
     "The problem and the target customer are clear\nThe market and costs are estimated",
     "feasibility report", StageOutcome.NONE),
    ("prototype", "نمونه اولیه", "Prototype",
     "امکان‌سنجی تأیید شده است\nنمونه اولیه کار می‌کند", "The feasibility study is accepted\nA prototype works",
     "prototype demo", StageOutcome.NONE),
    ("market_test", "آزمون بازار", "Market test",
     "نمونه اولیه با کاربران واقعی آزموده شده است", "The prototype was tried by real users",
     "user test results", StageOutcome.NONE),
    ("launch", "راه‌اندازی", "Launch",
     "محصول یا خدمت به فروش رسیده است\nشرکت ثبت شده است", "The product or service is on sale\nThe company is registered",
     "first invoice", StageOutcome.NONE),
    ("scale", "مقیاس‌پذیری", "Scale",
     "درآمد تکرارشونده دارد\nتیم در حال رشد است", "Recurring revenue\nA growing team", "financial statement",
     StageOutcome.NONE),
    ("graduation", "دانش‌آموختگی", "Graduation",
     "می‌تواند بیرون از کارخانه ادامه دهد", "Can carry on outside the factory", "graduation review",
     StageOutcome.GRADUATED),
    ("exit", "خروج", "Exit", "", "", "", StageOutcome.EXITED),
]


@transaction.atomic
def ensure_journey_stages(*, site: Site) -> list[JourneyStage]:
    """The site's stages, creating the default journey the first time (in Persian when the active
    language is Persian, as public holidays are); staff may then rename, add or reorder them."""
    stages = list(JourneyStage.objects.filter(site=site).order_by("order", "pk"))
    if stages:
        return stages
    persian = (get_language() or "fa").startswith("fa")
    JourneyStage.objects.bulk_create([
        JourneyStage(site=site, order=i, key=key, name=fa if persian else en,
                     entry_criteria=criteria_fa if persian else criteria_en, required_evidence=evidence,
                     outcome=outcome)
        for i, (key, fa, en, criteria_fa, criteria_en, evidence, outcome) in enumerate(DEFAULT_STAGES, start=1)
    ], ignore_conflicts=True)
    return list(JourneyStage.objects.filter(site=site).order_by("order", "pk"))


def first_stage(site: Site) -> JourneyStage:
    return next(s for s in ensure_journey_stages(site=site) if not s.outcome)


# -- contracts ---------------------------------------------------------------------------------------------
def check_contract(*, residency: Residency, spaces) -> None:
    """Raise ``ResidentError`` when a space belongs to another site or a dedicated desk or private office is
    already occupied by another active residency in overlapping dates, or when the contract has more
    desks than its plan includes."""
    plan = residency.hub_plan
    desks = [s for s in spaces if s.kind in DESK_KINDS]
    if plan is not None and len(desks) > plan.desks_included:
        raise ResidentError(_("The plan “%(plan)s” includes %(n)s desks and %(m)s are chosen; choose fewer desks or "
                              "another plan.") % {"plan": plan, "n": digits(plan.desks_included),
                                                  "m": digits(len(desks))}, "spaces")
    for space in spaces:
        if space.site_id != residency.site_id:
            raise ResidentError(_("“%(space)s” belongs to another site; choose spaces of %(site)s.")
                                % {"space": space, "site": residency.site}, "spaces")
        if residency.status != Residency.Status.ACTIVE or space.kind not in EXCLUSIVE_KINDS:
            continue
        others = (Residency.objects.filter(spaces=space, status=Residency.Status.ACTIVE)
                  .exclude(pk=residency.pk).select_related("organization"))
        if residency.end_date:
            others = others.filter(start_date__lte=residency.end_date)
        other = others.filter(Q(end_date__isnull=True) | Q(end_date__gte=residency.start_date)).first()
        if other is not None:
            until = format_date(other.end_date) if other.end_date else _("no end date")
            raise ResidentError(_("“%(space)s” is already occupied by %(other)s (from %(start)s to %(end)s); "
                                  "choose another desk or office, or end that residency first.")
                                % {"space": space, "other": other.organization, "start": format_date(other.start_date),
                                   "end": until}, "spaces")


def _apply_plan(residency: Residency) -> None:
    """A new contract on a plan takes the plan's price and credits unless they were entered."""
    plan = residency.hub_plan
    if plan is not None and residency.pk is None:
        residency.monthly_price = residency.monthly_price or plan.monthly_price
        residency.monthly_credits = residency.monthly_credits or plan.monthly_credits


def save_residency_from_form(*, user, form, config) -> Residency:
    """The generic form's save: the contract rules of ``check_contract``; a new residency starts at the
    site's first stage. A refusal becomes the form's error."""
    with transaction.atomic():
        residency = form.save(commit=False)
        if not config.can_change(user, residency):
            raise PermissionDenied(_("You may not save this record."))
        spaces = list(form.cleaned_data.get("spaces") or [])
        try:
            save_residency(residency=residency, spaces=spaces)
        except ResidentError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            raise PermissionDenied(_("The residency was not saved; see the message above.")) from exc
        form.save_m2m()
    return residency


@transaction.atomic
def save_residency(*, residency: Residency, spaces: list[Space] | None = None) -> Residency:
    """Save a residency (its spaces when given) under the contract rules."""
    given = spaces is not None
    if not given:
        spaces = list(residency.spaces.all()) if residency.pk else []
    # Lock the spaces' rows so two contracts for one desk cannot both pass the check.
    list(Space.objects.select_for_update().filter(pk__in=[s.pk for s in spaces]))
    check_contract(residency=residency, spaces=spaces)
    _apply_plan(residency)
    if residency.stage_id is None:
        residency.stage = first_stage(residency.site)
    residency.save()
    if given:
        residency.spaces.set(spaces)
    return residency


# -- KPI snapshots and stage moves ---------------------------------------------------------------------------
KPI_FIELDS = ("headcount", "revenue_band", "funds_raised", "customers", "patents")


def _check_staff(user, residency: Residency, action: str) -> None:
    if not selectors.is_residency_staff(user, residency):
        raise PermissionDenied(_("Only the staff of %(site)s may %(action)s.") % {"site": residency.site,
                                                                                   "action": action})


@transaction.atomic
def record_kpi(*, user, residency: Residency, date: dt.date, headcount: int, revenue_band: str = "none",
               funds_raised: int = 0, customers: int = 0, patents: int = 0) -> KpiSnapshot:
    """Record the resident's figures on ``date`` (staff of the site only)."""
    _check_staff(user, residency, _("record figures of this resident"))
    if date < residency.start_date:
        raise ResidentError(_("The date %(date)s is before the residency started (%(start)s).")
                            % {"date": format_date(date), "start": format_date(residency.start_date)}, "date")
    if date > timezone.localdate():
        raise ResidentError(_("The date %(date)s is in the future; record figures that are already known.")
                            % {"date": format_date(date)}, "date")
    if revenue_band not in KpiSnapshot.RevenueBand.values:
        raise ResidentError(_("Unknown revenue band “%(value)s”.") % {"value": revenue_band}, "revenue_band")
    for name, value in (("headcount", headcount), ("funds_raised", funds_raised), ("customers", customers),
                        ("patents", patents)):
        if value is None or value < 0:
            raise ResidentError(_("Enter a number of zero or more for “%(field)s”.")
                                % {"field": KpiSnapshot._meta.get_field(name).verbose_name}, name)
    earlier = (KpiSnapshot.objects.filter(residency=residency, date__lte=date).order_by("-date", "-pk")
               .values_list("funds_raised", flat=True).first())
    if earlier is not None and funds_raised < earlier:
        raise ResidentError(_("Funds raised to date is cumulative: %(value)s is less than the %(earlier)s "
                              "recorded before; enter the total raised so far.")
                            % {"value": digits(f"{funds_raised:,}"),
                               "earlier": digits(f"{earlier:,}")}, "funds_raised")
    return KpiSnapshot.objects.create(residency=residency, date=date, headcount=headcount, revenue_band=revenue_band,
                                      funds_raised=funds_raised, customers=customers, patents=patents,
                                      recorded_by=user)


@transaction.atomic
def move_stage(*, user, residency: Residency, to_stage: JourneyStage, kpi: dict, checklist: list[str] | None = None,
               moved_on: dt.date | None = None, evidence_file=None, evidence_link: str = "", note: str = "",
               skip_reason: str = "", cancel_future_bookings: bool = True) -> StageMove:
    """Move a resident to ``to_stage`` after the gate: staff of the site only; every entry criterion of the
    stage ticked; evidence (file or link) when the stage asks for it; a reason when the move is not to
    the next stage (an exit needs none). ``kpi`` is the snapshot taken at the gate (KPI_FIELDS).

    Graduation or exit ends the residency on ``moved_on`` and frees its spaces; the resident's bookings of
    those spaces after that day are cancelled (``cancel_future_bookings``)."""
    residency = Residency.objects.select_for_update(of=("self",)).select_related("site", "stage").get(pk=residency.pk)
    _check_staff(user, residency, _("move residents between stages"))
    moved_on = moved_on or timezone.localdate()
    if residency.status != Residency.Status.ACTIVE:
        raise ResidentError(_("This residency is %(status)s; only an active resident moves between stages.")
                            % {"status": residency.get_status_display()}, "to_stage")
    if to_stage.site_id != residency.site_id:
        raise ResidentError(_("The stage “%(stage)s” belongs to another site.") % {"stage": to_stage}, "to_stage")
    current = residency.stage or first_stage(residency.site)
    if to_stage.pk == current.pk:
        raise ResidentError(_("The resident is already at “%(stage)s”; choose another stage.")
                            % {"stage": to_stage}, "to_stage")
    last_move = residency.stage_moves.order_by("-moved_on", "-pk").values_list("moved_on", flat=True).first()
    if moved_on < residency.start_date or (last_move and moved_on < last_move):
        after = max(d for d in (residency.start_date, last_move) if d)
        raise ResidentError(_("The date %(date)s is before the residency's start or its last move (%(after)s).")
                            % {"date": format_date(moved_on), "after": format_date(after)}, "moved_on")
    if moved_on > timezone.localdate():
        raise ResidentError(_("The date %(date)s is in the future; move the resident on the day of the decision.")
                            % {"date": format_date(moved_on)}, "moved_on")
    skipped = selectors.skipped_stages(current, to_stage)
    if skipped and not skip_reason.strip():
        raise ResidentError(_("Moving from “%(from)s” to “%(to)s” skips %(skipped)s; give a reason.")
                            % {"from": current, "to": to_stage, "skipped": list_separator().join(s.name for s in skipped)},
                            "skip_reason")
    missing = [c for c in to_stage.criteria if c not in (checklist or [])]
    if missing:
        raise ResidentError(_("Tick every entry criterion of “%(stage)s” before the move; not met: %(missing)s.")
                            % {"stage": to_stage, "missing": list_separator().join(missing)}, "checklist")
    if to_stage.evidence_kinds and not (evidence_file or evidence_link):
        raise ResidentError(_("“%(stage)s” asks for evidence (%(kinds)s): attach a file or give a link.")
                            % {"stage": to_stage, "kinds": list_separator().join(to_stage.evidence_kinds)}, "evidence_link")
    snapshot = record_kpi(user=user, residency=residency, date=moved_on,
                          **{k: v for k, v in kpi.items() if k in KPI_FIELDS})
    move = StageMove.objects.create(
        residency=residency, from_stage=current, to_stage=to_stage, moved_on=moved_on, approved_by=user,
        checklist=list(checklist or []), evidence_file=evidence_file or "", evidence_link=evidence_link, note=note,
        skip_reason=skip_reason.strip(), snapshot=snapshot)
    residency.stage = to_stage
    fields = ["stage", "updated_at"]
    if to_stage.outcome:
        residency.status = (Residency.Status.GRADUATED if to_stage.outcome == StageOutcome.GRADUATED
                            else Residency.Status.EXITED)
        residency.end_date = moved_on
        fields += ["status", "end_date"]
        if cancel_future_bookings:
            _cancel_bookings_after(residency, moved_on)
    residency.save(update_fields=fields)
    return move


def _cancel_bookings_after(residency: Residency, day: dt.date) -> None:
    """Cancel (without a fee) the resident's active bookings of its own spaces that start after ``day``:
    the spaces are no longer theirs, and the next resident must find them free."""
    from khooshe.hubs.models import BookingSlot

    tz = residency.site.tzinfo
    after = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    ids = [s.pk for s in residency.spaces.all()]
    stale = list(Booking.objects.filter(space_id__in=ids, organization=residency.organization, start__gte=after,
                                        status__in=Booking.ACTIVE).values_list("pk", flat=True))
    Booking.objects.filter(pk__in=stale).update(status=Booking.Status.CANCELLED, cancelled_at=timezone.now())
    BookingSlot.objects.filter(booking_id__in=stale).update(active=False)


# -- room credits ---------------------------------------------------------------------------------------------
@dataclass
class CreditDecision:
    residency: Residency | None
    credits: Decimal  # consumed from the residency's month
    price: int


def credit_decision(*, user, space: Space, organization, start: dt.datetime, credits: Decimal, price: int,
                    is_staff: bool) -> CreditDecision:
    """How a room booking is paid: from the month's credits of the booker's residency when they cover it
    (the booking is then free), otherwise at the room's price, or refused when the plan says so.

    Called inside the booking's transaction after its write lock; the residency row is locked so two
    bookings cannot spend the same credits."""
    if credits <= 0:
        return CreditDecision(None, Decimal(0), price)
    residency = selectors.booking_residency(user=user, site=space.site, organization=organization,
                                            day=start.astimezone(space.site.tzinfo).date())
    if residency is None or residency.monthly_credits <= 0:
        return CreditDecision(None, Decimal(0), price)
    residency = Residency.objects.select_for_update(of=("self",)).select_related("hub_plan").get(pk=residency.pk)
    month = selectors.credit_month(start.astimezone(space.site.tzinfo).date())
    left = residency.monthly_credits - selectors.credits_used(residency, month)
    if credits <= left:
        return CreditDecision(residency, credits, 0)
    if residency.hub_plan is not None and residency.hub_plan.refuse_without_credits and not is_staff:
        from khooshe.hubs.services import BookingError

        raise BookingError(_("%(org)s has %(left)s room credits left this month and this booking needs %(need)s; "
                             "its plan does not allow paid bookings beyond the credits. Book a shorter time or "
                             "ask the hub's staff.") % {"org": residency.organization, "left": digits(str(left)),
                                                        "need": digits(str(credits))}, "space")
    return CreditDecision(residency, Decimal(0), price)


def record_credit_charge(*, booking: Booking, decision: CreditDecision) -> None:
    if decision.residency is not None and decision.credits > 0:
        day = booking.start.astimezone(booking.space.site.tzinfo).date()
        CreditCharge.objects.create(booking=booking, residency=decision.residency, month=selectors.credit_month(day),
                                    credits=decision.credits)


__all__ = ["DEFAULT_STAGES", "KPI_FIELDS", "ResidentError", "check_contract", "credit_decision", "ensure_journey_stages",
           "move_stage", "record_credit_charge", "record_kpi", "save_residency", "save_residency_from_form"]
