"""The REST API of every registered model: one ModelViewSet per ``ModelConfig``, built here.

Same FilterSet as the list page, same access rules (``visible_to``/``is_editable_by``), writes in one
transaction that is rolled back when the result is outside what the user may write.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.routers import DefaultRouter

from .generic import ModelConfig, all_configs


class ConfigViewSet(viewsets.ModelViewSet):
    config: ModelConfig = None

    def get_queryset(self):
        qs = self.config.visible(self.request.user)
        # Many-to-many fields in one query each per page, not one per record (50 records, 3 fields: 150).
        fields = getattr(getattr(self.get_serializer_class(), "Meta", None), "fields", ())
        many = [f.name for f in self.config.model._meta.many_to_many if f.name in fields]
        if many:
            qs = qs.prefetch_related(*many)
        if not qs.query.order_by:
            qs = qs.order_by(*(self.config.model._meta.ordering or ["pk"]))
        return qs

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        _name_audit_actor(request.user)

    def _check_writable(self, instance):
        if not self.config.can_change(self.request.user, instance):
            raise PermissionDenied(_("You may not save this record."))

    def perform_create(self, serializer):
        with transaction.atomic():
            self._check_writable(serializer.save())

    def perform_update(self, serializer):
        with transaction.atomic():
            self._check_writable(serializer.save())

    def perform_destroy(self, instance):
        with transaction.atomic():
            instance.delete()


def _name_audit_actor(user) -> None:
    """A token-authenticated call is authenticated by DRF after the audit middleware ran, which then saw
    an anonymous user: name the caller now, so the change history says who made the change."""
    from auditlog.context import auditlog_value

    try:
        context = auditlog_value.get()
    except LookupError:
        return
    if context.get("actor") is None and user is not None and user.is_authenticated:
        context["actor"] = user


def viewset_for(config: ModelConfig) -> type[ConfigViewSet]:
    if config.serializer_class is None:
        raise ValueError(f"{config.model.__name__} has no serializer_class")
    attrs = {
        "config": config,
        "serializer_class": config.serializer_class,
        "filterset_class": config.filterset_class,
        "queryset": config.model._default_manager.none(),  # for schema generation; get_queryset is used
        "__doc__": f"{config.model._meta.verbose_name_plural}: list, read, create, update, delete.",
    }
    if config.api_read_only:
        attrs["http_method_names"] = ["get", "head", "options"]
    return type(f"{config.model.__name__}ViewSet", (ConfigViewSet,), attrs)


def build_router() -> DefaultRouter:
    router = DefaultRouter()
    for config in all_configs():
        if config.serializer_class is None:
            continue
        router.register(f"{config.app_label}/{config.url_slug}", viewset_for(config),
                        basename=f"{config.app_label}-{config.model_name}")
    return router


class ReadableRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key written as a primary key, limited to what the requesting user may see."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is not None and hasattr(queryset, "visible_to"):
            return queryset.visible_to(request.user)
        return queryset


def raise_field_error(field: str, message: str):
    raise ValidationError({field: [message]})


class BaseModelSerializer(serializers.ModelSerializer):
    """Runs the model's own ``clean()`` so the API refuses what the form refuses, field by field;
    related records are limited to what the requesting user may see."""

    serializer_related_field = ReadableRelatedField

    def validate(self, attrs):
        from django.core.exceptions import ValidationError as DjangoValidationError

        attrs = super().validate(attrs)
        plain = {k: v for k, v in attrs.items()
                 if not (self.Meta.model._meta.get_field(k).many_to_many if _is_field(self.Meta.model, k) else True)}
        instance = self.instance or self.Meta.model()
        original = {k: getattr(instance, k) for k in plain if hasattr(instance, k)}
        for key, value in plain.items():
            setattr(instance, key, value)
        try:
            instance.clean()
        except DjangoValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            raise ValidationError(detail) from exc
        finally:
            if self.instance is not None:
                for key, value in original.items():
                    setattr(instance, key, value)
        return attrs


def _is_field(model, name) -> bool:
    try:
        model._meta.get_field(name)
        return True
    except Exception:
        return False
