"""Models of residents: residencies under contracts, the journey from idea to graduation with gates and KPI snapshots.

They belong to the ``hubs`` app (app label ``hubs``); ``khooshe.hubs.models`` imports this module (and
re-exports ``Residency``). See docs/hubs.md, "Residents and their journey".
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from khooshe.core.models import TimeStampedModel

# Imported from khooshe.hubs.models, which imports this module at its end (after these are defined).
from khooshe.hubs.models import Site, SiteChild, SiteChildQuerySet, Space, SpaceKind  # noqa: I001
from khooshe.registry.access import access_for
from khooshe.registry.models import Organization


class PlanKind(models.TextChoices):
    HOT_DESK = "hot_desk", _("Hot desk")
    DEDICATED_DESK = "dedicated_desk", _("Dedicated desk")
    PRIVATE_OFFICE = "private_office", _("Private office")
    VIRTUAL = "virtual", _("Virtual office")


# Spaces one residency at a time may occupy (hot desks are shared by design).
EXCLUSIVE_KINDS = (SpaceKind.DEDICATED_DESK, SpaceKind.PRIVATE_OFFICE)


class HubPlan(SiteChild):
    """A membership plan of a site: what a resident pays each month and what it gets."""

    site = models.ForeignKey(Site, models.CASCADE, related_name="plans", verbose_name=_("site"))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=PlanKind.choices, default=PlanKind.HOT_DESK)
    monthly_price = models.PositiveBigIntegerField(_("monthly price (rials)"), default=0)
    monthly_credits = models.DecimalField(_("room credits per month"), max_digits=9, decimal_places=2, default=0,
                                          validators=[MinValueValidator(0)])
    desks_included = models.PositiveIntegerField(_("desks included"), default=1)
    refuse_without_credits = models.BooleanField(
        _("refuse room bookings when the credits run out"), default=False,
        help_text=_("Otherwise a booking beyond the month's credits is charged at the room's price."))

    objects = SiteChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("hub plan")
        verbose_name_plural = _("hub plans")
        ordering = ["site", "monthly_price", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("hubs:hubplan_detail", kwargs={"pk": self.pk})


class StageOutcome(models.TextChoices):
    """What reaching a stage does to the residency."""

    NONE = "", _("The team stays")
    GRADUATED = "graduated", _("Graduation: the residency ends")
    EXITED = "exited", _("Exit: the residency ends")


class JourneyStage(SiteChild):
    """One step of a site's journey from idea to graduation (defaults: services.ensure_journey_stages)."""

    site = models.ForeignKey(Site, models.CASCADE, related_name="journey_stages", verbose_name=_("site"))
    order = models.PositiveSmallIntegerField(_("order"))
    key = models.SlugField(_("key"), max_length=40, blank=True,
                           help_text=_("A fixed name for reports, e.g. prototype; empty for a stage of your own."))
    name = models.CharField(_("name"), max_length=200)
    entry_criteria = models.TextField(_("entry criteria"), blank=True,
                                      help_text=_("One criterion a line; staff tick each one at the gate."))
    required_evidence = models.CharField(_("required evidence"), max_length=300, blank=True,
                                         help_text=_("Kinds of evidence separated by commas, e.g. pitch deck, "
                                                     "prototype video."))
    outcome = models.CharField(_("outcome"), max_length=10, choices=StageOutcome.choices, blank=True, default="")

    objects = SiteChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("journey stage")
        verbose_name_plural = _("journey stages")
        ordering = ["site", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["site", "order"], name="hubs_journey_stage_order")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("hubs:journeystage_detail", kwargs={"pk": self.pk})

    @property
    def criteria(self) -> list[str]:
        return [line.strip() for line in self.entry_criteria.splitlines() if line.strip()]

    @property
    def evidence_kinds(self) -> list[str]:
        return [part.strip() for part in self.required_evidence.split(",") if part.strip()]

    def clean(self):
        if self.site_id and self.order is not None and JourneyStage.objects.filter(
                site_id=self.site_id, order=self.order).exclude(pk=self.pk).exists():
            raise ValidationError({"order": _("This site already has a stage number %(n)s; choose another "
                                              "number.") % {"n": self.order}})


class ResidencyQuerySet(models.QuerySet):
    def visible_to(self, user):
        acc = access_for(user)
        if acc.is_admin:
            return self
        condition = Q(pk__in=[])
        if acc.hub_ids:
            condition |= Q(site__operator__in=acc.hub_ids)
        if acc.organization_ids:
            condition |= Q(organization__in=acc.organization_ids)
        return self.filter(condition)

    def active_on(self, day):
        """Residencies in force on ``day``: started on or before it and not ended before it (the end
        date is the last day, so a team that graduates on ``day`` still counts on that day)."""
        return self.filter(start_date__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gte=day))


class Residency(SiteChild):
    """An organization occupies desks or offices of a site from a date to a date under a contract."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")
        GRADUATED = "graduated", _("Graduated")
        EXITED = "exited", _("Exited")

    site = models.ForeignKey(Site, models.CASCADE, related_name="residencies", verbose_name=_("site"))
    organization = models.ForeignKey(Organization, models.CASCADE, related_name="residencies",
                                     verbose_name=_("resident organization"))
    spaces = models.ManyToManyField(Space, blank=True, related_name="residencies", verbose_name=_("spaces"))
    hub_plan = models.ForeignKey(HubPlan, models.PROTECT, null=True, blank=True, related_name="residencies",
                                 verbose_name=_("plan"))
    plan = models.CharField(_("contract note"), max_length=200, blank=True,
                            help_text=_("A short description of the contract, e.g. four desks by the window."))
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"), null=True, blank=True)
    monthly_price = models.PositiveBigIntegerField(_("monthly price (rials)"), default=0)
    monthly_credits = models.DecimalField(_("room credits per month"), max_digits=9, decimal_places=2, default=0)
    deposit = models.PositiveBigIntegerField(_("deposit (rials)"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    stage = models.ForeignKey(JourneyStage, models.PROTECT, null=True, blank=True, related_name="residencies",
                              verbose_name=_("current stage"), editable=False)

    objects = ResidencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("residency")
        verbose_name_plural = _("residencies")
        ordering = ["-start_date", "pk"]

    def __str__(self):
        return f"{self.organization} @ {self.site}"

    def get_absolute_url(self):
        return reverse("hubs:residency_detail", kwargs={"pk": self.pk})

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date must not be before the start date.")
        if self.hub_plan_id and self.site_id and self.hub_plan.site_id != self.site_id:
            errors["hub_plan"] = _("The plan “%(plan)s” belongs to another site; choose a plan of %(site)s.") % {
                "plan": self.hub_plan, "site": self.site}
        if errors:
            raise ValidationError(errors)


class KpiSnapshot(TimeStampedModel):
    """A resident's key figures on a date (entered by staff, or with a stage move)."""

    class RevenueBand(models.TextChoices):
        NONE = "none", _("No revenue")
        MICRO = "lt1b", _("Under 1 billion rials a year")
        SMALL = "1to10b", _("1 to 10 billion rials a year")
        MEDIUM = "10to100b", _("10 to 100 billion rials a year")
        LARGE = "gt100b", _("Over 100 billion rials a year")

    residency = models.ForeignKey(Residency, models.CASCADE, related_name="kpi_snapshots",
                                  verbose_name=_("residency"))
    date = models.DateField(_("date"))
    headcount = models.PositiveIntegerField(_("headcount"))
    revenue_band = models.CharField(_("revenue band"), max_length=10, choices=RevenueBand.choices,
                                    default=RevenueBand.NONE)
    funds_raised = models.PositiveBigIntegerField(_("funds raised to date (rials)"), default=0,
                                                  help_text=_("Cumulative: everything raised so far."))
    customers = models.PositiveIntegerField(_("customers"), default=0)
    patents = models.PositiveIntegerField(_("patents"), default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"), editable=False)

    class Meta:
        verbose_name = _("KPI snapshot")
        verbose_name_plural = _("KPI snapshots")
        ordering = ["residency", "date", "pk"]
        indexes = [models.Index(fields=["residency", "date"])]

    def __str__(self):
        from khooshe.core.jalali import format_date

        return f"{self.residency.organization} — {format_date(self.date)}"


def evidence_path(instance, filename):
    return f"hubs/evidence/{instance.residency_id}/{filename}"


class StageMove(TimeStampedModel):
    """A resident's move from one stage to another, approved by the site's staff at the gate."""

    residency = models.ForeignKey(Residency, models.CASCADE, related_name="stage_moves",
                                  verbose_name=_("residency"))
    from_stage = models.ForeignKey(JourneyStage, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("from stage"))
    to_stage = models.ForeignKey(JourneyStage, models.PROTECT, related_name="moves_in", verbose_name=_("to stage"))
    moved_on = models.DateField(_("date"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                    verbose_name=_("approved by"))
    checklist = models.JSONField(_("criteria met"), default=list, blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to=evidence_path, blank=True)
    evidence_link = models.URLField(_("evidence link"), blank=True)
    note = models.TextField(_("note"), blank=True)
    skip_reason = models.TextField(_("reason for skipping stages"), blank=True)
    snapshot = models.OneToOneField(KpiSnapshot, models.SET_NULL, null=True, blank=True, related_name="stage_move",
                                    verbose_name=_("KPI snapshot"))

    class Meta:
        verbose_name = _("stage move")
        verbose_name_plural = _("stage moves")
        ordering = ["residency", "moved_on", "pk"]

    def __str__(self):
        return f"{self.residency.organization}: {self.from_stage or '—'} → {self.to_stage}"


class CreditCharge(models.Model):
    """Room credits of a residency consumed by one booking (the booking's month is a Jalali month,
    stored as its first Gregorian day). A cancelled or expired booking gives its credits back."""

    booking = models.OneToOneField("hubs.Booking", models.CASCADE, related_name="credit_charge")
    residency = models.ForeignKey(Residency, models.CASCADE, related_name="credit_charges")
    month = models.DateField()
    credits = models.DecimalField(max_digits=9, decimal_places=2)

    class Meta:
        indexes = [models.Index(fields=["residency", "month"])]

    def __str__(self):
        return f"{self.residency_id} {self.month}: {self.credits}"


__all__ = ["CreditCharge", "HubPlan", "JourneyStage", "KpiSnapshot", "PlanKind", "Residency", "ResidencyQuerySet",
           "StageMove", "StageOutcome"]
