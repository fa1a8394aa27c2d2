"""Background tasks of the matching app (django-tasks: the database queue by default, see settings)."""

from django_tasks import task


@task()
def notify_challenge_opened(challenge_id: int) -> int:
    """Tell the organizations a newly opened challenge fits (``services.notify_challenge_opened``)."""
    from .models import Challenge
    from .services import notify_challenge_opened as notify

    challenge = Challenge.objects.filter(pk=challenge_id).first()
    if challenge is None or challenge.status != Challenge.Status.OPEN:
        return 0  # deleted or closed again before the worker came to it
    return notify(challenge=challenge)
