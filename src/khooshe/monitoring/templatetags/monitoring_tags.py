from django import template

from khooshe.monitoring.assessment import score_profile as _score_profile

register = template.Library()


@register.simple_tag
def score_profile(assessment):
    return _score_profile(assessment)


@register.simple_tag
def other_assessments(assessment):
    return list(type(assessment).objects.filter(cluster_id=assessment.cluster_id).exclude(pk=assessment.pk)[:20])
