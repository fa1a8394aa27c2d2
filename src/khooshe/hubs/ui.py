"""The hubs app's models in the generic UI and API (core.generic)."""

from django.utils.translation import gettext_lazy as _

from khooshe.core.generic import ModelConfig, RelatedList, register, register_menu_link

from . import api, filters, forms, models, services

GROUP = _("Hubs")

register_menu_link(GROUP, _("Book a space"), "hubs:book")
register_menu_link(GROUP, _("My bookings"), "hubs:my_bookings")
register_menu_link(GROUP, _("Dashboards"), "hubs:network_dashboards")
register_menu_link(GROUP, _("My applications"), "hubs:cohorts_my_applications")
register_menu_link(GROUP, _("Office hours"), "hubs:cohorts_office_hours")

register(ModelConfig(
    model=models.Site,
    filterset_class=filters.SiteFilterSet,
    form_class=forms.SiteForm,
    serializer_class=api.SiteSerializer,
    list_columns=["name", "operator", "region", "area_m2", "created_at"],
    select_related=["operator", "region"],
    detail_fields=["name", "operator", "address", "region", "area_m2", "time_zone", "observe_public_holidays",
                   "hold_minutes", "linked_hubs", "created_at", "updated_at"],
    related_lists=[RelatedList(_("Opening hours"), models.OpeningHours, "site", ["weekday", "opens", "closes"]),
                   RelatedList(_("Spaces"), models.Space, "site", ["name", "kind", "capacity"])],
    detail_template="hubs/site_extra.html",
    save_service=services.save_site,
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.OpeningHours,
    filterset_class=filters.OpeningHoursFilterSet,
    form_class=forms.OpeningHoursForm,
    serializer_class=api.OpeningHoursSerializer,
    slug="opening-hours",
    list_columns=["site", "weekday", "opens", "closes"],
    select_related=["site"],
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.ClosedDay,
    filterset_class=filters.ClosedDayFilterSet,
    form_class=forms.ClosedDayForm,
    serializer_class=api.ClosedDaySerializer,
    slug="closed-days",
    list_columns=["date", "name", "kind", "site"],
    select_related=["site"],
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.Space,
    filterset_class=filters.SpaceFilterSet,
    form_class=forms.SpaceForm,
    serializer_class=api.SpaceSerializer,
    list_columns=["name", "site", "kind", "capacity", "price_per_hour", "created_at"],
    select_related=["site", "parent"],
    detail_fields=["site", "parent", "name", "kind", "capacity", "area_m2", "amenities", "price_per_hour",
                   "credits_per_hour", "bookable", "bookable_by", "min_minutes", "max_minutes", "lead_minutes",
                   "horizon_days", "buffer_minutes", "free_cancellation_hours", "created_at", "updated_at"],
    related_lists=[RelatedList(_("Spaces inside"), models.Space, "parent", ["name", "kind", "capacity"])],
    detail_template="hubs/space_extra.html",
    menu_group=GROUP,
))

register(ModelConfig(
    model=models.Booking,
    filterset_class=filters.BookingFilterSet,
    form_class=forms.BookingForm,
    serializer_class=api.BookingSerializer,
    list_columns=["space", "start", "end", "title", "status", "created_at"],
    select_related=["space", "booked_by", "organization"],
    detail_fields=["space", "booked_by", "organization", "title", "start", "end", "status", "hold_expires_at",
                   "series", "price", "credits", "cancelled_at", "cancellation_fee", "note", "created_at",
                   "updated_at"],
    detail_template="hubs/booking_extra.html",
    save_service=services.save_booking_from_form,
    api_read_only=True,  # bookings are made through POST /api/hubs/book/ (409 on conflict)
    menu_group=GROUP,
))

# The other areas register their models themselves.
# The order in which the areas register is kept (menus list them in this order).
# isort: off
from khooshe.hubs.residents import ui as _residents_ui  # noqa: E402,F401
from khooshe.hubs.cohorts import ui as _cohorts_ui  # noqa: E402,F401
from khooshe.hubs.events import ui as _events_ui  # noqa: E402,F401
from khooshe.hubs.catalogue import ui as _catalogue_ui  # noqa: E402,F401
from khooshe.hubs.network import ui as _network_ui  # noqa: E402,F401
from khooshe.hubs.siting import ui as _siting_ui  # noqa: E402,F401
# isort: on
