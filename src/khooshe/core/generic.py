"""One generic mechanism that gives every model its web UI, API and export (the NetBox pattern).

An app declares, in its ``ui.py``::

    register(ModelConfig(
        model=Organization,
        filterset_class=OrganizationFilterSet,
        form_class=OrganizationForm,
        serializer_class=OrganizationSerializer,
        list_columns=["name_fa", "kind", "region", "size_class"],
    ))

and gets: list (sortable columns, filters, search box, pagination, count, bulk select), detail (fields,
related lists, audit trail), create, edit, delete with confirmation, bulk delete and export, and the
REST endpoint ``/api/<app>/<plural>/`` with the same filters (see ``core.api``).

Access: a model's QuerySet implements ``visible_to(user)`` (what the user may read) and the model
implements ``is_editable_by(user)`` (what the user may change, also for an unsaved instance) and
``can_be_created_by(user)`` (whether the "add" button is shown); see ``core.access``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst

from . import jalali
from .text import persian_digits


@dataclass
class RelatedList:
    """A table of related records shown on a detail page, e.g. an organization's people."""

    title: str
    model: type[models.Model]
    lookup: str  # filter name on the related model pointing at the object, e.g. "organization"
    columns: Sequence[str]
    limit: int = 50


@dataclass
class ModelConfig:
    model: type[models.Model]
    filterset_class: type
    form_class: type
    serializer_class: type | None = None
    list_columns: Sequence[str] = ()
    export_columns: Sequence[str] | None = None
    select_related: Sequence[str] = ()
    prefetch_related: Sequence[str] = ()
    defer: Sequence[str] = ()  # heavy columns the pages never show, e.g. region__boundary
    detail_fields: Sequence[str] | None = None
    related_lists: Sequence[RelatedList] = ()
    detail_template: str | None = None  # extra block included on the detail page
    menu_group: str | None = None
    # Services called by the generic views (one transaction each); defaults in core.services.
    save_service: Callable | None = None
    delete_service: Callable | None = None
    # A tabular spec (core.tabular.TabularSpec) makes the model importable and exportable by key.
    tabular_spec: object | None = None
    api_read_only: bool = False
    slug: str | None = None
    extra: dict = field(default_factory=dict)

    # -- names -------------------------------------------------------------------------------------
    @property
    def app_label(self) -> str:
        return self.model._meta.app_label

    @property
    def model_name(self) -> str:
        return self.model._meta.model_name

    @property
    def url_slug(self) -> str:
        """URL segment and API path: the plural English model name, e.g. "organizations"."""
        if self.slug:
            return self.slug
        name = self.model_name
        if name.endswith("y"):
            return name[:-1] + "ies"
        return name + ("es" if name.endswith("s") else "s")

    @property
    def verbose_name(self) -> str:
        return self.model._meta.verbose_name

    @property
    def verbose_name_plural(self) -> str:
        return self.model._meta.verbose_name_plural

    def url_name(self, action: str) -> str:
        return f"{self.app_label}:{self.model_name}_{action}"

    def url(self, action: str, obj: models.Model | None = None) -> str:
        if obj is None:
            return reverse(self.url_name(action))
        return reverse(self.url_name(action), kwargs={"pk": obj.pk})

    # -- access --------------------------------------------------------------------------------------
    def base_queryset(self):
        qs = self.model._default_manager.all()
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.prefetch_related:
            qs = qs.prefetch_related(*self.prefetch_related)
        if self.defer:
            qs = qs.defer(*self.defer)
        return qs

    def visible(self, user):
        qs = self.base_queryset()
        return qs.visible_to(user) if hasattr(qs, "visible_to") else qs

    def can_add(self, user) -> bool:
        creator = getattr(self.model, "can_be_created_by", None)
        if creator is not None:
            return bool(creator(user))
        return bool(user.is_authenticated and user.is_superuser)

    def can_change(self, user, obj) -> bool:
        if not user.is_authenticated:
            return False
        check = getattr(obj, "is_editable_by", None)
        return bool(check(user)) if check is not None else user.is_superuser

    can_delete = can_change

    # -- columns -------------------------------------------------------------------------------------
    @cached_property
    def columns(self) -> list[Column]:
        return [Column(self.model, name) for name in self.list_columns]

    @cached_property
    def export_column_objects(self) -> list[Column]:
        return [Column(self.model, name) for name in (self.export_columns or self.list_columns)]

    @cached_property
    def detail_field_objects(self) -> list[Column]:
        names = self.detail_fields
        if names is None:
            names = [
                f.name
                for f in self.model._meta.get_fields()
                if f.concrete and not f.auto_created and f.name not in ("search_text", "id")
                and getattr(f, "editable", True)
                # members through an explicit model (e.g. cluster memberships) have their own related list
                and not (f.many_to_many and not f.remote_field.through._meta.auto_created)
            ] + ["created_at", "updated_at"]
            names = list(dict.fromkeys(n for n in names if _has_field(self.model, n)))
        return [Column(self.model, name) for name in names]


def _has_field(model, name) -> bool:
    try:
        model._meta.get_field(name)
        return True
    except Exception:
        return False


class Column:
    """A list column or detail row: a model field (sortable) or a model method/property."""

    def __init__(self, model: type[models.Model], name: str):
        self.name = name
        self.field = None
        try:
            self.field = model._meta.get_field(name)
        except Exception:
            attr = getattr(model, name, None)
            self._label = getattr(attr, "short_description", None) or getattr(
                getattr(attr, "fget", None), "short_description", None
            ) or name.replace("_", " ")
        self.sortable = bool(self.field is not None and self.field.concrete and not self.field.many_to_many)

    @cached_property
    def _choice_labels(self) -> dict:
        return dict(self.field.flatchoices)  # lazy labels: translated when shown

    @property
    def label(self) -> str:
        if self.field is not None:
            return capfirst(getattr(self.field, "verbose_name", self.name))
        return capfirst(self._label)

    def raw(self, obj):
        if self.field is not None and self.field.many_to_many:
            return list(getattr(obj, self.name).all())
        if self.field is not None and getattr(self.field, "choices", None):
            value = getattr(obj, self.name)
            if value in (None, ""):
                return ""
            try:  # get_FOO_display() rebuilds the choices dict for every cell: a list page has hundreds
                return str(self._choice_labels.get(value, value))
            except TypeError:  # an unhashable value
                return getattr(obj, f"get_{self.name}_display")()
        value = getattr(obj, self.name, None)
        return value() if callable(value) and not isinstance(value, models.Manager) else value

    def text(self, obj, language: str | None = None) -> str:
        """Plain text for exports and for the HTML cell."""
        return display_text(self.raw(obj), language)

    def html(self, obj, language: str | None = None, link: bool = False) -> str:
        value = self.raw(obj)
        if isinstance(value, list):
            return format_html_join("، " if jalali.is_persian(language) else ", ", "{}", ((display_link(v),) for v in value))
        if isinstance(value, models.Model):
            return display_link(value)
        if isinstance(value, bool):
            return format_html('<span class="bool bool-{}">{}</span>', "yes" if value else "no", "✔" if value else "✘")
        text = display_text(value, language)
        if link and hasattr(obj, "get_absolute_url"):
            return format_html('<a href="{}" dir="auto">{}</a>', obj.get_absolute_url(), text or "—")
        if self.field is not None and isinstance(self.field, models.URLField) and value:
            return format_html('<a href="{}" rel="nofollow noopener" dir="ltr">{}</a>', value, value)
        return format_html('<span dir="auto">{}</span>', text)


def display_link(value) -> str:
    if hasattr(value, "get_absolute_url"):
        return format_html('<a href="{}" dir="auto">{}</a>', value.get_absolute_url(), str(value))
    return format_html('<span dir="auto">{}</span>', str(value))


def display_text(value, language: str | None = None) -> str:
    persian = jalali.is_persian(language)
    if value is None:
        return ""
    if isinstance(value, list):
        return ("، " if persian else ", ").join(str(v) for v in value)
    if isinstance(value, dt.datetime | dt.date):
        return jalali.format_date(value, language)
    if isinstance(value, bool):
        return "✔" if value else "✘"
    if isinstance(value, int | float | Decimal) and persian:
        return persian_digits(value)
    text = str(value)
    return text


# -- the registry of configured models --------------------------------------------------------------
_configs: dict[type[models.Model], ModelConfig] = {}


def register(config: ModelConfig) -> ModelConfig:
    _configs[config.model] = config
    return config


@dataclass(frozen=True)
class MenuLink:
    """A page that is not a model's list (a calendar, a dashboard, a board) shown first in a menu group."""

    group: object  # lazy translated label of the menu group
    label: object
    url_name: str


_menu_links: list[MenuLink] = []


def register_menu_link(group, label, url_name: str) -> None:
    if not any(link.url_name == url_name for link in _menu_links):
        _menu_links.append(MenuLink(group, label, url_name))


def menu_links() -> list[MenuLink]:
    return list(_menu_links)


def get_config(model: type[models.Model]) -> ModelConfig:
    return _configs[model]


def all_configs() -> list[ModelConfig]:
    return list(_configs.values())


def configs_for_app(app_label: str) -> list[ModelConfig]:
    return [c for c in _configs.values() if c.app_label == app_label]


def urlpatterns_for(app_label: str) -> list:
    """The list/detail/add/edit/delete/bulk/export URLs of every registered model of an app."""
    from . import views  # late: views import forms, which need the app registry ready

    patterns = []
    for config in configs_for_app(app_label):
        slug, name = config.url_slug, config.model_name
        kwargs = {"config": config}
        patterns += [
            path(f"{slug}/", views.ObjectListView.as_view(**kwargs), name=f"{name}_list"),
            path(f"{slug}/add/", views.ObjectEditView.as_view(**kwargs), name=f"{name}_add"),
            path(f"{slug}/bulk/", views.BulkActionView.as_view(**kwargs), name=f"{name}_bulk"),
            path(f"{slug}/export/", views.ExportView.as_view(**kwargs), name=f"{name}_export"),
            path(f"{slug}/<int:pk>/", views.ObjectDetailView.as_view(**kwargs), name=f"{name}_detail"),
            path(f"{slug}/<int:pk>/edit/", views.ObjectEditView.as_view(**kwargs), name=f"{name}_edit"),
            path(f"{slug}/<int:pk>/delete/", views.ObjectDeleteView.as_view(**kwargs), name=f"{name}_delete"),
        ]
        if config.tabular_spec is not None:
            from .views_tabular import ImportView

            patterns.append(path(f"{slug}/import/", ImportView.as_view(**kwargs), name=f"{name}_import"))
    return patterns
