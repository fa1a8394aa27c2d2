"""cohorts models in the generic UI and API (core.generic); imported by khooshe.hubs.ui."""

from django.utils.translation import gettext_lazy as _

from khooshe.core.generic import ModelConfig, RelatedList, register

from . import api, filters, forms
from . import models as cm

GROUP = _("Hub programs")

register(ModelConfig(
    model=cm.HubProgram,
    filterset_class=filters.HubProgramFilterSet,
    form_class=forms.HubProgramForm,
    serializer_class=api.HubProgramSerializer,
    slug="programs",
    list_columns=["name", "site", "kind", "partner", "visibility", "created_at"],
    select_related=["site", "partner"],
    detail_fields=["name", "site", "kind", "partner", "description", "benefits", "visibility", "created_at",
                   "updated_at"],
    related_lists=[RelatedList(_("Cohorts"), cm.Cohort, "program", ["name", "start_date", "capacity", "status"])],
    menu_group=GROUP,
))

register(ModelConfig(
    model=cm.Cohort,
    filterset_class=filters.CohortFilterSet,
    form_class=forms.CohortForm,
    serializer_class=api.CohortSerializer,
    slug="cohorts",
    list_columns=["name", "program", "start_date", "end_date", "capacity", "status"],
    select_related=["program"],
    related_lists=[RelatedList(_("Calls for applications"), cm.CohortCall, "cohort", ["title", "opens_on", "closes_on"]),
                   RelatedList(_("Members"), cm.CohortMember, "cohort", ["organization", "team_name", "joined_on"]),
                   RelatedList(_("Office hours"), cm.OfficeHourBlock, "cohort",
                               ["mentor", "date", "start_time", "end_time", "space"])],
    menu_group=GROUP,
))

register(ModelConfig(
    model=cm.CohortCall,
    filterset_class=filters.CohortCallFilterSet,
    form_class=forms.CohortCallForm,
    serializer_class=api.CohortCallSerializer,
    slug="calls",
    list_columns=["title", "cohort", "opens_on", "closes_on", "created_at"],
    select_related=["cohort__program__site"],
    related_lists=[RelatedList(_("Questions of the application form"), cm.CallQuestion, "call",
                               ["order", "label", "kind", "required"]),
                   RelatedList(_("Review criteria"), cm.CallCriterion, "call", ["name", "weight"])],
    detail_template="hubs/cohorts/call_extra.html",
    menu_group=GROUP,
))

register(ModelConfig(
    model=cm.CallQuestion,
    filterset_class=filters.CallQuestionFilterSet,
    form_class=forms.CallQuestionForm,
    serializer_class=api.CallQuestionSerializer,
    slug="call-questions",
    list_columns=["label", "call", "order", "kind", "required"],
    select_related=["call"],
    menu_group=GROUP,
))

register(ModelConfig(
    model=cm.CallCriterion,
    filterset_class=filters.CallCriterionFilterSet,
    form_class=forms.CallCriterionForm,
    serializer_class=api.CallCriterionSerializer,
    slug="call-criteria",
    list_columns=["name", "call", "weight"],
    select_related=["call"],
    menu_group=GROUP,
))

register(ModelConfig(
    model=cm.CohortApplication,
    filterset_class=filters.CohortApplicationFilterSet,
    form_class=forms.CohortApplicationForm,
    serializer_class=api.CohortApplicationSerializer,
    slug="applications",
    list_columns=["organization", "team_name", "call", "status", "submitted_at", "created_at"],
    select_related=["organization", "call", "applicant"],
    detail_fields=["call", "organization", "team_name", "applicant", "status", "submitted_at", "decision_note",
                   "decided_at", "created_at", "updated_at"],
    detail_template="hubs/cohorts/application_extra.html",
    api_read_only=True,  # applications are made and moved through /api/hubs/calls/<id>/apply/ and actions
    menu_group=GROUP,
))

register(ModelConfig(
    model=cm.ApplicationReview,
    filterset_class=filters.ApplicationReviewFilterSet,
    form_class=forms.ApplicationReviewForm,
    serializer_class=api.ApplicationReviewSerializer,
    slug="application-reviews",
    list_columns=["application", "reviewer", "scored_at", "created_at"],
    select_related=["application__organization", "application__call", "reviewer"],
    detail_fields=["application", "reviewer", "comment", "scored_at", "created_at", "updated_at"],
    menu_group=GROUP,
))

register(ModelConfig(
    model=cm.CohortMember,
    filterset_class=filters.CohortMemberFilterSet,
    form_class=forms.CohortMemberForm,
    serializer_class=api.CohortMemberSerializer,
    slug="cohort-members",
    list_columns=["organization", "team_name", "cohort", "joined_on"],
    select_related=["organization", "cohort__program"],
    menu_group=GROUP,
))

register(ModelConfig(
    model=cm.OfficeHourBlock,
    filterset_class=filters.OfficeHourBlockFilterSet,
    form_class=forms.OfficeHourBlockForm,
    serializer_class=api.OfficeHourBlockSerializer,
    slug="office-hours",
    list_columns=["date", "start_time", "end_time", "mentor", "space", "topic", "slot_minutes"],
    select_related=["mentor", "space", "cohort"],
    detail_template="hubs/cohorts/office_hours_extra.html",
    menu_group=GROUP,
))


def _register_audit() -> None:
    """Change history of the cohorts models (the lead may move this into hubs/apps.py with the others)."""
    from auditlog.registry import auditlog

    for model in (cm.HubProgram, cm.Cohort, cm.CohortCall, cm.CallQuestion, cm.CallCriterion, cm.CohortMember,
                  cm.OfficeHourBlock):
        auditlog.register(model, exclude_fields=["search_text", "updated_at"])
    auditlog.register(cm.CohortApplication, exclude_fields=["updated_at", "answers"])
    auditlog.register(cm.ApplicationReview, exclude_fields=["updated_at"])


_register_audit()
