from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "khooshe.matching"
    label = "matching"
    verbose_name = _("Matchmaking")

    def ready(self):
        from auditlog.registry import auditlog

        from . import models, ui  # noqa: F401  (ui registers the generic UI/API)

        auditlog.register(models.Challenge, exclude_fields=["search_text", "updated_at"], m2m_fields={"sectors"})
        auditlog.register(models.Criterion, exclude_fields=["search_text", "updated_at"])
        auditlog.register(models.Proposal, exclude_fields=["search_text", "updated_at"])
        auditlog.register(models.Review)
        # The owner of a partnering profile is hidden until both sides agree: never in its history.
        auditlog.register(models.Profile, exclude_fields=["search_text", "updated_at", "owner"])
        auditlog.register(models.ExpressionOfInterest, exclude_fields=["from_organization", "message"])
        # Reverse relations (participants, meetings...) are not fields of the record's history.
        auditlog.register(models.MatchmakingDay, exclude_fields=["search_text", "updated_at", "schedule_report",
                                                                 "participants", "meeting_requests", "meetings"])
        auditlog.register(models.Participant, exclude_fields=["search_text", "updated_at", "requests_sent",
                                                              "requests_received", "meetings_a", "meetings_b"],
                          m2m_fields={"challenges", "conflicts"})
        auditlog.register(models.MeetingRequest, exclude_fields=["search_text", "updated_at"])
        auditlog.register(models.Meeting, exclude_fields=["search_text", "updated_at"])
