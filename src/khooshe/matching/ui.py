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
