"""What the pages of matchmaking days offer a user: workflow buttons, schedule, agendas, requests."""

from django import template

from .. import models, selectors, services

register = template.Library()


@register.simple_tag
def day_panel(day, user):
    DS = models.MatchmakingDay.Status
    can_manage = day.is_editable_by(user)
    actions = []
    if can_manage:
        allowed = services._day_transitions()[day.status]
        for action, to in (("publish", DS.PUBLISHED), ("draft", DS.DRAFT), ("close", DS.CLOSED)):
            if to in allowed and not (day.status == DS.SCHEDULED and to == DS.PUBLISHED):
                actions.append((action, DS(to).label))
        if day.status == DS.SCHEDULED:
            actions.append(("reopen", ""))
    own = list(selectors.own_participations(day, user))
    from khooshe.registry.access import access_for

    acc = access_for(user)
    registered = {p.organization_id for p in own}
    can_register = (user.is_authenticated and day.status == DS.PUBLISHED and
                    bool(acc.editable_organization_ids() - registered - {day.organiser_id}))
    return {"can_manage": can_manage, "actions": actions, "own": own, "can_register": can_register,
            "can_propose": can_manage and day.status in (DS.DRAFT, DS.PUBLISHED),
            "can_publish_schedule": can_manage and day.status == DS.PUBLISHED and day.meetings.exists(),
            "show_schedule": can_manage or (bool(own) and day.status in (DS.SCHEDULED, DS.CLOSED)),
            "report": day.schedule_report if can_manage else {}, "methods": ("auto", "cp-sat", "flow", "greedy")}


@register.simple_tag
def participant_panel(participant, user):
    DS = models.MatchmakingDay.Status
    day = participant.day
    meetings = list(selectors.day_meetings(day, user))
    rows = selectors.agenda(participant, meetings)
    own = [p for p in selectors.own_participations(day, user) if p.pk != participant.pk]
    can_request = bool(own) and day.status in (DS.PUBLISHED, DS.SCHEDULED)
    return {"rows": rows, "requesters": own, "can_request": can_request,
            "is_own": participant.is_editable_by(user) and not day.is_editable_by(user)
            or participant.organization_id in {p.organization_id for p in selectors.own_participations(day, user)}}


@register.simple_tag
def meeting_request_panel(meeting_request, user):
    from khooshe.registry.access import access_for

    can_decide = (meeting_request.status == models.MeetingRequest.Status.PENDING and
                  meeting_request.recipient.organization_id in access_for(user).editable_organization_ids())
    return {"can_decide": can_decide}
