"""Reads and access checks of site selection."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import SitingStudy


def visible_study(user, pk: int) -> SitingStudy:
    """The study if ``user`` may read it (its owner's members and hub staff, its author, admins; everyone
    once published), else 404 (a private study does not reveal that it exists)."""
    return get_object_or_404(SitingStudy.objects.visible_to(user).select_related("owner", "region"), pk=pk)


def editable_study(user, pk: int) -> SitingStudy:
    """The study if ``user`` may change it; 404 when they may not even read it, 403 when they only read it."""
    study = visible_study(user, pk)
    if not study.is_editable_by(user):
        raise PermissionDenied
    return study


def rank_colour(rank: int, count: int) -> str:
    """Green for the first place through amber to red for the last (the map's markers and the legend)."""
    if count <= 1:
        return "#2e7d32"
    share = (rank - 1) / (count - 1)
    stops = ((0.0, (46, 125, 50)), (0.5, (249, 168, 37)), (1.0, (198, 40, 40)))
    for (a, ca), (b, cb) in zip(stops, stops[1:], strict=False):
        if share <= b:
            t = (share - a) / (b - a)
            return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ca, cb, strict=True))
    return "#c62828"
