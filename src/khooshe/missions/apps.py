from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MissionsConfig(AppConfig):
    name = "khooshe.missions"
    label = "missions"
    verbose_name = _("Mission value chains")

    def ready(self):
        from . import models, ui  # noqa: F401  (ui registers the generic UI/API)
