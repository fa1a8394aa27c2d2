"""The base FilterSet: one per model, shared by the list page and the API (django-filter)."""

import time
from html import escape  # the standard library's: Django's lazy-aware escape costs more per option

import django_filters
from django import forms
from django.db.models.signals import post_delete, post_save
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .text import query_terms

MAX_SEARCH_CHARS = 500


class SearchFilterSet(django_filters.FilterSet):
    """Adds ``q``, the search box. Models with a search document use the search index
    (``khooshe.search.listing``): every query word must occur, results ranked by relevance unless a
    sort is chosen. Otherwise every term of the query (normalized like the stored text) must occur in
    ``search_text``, so "كرمان" finds "کرمان" and "می خواهم" finds "می‌خواهم". What the search did
    (notices, snippets) is left in ``self.search_info`` for the list page."""

    q = django_filters.CharFilter(method="filter_search", label=_("Search"), max_length=MAX_SEARCH_CHARS)
    search_info = None

    def filter_search(self, queryset, name, value):
        try:
            from khooshe.search.listing import search_queryset
        except ImportError:  # search not installed: the substring rule
            for term in query_terms(value):
                queryset = queryset.filter(search_text__contains=term)
            return queryset
        queryset, self.search_info = search_queryset(queryset, value, rank=not (self.data or {}).get("sort"))
        return queryset


def ordering(*fields: str, **labelled: str) -> django_filters.OrderingFilter:
    """A ``sort`` filter over the given fields (``?sort=-name_fa``), the sortable columns of the list;
    ``param="field__path"`` sorts the column ``param`` by another field, e.g. ``region="region__name_fa"``."""
    return django_filters.OrderingFilter(
        fields=[(f, f) for f in fields] + [(path, param) for param, path in labelled.items()], label=_("Sort"))


class FastSelectMixin:
    """Renders a <select>'s options in Python instead of one template per option.

    A list page's filter form has selects of every region and sector (over a thousand options): with
    Django's per-option widget templates they took most of the page's time (benchmarks/RESULTS.md).
    Same HTML, same choices and validation; only the rendering is direct."""

    def render(self, name, value, attrs=None, renderer=None):
        options = _render_options(choice_rows(self.choices), set(self.format_value(value)))
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        return mark_safe(f'<select name="{escape(name)}"{flatatt(final_attrs)}>{options}</select>')


def _option_rows(choices) -> list[tuple]:
    """(value, escaped value, escaped label) of each option; an <optgroup> is (None, escaped name, rows)."""
    rows = []
    for value, label in choices:
        if isinstance(label, list | tuple):
            rows.append((None, escape(str(value)), _option_rows(label)))
        else:
            value = "" if value is None else str(value)
            rows.append((value, escape(value), escape(str(label))))
    return rows


def _render_options(rows, selected: set[str]) -> str:
    parts = []
    for value, html_value, html_label in rows:
        if value is None:
            parts.append(f'<optgroup label="{html_value}">{_render_options(html_label, selected)}</optgroup>')
        else:
            mark = " selected" if value in selected else ""
            parts.append(f'<option value="{html_value}"{mark}>{html_label}</option>')
    return "".join(parts)


# Reference data (regions, sectors) fills the filter selects with over a thousand options: building them
# from the database took ~40% of a list page. Their options are kept per process for a
# minute, dropped at once in this process when a record of the model is saved or deleted, and never used
# inside a transaction (which may see rows not yet committed; tests run inside one).
CACHED_CHOICE_MODELS = {"registry.region", "registry.sector"}
CHOICES_CACHE_SECONDS = 60.0
_choices_cache: dict[tuple, tuple[float, list]] = {}


def choice_rows(choices) -> list[tuple]:
    """The options of a select (see ``_option_rows``), from the cache when allowed."""
    from django.db import connections, router

    queryset = getattr(choices, "queryset", None)
    if queryset is None or queryset.model._meta.label_lower not in CACHED_CHOICE_MODELS:
        return _option_rows(choices)
    if connections[router.db_for_read(queryset.model)].in_atomic_block:
        return _option_rows(choices)
    try:
        sql = str(queryset.query)
    except Exception:  # an empty queryset has no SQL
        return _option_rows(choices)
    field = choices.field
    key = (queryset.model._meta.label_lower, sql, get_language(), type(field), str(field.empty_label))
    now = time.monotonic()
    hit = _choices_cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    rows = _option_rows(choices)
    if len(_choices_cache) > 200:
        _choices_cache.clear()
    _choices_cache[key] = (now + CHOICES_CACHE_SECONDS, rows)
    return rows


def _forget_choices(sender, **kwargs):
    label = getattr(getattr(sender, "_meta", None), "label_lower", None)
    if label in CACHED_CHOICE_MODELS:
        for key in [k for k in _choices_cache if k[0] == label]:
            _choices_cache.pop(key, None)


post_save.connect(_forget_choices, dispatch_uid="khooshe-filter-choices-save")
post_delete.connect(_forget_choices, dispatch_uid="khooshe-filter-choices-delete")


class FastSelect(FastSelectMixin, forms.Select):
    pass


class FastSelectMultiple(FastSelectMixin, forms.SelectMultiple):
    pass


def fast_selects(form: forms.Form) -> forms.Form:
    """Give the form's plain Select/SelectMultiple widgets the fast rendering (this form instance only:
    a form's fields and widgets are copies)."""
    for field in form.fields.values():
        if type(field.widget) is forms.Select:
            field.widget.__class__ = FastSelect
        elif type(field.widget) is forms.SelectMultiple:
            field.widget.__class__ = FastSelectMultiple
    return form
