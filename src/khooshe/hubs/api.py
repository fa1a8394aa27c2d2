"""Serializers of the hubs API (the viewsets are generic: core.api) and the booking actions:

- ``POST /api/hubs/book/`` {"space", "start", "end", "title"?, "organization"?, "hold"?, "repeat"?,
  "count"?, "skip_conflicts"?}: 201 with the booking(s); 409 with ``detail`` and ``next_free`` when the
  time is taken; 400 naming the field for any other rule;
- ``POST /api/hubs/bookings/<id>/cancel/`` and ``/confirm/`` (a hold).
- ``GET /api/hubs/spaces/<id>/free/?start=&minutes=``: the next free slots.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from khooshe.core.api import BaseModelSerializer

from . import models, selectors, services

TIMESTAMPS = ["created_at", "updated_at"]


class SiteSerializer(BaseModelSerializer):
    class Meta:
        model = models.Site
        fields = ["id", "name", "operator", "address", "region", "area_m2", "time_zone", "observe_public_holidays",
                  "hold_minutes", "linked_hubs", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS

    def create(self, validated_data):
        site = super().create(validated_data)
        services.add_default_opening_hours(site=site)
        return site


class OpeningHoursSerializer(BaseModelSerializer):
    class Meta:
        model = models.OpeningHours
        fields = ["id", "site", "weekday", "opens", "closes", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


class ClosedDaySerializer(BaseModelSerializer):
    class Meta:
        model = models.ClosedDay
        fields = ["id", "site", "date", "name", "kind", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


class SpaceSerializer(BaseModelSerializer):
    class Meta:
        model = models.Space
        fields = ["id", "site", "parent", "path", "depth", "name", "kind", "capacity", "area_m2", "amenities",
                  "price_per_hour", "credits_per_hour", "bookable", "bookable_by", "min_minutes", "max_minutes",
                  "lead_minutes", "horizon_days", "buffer_minutes", "free_cancellation_hours", *TIMESTAMPS]
        read_only_fields = ["path", "depth", *TIMESTAMPS]


class BookingSerializer(BaseModelSerializer):
    class Meta:
        model = models.Booking
        fields = ["id", "space", "booked_by", "organization", "title", "start", "end", "status", "hold_expires_at",
                  "series", "price", "credits", "cancelled_at", "cancellation_fee", "note", *TIMESTAMPS]
        read_only_fields = fields


class BookRequestSerializer(serializers.Serializer):
    space = serializers.PrimaryKeyRelatedField(queryset=models.Space.objects.select_related("site"))
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    organization = serializers.PrimaryKeyRelatedField(
        queryset=models.Organization.objects.all(), required=False, allow_null=True, default=None)
    hold = serializers.BooleanField(required=False, default=False)
    repeat = serializers.ChoiceField(choices=models.BookingSeries.Frequency.choices, required=False,
                                     allow_blank=True, default="")
    count = serializers.IntegerField(min_value=1, max_value=200, required=False, default=1)
    skip_conflicts = serializers.BooleanField(required=False, default=False)


FREE_SLOT = inline_serializer("FreeSlot", {"start": serializers.DateTimeField(), "end": serializers.DateTimeField()})
CONFLICT = inline_serializer("BookingConflict", {"detail": serializers.CharField(), "field": serializers.CharField(),
                                                 "next_free": FREE_SLOT})


def free_slots_json(slots) -> list[dict]:
    return [{"start": s.start.isoformat(), "end": s.end.isoformat()} for s in slots]


def _refusal(exc: services.BookingError) -> Response:
    if isinstance(exc, services.BookingConflict):
        return Response({"detail": exc.message, "field": exc.field, "next_free": free_slots_json(exc.next_free)},
                        status=status.HTTP_409_CONFLICT)
    raise ValidationError({exc.field or "non_field_errors": [exc.message]})


@extend_schema(request=BookRequestSerializer, responses={201: BookingSerializer(many=True), 409: CONFLICT},
               summary="Book a space (409 with the next free slots when the time is taken)")
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def book(request):
    form = BookRequestSerializer(data=request.data, context={"request": request})
    form.is_valid(raise_exception=True)
    data = form.validated_data
    kwargs = {"user": request.user, "space": data["space"], "start": data["start"], "end": data["end"],
              "title": data["title"], "note": data["note"], "organization": data["organization"]}
    try:
        if data["repeat"]:
            _series, bookings, skipped = services.create_recurring_booking(
                frequency=data["repeat"], count=data["count"], skip_conflicts=data["skip_conflicts"], **kwargs)
        else:
            bookings, skipped = [services.create_booking(hold=data["hold"], **kwargs)], []
    except services.BookingError as exc:
        return _refusal(exc)
    return Response({"bookings": BookingSerializer(bookings, many=True, context={"request": request}).data,
                     "skipped": [{"date": d.isoformat(), "reason": r} for d, r in skipped]},
                    status=status.HTTP_201_CREATED)


def _booking_action(request, pk, action):
    booking = get_object_or_404(models.Booking.objects.visible_to(request.user), pk=pk)
    try:
        booking = action(user=request.user, booking=booking)
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except services.BookingError as exc:
        return _refusal(exc)
    return Response(BookingSerializer(booking, context={"request": request}).data)


@extend_schema(request=None, responses={200: BookingSerializer}, summary="Cancel a booking (policy: free until "
               "the space's free-cancellation hours before the start, then the price is the fee)")
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def cancel(request, pk: int):
    return _booking_action(request, pk, services.cancel_booking)


@extend_schema(request=None, responses={200: BookingSerializer}, summary="Confirm a held booking")
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def confirm(request, pk: int):
    return _booking_action(request, pk, services.confirm_booking)


@extend_schema(parameters=[OpenApiParameter("start", str, description="ISO date-time (default: now)"),
                           OpenApiParameter("minutes", int, description="length (default: the shortest booking)")],
               responses={200: FREE_SLOT}, summary="The next free slots of a space")
@api_view(["GET"])
def free(request, pk: int):
    space = get_object_or_404(models.Space.objects.select_related("site"), pk=pk)
    start = timezone.now()
    if request.GET.get("start"):
        from django.utils.dateparse import parse_datetime

        try:
            parsed = parse_datetime(request.GET["start"])
        except ValueError:
            parsed = None
        if parsed is None:
            raise ValidationError({"start": [_("Enter a date and time such as 2025-05-01T10:00:00+03:30.")]})
        start = parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=space.site.tzinfo)
        if not services.EARLIEST <= start.year <= services.LATEST:
            raise ValidationError({"start": [_("Book a time between the years %(first)s and %(last)s.")
                                             % {"first": services.EARLIEST, "last": services.LATEST}]})
    try:
        minutes = int(request.GET.get("minutes") or space.min_minutes)
    except ValueError:
        minutes = 0
    if not 5 <= minutes <= 24 * 60:
        raise ValidationError({"minutes": [_("Enter a length between 5 and 1440 minutes.")]})
    slots = selectors.next_free_slots(space, dt.timedelta(minutes=minutes), start)
    return Response(free_slots_json(slots))


urlpatterns = [
    path("book/", book, name="hubs-book"),
    path("bookings/<int:pk>/cancel/", cancel, name="hubs-booking-cancel"),
    path("bookings/<int:pk>/confirm/", confirm, name="hubs-booking-confirm"),
    path("spaces/<int:pk>/free/", free, name="hubs-space-free"),
]
