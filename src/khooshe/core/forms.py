"""The base ModelForm: Jalali date inputs, dir="auto" on user text, choices limited to what the user sees."""

from django import forms
from django.db import models

from .jalali import JalaliDateField


def formfield_for(db_field: models.Field, **kwargs):
    if isinstance(db_field, models.DateField) and not isinstance(db_field, models.DateTimeField):
        return db_field.formfield(form_class=JalaliDateField, **kwargs)
    field = db_field.formfield(**kwargs)
    if field is not None and isinstance(db_field, models.CharField | models.TextField) and not db_field.choices:
        field.widget.attrs.setdefault("dir", "auto")
    if isinstance(db_field, models.TextField) and field is not None:
        field.widget.attrs.setdefault("rows", 3)
    return field


class BaseModelForm(forms.ModelForm):
    accepts = ("user",)
    formfield_callback = formfield_for

    def __init_subclass__(cls, **kwargs):
        # Django reads formfield_callback from the form's own Meta only (a subclass's Meta does not
        # inherit it): give every subclass's Meta ours, so date fields are Jalali date fields.
        super().__init_subclass__(**kwargs)
        meta = cls.__dict__.get("Meta")
        if meta is not None and not hasattr(meta, "formfield_callback"):
            meta.formfield_callback = staticmethod(formfield_for)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if user is not None and queryset is not None and hasattr(queryset, "visible_to"):
                field.queryset = queryset.visible_to(user)
