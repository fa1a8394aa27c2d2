"""Search-as-you-type widgets for foreign keys and many-to-many fields to big tables.

A ``<select>`` with 100,000 organizations is unusable and slow to render. These widgets render only
the selected records plus a search box that asks ``/autocomplete/<app_label>/<model_name>/?q=...``
(``core.views_autocomplete``) through htmx for up to 20 matches. The form still posts the field under
its own name with primary keys as values, exactly like Django's Select/SelectMultiple, so the normal
ModelChoiceField/ModelMultipleChoiceField validates it (against the field's queryset, i.e. what the
user may see).

The widgets never iterate the field's choices: they only read ``choices.queryset`` to find the model
and to look up the labels of the selected primary keys (one query).

The markup is phrasing content only (spans), so the widget may sit inside the ``<p>`` of ``form.as_p``.
Without JavaScript the search box stays hidden and the field is a plain ID input (many-to-many: the
current values as check boxes plus an input for more IDs, separated by commas).

Usage in a ModelForm::

    class Meta:
        widgets = {"source": AutocompleteSelect(), "parties": AutocompleteSelectMultiple()}
"""

from __future__ import annotations

from django import forms
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

SCRIPT = "js/autocomplete.js"


class AutocompleteSelect(forms.Widget):
    """A foreign key: one hidden/plain primary-key input and a search box that fills it."""

    allow_multiple_selected = False
    input_type = "text"

    class Media:
        js = [SCRIPT]

    def __init__(self, model=None, attrs=None, min_chars: int = 1):
        super().__init__(attrs)
        self.model = model
        self.min_chars = min_chars
        self.choices = ()  # replaced by ModelChoiceField with its (lazy) ModelChoiceIterator

    # -- what the model and the selected records are, without touching the choices ----------------
    def _queryset(self):
        queryset = getattr(self.choices, "queryset", None)
        if queryset is None and self.model is not None:
            queryset = self.model._default_manager.all()
        return queryset

    def _label_from_instance(self, obj) -> str:
        field = getattr(self.choices, "field", None)
        return field.label_from_instance(obj) if field is not None else str(obj)

    def search_url(self) -> str:
        queryset = self._queryset()
        if queryset is None:
            raise ValueError("AutocompleteSelect needs a model: use it on a ModelChoiceField or pass model=.")
        meta = queryset.model._meta
        return reverse("autocomplete", kwargs={"app_label": meta.app_label, "model_name": meta.model_name})

    def selected_options(self, values: list[str]) -> list[tuple[str, str]]:
        """(value, label) of the selected primary keys that exist and are allowed; others show as '#id'."""
        queryset = self._queryset()
        valid = [v for v in values if str(v).isdigit()]
        labels = {}
        if valid and queryset is not None:
            labels = {str(obj.pk): self._label_from_instance(obj) for obj in queryset.filter(pk__in=valid)}
        return [(str(v), labels.get(str(v), f"#{v}")) for v in values if str(v) != ""]

    # -- Django widget protocol --------------------------------------------------------------------
    def format_value(self, value) -> list[str]:
        if value is None or value == "":
            return []
        if isinstance(value, list | tuple | set):
            return [str(v) for v in value if v not in (None, "")]
        return [str(value)]

    def value_from_datadict(self, data, files, name):
        value = data.get(name)
        return value.strip() if isinstance(value, str) else value

    def value_omitted_from_data(self, data, files, name):
        return name not in data

    def id_for_label(self, id_):
        return f"{id_}_search" if id_ else id_

    def render(self, name, value, attrs=None, renderer=None):
        values = self.format_value(value)
        final_attrs = self.build_attrs(self.attrs, attrs)
        widget_id = final_attrs.get("id") or f"id_{name}"
        selected = self.selected_options(values)
        return mark_safe(
            format_html('<span class="autocomplete" data-autocomplete data-multiple="{}" data-name="{}" '
                        'id="{}_widget">', "1" if self.allow_multiple_selected else "0", name, widget_id)
            + self.render_selected(name, widget_id, selected)
            + self.render_search(widget_id)
            + format_html('<script src="{}" defer></script></span>', static(SCRIPT))
        )

    def render_selected(self, name, widget_id, selected) -> str:
        value, label = selected[0] if selected else ("", "")
        chip = ""
        if value:
            chip = format_html(
                '<span class="ac-chip" data-value="{}"><span class="ac-label" dir="auto">{}</span>'
                '<button type="button" class="ac-remove link" aria-label="{}" hidden>×</button></span>',
                value, label, _("Remove %(name)s") % {"name": label})
        return format_html(
            '<span class="ac-selected" aria-live="polite">{}</span>'
            '<label class="ac-id"><span class="muted">{}</span> '
            '<input type="text" inputmode="numeric" name="{}" id="{}" value="{}" size="8" dir="ltr"></label>',
            chip, _("ID"), name, widget_id, value)

    def render_search(self, widget_id) -> str:
        return format_html(
            '<span class="ac-search" hidden>'
            '<input type="search" name="q" id="{id}_search" form="{id}_noform" autocomplete="off" dir="auto" '
            'placeholder="{placeholder}" aria-controls="{id}_results" aria-autocomplete="list" '
            'hx-get="{url}" hx-trigger="input changed delay:250ms, search, focus once" hx-target="#{id}_results" '
            'hx-sync="this:replace">'
            '<span class="ac-results" id="{id}_results" role="listbox"></span></span>',
            id=widget_id, url=self.search_url(), placeholder=_("Type a few letters of the name…"))


class AutocompleteSelectMultiple(AutocompleteSelect):
    """A many-to-many field: one checked check box per selected record and a search box that adds more."""

    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):
        getter = getattr(data, "getlist", None)
        raw = getter(name) if getter is not None else data.get(name)
        if raw is None:
            return []
        if isinstance(raw, str):
            raw = [raw]
        values = []
        for item in raw:  # the no-JavaScript input may hold "12, 15 19"
            for part in str(item).replace("،", ",").replace(" ", ",").split(","):
                part = part.strip()
                if part and part not in values:
                    values.append(part)
        return values

    def value_omitted_from_data(self, data, files, name):
        return False  # like SelectMultiple: an empty selection posts nothing

    def render_selected(self, name, widget_id, selected) -> str:
        boxes = format_html_join(
            "", '<label class="ac-chip" data-value="{}"><input type="checkbox" name="{}" value="{}" checked> '
            '<span dir="auto">{}</span></label>',
            ((value, name, value, label) for value, label in selected))
        return format_html(
            '<span class="ac-selected" aria-live="polite">{}</span>'
            '<label class="ac-id"><span class="muted">{}</span> '
            '<input type="text" name="{}" id="{}" value="" size="16" dir="ltr"></label>',
            boxes, _("Add by ID (separate with commas)"), name, widget_id)
