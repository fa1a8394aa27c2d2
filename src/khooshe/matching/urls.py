from django.urls import path, re_path

from khooshe.core.generic import get_config, urlpatterns_for

from . import models, views

app_name = "matching"

urlpatterns = [
    re_path(r"^challenges/(?P<pk>[0-9]+)/(?P<action>open|evaluate|close|reopen)/$", views.challenge_action,
            name="challenge_action"),
    path("proposals/<int:pk>/shortlist/", views.proposal_shortlist, name="proposal_shortlist"),
    path("proposals/<int:pk>/award/", views.proposal_award, name="proposal_award"),
    path("proposals/<int:pk>/attachment/", views.proposal_attachment, name="proposal_attachment"),
    path("proposals/<int:pk>/review/", views.proposal_review, name="proposal_review"),
    path("profiles/<int:pk>/", views.ProfileDetailView.as_view(config=get_config(models.Profile)),
         name="profile_detail"),
    path("profiles/<int:pk>/interest/", views.profile_interest, name="profile_interest"),
    path("interests/", views.interests, name="interests"),
    path("interests/<int:pk>/decide/", views.interest_decide, name="interest_decide"),
    path("notifications/", views.notifications, name="notifications"),
    re_path(r"^matchmaking-days/(?P<pk>[0-9]+)/(?P<action>publish|draft|close|reopen|propose|publish-schedule)/$",
            views.day_action, name="matchmakingday_action"),
    path("matchmaking-days/<int:pk>/schedule/", views.day_schedule, name="matchmakingday_schedule"),
    path("participants/<int:pk>/agenda.ics", views.participant_ical, name="participant_ical"),
    path("meeting-requests/<int:pk>/decide/", views.meeting_request_decide, name="meetingrequest_decide"),
    path("challenges/<int:pk>/recommendations/", views.challenge_recommendations, name="challenge_recommendations"),
    path("organizations/<int:pk>/challenges/", views.organization_challenges, name="organization_challenges"),
    *[p for p in urlpatterns_for("matching") if p.name != "profile_detail"],
]
