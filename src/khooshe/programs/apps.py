from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "khooshe.programs"
    label = "programs"
    verbose_name = _("Cluster development programs")

    def ready(self):
        from . import models, ui  # noqa: F401  (ui registers the generic UI/API)
