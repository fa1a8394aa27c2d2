"""Forms of the hubs app. The booking form takes a Jalali date (core.jalali.JalaliDateField) and times."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from khooshe.core.forms import BaseModelForm
from khooshe.core.jalali import JalaliDateField
from khooshe.core.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from khooshe.registry.access import access_for
from khooshe.registry.models import HUB_KINDS, Organization

from . import models


def _hub_operators(form, name):
    if name not in form.fields:
        return
    queryset = Organization.objects.filter(kind__in=HUB_KINDS)
    if form.user is not None and not access_for(form.user).is_admin:
        queryset = queryset.filter(pk__in=access_for(form.user).hub_ids)
    form.fields[name].queryset = queryset


def _sites_of_user(form, name="site"):
    if name not in form.fields or form.user is None:
        return
    acc = access_for(form.user)
    if not acc.is_admin:
        form.fields[name].queryset = models.Site.objects.filter(operator__in=acc.hub_ids)


class SiteForm(BaseModelForm):
    class Meta:
        model = models.Site
        fields = ["name", "operator", "address", "region", "area_m2", "time_zone", "observe_public_holidays",
                  "hold_minutes", "linked_hubs"]
        widgets = {"operator": AutocompleteSelect(), "region": AutocompleteSelect(),
                   "linked_hubs": AutocompleteSelectMultiple()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _hub_operators(self, "operator")


class OpeningHoursForm(BaseModelForm):
    class Meta:
        model = models.OpeningHours
        fields = ["site", "weekday", "opens", "closes"]
        widgets = {"opens": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                   "closes": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _sites_of_user(self)


class ClosedDayForm(BaseModelForm):
    class Meta:
        model = models.ClosedDay
        fields = ["site", "date", "name", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _sites_of_user(self)


class SpaceForm(BaseModelForm):
    class Meta:
        model = models.Space
        fields = ["site", "parent", "name", "kind", "capacity", "area_m2", "amenities", "price_per_hour",
                  "credits_per_hour", "bookable", "bookable_by", "min_minutes", "max_minutes", "lead_minutes",
                  "horizon_days", "buffer_minutes", "free_cancellation_hours"]
        widgets = {"parent": AutocompleteSelect()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _sites_of_user(self)


TIME_INPUT = forms.TimeInput(attrs={"type": "time", "step": 300, "dir": "ltr"}, format="%H:%M")


class BookingForm(BaseModelForm):
    """A booking: space, a date (Jalali in the Persian UI), start and end times. Editing changes the
    title and note only (cancel and book again to move a booking)."""

    date = JalaliDateField(label=_("date"))
    start_time = forms.TimeField(label=_("from"), widget=TIME_INPUT)
    end_time = forms.TimeField(label=_("to"), widget=TIME_INPUT)
    hold = forms.BooleanField(label=_("only hold it for now (confirm later)"), required=False)

    class Meta:
        model = models.Booking
        fields = ["space", "date", "start_time", "end_time", "title", "organization", "hold", "note"]
        widgets = {"organization": AutocompleteSelect()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["space"].queryset = models.Space.objects.filter(bookable=True).select_related("site")
        self.fields["space"].label_from_instance = lambda space: f"{space.site.name} — {space.name}"
        if self.instance.pk:
            for name in ("space", "date", "start_time", "end_time", "organization", "hold"):
                self.fields.pop(name)

    def clean(self):
        data = super().clean()
        space, day = data.get("space"), data.get("date")
        start_time, end_time = data.get("start_time"), data.get("end_time")
        if space is not None and day is not None and start_time is not None and end_time is not None:
            tz = space.site.tzinfo
            data["start"] = dt.datetime.combine(day, start_time, tzinfo=tz)
            data["end"] = dt.datetime.combine(day, end_time, tzinfo=tz)
            if data["end"] <= data["start"]:
                self.add_error("end_time", _("The end time must be after the start time."))
        return data

    def _post_clean(self):
        if self.instance.pk:
            super()._post_clean()
        # A new booking is validated and saved by services.create_booking, not by the model form.


class RecurringBookingForm(BookingForm):
    """The booking page's form: a booking, optionally repeated every day or week."""

    repeat = forms.ChoiceField(label=_("repeats"), required=False,
                               choices=[("", _("Does not repeat")), *models.BookingSeries.Frequency.choices])
    count = forms.IntegerField(label=_("occurrences"), min_value=1, max_value=200, initial=1, required=False)
    skip_conflicts = forms.BooleanField(label=_("skip the dates that are taken or closed"), required=False)

    class Meta(BookingForm.Meta):
        fields = [*BookingForm.Meta.fields, "repeat", "count", "skip_conflicts"]
