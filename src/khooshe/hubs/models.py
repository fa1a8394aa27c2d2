"""Models of the hubs app (see docs/hubs.md): sites, opening hours, closed days, a hierarchy of spaces,
bookings that never overlap, residencies.

How bookings never overlap (docs/hubs.md, "Why two bookings can never overlap"): every active booking
writes one ``BookingSlot`` per space on the path from the booked space up to its top-level space. The
slot of the booked space itself has ``tag`` NULL ("self"); the slots of its ancestors carry the
booking's id ("a descendant is busy"). Two slots of one space conflict when their blocked ranges overlap
unless both are descendant slots. In PostgreSQL an exclusion constraint enforces exactly that:

    EXCLUDE USING gist (space_id WITH =, tstzrange(start, blocked_until) WITH &&,
                        int8range(tag, tag + 1) WITH &&) WHERE (active)

``int8range(NULL, NULL)`` is unbounded and overlaps every tag, while two descendant slots have the
distinct one-point ranges of their bookings. Under SQLite the service makes the same check after taking
the database's write lock (services.create_booking).
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from khooshe.core.models import SearchableModel, TimeStampedModel
from khooshe.registry.access import access_for
from khooshe.registry.models import HUB_KINDS, Organization, Region


def new_token() -> str:
    return secrets.token_urlsafe(24)


def staff_of(user, site_or_operator_id) -> bool:
    acc = access_for(user)
    return acc.is_admin or site_or_operator_id in acc.hub_ids


def is_any_hub_staff(user) -> bool:
    acc = access_for(user)
    return acc.is_admin or bool(acc.hub_ids)


# -- sites ----------------------------------------------------------------------------------------
class SiteQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self  # sites are the public directory of hubs


class Site(SearchableModel):
    """An innovation factory, creative house or coworking site run by a hub organization."""

    name = models.CharField(_("name"), max_length=200)
    operator = models.ForeignKey(Organization, models.PROTECT, related_name="hub_sites",
                                 verbose_name=_("operator (hub)"))
    address = models.TextField(_("address"), blank=True)
    region = models.ForeignKey(Region, models.SET_NULL, null=True, blank=True, related_name="hub_sites",
                               verbose_name=_("region"))
    area_m2 = models.PositiveIntegerField(_("area (m²)"), null=True, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Tehran")
    observe_public_holidays = models.BooleanField(_("closed on public holidays"), default=True)
    hold_minutes = models.PositiveIntegerField(_("hold lasts (minutes)"), default=15,
                                               validators=[MinValueValidator(1), MaxValueValidator(7 * 24 * 60)])
    linked_hubs = models.ManyToManyField(Organization, blank=True, related_name="linked_sites",
                                         verbose_name=_("linked hubs"))

    objects = SiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def search_parts(self):
        return [self.name, self.address]

    def get_absolute_url(self):
        return reverse("hubs:site_detail", kwargs={"pk": self.pk})

    def clean(self):
        if self.operator_id and self.operator.kind not in HUB_KINDS:
            raise ValidationError({"operator": _(
                "The operator must be a hub: an innovation factory, creative house, coworking space or "
                "accelerator.")})
        if self.time_zone:
            try:
                import zoneinfo

                zoneinfo.ZoneInfo(self.time_zone)
            except Exception:
                raise ValidationError({"time_zone": _("Unknown time zone “%(value)s”; use e.g. Asia/Tehran.")
                                       % {"value": self.time_zone}}) from None

    @property
    def tzinfo(self):
        import zoneinfo

        return zoneinfo.ZoneInfo(self.time_zone or "Asia/Tehran")

    @classmethod
    def can_be_created_by(cls, user):
        return is_any_hub_staff(user)

    def is_editable_by(self, user):
        if self.operator_id is None:
            return is_any_hub_staff(user)
        return staff_of(user, self.operator_id)


class Weekday(models.IntegerChoices):
    """Python's weekday numbers (Monday = 0); the Persian week starts on Saturday."""

    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")


class SiteChildQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self


class SiteChild(TimeStampedModel):
    """A record that belongs to a site and is edited by the site's staff."""

    class Meta:
        abstract = True

    @classmethod
    def can_be_created_by(cls, user):
        return is_any_hub_staff(user)

    def is_editable_by(self, user):
        if not getattr(self, "site_id", None):
            return is_any_hub_staff(user)
        return staff_of(user, self.site.operator_id)


class OpeningHours(SiteChild):
    """When a site is open on one weekday; a weekday without a row is closed (Friday by default)."""

    site = models.ForeignKey(Site, models.CASCADE, related_name="opening_hours", verbose_name=_("site"))
    weekday = models.IntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    objects = SiteChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["site", "weekday"]
        constraints = [models.UniqueConstraint(fields=["site", "weekday"], name="hubs_opening_hours_once_a_day")]

    def __str__(self):
        return f"{self.site} — {self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def get_absolute_url(self):
        return reverse("hubs:openinghours_detail", kwargs={"pk": self.pk})

    def clean(self):
        if self.opens is not None and self.closes is not None and self.closes <= self.opens:
            raise ValidationError({"closes": _("The closing time must be after the opening time.")})
        if self.site_id and self.weekday is not None:
            clash = OpeningHours.objects.filter(site_id=self.site_id, weekday=self.weekday).exclude(pk=self.pk)
            if clash.exists():
                raise ValidationError({"weekday": _("This site already has opening hours for this weekday; "
                                                    "edit them instead.")})


class ClosedDayQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self


class ClosedDay(TimeStampedModel):
    """A day a site is closed: a public holiday (no site: every site that observes public holidays) or a
    closure entered by staff."""

    class Kind(models.TextChoices):
        SOLAR = "solar", _("Public holiday (solar calendar)")
        LUNAR = "lunar", _("Public holiday (lunar calendar)")
        CLOSURE = "closure", _("Closure")

    site = models.ForeignKey(Site, models.CASCADE, null=True, blank=True, related_name="closed_days",
                             verbose_name=_("site"), help_text=_("Empty for a public holiday of every site."))
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.CLOSURE)

    objects = ClosedDayQuerySet.as_manager()

    class Meta:
        verbose_name = _("closed day")
        verbose_name_plural = _("closed days")
        ordering = ["date", "pk"]
        indexes = [models.Index(fields=["date"])]

    def __str__(self):
        return f"{self.name} ({self.date.isoformat()})"

    def get_absolute_url(self):
        return reverse("hubs:closedday_detail", kwargs={"pk": self.pk})

    @classmethod
    def can_be_created_by(cls, user):
        return is_any_hub_staff(user)

    def is_editable_by(self, user):
        if self.site_id:
            return staff_of(user, self.site.operator_id)
        return is_any_hub_staff(user)  # public holidays: any hub's staff may correct the official date


class PublicHolidayYear(models.Model):
    """Marks a Jalali year whose public holidays were stored as closed days (so a deleted or moved holiday
    is not recomputed)."""

    jalali_year = models.PositiveIntegerField(unique=True)

    def __str__(self):
        return str(self.jalali_year)


# -- spaces -----------------------------------------------------------------------------------------
class SpaceKind(models.TextChoices):
    BUILDING = "building", _("Building or hall")
    FLOOR = "floor", _("Floor")
    HOT_DESK = "hot_desk", _("Hot desk")
    DEDICATED_DESK = "dedicated_desk", _("Dedicated desk")
    PRIVATE_OFFICE = "private_office", _("Private office")
    MEETING_ROOM = "meeting_room", _("Meeting room")
    CONFERENCE_HALL = "conference_hall", _("Conference hall")
    LAB = "lab", _("Lab or workshop")
    STUDIO = "studio", _("Studio")
    XR_ROOM = "xr_room", _("XR room")
    EVENT_SPACE = "event_space", _("Event space")


class Audience(models.TextChoices):
    """Who may book a space, from the narrowest to the widest."""

    STAFF = "staff", _("Staff only")
    RESIDENTS = "residents", _("Residents and staff")
    LINKED = "linked", _("Members of linked hubs, residents and staff")
    PUBLIC = "public", _("Every signed-in user")


class Space(SearchableModel):
    """A bookable place of a site; spaces nest (building > floor > room > desk) through ``parent``.

    ``path`` is the materialised path of primary keys from the top-level space, e.g. "/3/17/42/": the
    descendants of a space are the spaces whose path starts with its path.
    """

    site = models.ForeignKey(Site, models.CASCADE, related_name="spaces", verbose_name=_("site"))
    parent = models.ForeignKey("self", models.RESTRICT, null=True, blank=True, related_name="children",
                               verbose_name=_("inside"))
    path = models.CharField(max_length=255, editable=False, default="", db_index=True)
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=SpaceKind.choices)
    capacity = models.PositiveIntegerField(_("capacity (people)"), default=1)
    area_m2 = models.DecimalField(_("area (m²)"), max_digits=9, decimal_places=1, null=True, blank=True)
    amenities = models.CharField(_("amenities"), max_length=500, blank=True,
                                 help_text=_("Separated by commas, e.g. projector, whiteboard."))
    price_per_hour = models.PositiveBigIntegerField(_("price per hour (rials)"), default=0)
    credits_per_hour = models.DecimalField(_("credits per hour"), max_digits=7, decimal_places=2, default=0,
                                           validators=[MinValueValidator(0)])
    bookable = models.BooleanField(_("bookable"), default=True)
    bookable_by = models.CharField(_("who may book"), max_length=10, choices=Audience.choices,
                                   default=Audience.RESIDENTS)
    min_minutes = models.PositiveIntegerField(_("shortest booking (minutes)"), default=30,
                                              validators=[MinValueValidator(5), MaxValueValidator(24 * 60)])
    max_minutes = models.PositiveIntegerField(_("longest booking (minutes)"), default=8 * 60,
                                              validators=[MinValueValidator(5), MaxValueValidator(24 * 60)])
    lead_minutes = models.PositiveIntegerField(_("book at least (minutes ahead)"), default=0,
                                               validators=[MaxValueValidator(60 * 24 * 60)])
    horizon_days = models.PositiveIntegerField(_("book at most (days ahead)"), default=90,
                                               validators=[MinValueValidator(1), MaxValueValidator(730)])
    buffer_minutes = models.PositiveIntegerField(_("buffer after a booking (minutes)"), default=0,
                                                 validators=[MaxValueValidator(240)])
    free_cancellation_hours = models.PositiveIntegerField(_("free cancellation until (hours before)"),
                                                          default=24, validators=[MaxValueValidator(24 * 60)])
    ical_token = models.CharField(max_length=64, default=new_token, editable=False, unique=True)

    objects = SiteChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("space")
        verbose_name_plural = _("spaces")
        ordering = ["site", "path"]
        indexes = [models.Index(fields=["site", "path"])]

    def __str__(self):
        return self.name

    def search_parts(self):
        return [self.name, self.amenities]

    def get_absolute_url(self):
        return reverse("hubs:space_detail", kwargs={"pk": self.pk})

    @classmethod
    def can_be_created_by(cls, user):
        return is_any_hub_staff(user)

    def is_editable_by(self, user):
        if not self.site_id:
            return is_any_hub_staff(user)
        return staff_of(user, self.site.operator_id)

    @property
    def path_ids(self) -> list[int]:
        """Primary keys from the top-level space down to this one."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    @property
    def buffer(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.buffer_minutes)

    def save(self, *args, **kwargs):
        """Keeps ``path`` and ``depth`` of this space and of every space inside it up to date."""
        super().save(*args, **kwargs)
        parent = Space.objects.filter(pk=self.parent_id).values_list("path", "depth").first() if self.parent_id else None
        path = (parent[0] if parent else "/") + f"{self.pk}/"
        depth = parent[1] + 1 if parent else 0
        if path != self.path or depth != self.depth:
            old_path, old_depth = self.path, self.depth
            Space.objects.filter(pk=self.pk).update(path=path, depth=depth)
            self.path, self.depth = path, depth
            if old_path:
                for child in Space.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                    Space.objects.filter(pk=child.pk).update(
                        path=path + child.path[len(old_path):], depth=child.depth - old_depth + depth)

    def clean(self):
        errors = {}
        if self.pk and self.path:
            old_parent = Space.objects.filter(pk=self.pk).values_list("parent_id", flat=True).first()
            if old_parent != self.parent_id and BookingSlot.objects.filter(
                    space__path__startswith=self.path, active=True, blocked_until__gt=timezone.now()).exists():
                errors["parent"] = _("This space or a space inside it has upcoming bookings: cancel or move "
                                     "them before moving the space.")
        if self.parent_id:
            if self.site_id and self.parent.site_id != self.site_id:
                errors["parent"] = _("The parent space belongs to another site.")
            elif self.pk and (self.parent_id == self.pk or f"/{self.pk}/" in self.parent.path):
                errors["parent"] = _("A space cannot be inside itself or inside one of its own spaces.")
            elif self.parent.depth >= 7:
                errors["parent"] = _("Spaces nest at most eight levels deep.")
        if self.min_minutes and self.max_minutes and self.max_minutes < self.min_minutes:
            errors["max_minutes"] = _("The longest booking must not be shorter than the shortest booking.")
        if errors:
            raise ValidationError(errors)


# -- bookings ---------------------------------------------------------------------------------------
class BookingQuerySet(models.QuerySet):
    def visible_to(self, user):
        acc = access_for(user)
        if acc.is_admin:
            return self
        if not user.is_authenticated:
            return self.none()
        condition = Q(booked_by=user)
        if acc.hub_ids:
            condition |= Q(space__site__operator__in=acc.hub_ids)
        if acc.organization_ids:
            condition |= Q(organization__in=acc.organization_ids)
        return self.filter(condition)

    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(Q(status=Booking.Status.CONFIRMED)
                           | Q(status=Booking.Status.HELD, hold_expires_at__gt=now))


class BookingSeries(TimeStampedModel):
    """A recurring booking: its occurrences are stored as bookings pointing here."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Every day")
        WEEKLY = "weekly", _("Every week")

    space = models.ForeignKey(Space, models.CASCADE, related_name="series", verbose_name=_("space"))
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="booking_series",
                                  verbose_name=_("booked by"))
    frequency = models.CharField(_("repeats"), max_length=8, choices=Frequency.choices)
    count = models.PositiveIntegerField(_("occurrences"))
    skipped = models.JSONField(_("skipped dates"), default=list, blank=True)

    class Meta:
        verbose_name = _("recurring booking")
        verbose_name_plural = _("recurring bookings")

    def __str__(self):
        return f"{self.space} — {self.get_frequency_display()} × {self.count}"


class Booking(TimeStampedModel):
    class Status(models.TextChoices):
        HELD = "held", _("Held (not yet confirmed)")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Hold expired")

    ACTIVE = (Status.HELD, Status.CONFIRMED)

    space = models.ForeignKey(Space, models.CASCADE, related_name="bookings", verbose_name=_("space"))
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="bookings",
                                  verbose_name=_("booked by"))
    organization = models.ForeignKey(Organization, models.SET_NULL, null=True, blank=True,
                                     related_name="hub_bookings", verbose_name=_("for organization"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    blocked_until = models.DateTimeField(editable=False)  # end plus the space's buffer
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    hold_expires_at = models.DateTimeField(_("hold expires"), null=True, blank=True, editable=False)
    series = models.ForeignKey(BookingSeries, models.SET_NULL, null=True, blank=True, related_name="bookings",
                               verbose_name=_("recurring booking"), editable=False)
    price = models.PositiveBigIntegerField(_("price (rials)"), default=0, editable=False)
    credits = models.DecimalField(_("credits"), max_digits=9, decimal_places=2, default=0, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True, editable=False)
    cancellation_fee = models.PositiveBigIntegerField(_("cancellation fee (rials)"), default=0, editable=False)
    note = models.TextField(_("note"), blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["-start", "pk"]
        indexes = [models.Index(fields=["space", "start"]), models.Index(fields=["start"])]
        constraints = [models.CheckConstraint(condition=Q(end__gt=models.F("start")),
                                              name="hubs_booking_ends_after_start")]

    def __str__(self):
        from khooshe.core.jalali import format_date

        return f"{self.space} — {format_date(self.start)}"

    def get_absolute_url(self):
        return reverse("hubs:booking_detail", kwargs={"pk": self.pk})

    @property
    def is_active(self) -> bool:
        if self.status == self.Status.HELD:
            return self.hold_expires_at is not None and self.hold_expires_at > timezone.now()
        return self.status == self.Status.CONFIRMED

    @classmethod
    def can_be_created_by(cls, user):
        return user.is_authenticated

    def is_editable_by(self, user):
        if not user.is_authenticated:
            return False
        if self.pk is None or self.booked_by_id == user.pk:
            return True
        return staff_of(user, self.space.site.operator_id)


class BookingSlot(models.Model):
    """One space blocked by one booking (see the module docstring)."""

    booking = models.ForeignKey(Booking, models.CASCADE, related_name="slots")
    space = models.ForeignKey(Space, models.CASCADE, related_name="slots")
    start = models.DateTimeField()
    blocked_until = models.DateTimeField()
    tag = models.BigIntegerField(null=True)  # NULL: the booked space; else the booking id (an ancestor)
    active = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["space", "start"], condition=Q(active=True), name="hubs_slot_active")]

    def __str__(self):
        return f"{self.space_id}: {self.start:%Y-%m-%d %H:%M}–{self.blocked_until:%H:%M}"


class MemberFeed(models.Model):
    """The secret token of a user's personal iCal feed of bookings."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="booking_feed")
    token = models.CharField(max_length=64, default=new_token, unique=True)

    def __str__(self):
        return str(self.user)


# -- residencies: khooshe.hubs.residents.models (Residency is re-exported below) ---------------------


# The other areas of the hubs app keep their models next to their services and views; importing them here
# registers them under the app label "hubs" (one migration file per area, see migrations/).
# The order in which the areas register is kept (menus list them in this order).
# isort: off
from khooshe.hubs.residents.models import *  # noqa: E402,F401,F403
from khooshe.hubs.cohorts.models import *  # noqa: E402,F401,F403
from khooshe.hubs.events.models import *  # noqa: E402,F401,F403
from khooshe.hubs.catalogue.models import *  # noqa: E402,F401,F403
from khooshe.hubs.network.models import *  # noqa: E402,F401,F403
from khooshe.hubs.siting.models import *  # noqa: E402,F401,F403
# isort: on
