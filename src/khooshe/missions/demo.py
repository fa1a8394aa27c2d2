"""The mission part of the Kerman demo (``khooshe demo``): processed pistachio for export as a value chain
that the province's small firms cover together, with the gap the cluster still has to fill.

Each stage of the shipped food-processing chain takes the demo's firms of the matching ISIC classes; their
capacities, costs and quality are drawn from a fixed seed, so every machine gets the same consortium.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from khooshe.registry.models import Organization, Region

from .models import ChainTemplate, Demand, Licence, MemberCapacity, Mission
from .services import apply_template, compose_mission, load_shipped_templates

TITLE = "صادرات پسته فرآوری‌شده کرمان"
# stage of the food-processing template -> ISIC classes of the demo's firms that can serve it, and the
# capacity range in tonnes per month; packaging is deliberately thin, so the chain shows a gap
STAGE_SUPPLY = {
    "Farming": (["0125"], (40, 160)),
    "Collection and storage": (["0163", "5210"], (60, 220)),
    "Processing": (["1030", "1079"], (50, 180)),
    "Packaging": (["2220", "1702"], (20, 60)),
    "Distribution and sales": (["4630", "4620"], (80, 250)),
    "Export": (["4630"], (100, 300)),
}
LICENCES = {"Processing": "health permit", "Packaging": "health permit", "Export": "export licence"}


@transaction.atomic
def load_demo(*, user) -> str:
    """Create the pistachio export mission (once), compose its consortium and return one line for the demo
    summary ("" when the registry demo is missing or the mission exists)."""
    owner = Organization.objects.filter(name_en="Kerman Chamber of Commerce, Industries, Mines and Agriculture").first()
    owner = owner or Organization.objects.filter(kind="chamber", external_id__startswith="demo-").order_by("pk").first()
    if owner is None or Mission.objects.filter(title=TITLE).exists():
        return ""
    load_shipped_templates()
    rng = random.Random(1404)
    mission = Mission.objects.create(
        title=TITLE, owner=owner, region=Region.objects.filter(code="IR-108").first(), capacity_period="month",
        description="زنجیره‌ای از باغ تا بازار صادراتی که ده‌ها بنگاه کوچک استان با هم مانند یک شرکت بزرگ مجازی "
                    "پوشش می‌دهند؛ حلقه بسته‌بندی هنوز کمبود دارد.")
    stages = apply_template(user=user, mission=mission, template=ChainTemplate.objects.get(key="food_processing"))
    today = dt.date.today()
    capacities = 0
    for stage in stages:
        codes, (low, high) = STAGE_SUPPLY.get(stage.name, ([], (0, 0)))
        firms = list(Organization.objects.filter(sectors__code__in=codes, external_id__startswith="demo-")
                     .exclude(kind__in=["government", "university", "research", "chamber"])
                     .distinct().order_by("external_id")[:8])
        for firm in firms:
            MemberCapacity.objects.create(
                organization=firm, stage=stage, capacity=rng.randint(low, high),
                unit_cost=Decimal(rng.randint(30, 90) * 1_000_000), lead_time_days=rng.choice([7, 14, 21, 30]),
                quality=round(rng.uniform(0.55, 1.0), 2))
            kind = LICENCES.get(stage.name)
            if kind and not Licence.objects.filter(organization=firm, kind=kind).exists():
                Licence.objects.create(organization=firm, kind=kind, number=f"{rng.randint(10000, 99999)}",
                                       valid_from=today - dt.timedelta(days=400),
                                       valid_until=today + dt.timedelta(days=rng.choice([-30, 300, 700])))
            capacities += 1
    demand = Demand.objects.create(mission=mission, units=600, label="هدف ۱۴۰۵")
    compose_mission(user=user, mission=mission, units=demand.units, demand=demand, alternatives=2, time_limit=10.0)
    return _("a mission value chain for pistachio exports with %(stages)s stages and %(capacities)s member "
             "capacities") % {"stages": len(stages), "capacities": capacities}


def remove_demo() -> None:
    """Delete the demo's mission (its stages, capacities and consortia go with it)."""
    Mission.objects.filter(title=TITLE).delete()
