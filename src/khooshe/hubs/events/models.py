"""Models of events: events in a space: registration, waiting list, check-in, attendance, never oversold.

They belong to the ``hubs`` app (app label ``hubs``); ``khooshe.hubs.models`` imports this module.

An event belongs to a site (optionally to one of its spaces, which publishing books). People register
for it: a member for themselves (``user``), the public with a name and an email. A registration is
*confirmed* while the confirmed count is below the capacity, else *waitlisted* (in the order of the
primary keys, assigned under the event's lock); cancelling a confirmed registration moves the first of
the waiting list up (services.cancel_registration). ``checked_in_at`` is the attendance record.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from khooshe.core.models import SearchableModel, TimeStampedModel
from khooshe.registry.access import access_for

# Check-in codes: no 0/O, 1/I/L (read aloud or typed from paper); 31**8 ≈ 8.5e11 codes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def new_checkin_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class EventAudience(models.TextChoices):
    PUBLIC = "public", _("Everyone (also without an account)")
    MEMBERS = "members", _("Members: residents of this site and of linked hubs")
    RESIDENTS = "residents", _("Residents of this site only")


class EventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Admins see every event; a site's staff every event of their hubs' sites; everyone else the
        published and cancelled events open to them (public ones also without signing in)."""
        from . import selectors

        acc = access_for(user)
        if acc.is_admin:
            return self
        shown = Q(status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])
        condition = shown & Q(audience=EventAudience.PUBLIC)
        if user.is_authenticated:
            condition |= shown & Q(audience=EventAudience.MEMBERS, site__in=selectors.member_site_ids(user))
            condition |= shown & Q(audience=EventAudience.RESIDENTS, site__in=selectors.resident_site_ids(user))
            condition |= Q(registrations__user=user)
            if acc.hub_ids:
                condition |= Q(site__operator__in=acc.hub_ids)
        return self.filter(pk__in=self.filter(condition).values("pk"))


class Event(SearchableModel):
    """An event of a site: a talk, workshop, demo day or meetup with a capacity and registration."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    site = models.ForeignKey("hubs.Site", models.CASCADE, related_name="events", verbose_name=_("site"))
    space = models.ForeignKey("hubs.Space", models.SET_NULL, null=True, blank=True, related_name="events",
                              verbose_name=_("space"),
                              help_text=_("Publishing the event books this space for its time."))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    capacity = models.PositiveIntegerField(_("capacity (people)"), validators=[MinValueValidator(1)])
    audience = models.CharField(_("open to"), max_length=10, choices=EventAudience.choices,
                                default=EventAudience.PUBLIC)
    registration_opens = models.DateTimeField(_("registration opens"), null=True, blank=True,
                                              help_text=_("Empty: as soon as the event is published."))
    registration_closes = models.DateTimeField(_("registration closes"), null=True, blank=True,
                                               help_text=_("Empty: when the event starts."))
    waiting_list = models.BooleanField(_("waiting list when full"), default=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    booking = models.ForeignKey("hubs.Booking", models.SET_NULL, null=True, blank=True, editable=False,
                                related_name="events", verbose_name=_("booking of the space"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   editable=False, related_name="hub_events", verbose_name=_("created by"))

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-start", "pk"]
        indexes = [models.Index(fields=["site", "start"]), models.Index(fields=["start"])]
        constraints = [models.CheckConstraint(condition=Q(end__gt=models.F("start")),
                                              name="hubs_event_ends_after_start")]

    def __str__(self):
        return self.title

    def search_parts(self):
        return [self.title, self.description]

    def get_absolute_url(self):
        return reverse("hubs:event_detail", kwargs={"pk": self.pk})

    def clean(self):
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = _("The end must be after the start.")
        if self.space_id and self.site_id and self.space.site_id != self.site_id:
            errors["space"] = _("The space “%(space)s” belongs to another site; choose a space of %(site)s.") % {
                "space": self.space, "site": self.site}
        if self.registration_opens and self.registration_closes and \
                self.registration_closes <= self.registration_opens:
            errors["registration_closes"] = _("Registration must close after it opens.")
        if errors:
            raise ValidationError(errors)

    @property
    def confirmed_count(self) -> int:
        return self.registrations.filter(status=EventRegistration.Status.CONFIRMED).count()

    @property
    def waitlisted_count(self) -> int:
        return self.registrations.filter(status=EventRegistration.Status.WAITLISTED).count()

    @property
    def attended_count(self) -> int:
        return self.registrations.filter(checked_in_at__isnull=False).count()

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.confirmed_count)

    @classmethod
    def can_be_created_by(cls, user):
        from ..models import is_any_hub_staff

        return is_any_hub_staff(user)

    def is_editable_by(self, user):
        from ..models import is_any_hub_staff, staff_of

        return staff_of(user, self.site.operator_id) if self.site_id else is_any_hub_staff(user)


class EventRegistrationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Admins all; a site's staff the registrations of their events; a member their own."""
        acc = access_for(user)
        if acc.is_admin:
            return self
        if not user.is_authenticated:
            return self.none()
        condition = Q(user=user)
        if acc.hub_ids:
            condition |= Q(event__site__operator__in=acc.hub_ids)
        return self.filter(condition)


class EventRegistration(TimeStampedModel):
    """One person's place at an event (or on its waiting list); made by services.register only."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE = (Status.CONFIRMED, Status.WAITLISTED)

    event = models.ForeignKey(Event, models.CASCADE, related_name="registrations", verbose_name=_("event"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                             related_name="event_registrations", verbose_name=_("account"))
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    code = models.CharField(_("check-in code"), max_length=16, unique=True, default=new_checkin_code,
                            editable=False)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True, editable=False)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                      editable=False, related_name="+", verbose_name=_("checked in by"))
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True, editable=False)
    promoted_at = models.DateTimeField(_("moved up from the waiting list"), null=True, blank=True,
                                       editable=False)

    objects = EventRegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("event registration")
        verbose_name_plural = _("event registrations")
        ordering = ["event", "pk"]
        indexes = [models.Index(fields=["event", "status"])]
        constraints = [
            # one active registration per account and per email address and event
            models.UniqueConstraint(fields=["event", "user"], condition=Q(user__isnull=False)
                                    & ~Q(status="cancelled"), name="hubs_registration_once_per_user"),
            models.UniqueConstraint(fields=["event", "email"], condition=~Q(email="") & ~Q(status="cancelled"),
                                    name="hubs_registration_once_per_email"),
        ]

    def __str__(self):
        return f"{self.name} — {self.event}"

    def get_absolute_url(self):
        return reverse("hubs:eventregistration_detail", kwargs={"pk": self.pk})

    @classmethod
    def can_be_created_by(cls, user):
        return False  # through the event's registration page or POST /api/hubs/events/<id>/register/

    def is_editable_by(self, user):
        from ..models import staff_of

        return staff_of(user, self.event.site.operator_id)
