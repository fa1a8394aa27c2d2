"""Forms of events: the event (a Jalali date and times), public registration, check-in."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from khooshe.core.forms import BaseModelForm
from khooshe.core.jalali import JalaliDateField

from ..forms import TIME_INPUT, _sites_of_user
from ..models import Space
from .models import Event


class EventForm(BaseModelForm):
    """An event on one day (Jalali date in the Persian interface) from a time to a time, in the site's
    time zone; registration opens at the start of one day and closes at the end of another (or when the
    event starts)."""

    date = JalaliDateField(label=_("date"))
    start_time = forms.TimeField(label=_("from"), widget=TIME_INPUT)
    end_time = forms.TimeField(label=_("to"), widget=TIME_INPUT)
    opens_on = JalaliDateField(label=_("registration opens on"), required=False,
                               help_text=_("Empty: as soon as the event is published."))
    closes_on = JalaliDateField(label=_("registration closes after"), required=False,
                                help_text=_("Empty: when the event starts."))

    class Meta:
        model = Event
        fields = ["site", "space", "title", "description", "date", "start_time", "end_time", "capacity",
                  "audience", "opens_on", "closes_on", "waiting_list", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _sites_of_user(self)
        self.fields["space"].queryset = Space.objects.select_related("site")
        self.fields["space"].label_from_instance = lambda space: f"{space.site.name} — {space.name}"
        event = self.instance
        if event.pk and not self.is_bound:
            tz = event.site.tzinfo
            start, end = event.start.astimezone(tz), event.end.astimezone(tz)
            self.initial.update(date=start.date(), start_time=start.time(), end_time=end.time())
            if event.registration_opens:
                self.initial["opens_on"] = event.registration_opens.astimezone(tz).date()
            if event.registration_closes:
                self.initial["closes_on"] = event.registration_closes.astimezone(tz).date()

    def clean(self):
        data = super().clean()
        site, day = data.get("site"), data.get("date")
        start_time, end_time = data.get("start_time"), data.get("end_time")
        if site is None or day is None or start_time is None or end_time is None:
            return data
        tz = site.tzinfo
        self.instance.start = dt.datetime.combine(day, start_time, tzinfo=tz)
        self.instance.end = dt.datetime.combine(day, end_time, tzinfo=tz)
        if self.instance.end <= self.instance.start:
            self.add_error("end_time", _("The end time must be after the start time."))
        opens, closes = data.get("opens_on"), data.get("closes_on")
        self.instance.registration_opens = dt.datetime.combine(opens, dt.time(), tzinfo=tz) if opens else None
        self.instance.registration_closes = (
            min(dt.datetime.combine(closes + dt.timedelta(days=1), dt.time(), tzinfo=tz), self.instance.start)
            if closes else None)
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("Registration must close on or after the day it opens."))
        return data

    # the model's errors on its times belong to the form's inputs for them
    MODEL_TO_FORM = {"start": "start_time", "end": "end_time", "registration_opens": "opens_on",
                     "registration_closes": "closes_on"}

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict"):
            for model_field, form_field in self.MODEL_TO_FORM.items():
                if model_field in errors.error_dict:
                    errors.error_dict.setdefault(form_field, []).extend(errors.error_dict.pop(model_field))
        super()._update_errors(errors)


class PublicRegistrationForm(forms.Form):
    name = forms.CharField(label=_("your name"), max_length=200,
                           widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "name"}))
    email = forms.CharField(label=_("email"), max_length=254,
                            widget=forms.EmailInput(attrs={"dir": "ltr", "autocomplete": "email"}))


class CheckInForm(forms.Form):
    code = forms.CharField(label=_("check-in code"), max_length=32,
                           widget=forms.TextInput(attrs={"dir": "ltr", "autofocus": True, "autocomplete": "off"}))



class EventRegistrationForm(BaseModelForm):
    """Staff correct a registrant's name or email; registrations are made through services.register."""

    class Meta:
        from .models import EventRegistration

        model = EventRegistration
        fields = ["name", "email"]
