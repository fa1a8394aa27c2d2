"""Template helpers available in every template (settings.TEMPLATES builtins)."""

from django import template
from django.utils.translation import get_language

from khooshe.core import jalali
from khooshe.core.text import persian_digits

register = template.Library()


@register.filter
def jdate(value, numeric=""):
    """A date in the user's calendar: "۱۲ مرداد ۱۴۰۳" in Persian, ISO in English."""
    return jalali.format_date(value, numeric=bool(numeric))


@register.filter
def digits(value):
    """Persian digits in the Persian UI (display only)."""
    if value is None:
        return ""
    return persian_digits(value) if jalali.is_persian() else str(value)


@register.simple_tag
def text_direction():
    return "rtl" if jalali.is_persian() else "ltr"


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """The current query string with some parameters replaced (pagination, sorting)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.filter
def language_is_persian(_value=None):
    return (get_language() or "fa").startswith("fa")


@register.simple_tag
def list_separator():
    """The comma between items of a list: "، " in Persian, ", " in English."""
    return "، " if jalali.is_persian() else ", "
