from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "khooshe.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring and evaluation")

    def ready(self):
        from . import models, ui  # noqa: F401  (ui registers the generic UI/API)
