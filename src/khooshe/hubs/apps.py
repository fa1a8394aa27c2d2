from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HubsConfig(AppConfig):
    name = "khooshe.hubs"
    label = "hubs"
    verbose_name = _("Innovation factories and creative houses")

    def ready(self):
        from auditlog.registry import auditlog

        from . import models, ui  # noqa: F401  (ui registers the generic UI/API)

        auditlog.register(models.Site, exclude_fields=["search_text", "updated_at"], m2m_fields={"linked_hubs"})
        auditlog.register(models.OpeningHours, exclude_fields=["updated_at"])
        auditlog.register(models.ClosedDay, exclude_fields=["updated_at"])
        auditlog.register(models.Space, exclude_fields=["search_text", "updated_at", "path", "depth", "ical_token"])
        auditlog.register(models.Booking, exclude_fields=["updated_at", "blocked_until"])
        auditlog.register(models.Residency, exclude_fields=["updated_at"], m2m_fields={"spaces"})
