"""Pages beyond the generic ones: workflow actions (POST), review form, profile detail without the
owner, expressions of interest, notifications. Thin: parse, check access, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from khooshe.core.views import ObjectDetailView

from . import forms, models, selectors, services


def _error_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


def _act(request, call, success: str, target: str):
    try:
        call()
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, success)
    return HttpResponseRedirect(target)


ACTIONS = {"open": models.Challenge.Status.OPEN, "evaluate": models.Challenge.Status.EVALUATING,
           "close": models.Challenge.Status.CLOSED, "reopen": models.Challenge.Status.OPEN}


@login_required
@require_POST
def challenge_action(request, pk: int, action: str):
    challenge = get_object_or_404(models.Challenge.objects.visible_to(request.user), pk=pk)
    to = ACTIONS.get(action)
    if to is None:
        messages.error(request, _("Unknown action “%(action)s”.") % {"action": action})
        return redirect(challenge)
    return _act(request, lambda: services.transition_challenge(user=request.user, challenge=challenge, to=to),
                _("The challenge is now “%(status)s”.") % {"status": to.label}, challenge.get_absolute_url())


@login_required
@require_POST
def proposal_shortlist(request, pk: int):
    proposal = get_object_or_404(models.Proposal.objects.visible_to(request.user), pk=pk)
    flag = request.POST.get("shortlisted", "1") != "0"
    return _act(request, lambda: services.shortlist_proposal(user=request.user, proposal=proposal,
                                                             shortlisted=flag),
                _("Shortlist updated."), proposal.get_absolute_url())


@login_required
@require_POST
def proposal_award(request, pk: int):
    proposal = get_object_or_404(models.Proposal.objects.visible_to(request.user), pk=pk)
    return _act(request, lambda: services.award_proposal(user=request.user, proposal=proposal),
                _("Awarded: an agreement and a joint-project relation were recorded."), proposal.get_absolute_url())


@login_required
def proposal_review(request, pk: int):
    proposal = get_object_or_404(models.Proposal.objects.visible_to(request.user), pk=pk)
    challenge = proposal.challenge
    if not challenge.is_reviewer(request.user):
        raise PermissionDenied(_("You are not a reviewer of this challenge."))
    criteria = list(challenge.criteria.all())
    review = models.Review.objects.filter(proposal=proposal, reviewer=request.user).first()
    current = dict(review.scores.values_list("criterion_id", "value")) if review else {}
    errors, status = {}, 200
    comment = review.comment if review else ""
    if request.method == "POST":
        scores = {c.pk: request.POST.get(f"criterion_{c.pk}") for c in criteria}
        comment = request.POST.get("comment", "")[:10000]
        try:
            services.submit_review(user=request.user, proposal=proposal, scores=scores, comment=comment)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            current = {c.pk: scores[c.pk] for c in criteria}
            status = 400
        else:
            messages.success(request, _("Your review was saved."))
            return redirect(proposal)
    rows = [{"criterion": c, "name": f"criterion_{c.pk}", "value": str(current.get(c.pk) or ""),
             "errors": errors.get(f"criterion_{c.pk}", [])} for c in criteria]
    return render(request, "matching/review.html", {
        "proposal": proposal, "rows": rows, "comment": comment, "errors": errors.get("__all__", []) + errors.get(
            "criteria", []) + errors.get("status", []), "choices": range(1, 6)}, status=status)


class ProfileDetailView(ObjectDetailView):
    """The generic detail page of a profile, with the owner shown only when revealed and the change
    history (whose actor would name the owner) only to the owner side."""

    template_name = "core/generic/detail.html"

    def get(self, request, pk):
        config = self.config
        obj = self.get_object(request, pk)
        language = get_language()
        fields = [{"label": col.label, "html": col.html(obj, language)} for col in config.detail_field_objects]
        can_change = config.can_change(request.user, obj)
        history = []
        if can_change:
            from auditlog.models import LogEntry
            from django.contrib.contenttypes.models import ContentType

            from khooshe.core.views import history_rows

            history = list(LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj),
                                                   object_pk=str(obj.pk)).select_related("actor")
                           .order_by("-timestamp")[:50])
            for entry in history:
                entry.change_rows = history_rows(entry)
        context = self.base_context(object=obj, fields=fields, related=[], history=history, can_change=can_change,
                                    extra_template=config.detail_template)
        return render(request, self.template_name, context)


@login_required
@require_POST
def profile_interest(request, pk: int):
    profile = get_object_or_404(models.Profile.objects.visible_to(request.user), pk=pk)
    form = forms.InterestForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, " ".join(m for msgs in form.errors.values() for m in msgs))
        return redirect(profile)
    return _act(request, lambda: services.express_interest(
        user=request.user, profile=profile, from_organization=form.cleaned_data["from_organization"],
        message=form.cleaned_data["message"]),
        _("Your interest was sent. The owner's identity is shown once they accept."), profile.get_absolute_url())


@login_required
@require_POST
def interest_decide(request, pk: int):
    interest = get_object_or_404(selectors.interests_for(request.user), pk=pk)
    accept = request.POST.get("accept") == "1"
    return _act(request, lambda: services.decide_interest(user=request.user, interest=interest, accept=accept),
                _("Accepted: both sides now see each other.") if accept else _("Declined."),
                request.POST.get("next") if str(request.POST.get("next", "")).startswith("/") else
                interest.profile.get_absolute_url())


@login_required
def interests(request):
    rows = []
    for eoi in selectors.interests_for(request.user).select_related("profile", "from_organization")[:500]:
        rows.append({"eoi": eoi, "sender": eoi.from_organization if selectors.sender_revealed_to(eoi, request.user)
                     else None,
                     "owner": eoi.profile.owner if selectors.owner_revealed_to(eoi.profile, request.user) else None,
                     "can_decide": eoi.status == models.ExpressionOfInterest.Status.PENDING
                     and eoi.profile.is_editable_by(request.user)})
    return render(request, "matching/interests.html", {"rows": rows})


@login_required
def notifications(request):
    if request.method == "POST":
        services.mark_notifications_read(user=request.user)
        return redirect("matching:notifications")
    items = list(selectors.notifications_for(request.user)[:200])
    return render(request, "matching/notifications.html", {"items": items,
                                                           "unread": sum(1 for n in items if not n.read)})


def proposal_attachment(request, pk: int):
    """The proposal's attachment, only to those who may see the proposal (never through /media/)."""
    from django.http import FileResponse, Http404

    proposal = get_object_or_404(models.Proposal.objects.visible_to(request.user), pk=pk)
    if not proposal.attachment:
        raise Http404
    try:
        handle = proposal.attachment.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=proposal.attachment.name.rsplit("/", 1)[-1])


# -- recommendations ----------------------------------------------------------------------------------------
def _limit(request, default: int = 20) -> int:
    try:
        return max(1, min(int(request.GET.get("limit", default)), 100))
    except (TypeError, ValueError):
        return default


@login_required
def challenge_recommendations(request, pk: int):
    """"Recommended solvers" of a challenge: its owner side and platform admins only. With ``?partial=1``
    (htmx, the section on the challenge's page) only the list."""
    from .recommend import NoTextError, recommend_solvers

    challenge = get_object_or_404(models.Challenge.objects.visible_to(request.user), pk=pk)
    if not challenge.is_editable_by(request.user):
        raise PermissionDenied(_("Only the organization that posted this challenge sees its recommended solvers."))
    error, result = "", None
    try:
        result = recommend_solvers(challenge, user=request.user, limit=_limit(request))
    except NoTextError as exc:
        error = str(exc)
    partial = request.GET.get("partial") == "1" or request.headers.get("HX-Request") == "true"
    template = "matching/_solver_recommendations.html" if partial else "matching/solver_recommendations.html"
    return render(request, template, {"challenge": challenge, "result": result, "error": error})


@login_required
def organization_challenges(request, pk: int):
    """"Challenges for you": open challenges that fit an organization, for its members and admins."""
    from khooshe.registry.models import Organization

    from .recommend import recommend_challenges

    organization = get_object_or_404(Organization.objects.visible_to(request.user), pk=pk)
    if not organization.is_editable_by(request.user):
        raise PermissionDenied(_("Only the members of this organization see the challenges recommended to it."))
    result = recommend_challenges(organization, user=request.user, limit=_limit(request))
    partial = request.GET.get("partial") == "1" or request.headers.get("HX-Request") == "true"
    template = "matching/_challenge_recommendations.html" if partial else "matching/challenge_recommendations.html"
    return render(request, template, {"organization": organization, "result": result})


# -- matchmaking days -------------------------------------------------------------------------------------
DAY_ACTIONS = {"publish": models.MatchmakingDay.Status.PUBLISHED, "draft": models.MatchmakingDay.Status.DRAFT,
               "close": models.MatchmakingDay.Status.CLOSED, "reopen": models.MatchmakingDay.Status.PUBLISHED}
SCHEDULE_METHODS = ("auto", "cp-sat", "flow", "greedy")


@login_required
@require_POST
def day_action(request, pk: int, action: str):
    """Workflow of a day (publish, back to draft, close, reopen the schedule), "propose" (run the
    assignment) and "publish-schedule"."""
    day = get_object_or_404(models.MatchmakingDay.objects.visible_to(request.user), pk=pk)
    target = day.get_absolute_url()
    if action == "propose":
        method = request.POST.get("method", "auto")
        if method not in SCHEDULE_METHODS:
            messages.error(request, _("Unknown method “%(method)s”.") % {"method": method})
            return redirect(day)
        report = {}

        def run():
            report.update(services.propose_schedule(user=request.user, day=day, method=method))

        response = _act(request, run, _("A schedule was proposed."), reverse_schedule(day))
        if report:
            messages.info(request, _("%(count)s meetings, total score %(score)s (%(status)s).") % {
                "count": report["meetings"], "score": report["objective"], "status": report["status"]})
        return response
    if action == "publish-schedule":
        return _act(request, lambda: services.publish_schedule(user=request.user, day=day),
                    _("The schedule is published: the participants were notified."), reverse_schedule(day))
    to = DAY_ACTIONS.get(action)
    if to is None:
        messages.error(request, _("Unknown action “%(action)s”.") % {"action": action})
        return redirect(day)
    return _act(request, lambda: services.transition_day(user=request.user, day=day, to=to),
                _("The matchmaking day is now “%(status)s”.") % {"status": to.label}, target)


def reverse_schedule(day) -> str:
    from django.urls import reverse

    return reverse("matching:matchmakingday_schedule", kwargs={"pk": day.pk})


def day_schedule(request, pk: int):
    """The slots x tables grid (organiser side: every meeting, proposed or confirmed) and the agendas the
    user may see: every participant's for the organiser, the own organizations' for participants."""
    day = get_object_or_404(models.MatchmakingDay.objects.visible_to(request.user).select_related("organiser"),
                            pk=pk)
    meetings = list(selectors.day_meetings(day, request.user))
    organiser = day.is_editable_by(request.user)
    if organiser:
        participants = list(day.participants.select_related("organization", "day").order_by("pk"))
    else:
        participants = list(selectors.own_participations(day, request.user).select_related("day"))
    agendas = [{"participant": p, "rows": selectors.agenda(p, meetings)} for p in participants]
    return render(request, "matching/matchmaking_day_schedule.html", {
        "day": day, "grid": selectors.schedule_grid(day, meetings) if organiser else None,
        "agendas": agendas, "organiser": organiser, "meeting_count": len(meetings),
        "report": day.schedule_report if organiser else {}, "methods": SCHEDULE_METHODS,
        "proposed": any(m.status == models.Meeting.Status.PROPOSED for m in meetings)})


def participant_ical(request, pk: int):
    """The agenda of one participant as an iCalendar file (one event per meeting)."""
    import datetime as dt
    import zoneinfo

    from django.conf import settings
    from django.http import HttpResponse
    from icalendar import Calendar, Event

    participant = get_object_or_404(models.Participant.objects.visible_to(request.user)
                                    .select_related("day", "organization"), pk=pk)
    day = participant.day
    meetings = selectors.day_meetings(day, request.user)
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    calendar = Calendar()
    calendar.add("prodid", "-//Khooshe//matchmaking//")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{day.title} — {participant.organization}")
    host = request.get_host().split(":")[0] or "khooshe"
    for row in selectors.agenda(participant, meetings):
        if row["start"] is None:
            continue
        event = Event()
        event.add("uid", f"meeting-{row['meeting'].pk}@{host}")
        event.add("summary", _("Meeting with %(other)s") % {"other": row["other"].organization})
        event.add("dtstart", dt.datetime.combine(day.date, row["start"], tzinfo=tz))
        event.add("dtend", dt.datetime.combine(day.date, row["start"], tzinfo=tz)
                  + dt.timedelta(minutes=day.slot_minutes))
        event.add("dtstamp", row["meeting"].updated_at)
        location = ", ".join(filter(None, [day.venue, _("table %(table)s") % {"table": row["table"]}]))
        event.add("location", location)
        if row["challenge"] is not None:
            event.add("description", str(row["challenge"]))
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="agenda-{day.pk}-{participant.pk}.ics"'
    return response


@login_required
@require_POST
def meeting_request_decide(request, pk: int):
    meeting_request = get_object_or_404(models.MeetingRequest.objects.visible_to(request.user), pk=pk)
    accept = request.POST.get("accept") == "1"
    return _act(request, lambda: services.decide_meeting_request(user=request.user,
                                                                 meeting_request=meeting_request, accept=accept),
                _("Meeting request accepted.") if accept else _("Meeting request declined."),
                meeting_request.get_absolute_url())
