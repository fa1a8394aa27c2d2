"""Challenges, criteria, proposals and partnering profiles in the generic UI and API (core.generic).
The profile's detail page is views.ProfileDetailView (the owner is shown only when revealed)."""

from django.utils.translation import gettext_lazy as _

from khooshe.core.generic import ModelConfig, RelatedList, register

from . import api, filters, forms, models

GROUP = _("Matchmaking")

register(ModelConfig(
    model=models.Challenge,
    filterset_class=filters.ChallengeFilterSet,
    form_class=forms.ChallengeForm,
    serializer_class=api.ChallengeSerializer,
    list_columns=["title", "owner", "status", "deadline", "budget_max", "created_at"],
    select_related=["owner", "region"],
    detail_fields=["owner", "title", "status", "background", "problem_statement", "constraints",
                   "success_criteria", "budget_min", "budget_max", "currency", "start_date", "end_date",
                   "deadline", "ip_terms", "confidentiality_terms", "sectors", "region", "visibility",
                   "created_at", "updated_at"],
    related_lists=[RelatedList(_("Evaluation criteria"), models.Criterion, "challenge", ["name", "weight"])],
    detail_template="matching/challenge_extra.html",
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.Criterion,
    filterset_class=filters.CriterionFilterSet,
    form_class=forms.CriterionForm,
    serializer_class=api.CriterionSerializer,
    slug="criteria",
    list_columns=["name", "challenge", "weight"],
    select_related=["challenge"],
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.Proposal,
    filterset_class=filters.ProposalFilterSet,
    form_class=forms.ProposalForm,
    serializer_class=api.ProposalSerializer,
    list_columns=["challenge", "solver", "status", "price", "duration_days", "created_at"],
    select_related=["challenge", "solver"],
    detail_fields=["challenge", "solver", "status", "score", "summary", "approach", "price", "duration_days",
                   "team", "attachment", "agreement", "created_at", "updated_at"],
    detail_template="matching/proposal_extra.html",
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.Profile,
    filterset_class=filters.ProfileFilterSet,
    form_class=forms.ProfileForm,
    serializer_class=api.ProfileSerializer,
    list_columns=["title", "kind", "stage", "partnership_type", "created_at"],
    export_columns=["title", "kind", "summary", "stage", "ip_status", "partnership_type", "created_at"],
    detail_fields=["kind", "title", "summary", "technology_description", "advantages", "stage", "ip_status",
                   "partnership_type", "sectors", "visibility", "active", "created_at", "updated_at"],
    detail_template="matching/profile_extra.html",
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.MatchmakingDay,
    filterset_class=filters.MatchmakingDayFilterSet,
    form_class=forms.MatchmakingDayForm,
    serializer_class=api.MatchmakingDaySerializer,
    slug="matchmaking-days",
    list_columns=["title", "date", "organiser", "status", "slot_count", "tables"],
    select_related=["organiser", "region"],
    detail_fields=["title", "status", "organiser", "date", "venue", "region", "hours", "slot_minutes",
                   "slot_count", "tables", "max_meetings", "conflict_rules", "description", "created_at",
                   "updated_at"],
    related_lists=[RelatedList(_("Participants"), models.Participant, "day", ["organization", "role"]),
                   RelatedList(_("Meeting requests"), models.MeetingRequest, "day",
                               ["requester", "recipient", "status"])],
    detail_template="matching/matchmaking_day_extra.html",
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.Participant,
    filterset_class=filters.ParticipantFilterSet,
    form_class=forms.ParticipantForm,
    serializer_class=api.ParticipantSerializer,
    list_columns=["organization", "day", "role", "max_meetings", "created_at"],
    select_related=["organization", "day"],
    detail_fields=["day", "organization", "role", "challenges", "interests", "availability", "max_meetings",
                   "conflicts", "created_at", "updated_at"],
    detail_template="matching/meeting_participant_extra.html",
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.MeetingRequest,
    filterset_class=filters.MeetingRequestFilterSet,
    form_class=forms.MeetingRequestForm,
    serializer_class=api.MeetingRequestSerializer,
    slug="meeting-requests",
    list_columns=["requester", "recipient", "priority", "status", "created_at"],
    select_related=["requester__organization", "recipient__organization", "day"],
    detail_fields=["day", "requester", "recipient", "challenge", "priority", "message", "status", "decided_at",
                   "created_at", "updated_at"],
    detail_template="matching/meeting_request_extra.html",
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.Meeting,
    filterset_class=filters.MeetingFilterSet,
    form_class=forms.MeetingForm,
    serializer_class=api.MeetingSerializer,
    list_columns=["slot", "table", "participant_a", "participant_b", "score", "status"],
    export_columns=["day", "slot", "time_range", "table", "participant_a", "participant_b", "challenge", "score",
                    "reason", "status"],
    select_related=["day", "participant_a__organization", "participant_b__organization", "challenge"],
    detail_fields=["day", "slot", "time_range", "table", "participant_a", "participant_b", "challenge", "score",
                   "reason", "status", "created_at", "updated_at"],
    menu_group=GROUP,
))
