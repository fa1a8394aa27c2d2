"""Every write of the monitoring app: keyword-only, typed, one transaction each.

Views, the API and the command line call these; they check that the user may write and raise
``ValidationError`` (naming the field and value) or ``PermissionDenied``; nothing is half-applied.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from khooshe.core import jalali

from . import formulas
from .models import (
    ApprovalStatus,
    AssessmentItem,
    Dimension,
    Disaggregation,
    Frequency,
    Indicator,
    Invitation,
    Period,
    Question,
    QuestionKind,
    Questionnaire,
    Result,
    SelfAssessment,
)
from .sources import SOURCES, SourceContext

DATA = Path(__file__).with_name("data")


@cache
def _data(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def indicator_sets() -> dict:
    """The template indicator sets (data/indicator_sets.json): key -> set."""
    return _data("indicator_sets.json")


def questionnaire_templates() -> dict:
    """The questionnaire templates (data/questionnaires.json): key -> template."""
    return _data("questionnaires.json")


def _require(user, obj) -> None:
    if not obj.is_editable_by(user):
        raise PermissionDenied(_("You may not change “%(object)s”.") % {"object": obj})


def _clean_and_save(obj, exclude=None):
    obj.full_clean(exclude=exclude)
    obj.save()
    return obj


# -- periods ----------------------------------------------------------------------------------------
_MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.SEMIANNUAL: 6, Frequency.ANNUAL: 12}


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_bounds(start: dt.date, end: dt.date, frequency: str) -> list[tuple[dt.date, dt.date]]:
    """Consecutive periods of the frequency from ``start`` to ``end`` (the last one cut at ``end``)."""
    if end < start:
        raise ValidationError({"end_date": _("The end date must be after the start date.")})
    if frequency == Frequency.ONCE:
        return [(start, end)]
    step = _MONTHS[frequency]
    bounds, current = [], start
    while current <= end:
        nxt = _add_months(current, step)
        bounds.append((current, min(nxt - dt.timedelta(days=1), end)))
        current = nxt
    return bounds


@transaction.atomic
def create_periods(*, user, indicator: Indicator, start: dt.date, end: dt.date,
                   targets: list[Decimal | None] | None = None) -> list[Period]:
    """Create the indicator's reporting periods between two dates (existing periods are kept)."""
    _require(user, indicator)
    created = []
    existing = list(indicator.periods.all())
    for i, (s, e) in enumerate(period_bounds(start, end, indicator.frequency)):
        if any(p.start_date <= e and p.end_date >= s for p in existing):
            continue
        period = Period(indicator=indicator, start_date=s, end_date=e,
                        target=(targets[i] if targets and i < len(targets) else None))
        created.append(_clean_and_save(period))
    return created


def _program_span(program) -> tuple[dt.date, dt.date]:
    start = program.start_date
    end = program.end_date or _add_months(start, 36) - dt.timedelta(days=1)
    return start, end


# -- indicator sets ---------------------------------------------------------------------------------
@transaction.atomic
def apply_indicator_set(*, user, program, key: str, with_periods: bool = True) -> list[Indicator]:
    """Add a template indicator set (results and indicators, and their periods over the program's span).

    Refused as a whole when the key is unknown or one of its indicator codes is already used in the program.
    """
    sets = indicator_sets()
    if key not in sets:
        raise ValidationError({"key": _("“%(key)s” is not an indicator set; choose one of: %(choices)s.") % {
            "key": key, "choices": ", ".join(sets)}})
    if not Indicator(program=program).is_editable_by(user):
        raise PermissionDenied(_("You may not change the indicators of “%(object)s”.") % {"object": program})
    spec = sets[key]
    taken = set(Indicator.objects.filter(program=program).values_list("code", flat=True))
    clash = [i["code"] for i in spec["indicators"] if i["code"] in taken]
    if clash:
        raise ValidationError({"key": _("The program already has indicators with the codes %(codes)s; rename or "
                                        "delete them before adding the set “%(set)s”.") % {
            "codes": ", ".join(clash), "set": spec["name_en"]}})
    results: dict[str, Result] = {}
    for position, r in enumerate(spec.get("results", [])):
        results[r["key"]] = _clean_and_save(Result(
            program=program, parent=results.get(r.get("parent")), level=r["level"], title_fa=r["title_fa"],
            title_en=r.get("title_en", ""), position=position))
    created = []
    # plain indicators first, so that a formula referring to another indicator of the set finds it
    ordered = sorted(spec["indicators"], key=lambda i: i.get("method") == "derived")
    for item in ordered:
        indicator = Indicator(
            program=program, result=results.get(item.get("result")), code=item["code"], name_fa=item["name_fa"],
            name_en=item.get("name_en", ""), definition=item.get("definition", ""), unit=item.get("unit", ""),
            direction=item.get("direction", "increase"), frequency=item.get("frequency", Frequency.QUARTERLY),
            data_source=item.get("data_source", ""), disaggregations=item.get("disaggregations", []),
            method=item.get("method", Indicator.Method.ENTERED), numerator=item.get("numerator", ""),
            denominator=item.get("denominator", ""), factor=Decimal(str(item.get("factor", 1))), template_key=key)
        created.append(_clean_and_save(indicator))
    if with_periods:
        start, end = _program_span(program)
        for indicator in created:
            create_periods(user=user, indicator=indicator, start=start, end=end)
    return created


# -- values -----------------------------------------------------------------------------------------
def _decimal(value, *, field: str, label: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().translate(_ASCII_DIGITS).replace("٫", ".").replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("%(label)s “%(value)s” is not a number.") % {"label": label, "value": value}}
                              ) from None
    if not number.is_finite():
        raise ValidationError({field: _("%(label)s “%(value)s” is not a number.") % {"label": label, "value": value}})
    return number


_ASCII_DIGITS = str.maketrans({**{chr(0x06F0 + i): str(i) for i in range(10)},
                               **{chr(0x0660 + i): str(i) for i in range(10)}})


def period_for(indicator: Indicator, date: dt.date) -> Period:
    """The indicator's period that contains ``date``; a clear error when there is none."""
    period = indicator.periods.filter(start_date__lte=date, end_date__gte=date).first()
    if period is None:
        periods = ", ".join(f"{jalali.format_date(p.start_date)}–{jalali.format_date(p.end_date)}"
                            for p in indicator.periods.all()[:6])
        raise ValidationError({"date": _(
            "Indicator %(code)s has no period that contains %(date)s; define that period first%(known)s.") % {
            "code": indicator.code, "date": jalali.format_date(date),
            "known": (_(" (its periods: %(periods)s)") % {"periods": periods}) if periods else ""}})
    return period


@transaction.atomic
def record_value(*, user, indicator: Indicator, date: dt.date, actual, comment: str = "",
                 evidence=None, breakdown: dict[tuple[str, str], object] | None = None) -> Period:
    """Report the actual value of the period containing ``date`` (who and when are recorded); the value
    waits for approval.  ``breakdown`` maps (dimension, category) to the actual of that category."""
    _require(user, indicator)
    if indicator.method == Indicator.Method.DERIVED:
        raise ValidationError({"actual": _("Indicator %(code)s is computed from Khooshe's data; its values "
                                           "cannot be entered by hand.") % {"code": indicator.code}})
    period = Period.objects.select_for_update().get(pk=period_for(indicator, date).pk)
    if period.status == ApprovalStatus.APPROVED:
        raise ValidationError({"actual": _("The value of %(period)s was approved; return it for correction "
                                           "before changing it.") % {"period": period}})
    value = _decimal(actual, field="actual", label=_("Actual value"))
    if value is None:
        raise ValidationError({"actual": _("Give the actual value.")})
    period.actual = value
    period.comment = comment
    if evidence is not None:
        period.evidence = evidence
    period.entered_by = user if getattr(user, "is_authenticated", False) else None
    period.entered_at = timezone.now()
    period.status = ApprovalStatus.SUBMITTED
    period.computed = False
    period.save()
    for (dimension, category), category_value in (breakdown or {}).items():
        if dimension not in (indicator.disaggregations or []):
            label = Dimension(dimension).label if dimension in Dimension.values else dimension
            raise ValidationError({"breakdown": _("Indicator %(code)s is not disaggregated by %(dimension)s.") % {
                "code": indicator.code, "dimension": label}})
        number = _decimal(category_value, field="breakdown", label=f"{dimension}={category}")
        Disaggregation.objects.update_or_create(period=period, dimension=dimension, category=str(category)[:100],
                                                defaults={"actual": number})
    return period


@transaction.atomic
def review_value(*, user, period: Period, approve: bool, note: str = "") -> Period:
    """Approve a reported value, or return it for correction (with a note)."""
    _require(user, period)
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.status != ApprovalStatus.SUBMITTED:
        raise ValidationError({"status": _("Only a submitted value can be reviewed; this one is “%(status)s”.") % {
            "status": period.get_status_display()}})
    period.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
    period.approved_by = user if approve else None
    period.approved_at = timezone.now() if approve else None
    if note:
        period.comment = (period.comment + "\n" if period.comment else "") + note
    period.save()
    return period


# -- derived indicators -----------------------------------------------------------------------------
def _formula_order(indicators: list[Indicator]) -> list[Indicator]:
    """Derived indicators ordered so that each comes after the indicators its formula uses."""
    by_code = {i.code: i for i in indicators}
    done: list[Indicator] = []
    state: dict[str, int] = {}

    def visit(ind: Indicator, path: list[str]):
        if state.get(ind.code) == 2:
            return
        if state.get(ind.code) == 1:
            raise ValidationError({"numerator": _("The formulas of %(codes)s refer to each other in a circle.") % {
                "codes": " → ".join([*path, ind.code])}})
        state[ind.code] = 1
        for expression in (ind.numerator, ind.denominator):
            if expression and expression.strip():
                for name in formulas.names(expression):
                    other = None if name in SOURCES else by_code.get(name)
                    if other is not None and other.method == Indicator.Method.DERIVED:
                        visit(other, [*path, ind.code])
        state[ind.code] = 2
        done.append(ind)

    for ind in indicators:
        if ind.method == Indicator.Method.DERIVED:
            visit(ind, [])
    return done


@transaction.atomic
def compute_indicators(*, program, until: dt.date | None = None) -> int:
    """Compute the actual value of every derived indicator of the program for each of its periods that has
    started by ``until`` (default today).  Returns the number of periods updated."""
    until = until or timezone.localdate()
    indicators = list(Indicator.objects.filter(program=program).prefetch_related("periods"))
    by_code = {i.code: i for i in indicators}
    contexts: dict[tuple, SourceContext] = {}
    updated = 0
    for indicator in _formula_order(indicators):
        try:
            wanted = [*formulas.names(indicator.numerator, field="numerator"),
                      *(formulas.names(indicator.denominator, field="denominator") if indicator.denominator.strip()
                        else [])]
        except formulas.FormulaError as exc:
            raise ValidationError({exc.field: f"{indicator.code}: {exc.message}"}) from None
        unknown = [n for n in wanted if n not in SOURCES and n not in by_code]
        if unknown:
            raise ValidationError({"numerator": _(
                "The formula of %(code)s refers to “%(name)s”, which is neither a source nor an indicator of this "
                "program.") % {"code": indicator.code, "name": unknown[0]}})
        for period in indicator.periods.all():
            if period.start_date > until:
                continue
            key = (period.start_date, period.end_date)
            ctx = contexts.setdefault(key, SourceContext(program=program, cluster=program.cluster,
                                                         start=period.start_date, end=period.end_date))
            values = {}
            for name in wanted:
                if name in SOURCES:
                    values[name] = SOURCES[name].compute(ctx)
                else:
                    other = next((p for p in by_code[name].periods.all()
                                  if p.start_date <= period.end_date <= p.end_date), None)
                    values[name] = other.actual if other is not None else None
            value = formulas.compute(numerator=indicator.numerator, denominator=indicator.denominator,
                                     factor=indicator.factor, values=values)
            if value is not None:
                value = value.quantize(Decimal("0.0001"))
            period.actual = value
            period.computed = True
            period.entered_at = timezone.now()
            period.status = ApprovalStatus.APPROVED if value is not None else ApprovalStatus.DRAFT
            period.save(update_fields=["actual", "computed", "entered_at", "status", "updated_at"])
            updated += 1
    return updated


# -- surveys ----------------------------------------------------------------------------------------
@transaction.atomic
def create_questionnaire(*, user, cluster, template_key: str, survey_date: dt.date, program=None,
                         status: str = Questionnaire.Status.DRAFT) -> Questionnaire:
    """A questionnaire for the cluster from a template (``"empty"`` for none)."""
    templates = questionnaire_templates()
    if template_key != "empty" and template_key not in templates:
        raise ValidationError({"template": _("“%(key)s” is not a questionnaire template; choose one of: %(choices)s.")
                               % {"key": template_key, "choices": ", ".join(["empty", *templates])}})
    spec = templates.get(template_key, {"title_fa": "پرسش‌نامه", "title_en": "Questionnaire", "questions": []})
    questionnaire = Questionnaire(cluster=cluster, program=program, title_fa=spec["title_fa"],
                                  title_en=spec.get("title_en", ""), introduction_fa=spec.get("introduction_fa", ""),
                                  introduction_en=spec.get("introduction_en", ""), survey_date=survey_date,
                                  status=status, template_key="" if template_key == "empty" else template_key)
    _require(user, questionnaire)
    _clean_and_save(questionnaire)
    for position, q in enumerate(spec["questions"], start=1):
        _clean_and_save(Question(
            questionnaire=questionnaire, position=position, kind=q["kind"], text_fa=q["text_fa"],
            text_en=q.get("text_en", ""), help_fa=q.get("help_fa", ""), help_en=q.get("help_en", ""),
            choices=q.get("choices", []), required=q.get("required", True),
            relation_type=q.get("relation_type", "partnership")))
    return questionnaire


@transaction.atomic
def invite_members(*, user, questionnaire: Questionnaire) -> list[Invitation]:
    """One invitation (a private answer link) for each member organization not yet invited."""
    _require(user, questionnaire)
    from khooshe.registry.models import ClusterMembership

    invited = set(questionnaire.invitations.values_list("organization_id", flat=True))
    created = []
    for org_id in ClusterMembership.objects.filter(cluster=questionnaire.cluster).values_list(
            "organization_id", flat=True):
        if org_id not in invited:
            created.append(Invitation.objects.create(questionnaire=questionnaire, organization_id=org_id))
    return created


def network_choices(invitation: Invitation) -> list[tuple[int, str]]:
    """The members a network question lists: the cluster's other members."""
    from khooshe.registry.models import ClusterMembership

    rows = (ClusterMembership.objects.filter(cluster_id=invitation.questionnaire.cluster_id)
            .exclude(organization_id=invitation.organization_id).select_related("organization")
            .order_by("organization__name_fa"))
    return [(m.organization_id, str(m.organization)) for m in rows]


def _validate_answer(question: Question, value, *, member_ids: set[int]):
    """The cleaned answer or a ValidationError naming the question."""
    text = question.text
    if value in (None, "", []):
        return None
    kind = question.kind
    if kind == QuestionKind.SINGLE:
        allowed = {v for v, _ in question.choice_list()}
        if str(value) not in allowed:
            raise ValidationError(_("“%(value)s” is not one of the choices of “%(question)s”.") % {
                "value": value, "question": text})
        return str(value)
    if kind == QuestionKind.MULTIPLE:
        allowed = {v for v, _ in question.choice_list()}
        values = [str(v) for v in (value if isinstance(value, list) else [value])]
        bad = [v for v in values if v not in allowed]
        if bad:
            raise ValidationError(_("“%(value)s” is not one of the choices of “%(question)s”.") % {
                "value": bad[0], "question": text})
        return values
    if kind in (QuestionKind.SCALE, QuestionKind.NUMBER):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValidationError(_("“%(question)s”: “%(value)s” is not a number.") % {
                "question": text, "value": value}) from None
        if not number.is_finite():
            raise ValidationError(_("“%(question)s”: “%(value)s” is not a number.") % {"question": text, "value": value})
        if kind == QuestionKind.SCALE:
            if number != number.to_integral_value() or not question.scale_min <= number <= question.scale_max:
                raise ValidationError(_("“%(question)s”: choose a whole number from %(min)s to %(max)s.") % {
                    "question": text, "min": question.scale_min, "max": question.scale_max})
            return int(number)
        return float(number) if number != number.to_integral_value() else int(number)
    if kind == QuestionKind.TEXT:
        return str(value)[:5000]
    if kind == QuestionKind.NETWORK:
        ties = []
        for tie in value:
            org, trust = tie.get("organization"), tie.get("trust")
            if org not in member_ids:
                raise ValidationError(_("“%(question)s”: organization %(value)s is not another member of the "
                                        "cluster.") % {"question": text, "value": org})
            if not isinstance(trust, int) or not 1 <= trust <= 5:
                raise ValidationError(_("“%(question)s”: trust must be a whole number from 1 to 5, not “%(value)s”.")
                                      % {"question": text, "value": trust})
            ties.append({"organization": org, "trust": trust})
        return ties or None
    return None  # pragma: no cover - every kind is handled above


class AlreadyAnswered(ValidationError):
    pass


@transaction.atomic
def save_answers(*, invitation: Invitation, answers: dict[str, object], submit: bool,
                 respondent: str = "") -> Invitation:
    """Save an organization's answers (to continue later) or submit them.

    On submit every required question must be answered, and each network answer becomes a relation
    (registry.Relation, origin "survey", dated with the questionnaire's survey date, strength = trust).
    An invitation is answered once: saving or submitting after the submission is refused.
    """
    from khooshe.registry.models import Relation

    invitation = Invitation.objects.select_for_update().select_related("questionnaire", "organization").get(
        pk=invitation.pk)
    questionnaire = invitation.questionnaire
    if invitation.submitted_at is not None:
        raise AlreadyAnswered(_("%(organization)s already answered this questionnaire on %(date)s; an organization "
                                "answers once. Ask the cluster development agent if the answer must change.") % {
            "organization": invitation.organization, "date": jalali.format_date(invitation.submitted_at)})
    if questionnaire.status != Questionnaire.Status.OPEN:
        raise ValidationError(_("This questionnaire is not open for answers."))
    if questionnaire.closes_on and timezone.localdate() > questionnaire.closes_on:
        raise ValidationError(_("This questionnaire closed on %(date)s.") % {
            "date": jalali.format_date(questionnaire.closes_on)})
    questions = list(questionnaire.questions.all())
    member_ids = {pk for pk, _ in network_choices(invitation)}
    cleaned, errors = {}, {}
    for question in questions:
        key = str(question.pk)
        try:
            value = _validate_answer(question, answers.get(key), member_ids=member_ids)
        except ValidationError as exc:
            errors[key] = exc.messages
            continue
        if value is not None:
            cleaned[key] = value
        elif submit and question.required:
            errors[key] = [_("“%(question)s” needs an answer.") % {"question": question.text}]
    if errors:
        raise ValidationError(errors)
    invitation.answers = cleaned
    invitation.respondent = respondent[:200]
    invitation.saved_at = timezone.now()
    if submit:
        invitation.submitted_at = invitation.saved_at
        for question in questions:
            if question.kind != QuestionKind.NETWORK:
                continue
            for tie in cleaned.get(str(question.pk)) or []:
                relation = Relation(source_id=invitation.organization_id, target_id=tie["organization"],
                                    type=question.relation_type or "partnership", strength=tie["trust"],
                                    start_date=questionnaire.survey_date, origin=Relation.Origin.SURVEY,
                                    note=_("From the survey “%(title)s”.") % {"title": questionnaire.title_fa})
                relation.full_clean(exclude=["agreement"])
                relation.save()
    invitation.save()
    return invitation


# -- self-assessment --------------------------------------------------------------------------------
@transaction.atomic
def create_self_assessment(*, user, cluster, label: str, assessed_on: dt.date) -> SelfAssessment:
    """A self-assessment preloaded with the ESCA checklist of the label (Bronze or Gold)."""
    from .assessment import checklist

    if label not in SelfAssessment.Label.values:
        raise ValidationError({"label": _("“%(value)s” is not a label; choose bronze or gold.") % {"value": label}})
    assessment = SelfAssessment(cluster=cluster, label=label, assessed_on=assessed_on)
    _require(user, assessment)
    _clean_and_save(assessment)
    for position, item in enumerate(checklist()[label], start=1):
        AssessmentItem.objects.create(assessment=assessment, area=item["area"], position=position,
                                      indicator_fa=item["fa"], indicator_en=item.get("en", ""),
                                      weight=Decimal(str(item.get("weight", 1))))
    return assessment


@transaction.atomic
def score_items(*, user, assessment: SelfAssessment, scores: dict[int, object]) -> SelfAssessment:
    """Set the scores (0-100) of several items at once; a bad value refuses them all."""
    _require(user, assessment)
    items = {item.pk: item for item in assessment.items.select_for_update()}
    for pk, value in scores.items():
        item = items.get(int(pk))
        if item is None:
            raise ValidationError({"score": _("Item %(pk)s is not part of this self-assessment.") % {"pk": pk}})
        number = _decimal(value, field="score", label=str(item))
        if number is not None and (number < 0 or number > 100 or number != number.to_integral_value()):
            raise ValidationError({"score": _("“%(item)s”: the score must be a whole number from 0 to 100, not "
                                              "“%(value)s”.") % {"item": item, "value": value}})
        item.score = None if number is None else int(number)
        item.save(update_fields=["score", "updated_at"])
    return assessment
