"""Record makers for the site selection tests (plain functions, as tests/factories.py)."""

from __future__ import annotations

from factories import make_org, seq

from khooshe.hubs.siting import services
from khooshe.hubs.siting.models import CandidateSite, SitingCriterion, SitingStudy


def make_study(*, criteria: bool = True, **kw) -> SitingStudy:
    """A study; with ``criteria`` the default criteria of the source document."""
    defaults = {"name": f"مکان‌یابی کارخانه نوآوری {seq()}"}
    defaults.update(kw)
    if "owner" not in defaults:
        defaults["owner"] = make_org()
    study = SitingStudy.objects.create(**defaults)
    if criteria:
        services.add_default_criteria(study=study)
    return study


def make_studies(n: int = 3) -> list[SitingStudy]:
    return [make_study(name=f"مطالعه {seq()}", published=True) for _ in range(n)]


def make_small_case(**kw) -> SitingStudy:
    """Three candidates on three criteria: the distance to the airport (km, less is better, weight 2),
    the building's area (m², weight 1) and the utilities (score 1-5, weight 1)."""
    study = make_study(criteria=False, **kw)
    for i, (key, direction, weight) in enumerate((("km_airport", "cost", 2), ("area_m2", "benefit", 1),
                                                  ("utilities", "benefit", 1))):
        SitingCriterion.objects.create(study=study, key=key, name=key.replace("_", " "), direction=direction,
                                       weight=weight, order=i)
    for name, km, area, utilities, lat, lon in (("A", 10, 3000, 2, 30.28, 57.07), ("B", 20, 6000, 4, 30.30, 57.10),
                                                ("C", 40, 5000, 5, 30.35, 57.00)):
        CandidateSite.objects.create(study=study, name=name, latitude=lat, longitude=lon,
                                     values={"km_airport": km, "area_m2": area, "utilities": utilities})
    return study
