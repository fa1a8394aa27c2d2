"""Models of siting: site selection for a new innovation factory: candidate sites, criteria, ranking on the map.

They belong to the ``hubs`` app (app label ``hubs``); ``khooshe.hubs.models`` imports this module.

A *study* compares candidate sites (an abandoned factory, a warehouse, a plot ...) on weighted criteria
(distance to universities, to the airport, utilities, area, cost ...). The ranking itself is computed by the
multi-criteria engine ``khooshe.analytics.decision`` (see ``siting.services.rank``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from khooshe.core.models import SearchableModel, TimeStampedModel
from khooshe.registry.access import access_for
from khooshe.registry.models import Organization, Region

__all__ = ["CandidateSite", "CriterionDirection", "PointOfInterest", "RankingMethod", "SitingCriterion",
           "SitingStudy"]


class RankingMethod(models.TextChoices):
    TOPSIS = "topsis", _("TOPSIS (closeness to the ideal site)")
    WEIGHTED_SUM = "weighted_sum", _("Weighted sum")


class CriterionDirection(models.TextChoices):
    BENEFIT = "benefit", _("more is better")
    COST = "cost", _("less is better")


def _staff_condition(user, prefix: str = "") -> Q | None:
    """Who works on a study: members and hub staff of its owner organization, and its author.
    None means everything (platform admin)."""
    acc = access_for(user)
    if acc.is_admin:
        return None
    condition = Q(pk__in=[])
    owners = acc.organization_ids | acc.hub_ids
    if owners:
        condition |= Q(**{f"{prefix}owner__in": owners})
    if user.is_authenticated:
        condition |= Q(**{f"{prefix}created_by": user})
    return condition


class SitingStudyQuerySet(models.QuerySet):
    def visible_to(self, user):
        condition = _staff_condition(user)
        if condition is None:
            return self
        return self.filter(condition | Q(published=True))

    def editable_by(self, user):
        condition = _staff_condition(user)
        return self if condition is None else self.filter(condition)


class SitingStudy(SearchableModel):
    """A comparison of candidate sites for a new innovation factory in a region."""

    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(Region, models.SET_NULL, null=True, blank=True, related_name="siting_studies",
                               verbose_name=_("region"))
    owner = models.ForeignKey(Organization, models.PROTECT, related_name="siting_studies",
                              verbose_name=_("owner organization"),
                              help_text=_("Its members and hub staff edit the study."))
    description = models.TextField(_("description"), blank=True)
    method = models.CharField(_("ranking method"), max_length=20, choices=RankingMethod.choices,
                              default=RankingMethod.TOPSIS)
    published = models.BooleanField(_("published"), default=False,
                                     help_text=_("A published study can be read by everyone."))
    ahp_judgements = models.JSONField(_("pairwise comparisons"), default=dict, blank=True, editable=False)
    consistency_ratio = models.FloatField(_("consistency ratio"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   editable=False, related_name="+", verbose_name=_("created by"))

    objects = SitingStudyQuerySet.as_manager()

    class Meta:
        verbose_name = _("site selection study")
        verbose_name_plural = _("site selection studies")
        ordering = ["-created_at", "pk"]

    def __str__(self):
        return self.name

    def search_parts(self):
        return [self.name, self.description]

    def get_absolute_url(self):
        return reverse("hubs:sitingstudy_detail", kwargs={"pk": self.pk})

    @classmethod
    def can_be_created_by(cls, user):
        acc = access_for(user)
        return acc.is_admin or bool(acc.organization_ids or acc.hub_ids)

    def is_editable_by(self, user):
        acc = access_for(user)
        if acc.is_admin:
            return True
        if not user.is_authenticated:
            return False
        if self.owner_id is None:  # a new study: the form checks the owner
            return bool(acc.organization_ids or acc.hub_ids)
        return self.owner_id in (acc.organization_ids | acc.hub_ids) or self.created_by_id == user.pk


class StudyChildQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(study__in=SitingStudy.objects.visible_to(user).values("pk"))


class StudyChild(TimeStampedModel):
    """A record of a study, read and edited with the study."""

    class Meta:
        abstract = True

    def is_editable_by(self, user):
        return self.study.is_editable_by(user)


class SitingCriterion(StudyChild):
    """One criterion of a study: its direction, unit and weight. A distance criterion may be computed
    from the points of interest of the study (the nearest one, as the crow flies)."""

    study = models.ForeignKey(SitingStudy, models.CASCADE, related_name="criteria", verbose_name=_("study"))
    key = models.SlugField(_("key"), max_length=40,
                           help_text=_("Short code used as the column name in imported files, e.g. km_airport."))
    name = models.CharField(_("name"), max_length=200)
    direction = models.CharField(_("direction"), max_length=10, choices=CriterionDirection.choices,
                                 default=CriterionDirection.BENEFIT)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    weight = models.FloatField(_("weight"), default=1.0, validators=[MinValueValidator(0.0)])
    from_points = models.BooleanField(
        _("distance to the nearest point of interest"), default=False,
        help_text=_("Computed from the candidate's coordinates and the points of interest of this criterion "
                    "when no value is entered."))
    order = models.PositiveIntegerField(_("order"), default=0)

    objects = StudyChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("site selection criterion")
        verbose_name_plural = _("site selection criteria")
        ordering = ["study", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["study", "key"], name="hubs_siting_criterion_key_once")]

    def __str__(self):
        return self.name


class CandidateSite(StudyChild):
    """A candidate site: where it is and its value on each criterion (``values``: criterion key -> number)."""

    study = models.ForeignKey(SitingStudy, models.CASCADE, related_name="candidates", verbose_name=_("study"))
    name = models.CharField(_("name"), max_length=200)
    latitude = models.FloatField(_("latitude"), null=True, blank=True,
                                 validators=[MinValueValidator(-90.0), MaxValueValidator(90.0)])
    longitude = models.FloatField(_("longitude"), null=True, blank=True,
                                  validators=[MinValueValidator(-180.0), MaxValueValidator(180.0)])
    address = models.TextField(_("address"), blank=True)
    description = models.TextField(_("description"), blank=True)
    values = models.JSONField(_("criteria values"), default=dict, blank=True)

    objects = StudyChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("candidate site")
        verbose_name_plural = _("candidate sites")
        ordering = ["study", "name", "pk"]

    def __str__(self):
        return self.name

    def clean(self):
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError({"longitude": _("Give both the latitude and the longitude, or neither.")})


class PointOfInterest(StudyChild):
    """A university, airport, metro station, industrial zone ... used to compute a distance criterion."""

    study = models.ForeignKey(SitingStudy, models.CASCADE, related_name="points", verbose_name=_("study"))
    criterion = models.ForeignKey(SitingCriterion, models.CASCADE, related_name="points",
                                  verbose_name=_("criterion"))
    name = models.CharField(_("name"), max_length=200)
    latitude = models.FloatField(_("latitude"), validators=[MinValueValidator(-90.0), MaxValueValidator(90.0)])
    longitude = models.FloatField(_("longitude"), validators=[MinValueValidator(-180.0), MaxValueValidator(180.0)])

    objects = StudyChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("point of interest")
        verbose_name_plural = _("points of interest")
        ordering = ["criterion", "name", "pk"]

    def __str__(self):
        return self.name
