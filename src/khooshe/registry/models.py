"""The ecosystem registry: organizations, people, sectors, regions, relations, clusters, agreements.

Access rules (what a user may read and write) are the model's own: QuerySet ``visible_to(user)``,
instance ``is_editable_by(user)`` and class ``can_be_created_by(user)``, all built on
``registry.access.Access`` (the user's roles).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from khooshe.core.i18n import localized as _localized
from khooshe.core.models import SearchableModel, TimeStampedModel
from khooshe.core.text import fold, normalize

from .access import access_for
from .validators import validate_national_id


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Private")


class TechLevel(models.TextChoices):
    LOW = "low", _("Low tech")
    MEDIUM_LOW = "medium_low", _("Medium-low tech")
    MEDIUM_HIGH = "medium_high", _("Medium-high tech")
    HIGH = "high", _("High tech")
    CREATIVE = "creative", _("Creative / artistic")


# -- reference data -------------------------------------------------------------------------------
class Sector(models.Model):
    """A node of an activity classification: ISIC Rev.4 (section > division > group > class) by
    default, or a custom code list loaded from CSV (scheme other than "ISIC4")."""

    class Level(models.IntegerChoices):
        SECTION = 1, _("Section")
        DIVISION = 2, _("Division")
        GROUP = 3, _("Group")
        CLASS = 4, _("Class")

    scheme = models.CharField(_("classification"), max_length=32, default="ISIC4")
    code = models.CharField(_("code"), max_length=16)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey("self", models.CASCADE, null=True, blank=True, related_name="children",
                               verbose_name=_("parent"))
    title_en = models.CharField(_("English title"), max_length=300)
    title_fa = models.CharField(_("Persian title"), max_length=300, blank=True)
    # Codes from the section down, e.g. "C/10/107/1071": lets later parts score sector closeness.
    path = models.CharField(_("path"), max_length=120, db_index=True, editable=False)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["scheme", "path"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="sector_unique_code")]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def title(self) -> str:
        return _localized(self.title_fa, self.title_en)

    def save(self, *args, **kwargs):
        self.path = f"{self.parent.path}/{self.code}" if self.parent_id else self.code
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("registry:sector_detail", kwargs={"pk": self.pk})

    @classmethod
    def can_be_created_by(cls, user):
        return user.is_authenticated and user.is_superuser

    def is_editable_by(self, user):
        return user.is_authenticated and user.is_superuser


class Region(models.Model):
    """A place in a hierarchy (country > province > county), with an optional GeoJSON boundary."""

    class Kind(models.TextChoices):
        COUNTRY = "country", _("Country")
        PROVINCE = "province", _("Province")
        COUNTY = "county", _("County")
        OTHER = "other", _("Other")

    code = models.CharField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey("self", models.CASCADE, null=True, blank=True, related_name="children",
                               verbose_name=_("parent"))
    name_fa = models.CharField(_("Persian name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    boundary = models.JSONField(_("boundary (GeoJSON geometry)"), null=True, blank=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["kind", "name_fa"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return _localized(self.name_fa, self.name_en)

    def get_absolute_url(self):
        return reverse("registry:region_detail", kwargs={"pk": self.pk})

    @classmethod
    def can_be_created_by(cls, user):
        return user.is_authenticated and user.is_superuser

    def is_editable_by(self, user):
        return user.is_authenticated and user.is_superuser

    def province(self) -> Region | None:
        node = self
        while node is not None and node.kind not in (self.Kind.PROVINCE, self.Kind.COUNTRY):
            node = node.parent
        return node if node is not None and node.kind == self.Kind.PROVINCE else None


# -- organizations --------------------------------------------------------------------------------
class OrganizationKind(models.TextChoices):
    STARTUP = "startup", _("Startup")
    KNOWLEDGE_BASED = "knowledge_based", _("Knowledge-based company")
    CREATIVE = "creative", _("Creative company")
    SME = "sme", _("SME")
    LARGE = "large", _("Large company")
    UNIVERSITY = "university", _("University")
    RESEARCH = "research", _("Research institute")
    INVESTOR = "investor", _("Fund / investor")
    ACCELERATOR = "accelerator", _("Accelerator")
    INNOVATION_FACTORY = "innovation_factory", _("Innovation factory")
    CREATIVE_HOUSE = "creative_house", _("Creative house")
    COWORKING = "coworking", _("Coworking space")
    GOVERNMENT = "government", _("Government body")
    CHAMBER = "chamber", _("Chamber / association / union")
    COOPERATIVE = "cooperative", _("Cooperative")
    NGO = "ngo", _("NGO")
    SERVICE_PROVIDER = "service_provider", _("Service provider")


# Kinds that are firms (they trade); the rest are support or public bodies. Used to classify relations
# as horizontal/vertical (between firms) or institutional (with a support/public body).
FIRM_KINDS = {
    OrganizationKind.STARTUP, OrganizationKind.KNOWLEDGE_BASED, OrganizationKind.CREATIVE,
    OrganizationKind.SME, OrganizationKind.LARGE, OrganizationKind.COOPERATIVE,
}
HUB_KINDS = {OrganizationKind.INNOVATION_FACTORY, OrganizationKind.CREATIVE_HOUSE, OrganizationKind.COWORKING,
             OrganizationKind.ACCELERATOR}


class SizeClass(models.TextChoices):
    MICRO = "micro", _("Micro (fewer than 10)")
    SMALL = "small", _("Small (10-49)")
    MEDIUM = "medium", _("Medium (50-249)")
    LARGE = "large", _("Large (250 or more)")


class EmployeeBand(models.TextChoices):
    B1_9 = "1-9", "1-9"
    B10_49 = "10-49", "10-49"
    B50_99 = "50-99", "50-99"
    B100_249 = "100-249", "100-249"
    B250_999 = "250-999", "250-999"
    B1000 = "1000+", "1000+"


SIZE_FOR_BAND = {
    "1-9": SizeClass.MICRO, "10-49": SizeClass.SMALL, "50-99": SizeClass.MEDIUM,
    "100-249": SizeClass.MEDIUM, "250-999": SizeClass.LARGE, "1000+": SizeClass.LARGE,
}


class Certification(models.TextChoices):
    NONE = "", _("None")
    KNOWLEDGE_BASED = "knowledge_based", _("Knowledge-based")
    CREATIVE = "creative", _("Creative")


class OrganizationQuerySet(models.QuerySet):
    def visible_to(self, user):
        acc = access_for(user)
        if acc.is_admin:
            return self
        condition = Q(visibility=Visibility.PUBLIC)
        if acc.organization_ids:
            condition |= Q(pk__in=acc.organization_ids)
        if acc.cluster_ids:
            condition |= Q(clusters__in=acc.cluster_ids)
        if acc.hub_ids:
            condition |= Q(pk__in=acc.hub_ids)
        return self.filter(condition).distinct() if acc.cluster_ids else self.filter(condition)


class Organization(SearchableModel):
    kind = models.CharField(_("kind"), max_length=32, choices=OrganizationKind.choices, db_index=True)
    name_fa = models.CharField(_("Persian name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    # Folded name: one spelling of a name (ك/ک, ي/ی, ZWNJ...) for duplicate warnings and sorting.
    name_key = models.CharField(max_length=300, editable=False, db_index=True, default="")
    national_id = models.CharField(
        _("national ID"), max_length=20, null=True, blank=True, unique=True, validators=[validate_national_id],
        help_text=_("The 11-digit national ID of a legal entity (شناسه ملی); unique where given."),
    )
    external_id = models.CharField(
        _("external ID"), max_length=64, null=True, blank=True, unique=True,
        help_text=_("Your own key for this organization, used when re-importing a file without national IDs."),
    )
    website = models.URLField(_("website"), blank=True)
    founding_year = models.PositiveSmallIntegerField(
        _("founding year"), null=True, blank=True, validators=[MinValueValidator(1800), MaxValueValidator(2100)],
        help_text=_("Gregorian year, e.g. 2019."),
    )
    employee_band = models.CharField(_("employees"), max_length=8, choices=EmployeeBand.choices, blank=True)
    size_class = models.CharField(_("size class"), max_length=8, choices=SizeClass.choices, blank=True,
                                  help_text=_("Filled from the employee band when left empty."))
    sectors = models.ManyToManyField(Sector, blank=True, related_name="organizations", verbose_name=_("sectors"))
    region = models.ForeignKey(Region, models.PROTECT, null=True, blank=True, related_name="organizations",
                               verbose_name=_("region"))
    address = models.TextField(_("address"), blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True,
                                 validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(_("longitude"), null=True, blank=True,
                                  validators=[MinValueValidator(-180), MaxValueValidator(180)])
    description = models.TextField(_("description"), blank=True)
    capabilities = models.TextField(_("capabilities"), blank=True)
    capability_sectors = models.ManyToManyField(Sector, blank=True, related_name="capable_organizations",
                                                verbose_name=_("capability sectors"))
    needs = models.TextField(_("needs"), blank=True)
    need_sectors = models.ManyToManyField(Sector, blank=True, related_name="needing_organizations",
                                          verbose_name=_("need sectors"))
    tech_level = models.CharField(_("tech level"), max_length=16, choices=TechLevel.choices, blank=True)
    certification = models.CharField(_("certification"), max_length=16, choices=Certification.choices, blank=True)
    certified_from = models.DateField(_("certified from"), null=True, blank=True)
    certified_until = models.DateField(_("certified until"), null=True, blank=True)
    visibility = models.CharField(_("visibility"), max_length=8, choices=Visibility.choices,
                                  default=Visibility.PUBLIC)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name_key", "pk"]
        indexes = [models.Index(fields=["kind", "region"]), models.Index(fields=["visibility", "name_key"])]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return _localized(self.name_fa, self.name_en)

    def get_absolute_url(self):
        return reverse("registry:organization_detail", kwargs={"pk": self.pk})

    def search_parts(self):
        return [self.name_fa, self.name_en, self.national_id, self.capabilities, self.description]

    def prepare_for_save(self):
        """Derived fields, also called by bulk imports that bypass save()."""
        self.name_fa = normalize(self.name_fa)
        self.name_en = normalize(self.name_en)
        self.name_key = fold(self.name_fa or self.name_en)[:300]
        self.national_id = normalize(self.national_id) or None
        self.external_id = normalize(self.external_id) or None
        if not self.size_class and self.employee_band:
            self.size_class = SIZE_FOR_BAND.get(self.employee_band, "")
        self.refresh_search_text()

    def save(self, *args, **kwargs):
        self.prepare_for_save()
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.certified_from and self.certified_until and self.certified_until < self.certified_from:
            errors["certified_until"] = _("The end of certification must be after its start.")
        if (self.certified_from or self.certified_until) and not self.certification:
            errors["certification"] = _("Choose the certification these dates belong to.")
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude" if self.longitude is None else "latitude"] = _(
                "Give both latitude and longitude, or neither.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_firm(self) -> bool:
        return self.kind in FIRM_KINDS

    @property
    def effective_size(self) -> str:
        if self.size_class:
            return self.size_class
        return SizeClass.LARGE if self.kind == OrganizationKind.LARGE else ""

    @classmethod
    def can_be_created_by(cls, user):
        acc = access_for(user)
        return acc.is_admin or bool(acc.cluster_ids or acc.hub_ids)

    def is_editable_by(self, user):
        acc = access_for(user)
        if acc.is_admin:
            return True
        if self.pk is None:  # a new organization: cluster and hub staff register organizations
            return bool(acc.cluster_ids or acc.hub_ids)
        return acc.can_edit_organization(self.pk)


# -- people ---------------------------------------------------------------------------------------
class PersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        acc = access_for(user)
        if acc.is_admin:
            return self
        condition = Q(visibility=Visibility.PUBLIC)
        editable = acc.editable_organization_ids()
        if editable:
            condition |= Q(roles__organization__in=editable)
        return self.filter(condition).distinct() if editable else self.filter(condition)


class Person(SearchableModel):
    class Kind(models.TextChoices):
        FOUNDER = "founder", _("Founder")
        MENTOR = "mentor", _("Mentor")
        CONSULTANT = "consultant", _("Consultant")
        CDA = "cda", _("Cluster development agent")
        RESEARCHER = "researcher", _("Researcher")
        INVESTOR = "investor", _("Investor")
        MANAGER = "manager", _("Manager")
        OFFICIAL = "official", _("Official")
        OTHER = "other", _("Other")

    first_name_fa = models.CharField(_("first name (Persian)"), max_length=120)
    last_name_fa = models.CharField(_("last name (Persian)"), max_length=120)
    full_name_en = models.CharField(_("full name (English)"), max_length=240, blank=True)
    kind = models.CharField(_("main role"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    external_id = models.CharField(_("external ID"), max_length=64, null=True, blank=True, unique=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    region = models.ForeignKey(Region, models.PROTECT, null=True, blank=True, related_name="people",
                               verbose_name=_("region"))
    expertise = models.TextField(_("expertise"), blank=True)
    expertise_sectors = models.ManyToManyField(Sector, blank=True, related_name="experts",
                                               verbose_name=_("expertise sectors"))
    visibility = models.CharField(_("visibility"), max_length=8, choices=Visibility.choices,
                                  default=Visibility.PUBLIC)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                related_name="person", verbose_name=_("user account"))

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name_fa", "first_name_fa", "pk"]

    def __str__(self):
        fa = f"{self.first_name_fa} {self.last_name_fa}".strip()
        return _localized(fa, self.full_name_en)

    def get_absolute_url(self):
        return reverse("registry:person_detail", kwargs={"pk": self.pk})

    def search_parts(self):
        return [self.first_name_fa, self.last_name_fa, self.full_name_en, self.email, self.expertise]

    def save(self, *args, **kwargs):
        self.first_name_fa, self.last_name_fa = normalize(self.first_name_fa), normalize(self.last_name_fa)
        self.external_id = normalize(self.external_id) or None
        super().save(*args, **kwargs)

    @classmethod
    def can_be_created_by(cls, user):
        acc = access_for(user)
        return acc.is_admin or bool(acc.editable_organization_ids())

    def is_editable_by(self, user):
        acc = access_for(user)
        if acc.is_admin:
            return True
        if self.pk is None:
            return bool(acc.editable_organization_ids())
        if self.user_id and self.user_id == getattr(user, "pk", None):
            return True
        org_ids = set(self.roles.values_list("organization_id", flat=True))
        return bool(org_ids & acc.editable_organization_ids())


class PersonRoleQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(person__in=Person.objects.visible_to(user),
                           organization__in=Organization.objects.visible_to(user))


class PersonRole(TimeStampedModel):
    class Role(models.TextChoices):
        FOUNDER = "founder", _("Founder")
        CEO = "ceo", _("Managing director")
        BOARD = "board", _("Board member")
        EMPLOYEE = "employee", _("Employee")
        MENTOR = "mentor", _("Mentor")
        CONSULTANT = "consultant", _("Consultant")
        CDA = "cda", _("Cluster development agent")
        RESEARCHER = "researcher", _("Researcher")
        CONTACT = "contact", _("Contact person")

    person = models.ForeignKey(Person, models.CASCADE, related_name="roles", verbose_name=_("person"))
    organization = models.ForeignKey(Organization, models.CASCADE, related_name="roles",
                                     verbose_name=_("organization"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)

    objects = PersonRoleQuerySet.as_manager()

    class Meta:
        verbose_name = _("role in an organization")
        verbose_name_plural = _("roles in organizations")
        ordering = ["organization", "person"]
        constraints = [models.UniqueConstraint(fields=["person", "organization", "role"], name="person_role_unique")]

    def __str__(self):
        return f"{self.person} — {self.get_role_display()} — {self.organization}"

    def get_absolute_url(self):
        return reverse("registry:personrole_detail", kwargs={"pk": self.pk})

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date must be after the start date.")})

    @classmethod
    def can_be_created_by(cls, user):
        return Person.can_be_created_by(user)

    def is_editable_by(self, user):
        acc = access_for(user)
        return acc.is_admin or (self.organization_id is not None and acc.can_edit_organization(self.organization_id))


# -- relations ------------------------------------------------------------------------------------
class RelationType(models.TextChoices):
    SUPPLY = "supply", _("Supply")
    CUSTOMER = "customer", _("Customer")
    PARTNERSHIP = "partnership", _("Partnership")
    JOINT_PROJECT = "joint_project", _("Joint project")
    INVESTMENT = "investment", _("Investment")
    MEMBERSHIP = "membership", _("Membership")
    TECH_TRANSFER = "tech_transfer", _("Technology transfer")
    MENTORING = "mentoring", _("Mentoring")
    EMPLOYMENT_FLOW = "employment_flow", _("Employment flow")


# Symmetric types have no direction; for the others source -> target reads "supplies", "invests in"...
UNDIRECTED_TYPES = {RelationType.PARTNERSHIP, RelationType.JOINT_PROJECT}


class RelationClass(models.TextChoices):
    HORIZONTAL = "horizontal", _("Horizontal (between SMEs and micro firms)")
    VERTICAL = "vertical", _("Vertical (large firm with an SME)")
    INSTITUTIONAL = "institutional", _("Institutional (firm with a support or public body)")
    OTHER = "other", _("Other")


def classify_relation(source: Organization, target: Organization) -> str:
    """Horizontal, vertical or institutional, as in the ministry's cluster program (source document 001).

    A support or public body on either side makes it institutional; between firms, a large firm with a
    smaller one is vertical, firms of the same tier are horizontal.
    """
    if not source.is_firm or not target.is_firm:
        return RelationClass.INSTITUTIONAL if (source.is_firm or target.is_firm) else RelationClass.OTHER
    large = [org.effective_size == SizeClass.LARGE for org in (source, target)]
    return RelationClass.VERTICAL if large[0] != large[1] else RelationClass.HORIZONTAL


class RelationQuerySet(models.QuerySet):
    def visible_to(self, user):
        acc = access_for(user)
        if acc.is_admin:
            return self
        visible = Organization.objects.visible_to(user)
        return self.filter(source__in=visible, target__in=visible)


class Relation(TimeStampedModel):
    class Origin(models.TextChoices):
        DECLARED = "declared", _("Declared")
        SURVEY = "survey", _("Survey")
        AGREEMENT = "agreement", _("Agreement")

    source = models.ForeignKey(Organization, models.CASCADE, related_name="relations_out", verbose_name=_("from"))
    target = models.ForeignKey(Organization, models.CASCADE, related_name="relations_in", verbose_name=_("to"))
    type = models.CharField(_("type"), max_length=20, choices=RelationType.choices, db_index=True)
    directed = models.BooleanField(_("directed"), default=True, editable=False)
    classification = models.CharField(_("classification"), max_length=16, choices=RelationClass.choices,
                                      editable=False, default=RelationClass.OTHER)
    strength = models.PositiveSmallIntegerField(_("strength"), default=3,
                                                validators=[MinValueValidator(1), MaxValueValidator(5)],
                                                help_text=_("1 (weak) to 5 (strong)."))
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    origin = models.CharField(_("source"), max_length=16, choices=Origin.choices, default=Origin.DECLARED)
    agreement = models.ForeignKey("Agreement", models.SET_NULL, null=True, blank=True, related_name="relations",
                                  verbose_name=_("agreement"))
    external_id = models.CharField(_("external ID"), max_length=64, null=True, blank=True, unique=True)
    note = models.TextField(_("note"), blank=True)

    objects = RelationQuerySet.as_manager()

    class Meta:
        verbose_name = _("relation")
        verbose_name_plural = _("relations")
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="relation_not_self"),
            models.CheckConstraint(condition=Q(strength__gte=1, strength__lte=5), name="relation_strength_1_5"),
        ]
        indexes = [models.Index(fields=["source", "type"]), models.Index(fields=["target", "type"])]

    def __str__(self):
        arrow = "→" if self.directed else "↔"
        return f"{self.source} {arrow} {self.target} ({self.get_type_display()})"

    def get_absolute_url(self):
        return reverse("registry:relation_detail", kwargs={"pk": self.pk})

    def prepare_for_save(self):
        self.directed = self.type not in UNDIRECTED_TYPES
        if self.source_id and self.target_id:
            self.classification = classify_relation(self.source, self.target)

    def save(self, *args, **kwargs):
        self.prepare_for_save()
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.source_id and self.source_id == self.target_id:
            errors["target"] = _("A relation needs two different organizations.")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date must be after the start date.")
        if self.origin == self.Origin.AGREEMENT and not self.agreement_id:
            errors["agreement"] = _("Choose the agreement this relation comes from.")
        if errors:
            raise ValidationError(errors)

    @classmethod
    def can_be_created_by(cls, user):
        acc = access_for(user)
        return acc.is_admin or bool(acc.editable_organization_ids())

    def is_editable_by(self, user):
        acc = access_for(user)
        if acc.is_admin:
            return True
        editable = acc.editable_organization_ids()
        return self.source_id in editable or self.target_id in editable


# -- clusters -------------------------------------------------------------------------------------
class ClusterQuerySet(models.QuerySet):
    def visible_to(self, user):
        acc = access_for(user)
        if acc.is_admin:
            return self
        return self.filter(Q(visibility=Visibility.PUBLIC) | Q(pk__in=acc.cluster_ids))


class Cluster(SearchableModel):
    class Type(models.TextChoices):
        LOCAL = "local", _("Local")
        RESOURCE = "resource", _("Natural-resource-dependent")
        TRADED = "traded", _("Traded")

    class Stage(models.TextChoices):
        EMBRYONIC = "embryonic", _("Embryonic")
        FORMED = "formed", _("Formed")
        DEVELOPING = "developing", _("Developing")
        DEVELOPED = "developed", _("Developed")

    class Origin(models.TextChoices):
        NATURAL = "natural", _("Natural")
        CREATED = "created", _("Created (policy-driven)")

    name_fa = models.CharField(_("Persian name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    sectors = models.ManyToManyField(Sector, blank=True, related_name="clusters", verbose_name=_("sectors"))
    regions = models.ManyToManyField(Region, blank=True, related_name="clusters", verbose_name=_("regions"))
    type = models.CharField(_("type"), max_length=16, choices=Type.choices)
    stage = models.CharField(_("life-cycle stage"), max_length=16, choices=Stage.choices)
    tech_level = models.CharField(_("tech level"), max_length=16, choices=TechLevel.choices)
    origin = models.CharField(_("natural or created"), max_length=16, choices=Origin.choices,
                              default=Origin.NATURAL)
    development_agent = models.ForeignKey(Person, models.SET_NULL, null=True, blank=True,
                                          related_name="clusters_led",
                                          verbose_name=_("cluster development agent"))
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(Organization, through="ClusterMembership", blank=True,
                                     related_name="clusters", verbose_name=_("members"))
    visibility = models.CharField(_("visibility"), max_length=8, choices=Visibility.choices,
                                  default=Visibility.PUBLIC)

    objects = ClusterQuerySet.as_manager()

    class Meta:
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        ordering = ["name_fa"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return _localized(self.name_fa, self.name_en)

    def get_absolute_url(self):
        return reverse("registry:cluster_detail", kwargs={"pk": self.pk})

    def search_parts(self):
        return [self.name_fa, self.name_en, self.description]

    def member_count(self) -> int:
        return self.memberships.count()

    member_count.short_description = _("members")

    @classmethod
    def can_be_created_by(cls, user):
        return access_for(user).is_admin

    def is_editable_by(self, user):
        acc = access_for(user)
        return acc.is_admin or (self.pk is not None and self.pk in acc.cluster_ids)


class ClusterMembershipQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(cluster__in=Cluster.objects.visible_to(user),
                           organization__in=Organization.objects.visible_to(user))


class ClusterMembership(TimeStampedModel):
    class Role(models.TextChoices):
        CORE = "core", _("Core firm")
        SUPPLIER = "supplier", _("Supplier")
        SERVICE = "service", _("Service provider")
        SUPPORT = "support", _("Support institution")
        PUBLIC = "public", _("Public body")

    cluster = models.ForeignKey(Cluster, models.CASCADE, related_name="memberships", verbose_name=_("cluster"))
    organization = models.ForeignKey(Organization, models.CASCADE, related_name="cluster_memberships",
                                     verbose_name=_("organization"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CORE)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)

    objects = ClusterMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("cluster membership")
        verbose_name_plural = _("cluster memberships")
        ordering = ["cluster", "organization"]
        constraints = [models.UniqueConstraint(fields=["cluster", "organization"], name="cluster_member_unique")]

    def __str__(self):
        return f"{self.organization} ∈ {self.cluster}"

    def get_absolute_url(self):
        return reverse("registry:clustermembership_detail", kwargs={"pk": self.pk})

    @classmethod
    def can_be_created_by(cls, user):
        acc = access_for(user)
        return acc.is_admin or bool(acc.cluster_ids)

    def is_editable_by(self, user):
        acc = access_for(user)
        return acc.is_admin or (self.cluster_id is not None and self.cluster_id in acc.cluster_ids)


# -- agreements -----------------------------------------------------------------------------------
class AgreementQuerySet(models.QuerySet):
    def visible_to(self, user):
        acc = access_for(user)
        if acc.is_admin:
            return self
        condition = Q(visibility=Visibility.PUBLIC)
        editable = acc.editable_organization_ids()
        if editable:
            condition |= Q(parties__in=editable)
            return self.filter(condition).distinct()
        return self.filter(condition)


def agreement_upload_path(instance, filename):
    return f"agreements/{filename}"


class Agreement(SearchableModel):
    class Kind(models.TextChoices):
        MOU = "mou", _("Memorandum of understanding")
        CONTRACT = "contract", _("Contract")
        CONSORTIUM = "consortium", _("Consortium agreement")
        NDA = "nda", _("Non-disclosure agreement")
        OTHER = "other", _("Other")

    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.MOU)
    subject = models.TextField(_("subject"), blank=True)
    parties = models.ManyToManyField(Organization, related_name="agreements", verbose_name=_("parties"))
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    document = models.FileField(_("document"), upload_to=agreement_upload_path, blank=True)
    visibility = models.CharField(_("visibility"), max_length=8, choices=Visibility.choices,
                                  default=Visibility.PRIVATE)
    external_id = models.CharField(_("external ID"), max_length=64, null=True, blank=True, unique=True,
                                   help_text=_("Your key for this agreement (imports update by it)."))

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-signed_on", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("registry:agreement_detail", kwargs={"pk": self.pk})

    def search_parts(self):
        return [self.title, self.subject]

    def prepare_for_save(self):
        self.external_id = normalize(self.external_id) or None

    def save(self, *args, **kwargs):
        self.prepare_for_save()
        super().save(*args, **kwargs)

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date must be after the start date.")})

    @classmethod
    def can_be_created_by(cls, user):
        acc = access_for(user)
        return acc.is_admin or bool(acc.editable_organization_ids())

    def is_editable_by(self, user):
        acc = access_for(user)
        if acc.is_admin:
            return True
        if self.pk is None:
            return bool(acc.editable_organization_ids())
        party_ids = set(self.parties.values_list("pk", flat=True))
        return bool(party_ids & acc.editable_organization_ids())


# -- roles ----------------------------------------------------------------------------------------
class RoleQuerySet(models.QuerySet):
    def visible_to(self, user):
        acc = access_for(user)
        return self if acc.is_admin else self.filter(user=user) if user.is_authenticated else self.none()


class Role(TimeStampedModel):
    """What a user may edit beyond public reading: member of an organization, or staff of a cluster or
    hub. A superuser is a platform admin and needs no role."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("Member of an organization")
        CLUSTER_STAFF = "cluster_staff", _("Staff of a cluster")
        HUB_STAFF = "hub_staff", _("Staff of a hub")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="roles", verbose_name=_("user"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    organization = models.ForeignKey(Organization, models.CASCADE, null=True, blank=True, related_name="user_roles",
                                     verbose_name=_("organization or hub"))
    cluster = models.ForeignKey(Cluster, models.CASCADE, null=True, blank=True, related_name="staff_roles",
                                verbose_name=_("cluster"))

    objects = RoleQuerySet.as_manager()

    class Meta:
        verbose_name = _("user role")
        verbose_name_plural = _("user roles")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="cluster_staff", cluster__isnull=False, organization__isnull=True)
                           | Q(kind__in=["member", "hub_staff"], organization__isnull=False, cluster__isnull=True)),
                name="role_target_matches_kind",
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.get_kind_display()} — {self.cluster or self.organization}"

    def get_absolute_url(self):
        return reverse("registry:role_detail", kwargs={"pk": self.pk})

    def clean(self):
        if self.kind == self.Kind.CLUSTER_STAFF:
            if not self.cluster_id:
                raise ValidationError({"cluster": _("Choose the cluster this user works for.")})
            if self.organization_id:
                raise ValidationError({"organization": _("Leave the organization empty for cluster staff.")})
        else:
            if not self.organization_id:
                raise ValidationError({"organization": _("Choose the organization or hub.")})
            if self.cluster_id:
                raise ValidationError({"cluster": _("Leave the cluster empty for this kind of role.")})
            if self.kind == self.Kind.HUB_STAFF and self.organization.kind not in HUB_KINDS:
                raise ValidationError({"organization": _(
                    "A hub is an innovation factory, creative house, coworking space or accelerator.")})

    @classmethod
    def can_be_created_by(cls, user):
        return access_for(user).is_admin

    def is_editable_by(self, user):
        return access_for(user).is_admin
