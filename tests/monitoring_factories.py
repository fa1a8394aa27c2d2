"""Records of the monitoring app for tests (plain functions, as tests/factories.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from factories import make_cluster, make_membership, make_org, seq
from programs_factories import make_program

from khooshe.monitoring import models as mm
from khooshe.registry.models import OrganizationKind

START = dt.date(2025, 3, 21)


def make_result(**kw) -> mm.Result:
    n = seq()
    defaults = {"level": mm.Level.GOAL, "title_fa": f"هدف {n}", "title_en": f"Goal {n}", "position": n % 40}
    defaults.update(kw)
    if "program" not in kw:
        defaults["program"] = make_program()
    return mm.Result.objects.create(**defaults)


def make_results(n: int = 3) -> list[mm.Result]:
    return [make_result(position=i) for i in range(n)]


def make_indicator(**kw) -> mm.Indicator:
    n = seq()
    defaults = {"code": f"ind{n}", "name_fa": f"شاخص {n}", "name_en": f"Indicator {n}", "unit": "firms",
                "frequency": mm.Frequency.QUARTERLY}
    defaults.update(kw)
    if "program" not in kw:
        defaults["program"] = make_program()
    return mm.Indicator.objects.create(**defaults)


def make_indicators(n: int = 3) -> list[mm.Indicator]:
    freqs = [mm.Frequency.MONTHLY, mm.Frequency.QUARTERLY, mm.Frequency.ANNUAL]
    return [make_indicator(code=f"c{i}x{seq()}", frequency=freqs[i % 3],
                           method=mm.Indicator.Method.ENTERED) for i in range(n)]


def make_period(**kw) -> mm.Period:
    defaults = {"start_date": START, "end_date": START + dt.timedelta(days=90), "target": Decimal(10)}
    defaults.update(kw)
    if "indicator" not in kw:
        defaults["indicator"] = make_indicator()
    return mm.Period.objects.create(**defaults)


def make_periods(n: int = 3) -> list[mm.Period]:
    return [make_period(start_date=START + dt.timedelta(days=100 * i), end_date=START + dt.timedelta(days=100 * i + 90),
                        target=Decimal(10 + i)) for i in range(n)]


def make_disaggregation(**kw) -> mm.Disaggregation:
    defaults = {"dimension": mm.Dimension.REGION, "category": f"R{seq()}", "target": Decimal(3)}
    defaults.update(kw)
    if "period" not in kw:
        defaults["period"] = make_period(indicator=make_indicator(disaggregations=["region", "size_class"]))
    return mm.Disaggregation.objects.create(**defaults)


def make_disaggregations(n: int = 3) -> list[mm.Disaggregation]:
    return [make_disaggregation(target=Decimal(i)) for i in range(n)]


def make_questionnaire(**kw) -> mm.Questionnaire:
    n = seq()
    defaults = {"title_fa": f"پرسش‌نامه {n}", "title_en": f"Questionnaire {n}", "survey_date": START,
                "status": mm.Questionnaire.Status.OPEN}
    defaults.update(kw)
    if "cluster" not in kw:
        defaults["cluster"] = make_cluster()
    return mm.Questionnaire.objects.create(**defaults)


def make_questionnaires(n: int = 3) -> list[mm.Questionnaire]:
    return [make_questionnaire(survey_date=START + dt.timedelta(days=i)) for i in range(n)]


def make_question(**kw) -> mm.Question:
    n = seq()
    defaults = {"kind": mm.QuestionKind.SCALE, "text_fa": f"پرسش {n}", "text_en": f"Question {n}", "position": n % 30}
    defaults.update(kw)
    if "questionnaire" not in kw:
        defaults["questionnaire"] = make_questionnaire()
    return mm.Question.objects.create(**defaults)


def make_questions(n: int = 3) -> list[mm.Question]:
    return [make_question(position=i) for i in range(n)]


def make_invitation(**kw) -> mm.Invitation:
    defaults = {}
    defaults.update(kw)
    if "questionnaire" not in kw:
        defaults["questionnaire"] = make_questionnaire()
    if "organization" not in kw:
        defaults["organization"] = make_membership(cluster=defaults["questionnaire"].cluster).organization
    return mm.Invitation.objects.create(**defaults)


def make_invitations(n: int = 3) -> list[mm.Invitation]:
    return [make_invitation() for _ in range(n)]


def make_self_assessment(**kw) -> mm.SelfAssessment:
    defaults = {"label": mm.SelfAssessment.Label.BRONZE, "assessed_on": START + dt.timedelta(days=seq() % 300)}
    defaults.update(kw)
    if "cluster" not in kw:
        defaults["cluster"] = make_cluster()
    return mm.SelfAssessment.objects.create(**defaults)


def make_self_assessments(n: int = 3) -> list[mm.SelfAssessment]:
    return [make_self_assessment() for _ in range(n)]


def make_item(**kw) -> mm.AssessmentItem:
    n = seq()
    defaults = {"area": "structure", "indicator_fa": f"معیار {n}", "indicator_en": f"Item {n}",
                "weight": Decimal(1), "position": n % 50}
    defaults.update(kw)
    if "assessment" not in kw:
        defaults["assessment"] = make_self_assessment()
    return mm.AssessmentItem.objects.create(**defaults)


def make_items(n: int = 3) -> list[mm.AssessmentItem]:
    return [make_item(score=(10 * i) % 101) for i in range(n)]


def cluster_with_members(n: int = 5, *, institutions: int = 1, joined=None):
    """A cluster with ``n`` member organizations (the last ``institutions`` of them universities)."""
    cluster = make_cluster()
    orgs = []
    for i in range(n):
        kind = OrganizationKind.UNIVERSITY if i >= n - institutions else OrganizationKind.SME
        org = make_org(kind=kind)
        make_membership(cluster=cluster, organization=org, joined_on=joined)
        orgs.append(org)
    return cluster, orgs
