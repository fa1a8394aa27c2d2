from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "khooshe.registry"
    label = "registry"
    verbose_name = _("Ecosystem registry")

    def ready(self):
        from auditlog.registry import auditlog

        from . import models, ui  # noqa: F401  (ui registers the generic UI/API of every model)

        for model, m2m in [
            (models.Organization, {"sectors", "capability_sectors", "need_sectors"}),
            (models.Person, {"expertise_sectors"}),
            (models.PersonRole, set()),
            (models.Relation, set()),
            (models.Cluster, {"sectors", "regions"}),
            (models.ClusterMembership, set()),
            (models.Agreement, {"parties"}),
            (models.Role, set()),
            (models.Sector, set()),
            (models.Region, set()),
        ]:
            auditlog.register(model, m2m_fields=m2m, exclude_fields=["search_text", "name_key", "updated_at"])
