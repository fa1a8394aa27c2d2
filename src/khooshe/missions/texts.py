"""Sentences of the value-chain engine (khooshe.analytics.valuechain) in the user's language.

The engine is pure Python and words its gaps and left-out offers in English; it also returns their codes and
numbers, from which these functions write the sentence the page, the API and a posted challenge show.
"""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

GAP_LABELS = {
    "no_capacity": gettext_lazy("no qualified capacity"),
    "low_capacity": gettext_lazy("too little capacity"),
    "single_supplier": gettext_lazy("single supplier"),
    "too_few_suppliers": gettext_lazy("too few suppliers for the share limit"),
    "expiring_licence": gettext_lazy("licences expiring"),
}


def _names(ids, member_names: dict) -> str:
    return "، ".join(str(member_names.get(str(i), i)) for i in ids) if ids else "–"


def gap_message(gap, stage_name: str, member_names: dict | None = None, horizon_days: int = 90) -> str:
    """The gap as a sentence: what is wrong at the stage, with its figures."""
    names = member_names or {}
    params = {"stage": stage_name, "capacity": number_format(gap.capacity), "needed": number_format(gap.needed),
              "members": _names(gap.members, names), "count": number_format(len(gap.members)),
              "days": number_format(horizon_days)}
    if gap.kind == "no_capacity":
        return _("No qualified member can serve the stage “%(stage)s”.") % params
    if gap.kind == "low_capacity":
        return _("The stage “%(stage)s” has %(capacity)s units of qualified capacity for a need of %(needed)s.") % params
    if gap.kind == "single_supplier":
        return _("The stage “%(stage)s” depends on one member: %(members)s.") % params
    if gap.kind == "too_few_suppliers":
        return _("The stage “%(stage)s” has %(count)s qualified members, too few for its share limit.") % params
    if gap.kind == "expiring_licence":
        return _("At the stage “%(stage)s”, the licences of %(members)s end within %(days)s days.") % params
    return gap.message


def exclusion_reason(code: str, params: dict, stage_name: str, member_name: str) -> str:
    """Why an offer was left out of a composition."""
    values = {"member": member_name, "stage": stage_name, "licence": params.get("licence", ""),
              "day": params.get("day", ""), "quality": params.get("quality", ""), "floor": params.get("floor", ""),
              "min_lot": params.get("min_lot", "")}
    texts = {
        "missing_licence": _("%(member)s does not hold the licence “%(licence)s” that the stage “%(stage)s” requires."),
        "invalid_licence": _("The licence “%(licence)s” of %(member)s is not valid on %(day)s."),
        "low_quality": _("The quality of %(member)s (%(quality)s) is below the floor of the stage “%(stage)s” "
                         "(%(floor)s)."),
        "no_capacity": _("%(member)s has no capacity for the stage “%(stage)s”."),
        "below_min_lot": _("The largest volume %(member)s may take at the stage “%(stage)s” is below its minimum "
                           "lot (%(min_lot)s)."),
    }
    return texts[code] % values if code in texts else ""
