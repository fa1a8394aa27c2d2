"""Pages of cohorts beyond the generic ones: the application form of a call, an applicant's applications,
the review form, the ranking with decisions, and mentor office hours. Thin: parse, check access, call one
service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from khooshe.core.generic import get_config
from khooshe.core.views import ObjectDetailView
from khooshe.hubs import services as booking_services

from . import forms, selectors, services
from . import models as cm


def _messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


def _report(request, exc: ValidationError | booking_services.BookingError) -> None:
    """Show a refusal as error messages on the next page."""
    for message in ([exc.message] if isinstance(exc, booking_services.BookingError) else _messages_of(exc)):
        messages.error(request, message)


# -- detail pages with a panel of what the user may do ----------------------------------------------------
class PanelDetailView(ObjectDetailView):
    """The generic detail page plus ``panel``: what the extra template shows for this user."""

    def panel(self, request, obj) -> dict:
        return {}

    def base_context(self, **extra):
        context = super().base_context(**extra)
        if extra.get("object") is not None and "fields" in extra:
            context["panel"] = self.panel(self.request, extra["object"])
        return context


class CallDetailView(PanelDetailView):
    def panel(self, request, call):
        user = request.user
        return {"is_open": call.is_open(), "staff": selectors.is_program_staff(user, call.program),
                "mine": list(selectors.own_applications(user, call))}


class ApplicationDetailView(PanelDetailView):
    def panel(self, request, application):
        user = request.user
        staff = selectors.is_program_staff(user, application.call.program)
        questions = selectors.questions_of(application.call)
        answers = [(q, application.answers.get(services.answer_key(q))) for q in questions]
        own = selectors.own_applications(user).filter(pk=application.pk).exists()
        info = {"staff": staff, "own": own, "answers": answers, "review": selectors.review_of(user, application),
                "decisions": cm.CohortApplication.DECISIONS}
        if staff:
            info["reviews"] = list(application.reviews.select_related("reviewer"))
            info["score"] = selectors.application_score(application)
        return info


class OfficeHourDetailView(PanelDetailView):
    def panel(self, request, block):
        user = request.user
        staff = selectors.is_program_staff(user, block.cohort.program)
        teams = selectors.memberships_of(user, block.cohort)
        meetings = list(block.meetings.filter(status=cm.OfficeHourMeeting.Status.BOOKED).select_related("member"))
        if not (staff or block.mentor_id == user.pk):
            meetings = [m for m in meetings if m.member in teams]  # other teams' meetings stay private
        return {"free": selectors.free_slots(block) if (teams or staff) else [], "teams": teams,
                "meetings": meetings, "staff": staff,
                "members": list(block.cohort.members.all()) if staff else []}


# -- applying ------------------------------------------------------------------------------------------------
@login_required
def apply(request, pk: int):
    """The call's application form (questions defined by staff). "Save draft" keeps it editable; "Submit"
    checks that every required question is answered."""
    call = get_object_or_404(cm.CohortCall.objects.visible_to(request.user).select_related("cohort__program__site"),
                             pk=pk)
    questions = selectors.questions_of(call)
    organizations = selectors.acting_organizations(request.user)
    status = 200
    if request.method == "POST":
        form = forms.ApplicationForm(request.POST, questions=questions, organizations=organizations)
        if form.is_valid():
            try:
                application = services.save_application(
                    user=request.user, call=call, answers=form.answers(),
                    organization=form.cleaned_data.get("organization"), team_name=form.cleaned_data.get("team_name"),
                    submit="submit" in request.POST)
            except ValidationError as exc:
                for field, msgs in (exc.message_dict.items() if hasattr(exc, "error_dict")
                                    else [(None, exc.messages)]):
                    for message in msgs:
                        form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("Your application was submitted.") if application.status == "submitted"
                                 else _("Your draft was saved; submit it before the call closes."))
                return redirect(application)
        status = 400
    else:
        initial = {}
        existing = selectors.own_applications(request.user, call).filter(
            status__in=[cm.CohortApplication.Status.DRAFT, cm.CohortApplication.Status.WITHDRAWN]).first()
        if existing is not None:
            initial = {"organization": existing.organization_id, "team_name": existing.team_name}
            initial.update({k: ("yes" if v is True else "no" if v is False else v) for k, v in existing.answers.items()})
        elif organizations:
            initial = {"organization": organizations[0].pk}
        form = forms.ApplicationForm(initial=initial, questions=questions, organizations=organizations)
    return render(request, "hubs/cohorts/apply.html", {"call": call, "form": form, "is_open": call.is_open()},
                  status=status)


@login_required
def my_applications(request):
    """The applications the user (or an organization of theirs) made, with their status."""
    applications = selectors.own_applications(request.user).order_by("-created_at")[:200]
    return render(request, "hubs/cohorts/my_applications.html", {"applications": applications})


ACTIONS = {"submit": (services.submit_application, _("Your application was submitted.")),
           "withdraw": (services.withdraw_application, _("Your application was withdrawn."))}


@login_required
@require_POST
def application_action(request, pk: int, action: str):
    application = get_object_or_404(cm.CohortApplication.objects.visible_to(request.user), pk=pk)
    if action not in ACTIONS:
        messages.error(request, _("Unknown action “%(action)s”.") % {"action": action})
        return redirect(application)
    service, success = ACTIONS[action]
    try:
        service(user=request.user, application=application)
    except ValidationError as exc:
        _report(request, exc)
    else:
        messages.success(request, success)
    return redirect(application)


# -- reviews and decisions --------------------------------------------------------------------------------
@login_required
@require_POST
def assign_reviewer(request, pk: int):
    application = get_object_or_404(cm.CohortApplication.objects.visible_to(request.user), pk=pk)
    field = forms.UsernameField(label=_("reviewer"))
    try:
        reviewer = field.clean(request.POST.get("reviewer", ""))
        services.assign_reviewer(user=request.user, application=application, reviewer=reviewer)
    except ValidationError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("%(user)s now reviews this application.") % {"user": reviewer})
    return redirect(application)


@login_required
def review(request, pk: int):
    """An assigned reviewer scores every criterion of the call from 1 to 5 and comments."""
    application = get_object_or_404(cm.CohortApplication.objects.visible_to(request.user).select_related(
        "call__cohort__program__site", "organization"), pk=pk)
    current_review = selectors.review_of(request.user, application)
    if current_review is None:
        raise PermissionDenied(_("You are not a reviewer of this application."))
    criteria = list(application.call.criteria.all())
    current = dict(current_review.scores.values_list("criterion_id", "value"))
    comment, errors, status = current_review.comment, {}, 200
    if request.method == "POST":
        scores = {c.pk: request.POST.get(f"criterion_{c.pk}") for c in criteria}
        comment = request.POST.get("comment", "")[:10000]
        try:
            services.submit_review(user=request.user, application=application, scores=scores, comment=comment)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            current, status = scores, 400
        else:
            messages.success(request, _("Your review was saved."))
            return redirect(application)
    rows = [{"criterion": c, "name": f"criterion_{c.pk}", "value": str(current.get(c.pk) or ""),
             "errors": errors.get(f"criterion_{c.pk}", [])} for c in criteria]
    general = [m for key, msgs in errors.items() if not key.startswith("criterion_") for m in msgs]
    questions = selectors.questions_of(application.call)
    answers = [(q, application.answers.get(services.answer_key(q))) for q in questions]
    return render(request, "hubs/cohorts/review.html", {
        "application": application, "rows": rows, "comment": comment, "errors": general, "choices": range(1, 6),
        "answers": answers}, status=status)


@login_required
def ranking(request, pk: int):
    """Staff: the call's applications by score, with reviewer counts and a decision form per row."""
    call = get_object_or_404(cm.CohortCall.objects.visible_to(request.user).select_related("cohort__program__site"),
                             pk=pk)
    if not selectors.is_program_staff(request.user, call.program):
        raise PermissionDenied(_("Only the staff of %(site)s see the ranking.") % {"site": call.program.site})
    return render(request, "hubs/cohorts/ranking.html", {
        "call": call, "rows": selectors.ranking(call), "decisions": cm.CohortApplication.DECISIONS,
        "accepted": selectors.accepted_count(call.cohort), "capacity": call.cohort.capacity})


@login_required
@require_POST
def decide(request, pk: int):
    application = get_object_or_404(cm.CohortApplication.objects.visible_to(request.user).select_related(
        "call__cohort__program__site"), pk=pk)
    try:
        services.decide_application(user=request.user, application=application,
                                    decision=request.POST.get("decision", ""),
                                    note=request.POST.get("note", "")[:10000])
    except ValidationError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Decision recorded for %(team)s.") % {"team": application.team})
    target = request.POST.get("next")
    if target == "ranking":
        return HttpResponseRedirect(reverse("hubs:cohorts_ranking", kwargs={"pk": application.call_id}))
    return redirect(application)


# -- office hours ----------------------------------------------------------------------------------------------
@login_required
def office_hours(request):
    """Mentors: their office hours and who booked them. Members: the free slots of their cohorts' mentors
    and their booked meetings."""
    now = timezone.now()
    blocks = [(b, selectors.free_slots(b, now)) for b in selectors.upcoming_blocks_for_member(request.user, now)]
    return render(request, "hubs/cohorts/office_hours.html", {
        "mentor_blocks": selectors.mentor_blocks(request.user, now), "blocks": [(b, f) for b, f in blocks if f],
        "meetings": selectors.meetings_of_member(request.user)})


@login_required
@require_POST
def book_slot(request, pk: int):
    block = get_object_or_404(cm.OfficeHourBlock.objects.visible_to(request.user), pk=pk)
    start = parse_datetime(request.POST.get("start", "") or "")
    member = None
    if (request.POST.get("member") or "").isdigit():
        member = cm.CohortMember.objects.filter(pk=int(request.POST["member"]), cohort=block.cohort).first()
    target = request.POST.get("next") or reverse("hubs:cohorts_office_hours")
    if not target.startswith("/") or target.startswith("//"):
        target = reverse("hubs:cohorts_office_hours")
    if start is None:
        messages.error(request, _("Choose one of the free slots."))
        return HttpResponseRedirect(target)
    try:
        meeting = services.book_office_hour(user=request.user, block=block, start=start, member=member)
    except (ValidationError, booking_services.BookingError) as exc:
        _report(request, exc)
    else:
        from khooshe.core.jalali import format_date

        messages.success(request, _("Booked: %(mentor)s at %(start)s in %(space)s.") % {
            "mentor": meeting.mentor, "start": format_date(meeting.start), "space": block.space})
    return HttpResponseRedirect(target)


@login_required
@require_POST
def cancel_meeting(request, pk: int):
    meeting = get_object_or_404(cm.OfficeHourMeeting.objects.select_related("block__space__site", "member"), pk=pk)
    if not selectors.may_see_meeting(request.user, meeting):
        raise PermissionDenied(_("You may not cancel this meeting."))
    try:
        services.cancel_office_hour(user=request.user, meeting=meeting)
    except (ValidationError, booking_services.BookingError) as exc:
        _report(request, exc)
    else:
        messages.success(request, _("The meeting is cancelled; the slot is free again."))
    return HttpResponseRedirect(reverse("hubs:cohorts_office_hours"))


def detail_views():
    """The detail pages that replace the generic ones (same addresses), built once the configs exist."""
    return {
        "call": CallDetailView.as_view(config=get_config(cm.CohortCall)),
        "application": ApplicationDetailView.as_view(config=get_config(cm.CohortApplication)),
        "office_hours": OfficeHourDetailView.as_view(config=get_config(cm.OfficeHourBlock)),
    }

