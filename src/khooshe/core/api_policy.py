"""API policies named in settings.REST_FRAMEWORK (kept apart from core.api to avoid an import cycle:
DRF imports these while its own views module loads)."""

from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils.translation import gettext as _
from rest_framework import permissions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000


class ScopedPermission(permissions.BasePermission):
    """Reads follow ``visible_to`` (anonymous: public records); writes need the model's own checks."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        if not request.user.is_authenticated:
            return False
        config = getattr(view, "config", None)
        if request.method == "POST" and config is not None:
            return config.can_add(request.user)
        return True

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        config = getattr(view, "config", None)
        return config.can_change(request.user, obj) if config else request.user.is_superuser


def exception_handler(exc, context):
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, ProtectedError | RestrictedError):
        return Response(
            {"detail": _("It cannot be deleted because other records refer to it. Delete or change those first.")},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)
