"""The program part of the Kerman demo (``khooshe demo``): the pistachio cluster's development program.

The registry demo (registry/demo.py) describes the ecosystem on Nowruz 1404; the program started the next day
and is followed up to today, so the Gantt chart, the results framework and the M&E dashboard all have a past,
a present and a future to show. Everything goes through the services, as a CDA's clicks would.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from khooshe.registry.models import Cluster, Person

from .models import Program, ProgramTemplate, Task
from .services import create_program_from_template, load_shipped_templates

PROGRAM_START = dt.date(2025, 3, 21)  # the day after the registry demo's AS_OF (Nowruz 1404)
TITLE_FA = "برنامه توسعه خوشه پسته کرمان"
TITLE_EN = "Kerman pistachio cluster development program"


def _progress_tasks(program: Program, today: dt.date, rng: random.Random) -> None:
    """Tasks that ended before today are done (a few late ones still in progress), those running today are under
    way in proportion to the time elapsed, and spending follows progress."""
    for task in Task.objects.filter(program=program):
        if not task.start_date or not task.end_date:
            continue
        if task.end_date < today:
            late = rng.random() < 0.08
            task.status = Task.Status.IN_PROGRESS if late else Task.Status.DONE
            task.percent_done = 80 if late else 100
        elif task.start_date <= today:
            span = max((task.end_date - task.start_date).days, 1)
            task.status = Task.Status.IN_PROGRESS
            task.percent_done = min(95, max(5, round(100 * (today - task.start_date).days / span)))
        else:
            continue
        if task.budget_planned:
            task.budget_spent = (task.budget_planned * Decimal(task.percent_done) / 100
                                 * Decimal(str(rng.uniform(0.85, 1.1)))).quantize(Decimal("1"))
        task.save(update_fields=["status", "percent_done", "budget_spent", "updated_at"])


def _indicators(program: Program, user, today: dt.date, rng: random.Random) -> None:
    """The UNIDO indicator set with values entered for the periods that have ended, derived ones computed."""
    from khooshe.monitoring.models import Indicator, Period
    from khooshe.monitoring.services import (
        apply_indicator_set,
        compute_indicators,
        record_value,
        review_value,
    )

    indicators = apply_indicator_set(user=user, program=program, key="unido-cluster")
    for indicator in indicators:
        if indicator.method != Indicator.Method.ENTERED:
            continue
        periods = list(Period.objects.filter(indicator=indicator, end_date__lt=today).order_by("start_date"))
        base = indicator.baseline_value if indicator.baseline_value is not None else Decimal(rng.randint(5, 40))
        for step, period in enumerate(periods, start=1):
            target = period.target if period.target is not None else base
            # most indicators close in on their targets; some lag, so the framework shows all three colours
            reach = Decimal(str(rng.choice([0.7, 0.85, 0.95, 1.0, 1.05])))
            actual = (base + (target - base) * reach).quantize(Decimal("0.01"))
            period = record_value(user=user, indicator=indicator, date=period.start_date, actual=actual,
                                  comment=_("Entered from the quarterly report of the cluster development agent."))
            if step < len(periods):  # the latest value still waits for approval
                review_value(user=user, period=period, approve=True)
    compute_indicators(program=program, until=today)


def _self_assessment(program: Program, user, today: dt.date, rng: random.Random) -> None:
    from khooshe.monitoring.services import create_self_assessment, score_items

    assessment = create_self_assessment(user=user, cluster=program.cluster, label="bronze",
                                        assessed_on=today - dt.timedelta(days=60))
    score_items(user=user, assessment=assessment,
                scores={item.pk: rng.choice([40, 55, 70, 85, 100]) for item in assessment.items.all()})


def _survey(program: Program, user, today: dt.date) -> None:
    from khooshe.monitoring.models import Questionnaire
    from khooshe.monitoring.services import create_questionnaire, invite_members

    questionnaire = create_questionnaire(user=user, cluster=program.cluster, template_key="social-capital",
                                         survey_date=today - dt.timedelta(days=14), program=program,
                                         status=Questionnaire.Status.OPEN)
    invite_members(user=user, questionnaire=questionnaire)


@transaction.atomic
def load_demo(*, user) -> str:
    """Create the pistachio cluster's program from the ministry's four-phase template (once) and return one
    line for the demo summary; an empty string when the registry demo or the program is not there."""
    cluster = Cluster.objects.filter(name_en="Kerman Pistachio Cluster").first()
    if cluster is None or Program.objects.filter(cluster=cluster, title_fa=TITLE_FA).exists():
        return ""
    load_shipped_templates()
    template = ProgramTemplate.objects.get(key="ministry-four-phases")
    cda = Person.objects.filter(user__username="demo-pistachio").first()
    today = timezone.localdate()
    rng = random.Random(1404)
    program = create_program_from_template(
        user=user, template=template, cluster=cluster, title_fa=TITLE_FA, title_en=TITLE_EN,
        start_date=PROGRAM_START, cda=cda, budget_planned=Decimal("48000000000"),
        description="برنامه عملیاتی توسعه خوشه پسته کرمان بر پایه الگوی چهار مرحله‌ای وزارت، از نگاشت خوشه تا پایداری.")
    program.status = Program.Status.ACTIVE
    program.save(update_fields=["status", "updated_at"])
    _progress_tasks(program, today, rng)
    _indicators(program, user, today, rng)
    _self_assessment(program, user, today, rng)
    _survey(program, user, today)
    return _("a development program for the pistachio cluster with %(tasks)s tasks and %(indicators)s indicators") % {
        "tasks": program.tasks.count(), "indicators": program.indicators.count()}


def remove_demo() -> None:
    """Delete the demo's program (it protects its cluster from deletion)."""
    Program.objects.filter(title_fa=TITLE_FA).delete()
