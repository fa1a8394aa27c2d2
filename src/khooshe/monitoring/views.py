"""Monitoring pages beyond the generic ones: results framework, M&E dashboard, social-capital network,
public survey answers, self-assessment scoring and the program status report.  Thin: parse, check access,
call one service or selector, render."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from khooshe.core import jalali
from khooshe.registry.models import Cluster

from . import assessment, reports, selectors, services
from .forms import parse_answers
from .models import Indicator, Invitation, Period, Questionnaire, SelfAssessment


def _program(request, pk):
    from khooshe.programs.models import Program

    return get_object_or_404(Program.objects.visible_to(request.user).select_related("cluster"), pk=pk)


def _error_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(f"{m}" for messages_ in exc.message_dict.values() for m in messages_)
    return " ".join(exc.messages)


def _date_param(data, name, default):
    """A date from the query or form data (Jalali as 1404/01/31 or ISO); (date, error message)."""
    raw = (data.get(name) or "").strip()
    if not raw:
        return default, None
    try:
        return jalali.parse_date(raw), None
    except (ValueError, ValidationError):
        try:
            return dt.date.fromisoformat(raw), None
        except ValueError:
            return default, _("“%(value)s” is not a date; write it as 1404/01/31 or 2025-04-20.") % {"value": raw}


# -- results framework and dashboard ----------------------------------------------------------------
def results_framework(request, pk):
    program = _program(request, pk)
    tree = reports.results_tree(program)
    return render(request, "monitoring/results_framework.html", {
        "program": program, "tree": tree, "unlinked": reports.unlinked_indicators(program),
        "can_edit": program.is_editable_by(request.user), "indicator_sets": services.indicator_sets(),
    })


@require_POST
@login_required
def apply_indicator_set(request, pk):
    program = _program(request, pk)
    try:
        created = services.apply_indicator_set(user=request.user, program=program, key=request.POST.get("key", ""))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(count)s indicators were added.") % {"count": len(created)})
    return redirect("monitoring:results_framework", pk=program.pk)


@require_POST
@login_required
def compute_indicators(request, pk):
    program = _program(request, pk)
    if not program.is_editable_by(request.user):
        raise PermissionDenied
    try:
        count = services.compute_indicators(program=program)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("%(count)s period values were computed.") % {"count": count})
    return redirect(request.POST.get("next") or "monitoring:results_framework", pk=program.pk)


def dashboard(request, pk):
    program = _program(request, pk)
    series = reports.indicator_series(program)
    return render(request, "monitoring/dashboard.html", {
        "program": program, "series": series,
        "chart_data": [s["chart"] for s in series if s["chart"]],
    })


# -- values -----------------------------------------------------------------------------------------
@require_POST
@login_required
def record_value(request, pk):
    indicator = get_object_or_404(Indicator.objects.visible_to(request.user), pk=pk)
    date, error = _date_param(request.POST, "date", None)
    if error or date is None:
        messages.error(request, error or _("Give the date the value refers to."))
        return redirect(indicator.get_absolute_url())
    breakdown = {}
    for key, value in request.POST.items():
        if key.startswith("d__") and value.strip():
            _prefix, dimension, category = key.split("__", 2)
            breakdown[(dimension, category)] = value
    try:
        period = services.record_value(user=request.user, indicator=indicator, date=date,
                                       actual=request.POST.get("actual"), comment=request.POST.get("comment", ""),
                                       evidence=request.FILES.get("evidence"), breakdown=breakdown)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect(indicator.get_absolute_url())
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect(indicator.get_absolute_url())
    messages.success(request, _("The value of %(period)s was saved and waits for approval.") % {"period": period})
    return redirect(period.get_absolute_url())


@require_POST
@login_required
def review_value(request, pk):
    period = get_object_or_404(Period.objects.visible_to(request.user), pk=pk)
    try:
        services.review_value(user=request.user, period=period, approve=request.POST.get("decision") == "approve",
                              note=request.POST.get("note", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc) if isinstance(exc, ValidationError) else str(exc))
    return redirect(period.get_absolute_url())


# -- network ----------------------------------------------------------------------------------------
def network(request, pk):
    cluster = get_object_or_404(Cluster.objects.visible_to(request.user), pk=pk)
    today = timezone.localdate()
    date, error = _date_param(request.GET, "date", today)
    compare, error2 = _date_param(request.GET, "compare", None)
    if compare is not None and compare >= date:
        error2 = _("The comparison date must be before the date shown.")
        compare = None
    figures = selectors.network_figures(cluster, date)
    before = selectors.network_figures(cluster, compare) if compare else None
    change = selectors.network_change(cluster, compare, date) if compare else None
    names = reports.organization_names([*figures["isolates"], *(b for b, _v in figures["brokers"])])
    return render(request, "monitoring/network.html", {
        "cluster": cluster, "date": date, "compare": compare, "errors": [e for e in (error, error2) if e],
        "figures": figures, "before": before, "change": change,
        "rows": reports.network_rows(figures, before),
        "brokers": [(names.get(pk_), value) for pk_, value in figures["brokers"] if value > 0][:10],
        "isolates": [names.get(pk_) for pk_ in figures["isolates"]][:50],
        "date_value": jalali.format_date_input(date), "compare_value": jalali.format_date_input(compare),
        "date_iso": date.isoformat(), "compare_iso": compare.isoformat() if compare else "",
    })


def network_graph(request, pk):
    cluster = get_object_or_404(Cluster.objects.visible_to(request.user), pk=pk)
    date, error = _date_param(request.GET, "date", timezone.localdate())
    compare, error2 = _date_param(request.GET, "compare", None)
    if error or error2:
        return JsonResponse({"error": error or error2}, status=400)
    return JsonResponse(selectors.cytoscape_graph(cluster, date, compare=compare))


# -- surveys ----------------------------------------------------------------------------------------
@require_POST
@login_required
def create_questionnaire(request):
    cluster = get_object_or_404(Cluster.objects.visible_to(request.user), pk=request.POST.get("cluster") or 0)
    date, error = _date_param(request.POST, "survey_date", timezone.localdate())
    if error:
        messages.error(request, error)
        return redirect("monitoring:questionnaire_list")
    try:
        questionnaire = services.create_questionnaire(user=request.user, cluster=cluster, survey_date=date,
                                                      template_key=request.POST.get("template", ""))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("monitoring:questionnaire_list")
    return redirect(questionnaire.get_absolute_url())


@require_POST
@login_required
def invite_members(request, pk):
    questionnaire = get_object_or_404(Questionnaire.objects.visible_to(request.user), pk=pk)
    created = services.invite_members(user=request.user, questionnaire=questionnaire)
    messages.success(request, _("%(count)s member organizations were invited.") % {"count": len(created)})
    return redirect(questionnaire.get_absolute_url())


def survey_answer(request, token):
    """The public answer page of one organization (the link is the key; no account needed)."""
    invitation = Invitation.objects.select_related("questionnaire", "organization").filter(token=token).first()
    if invitation is None:
        raise Http404(_("This survey link is not valid. Check that you copied the whole link."))
    questionnaire = invitation.questionnaire
    members = services.network_choices(invitation)
    errors: dict = {}
    answers = dict(invitation.answers or {})
    status = 200
    if request.method == "POST":
        answers = parse_answers(questionnaire, request.POST, [pk for pk, _n in members])
        submit = "submit" in request.POST
        try:
            services.save_answers(invitation=invitation, answers=answers, submit=submit,
                                  respondent=request.POST.get("respondent", ""))
        except services.AlreadyAnswered as exc:
            errors = {"__all__": exc.messages}
            status = 409
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            status = 400
        else:
            if submit:
                return render(request, "monitoring/survey_thanks.html", {"invitation": invitation,
                                                                         "questionnaire": questionnaire})
            messages.success(request, _("Your answers were saved. Open the same link to continue."))
            return redirect("monitoring:survey_answer", token=token)
        invitation.refresh_from_db()
    return render(request, "monitoring/survey_answer.html", {
        "invitation": invitation, "questionnaire": questionnaire,
        "questions": reports.question_rows(questionnaire, answers, errors, members),
        "general_errors": errors.get("__all__", []), "scale_trust": range(1, 6),
    }, status=status)


# -- self-assessment --------------------------------------------------------------------------------
@require_POST
@login_required
def create_self_assessment(request):
    cluster = get_object_or_404(Cluster.objects.visible_to(request.user), pk=request.POST.get("cluster") or 0)
    date, error = _date_param(request.POST, "assessed_on", timezone.localdate())
    if error:
        messages.error(request, error)
        return redirect("monitoring:selfassessment_list")
    try:
        item = services.create_self_assessment(user=request.user, cluster=cluster,
                                               label=request.POST.get("label", ""), assessed_on=date)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc) if isinstance(exc, ValidationError) else str(exc))
        return redirect("monitoring:selfassessment_list")
    return redirect(item.get_absolute_url())


@require_POST
@login_required
def score_self_assessment(request, pk):
    item = get_object_or_404(SelfAssessment.objects.visible_to(request.user), pk=pk)
    scores = {key[len("score_"):]: value for key, value in request.POST.items() if key.startswith("score_")}
    try:
        services.score_items(user=request.user, assessment=item, scores=scores)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc) if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, _("The scores were saved."))
    return redirect(item.get_absolute_url())


def compare_self_assessments(request):
    visible = SelfAssessment.objects.visible_to(request.user)
    try:
        before = get_object_or_404(visible, pk=int(request.GET.get("before", 0)))
        after = get_object_or_404(visible, pk=int(request.GET.get("after", 0)))
    except ValueError:
        return HttpResponseBadRequest(_("Choose two self-assessments to compare."))
    return render(request, "monitoring/assessment_compare.html", {
        "before": before, "after": after, "rows": assessment.compare_profiles(before, after),
        "profile_before": assessment.score_profile(before), "profile_after": assessment.score_profile(after),
    })


# -- report -----------------------------------------------------------------------------------------
def _static_files_fetcher(request):
    """WeasyPrint's fetcher, reading the site's static files (the Vazirmatn font) from disk: fetching them
    over HTTP from the server that is busy rendering the PDF could wait on itself."""
    from django.conf import settings
    from django.contrib.staticfiles import finders
    from weasyprint.urls import URLFetcher

    prefix = request.build_absolute_uri(settings.STATIC_URL)
    root = Path(settings.STATIC_ROOT).resolve()

    class StaticFilesFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith(prefix):
                name = url[len(prefix):].split("?")[0]
                collected = (root / name).resolve()  # the hashed name of a production build
                path = str(collected) if collected.is_file() and root in collected.parents else finders.find(name)
                if path:
                    url = Path(path).resolve().as_uri()
            return super().fetch(url, headers)

    return StaticFilesFetcher()


def program_report(request, pk):
    program = _program(request, pk)
    context = reports.status_report(program, request.GET)
    if request.GET.get("format") == "pdf":
        from django.template.loader import render_to_string
        from weasyprint import HTML

        html = render_to_string("monitoring/report.html", {**context, "pdf": True}, request=request)
        pdf = HTML(string=html, base_url=request.build_absolute_uri("/"),
                   url_fetcher=_static_files_fetcher(request)).write_pdf()
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="program-{program.pk}-report.pdf"'
        return response
    return render(request, "monitoring/report.html", context)
