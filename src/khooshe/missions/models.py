"""Models of the missions app (see docs/missions.md): a mission's value chain (stages, a DAG), the
members' capacities and licences, demands, and the stored compositions (consortia).

Access: a mission's owner organization side (its members; platform admins) manages the mission, its
stages, capacities, demands and compositions; a public mission is read by everyone, a private one by the
owner side only.  A licence belongs to its organization: its editors manage it, everyone who may see the
organization sees it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from khooshe.core.models import SearchableModel
from khooshe.registry.access import access_for
from khooshe.registry.models import Organization, OrganizationKind, Region, Sector, Visibility

SMALL_SIZES = ("micro", "small", "medium")


def _can_create(user) -> bool:
    acc = access_for(user)
    return acc.is_admin or bool(acc.editable_organization_ids())


def _can_edit_owner(user, owner_id) -> bool:
    acc = access_for(user)
    if acc.is_admin:
        return True
    if owner_id is None:
        return bool(acc.editable_organization_ids())
    return acc.can_edit_organization(owner_id)


def split_words(text: str) -> list[str]:
    """Comma- or newline-separated words, trimmed, without duplicates: ``"gmp, iso 9001"``."""
    out: list[str] = []
    for part in (text or "").replace("\n", ",").replace("،", ",").split(","):
        part = part.strip()
        if part and part not in out:
            out.append(part)
    return out


# -- missions ------------------------------------------------------------------------------------------
class MissionQuerySet(models.QuerySet):
    def visible_to(self, user):
        acc = access_for(user)
        if acc.is_admin:
            return self
        cond = Q(visibility=Visibility.PUBLIC)
        editable = acc.editable_organization_ids()
        if editable:
            cond |= Q(owner__in=editable)
        return self.filter(cond)


class Mission(SearchableModel):
    """A mission (e.g. medicine) whose value chain a consortium of small firms serves."""

    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(Organization, models.CASCADE, related_name="missions",
                              verbose_name=_("owner organization"))
    region = models.ForeignKey(Region, models.PROTECT, null=True, blank=True, related_name="missions",
                               verbose_name=_("region"))
    capacity_period = models.CharField(_("capacity period"), max_length=40, default="month",
                                       help_text=_("The period capacities and demand are counted in, e.g. month."))
    visibility = models.CharField(_("visibility"), max_length=8, choices=Visibility.choices,
                                  default=Visibility.PUBLIC)

    objects = MissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("mission")
        verbose_name_plural = _("missions")
        ordering = ["-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("missions:mission_detail", kwargs={"pk": self.pk})

    def search_parts(self):
        return [self.title, self.description]

    @classmethod
    def can_be_created_by(cls, user):
        return _can_create(user)

    def is_editable_by(self, user):
        return _can_edit_owner(user, self.owner_id)


class MissionPartQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(mission__in=Mission.objects.visible_to(user))


class MissionPart(models.Model):
    """Access of a record that belongs to a mission: that of the mission's owner."""

    class Meta:
        abstract = True

    @classmethod
    def can_be_created_by(cls, user):
        return _can_create(user)

    def is_editable_by(self, user):
        if not self.mission_id:
            return _can_create(user)
        return _can_edit_owner(user, Mission.objects.filter(pk=self.mission_id).values_list("owner_id",
                                                                                           flat=True).first())


# -- stages -------------------------------------------------------------------------------------------
class Stage(MissionPart, SearchableModel):
    """A stage of a mission's value chain; ``predecessors`` feed it (two inputs may feed one stage)."""

    mission = models.ForeignKey(Mission, models.CASCADE, related_name="stages", verbose_name=_("mission"))
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0,
                                                help_text=_("Column of the stage in the chain diagram."))
    predecessors = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="successors",
                                          verbose_name=_("predecessors"),
                                          help_text=_("Stages whose output feeds this one."))
    sectors = models.ManyToManyField(Sector, blank=True, related_name="mission_stages",
                                     verbose_name=_("required sectors (ISIC)"))
    capability_tags = models.CharField(_("capability tags"), max_length=500, blank=True,
                                       help_text=_("Comma-separated, e.g. sterile filling, cold chain."))
    licences = models.CharField(_("required licences"), max_length=500, blank=True,
                                help_text=_("Comma-separated licence kinds a member needs, e.g. gmp."))
    capacity_unit = models.CharField(_("capacity unit"), max_length=60, default="unit")
    min_quality = models.FloatField(_("quality floor"), default=0.0,
                                    validators=[MinValueValidator(0), MaxValueValidator(1)],
                                    help_text=_("0 to 1; members below it cannot serve the stage."))
    max_share = models.FloatField(_("maximum share per member"), default=1.0,
                                  validators=[MinValueValidator(0.01), MaxValueValidator(1)],
                                  help_text=_("Largest share of the stage's volume one member may take (0.01 to 1)."))
    min_lot = models.PositiveIntegerField(_("minimum lot"), default=0,
                                          help_text=_("Smallest volume worth giving a member."))
    organization_kind = models.CharField(_("kind of organization to recruit"), max_length=32,
                                         choices=OrganizationKind.choices, default="sme")

    objects = MissionPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["mission", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["mission", "name"], name="missions_stage_unique_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("missions:stage_detail", kwargs={"pk": self.pk})

    def search_parts(self):
        return [self.name, self.capability_tags, self.licences]

    @property
    def licence_kinds(self) -> list[str]:
        return split_words(self.licences)

    @property
    def tags(self) -> list[str]:
        return split_words(self.capability_tags)


# -- licences -----------------------------------------------------------------------------------------
class LicenceQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(organization__in=Organization.objects.visible_to(user))


class Licence(SearchableModel):
    """A licence or certificate an organization holds (GMP, a health permit ...), with its validity."""

    organization = models.ForeignKey(Organization, models.CASCADE, related_name="licences",
                                     verbose_name=_("organization"))
    kind = models.CharField(_("kind"), max_length=60, help_text=_("The kind a stage requires, e.g. gmp."))
    number = models.CharField(_("number"), max_length=100, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    objects = LicenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        ordering = ["organization", "kind", "pk"]

    def __str__(self):
        return f"{self.kind} {self.number}".strip()

    def get_absolute_url(self):
        return reverse("missions:licence_detail", kwargs={"pk": self.pk})

    def search_parts(self):
        org = self.organization if self.organization_id else None
        return [self.kind, self.number, org.name_fa if org else "", org.name_en if org else ""]

    def clean(self):
        self.kind = (self.kind or "").strip()
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The licence must end after it starts.")})

    @classmethod
    def can_be_created_by(cls, user):
        return _can_create(user)

    def is_editable_by(self, user):
        return _can_edit_owner(user, self.organization_id)


# -- capacities ---------------------------------------------------------------------------------------
class MemberCapacityQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(stage__mission__in=Mission.objects.visible_to(user))


class MemberCapacity(SearchableModel):
    """What an organization can do for a stage per period, at what cost, speed and quality."""

    organization = models.ForeignKey(Organization, models.CASCADE, related_name="mission_capacities",
                                     verbose_name=_("organization"))
    stage = models.ForeignKey(Stage, models.CASCADE, related_name="capacities", verbose_name=_("stage"))
    capacity = models.PositiveIntegerField(_("capacity per period"))
    unit_cost = models.DecimalField(_("unit cost"), max_digits=18, decimal_places=2,
                                    validators=[MinValueValidator(0)])
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), default=0)
    quality = models.FloatField(_("quality score"), default=1.0,
                                validators=[MinValueValidator(0), MaxValueValidator(1)], help_text=_("0 to 1."))

    objects = MemberCapacityQuerySet.as_manager()

    class Meta:
        verbose_name = _("member capacity")
        verbose_name_plural = _("member capacities")
        ordering = ["stage", "organization", "pk"]
        constraints = [models.UniqueConstraint(fields=["organization", "stage"],
                                               name="missions_capacity_one_per_stage")]

    def __str__(self):
        return f"{self.organization} · {self.stage}"

    def get_absolute_url(self):
        return reverse("missions:membercapacity_detail", kwargs={"pk": self.pk})

    def search_parts(self):
        org = self.organization if self.organization_id else None
        return [org.name_fa if org else "", org.name_en if org else "", self.stage.name if self.stage_id else ""]

    @property
    def mission_id(self):
        return self.stage.mission_id if self.stage_id else None

    def region(self):
        return self.organization.region if self.organization_id else None

    region.short_description = _("region")

    @classmethod
    def can_be_created_by(cls, user):
        return _can_create(user)

    def is_editable_by(self, user):
        """The mission's owner side, or the organization itself for its own offer."""
        acc = access_for(user)
        if acc.is_admin:
            return True
        if self.organization_id and acc.can_edit_organization(self.organization_id):
            return True
        if self.stage_id:
            return _can_edit_owner(user, self.stage.mission.owner_id)
        return _can_create(user)


# -- demand and compositions --------------------------------------------------------------------------
class Demand(MissionPart, SearchableModel):
    """Units per period the chain must deliver."""

    mission = models.ForeignKey(Mission, models.CASCADE, related_name="demands", verbose_name=_("mission"))
    units = models.PositiveIntegerField(_("units per period"), validators=[MinValueValidator(1)])
    label = models.CharField(_("label"), max_length=200, blank=True, help_text=_("e.g. 2026 target."))

    objects = MissionPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("demand")
        verbose_name_plural = _("demands")
        ordering = ["mission", "-pk"]

    def __str__(self):
        return f"{self.label or self.mission} · {self.units}"

    def get_absolute_url(self):
        return reverse("missions:demand_detail", kwargs={"pk": self.pk})

    def search_parts(self):
        return [self.label, self.mission.title if self.mission_id else ""]


class Composition(MissionPart, SearchableModel):
    """A consortium composed for a demand (stored result of the composer; see services.compose_mission)."""

    class Status(models.TextChoices):
        OPTIMAL = "optimal", _("Optimal")
        FEASIBLE = "feasible", _("Feasible (time limit)")
        PARTIAL = "partial", _("Demand partly served")
        INFEASIBLE = "infeasible", _("Infeasible")

    mission = models.ForeignKey(Mission, models.CASCADE, related_name="compositions", verbose_name=_("mission"))
    demand = models.ForeignKey(Demand, models.SET_NULL, null=True, blank=True, related_name="compositions",
                               verbose_name=_("demand"))
    units = models.PositiveIntegerField(_("units demanded"), editable=False, default=0)
    rank = models.PositiveSmallIntegerField(_("rank"), default=1, editable=False,
                                            help_text=_("1 for the best consortium, 2 for the next ..."))
    base = models.ForeignKey("self", models.CASCADE, null=True, blank=True, related_name="variants",
                             verbose_name=_("based on"), editable=False)
    removed_member = models.ForeignKey(Organization, models.SET_NULL, null=True, blank=True, editable=False,
                                       related_name="+", verbose_name=_("member removed (what-if)"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, editable=False)
    served = models.PositiveIntegerField(_("units served"), default=0, editable=False)
    total_cost = models.DecimalField(_("total cost"), max_digits=20, decimal_places=2, default=0, editable=False)
    objective = models.FloatField(_("objective"), default=0, editable=False)
    gap = models.FloatField(_("optimality gap"), default=0, editable=False)
    solve_seconds = models.FloatField(_("solve time (s)"), default=0, editable=False)
    members = models.ManyToManyField(Organization, blank=True, related_name="compositions", editable=False,
                                     verbose_name=_("members"))
    parameters = models.JSONField(_("parameters"), default=dict, editable=False)
    result = models.JSONField(_("result"), default=dict, editable=False)
    note = models.TextField(_("note"), blank=True)

    objects = MissionPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("composition")
        verbose_name_plural = _("compositions")
        ordering = ["-pk"]

    def __str__(self):
        return f"{self.mission} #{self.pk}"

    def get_absolute_url(self):
        return reverse("missions:composition_detail", kwargs={"pk": self.pk})

    def search_parts(self):
        return [self.mission.title if self.mission_id else "", self.note]

    @property
    def shortfall(self) -> int:
        return max(0, self.units - self.served)

    @classmethod
    def can_be_created_by(cls, user):
        return False          # made by the composer (the mission page's "Compose" form), not by hand


# -- chain templates ----------------------------------------------------------------------------------
class ChainTemplateQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self


class ChainTemplate(SearchableModel):
    """A value chain as data (stages with predecessors, licences, sectors ...), copied into a mission."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    name_fa = models.CharField(_("Persian name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    stages = models.TextField(_("stages (JSON)"),
                              help_text=_('A list of {"name": ..., "predecessors": [...], "licences": [...], '
                                          '"sectors": [ISIC codes], "min_quality": 0.6, "max_share": 0.5, '
                                          '"min_lot": 10, "capacity_unit": "kg"}.'))

    objects = ChainTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("chain template")
        verbose_name_plural = _("chain templates")
        ordering = ["key"]

    def __str__(self):
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "fa").startswith("en") and self.name_en else self.name_fa

    def get_absolute_url(self):
        return reverse("missions:chaintemplate_detail", kwargs={"pk": self.pk})

    def search_parts(self):
        return [self.key, self.name_fa, self.name_en]

    @property
    def stage_list(self) -> list:
        """The stages as data (an empty list when the text is not valid JSON)."""
        import json

        try:
            value = json.loads(self.stages or "[]")
        except ValueError:
            return []
        return value if isinstance(value, list) else []

    def clean(self):
        import json

        from .templates_io import template_problems

        try:
            data = json.loads(self.stages or "")
        except ValueError as exc:
            raise ValidationError({"stages": _("The stages are not valid JSON: %(error)s") % {"error": exc}}) from None
        problems = template_problems(data)
        if problems:
            raise ValidationError({"stages": problems})

    @classmethod
    def can_be_created_by(cls, user):
        return access_for(user).is_admin

    def is_editable_by(self, user):
        return access_for(user).is_admin
