"""API of catalogue beyond the generic model routes (khooshe.core.generic); mounted under /api/hubs/ by
khooshe.config.urls.

- ``POST /api/hubs/services/<id>/request/`` {"description", "organization"?}: 201 with the request;
- ``POST /api/hubs/service-requests/<id>/assign/`` {"assigned_to"?, "provider"?} (staff);
- ``POST /api/hubs/service-requests/<id>/status/`` {"status", "note"?} (staff);
- ``POST /api/hubs/service-requests/<id>/messages/`` {"text", "internal"?};
- ``POST /api/hubs/service-requests/<id>/rate/`` {"rating": 1-5, "comment"?} (the requester, once).
A rule broken is a 400 naming the field; a user who may not act gets 403 (404 when the request is not
visible to them).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from khooshe.core.api import BaseModelSerializer
from khooshe.registry.models import Organization

from . import services
from .models import Service, ServiceRequest, ServiceRequestMessage

TIMESTAMPS = ["created_at", "updated_at"]


@extend_schema_serializer(component_name="HubCatalogueService")
class ServiceSerializer(BaseModelSerializer):
    class Meta:
        model = Service
        fields = ["id", "site", "name", "kind", "provider", "description", "price", "audience", "active",
                  *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


@extend_schema_serializer(component_name="HubServiceRequest")
class ServiceRequestSerializer(BaseModelSerializer):
    class Meta:
        model = ServiceRequest
        fields = ["id", "service", "requested_by", "organization", "description", "status", "assigned_to",
                  "assigned_provider", "closed_at", "rating", "rating_comment", "rated_at", *TIMESTAMPS]
        read_only_fields = fields


@extend_schema_serializer(component_name="HubServiceRequestMessage")
class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceRequestMessage
        fields = ["id", "request", "author", "text", "internal", "created_at"]
        read_only_fields = fields


def _act(http, action, /, **kwargs):
    try:
        result = action(user=http.user, **kwargs)
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except services.ServiceError as exc:
        raise ValidationError({exc.field or "non_field_errors": [exc.message]}) from exc
    return result


def _visible_request(request, pk):
    return get_object_or_404(ServiceRequest.objects.visible_to(request.user), pk=pk)


def _answer(request, obj, code=status.HTTP_200_OK):
    return Response(ServiceRequestSerializer(obj, context={"request": request}).data, status=code)


@extend_schema(request=inline_serializer("RequestService", {"description": serializers.CharField(),
                                                            "organization": serializers.IntegerField(required=False)}),
               responses={201: ServiceRequestSerializer}, summary="Request a service of a hub's catalogue")
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def request_service(request, pk: int):
    service = get_object_or_404(Service.objects.select_related("site"), pk=pk)
    organization = None
    if request.data.get("organization"):
        organization = Organization.objects.filter(pk=request.data["organization"]).first()
        if organization is None:
            raise ValidationError({"organization": [_("No organization has the id %(value)s.")
                                                    % {"value": request.data["organization"]}]})
    created = _act(request, services.request_service, service=service, organization=organization,
                   description=str(request.data.get("description") or ""))
    return _answer(request, created, status.HTTP_201_CREATED)


@extend_schema(request=inline_serializer("AssignRequest", {"assigned_to": serializers.IntegerField(required=False),
                                                           "provider": serializers.IntegerField(required=False)}),
               responses={200: ServiceRequestSerializer}, summary="Assign a service request (staff)")
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def assign(request, pk: int):
    obj = _visible_request(request, pk)
    user = provider = None
    if request.data.get("assigned_to"):
        user = get_user_model().objects.filter(pk=request.data["assigned_to"]).first()
        if user is None:
            raise ValidationError({"assigned_to": [_("No user has the id %(value)s.") % {"value": request.data["assigned_to"]}]})
    if request.data.get("provider"):
        provider = Organization.objects.filter(pk=request.data["provider"]).first()
        if provider is None:
            raise ValidationError({"provider": [_("No organization has the id %(value)s.") % {"value": request.data["provider"]}]})
    return _answer(request, _act(request, services.assign, request=obj, to_user=user, provider=provider))


@extend_schema(request=inline_serializer("RequestStatus", {"status": serializers.CharField(),
                                                           "note": serializers.CharField(required=False)}),
               responses={200: ServiceRequestSerializer}, summary="Move a service request along its workflow")
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def set_status(request, pk: int):
    obj = _visible_request(request, pk)
    return _answer(request, _act(request, services.set_status, request=obj,
                                 status=str(request.data.get("status") or ""), note=str(request.data.get("note") or "")))


@extend_schema(request=inline_serializer("RequestMessage", {"text": serializers.CharField(),
                                                            "internal": serializers.BooleanField(required=False)}),
               responses={201: MessageSerializer}, summary="Write a message on a service request")
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def message(request, pk: int):
    obj = _visible_request(request, pk)
    internal = str(request.data.get("internal", "")).lower() in ("1", "true", "on", "yes")
    created = _act(request, services.add_message, request=obj, text=str(request.data.get("text") or ""),
                   internal=internal)
    return Response(MessageSerializer(created).data, status=status.HTTP_201_CREATED)


@extend_schema(request=inline_serializer("RequestRating", {"rating": serializers.IntegerField(),
                                                           "comment": serializers.CharField(required=False)}),
               responses={200: ServiceRequestSerializer}, summary="Rate a done service request (requester, once)")
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def rate(request, pk: int):
    obj = _visible_request(request, pk)
    return _answer(request, _act(request, services.rate, request=obj, rating=request.data.get("rating"),
                                 comment=str(request.data.get("comment") or "")))


urlpatterns = [
    path("services/<int:pk>/request/", request_service, name="hubs-service-request"),
    path("service-requests/<int:pk>/assign/", assign, name="hubs-service-request-assign"),
    path("service-requests/<int:pk>/status/", set_status, name="hubs-service-request-status"),
    path("service-requests/<int:pk>/messages/", message, name="hubs-service-request-message"),
    path("service-requests/<int:pk>/rate/", rate, name="hubs-service-request-rate"),
]
