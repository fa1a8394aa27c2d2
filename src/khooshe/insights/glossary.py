"""What the result tables and their columns are called, with one plain sentence each for people who are
not economists (shown as column titles and tooltips). Columns not listed here show their raw name.

Also why each cluster got its stage, type and technology level: the pipeline stores a reason code and
its figures (``<prefix>_reason_code``, ``<prefix>_reason_params``); ``REASONS`` holds one translatable
sentence per code and ``reason_text`` fills it with the figures written for the reader's language."""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from khooshe.core import jalali
from khooshe.core.text import persian_digits

# name -> (title, explanation)
TABLES = {
    "clusters": (_("Candidate clusters"), _("The region-industry pairs that qualify as clusters, with their "
                                            "life-cycle stage, type and priority.")),
    "regions": (_("Regions"), _("One row per region: its size, how diverse and how specialised it is.")),
    "industries": (_("Cluster categories"), _("One row per industry: its size, how widespread and how "
                                              "complex it is, and its type.")),
    "region_industry": (_("Regions × industries"), _("Every industry in every region: its concentration "
                                                     "(location quotient), stars and strength flags.")),
    "diversification": (_("Diversification"), _("For each region, the industries it does not have yet but could "
                                                 "grow, the most related first.")),
    "relatedness_edges": (_("Related industries"), _("Pairs of industries that tend to be found in the same "
                                                     "regions, and how strongly.")),
    "cluster_definitions": (_("Cluster definitions"), _("Groups of related industries that form one cluster "
                                                        "category.")),
    "spatial": (_("Spatial concentration"), _("Whether the regions where an industry is concentrated lie next "
                                              "to each other on the map.")),
    "spatial_local": (_("Hot spots"), _("Regions with a high concentration surrounded by regions with a high "
                                        "concentration.")),
}

COLUMNS = {
    "region": (_("Region"), None),
    "industry": (_("Industry"), _("The industry or cluster category.")),
    "year": (_("Year"), None),
    "employment": (_("Employment"), _("Number of people employed.")),
    "establishments": (_("Establishments"), _("Number of firms or workplaces.")),
    "wages": (_("Wages"), _("Total wages paid.")),
    "lq": (_("Location quotient"), _("How concentrated the industry is in this region compared with the whole "
                                     "country: above 1 means more than the national average.")),
    "rca": (_("Comparative advantage (RCA)"), _("The same ratio as the location quotient, as economic "
                                                "complexity uses it.")),
    "mcp": (_("Present"), _("Yes when the region's comparative advantage in the industry reaches the "
                            "threshold.")),
    "density": (_("Relatedness density"), _("Share of the industries related to this one that the region "
                                            "already has: high means it would be easier to grow here.")),
    "cog": (_("Complexity outlook gain"), _("How much adding this industry would open the way to other, more "
                                            "complex industries.")),
    "star_size": (_("Size star"), _("The industry's employment is among the top 10% of regions.")),
    "star_specialisation": (_("Specialisation star"), _("The location quotient is 2 or more.")),
    "star_focus": (_("Focus star"), _("The industry's share of the region's employment is among the top 10% "
                                      "of regions.")),
    "stars": (_("Stars"), _("European Cluster Observatory stars (0 to 3): size, specialisation and focus.")),
    "strong": (_("Strong cluster"), _("U.S. Cluster Mapping: location quotient and size in the top quarter "
                                      "of regions.")),
    "strong10": (_("Strong cluster (top 10%)"), _("As a strong cluster, in the top tenth of regions.")),
    "qualifying": (_("Qualifying cluster"), _("U.S. Cluster Mapping: above the lowest quarter of regions.")),
    "significant": (_("Significant cluster"), _("U.S. Cluster Mapping: above the median region.")),
    "diversity": (_("Diversity"), _("Number of industries in which the region has a comparative advantage.")),
    "eci": (_("Economic complexity"), _("How diverse and sophisticated the region's industries are compared "
                                        "with other regions.")),
    "coi": (_("Complexity outlook"), _("How many complex industries lie close to what the region already "
                                       "does.")),
    "krugman": (_("Krugman specialisation"), _("How different the region's mix of industries is from the "
                                               "country's (0 = the same).")),
    "hachman": (_("Hachman index"), _("How similar the region's mix of industries is to the country's "
                                      "(1 = the same).")),
    "entropy": (_("Entropy"), _("How evenly the region's employment is spread over industries.")),
    "ubiquity": (_("Ubiquity"), _("Number of regions with a comparative advantage in the industry.")),
    "pci": (_("Industry complexity"), _("How sophisticated the industry is: found in few, diverse regions.")),
    "locational_gini": (_("Locational Gini"), _("How unevenly the industry is spread over regions (0 = evenly, "
                                                "1 = all in one place).")),
    "tech_level": (_("Technology level"), _("OECD/Eurostat technology intensity of the industry.")),
    "cluster_type": (_("Type"), _("Local, natural-resource-dependent or traded, from how concentrated the "
                                  "industry is.")),
    "type_reason": (_("Why this type"), None),
    "stage": (_("Life-cycle stage"), _("Embryonic, formed, developing or developed.")),
    "stage_reason": (_("Why this stage"), None),
    "tech_reason": (_("Why this technology level"), None),
    "stage_reason_code": (_("Why this stage (code)"), _("The stable code of the reason, for programs.")),
    "type_reason_code": (_("Why this type (code)"), _("The stable code of the reason, for programs.")),
    "tech_reason_code": (_("Why this technology level (code)"), _("The stable code of the reason, for programs.")),
    "stage_reason_params": (_("Why this stage (figures)"), _("The figures and thresholds behind the reason.")),
    "type_reason_params": (_("Why this type (figures)"), _("The figures and thresholds behind the reason.")),
    "tech_reason_params": (_("Why this technology level (figures)"),
                           _("The figures and thresholds behind the reason.")),
    "support_institutions": (_("Support institutions"), _("Universities, research institutes, chambers, "
                                                          "accelerators, service providers... in the region.")),
    "support_density": (_("Support density"), _("Support institutions per 100 establishments of the region; "
                                                 "a developed cluster needs enough of them.")),
    "regions_present": (_("Regions with activity"), _("Number of regions where the industry employs anyone.")),
    "industries_present": (_("Industries with activity"), _("Number of industries that employ anyone in the "
                                                            "region.")),
    "herfindahl": (_("Herfindahl index"), _("How concentrated the region's employment is in a few industries "
                                            "(1 = all in one).")),
    "hoover": (_("Hoover index"), _("How differently the industry is spread over regions than employment as "
                                    "a whole (0 = the same).")),
    "cluster_group": (_("Cluster definition"), _("The group of related industries this industry belongs to.")),
    "employment_base": (_("Employment in the first year"), None),
    "national_share": (_("Shift-share: national growth"), _("Jobs the region would have gained had the industry "
                                                            "grown like the whole economy.")),
    "industry_mix": (_("Shift-share: industry mix"), _("Jobs gained or lost because this industry grew faster or "
                                                       "slower than the economy.")),
    "regional_shift": (_("Shift-share: regional shift"), _("Jobs gained or lost because the region did better "
                                                           "or worse than the industry nationally.")),
    "ellison_glaeser": (_("Ellison-Glaeser index"), _("Agglomeration beyond what the size of its firms "
                                                      "explains: above 0.05 is highly concentrated.")),
    "z": (_("z-score"), None),
    "score": (_("Priority score"), _("The higher, the more the cluster matters by the chosen criteria.")),
    "rank": (_("Rank"), None),
    "industry_a": (_("Industry"), None),
    "industry_b": (_("Related industry"), None),
    "weight": (_("Relatedness"), _("How often the two industries are found together (higher = closer).")),
    "group": (_("Cluster definition"), None),
    "moran_i": (_("Moran's I"), _("Above 0: regions with a high location quotient lie next to each other.")),
    "p_value": (_("p-value"), _("Chance that the pattern is random; below 0.05 is usually taken as real.")),
    "local_i": (_("Local Moran's I"), None),
    "quadrant": (_("Quadrant"), _("High-high: a concentrated region among concentrated regions.")),
    "hot_spot": (_("Hot spot"), None),
    "growth": (_("Growth"), _("Average yearly growth of employment.")),
    "cagr": (_("Growth"), _("Average yearly growth of employment.")),
    "value_added": (_("Value added"), None),
    "exports": (_("Exports"), None),
}

# Values the analytics give as stable codes (stage, type, technology level), shown in the reader's language.
VALUE_LABELS = {
    "embryonic": _("embryonic"), "formed": _("formed"), "developing": _("developing"), "developed": _("developed"),
    "local": _("local"), "traded": _("traded"), "natural_resource": _("natural-resource-dependent"),
    "high": _("high-tech manufacturing"), "medium_high": _("medium-high-tech manufacturing"),
    "medium_low": _("medium-low-tech manufacturing"), "low": _("low-tech manufacturing"),
    "kis_high_tech": _("high-tech knowledge-intensive services"),
    "kis_market": _("knowledge-intensive market services"),
    "kis_financial": _("knowledge-intensive financial services"),
    "kis_other": _("other knowledge-intensive services"),
    "lkis_market": _("less knowledge-intensive market services"),
    "lkis_other": _("other less knowledge-intensive services"), "not_covered": _("not classified"),
    "mixed": _("mixed"),
}
LABELLED_COLUMNS = {"stage", "cluster_type", "tech_level"}

# Criteria of the cluster-priority table, grouped as the issue groups them (economic, social, industrial).
CRITERIA_GROUPS = [
    (_("Economic"), ["value_added", "exports", "wages"]),
    (_("Social"), ["employment", "graduate_jobs", "establishments"]),
    (_("Industrial"), ["lq", "growth", "density", "pci", "cog", "stars"]),
]


# The steps an analysis goes through (the pipeline reports them in English; stored as reported).
STEPS = {
    "waiting": _("Waiting for a worker"),
    "starting": _("Starting"),
    "reading the data": _("Reading the data"),
    "aggregating by region and industry": _("Adding up the records by region and industry"),
    "plant shares for Ellison-Glaeser": _("Establishment shares for the Ellison-Glaeser index"),
    "building the region x industry matrices": _("Building the region × industry tables"),
    "location quotients and stars": _("Location quotients and stars"),
    "economic complexity": _("Economic complexity"),
    "growth and shift-share": _("Growth and shift-share"),
    "regional and industry indicators": _("Indicators of regions and industries"),
    "Ellison-Glaeser agglomeration": _("Ellison-Glaeser agglomeration"),
    "related industries and cluster definitions": _("Related industries and cluster definitions"),
    "candidate clusters: stage, type and priority": _("Candidate clusters: stage, type and priority"),
    "diversification opportunities": _("Diversification opportunities"),
    "spatial concentration": _("Spatial concentration"),
    "done": _("Writing the results"),
}


# -- why: the reasons of the classifications ----------------------------------------------------------------
# One sentence per reason code of khooshe.analytics.classify (lifecycle_stage, cluster_type,
# technology_level), with the figures of reason_params; the English source is the analytics' own sentence.
REASONS = {
    # life-cycle stage
    "embryonic_small": _("Embryonic: %(establishments)s establishments and %(employment)s employees, fewer than "
                         "the %(formed_min_establishments)s establishments and %(formed_min_employment)s employees "
                         "a formed cluster needs."),
    "embryonic_few_establishments": _("Embryonic: %(establishments)s establishments, fewer than the "
                                      "%(formed_min_establishments)s a formed cluster needs."),
    "embryonic_small_employment": _("Embryonic: %(employment)s employees, fewer than the %(formed_min_employment)s "
                                    "a formed cluster needs."),
    "developed": _("Developed: %(establishments)s establishments, %(employment)s employees and %(support_density)s "
                   "support institutions per 100 establishments (at least %(developed_min_establishments)s, "
                   "%(developed_min_employment)s and %(developed_min_support_density)s)."),
    "developing_growth": _("Developing: employment grows %(growth)s a year (at least %(developing_min_growth)s); "
                           "not yet developed: it has %(lacking)s a developed cluster needs."),
    "formed_growth_unknown": _("Formed: %(establishments)s establishments and %(employment)s employees; growth "
                               "unknown; not developed: it has %(lacking)s a developed cluster needs."),
    "formed_slow_growth": _("Formed: %(establishments)s establishments and %(employment)s employees, but employment "
                            "grows %(growth)s a year (less than %(developing_min_growth)s); not developed: it has "
                            "%(lacking)s a developed cluster needs."),
    # what a cluster lacks to be developed (the %(lacking)s above)
    "lacking_establishments": _("%(value)s of the %(threshold)s establishments"),
    "lacking_employment": _("%(value)s of the %(threshold)s employees"),
    "lacking_support": _("%(value)s of the %(threshold)s support institutions per 100 establishments"),
    "lacking_support_unknown": _("an unknown number of the %(threshold)s support institutions per 100 "
                                 "establishments"),
    # type: local / natural-resource-dependent / traded
    "natural_resource_listed": _("Natural-resource-dependent: %(industry)s is in the natural-resource list "
                                 "(%(natural_resource_match)s); such industries locate where the resource is, "
                                 "whatever their concentration (locational Gini %(locational_gini)s)."),
    "traded_concentrated": _("Traded: concentrated in some regions (locational Gini %(locational_gini)s, at least "
                             "%(gini_threshold)s); %(share_regions_even)s of regions have a location quotient "
                             "between %(band_low)s and %(band_high)s."),
    "traded_uneven": _("Traded: only %(share_regions_even)s of regions have a location quotient between "
                       "%(band_low)s and %(band_high)s (a local industry needs at least %(even_share)s), although "
                       "its locational Gini %(locational_gini)s is below %(gini_threshold)s."),
    "local_even": _("Local: spread like the regions' size (locational Gini %(locational_gini)s, below "
                    "%(gini_threshold)s) and %(share_regions_even)s of regions have a location quotient between "
                    "%(band_low)s and %(band_high)s (at least %(even_share)s)."),
    # technology level (Eurostat's high-tech aggregation)
    "eurostat_manufacturing": _("ISIC %(code)s falls in %(matched_code)s (NACE %(nace_rev2)s, %(title)s): "
                                "%(level)s in Eurostat's high-tech aggregation."),
    "eurostat_services": _("ISIC %(code)s falls in %(matched_code)s (NACE %(nace_rev2)s, %(title)s): %(level)s in "
                           "Eurostat's aggregation of services."),
    "eurostat_division_with_exceptions": _("Division %(matched_code)s (%(title)s) as a whole is %(level)s "
                                           "(Eurostat's 2-digit aggregation); its groups %(exceptions)s differ: "
                                           "give a 3- or 4-digit code for a finer answer."),
    "not_covered": _("ISIC %(code)s falls in %(matched_code)s (NACE %(nace_rev2)s, %(title)s): Eurostat's "
                     "technology aggregation covers manufacturing and services only."),
    "mixed_section": _("Section %(matched_code)s (%(title)s) spans several technology levels; give a division or "
                       "a finer code."),
    "unknown_isic_code": _("“%(code)s” is not an ISIC Rev.4 code, so it has no technology level."),
}

# How each figure of reason_params is written (anything not listed is shown as given).
_COUNT_PARAMS = {"employment", "establishments", "formed_min_establishments", "formed_min_employment",
                 "developed_min_establishments", "developed_min_employment"}
_DECIMAL_PARAMS = {"support_density", "developed_min_support_density"}
_PERCENT_PARAMS = {"growth": 1, "developing_min_growth": 1, "share_regions_even": 0, "even_share": 0}
_GINI_PARAMS = {"locational_gini"}

# A classification and the column that says why; the prefix of its code and params columns.
REASON_OF = {"stage": "stage_reason", "cluster_type": "type_reason", "tech_level": "tech_reason"}
REASON_PREFIXES = {"stage_reason": "stage", "type_reason": "type", "tech_reason": "tech"}
# Shown through the sentence of their reason column, not as columns of their own on the pages.
HIDDEN_COLUMNS = {f"{prefix}_reason_{part}" for prefix in REASON_PREFIXES.values() for part in ("code", "params")}

LIFECYCLE_RULES = [
    _("Embryonic: fewer than %(formed_min_establishments)s establishments or fewer than %(formed_min_employment)s "
      "employees."),
    _("Developed: at least %(developed_min_establishments)s establishments, %(developed_min_employment)s employees "
      "and %(developed_min_support_density)s support institutions (universities, research institutes, chambers, "
      "accelerators, service providers...) per 100 establishments of the region."),
    _("Developing: not developed, and employment grows at least %(developing_min_growth)s a year (compound annual "
      "growth)."),
    _("Formed: every other cluster: big enough to be a cluster, but neither growing that fast nor developed."),
]


def _localise(text: str) -> str:
    """Separators and digits of a number written the English way, for the active language."""
    if jalali.is_persian():
        return persian_digits(text.replace(",", "٬").replace(".", "٫"))
    return text


def _count(value: float) -> str:
    return _localise(f"{value:,.0f}" if float(value) == int(value) else f"{value:,.1f}")


def _decimal(value: float) -> str:
    """Up to two decimals without trailing zeros: 1.0 -> 1, 0.99 -> 0.99."""
    return _localise(f"{value:,.2f}".rstrip("0").rstrip("."))


def _percent(value: float, decimals: int) -> str:
    text = f"{value * 100:,.{decimals}f}"
    return f"{_localise(text)}٪" if jalali.is_persian() else f"{text}%"


def format_share(value: float) -> str:
    """A share of 0 to 1 as a percentage with at most one decimal: 0.648 -> "64.8%" ("۶۴٫۸٪")."""
    if value is None or not math.isfinite(value):
        return "—"
    text = f"{value * 100:.1f}".rstrip("0").rstrip(".")
    return f"{_localise(text)}٪" if jalali.is_persian() else f"{text}%"


def format_figure(name: str, value) -> str:
    """One figure of a reason as the reader writes it (Persian digits and separators in Persian)."""
    if value is None or isinstance(value, bool):
        return "—" if value is None else str(value)
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return "—"
        if name in _COUNT_PARAMS:
            return _count(value)
        if name in _PERCENT_PARAMS:
            return _percent(value, _PERCENT_PARAMS[name])
        if name in _GINI_PARAMS:
            return _localise(f"{value:.3f}")
        if name in _DECIMAL_PARAMS:
            return _decimal(value)
        return _localise(f"{value:g}")
    return str(value)


@lru_cache(maxsize=1)
def _isic_titles_fa() -> dict[str, str]:
    path = Path(__file__).resolve().parent.parent / "registry" / "data" / "isic4_fa.csv"
    try:
        with path.open(encoding="utf-8") as handle:
            return {row["code"]: row["title_fa"] for row in csv.DictReader(handle)}
    except OSError:
        return {}


def _lacking(params: Mapping) -> str:
    """What a cluster lacks to be developed, from its figures and the thresholds in its params."""
    parts = []
    for figure, threshold, code in (("establishments", "developed_min_establishments", "lacking_establishments"),
                                    ("employment", "developed_min_employment", "lacking_employment")):
        if params[figure] < params[threshold]:
            parts.append(str(REASONS[code]) % {"value": format_figure(figure, params[figure]),
                                               "threshold": format_figure(threshold, params[threshold])})
    support, minimum = params.get("support_density"), params["developed_min_support_density"]
    threshold = format_figure("developed_min_support_density", minimum)
    if support is None:
        parts.append(str(REASONS["lacking_support_unknown"]) % {"threshold": threshold})
    elif support < minimum:
        parts.append(str(REASONS["lacking_support"]) % {"value": format_figure("support_density", support),
                                                         "threshold": threshold})
    return ("، " if jalali.is_persian() else ", ").join(parts)


def reason_text(code, params, fallback: str = "", language: str | None = None) -> str:
    """The reason of a classification as a sentence in the reader's language (or ``language``).

    ``params`` is the dict of figures (or its JSON text, as stored in the result tables). An unknown code
    or figures that do not fit the sentence give ``fallback`` (the analytics' English sentence)."""
    if language is not None:
        with translation.override(language):
            return reason_text(code, params, fallback)
    template = REASONS.get(code) if isinstance(code, str) else None
    if template is None:
        return fallback or ""
    try:
        if isinstance(params, str):
            params = json.loads(params)
        if not isinstance(params, Mapping):
            return fallback or ""
        values = {name: format_figure(name, value) for name, value in params.items()}
        if "level" in params:
            values["level"] = value_label("tech_level", params["level"]) or str(params["level"])
        if jalali.is_persian() and params.get("matched_code") in _isic_titles_fa():
            values["title"] = _isic_titles_fa()[params["matched_code"]]
        if "%(lacking)s" in str(template):
            values["lacking"] = _lacking(params)
        return str(template) % values
    except (KeyError, TypeError, ValueError):
        return fallback or ""


def row_reason(record: Mapping, column: str) -> str:
    """The translated reason of a row of a result table, for a reason column (``stage_reason``) or the
    classification it explains (``stage``); the stored English sentence when the row has no code."""
    column = REASON_OF.get(column, column)
    prefix = REASON_PREFIXES.get(column)
    if prefix is None:
        return ""
    fallback = record.get(column)
    fallback = fallback if isinstance(fallback, str) else ""
    return reason_text(record.get(f"{prefix}_reason_code"), record.get(f"{prefix}_reason_params"), fallback)


def lifecycle_rules_text(rules: Mapping | None = None) -> list[str]:
    """The life-cycle rule, one translated sentence per stage in the order it is checked, with the
    thresholds of ``rules`` (the fields of ``classify.LifecycleRules``; default: its defaults)."""
    from dataclasses import asdict

    from khooshe.analytics.classify import DEFAULT_LIFECYCLE_RULES

    values = asdict(DEFAULT_LIFECYCLE_RULES) | dict(rules or {})
    formatted = {name: format_figure(name, value) for name, value in values.items()}
    return [str(rule) % formatted for rule in LIFECYCLE_RULES]


# -- AHP: Saaty's scale of pairwise comparisons ----------------------------------------------------------------
SAATY_SCALE = {
    1: _("equally important"),
    2: _("equally to moderately more important"),
    3: _("moderately more important"),
    4: _("moderately to strongly more important"),
    5: _("strongly more important"),
    6: _("strongly to very strongly more important"),
    7: _("very strongly more important"),
    8: _("very strongly to extremely more important"),
    9: _("extremely more important"),
}


def step_label(step: str) -> str:
    """A step of an analysis in the reader's language (an unknown step as reported)."""
    return str(STEPS[step]) if step in STEPS else step


def value_label(column: str, value) -> str | None:
    """The translated name of a coded value (e.g. stage "developing"), or None when it has none."""
    if column in LABELLED_COLUMNS and isinstance(value, str) and value in VALUE_LABELS:
        return str(VALUE_LABELS[value])
    return None


def table_title(name: str) -> str:
    return str(TABLES[name][0]) if name in TABLES else name.replace("_", " ")


def table_help(name: str) -> str:
    return str(TABLES[name][1]) if name in TABLES else ""


def column_title(name: str) -> str:
    return str(COLUMNS[name][0]) if name in COLUMNS else name.replace("_", " ")


def column_help(name: str) -> str:
    entry = COLUMNS.get(name)
    return str(entry[1]) if entry and entry[1] else ""
