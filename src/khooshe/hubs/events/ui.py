"""events models in the generic UI and API (core.generic); imported by khooshe.hubs.ui."""

from django.utils.translation import gettext_lazy as _

from khooshe.core.generic import ModelConfig, register

from . import api, filters, forms, models, services

GROUP = _("Hubs")

register(ModelConfig(
    model=models.Event,
    filterset_class=filters.EventFilterSet,
    form_class=forms.EventForm,
    serializer_class=api.EventSerializer,
    list_columns=["title", "site", "start", "capacity", "audience", "status"],
    select_related=["site", "space"],
    detail_fields=["title", "site", "space", "start", "end", "capacity", "audience", "registration_opens",
                   "registration_closes", "waiting_list", "status", "description", "booking", "created_at",
                   "updated_at"],
    detail_template="hubs/events/event_extra.html",
    save_service=services.save_event_from_form,
    delete_service=services.delete_events,
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.EventRegistration,
    filterset_class=filters.EventRegistrationFilterSet,
    form_class=forms.EventRegistrationForm,
    serializer_class=api.EventRegistrationSerializer,
    slug="event-registrations",
    list_columns=["name", "email", "event", "status", "code", "checked_in_at", "created_at"],
    export_columns=["event", "name", "email", "status", "code", "checked_in_at", "created_at"],
    select_related=["event", "user"],
    detail_fields=["event", "name", "email", "user", "status", "code", "checked_in_at", "checked_in_by",
                   "promoted_at", "cancelled_at", "created_at"],
    api_read_only=True,  # registrations are made through POST /api/hubs/events/<id>/register/
    menu_group=GROUP,
))

# The change history of events and registrations (each hubs area registers its own models).
from auditlog.registry import auditlog  # noqa: E402

auditlog.register(models.Event, exclude_fields=["search_text", "updated_at"])
auditlog.register(models.EventRegistration, exclude_fields=["updated_at"])
