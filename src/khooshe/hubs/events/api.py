"""API of events beyond the generic model routes (khooshe.core.generic); mounted under /api/hubs/ by
khooshe.config.urls.

- ``POST /api/hubs/events/<id>/register/`` {"name"?, "email"?}: a signed-in member registers themselves
  (no body needed), anyone else gives a name and an email. 201 ``{"status": "confirmed"|"waitlisted",
  "code", ...}``; **409** ``{"detail", "code": "closed"|"full"|"duplicate"|"audience"}`` when registration
  is closed, the event is full without a waiting list, the person is already registered or not in the
  audience; 400 naming the field for a bad name or email.
- ``POST /api/hubs/event-registrations/<id>/cancel/`` (the registrant or staff; or ``{"code"}``): 200.
- ``POST /api/hubs/events/<id>/check-in/`` {"code"}: 200 with the registration; 409 when already checked in.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from khooshe.core.api import BaseModelSerializer

from . import services
from .models import Event, EventRegistration

TIMESTAMPS = ["created_at", "updated_at"]


class EventSerializer(BaseModelSerializer):
    class Meta:
        model = Event
        fields = ["id", "site", "space", "title", "description", "start", "end", "capacity", "audience",
                  "registration_opens", "registration_closes", "waiting_list", "status", "booking", *TIMESTAMPS]
        read_only_fields = ["booking", *TIMESTAMPS]

    def create(self, validated_data):
        return self._save(Event(**validated_data))

    def update(self, instance, validated_data):
        for key, value in validated_data.items():
            setattr(instance, key, value)
        return self._save(instance)

    def _save(self, event):
        try:
            return services.save_event(user=self.context["request"].user, event=event)
        except services.EventError as exc:
            raise ValidationError({exc.field or "non_field_errors": [exc.message]}) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc


class EventRegistrationSerializer(BaseModelSerializer):
    class Meta:
        model = EventRegistration
        fields = ["id", "event", "user", "name", "email", "status", "code", "checked_in_at", "cancelled_at",
                  "promoted_at", *TIMESTAMPS]
        read_only_fields = fields


class RegisterSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")


class CodeSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32)


REFUSAL = inline_serializer("EventRefusal", {"detail": serializers.CharField(), "code": serializers.CharField()})
CONFLICT_CODES = {"closed", "full", "duplicate", "audience", "already", "cancelled", "checked_in", "space_taken"}


def _refusal(exc: services.EventError) -> Response:
    if exc.code in CONFLICT_CODES:
        return Response({"detail": exc.message, "code": exc.code}, status=status.HTTP_409_CONFLICT)
    raise ValidationError({exc.field or "non_field_errors": [exc.message]})


def _registration(request, registration, code=status.HTTP_200_OK):
    return Response(EventRegistrationSerializer(registration, context={"request": request}).data, status=code)


@extend_schema(request=RegisterSerializer, responses={201: EventRegistrationSerializer, 409: REFUSAL},
               summary="Register for an event (201 confirmed or waitlisted; 409 when closed, full or a duplicate)")
@api_view(["POST"])
@permission_classes([AllowAny])
def register(request, pk: int):
    event = get_object_or_404(Event.objects.visible_to(request.user), pk=pk)
    form = RegisterSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    try:
        registration = services.register(event=event, user=request.user, name=form.validated_data["name"],
                                         email=form.validated_data["email"])
    except services.EventError as exc:
        return _refusal(exc)
    return _registration(request, registration, status.HTTP_201_CREATED)


@extend_schema(request=inline_serializer("CancelRegistration", {"code": serializers.CharField(required=False)}),
               responses={200: EventRegistrationSerializer, 409: REFUSAL},
               summary="Cancel a registration (the first of the waiting list moves up)")
@api_view(["POST"])
@permission_classes([AllowAny])
def cancel(request, pk: int):
    code = str(request.data.get("code") or "") or None
    queryset = EventRegistration.objects.all() if code else EventRegistration.objects.visible_to(request.user)
    registration = get_object_or_404(queryset, pk=pk)
    try:
        registration = services.cancel_registration(user=request.user, registration=registration,
                                                    code=services.normalize_code(code) if code else None)
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except services.EventError as exc:
        return _refusal(exc)
    return _registration(request, registration)


@extend_schema(request=CodeSerializer, responses={200: EventRegistrationSerializer, 409: REFUSAL},
               summary="Check a registration in by its code (staff of the event's site)")
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def check_in(request, pk: int):
    event = get_object_or_404(Event.objects.visible_to(request.user).select_related("site"), pk=pk)
    form = CodeSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    try:
        registration = services.check_in(user=request.user, event=event, code=form.validated_data["code"])
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except services.EventError as exc:
        if exc.code == "not_found":
            return Response({"detail": exc.message, "code": exc.code}, status=status.HTTP_404_NOT_FOUND)
        return _refusal(exc)
    return _registration(request, registration)


urlpatterns = [
    path("events/<int:pk>/register/", register, name="hubs-event-register"),
    path("events/<int:pk>/check-in/", check_in, name="hubs-event-check-in"),
    path("event-registrations/<int:pk>/cancel/", cancel, name="hubs-event-registration-cancel"),
]
