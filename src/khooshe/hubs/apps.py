from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HubsConfig(AppConfig):
    name = "khooshe.hubs"
    label = "hubs"
    verbose_name = _("Innovation factories and creative houses")

    def ready(self):
        from . import models, ui  # noqa: F401  (ui registers the generic UI/API)
