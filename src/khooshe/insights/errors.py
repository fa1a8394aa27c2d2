"""Translated messages for the problems the analytics and the upload checks report.

``khooshe.analytics`` raises ``AnalyticsInputError(code, message, **params)`` with an English message;
this module holds the one dict that turns each ``code`` into a translatable message using the same
params (column, row, value ...). An unknown code, or a message whose params are missing, falls back to
the English message of the error, so a user always reads something that names the problem.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from khooshe.core import jalali

ERROR_MESSAGES = {
    # the file itself
    "unreadable_file": _("The file could not be read as %(format)s: %(detail)s. Save it again as CSV (UTF-8), "
                         "XLSX or Parquet and upload it again."),
    "unsupported_format": _("Files of type “%(extension)s” cannot be read. Upload a CSV (UTF-8), XLSX or "
                            "Parquet file."),
    "empty_file": _("The file has no rows of data under its header row."),
    "no_columns": _("The file has no header row with column names."),
    "staged_upload_missing": _("The uploaded file is no longer here (uploads wait one day for their column "
                               "mapping). Upload it again."),
    "no_organizations": _("None of the organizations you can see has a region and a sector, so there is "
                          "nothing to analyse. Add regions and sectors to the organizations first."),
    # the column mapping
    "mapping_required": _("Choose the column that holds the %(role)s."),
    "mapping_duplicate": _("The column “%(column)s” is chosen for both the %(role)s and the %(other)s; choose "
                           "a different column for each."),
    "missing_column": _("The %(role)s column “%(column)s” is not in the data. Available columns: "
                        "%(available)s."),
    # the values
    "missing_value": _("Row %(row)s: the column “%(column)s” is empty. Fill it in (a value of 0 if there is "
                       "no activity) or remove the row."),
    "non_numeric": _("Row %(row)s, column “%(column)s”: “%(value)s” is not a number. Give numbers only "
                     "(without units or text)."),
    "negative_value": _("Row %(row)s, column “%(column)s”: %(value)s is negative. Employment, counts and wages "
                        "must be zero or more."),
    "non_finite": _("Row %(row)s, column “%(column)s”: the value is missing or infinite. Fill it with a number "
                    "(0 if there is no activity)."),
    "non_integer_year": _("Row %(row)s, column “%(column)s”: “%(value)s” is not a year. Give whole years such "
                          "as 2021."),
    "duplicate_row": _("Row %(row)s repeats region “%(region)s” and industry “%(industry)s”. Give one row per "
                       "region and industry (add them up first), or map an establishment column."),
    # what the analysis needs
    "too_few_regions": _("The analysis needs at least %(minimum)s regions; the data has %(got)s."),
    "too_few_industries": _("The analysis needs at least %(minimum)s industries; the data has %(got)s."),
    "single_region": _("The data covers a single region (%(region)s). Comparing regions needs at least two: "
                       "add the other regions of the country."),
    "empty_region": _("The region “%(region)s” has no activity in any industry. Remove it or add its values."),
    "all_zero_industry": _("The industry “%(industry)s” has no activity in any region. Remove it or add its "
                           "values."),
    "not_2d": _("The data is not a table of regions and industries."),
    "empty_data": _("There are no records to analyse."),
    "unknown_year": _("The year %(value)s is not in the data. Leave the year empty to analyse the latest one."),
    "undefined_sign": _("Every region has a comparative advantage in the same number of industries, so economic "
                        "complexity cannot be measured. Add regions or industries, or change the presence "
                        "threshold."),
    "invalid_support_institutions": _("Support institutions: region “%(region)s” has “%(value)s”; give the "
                                      "number of support institutions of each region, zero or more."),
    # anything else
    "internal_error": _("The analysis stopped because of an unexpected error (%(detail)s). The administrators "
                        "can find the details in the server log."),
}


def _display(value) -> str:
    if isinstance(value, list | tuple):
        return ("، " if jalali.is_persian() else ", ").join(str(v) for v in value)
    if isinstance(value, int | float) and not isinstance(value, bool) and jalali.is_persian():
        from khooshe.core.text import persian_digits

        return persian_digits(value)
    return "" if value is None else str(value)


def _roles() -> dict:
    """The names of the column roles as they appear inside messages."""
    return {"region": _("region"), "industry": _("industry"), "value": _("value (employment)"),
            "year": _("year"), "establishment": _("establishment"), "wage": _("wages")}


def error_message(code: str, params: Mapping | None, fallback: str = "") -> str:
    """The translated message of an analytics/upload error, or ``fallback`` (its English text)."""
    template = ERROR_MESSAGES.get(code)
    if template is None:
        return fallback or str(code)
    roles = _roles()
    values = {}
    for key, value in (params or {}).items():
        values[key] = str(roles[value]) if key in ("role", "other") and value in roles else _display(value)
    try:
        return str(template) % values
    except (KeyError, ValueError, TypeError):
        return fallback or str(template)


def describe(exc) -> str:
    """The translated message of an ``AnalyticsInputError``."""
    return error_message(getattr(exc, "code", ""), getattr(exc, "params", {}), str(exc))


# Which form field an error belongs to, so the upload form shows it next to that field.
def field_of(exc, mapping: Mapping[str, str] | None = None) -> str | None:
    params = getattr(exc, "params", {}) or {}
    role = params.get("role")
    if role in _roles():
        return f"{role}_col"
    column = params.get("column")
    for role_name, mapped in (mapping or {}).items():
        if column is not None and mapped == column:
            return f"{role_name}_col"
    return None
