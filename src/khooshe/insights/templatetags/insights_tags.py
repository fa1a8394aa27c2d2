"""Template helpers of the insights pages."""

from django import template

from khooshe.insights import glossary, present, selectors
from khooshe.insights.forms import RunParametersForm

register = template.Library()


@register.simple_tag
def dataset_runs(dataset, user, limit=50):
    """The runs of a dataset (newest first), whether the user may start one, and the parameters form."""
    runs = list(selectors.visible_runs(user).filter(dataset=dataset)[:limit])
    return {"runs": runs, "can_run": dataset.is_editable_by(user), "form": RunParametersForm(),
            "has_original": dataset.source == dataset.Source.UPLOAD}


@register.filter
def number(value):
    """A number in the reader's digits (see present.format_number)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):  # a year or a range of years: digits only, no thousands separator
        from khooshe.core.templatetags.khooshe import digits

        return digits(value)
    try:
        return present.format_number(value)
    except (TypeError, ValueError):
        return value


@register.filter
def table_title(name):
    return glossary.table_title(name)


@register.filter
def column_title(name):
    return glossary.column_title(name)


@register.filter
def region_label(value, run):
    return selectors.region_name(run, value)


@register.filter
def industry_label(value, run):
    return selectors.industry_name(run, value)


@register.filter
def percent(value):
    """40 -> "40%", in Persian "۴۰٪"."""
    from khooshe.core import jalali
    from khooshe.core.text import persian_digits

    return f"{persian_digits(value)}٪" if jalali.is_persian() else f"{value}%"


@register.filter
def step_label(step):
    return glossary.step_label(step)


@register.filter
def share(value):
    """A share of 0 to 1 as a percentage with at most one decimal: 0.648 -> "64.8%", in Persian "۶۴٫۸٪"."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "—"
    return glossary.format_share(number)


@register.filter
def reason(record, column):
    """The translated reason of a row of a result table (see glossary.row_reason)."""
    return glossary.row_reason(record, column)
