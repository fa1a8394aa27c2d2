"""Cluster development programs: phases with gates, a task tree, the responsibility matrix, templates.

A program belongs to a cluster (registry.Cluster) and is run by its cluster development agent (CDA).
Who may read and write follows the cluster: anyone who may see the cluster sees its programs; platform
admins and the cluster's staff edit them (see ``registry.access``). See docs/programs.md.

Dates are stored Gregorian and shown Jalali in the Persian interface; the hierarchical task number
(1, 1-1, 1-1-1) is derived from the tree (``services.renumber``) and stored for sorting and display.
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

from khooshe.core.i18n import localized as _localized
from khooshe.core.models import SearchableModel, TimeStampedModel
from khooshe.registry.access import access_for
from khooshe.registry.access import can_edit_cluster as _can_edit_cluster
from khooshe.registry.access import staffs_a_cluster as _can_create


# -- templates --------------------------------------------------------------------------------------
class ProgramTemplateQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self


class ProgramTemplate(SearchableModel):
    """A reusable plan as data: phases, tasks (a tree) and matrix actors in ``content`` (see
    ``templates_io`` for the format, the JSON and XLSX exchange and the validation)."""

    key = models.SlugField(_("key"), max_length=64, unique=True,
                           help_text=_("A short unique name in Latin letters, e.g. unido-six-steps."))
    name_fa = models.CharField(_("Persian name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    content = models.JSONField(_("content"), default=dict, blank=True,
                               help_text=_("Phases, tasks and actors of the template (JSON, see docs/programs.md)."))

    objects = ProgramTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("program template")
        verbose_name_plural = _("program templates")
        ordering = ["name_fa", "pk"]

    def __str__(self):
        return _localized(self.name_fa, self.name_en)

    def get_absolute_url(self):
        return reverse("programs:programtemplate_detail", kwargs={"pk": self.pk})

    def search_parts(self):
        return [self.name_fa, self.name_en, self.key, self.description]

    def clean(self):
        from .templates_io import TemplateError, validate_content

        try:
            validate_content(self.content)
        except TemplateError as exc:
            raise ValidationError({"content": str(exc)}) from None

    def phase_count(self) -> int:
        return len((self.content or {}).get("phases") or [])

    phase_count.short_description = _("phases")

    def task_count(self) -> int:
        def count(items):
            return sum(1 + count(t.get("children") or []) for t in items)

        return sum(count(p.get("tasks") or []) for p in (self.content or {}).get("phases") or [])

    task_count.short_description = _("tasks")

    @classmethod
    def can_be_created_by(cls, user):
        return bool(user.is_authenticated and (user.is_staff or user.is_superuser))

    def is_editable_by(self, user):
        return bool(user.is_authenticated and (user.is_staff or user.is_superuser))


# -- programs ---------------------------------------------------------------------------------------
class ProgramQuerySet(models.QuerySet):
    def visible_to(self, user):
        from khooshe.registry.models import Cluster

        acc = access_for(user)
        if acc.is_admin:
            return self
        return self.filter(cluster__in=Cluster.objects.visible_to(user))


class Program(SearchableModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        CLOSED = "closed", _("Closed")

    cluster = models.ForeignKey("registry.Cluster", models.PROTECT, related_name="programs",
                                verbose_name=_("cluster"))
    cda = models.ForeignKey("registry.Person", models.SET_NULL, null=True, blank=True,
                            related_name="programs_led", verbose_name=_("cluster development agent"))
    lead_organization = models.ForeignKey("registry.Organization", models.SET_NULL, null=True, blank=True,
                                          related_name="programs_led", verbose_name=_("lead organization"))
    title_fa = models.CharField(_("Persian title"), max_length=300)
    title_en = models.CharField(_("English title"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    budget_planned = models.DecimalField(_("planned budget"), max_digits=18, decimal_places=0, null=True,
                                         blank=True, validators=[MinValueValidator(0)],
                                         help_text=_("The whole program's budget; task budgets must fit in it."))
    currency = models.CharField(_("currency"), max_length=3, default="IRR")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    template = models.ForeignKey(ProgramTemplate, models.SET_NULL, null=True, blank=True, related_name="programs",
                                 verbose_name=_("created from template"))

    objects = ProgramQuerySet.as_manager()

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["-start_date", "-pk"]

    def __str__(self):
        return _localized(self.title_fa, self.title_en)

    @property
    def title(self) -> str:
        return str(self)

    def get_absolute_url(self):
        return reverse("programs:program_detail", kwargs={"pk": self.pk})

    def search_parts(self):
        return [self.title_fa, self.title_en, self.description]

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date must be after the start date.")
        if self.currency and not (len(self.currency) == 3 and self.currency.isalpha()):
            errors["currency"] = _("Give a three-letter currency code, e.g. IRR.")
        if self.pk and self.budget_planned is not None:
            used = self.tasks.filter(parent__isnull=True).aggregate(s=models.Sum("budget_planned"))["s"] or 0
            if used > self.budget_planned:
                errors["budget_planned"] = _(
                    "The top-level tasks already plan %(used)s; the program's budget cannot be lower.") % {
                    "used": used}
        if errors:
            raise ValidationError(errors)

    def budget_spent(self) -> Decimal:
        """Spent so far: the sum of the leaf tasks' spending (a parent's spending is its children's)."""
        total = self.tasks.filter(children__isnull=True).aggregate(s=models.Sum("budget_spent"))["s"]
        return total or Decimal(0)

    budget_spent.short_description = _("spent budget")

    @classmethod
    def can_be_created_by(cls, user):
        return _can_create(user)

    def is_editable_by(self, user):
        if self.pk is None and not self.cluster_id:
            return _can_create(user)
        return _can_edit_cluster(user, self.cluster_id)


class ProgramPartQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(program__in=Program.objects.visible_to(user))


class ProgramPart(models.Model):
    """Access of a record that belongs to a program: that of the program's cluster."""

    class Meta:
        abstract = True

    @classmethod
    def can_be_created_by(cls, user):
        return _can_create(user)

    def is_editable_by(self, user):
        program = getattr(self, "program", None) if self.program_id else None
        if program is None:
            return _can_create(user)
        return _can_edit_cluster(user, program.cluster_id)


# -- phases and gates -------------------------------------------------------------------------------
class Phase(ProgramPart, SearchableModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    program = models.ForeignKey(Program, models.CASCADE, related_name="phases", verbose_name=_("program"))
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title_fa = models.CharField(_("Persian title"), max_length=300)
    title_en = models.CharField(_("English title"), max_length=300, blank=True)
    start_date = models.DateField(_("planned start"), null=True, blank=True)
    end_date = models.DateField(_("planned end"), null=True, blank=True)
    duration_text = models.CharField(_("planned duration"), max_length=100, blank=True,
                                     help_text=_("As the plan states it, e.g. “3 months” or “3-5 years”."))
    expected_outputs = models.TextField(_("expected outputs"), blank=True,
                                        help_text=_("One output per line; each becomes a gate item to deliver."))
    main_actors = models.TextField(_("main actors"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approval_note = models.TextField(_("approval note"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ProgramPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["program", "order", "pk"]

    def __str__(self):
        return _localized(self.title_fa, self.title_en)

    def get_absolute_url(self):
        return reverse("programs:phase_detail", kwargs={"pk": self.pk})

    def search_parts(self):
        return [self.title_fa, self.title_en]

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date must be after the start date.")})


def output_upload_path(instance, filename):
    return f"programs/outputs/{instance.phase_id}/{filename}"


class PhaseOutputQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(phase__program__in=Program.objects.visible_to(user))


class PhaseOutput(SearchableModel):
    """An expected output of a phase (its gate): delivered once a document is attached."""

    phase = models.ForeignKey(Phase, models.CASCADE, related_name="outputs", verbose_name=_("phase"))
    title = models.CharField(_("output"), max_length=500)
    document = models.FileField(_("document"), upload_to=output_upload_path, blank=True, max_length=255)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    delivered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("delivered by"))

    objects = PhaseOutputQuerySet.as_manager()

    class Meta:
        verbose_name = _("phase output")
        verbose_name_plural = _("phase outputs")
        ordering = ["phase", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("programs:phaseoutput_detail", kwargs={"pk": self.pk})

    def search_parts(self):
        return [self.title]

    @property
    def delivered(self) -> bool:
        return bool(self.document)

    @classmethod
    def can_be_created_by(cls, user):
        return _can_create(user)

    def is_editable_by(self, user):
        if not self.phase_id:
            return _can_create(user)
        return _can_edit_cluster(user, self.phase.program.cluster_id)


# -- tasks ------------------------------------------------------------------------------------------
class Mechanism(models.TextChoices):
    INTERVIEW = "interview", _("Interview")
    WORKSHOP = "workshop", _("Workshop")
    MEETING = "meeting", _("Meeting")
    STUDY = "study", _("Study")
    SURVEY = "survey", _("Survey")
    FIELD_VISIT = "visit", _("Field visit")
    TRAINING = "training", _("Training")
    EVENT = "event", _("Event")
    CONTRACT = "contract", _("Contract")
    OTHER = "other", _("Other")


class TaskQuerySet(ProgramPartQuerySet):
    pass


class Task(ProgramPart, SearchableModel):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        BLOCKED = "blocked", _("Blocked")
        CANCELLED = "cancelled", _("Cancelled")

    program = models.ForeignKey(Program, models.CASCADE, related_name="tasks", verbose_name=_("program"))
    phase = models.ForeignKey(Phase, models.SET_NULL, null=True, blank=True, related_name="tasks",
                              verbose_name=_("phase"))
    parent = models.ForeignKey("self", models.CASCADE, null=True, blank=True, related_name="children",
                               verbose_name=_("parent task"))
    position = models.PositiveIntegerField(_("position"), default=0,
                                           help_text=_("Order among the tasks of the same parent."))
    number = models.CharField(_("number"), max_length=64, editable=False, default="")
    sort_key = models.CharField(max_length=255, editable=False, default="", db_index=True)
    title_fa = models.CharField(_("Persian title"), max_length=500)
    title_en = models.CharField(_("English title"), max_length=500, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    budget_planned = models.DecimalField(_("planned budget"), max_digits=18, decimal_places=0, null=True,
                                         blank=True, validators=[MinValueValidator(0)])
    budget_spent = models.DecimalField(_("spent budget"), max_digits=18, decimal_places=0, null=True,
                                       blank=True, validators=[MinValueValidator(0)])
    mechanism = models.CharField(_("mechanism"), max_length=16, choices=Mechanism.choices, blank=True)
    mechanism_detail = models.CharField(_("mechanism (details)"), max_length=500, blank=True)
    responsible_organization = models.ForeignKey(
        "registry.Organization", models.SET_NULL, null=True, blank=True, related_name="program_tasks",
        verbose_name=_("responsible organization"))
    responsible_person = models.ForeignKey(
        "registry.Person", models.SET_NULL, null=True, blank=True, related_name="program_tasks",
        verbose_name=_("responsible person"))
    responsible_text = models.CharField(_("responsible (as written)"), max_length=300, blank=True,
                                        help_text=_("For an actor not in the registry, e.g. “cluster secretariat”."))
    stakeholder_organizations = models.ManyToManyField(
        "registry.Organization", blank=True, related_name="program_task_stakes", verbose_name=_("stakeholders"))
    stakeholders_text = models.CharField(_("stakeholders (as written)"), max_length=500, blank=True)
    expected_output = models.TextField(_("expected output"), blank=True)
    success_indicators = models.TextField(_("success indicators (as written)"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED)
    percent_done = models.PositiveSmallIntegerField(_("percent done"), default=0,
                                                    validators=[MaxValueValidator(100)])

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["program", "sort_key", "pk"]
        indexes = [models.Index(fields=["program", "sort_key"])]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="task_end_after_start"),
            models.CheckConstraint(condition=Q(percent_done__lte=100), name="task_percent_le_100"),
        ]

    def __str__(self):
        title = _localized(self.title_fa, self.title_en)
        if not self.number:
            return title
        from khooshe.core.templatetags.khooshe import digits  # Persian digits in the Persian UI

        return f"{digits(self.number)} {title}".strip()

    @property
    def title(self) -> str:
        return _localized(self.title_fa, self.title_en)

    def get_absolute_url(self):
        return reverse("programs:task_detail", kwargs={"pk": self.pk})

    def search_parts(self):
        return [self.title_fa, self.title_en, self.expected_output, self.responsible_text]

    @property
    def duration_days(self) -> int:
        """Calendar days, both ends included."""
        return (self.end_date - self.start_date).days + 1

    def duration(self) -> int:
        return self.duration_days

    duration.short_description = _("duration (days)")

    def responsible(self):
        return self.responsible_organization or self.responsible_person or self.responsible_text

    responsible.short_description = _("responsible")

    def save(self, *args, renumber: bool = True, **kwargs):
        """Saves, then renumbers the program's tasks when the tree changed (``renumber=False`` for bulk
        creation, which renumbers once at the end)."""
        tree_changed = self.pk is None
        if self.pk is None and not self.position:
            last = Task.objects.filter(program_id=self.program_id, parent_id=self.parent_id).aggregate(
                m=models.Max("position"))["m"]
            self.position = (last or 0) + 1
        elif self.pk is not None:
            old = Task.objects.filter(pk=self.pk).values_list("parent_id", "position", "program_id").first()
            tree_changed = old != (self.parent_id, self.position, self.program_id)
        super().save(*args, **kwargs)
        if renumber and tree_changed:
            from .services import renumber as renumber_program

            renumber_program(program_id=self.program_id)
            self.number, self.sort_key = Task.objects.filter(pk=self.pk).values_list("number", "sort_key").get()

    def delete(self, *args, **kwargs):
        program_id = self.program_id
        result = super().delete(*args, **kwargs)
        from .services import renumber as renumber_program

        renumber_program(program_id=program_id)
        return result

    def clean(self):
        from .validation import task_problems

        problems = task_problems(self)
        if problems:
            raise ValidationError(problems)


class TaskDependencyQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(successor__program__in=Program.objects.visible_to(user))


class TaskDependency(TimeStampedModel):
    """Finish-to-start: ``successor`` starts after ``predecessor`` ends (plus ``lag_days``)."""

    predecessor = models.ForeignKey(Task, models.CASCADE, related_name="successor_links",
                                    verbose_name=_("predecessor"))
    successor = models.ForeignKey(Task, models.CASCADE, related_name="predecessor_links",
                                  verbose_name=_("successor"))
    lag_days = models.IntegerField(_("lag (days)"), default=0)

    objects = TaskDependencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("task dependency")
        verbose_name_plural = _("task dependencies")
        ordering = ["successor", "predecessor"]
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="task_dependency_unique"),
            models.CheckConstraint(condition=~Q(predecessor=models.F("successor")), name="task_dependency_not_self"),
        ]

    def __str__(self):
        return f"{self.predecessor} → {self.successor}"

    def get_absolute_url(self):
        return reverse("programs:taskdependency_detail", kwargs={"pk": self.pk})

    def clean(self):
        from .validation import dependency_problems

        problems = dependency_problems(self)
        if problems:
            raise ValidationError(problems)

    @classmethod
    def can_be_created_by(cls, user):
        return _can_create(user)

    def is_editable_by(self, user):
        if not self.successor_id:
            return _can_create(user)
        return _can_edit_cluster(user, self.successor.program.cluster_id)


# -- responsibility matrix --------------------------------------------------------------------------
class Actor(ProgramPart, SearchableModel):
    """A column of the responsibility matrix: a registry organization or person, or a named body."""

    program = models.ForeignKey(Program, models.CASCADE, related_name="actors", verbose_name=_("program"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=300, blank=True,
                            help_text=_("Filled from the organization or person when left empty."))
    organization = models.ForeignKey("registry.Organization", models.SET_NULL, null=True, blank=True,
                                     related_name="program_actor_roles", verbose_name=_("organization"))
    person = models.ForeignKey("registry.Person", models.SET_NULL, null=True, blank=True,
                               related_name="program_actor_roles", verbose_name=_("person"))

    objects = ProgramPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("matrix actor")
        verbose_name_plural = _("matrix actors")
        ordering = ["program", "position", "pk"]

    def __str__(self):
        return self.name or str(self.organization or self.person or "")

    def get_absolute_url(self):
        return reverse("programs:actor_detail", kwargs={"pk": self.pk})

    def search_parts(self):
        return [self.name]

    def clean(self):
        if not (self.name or self.organization_id or self.person_id):
            raise ValidationError({"name": _("Give a name, an organization or a person for this actor.")})

    def save(self, *args, **kwargs):
        if not self.name:
            self.name = str(self.organization or self.person or "")[:300]
        super().save(*args, **kwargs)


class Responsibility(models.TextChoices):
    RESPONSIBLE = "R", _("Responsible")
    ACCOUNTABLE = "A", _("Accountable")
    CONSULTED = "C", _("Consulted")
    INFORMED = "I", _("Informed")


class MatrixCellQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(task__program__in=Program.objects.visible_to(user))


class MatrixCell(TimeStampedModel):
    """One cell of the responsibility matrix: the actor's role (R/A/C/I) in the task."""

    task = models.ForeignKey(Task, models.CASCADE, related_name="matrix_cells", verbose_name=_("task"))
    actor = models.ForeignKey(Actor, models.CASCADE, related_name="cells", verbose_name=_("actor"))
    role = models.CharField(_("role"), max_length=1, choices=Responsibility.choices)

    objects = MatrixCellQuerySet.as_manager()

    class Meta:
        verbose_name = _("matrix cell")
        verbose_name_plural = _("matrix cells")
        ordering = ["task", "actor"]
        constraints = [models.UniqueConstraint(fields=["task", "actor"], name="matrix_cell_unique")]

    def __str__(self):
        return f"{self.task} × {self.actor}: {self.role}"

    def get_absolute_url(self):
        return reverse("programs:matrixcell_detail", kwargs={"pk": self.pk})

    def clean(self):
        if self.task_id and self.actor_id and self.task.program_id != self.actor.program_id:
            raise ValidationError({"actor": _("The actor belongs to another program than the task.")})

    @classmethod
    def can_be_created_by(cls, user):
        return _can_create(user)

    def is_editable_by(self, user):
        if not self.task_id:
            return _can_create(user)
        return _can_edit_cluster(user, self.task.program.cluster_id)
