from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "khooshe.programs"
    label = "programs"
    verbose_name = _("Cluster development programs")

    def ready(self):
        from auditlog.registry import auditlog

        from . import models, ui  # noqa: F401  (ui registers the generic UI/API)

        auditlog.register(models.Program, exclude_fields=["search_text", "updated_at"])
        auditlog.register(models.Phase, exclude_fields=["updated_at"])
        auditlog.register(models.PhaseOutput, exclude_fields=["updated_at"])
        auditlog.register(models.Task, exclude_fields=["updated_at", "number", "sort_key"],
                          m2m_fields={"stakeholder_organizations"})
        auditlog.register(models.TaskDependency, exclude_fields=["updated_at"])
        auditlog.register(models.Actor, exclude_fields=["updated_at"])
        auditlog.register(models.MatrixCell, exclude_fields=["updated_at"])
        auditlog.register(models.ProgramTemplate, exclude_fields=["updated_at"])
