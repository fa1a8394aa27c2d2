"""The search behind the autocomplete widgets (``core.widgets``): up to 20 records as an HTML fragment.

``GET /autocomplete/<app_label>/<model_name>/?q=...`` searches the records of a model registered in
the generic UI (``core.generic``) that the user may see (``visible_to``), with the same normalized
search as the list pages, so "كرمان" (Arabic kaf/yeh) finds "کرمان".
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .generic import get_config
from .text import query_terms

LIMIT = 20


def _has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except Exception:
        return False
    return True


def search(config, user, query: str, limit: int = LIMIT):
    """The first ``limit`` + 1 visible records matching ``query`` (names starting with it first)."""
    terms = query_terms(query)
    model = config.model
    queryset = config.visible(user)
    if not terms:
        return []
    if _has_field(model, "search_text"):
        for term in terms:
            queryset = queryset.filter(search_text__contains=term)
    elif "q" in config.filterset_class.base_filters:
        filterset = config.filterset_class({"q": query}, queryset=queryset)
        queryset = filterset.qs if filterset.is_valid() else queryset.none()
    else:
        return []
    ordering = list(model._meta.ordering or ["pk"])
    if _has_field(model, "name_key"):
        queryset = queryset.annotate(_starts=Case(When(name_key__startswith=terms[0], then=Value(0)),
                                                  default=Value(1), output_field=IntegerField()))
        ordering = ["_starts", *ordering]
    return list(queryset.order_by(*ordering)[: limit + 1])


def _hint(obj) -> str:
    """A short second line: the kind and region when the model has them (already select_related)."""
    parts = []
    display = getattr(obj, "get_kind_display", None)
    if callable(display):
        parts.append(str(display()))
    region = getattr(obj, "region", None) if _has_field(type(obj), "region") else None
    if region is not None:
        parts.append(str(region))
    return " · ".join(p for p in parts if p)


@require_GET
def autocomplete(request, app_label: str, model_name: str):
    try:
        model = apps.get_model(app_label, model_name)
        config = get_config(model)
    except (LookupError, KeyError):
        raise Http404 from None
    query = request.GET.get("q", "")
    if not query_terms(query):
        return HttpResponse(format_html('<p class="ac-empty muted">{}</p>', _("Type a few letters of the name.")))
    results = search(config, request.user, query)
    if not results:
        return HttpResponse(format_html('<p class="ac-empty muted">{}</p>',
                                        _("Nothing matches “%(query)s”. Check the spelling or try another part "
                                          "of the name.") % {"query": query}))
    more = len(results) > LIMIT
    options = format_html_join(
        "",
        '<li><button type="button" class="ac-option" role="option" data-value="{}" data-label="{}">'
        '<span dir="auto">{}</span> <small class="muted" dir="auto">{}</small></button></li>',
        ((obj.pk, str(obj), str(obj), _hint(obj)) for obj in results[:LIMIT]),
    )
    note = format_html('<p class="ac-more muted">{}</p>',
                       _("Only the first %(count)s matches are listed: type more of the name.") % {"count": LIMIT}
                       ) if more else ""
    return HttpResponse(format_html('<ul class="ac-options">{}</ul>{}', options, note))
