from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "khooshe.insights"
    label = "insights"
    verbose_name = _("Cluster analytics")

    def ready(self):
        from auditlog.registry import auditlog

        from . import models, signals, ui  # noqa: F401  (ui registers the generic UI/API of datasets)

        signals.connect()
        auditlog.register(models.Dataset, exclude_fields=["search_text", "updated_at"])
