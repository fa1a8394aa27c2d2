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

import datetime
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
from khooshe.registry.models import Organization, Region, RelationType, Sector


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


# -- matchmaking days (b2match-style one-to-one meetings) ------------------------------------------------
class MatchmakingDayQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A draft day is seen by the organiser side only; once published by everyone."""
        acc = access_for(user)
        if acc.is_admin:
            return self
        condition = ~Q(status=MatchmakingDay.Status.DRAFT)
        editable = acc.editable_organization_ids()
        if editable:
            condition |= Q(organiser__in=editable)
        return self.filter(condition)


def default_conflict_types() -> list[str]:
    return []


class MatchmakingDay(SearchableModel):
    """A matchmaking event: participants publish what they bring, request meetings, and the organiser
    schedules one-to-one meetings in time slots at tables (as b2match)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published: open for participants and requests")
        SCHEDULED = "scheduled", _("Scheduled: agendas sent")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    organiser = models.ForeignKey(Organization, models.CASCADE, related_name="organised_matchmaking_days",
                                  verbose_name=_("organiser"))
    date = models.DateField(_("date"))
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    region = models.ForeignKey(Region, models.PROTECT, null=True, blank=True, related_name="matchmaking_days",
                               verbose_name=_("region"))
    start_time = models.TimeField(_("first meeting starts"), default=datetime.time(9, 0))
    slot_minutes = models.PositiveSmallIntegerField(
        _("minutes per meeting"), default=20, validators=[MinValueValidator(5), MaxValueValidator(240)])
    slot_count = models.PositiveSmallIntegerField(
        _("number of slots"), default=12, validators=[MinValueValidator(1), MaxValueValidator(48)])
    tables = models.PositiveSmallIntegerField(
        _("tables"), default=10, validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("Meetings that can take place at the same time."))
    max_meetings = models.PositiveSmallIntegerField(
        _("max meetings per participant"), default=6, validators=[MinValueValidator(1), MaxValueValidator(48)])
    conflict_relation_types = models.JSONField(
        _("related organizations do not meet"), default=default_conflict_types, blank=True,
        help_text=_("Organizations already linked by one of these relations are not proposed a meeting."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT,
                              editable=False, db_index=True)
    # The last "Propose schedule": method, status, total score, bound, gap, seconds, counts (services).
    schedule_report = models.JSONField(_("last schedule proposal"), default=dict, blank=True, editable=False)

    objects = MatchmakingDayQuerySet.as_manager()

    class Meta:
        verbose_name = _("matchmaking day")
        verbose_name_plural = _("matchmaking days")
        ordering = ["-date", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(slot_count__gte=1, tables__gte=1, slot_minutes__gte=1),
                                              name="matchmaking_day_positive_sizes")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("matching:matchmakingday_detail", kwargs={"pk": self.pk})

    def search_parts(self):
        return [self.title, self.description, self.venue]

    def clean(self):
        errors = {}
        if self.start_time and self.slot_minutes and self.slot_count:
            start = self.start_time.hour * 60 + self.start_time.minute if hasattr(self.start_time, "hour") else 0
            if start + self.slot_minutes * self.slot_count > 24 * 60:
                errors["slot_count"] = _("%(count)s slots of %(minutes)s minutes from the first meeting run past "
                                         "midnight; use fewer or shorter slots.") % {
                    "count": self.slot_count, "minutes": self.slot_minutes}
        types = self.conflict_relation_types
        if types in (None, ""):
            self.conflict_relation_types = types = []
        if not isinstance(types, list) or any(t not in RelationType.values for t in types):
            errors["conflict_relation_types"] = _("Choose relation types from the list.")
        if errors:
            raise ValidationError(errors)

    def slot_times(self) -> list[tuple]:
        """(start, end) of every slot, as datetime.time."""
        import datetime as dt

        base = dt.datetime.combine(dt.date(2000, 1, 1), self.start_time if isinstance(self.start_time, dt.time)
                                   else dt.time.fromisoformat(str(self.start_time)))
        step = dt.timedelta(minutes=self.slot_minutes)
        return [((base + i * step).time(), (base + (i + 1) * step).time()) for i in range(self.slot_count)]

    def hours(self) -> str:
        """The time span of the meetings, e.g. 09:00–13:00 (Persian digits in the Persian UI)."""
        from khooshe.core.generic import display_text

        times = self.slot_times()
        text = f"{times[0][0]:%H:%M}–{times[-1][1]:%H:%M}" if times else ""
        return "".join(display_text(int(c)) if c.isdigit() else c for c in text)
    hours.short_description = _("hours")

    def conflict_rules(self) -> str:
        labels = [str(RelationType(t).label) for t in self.conflict_relation_types or [] if t in RelationType.values]
        return ", ".join(labels)
    conflict_rules.short_description = _("related organizations do not meet")

    @classmethod
    def can_be_created_by(cls, user):
        acc = access_for(user)
        return acc.is_admin or bool(acc.editable_organization_ids())

    def is_editable_by(self, user):
        acc = access_for(user)
        if acc.is_admin:
            return True
        if self.organiser_id is None:
            return bool(acc.editable_organization_ids())
        return self.organiser_id in acc.editable_organization_ids()


class ParticipantQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(day__in=MatchmakingDay.objects.visible_to(user))


class Participant(SearchableModel):
    """An organization taking part in a matchmaking day: what it brings (challenges, an offer), when it is
    free, how many meetings it takes, which organizations it must not meet."""

    class Role(models.TextChoices):
        SEEKER = "seeker", _("Seeker: brings problems")
        SOLVER = "solver", _("Solver: offers solutions")
        BOTH = "both", _("Both")

    day = models.ForeignKey(MatchmakingDay, models.CASCADE, related_name="participants",
                            verbose_name=_("matchmaking day"))
    organization = models.ForeignKey(Organization, models.CASCADE, related_name="matchmaking_participations",
                                     verbose_name=_("organization"))
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, default=Role.SOLVER)
    challenges = models.ManyToManyField(Challenge, blank=True, related_name="matchmaking_participations",
                                        verbose_name=_("challenges it brings"))
    interests = models.TextField(_("what it offers or looks for"), blank=True)
    available_slots = models.JSONField(_("available slots"), default=list, blank=True,
                                       help_text=_("Slot numbers (1 = the first); empty means the whole day."))
    max_meetings = models.PositiveSmallIntegerField(
        _("max meetings"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(48)],
        help_text=_("Empty: the day's limit."))
    conflicts = models.ManyToManyField(Organization, blank=True, related_name="matchmaking_conflicts",
                                       verbose_name=_("organizations it must not meet"),
                                       help_text=_("Conflicts of interest, e.g. a competitor or a related firm."))

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["day", "pk"]
        constraints = [models.UniqueConstraint(fields=["day", "organization"], name="participant_once_per_day")]

    def __str__(self):
        return str(self.organization)

    def get_absolute_url(self):
        return reverse("matching:participant_detail", kwargs={"pk": self.pk})

    def search_parts(self):
        org = self.organization if self.organization_id else None
        return [org.name_fa if org else "", org.name_en if org else "", self.interests]

    def clean(self):
        errors = {}
        slots = self.available_slots
        if slots in (None, ""):
            self.available_slots = slots = []
        if not isinstance(slots, list) or any(isinstance(s, bool) or not isinstance(s, int) for s in slots):
            errors["available_slots"] = _("Give slot numbers, e.g. 1, 2, 5.")
        elif self.day_id:
            bad = [s for s in slots if not 1 <= s <= self.day.slot_count]
            if bad:
                errors["available_slots"] = _("Slot %(slot)s does not exist: this day has slots 1 to %(count)s.") % {
                    "slot": bad[0], "count": self.day.slot_count}
            else:
                self.available_slots = sorted(set(slots))
        if self.day_id and self.organization_id:
            qs = Participant.objects.filter(day_id=self.day_id, organization_id=self.organization_id)
            if qs.exclude(pk=self.pk).exists():
                errors["organization"] = _("This organization already takes part in this day.")
        if errors:
            raise ValidationError(errors)

    def availability(self) -> str:
        if not self.available_slots:
            return str(_("The whole day"))
        return ", ".join(str(s) for s in self.available_slots)
    availability.short_description = _("available slots")

    def capacity(self) -> int:
        return self.day.max_meetings if self.max_meetings is None else self.max_meetings

    def is_available(self, slot: int) -> bool:
        """``slot`` is 1-based."""
        return not self.available_slots or slot in self.available_slots

    @classmethod
    def can_be_created_by(cls, user):
        acc = access_for(user)
        return acc.is_admin or bool(acc.editable_organization_ids())

    def is_editable_by(self, user):
        """The organiser side invites and edits; an organization registers itself to a published day and
        edits its own participation (availability, what it brings)."""
        acc = access_for(user)
        if acc.is_admin:
            return True
        editable = acc.editable_organization_ids()
        if self.day_id is None:
            return bool(editable)
        if self.day.organiser_id in editable:
            return True
        return (self.organization_id in editable and
                self.day.status in (MatchmakingDay.Status.PUBLISHED, MatchmakingDay.Status.SCHEDULED))


class MeetingRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        acc = access_for(user)
        if acc.is_admin:
            return self
        editable = acc.editable_organization_ids()
        if not editable:
            return self.none()
        return self.filter(Q(requester__organization__in=editable) | Q(recipient__organization__in=editable) |
                           Q(day__organiser__in=editable))


class MeetingRequest(SearchableModel):
    """A participant asks another for a meeting; the other accepts or declines (a declined request is never
    scheduled, an accepted one is favoured)."""

    class Priority(models.IntegerChoices):
        HIGH = 1, _("High")
        NORMAL = 2, _("Normal")
        LOW = 3, _("Low")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    day = models.ForeignKey(MatchmakingDay, models.CASCADE, related_name="meeting_requests",
                            verbose_name=_("matchmaking day"))
    requester = models.ForeignKey(Participant, models.CASCADE, related_name="requests_sent",
                                  verbose_name=_("from"))
    recipient = models.ForeignKey(Participant, models.CASCADE, related_name="requests_received",
                                  verbose_name=_("to"))
    challenge = models.ForeignKey(Challenge, models.SET_NULL, null=True, blank=True,
                                  related_name="meeting_requests", verbose_name=_("about challenge"))
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING,
                              editable=False, db_index=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)

    objects = MeetingRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting request")
        verbose_name_plural = _("meeting requests")
        ordering = ["-pk"]
        constraints = [models.UniqueConstraint(fields=["requester", "recipient"], name="meeting_request_once")]

    def __str__(self):
        return f"{self.requester} → {self.recipient}"

    def get_absolute_url(self):
        return reverse("matching:meetingrequest_detail", kwargs={"pk": self.pk})

    def search_parts(self):
        names = [str(p.organization) for p in (self.requester if self.requester_id else None,
                                               self.recipient if self.recipient_id else None) if p is not None]
        return [*names, self.message]

    def clean(self):
        errors = {}
        if self.requester_id and self.recipient_id:
            if self.requester_id == self.recipient_id:
                errors["recipient"] = _("A participant cannot ask itself for a meeting.")
            elif self.recipient.day_id != self.requester.day_id:
                errors["recipient"] = _("Both participants must take part in the same matchmaking day.")
            elif MeetingRequest.objects.filter(requester_id=self.requester_id, recipient_id=self.recipient_id) \
                    .exclude(pk=self.pk).exists():
                errors["recipient"] = _("This meeting has already been requested.")
            if self.day_id is None and self.requester.day_id:
                self.day_id = self.requester.day_id
            elif self.day_id and self.requester.day_id != self.day_id:
                errors["requester"] = _("This participant takes part in another matchmaking day.")
            if not errors and self.day.status not in (MatchmakingDay.Status.PUBLISHED,
                                                      MatchmakingDay.Status.SCHEDULED) and self._state.adding:
                errors["requester"] = _("Meetings are requested while the day is published.")
        if errors:
            raise ValidationError(errors)

    @classmethod
    def can_be_created_by(cls, user):
        acc = access_for(user)
        return acc.is_admin or bool(acc.editable_organization_ids())

    def is_editable_by(self, user):
        """The requesting side edits its request while pending; the organiser side always."""
        acc = access_for(user)
        if acc.is_admin:
            return True
        editable = acc.editable_organization_ids()
        if self.requester_id is None:
            return bool(editable)
        if self.requester.day.organiser_id in editable:
            return True
        return self.requester.organization_id in editable and self.status == self.Status.PENDING


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The organiser side sees every meeting; a participant its own once the schedule is published."""
        acc = access_for(user)
        if acc.is_admin:
            return self
        editable = acc.editable_organization_ids()
        if not editable:
            return self.none()
        published = Q(day__status__in=[MatchmakingDay.Status.SCHEDULED, MatchmakingDay.Status.CLOSED])
        own = Q(participant_a__organization__in=editable) | Q(participant_b__organization__in=editable)
        return self.filter(Q(day__organiser__in=editable) | (published & own))


class Meeting(SearchableModel):
    """A one-to-one meeting in a slot at a table, proposed by the scheduler or placed by the organiser."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    day = models.ForeignKey(MatchmakingDay, models.CASCADE, related_name="meetings",
                            verbose_name=_("matchmaking day"))
    slot = models.PositiveSmallIntegerField(_("slot"), validators=[MinValueValidator(1)],
                                            help_text=_("1 = the first slot of the day."))
    table = models.PositiveSmallIntegerField(_("table"), validators=[MinValueValidator(1)])
    participant_a = models.ForeignKey(Participant, models.CASCADE, related_name="meetings_a",
                                      verbose_name=_("participant"))
    participant_b = models.ForeignKey(Participant, models.CASCADE, related_name="meetings_b",
                                      verbose_name=_("meets"))
    challenge = models.ForeignKey(Challenge, models.SET_NULL, null=True, blank=True, related_name="meetings",
                                  verbose_name=_("challenge"))
    score = models.FloatField(_("match score"), default=0, editable=False)
    reason = models.CharField(_("why"), max_length=500, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED,
                              db_index=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["day", "slot", "table"]
        constraints = [
            models.UniqueConstraint(fields=["day", "slot", "table"], condition=~Q(status="cancelled"),
                                    name="meeting_one_per_table"),
            models.CheckConstraint(condition=~Q(participant_a=models.F("participant_b")),
                                   name="meeting_two_participants"),
        ]

    def __str__(self):
        return f"{self.participant_a} — {self.participant_b}"

    def get_absolute_url(self):
        return reverse("matching:meeting_detail", kwargs={"pk": self.pk})

    def search_parts(self):
        return [str(p.organization) for p in (self.participant_a if self.participant_a_id else None,
                                              self.participant_b if self.participant_b_id else None)
                if p is not None]

    def time_range(self) -> str:
        if not self.day_id or not 1 <= self.slot <= self.day.slot_count:
            return ""
        start, end = self.day.slot_times()[self.slot - 1]
        return f"{start:%H:%M}–{end:%H:%M}"
    time_range.short_description = _("time")

    def clean(self):
        errors = self.problems()
        if errors:
            raise ValidationError(errors)

    def problems(self) -> dict[str, str]:
        """What keeps this meeting from taking place, by field (empty when it can)."""
        errors: dict[str, str] = {}
        if not (self.day_id and self.participant_a_id and self.participant_b_id and self.slot and self.table):
            return errors
        day = self.day
        if not 1 <= self.slot <= day.slot_count:
            errors["slot"] = _("Slot %(slot)s does not exist: this day has slots 1 to %(count)s.") % {
                "slot": self.slot, "count": day.slot_count}
        if not 1 <= self.table <= day.tables:
            errors["table"] = _("Table %(table)s does not exist: this day has tables 1 to %(count)s.") % {
                "table": self.table, "count": day.tables}
        a, b = self.participant_a, self.participant_b
        for name, p in (("participant_a", a), ("participant_b", b)):
            if p.day_id != day.pk:
                errors[name] = _("“%(name)s” does not take part in this day.") % {"name": p}
        if a.pk == b.pk:
            errors["participant_b"] = _("A participant cannot meet itself.")
        if errors:
            return errors
        reason = conflict_reason(day, a, b)
        if reason:
            errors["participant_b"] = reason
        others = Meeting.objects.filter(day=day, slot=self.slot).exclude(status=self.Status.CANCELLED)
        if self.pk:
            others = others.exclude(pk=self.pk)
        if self.status != self.Status.CANCELLED:
            for name, p in (("participant_a", a), ("participant_b", b)):
                if not p.is_available(self.slot):
                    errors[name] = _("“%(name)s” is not available in slot %(slot)s.") % {"name": p, "slot": self.slot}
                elif others.filter(Q(participant_a=p) | Q(participant_b=p)).exists():
                    errors[name] = _("“%(name)s” already has a meeting in slot %(slot)s.") % {
                        "name": p, "slot": self.slot}
            if others.filter(table=self.table).exists():
                errors["table"] = _("Table %(table)s is taken in slot %(slot)s.") % {"table": self.table,
                                                                                      "slot": self.slot}
        return errors

    @classmethod
    def can_be_created_by(cls, user):
        acc = access_for(user)
        return acc.is_admin or bool(acc.editable_organization_ids())

    def is_editable_by(self, user):
        """Only the organiser side places, moves and cancels meetings."""
        acc = access_for(user)
        if acc.is_admin:
            return True
        editable = acc.editable_organization_ids()
        if self.day_id is None:
            return bool(editable)
        return self.day.organiser_id in editable


def conflict_reason(day: MatchmakingDay, a: Participant, b: Participant) -> str:
    """Why ``a`` and ``b`` must not meet at ``day`` (empty when they may): the same organization, a conflict
    declared by either side, or a registry relation of a type the day excludes."""
    if a.organization_id == b.organization_id:
        return _("Both are the same organization.")
    if a.conflicts.filter(pk=b.organization_id).exists() or b.conflicts.filter(pk=a.organization_id).exists():
        return _("A conflict of interest between “%(a)s” and “%(b)s” is declared.") % {"a": a, "b": b}
    types = [t for t in day.conflict_relation_types or [] if t in RelationType.values]
    if types:
        from khooshe.registry.models import Relation

        pair = Q(source=a.organization_id, target=b.organization_id) | Q(source=b.organization_id,
                                                                          target=a.organization_id)
        relation = Relation.objects.filter(pair, type__in=types).first()
        if relation is not None:
            return _("“%(a)s” and “%(b)s” are already related (%(type)s).") % {
                "a": a, "b": b, "type": relation.get_type_display()}
    return ""
