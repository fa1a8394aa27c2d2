"""Matchmaking: challenges (structured RFPs) with proposals, evaluation and award; anonymous offer and
request profiles (EEN-style) with expressions of interest; in-app notifications.

Access rules (built on ``registry.access.access_for``):

- a challenge's owner organization (its members, hub and cluster staff) manages it; a draft is seen by
  the owner side only; once open it is seen by everyone (public), by users with a role (members), or by
  the invited organizations (invited); reviewers see the challenges they review;
- a proposal is seen by its solver side, the challenge's owner side and the challenge's reviewers;
- a profile is seen by everyone, but its owner organization only by the owner side and by organizations
  whose expression of interest the owner accepted (see ``selectors.owner_revealed_to``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from khooshe.core.models import SearchableModel, TimeStampedModel
from khooshe.registry.access import access_for
from khooshe.registry.models import Organization, Region, Sector


def is_member(acc) -> bool:
    return acc.is_admin or bool(acc.organization_ids or acc.cluster_ids or acc.hub_ids)


# -- challenges -----------------------------------------------------------------------------------
class ChallengeQuerySet(models.QuerySet):
    def visible_to(self, user):
        acc = access_for(user)
        if acc.is_admin:
            return self
        published = Q(visibility=Challenge.Visibility.PUBLIC)
        if is_member(acc):
            published |= Q(visibility=Challenge.Visibility.MEMBERS)
        if acc.organization_ids:
            invited = Challenge.invited_organizations.through.objects.filter(
                organization_id__in=acc.organization_ids).values("challenge_id")
            published |= Q(visibility=Challenge.Visibility.INVITED, pk__in=invited)
        condition = ~Q(status=Challenge.Status.DRAFT) & published
        editable = acc.editable_organization_ids()
        if editable:
            condition |= Q(owner__in=editable)
        if user is not None and user.is_authenticated:
            reviewed = Challenge.reviewers.through.objects.filter(user_id=user.pk).values("challenge_id")
            condition |= Q(pk__in=reviewed)
        return self.filter(condition)


class Challenge(SearchableModel):
    """A problem or need posted by an organization, defined as a structured request for proposals."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        EVALUATING = "evaluating", _("Evaluating")
        AWARDED = "awarded", _("Awarded")
        CLOSED = "closed", _("Closed")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        MEMBERS = "members", _("Members only")
        INVITED = "invited", _("Invited organizations only")

    owner = models.ForeignKey(Organization, models.CASCADE, related_name="challenges",
                              verbose_name=_("owner organization"))
    title = models.CharField(_("title"), max_length=300)
    background = models.TextField(_("background"), blank=True)
    problem_statement = models.TextField(_("problem statement"), blank=True)
    constraints = models.TextField(_("constraints"), blank=True)
    success_criteria = models.TextField(_("what success looks like"), blank=True)
    budget_min = models.PositiveBigIntegerField(_("minimum budget"), null=True, blank=True)
    budget_max = models.PositiveBigIntegerField(_("maximum budget"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="IRR",
                                help_text=_("ISO 4217 code, e.g. IRR."))
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    deadline = models.DateField(_("deadline for proposals"), null=True, blank=True)
    ip_terms = models.TextField(_("intellectual property terms"), blank=True)
    confidentiality_terms = models.TextField(_("confidentiality terms"), blank=True)
    sectors = models.ManyToManyField(Sector, blank=True, related_name="challenges", verbose_name=_("sectors"))
    region = models.ForeignKey(Region, models.PROTECT, null=True, blank=True, related_name="challenges",
                               verbose_name=_("region"))
    visibility = models.CharField(_("visibility"), max_length=8, choices=Visibility.choices,
                                  default=Visibility.PUBLIC)
    invited_organizations = models.ManyToManyField(Organization, blank=True, related_name="invited_challenges",
                                                   verbose_name=_("invited organizations"))
    reviewers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="reviewed_challenges",
                                       verbose_name=_("reviewers"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT,
                              editable=False, db_index=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True, editable=False)

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        ordering = ["-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("matching:challenge_detail", kwargs={"pk": self.pk})

    def search_parts(self):
        return [self.title, self.background, self.problem_statement, self.constraints, self.success_criteria]

    def clean(self):
        errors = {}
        if self.budget_min is not None and self.budget_max is not None and self.budget_max < self.budget_min:
            errors["budget_max"] = _("The maximum budget must not be below the minimum budget.")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date must be after the start date.")
        if self.currency and not (len(self.currency) == 3 and self.currency.isalpha()):
            errors["currency"] = _("Give a three-letter currency code, e.g. IRR.")
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
        if self.owner_id is None:
            return bool(acc.editable_organization_ids())
        return self.owner_id in acc.editable_organization_ids()

    def is_reviewer(self, user) -> bool:
        return bool(user.is_authenticated and self.reviewers.filter(pk=user.pk).exists())


class CriterionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(challenge__in=Challenge.objects.visible_to(user))


class Criterion(SearchableModel):
    """A weighted evaluation criterion of a challenge, e.g. "technical merit", weight 3."""

    challenge = models.ForeignKey(Challenge, models.CASCADE, related_name="criteria", verbose_name=_("challenge"))
    name = models.CharField(_("name"), max_length=200)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=1,
                                 validators=[MinValueValidator(Decimal("0.01"))],
                                 help_text=_("A positive number; weights are relative to each other."))

    objects = CriterionQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")
        ordering = ["challenge", "pk"]
        constraints = [models.UniqueConstraint(fields=["challenge", "name"], name="criterion_unique_name"),
                       models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive")]

    def __str__(self):
        return self.name

    def search_parts(self):
        return [self.name]

    def get_absolute_url(self):
        return reverse("matching:criterion_detail", kwargs={"pk": self.pk})

    def clean(self):
        if self.weight is not None and self.weight <= 0:
            raise ValidationError({"weight": _("The weight must be a positive number.")})

    @classmethod
    def can_be_created_by(cls, user):
        return Challenge.can_be_created_by(user)

    def is_editable_by(self, user):
        if self.challenge_id is None:
            return Challenge.can_be_created_by(user)
        return self.challenge.is_editable_by(user)


# -- proposals ------------------------------------------------------------------------------------
class ProposalQuerySet(models.QuerySet):
    def visible_to(self, user):
        acc = access_for(user)
        if acc.is_admin:
            return self
        editable = acc.editable_organization_ids()
        condition = Q(pk__in=[])
        if editable:
            condition |= Q(solver__in=editable) | Q(challenge__owner__in=editable)
        if user is not None and user.is_authenticated:
            reviewed = Challenge.reviewers.through.objects.filter(user_id=user.pk).values("challenge_id")
            condition |= Q(challenge__in=reviewed)
        return self.filter(condition)


class Proposal(SearchableModel):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        AWARDED = "awarded", _("Awarded")
        NOT_SELECTED = "not_selected", _("Not selected")

    challenge = models.ForeignKey(Challenge, models.CASCADE, related_name="proposals", verbose_name=_("challenge"))
    solver = models.ForeignKey(Organization, models.CASCADE, related_name="proposals",
                               verbose_name=_("solver organization"))
    summary = models.TextField(_("summary"))
    approach = models.TextField(_("approach"), blank=True)
    price = models.PositiveBigIntegerField(_("price"), null=True, blank=True)
    duration_days = models.PositiveIntegerField(_("duration (days)"), null=True, blank=True)
    team = models.TextField(_("team"), blank=True)
    attachment = models.FileField(_("attachment"), upload_to="proposals/%Y/", blank=True, max_length=255)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED,
                              editable=False, db_index=True)
    agreement = models.ForeignKey("registry.Agreement", models.SET_NULL, null=True, blank=True, editable=False,
                                  related_name="proposals", verbose_name=_("agreement"))

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-pk"]
        constraints = [models.UniqueConstraint(fields=["challenge", "solver"], name="proposal_one_per_solver")]

    def __str__(self):
        return f"{self.solver} → {self.challenge}"

    def get_absolute_url(self):
        return reverse("matching:proposal_detail", kwargs={"pk": self.pk})

    def search_parts(self):
        return [self.summary, self.approach, self.team]

    def clean(self):
        errors = {}
        if self.challenge_id:
            if self.challenge.status != Challenge.Status.OPEN and self.status == self.Status.SUBMITTED:
                errors["challenge"] = _("This challenge is not open for proposals.")
            if self.solver_id and self.solver_id == self.challenge.owner_id:
                errors["solver"] = _("The owner of a challenge cannot propose to it.")
            qs = Proposal.objects.filter(challenge_id=self.challenge_id, solver_id=self.solver_id)
            if self.solver_id and qs.exclude(pk=self.pk).exists():
                errors["solver"] = _("This organization has already sent a proposal to this challenge.")
        if errors:
            raise ValidationError(errors)

    @classmethod
    def can_be_created_by(cls, user):
        acc = access_for(user)
        return acc.is_admin or bool(acc.editable_organization_ids())

    def is_editable_by(self, user):
        """The solver side edits its proposal while it is submitted (not after a decision)."""
        acc = access_for(user)
        if acc.is_admin:
            return True
        if self.solver_id is None:
            return bool(acc.editable_organization_ids())
        return self.solver_id in acc.editable_organization_ids() and self.status == self.Status.SUBMITTED

    def score(self):
        from .selectors import proposal_score

        return proposal_score(self)
    score.short_description = _("score")


class Review(TimeStampedModel):
    """One reviewer's evaluation of one proposal: a score per criterion and a comment."""

    proposal = models.ForeignKey(Proposal, models.CASCADE, related_name="reviews", verbose_name=_("proposal"))
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="proposal_reviews",
                                 verbose_name=_("reviewer"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [models.UniqueConstraint(fields=["proposal", "reviewer"], name="review_one_per_reviewer")]

    def __str__(self):
        return f"{self.reviewer} — {self.proposal}"


class Score(models.Model):
    review = models.ForeignKey(Review, models.CASCADE, related_name="scores", verbose_name=_("review"))
    criterion = models.ForeignKey(Criterion, models.CASCADE, related_name="scores", verbose_name=_("criterion"))
    value = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="score_one_per_criterion"),
                       models.CheckConstraint(condition=Q(value__gte=1, value__lte=5), name="score_1_5")]

    def __str__(self):
        return f"{self.criterion}: {self.value}"


# -- partnering profiles (offers and requests) ----------------------------------------------------------
class ProfileQuerySet(models.QuerySet):
    def visible_to(self, user):
        acc = access_for(user)
        if acc.is_admin:
            return self
        condition = Q(visibility=Profile.Visibility.PUBLIC, active=True)
        if is_member(acc):
            condition |= Q(visibility=Profile.Visibility.MEMBERS, active=True)
        editable = acc.editable_organization_ids()
        if editable:
            condition |= Q(owner__in=editable)
        return self.filter(condition)


class Profile(SearchableModel):
    """A technology offer or a partner request, as in the Enterprise Europe Network: shown without the
    owner organization until the owner accepts an expression of interest."""

    class Kind(models.TextChoices):
        OFFER = "offer", _("Offer")
        REQUEST = "request", _("Request")

    class Stage(models.TextChoices):
        IDEA = "idea", _("Concept or idea")
        DEVELOPMENT = "development", _("Under development / lab tested")
        PROTOTYPE = "prototype", _("Prototype available for demonstration")
        FIELD_TESTED = "field_tested", _("Field tested / evaluated")
        MARKET = "market", _("Already on the market")

    class IPStatus(models.TextChoices):
        NONE = "none", _("No protection")
        SECRET = "secret", _("Secret know-how")
        PATENT_APPLIED = "patent_applied", _("Patent applied for")
        PATENT_GRANTED = "patent_granted", _("Patent granted")
        COPYRIGHT = "copyright", _("Copyright")
        OTHER = "other", _("Other")

    class Partnership(models.TextChoices):
        COMMERCIAL = "commercial", _("Commercial agreement with technical assistance")
        LICENSE = "license", _("License agreement")
        RESEARCH = "research", _("Research cooperation agreement")
        JOINT_VENTURE = "joint_venture", _("Joint venture")
        SUPPLIER = "supplier", _("Supplier or subcontracting")
        INVESTMENT = "investment", _("Financial agreement / investment")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        MEMBERS = "members", _("Members only")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, db_index=True)
    owner = models.ForeignKey(Organization, models.CASCADE, related_name="partnering_profiles",
                              verbose_name=_("owner organization"))
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"))
    technology_description = models.TextField(_("technology description"), blank=True)
    advantages = models.TextField(_("advantages and innovations"), blank=True)
    stage = models.CharField(_("stage of development"), max_length=16, choices=Stage.choices, blank=True)
    ip_status = models.CharField(_("IP status"), max_length=16, choices=IPStatus.choices, blank=True)
    partnership_type = models.CharField(_("partnership sought"), max_length=16, choices=Partnership.choices,
                                        blank=True)
    sectors = models.ManyToManyField(Sector, blank=True, related_name="partnering_profiles",
                                     verbose_name=_("sectors"))
    visibility = models.CharField(_("visibility"), max_length=8, choices=Visibility.choices,
                                  default=Visibility.PUBLIC)
    active = models.BooleanField(_("active"), default=True)

    objects = ProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("partnering profile")
        verbose_name_plural = _("partnering profiles")
        ordering = ["-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("matching:profile_detail", kwargs={"pk": self.pk})

    def search_parts(self):  # never the owner: profiles are anonymous
        return [self.title, self.summary, self.technology_description, self.advantages]

    @classmethod
    def can_be_created_by(cls, user):
        acc = access_for(user)
        return acc.is_admin or bool(acc.editable_organization_ids())

    def is_editable_by(self, user):
        acc = access_for(user)
        if acc.is_admin:
            return True
        if self.owner_id is None:
            return bool(acc.editable_organization_ids())
        return self.owner_id in acc.editable_organization_ids()


class ExpressionOfInterest(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted: identities revealed")
        DECLINED = "declined", _("Declined")

    from_organization = models.ForeignKey(Organization, models.CASCADE, related_name="expressions_of_interest",
                                          verbose_name=_("from"))
    profile = models.ForeignKey(Profile, models.CASCADE, related_name="expressions_of_interest",
                                verbose_name=_("profile"))
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("expression of interest")
        verbose_name_plural = _("expressions of interest")
        ordering = ["-pk"]
        constraints = [models.UniqueConstraint(fields=["from_organization", "profile"], name="eoi_one_per_org")]

    def __str__(self):
        return str(self.profile)


# -- notifications --------------------------------------------------------------------------------------
class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications",
                             verbose_name=_("user"))
    verb = models.CharField(_("what happened"), max_length=300)
    challenge = models.ForeignKey(Challenge, models.CASCADE, null=True, blank=True, related_name="notifications",
                                  verbose_name=_("challenge"))
    url = models.CharField(_("link"), max_length=300, blank=True)
    read = models.BooleanField(_("read"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read"])]

    def __str__(self):
        return self.verb
