"""Models of cohorts: hub programs (incubation, acceleration, corporate) with cohorts, calls for
applications with a form defined as data, applications, reviews against weighted criteria, decisions, cohort
members and mentor office hours (booked through the booking engine). See docs/hubs.md, "Programs, cohorts
and calls".

They belong to the ``hubs`` app (app label ``hubs``); ``khooshe.hubs.models`` imports this module.

Who sees what (one rule per model, all built on ``registry.access.access_for``):

- programs, cohorts, calls, their questions and criteria, cohort members and office-hour blocks follow the
  program's visibility (public: everyone; members: signed-in users; private: the site's staff);
- an application is seen by its applicant (the user, or a member of the applying organization), by the
  reviewers assigned to it and by the site's staff;
- a review is seen by its reviewer and by the site's staff (never by the applicant);
- the site's staff change everything of their site's programs; platform admins everything.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

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
from khooshe.registry.models import Organization, Person

__all__ = [
    "HubProgram", "Cohort", "CohortCall", "CallQuestion", "CallCriterion", "CohortApplication",
    "ApplicationReview", "ApplicationScore", "CohortMember", "OfficeHourBlock", "OfficeHourMeeting",
]


def detail_url(obj) -> str:
    """The generic detail page of a record of this area (``hubs:<model>_detail``)."""
    return reverse(f"hubs:{obj._meta.model_name}_detail", kwargs={"pk": obj.pk})


def _staff_of_operator(user, operator_id) -> bool:
    acc = access_for(user)
    return acc.is_admin or operator_id in acc.hub_ids


def _visible_programs(user, prefix: str = "") -> Q:
    """The condition on ``<prefix>visibility`` and ``<prefix>site__operator`` that selects the programs
    ``user`` may see."""
    acc = access_for(user)
    if acc.is_admin:
        return Q()
    condition = Q(**{f"{prefix}visibility": HubProgram.Visibility.PUBLIC})
    if user is not None and user.is_authenticated:
        condition |= Q(**{f"{prefix}visibility": HubProgram.Visibility.MEMBERS})
    if acc.hub_ids:
        condition |= Q(**{f"{prefix}site__operator__in": acc.hub_ids})
    return condition


class ProgramChildQuerySet(models.QuerySet):
    """Records that hang on a program: visible with it. ``program_path`` is the lookup to the program."""

    program_path = ""

    def visible_to(self, user):
        return self.filter(_visible_programs(user, self.program_path))


def _queryset(path: str):
    return type(f"QuerySet_{path or 'program'}", (ProgramChildQuerySet,), {"program_path": path})


class ProgramChild(TimeStampedModel):
    """A record edited by the staff of the site that runs its program; ``program`` is a property."""

    parent_field = "program"  # the foreign key that leads to the program (directly or through its parent)

    class Meta:
        abstract = True

    def get_absolute_url(self):
        return detail_url(self)

    @property
    def program(self):
        if not getattr(self, f"{self.parent_field}_id"):
            return None
        parent = getattr(self, self.parent_field)
        return parent if isinstance(parent, HubProgram) else parent.program

    @classmethod
    def can_be_created_by(cls, user):
        acc = access_for(user)
        return acc.is_admin or bool(acc.hub_ids)

    def is_editable_by(self, user):
        program = self.program
        if program is None or program.site_id is None:
            return self.can_be_created_by(user)
        return _staff_of_operator(user, program.site.operator_id)


# -- programs and cohorts -----------------------------------------------------------------------------
class HubProgram(SearchableModel):
    """An incubation, acceleration or corporate program of a site (Station F's programs are run by partners:
    a large company or partner organization of the registry)."""

    class Kind(models.TextChoices):
        PRE_INCUBATION = "pre_incubation", _("Pre-incubation")
        INCUBATION = "incubation", _("Incubation")
        ACCELERATION = "acceleration", _("Acceleration")
        CORPORATE = "corporate", _("Corporate program (run by a partner)")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        MEMBERS = "members", _("Signed-in users")
        PRIVATE = "private", _("Staff of the site only")

    site = models.ForeignKey("hubs.Site", models.CASCADE, related_name="programs", verbose_name=_("site"))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.INCUBATION)
    partner = models.ForeignKey(Organization, models.SET_NULL, null=True, blank=True, related_name="hub_programs",
                                verbose_name=_("partner organization"),
                                help_text=_("The large company or partner that runs a corporate program."))
    description = models.TextField(_("description"), blank=True)
    benefits = models.TextField(_("benefits"), blank=True,
                                help_text=_("What accepted teams get: desks, mentoring, credits, funding."))
    visibility = models.CharField(_("visibility"), max_length=8, choices=Visibility.choices,
                                  default=Visibility.PUBLIC)

    objects = _queryset("").as_manager()

    class Meta:
        verbose_name = _("hub program")
        verbose_name_plural = _("hub programs")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def search_parts(self):
        return [self.name, self.description]

    def get_absolute_url(self):
        return detail_url(self)

    @property
    def program(self):
        return self

    def clean(self):
        if self.kind == self.Kind.CORPORATE and not self.partner_id:
            raise ValidationError({"partner": _("A corporate program is run by a partner: choose the partner "
                                                "organization.")})

    @classmethod
    def can_be_created_by(cls, user):
        acc = access_for(user)
        return acc.is_admin or bool(acc.hub_ids)

    def is_editable_by(self, user):
        if not self.site_id:
            return self.can_be_created_by(user)
        return _staff_of_operator(user, self.site.operator_id)


class Cohort(ProgramChild):
    """One intake of a program: a group of teams that go through it together."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        CALL_OPEN = "call_open", _("Call open")
        REVIEWING = "reviewing", _("Reviewing")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")

    program = models.ForeignKey(HubProgram, models.CASCADE, related_name="cohorts", verbose_name=_("program"))
    name = models.CharField(_("name"), max_length=200)
    start_date = models.DateField(_("starts"), null=True, blank=True)
    end_date = models.DateField(_("ends"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("capacity (teams)"), default=10, validators=[MinValueValidator(1)])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)

    objects = _queryset("program__").as_manager()

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-start_date", "pk"]

    def __str__(self):
        return f"{self.program} — {self.name}" if self.program_id else self.name

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date must not be before the start date.")})


# -- calls and their forms ----------------------------------------------------------------------------
class CohortCall(ProgramChild):
    """A call for applications to a cohort, open from ``opens_on`` to the end of ``closes_on`` (the site's
    time zone), with a form (questions) and weighted review criteria."""

    cohort = models.ForeignKey(Cohort, models.CASCADE, related_name="calls", verbose_name=_("cohort"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"), help_text=_("Applications are accepted until the end of this day."))

    objects = _queryset("cohort__program__").as_manager()
    parent_field = "cohort"

    class Meta:
        verbose_name = _("call for applications")
        verbose_name_plural = _("calls for applications")
        ordering = ["-opens_on", "pk"]

    def __str__(self):
        return self.title

    def clean(self):
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": _("The closing date must not be before the opening date.")})

    def window(self) -> tuple[dt.datetime, dt.datetime]:
        """The aware [opens, closes) moments of the call in its site's time zone."""
        tz = self.cohort.program.site.tzinfo
        return (dt.datetime.combine(self.opens_on, dt.time(), tzinfo=tz),
                dt.datetime.combine(self.closes_on + dt.timedelta(days=1), dt.time(), tzinfo=tz))

    def is_open(self, now: dt.datetime | None = None) -> bool:
        opens, closes = self.window()
        return opens <= (now or timezone.now()) < closes


class CallQuestion(ProgramChild):
    """One question of a call's application form; the form is data, shown in ``order``."""

    class Kind(models.TextChoices):
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        NUMBER = "number", _("Number")
        CHOICE = "choice", _("Choice")
        YES_NO = "yes_no", _("Yes/no")
        LINK = "link", _("File or link (address)")

    call = models.ForeignKey(CohortCall, models.CASCADE, related_name="questions", verbose_name=_("call"))
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    label = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SHORT_TEXT)
    required = models.BooleanField(_("required"), default=True)
    choices = models.TextField(_("choices"), blank=True, help_text=_("For a choice question: one choice a line."))

    objects = _queryset("call__cohort__program__").as_manager()
    parent_field = "call"

    class Meta:
        verbose_name = _("application question")
        verbose_name_plural = _("application questions")
        ordering = ["call", "order", "pk"]

    def __str__(self):
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def clean(self):
        if self.kind == self.Kind.CHOICE and len(self.choice_list) < 2:
            raise ValidationError({"choices": _("A choice question needs at least two choices, one a line.")})


class CallCriterion(ProgramChild):
    """A weighted review criterion of a call, e.g. "team", weight 3; reviewers score it from 1 to 5."""

    call = models.ForeignKey(CohortCall, models.CASCADE, related_name="criteria", verbose_name=_("call"))
    name = models.CharField(_("name"), max_length=200)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=1,
                                 validators=[MinValueValidator(Decimal("0.01"))],
                                 help_text=_("A positive number; weights are relative to each other."))

    objects = _queryset("call__cohort__program__").as_manager()
    parent_field = "call"

    class Meta:
        verbose_name = _("review criterion")
        verbose_name_plural = _("review criteria")
        ordering = ["call", "pk"]
        constraints = [models.UniqueConstraint(fields=["call", "name"], name="hubs_call_criterion_unique"),
                       models.CheckConstraint(condition=Q(weight__gt=0), name="hubs_call_criterion_weight_positive")]

    def __str__(self):
        return self.name

    def clean(self):
        if self.weight is not None and self.weight <= 0:
            raise ValidationError({"weight": _("The weight must be a positive number.")})
        if self.call_id and self.name and CallCriterion.objects.filter(
                call_id=self.call_id, name=self.name).exclude(pk=self.pk).exists():
            raise ValidationError({"name": _("This call already has a criterion named “%(name)s”.")
                                   % {"name": self.name}})


# -- applications, reviews, decisions ----------------------------------------------------------------
class ApplicationQuerySet(models.QuerySet):
    def visible_to(self, user):
        acc = access_for(user)
        if acc.is_admin:
            return self
        if not user.is_authenticated:
            return self.none()
        condition = Q(applicant=user) | Q(reviews__reviewer=user)
        if acc.organization_ids:
            condition |= Q(organization__in=acc.organization_ids)
        if acc.hub_ids:
            condition |= Q(call__cohort__program__site__operator__in=acc.hub_ids)
        return self.filter(pk__in=self.model.objects.filter(condition).values("pk"))


class CohortApplication(ProgramChild):
    """An application of an organization (or a new team) to a call: answers to the call's questions,
    a draft until submitted, then a decision by the site's staff."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        ACCEPTED = "accepted", _("Accepted")
        WAITLISTED = "waitlisted", _("Waitlisted")
        REJECTED = "rejected", _("Rejected")

    DECISIONS = (Status.ACCEPTED, Status.WAITLISTED, Status.REJECTED)

    call = models.ForeignKey(CohortCall, models.CASCADE, related_name="applications", verbose_name=_("call"))
    organization = models.ForeignKey(Organization, models.CASCADE, null=True, blank=True,
                                     related_name="cohort_applications", verbose_name=_("organization"))
    team_name = models.CharField(_("team name"), max_length=200, blank=True,
                                 help_text=_("For a team that is not yet an organization."))
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="cohort_applications",
                                  verbose_name=_("applicant"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))

    objects = ApplicationQuerySet.as_manager()
    parent_field = "call"

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["call", "organization"], condition=Q(organization__isnull=False),
                                    name="hubs_application_one_per_organization"),
            models.UniqueConstraint(fields=["call", "applicant"], condition=Q(organization__isnull=True),
                                    name="hubs_application_one_new_team_per_user"),
        ]

    def __str__(self):
        return f"{self.team} — {self.call}" if self.call_id else str(self.team)

    @property
    def team(self) -> str:
        return str(self.organization) if self.organization_id else self.team_name

    @classmethod
    def can_be_created_by(cls, user):
        return False  # applications are made on the call's "Apply" page (services.save_application)


class ReviewQuerySet(models.QuerySet):
    def visible_to(self, user):
        acc = access_for(user)
        if acc.is_admin:
            return self
        if not user.is_authenticated:
            return self.none()
        condition = Q(reviewer=user)
        if acc.hub_ids:
            condition |= Q(application__call__cohort__program__site__operator__in=acc.hub_ids)
        return self.filter(condition)


class ApplicationReview(ProgramChild):
    """A reviewer assigned to an application by staff; once scored, one score per criterion and a comment.
    A reviewer never reviews an application of an organization they belong to."""

    application = models.ForeignKey(CohortApplication, models.CASCADE, related_name="reviews",
                                    verbose_name=_("application"))
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="cohort_reviews",
                                 verbose_name=_("reviewer"))
    comment = models.TextField(_("comment"), blank=True)
    scored_at = models.DateTimeField(_("scored"), null=True, blank=True, editable=False)

    objects = ReviewQuerySet.as_manager()
    parent_field = "application"

    class Meta:
        verbose_name = _("application review")
        verbose_name_plural = _("application reviews")
        ordering = ["application", "pk"]
        constraints = [models.UniqueConstraint(fields=["application", "reviewer"],
                                               name="hubs_application_review_once")]

    def __str__(self):
        return f"{self.reviewer} — {self.application}" if self.application_id else str(self.reviewer)

    def clean(self):
        errors = {}
        if self.application_id and self.reviewer_id:
            conflict = conflict_of_interest(self.reviewer, self.application)
            if conflict:
                errors["reviewer"] = conflict
            elif ApplicationReview.objects.filter(application_id=self.application_id,
                                                  reviewer_id=self.reviewer_id).exclude(pk=self.pk).exists():
                errors["reviewer"] = _("%(user)s is already a reviewer of this application.") % {
                    "user": self.reviewer}
        if errors:
            raise ValidationError(errors)


def conflict_of_interest(reviewer, application) -> str | None:
    """Why ``reviewer`` may not review ``application`` (their own application or organization), or None."""
    if application.applicant_id == reviewer.pk:
        return _("%(user)s made this application and cannot review it (conflict of interest); assign another "
                 "reviewer.") % {"user": reviewer}
    if application.organization_id and application.organization_id in access_for(reviewer).organization_ids:
        return _("%(user)s is a member of %(org)s, the applicant, and cannot review its application (conflict "
                 "of interest); assign another reviewer.") % {"user": reviewer, "org": application.organization}
    return None


class ApplicationScore(models.Model):
    review = models.ForeignKey(ApplicationReview, models.CASCADE, related_name="scores", verbose_name=_("review"))
    criterion = models.ForeignKey(CallCriterion, models.CASCADE, related_name="scores", verbose_name=_("criterion"))
    value = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="hubs_score_once"),
                       models.CheckConstraint(condition=Q(value__gte=1, value__lte=5), name="hubs_score_1_5")]

    def __str__(self):
        return f"{self.criterion}: {self.value}"


class CohortMember(ProgramChild):
    """A team in a cohort: an accepted application, or added by staff."""

    cohort = models.ForeignKey(Cohort, models.CASCADE, related_name="members", verbose_name=_("cohort"))
    organization = models.ForeignKey(Organization, models.CASCADE, null=True, blank=True,
                                     related_name="cohort_memberships", verbose_name=_("organization"))
    team_name = models.CharField(_("team name"), max_length=200, blank=True)
    application = models.OneToOneField(CohortApplication, models.SET_NULL, null=True, blank=True,
                                       related_name="membership", verbose_name=_("application"), editable=False)
    joined_on = models.DateField(_("joined on"), default=dt.date.today)

    objects = _queryset("cohort__program__").as_manager()
    parent_field = "cohort"

    class Meta:
        verbose_name = _("cohort member")
        verbose_name_plural = _("cohort members")
        ordering = ["cohort", "pk"]
        constraints = [models.UniqueConstraint(fields=["cohort", "organization"],
                                               condition=Q(organization__isnull=False),
                                               name="hubs_cohort_member_once")]

    def __str__(self):
        return str(self.organization) if self.organization_id else self.team_name

    def clean(self):
        if not self.organization_id and not self.team_name:
            raise ValidationError({"organization": _("Choose the organization or give the team's name.")})
        if self.cohort_id and self.organization_id and CohortMember.objects.filter(
                cohort_id=self.cohort_id, organization_id=self.organization_id).exclude(pk=self.pk).exists():
            raise ValidationError({"organization": _("%(org)s is already a member of this cohort.")
                                   % {"org": self.organization}})
        if self.cohort_id and not self.pk and self.cohort.members.count() >= self.cohort.capacity:
            raise ValidationError({"cohort": _("The cohort is full (%(n)s teams); raise its capacity first.")
                                   % {"n": self.cohort.capacity}})


# -- mentor office hours -----------------------------------------------------------------------------
class OfficeHourBlock(ProgramChild):
    """A mentor's office hours for a cohort: a space, a date and times, split into slots that members book.
    Each booked slot is a booking of the space (services.create_booking), so the room is never double-booked."""

    cohort = models.ForeignKey(Cohort, models.CASCADE, related_name="office_hours", verbose_name=_("cohort"))
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="office_hour_blocks",
                               verbose_name=_("mentor"))
    mentor_person = models.ForeignKey(Person, models.SET_NULL, null=True, blank=True, related_name="office_hours",
                                      verbose_name=_("mentor (person in the registry)"))
    space = models.ForeignKey("hubs.Space", models.CASCADE, related_name="office_hours", verbose_name=_("space"))
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("to"))
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=30,
                                                    validators=[MinValueValidator(10), MaxValueValidator(240)])
    topic = models.CharField(_("topic"), max_length=200, blank=True)

    objects = _queryset("cohort__program__").as_manager()
    parent_field = "cohort"

    class Meta:
        verbose_name = _("office hours")
        verbose_name_plural = _("office hours")
        ordering = ["date", "start_time", "pk"]

    def __str__(self):
        from khooshe.core.jalali import format_date

        return f"{self.mentor} — {format_date(self.date)} {self.start_time:%H:%M}"

    @property
    def tzinfo(self):
        return self.space.site.tzinfo

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        tz = self.tzinfo
        return (dt.datetime.combine(self.date, self.start_time, tzinfo=tz),
                dt.datetime.combine(self.date, self.end_time, tzinfo=tz))

    def slot_starts(self) -> list[dt.datetime]:
        start, end = self.bounds()
        step = dt.timedelta(minutes=self.slot_minutes)
        starts = []
        while start + step <= end:
            starts.append(start)
            start += step
        return starts

    def clean(self):
        errors = {}
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = _("The end time must be after the start time.")
        elif self.start_time and self.end_time and self.slot_minutes and (
                dt.datetime.combine(dt.date.min, self.end_time) - dt.datetime.combine(dt.date.min, self.start_time)
                < dt.timedelta(minutes=self.slot_minutes)):
            errors["end_time"] = _("The office hours are shorter than one slot of %(n)s minutes.") % {
                "n": self.slot_minutes}
        if self.space_id and self.cohort_id and self.space.site_id != self.cohort.program.site_id:
            errors["space"] = _("Choose a space of %(site)s, the site that runs this program.") % {
                "site": self.cohort.program.site}
        if "space" not in errors and self.space_id and self.mentor_id:
            from khooshe.hubs.selectors import may_book

            if not self.space.bookable or not may_book(self.mentor, self.space, on=self.date):
                errors["space"] = _("The mentor %(mentor)s may not book “%(space)s” (who may book: %(who)s); "
                                    "choose a room open to them.") % {
                    "mentor": self.mentor, "space": self.space, "who": self.space.get_bookable_by_display()}
        if not errors and self.mentor_id and self.date and self.start_time and self.end_time:
            clash = (OfficeHourBlock.objects.filter(mentor_id=self.mentor_id, date=self.date,
                                                    start_time__lt=self.end_time, end_time__gt=self.start_time)
                     .exclude(pk=self.pk).first())
            if clash is not None:
                errors["start_time"] = _("%(mentor)s already offers office hours from %(start)s to %(end)s that "
                                         "day; choose another time.") % {
                    "mentor": self.mentor, "start": f"{clash.start_time:%H:%M}", "end": f"{clash.end_time:%H:%M}"}
        if errors:
            raise ValidationError(errors)


class OfficeHourMeeting(TimeStampedModel):
    """A booked office-hour slot: a member team meets the mentor; ``booking`` holds the room."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")

    block = models.ForeignKey(OfficeHourBlock, models.CASCADE, related_name="meetings", verbose_name=_("office hours"))
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="mentor_meetings",
                               verbose_name=_("mentor"))
    member = models.ForeignKey(CohortMember, models.CASCADE, related_name="meetings", verbose_name=_("team"))
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="office_hour_meetings",
                                  verbose_name=_("booked by"))
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    booking = models.OneToOneField("hubs.Booking", models.SET_NULL, null=True, blank=True,
                                   related_name="office_hour_meeting", verbose_name=_("room booking"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.BOOKED)

    class Meta:
        verbose_name = _("mentor meeting")
        verbose_name_plural = _("mentor meetings")
        ordering = ["start", "pk"]
        constraints = [models.UniqueConstraint(fields=["mentor", "start"], condition=Q(status="booked"),
                                               name="hubs_mentor_meeting_once")]

    def __str__(self):
        return f"{self.mentor} — {self.member}"
