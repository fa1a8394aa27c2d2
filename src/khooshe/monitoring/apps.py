from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "khooshe.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring and evaluation")

    def ready(self):
        from auditlog.registry import auditlog

        from . import models, ui  # noqa: F401  (ui registers the generic UI/API)

        for model in (models.Result, models.Indicator, models.Period, models.Disaggregation, models.Questionnaire,
                      models.Question, models.SelfAssessment, models.AssessmentItem):
            auditlog.register(model, exclude_fields=["updated_at"])
        # an invitation's token is the organization's key to its answers: never copied into the audit trail
        auditlog.register(models.Invitation, exclude_fields=["updated_at", "token", "answers"])
