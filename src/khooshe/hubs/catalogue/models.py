"""Models of catalogue: the service catalogue of a hub: services, requests, assignment, status and satisfaction.

They belong to the ``hubs`` app (app label ``hubs``); ``khooshe.hubs.models`` imports this module.

A creative house or innovation factory offers its residents and members services (legal, accounting,
intellectual property, marketing, introductions to financing, lab access ...), given by the hub itself
or by a service-provider organization of the registry. Members request a service; staff assign the
request to a staff user or a provider and move it through submitted → assigned → in progress → done
(or declined); after "done" the requester rates it once (1–5, with a comment).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from khooshe.core.models import SearchableModel, TimeStampedModel
from khooshe.registry.access import access_for


class ServiceKind(models.TextChoices):
    LEGAL = "legal", _("Legal")
    ACCOUNTING = "accounting", _("Accounting and tax")
    IP = "ip", _("Intellectual property")
    MARKETING = "marketing", _("Marketing and sales")
    FINANCING = "financing", _("Introductions to financing")
    LAB = "lab", _("Lab and workshop access")
    OTHER = "other", _("Other")


class ServiceAudience(models.TextChoices):
    """Who may request a service, from the narrowest to the widest."""

    RESIDENTS = "residents", _("Residents of this site")
    LINKED = "linked", _("Residents and members of linked hubs")
    MEMBERS = "members", _("Every member organization")


class ServiceQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self  # the catalogue is public: who may *request* is checked by the service


class Service(SearchableModel):
    """A service in a site's catalogue."""

    site = models.ForeignKey("hubs.Site", models.CASCADE, related_name="services", verbose_name=_("site"))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=ServiceKind.choices, default=ServiceKind.OTHER)
    provider = models.ForeignKey("registry.Organization", models.SET_NULL, null=True, blank=True,
                                 related_name="provided_hub_services", verbose_name=_("provided by"),
                                 help_text=_("A service-provider organization; empty when the hub gives it."))
    description = models.TextField(_("description"), blank=True)
    price = models.PositiveBigIntegerField(_("price (rials)"), default=0, help_text=_("0 for a free service."))
    audience = models.CharField(_("who may request"), max_length=10, choices=ServiceAudience.choices,
                                default=ServiceAudience.RESIDENTS)
    active = models.BooleanField(_("offered now"), default=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("hub service")
        verbose_name_plural = _("hub services")
        ordering = ["site", "kind", "name", "pk"]

    def __str__(self):
        return self.name

    def search_parts(self):
        return [self.name, self.description]

    def get_absolute_url(self):
        return reverse("hubs:service_detail", kwargs={"pk": self.pk})

    @property
    def is_free(self) -> bool:
        return not self.price

    @classmethod
    def can_be_created_by(cls, user):
        from ..models import is_any_hub_staff

        return is_any_hub_staff(user)

    def is_editable_by(self, user):
        from ..models import is_any_hub_staff, staff_of

        return staff_of(user, self.site.operator_id) if self.site_id else is_any_hub_staff(user)


class ServiceRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Admins all; a site's staff the requests of their sites; the requester, the members of the
        organization requested for, the assigned staff user and the members of the assigned provider
        their requests."""
        acc = access_for(user)
        if acc.is_admin:
            return self
        if not user.is_authenticated:
            return self.none()
        condition = Q(requested_by=user) | Q(assigned_to=user)
        if acc.hub_ids:
            condition |= Q(service__site__operator__in=acc.hub_ids)
        if acc.organization_ids:
            condition |= Q(organization__in=acc.organization_ids) | Q(assigned_provider__in=acc.organization_ids)
        return self.filter(condition)


class ServiceRequest(TimeStampedModel):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ASSIGNED = "assigned", _("Assigned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DECLINED = "declined", _("Declined")

    OPEN = (Status.SUBMITTED, Status.ASSIGNED, Status.IN_PROGRESS)

    service = models.ForeignKey(Service, models.CASCADE, related_name="requests", verbose_name=_("service"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="service_requests",
                                     verbose_name=_("requested by"))
    organization = models.ForeignKey("registry.Organization", models.SET_NULL, null=True, blank=True,
                                     related_name="hub_service_requests", verbose_name=_("for organization"))
    description = models.TextField(_("what is needed"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="assigned_service_requests", verbose_name=_("assigned to"))
    assigned_provider = models.ForeignKey("registry.Organization", models.SET_NULL, null=True, blank=True,
                                          related_name="assigned_hub_service_requests",
                                          verbose_name=_("assigned provider"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True,
                                              validators=[MinValueValidator(1), MaxValueValidator(5)])
    rating_comment = models.TextField(_("comment on the service"), blank=True)
    rated_at = models.DateTimeField(_("rated"), null=True, blank=True)

    objects = ServiceRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [models.CheckConstraint(condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                                              name="hubs_service_rating_1_to_5")]

    def __str__(self):
        return f"{self.service} — {self.requested_by}"

    def get_absolute_url(self):
        return reverse("hubs:servicerequest_detail", kwargs={"pk": self.pk})

    def site_staff_users(self):
        """The users who may be assigned the request: the staff of the service's hub."""
        from django.contrib.auth import get_user_model

        from khooshe.registry.models import Role

        staff = Role.objects.filter(kind=Role.Kind.HUB_STAFF, organization=self.service.site.operator_id)
        return get_user_model().objects.filter(pk__in=staff.values("user")).order_by("username")

    @property
    def next_statuses(self) -> list[tuple[str, str]]:
        from .services import NEXT

        return [(s.value, s.label) for s in ServiceRequest.Status if s in NEXT[self.status]]

    @classmethod
    def can_be_created_by(cls, user):
        return False  # through the service's "Request" page (catalogue.services.request_service)

    def is_editable_by(self, user):
        """Staff of the site (assignment, status) — the requester acts through the request's page."""
        from ..models import staff_of

        return staff_of(user, self.service.site.operator_id)


class ServiceRequestMessage(models.Model):
    """A message on a request (seen by everyone who sees the request) or an internal note of staff."""

    request = models.ForeignKey(ServiceRequest, models.CASCADE, related_name="messages",
                                verbose_name=_("service request"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                               verbose_name=_("author"))
    text = models.TextField(_("message"))
    internal = models.BooleanField(_("internal note (staff only)"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("message on a service request")
        verbose_name_plural = _("messages on service requests")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:60]
