"""The unread-notification count shown in the top bar of every page of a logged-in user."""

from django.utils.functional import SimpleLazyObject


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread() -> int:  # counted only when a template shows it
        from .models import Notification

        return Notification.objects.filter(user=user, read=False).count()

    return {"unread_notifications": SimpleLazyObject(unread)}
