"""Generic views: thin (parse, check access, call one service, render). See ``core.generic``."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models.deletion import ProtectedError, RestrictedError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from . import services
from .filters import fast_selects
from .generic import ModelConfig

PAGE_SIZES = (25, 50, 100, 250)


class ConfigView(View):
    config: ModelConfig = None  # set by as_view(config=...)

    def deny(self, request):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied(_("You do not have permission to do this."))

    def base_context(self, **extra):
        config = self.config
        urls = {action: config.url(action) for action in ("list", "add", "bulk", "export")}
        if config.tabular_spec is not None:
            urls["import"] = config.url("import")
        obj = extra.get("object")
        if obj is not None and obj.pk:
            urls.update({action: config.url(action, obj) for action in ("detail", "edit", "delete")})
        return {"config": config, "verbose_name": config.verbose_name,
                "verbose_name_plural": config.verbose_name_plural, "urls": urls, **extra}

    def get_object(self, request, pk):
        return get_object_or_404(self.config.visible(request.user), pk=pk)

    def safe_next(self, request, default: str) -> str:
        target = request.POST.get("next") or request.GET.get("next")
        if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
            return target
        return default


def filtered_queryset(config: ModelConfig, request):
    """The user's visible records filtered by the request's query string (same FilterSet as the API)."""
    filterset = config.filterset_class(request.GET or None, queryset=config.visible(request.user), request=request)
    # An unbound FilterSet (no query string) is "not valid" but means "no filter": show everything.
    queryset = filterset.qs if (not filterset.is_bound or filterset.is_valid()) else filterset.queryset.none()
    if not queryset.query.order_by:
        queryset = queryset.order_by(*(config.model._meta.ordering or ["-pk"]))
    return filterset, queryset


class ObjectListView(ConfigView):
    template_name = "core/generic/list.html"

    def get(self, request):
        config = self.config
        filterset, queryset = filtered_queryset(config, request)
        try:
            per_page = int(request.GET.get("per_page", 50))
        except ValueError:
            per_page = 50
        per_page = per_page if per_page in PAGE_SIZES else 50
        paginator = Paginator(queryset, per_page)
        try:
            page = paginator.page(request.GET.get("page", 1))
        except PageNotAnInteger:
            page = paginator.page(1)
        except EmptyPage:
            page = paginator.page(paginator.num_pages)
        language = get_language()
        current_sort = request.GET.get("sort", "")
        # The search box (core.filters.SearchFilterSet): highlighted snippets of this page's rows, notices.
        search = getattr(filterset, "search_info", None)
        snippets = search.snippets([obj.pk for obj in page.object_list]) if search is not None else {}
        rows = [
            {"object": obj, "cells": [col.html(obj, language, link=(i == 0)) for i, col in enumerate(config.columns)],
             "snippet": mark_safe(snippets.get(obj.pk, ""))}  # built from escaped text and <mark> only
            for obj in page.object_list
        ]
        query = request.GET.copy()
        query.pop("page", None)
        headers = []
        # Only columns the FilterSet can sort by are links (an unknown ?sort= empties the list).
        sortable = getattr(filterset.filters.get("sort"), "param_map", {})
        for col in config.columns:
            sort_param = None
            if col.name in sortable:
                sort_param = f"-{col.name}" if current_sort == col.name else col.name
            headers.append({"label": col.label, "sort": sort_param, "name": col.name,
                            "active": current_sort.lstrip("-") == col.name, "descending": current_sort.startswith("-")})
        context = self.base_context(
            filterset=filterset,
            filter_form=fast_selects(filterset.form),
            page=page,
            paginator=paginator,
            rows=rows,
            headers=headers,
            per_page=per_page,
            page_sizes=PAGE_SIZES,
            querystring=query.urlencode(),
            can_add=config.can_add(request.user),
            search_notices=search.notices if search is not None else [],
            search_ranked=bool(search is not None and search.ranked),
        )
        template = "core/generic/list_results.html" if request.headers.get("HX-Request") else self.template_name
        return render(request, template, context)


class ObjectDetailView(ConfigView):
    template_name = "core/generic/detail.html"

    def get(self, request, pk):
        config = self.config
        obj = self.get_object(request, pk)
        language = get_language()
        fields = [{"label": col.label, "html": col.html(obj, language)} for col in config.detail_field_objects]
        related = []
        for rel in config.related_lists:
            from .generic import Column, get_config

            rel_config = get_config(rel.model)
            qs = rel_config.visible(request.user).filter(**{rel.lookup: obj})
            # One query when the list fits (most do); the COUNT only when there are more rows to link to.
            shown = list(qs[: rel.limit + 1])
            total = len(shown) if len(shown) <= rel.limit else qs.count()
            cols = [Column(rel.model, c) for c in rel.columns]
            related.append({
                "title": rel.title, "total": total, "headers": [c.label for c in cols],
                "rows": [[c.html(o, language, link=(i == 0)) for i, c in enumerate(cols)] for o in shown[: rel.limit]],
                "more_url": f"{rel_config.url('list')}?{rel.lookup}={obj.pk}",
            })
        content_type = ContentType.objects.get_for_model(obj)
        history = list(LogEntry.objects.filter(content_type=content_type, object_pk=str(obj.pk))
                       .select_related("actor", "content_type").order_by("-timestamp")[:50])
        for entry in history:
            entry.change_rows = history_rows(entry)
        context = self.base_context(
            object=obj, fields=fields, related=related, history=history,
            can_change=config.can_change(request.user, obj),
            extra_template=config.detail_template,
        )
        return render(request, self.template_name, context)


def history_rows(entry) -> list[dict]:
    """What an audit entry changed, for people: the field's name, the value before and after; a
    many-to-many change (e.g. sectors) as the records added or removed."""
    model = entry.content_type.model_class()
    display = entry.changes_display_dict if model is not None else {}
    rows = []
    for name, change in (entry.changes_dict or {}).items():
        try:
            field = model._meta.get_field(name)
            label = field.verbose_name
        except Exception:
            field, label = None, name
        if isinstance(change, dict) and change.get("type") == "m2m":
            added = change.get("operation") == "add"
            rows.append({"label": label, "m2m": True, "added": added, "objects": change.get("objects", [])})
            continue
        before, after = (display.get(label) or change or ["", ""])[:2] if field is not None else change[:2]
        rows.append({"label": label, "before": "" if before == "None" else before,
                     "after": "" if after == "None" else after})
    return rows


class ObjectEditView(ConfigView):
    template_name = "core/generic/form.html"

    def get_form(self, request, instance):
        kwargs = {"instance": instance}
        if request.method == "POST":
            kwargs.update(data=request.POST, files=request.FILES)
        form_class = self.config.form_class
        if "user" in getattr(form_class, "accepts", ()):
            kwargs["user"] = request.user
        form = form_class(**kwargs)
        if request.method != "POST" and instance.pk is None and request.GET:
            self.initial_from_query(request, form)
        return form

    @staticmethod
    def initial_from_query(request, form) -> None:
        """A new record's form pre-filled from the query string (``/proposals/add/?challenge=7``): only the
        form's own fields, each value cleaned by its field as a POST would be (so a record the user may not
        see, or a bad value, is ignored); files never."""
        from django import forms as django_forms
        from django.core.exceptions import ValidationError as DjangoValidationError

        for name, field in form.fields.items():
            key = form.add_prefix(name)
            if key not in request.GET or field.disabled or isinstance(field, django_forms.FileField):
                continue
            try:
                form.initial[name] = field.clean(field.widget.value_from_datadict(request.GET, {}, key))
            except (DjangoValidationError, ValueError, TypeError, OverflowError):
                continue

    def dispatch(self, request, pk=None):
        config = self.config
        if pk is None:
            if not config.can_add(request.user):
                return self.deny(request)
            instance = config.model()
        else:
            instance = self.get_object(request, pk)
            if not config.can_change(request.user, instance):
                return self.deny(request)
        form = self.get_form(request, instance)
        if request.method == "POST" and form.is_valid():
            save = config.save_service or services.save_from_form
            try:
                obj = save(user=request.user, form=form, config=config)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Saved “%(object)s”.") % {"object": obj})
                return HttpResponseRedirect(self.safe_next(request, obj.get_absolute_url()))
        status = 400 if request.method == "POST" else 200
        return render(request, self.template_name, self.base_context(form=form, object=instance if pk else None),
                      status=status)


def _protected_message(exc) -> str:
    blockers = list(exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects)[:5]
    from .jalali import is_persian

    quote = "«{}»" if is_persian() else "“{}”"
    names = ("، " if is_persian() else ", ").join(f"{quote.format(b)} ({b._meta.verbose_name})" for b in blockers)
    return _("It cannot be deleted because other records refer to it: %(names)s. Delete or change those first.") % {
        "names": names}


class ObjectDeleteView(ConfigView):
    template_name = "core/generic/confirm_delete.html"

    def dispatch(self, request, pk):
        obj = self.get_object(request, pk)
        if not self.config.can_delete(request.user, obj):
            return self.deny(request)
        if request.method == "POST":
            delete = self.config.delete_service or services.delete_objects
            try:
                delete(user=request.user, objects=[obj], config=self.config)
            except (ProtectedError, RestrictedError) as exc:
                messages.error(request, _protected_message(exc))
                return HttpResponseRedirect(obj.get_absolute_url())
            messages.success(request, _("Deleted “%(object)s”.") % {"object": obj})
            return HttpResponseRedirect(self.config.url("list"))
        return render(request, self.template_name, self.base_context(objects=[obj], object=obj))


class BulkActionView(ConfigView):
    """POST from the list page's bulk bar: ``action`` is ``delete`` (asks to confirm) or ``export``."""

    template_name = "core/generic/confirm_delete.html"

    def post(self, request):
        config = self.config
        pks = [pk for pk in request.POST.getlist("pk") if pk.isdigit()]
        action = request.POST.get("action")
        objects = list(config.visible(request.user).filter(pk__in=pks))
        if not objects:
            messages.warning(request, _("Select at least one row first."))
            return HttpResponseRedirect(self.safe_next(request, config.url("list")))
        if action == "export":
            from .tabular import export_response

            return export_response(config, config.visible(request.user).filter(pk__in=pks),
                                   request.POST.get("format", "csv"), user=request.user)
        if action != "delete":
            raise Http404
        if request.POST.get("confirm") != "yes":
            return render(request, self.template_name, self.base_context(objects=objects, bulk=True))
        delete = config.delete_service or services.delete_objects
        try:
            count = delete(user=request.user, objects=objects, config=config)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        except (ProtectedError, RestrictedError) as exc:
            messages.error(request, _protected_message(exc))
        else:
            messages.success(request, _("Deleted %(count)s records.") % {"count": count})
        return HttpResponseRedirect(config.url("list"))


class ExportView(ConfigView):
    """Export every record that the list's current filters select, as CSV or XLSX."""

    def get(self, request):
        from .tabular import export_response

        _filterset, queryset = filtered_queryset(self.config, request)
        selected = [pk for pk in request.GET.getlist("pk") if pk.isdigit()]
        if selected:  # the rows ticked on the list page
            queryset = queryset.filter(pk__in=selected)
        return export_response(self.config, queryset, request.GET.get("format", "csv"), user=request.user)
