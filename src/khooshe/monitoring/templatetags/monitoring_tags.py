from django import template

from khooshe.insights.present import format_number
from khooshe.monitoring.assessment import score_profile as _score_profile

register = template.Library()


@register.simple_tag
def score_profile(assessment):
    return _score_profile(assessment)


@register.simple_tag
def other_assessments(assessment):
    return list(type(assessment).objects.filter(cluster_id=assessment.cluster_id).exclude(pk=assessment.pk)[:20])


@register.filter
def grouped(value):
    """An amount with thousands separators ("5,000,000" / "۵٬۰۰۰٬۰۰۰"): budgets are read at a glance."""
    if value is None or value == "":
        return ""
    return format_number(int(value) if value == int(value) else float(value))
