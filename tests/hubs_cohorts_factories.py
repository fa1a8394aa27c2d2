"""Record makers for the tests of hub programs, cohorts, calls and office hours (plain functions, as
tests/factories.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from factories import make_org, make_role, make_user, seq
from hubs_factories import TEHRAN, make_site, make_space

from khooshe.hubs.cohorts import models as cm
from khooshe.registry.models import Role


def today() -> dt.date:
    return timezone.now().astimezone(TEHRAN).date()


def make_program(**kw) -> cm.HubProgram:
    n = seq()
    defaults = {"name": f"برنامه شتاب‌دهی {n}", "kind": cm.HubProgram.Kind.ACCELERATION,
                "description": f"Program {n}", "visibility": cm.HubProgram.Visibility.PUBLIC}
    defaults.update(kw)
    if "site" not in defaults:
        defaults["site"] = make_site()
    return cm.HubProgram.objects.create(**defaults)


def make_programs(n: int = 3) -> list[cm.HubProgram]:
    site = make_site()
    kinds = [cm.HubProgram.Kind.INCUBATION, cm.HubProgram.Kind.ACCELERATION, cm.HubProgram.Kind.PRE_INCUBATION]
    return [make_program(site=site, name=f"برنامه {seq()}-{i}", kind=kinds[i % 3]) for i in range(n)]


def make_cohort(**kw) -> cm.Cohort:
    n = seq()
    defaults = {"name": f"دوره {n}", "start_date": today() + dt.timedelta(days=30), "capacity": 10}
    defaults.update(kw)
    if "program" not in defaults:
        defaults["program"] = make_program()
    return cm.Cohort.objects.create(**defaults)


def make_cohorts(n: int = 3) -> list[cm.Cohort]:
    program = make_program()
    statuses = [cm.Cohort.Status.PLANNED, cm.Cohort.Status.CALL_OPEN, cm.Cohort.Status.RUNNING]
    return [make_cohort(program=program, name=f"Cohort {seq()}", capacity=5 + i, status=statuses[i % 3],
                        start_date=dt.date(2026, 1, 1) + dt.timedelta(days=i)) for i in range(n)]


def make_call(**kw) -> cm.CohortCall:
    """An open call (opened yesterday, closes in ten days) unless dates are given."""
    n = seq()
    defaults = {"title": f"فراخوان {n}", "opens_on": today() - dt.timedelta(days=1),
                "closes_on": today() + dt.timedelta(days=10)}
    defaults.update(kw)
    if "cohort" not in defaults:
        defaults["cohort"] = make_cohort()
    return cm.CohortCall.objects.create(**defaults)


def make_calls(n: int = 3) -> list[cm.CohortCall]:
    cohort = make_cohort()
    return [make_call(cohort=cohort, title=f"Call {seq()}", opens_on=dt.date(2026, 1, 1 + i),
                      closes_on=dt.date(2026, 2, 1 + i)) for i in range(n)]


def make_question(**kw) -> cm.CallQuestion:
    defaults = {"label": f"Question {seq()}", "kind": cm.CallQuestion.Kind.SHORT_TEXT, "required": True}
    defaults.update(kw)
    if "call" not in defaults:
        defaults["call"] = make_call()
    return cm.CallQuestion.objects.create(**defaults)


def make_questions(n: int = 3) -> list[cm.CallQuestion]:
    call = make_call()
    kinds = [cm.CallQuestion.Kind.SHORT_TEXT, cm.CallQuestion.Kind.NUMBER, cm.CallQuestion.Kind.LONG_TEXT]
    return [make_question(call=call, order=i + 1, label=f"Question {seq()}", kind=kinds[i % 3]) for i in range(n)]


def make_criterion(**kw) -> cm.CallCriterion:
    defaults = {"name": f"Criterion {seq()}", "weight": Decimal(1)}
    defaults.update(kw)
    if "call" not in defaults:
        defaults["call"] = make_call()
    return cm.CallCriterion.objects.create(**defaults)


def make_criteria(n: int = 3) -> list[cm.CallCriterion]:
    call = make_call()
    return [make_criterion(call=call, name=f"Criterion {seq()}", weight=Decimal(i + 1)) for i in range(n)]


def member_of(org, user=None):
    """A user who is a member of ``org``."""
    user = user or make_user()
    make_role(user=user, kind=Role.Kind.MEMBER, organization=org)
    return user


def staff_of_site(site, user=None):
    user = user or make_user()
    make_role(user=user, kind=Role.Kind.HUB_STAFF, organization=site.operator)
    return user


def make_application(**kw) -> cm.CohortApplication:
    """A submitted application of a new organization (its applicant a member of it)."""
    call = kw.pop("call", None) or make_call()
    org = kw.pop("organization", None) or make_org()
    applicant = kw.pop("applicant", None) or member_of(org)
    defaults = {"status": cm.CohortApplication.Status.SUBMITTED, "submitted_at": timezone.now()}
    defaults.update(kw)
    return cm.CohortApplication.objects.create(call=call, organization=org, applicant=applicant, **defaults)


def make_applications(n: int = 3) -> list[cm.CohortApplication]:
    call = make_call()
    statuses = [cm.CohortApplication.Status.SUBMITTED, cm.CohortApplication.Status.DRAFT,
                cm.CohortApplication.Status.REJECTED]
    return [make_application(call=call, status=statuses[i % 3], team_name=f"Team {seq()}") for i in range(n)]


def make_review(**kw) -> cm.ApplicationReview:
    application = kw.pop("application", None) or make_application()
    reviewer = kw.pop("reviewer", None) or make_user()
    return cm.ApplicationReview.objects.create(application=application, reviewer=reviewer, **kw)


def make_reviews(n: int = 3) -> list[cm.ApplicationReview]:
    application = make_application()
    return [make_review(application=application, comment=f"Comment {seq()}") for _ in range(n)]


def make_member(**kw) -> cm.CohortMember:
    defaults = {}
    defaults.update(kw)
    if "cohort" not in defaults:
        defaults["cohort"] = make_cohort()
    if "organization" not in defaults and "team_name" not in defaults:
        defaults["organization"] = make_org()
    return cm.CohortMember.objects.create(**defaults)


def make_members(n: int = 3) -> list[cm.CohortMember]:
    cohort = make_cohort()
    return [make_member(cohort=cohort, team_name=f"Team {seq()}", joined_on=dt.date(2026, 1, 1 + i))
            for i in range(n)]


def make_block(**kw) -> cm.OfficeHourBlock:
    """Office hours of a mentor (a user) in a meeting room of the cohort's site, 10:00-12:00 by default."""
    cohort = kw.pop("cohort", None) or make_cohort()
    defaults = {"start_time": dt.time(10), "end_time": dt.time(12), "slot_minutes": 30, "topic": f"Topic {seq()}"}
    defaults.update(kw)
    if "space" not in defaults:
        defaults["space"] = make_space(site=cohort.program.site)
    if "mentor" not in defaults:
        defaults["mentor"] = make_user()
    if "date" not in defaults:
        from hubs_factories import open_day

        defaults["date"] = open_day(cohort.program.site)
    return cm.OfficeHourBlock.objects.create(cohort=cohort, **defaults)


def make_blocks(n: int = 3) -> list[cm.OfficeHourBlock]:
    """``n`` office hours of one mentor on consecutive days, whose times, lengths and topics differ."""
    cohort = make_cohort()
    mentor = make_user()
    first = today() + dt.timedelta(days=3)
    return [make_block(cohort=cohort, mentor=mentor, date=first + dt.timedelta(days=i),
                       start_time=dt.time(9 + i % 8), end_time=dt.time(10 + i % 8), slot_minutes=30 + 10 * (i % 3),
                       topic=f"Topic {seq()}-{i}") for i in range(n)]
