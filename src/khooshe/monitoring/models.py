"""Monitoring and evaluation of a cluster development program (see docs/monitoring.md).

- The results framework, modelled as IATI and DHIS2 do: a program's results (goal > outcome > output >
  activity, an activity pointing at a programs.Task), each with indicators; an indicator has a baseline,
  periods with a target and an actual value (and the same per disaggregation category), metadata in the
  TolaActivity way (means of verification, responsible person, evidence, approval of a reported value).
  A derived indicator has a formula (numerator / denominator x factor over named sources, see
  ``formulas``) and computes its actual values itself.
- Surveys: questionnaires sent to the member organizations of a cluster, answered through a tokenised
  link without an account; network answers become registry relations with origin "survey".
- The ESCA cluster-organisation self-assessment: a weighted checklist by area.

Who may read and write follows the cluster (registry.access): anyone who may see the cluster sees its
monitoring records; platform admins and the cluster's staff edit them.
"""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from khooshe.core.i18n import localized as _localized
from khooshe.core.models import TimeStampedModel
from khooshe.registry.access import access_for
from khooshe.registry.access import can_edit_cluster as _can_edit_cluster
from khooshe.registry.access import staffs_a_cluster as _can_create

CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")




def _visible_programs(user):
    from khooshe.programs.models import Program

    return Program.objects.visible_to(user)


def _visible_clusters(user):
    from khooshe.registry.models import Cluster

    return Cluster.objects.visible_to(user)


class ByProgram(models.QuerySet):
    program_path = "program"

    def visible_to(self, user):
        if access_for(user).is_admin:
            return self
        return self.filter(**{f"{self.program_path}__in": _visible_programs(user)})


class ByCluster(models.QuerySet):
    cluster_path = "cluster"

    def visible_to(self, user):
        if access_for(user).is_admin:
            return self
        return self.filter(**{f"{self.cluster_path}__in": _visible_clusters(user)})


class ClusterOwned(models.Model):
    """Write access of a record through the cluster it belongs to (``cluster_id_for_access``)."""

    class Meta:
        abstract = True

    def cluster_id_for_access(self):
        raise NotImplementedError

    @classmethod
    def can_be_created_by(cls, user):
        return _can_create(user)

    def is_editable_by(self, user):
        try:
            cluster_id = self.cluster_id_for_access()
        except (AttributeError, models.ObjectDoesNotExist):
            cluster_id = None
        if cluster_id is None:
            return _can_create(user)
        return _can_edit_cluster(user, cluster_id)


class PeriodQuerySet(ByProgram):
    program_path = "indicator__program"


class DisaggregationQuerySet(ByProgram):
    program_path = "period__indicator__program"


class QuestionQuerySet(ByCluster):
    cluster_path = "questionnaire__cluster"


class InvitationQuerySet(ByCluster):
    cluster_path = "questionnaire__cluster"


class AssessmentItemQuerySet(ByCluster):
    cluster_path = "assessment__cluster"


# -- results framework ------------------------------------------------------------------------------
class Level(models.TextChoices):
    GOAL = "goal", _("Goal (impact)")
    OUTCOME = "outcome", _("Outcome")
    OUTPUT = "output", _("Output")
    ACTIVITY = "activity", _("Activity")


LEVEL_ORDER = [Level.GOAL, Level.OUTCOME, Level.OUTPUT, Level.ACTIVITY]


class Result(ClusterOwned, TimeStampedModel):
    program = models.ForeignKey("programs.Program", models.CASCADE, related_name="results",
                                verbose_name=_("program"))
    parent = models.ForeignKey("self", models.CASCADE, null=True, blank=True, related_name="children",
                               verbose_name=_("contributes to"))
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    title_fa = models.CharField(_("Persian title"), max_length=500)
    title_en = models.CharField(_("English title"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    task = models.ForeignKey("programs.Task", models.SET_NULL, null=True, blank=True, related_name="results",
                             verbose_name=_("task"), help_text=_("For an activity: the program task it is."))
    position = models.PositiveIntegerField(_("position"), default=0)

    objects = ByProgram.as_manager()

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["program", "position", "pk"]

    def __str__(self):
        return _localized(self.title_fa, self.title_en)

    def get_absolute_url(self):
        return reverse("monitoring:result_detail", kwargs={"pk": self.pk})

    def cluster_id_for_access(self):
        return self.program.cluster_id if self.program_id else None

    def clean(self):
        errors = {}
        if self.parent_id:
            if self.parent.program_id != self.program_id:
                errors["parent"] = _("The result it contributes to belongs to another program.")
            elif LEVEL_ORDER.index(self.parent.level) + 1 != LEVEL_ORDER.index(self.level):
                errors["parent"] = _("A %(level)s contributes to a %(expected)s, not to a %(given)s.") % {
                    "level": Level(self.level).label,
                    "expected": Level(LEVEL_ORDER[max(LEVEL_ORDER.index(self.level) - 1, 0)]).label,
                    "given": Level(self.parent.level).label}
        elif self.level and self.level != Level.GOAL:
            errors["parent"] = _("Choose the result this %(level)s contributes to; only a goal stands alone.") % {
                "level": Level(self.level).label}
        if self.task_id:
            if self.level != Level.ACTIVITY:
                errors["task"] = _("Only an activity links to a task.")
            elif self.task.program_id != self.program_id:
                errors["task"] = _("The task “%(task)s” belongs to another program.") % {"task": self.task}
        if errors:
            raise ValidationError(errors)


class Direction(models.TextChoices):
    INCREASE = "increase", _("Higher is better")
    DECREASE = "decrease", _("Lower is better")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    SEMIANNUAL = "semiannual", _("Every six months")
    ANNUAL = "annual", _("Yearly")
    ONCE = "once", _("Once (end of program)")


class Dimension(models.TextChoices):
    SUB_CLUSTER = "sub_cluster", _("Sub-cluster")
    SIZE_CLASS = "size_class", _("Member size class")
    REGION = "region", _("Region")
    FOUNDER_GENDER = "founder_gender", _("Gender of founders")


class Indicator(ClusterOwned, TimeStampedModel):
    class Method(models.TextChoices):
        ENTERED = "entered", _("Entered by hand")
        DERIVED = "derived", _("Computed from Khooshe's data (formula)")

    program = models.ForeignKey("programs.Program", models.CASCADE, related_name="indicators",
                                verbose_name=_("program"))
    result = models.ForeignKey(Result, models.SET_NULL, null=True, blank=True, related_name="indicators",
                               verbose_name=_("result"))
    code = models.CharField(_("code"), max_length=32,
                            help_text=_("Latin letters, digits and _, starting with a letter (used in formulas)."))
    name_fa = models.CharField(_("Persian name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    definition = models.TextField(_("definition"), blank=True)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices, default=Direction.INCREASE)
    baseline_value = models.DecimalField(_("baseline"), max_digits=20, decimal_places=4, null=True, blank=True)
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    frequency = models.CharField(_("frequency"), max_length=16, choices=Frequency.choices, default=Frequency.QUARTERLY)
    data_source = models.CharField(_("data source"), max_length=300, blank=True)
    means_of_verification = models.TextField(_("means of verification"), blank=True)
    responsible = models.ForeignKey("registry.Person", models.SET_NULL, null=True, blank=True,
                                    related_name="monitored_indicators", verbose_name=_("responsible person"))
    disaggregations = models.JSONField(_("disaggregated by"), default=list, blank=True,
                                       help_text=_("Any of: sub_cluster, size_class, region, founder_gender."))
    method = models.CharField(_("method"), max_length=16, choices=Method.choices, default=Method.ENTERED)
    numerator = models.CharField(_("numerator"), max_length=500, blank=True,
                                 help_text=_("An expression over sources and indicator codes, e.g. active_members."))
    denominator = models.CharField(_("denominator"), max_length=500, blank=True,
                                   help_text=_("Optional, e.g. members."))
    factor = models.DecimalField(_("factor"), max_digits=12, decimal_places=4, default=1,
                                 help_text=_("Multiplies numerator / denominator, e.g. 100 for a percentage."))
    template_key = models.CharField(_("template"), max_length=64, blank=True, editable=False)

    objects = ByProgram.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["program", "code"]
        constraints = [models.UniqueConstraint(fields=["program", "code"], name="indicator_code_unique")]

    def __str__(self):
        return f"{self.code} {_localized(self.name_fa, self.name_en)}"

    @property
    def name(self) -> str:
        return _localized(self.name_fa, self.name_en)

    def get_absolute_url(self):
        return reverse("monitoring:indicator_detail", kwargs={"pk": self.pk})

    def cluster_id_for_access(self):
        return self.program.cluster_id if self.program_id else None

    def clean(self):
        from .formulas import FormulaError, check_indicator_formula

        errors = {}
        if self.code and not CODE_RE.match(self.code):
            errors["code"] = _("“%(code)s” is not a valid code: use Latin letters, digits and _, "
                               "starting with a letter.") % {"code": self.code}
        if self.result_id and self.program_id and self.result.program_id != self.program_id:
            errors["result"] = _("The result belongs to another program.")
        unknown = [d for d in (self.disaggregations or []) if d not in Dimension.values]
        if unknown or not isinstance(self.disaggregations, list):
            errors["disaggregations"] = _("Unknown disaggregation “%(value)s”; use: %(choices)s.") % {
                "value": ", ".join(map(str, unknown)) or self.disaggregations,
                "choices": ", ".join(Dimension.values)}
        if self.method == self.Method.DERIVED:
            if not self.numerator.strip():
                errors["numerator"] = _("A computed indicator needs a numerator formula.")
            elif self.program_id and not errors.get("code"):
                try:
                    check_indicator_formula(self)
                except FormulaError as exc:
                    errors[exc.field] = exc.message
        if errors:
            raise ValidationError(errors)


class ApprovalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Returned")


def evidence_upload_path(instance, filename):
    return f"monitoring/evidence/{filename}"


class Period(ClusterOwned, TimeStampedModel):
    """One reporting period of an indicator: its target and the actual value reported or computed."""

    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="periods", verbose_name=_("indicator"))
    start_date = models.DateField(_("period start"))
    end_date = models.DateField(_("period end"))
    target = models.DecimalField(_("target"), max_digits=20, decimal_places=4, null=True, blank=True)
    actual = models.DecimalField(_("actual"), max_digits=20, decimal_places=4, null=True, blank=True)
    computed = models.BooleanField(_("computed"), default=False, editable=False)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("entered by"), editable=False)
    entered_at = models.DateTimeField(_("entered at"), null=True, blank=True, editable=False)
    comment = models.TextField(_("comment"), blank=True)
    evidence = models.FileField(_("evidence"), upload_to=evidence_upload_path, blank=True, max_length=255)
    status = models.CharField(_("approval"), max_length=16, choices=ApprovalStatus.choices,
                              default=ApprovalStatus.DRAFT, editable=False)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"), editable=False)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["indicator", "start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="period_end_after_start"),
            models.UniqueConstraint(fields=["indicator", "start_date"], name="period_start_unique"),
        ]

    def __str__(self):
        from khooshe.core import jalali

        # dates first: a Persian title then starts with a Persian word and reads right to left (dir="auto")
        return f"{jalali.format_date(self.start_date)} – {jalali.format_date(self.end_date)} · {self.indicator.code}"

    def get_absolute_url(self):
        return reverse("monitoring:period_detail", kwargs={"pk": self.pk})

    def cluster_id_for_access(self):
        return self.indicator.program.cluster_id if self.indicator_id else None

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The period must end after it starts.")
        elif self.indicator_id and self.start_date and self.end_date:
            overlap = Period.objects.filter(indicator_id=self.indicator_id, start_date__lte=self.end_date,
                                            end_date__gte=self.start_date).exclude(pk=self.pk).first()
            if overlap:
                errors["start_date"] = _("This period overlaps the period %(period)s of the same indicator.") % {
                    "period": overlap}
        if errors:
            raise ValidationError(errors)

    def progress(self):
        from .progress import progress_of

        return progress_of(self)



class Disaggregation(ClusterOwned, TimeStampedModel):
    """Target and actual of one category (e.g. region = Tehran) of a period."""

    period = models.ForeignKey(Period, models.CASCADE, related_name="breakdown", verbose_name=_("period"))
    dimension = models.CharField(_("dimension"), max_length=16, choices=Dimension.choices)
    category = models.CharField(_("category"), max_length=100)
    target = models.DecimalField(_("target"), max_digits=20, decimal_places=4, null=True, blank=True)
    actual = models.DecimalField(_("actual"), max_digits=20, decimal_places=4, null=True, blank=True)

    objects = DisaggregationQuerySet.as_manager()

    class Meta:
        verbose_name = _("disaggregated value")
        verbose_name_plural = _("disaggregated values")
        ordering = ["period", "dimension", "category"]
        constraints = [models.UniqueConstraint(fields=["period", "dimension", "category"],
                                               name="disaggregation_unique")]

    def __str__(self):
        return f"{self.period} · {self.get_dimension_display()}: {self.category}"

    def get_absolute_url(self):
        return reverse("monitoring:disaggregation_detail", kwargs={"pk": self.pk})

    def cluster_id_for_access(self):
        return self.period.indicator.program.cluster_id if self.period_id else None

    def clean(self):
        if self.period_id and self.dimension and self.dimension not in (self.period.indicator.disaggregations or []):
            raise ValidationError({"dimension": _(
                "The indicator %(code)s is not disaggregated by %(dimension)s; add it to the indicator first.") % {
                "code": self.period.indicator.code, "dimension": Dimension(self.dimension).label}})



# -- surveys ----------------------------------------------------------------------------------------
class Questionnaire(ClusterOwned, TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    cluster = models.ForeignKey("registry.Cluster", models.CASCADE, related_name="questionnaires",
                                verbose_name=_("cluster"))
    program = models.ForeignKey("programs.Program", models.SET_NULL, null=True, blank=True,
                                related_name="questionnaires", verbose_name=_("program"))
    title_fa = models.CharField(_("Persian title"), max_length=300)
    title_en = models.CharField(_("English title"), max_length=300, blank=True)
    introduction_fa = models.TextField(_("Persian introduction"), blank=True)
    introduction_en = models.TextField(_("English introduction"), blank=True)
    survey_date = models.DateField(_("survey date"), help_text=_("The date given to relations from its answers."))
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    template_key = models.CharField(_("template"), max_length=64, blank=True, editable=False)

    objects = ByCluster.as_manager()

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["-survey_date", "-pk"]

    def __str__(self):
        return _localized(self.title_fa, self.title_en)

    @property
    def title(self):
        return str(self)

    @property
    def introduction(self):
        return _localized(self.introduction_fa, self.introduction_en)

    def get_absolute_url(self):
        return reverse("monitoring:questionnaire_detail", kwargs={"pk": self.pk})

    def cluster_id_for_access(self):
        return self.cluster_id

    def clean(self):
        if self.program_id and self.cluster_id and self.program.cluster_id != self.cluster_id:
            raise ValidationError({"program": _("The program belongs to another cluster.")})


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    SCALE = "scale", _("Scale")
    NUMBER = "number", _("Number")
    TEXT = "text", _("Text")
    NETWORK = "network", _("Network: members you work with and how much you trust them")


class Question(ClusterOwned, TimeStampedModel):
    questionnaire = models.ForeignKey(Questionnaire, models.CASCADE, related_name="questions",
                                      verbose_name=_("questionnaire"))
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices)
    text_fa = models.CharField(_("Persian text"), max_length=500)
    text_en = models.CharField(_("English text"), max_length=500, blank=True)
    help_fa = models.CharField(_("Persian help"), max_length=500, blank=True)
    help_en = models.CharField(_("English help"), max_length=500, blank=True)
    choices = models.JSONField(_("choices"), default=list, blank=True,
                               help_text=_('For choice questions: [{"value": "a", "fa": "…", "en": "…"}, …].'))
    scale_min = models.SmallIntegerField(_("scale from"), default=1)
    scale_max = models.SmallIntegerField(_("scale to"), default=5)
    required = models.BooleanField(_("required"), default=True)
    relation_type = models.CharField(_("relation type"), max_length=20, default="partnership", blank=True,
                                     help_text=_("For network questions: the type of relation created."))

    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["questionnaire", "position", "pk"]

    def __str__(self):
        return self.text

    @property
    def text(self):
        return _localized(self.text_fa, self.text_en)

    @property
    def help(self):
        return _localized(self.help_fa, self.help_en)

    def choice_list(self) -> list[tuple[str, str]]:
        return [(str(c.get("value")), _localized(c.get("fa", ""), c.get("en", ""))) for c in self.choices or []]

    def get_absolute_url(self):
        return reverse("monitoring:question_detail", kwargs={"pk": self.pk})

    def cluster_id_for_access(self):
        return self.questionnaire.cluster_id if self.questionnaire_id else None

    def clean(self):
        from khooshe.registry.models import RelationType

        errors = {}
        if self.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            if not isinstance(self.choices, list) or len(self.choices) < 2 or not all(
                    isinstance(c, dict) and str(c.get("value", "")).strip() and (c.get("fa") or c.get("en"))
                    for c in self.choices):
                errors["choices"] = _('Give at least two choices, each as {"value": …, "fa": …, "en": …}.')
            else:
                values = [str(c["value"]) for c in self.choices]
                if len(set(values)) != len(values):
                    errors["choices"] = _("Two choices have the same value; give each a different value.")
        if self.kind == QuestionKind.SCALE and self.scale_max <= self.scale_min:
            errors["scale_max"] = _("The scale must end above where it starts.")
        if self.kind == QuestionKind.NETWORK and self.relation_type not in RelationType.values:
            errors["relation_type"] = _("“%(value)s” is not a relation type; use one of: %(choices)s.") % {
                "value": self.relation_type, "choices": ", ".join(RelationType.values)}
        if errors:
            raise ValidationError(errors)



def new_token() -> str:
    return secrets.token_urlsafe(24)


class Invitation(ClusterOwned, TimeStampedModel):
    """A member organization's invitation to a questionnaire and its (saved or submitted) answers."""

    questionnaire = models.ForeignKey(Questionnaire, models.CASCADE, related_name="invitations",
                                      verbose_name=_("questionnaire"))
    organization = models.ForeignKey("registry.Organization", models.CASCADE, related_name="survey_invitations",
                                     verbose_name=_("organization"))
    token = models.CharField(_("link key"), max_length=64, unique=True, default=new_token, editable=False)
    answers = models.JSONField(_("answers"), default=dict, blank=True, editable=False)
    saved_at = models.DateTimeField(_("last saved"), null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    respondent = models.CharField(_("respondent"), max_length=200, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        ordering = ["questionnaire", "organization"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "organization"],
                                               name="invitation_one_per_organization")]

    def __str__(self):
        return f"{self.organization} · {self.questionnaire}"

    def get_absolute_url(self):
        return reverse("monitoring:invitation_detail", kwargs={"pk": self.pk})

    def public_url(self):
        return reverse("monitoring:survey_answer", kwargs={"token": self.token})

    def cluster_id_for_access(self):
        return self.questionnaire.cluster_id if self.questionnaire_id else None

    def status(self):
        if self.submitted_at:
            return _("Submitted")
        return _("Started") if self.saved_at else _("Not started")

    status.short_description = _("status")



# -- ESCA self-assessment ---------------------------------------------------------------------------
class SelfAssessment(ClusterOwned, TimeStampedModel):
    class Label(models.TextChoices):
        BRONZE = "bronze", _("Bronze (benchmarking)")
        GOLD = "gold", _("Gold (excellence)")

    cluster = models.ForeignKey("registry.Cluster", models.CASCADE, related_name="self_assessments",
                                verbose_name=_("cluster"))
    label = models.CharField(_("label"), max_length=8, choices=Label.choices)
    assessed_on = models.DateField(_("assessed on"))
    note = models.TextField(_("note"), blank=True)

    objects = ByCluster.as_manager()

    class Meta:
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        ordering = ["cluster", "-assessed_on", "-pk"]

    def __str__(self):
        from khooshe.core import jalali

        return f"{self.cluster} · {self.get_label_display()} · {jalali.format_date(self.assessed_on)}"

    def get_absolute_url(self):
        return reverse("monitoring:selfassessment_detail", kwargs={"pk": self.pk})

    def cluster_id_for_access(self):
        return self.cluster_id


class AssessmentItem(ClusterOwned, TimeStampedModel):
    assessment = models.ForeignKey(SelfAssessment, models.CASCADE, related_name="items",
                                   verbose_name=_("self-assessment"))
    area = models.CharField(_("area"), max_length=64)
    position = models.PositiveIntegerField(_("position"), default=0)
    indicator_fa = models.CharField(_("Persian indicator"), max_length=500)
    indicator_en = models.CharField(_("English indicator"), max_length=500, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=1,
                                 validators=[MinValueValidator(0)])
    score = models.PositiveSmallIntegerField(_("score (0-100)"), null=True, blank=True,
                                             validators=[MaxValueValidator(100)])
    evidence = models.TextField(_("evidence"), blank=True)

    objects = AssessmentItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("self-assessment item")
        verbose_name_plural = _("self-assessment items")
        ordering = ["assessment", "position", "pk"]
        constraints = [models.CheckConstraint(condition=Q(score__lte=100), name="assessment_score_le_100")]

    def __str__(self):
        return _localized(self.indicator_fa, self.indicator_en)

    def get_absolute_url(self):
        return reverse("monitoring:assessmentitem_detail", kwargs={"pk": self.pk})

    def cluster_id_for_access(self):
        return self.assessment.cluster_id if self.assessment_id else None

    def area_label(self):
        from .assessment import area_label

        return area_label(self.area)

    area_label.short_description = _("area")

