"""Generic writes used by the generic views, API and CLI when a model has no service of its own.

Each runs in one transaction; the audit trail (django-auditlog) records who changed what.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _


@transaction.atomic
def save_from_form(*, user, form, config) -> models.Model:
    """Save a validated ModelForm after checking that ``user`` may write the resulting record."""
    instance = form.save(commit=False)
    if not config.can_change(user, instance):
        raise PermissionDenied(_("You may not save this record."))
    instance.save()
    form.save_m2m()
    return instance


@transaction.atomic
def delete_objects(*, user, objects: Iterable[models.Model], config) -> int:
    """Delete every object or none: one object the user may not delete refuses the whole batch."""
    objects = list(objects)
    for obj in objects:
        if not config.can_delete(user, obj):
            raise PermissionDenied(_("You may not delete “%(object)s”.") % {"object": obj})
    for obj in objects:
        obj.delete()
    return len(objects)


@transaction.atomic
def ensure_admin(*, username: str, password: str | None, email: str = "") -> tuple[str, str]:
    """Create the platform admin, or reset its password; returns (username, password)."""
    import secrets

    from django.contrib.auth import get_user_model

    password = password or secrets.token_urlsafe(12)
    user, _created = get_user_model().objects.get_or_create(username=username, defaults={"email": email})
    user.is_staff = user.is_superuser = user.is_active = True
    user.set_password(password)
    user.save()
    return username, password
