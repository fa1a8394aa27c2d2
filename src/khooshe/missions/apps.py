from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MissionsConfig(AppConfig):
    name = "khooshe.missions"
    label = "missions"
    verbose_name = _("Mission value chains")

    def ready(self):
        from auditlog.registry import auditlog

        from . import models, ui  # noqa: F401  (ui registers the generic UI/API)

        auditlog.register(models.Mission, exclude_fields=["search_text", "updated_at"])
        auditlog.register(models.Stage, exclude_fields=["search_text", "updated_at"],
                          m2m_fields={"predecessors", "sectors"})
        auditlog.register(models.MemberCapacity, exclude_fields=["search_text", "updated_at"])
        auditlog.register(models.Licence, exclude_fields=["search_text", "updated_at"])
        auditlog.register(models.Demand, exclude_fields=["search_text", "updated_at"])
        auditlog.register(models.Composition, exclude_fields=["search_text", "updated_at", "result", "parameters"])
        auditlog.register(models.ChainTemplate, exclude_fields=["search_text", "updated_at"])
