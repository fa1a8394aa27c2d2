"""Record makers for the missions app's tests (see factories.py for the registry's)."""

from __future__ import annotations

from factories import make_org, seq

from khooshe.missions import models as mm


def make_mission(owner=None, **kw) -> mm.Mission:
    n = seq()
    defaults = {"owner": owner or make_org(), "title": f"ماموریت دارو {n}", "description": f"زنجیره {n}"}
    defaults.update(kw)
    return mm.Mission.objects.create(**defaults)


def make_missions(n: int = 3) -> list[mm.Mission]:
    return [make_mission(title=f"ماموریت {['الف', 'ب', 'پ'][i % 3]} {seq()}") for i in range(n)]


def make_stage(mission=None, predecessors=(), **kw) -> mm.Stage:
    n = seq()
    defaults = {"mission": mission or make_mission(), "name": f"مرحله {n}", "position": n % 7}
    defaults.update(kw)
    stage = mm.Stage.objects.create(**defaults)
    if predecessors:
        stage.predecessors.set(predecessors)
    return stage


def make_stages(n: int = 3) -> list[mm.Stage]:
    return [make_stage(position=i + 1, min_lot=i * 5, min_quality=i / 10, max_share=1 - i / 10) for i in range(n)]


def make_licence(organization=None, **kw) -> mm.Licence:
    n = seq()
    defaults = {"organization": organization or make_org(), "kind": f"gmp{n}", "number": f"L-{n}"}
    defaults.update(kw)
    return mm.Licence.objects.create(**defaults)


def make_licences(n: int = 3) -> list[mm.Licence]:
    import datetime as dt

    return [make_licence(valid_until=dt.date(2027, 1, 1) + dt.timedelta(days=30 * i)) for i in range(n)]


def make_capacity(organization=None, stage=None, **kw) -> mm.MemberCapacity:
    n = seq()
    defaults = {"organization": organization or make_org(), "stage": stage or make_stage(), "capacity": 10 * n,
                "unit_cost": n, "lead_time_days": n % 9, "quality": 0.9}
    defaults.update(kw)
    return mm.MemberCapacity.objects.create(**defaults)


def make_capacities(n: int = 3) -> list[mm.MemberCapacity]:
    return [make_capacity(capacity=100 + i * 10, unit_cost=5 + i, quality=0.5 + i / 10) for i in range(n)]


def make_demand(mission=None, **kw) -> mm.Demand:
    n = seq()
    defaults = {"mission": mission or make_mission(), "units": 100 + n, "label": f"هدف {n}"}
    defaults.update(kw)
    return mm.Demand.objects.create(**defaults)


def make_demands(n: int = 3) -> list[mm.Demand]:
    return [make_demand(units=100 * (i + 1)) for i in range(n)]


def make_template(**kw) -> mm.ChainTemplate:
    n = seq()
    defaults = {"key": f"t{n}", "name_fa": f"الگوی زنجیره {n}", "name_en": f"Template {n}",
                "stages": '[{"name": "A"}, {"name": "B", "predecessors": ["A"]}]'}
    defaults.update(kw)
    return mm.ChainTemplate.objects.create(**defaults)


def make_templates(n: int = 3) -> list[mm.ChainTemplate]:
    return [make_template() for _ in range(n)]


def make_chain(owner=None):
    """A small pharmaceutical chain: API synthesis (gmp) -> packaging (max share 0.6) -> sales."""
    import datetime as dt

    mission = make_mission(owner=owner)
    api = make_stage(mission, name="سنتز", position=1, licences="gmp", min_lot=5)
    pack = make_stage(mission, [api], name="بسته‌بندی", position=2, max_share=0.6)
    sell = make_stage(mission, [pack], name="فروش", position=3)
    a, b, c = make_org(name_fa="داروسازان الف"), make_org(name_fa="داروسازان ب"), make_org(name_fa="بسته ساز ج")
    d, e = make_org(name_fa="بسته ساز د"), make_org(name_fa="پخش ه")
    make_licence(a, kind="gmp", valid_until=dt.date(2099, 1, 1))
    make_licence(b, kind="gmp", valid_until=dt.date(2000, 1, 1))          # expired: b cannot serve
    make_capacity(a, api, capacity=100, unit_cost=10)
    make_capacity(b, api, capacity=100, unit_cost=5)
    make_capacity(c, pack, capacity=50, unit_cost=2)
    make_capacity(d, pack, capacity=50, unit_cost=3)
    make_capacity(e, sell, capacity=500, unit_cost=1)
    return mission, {"api": api, "pack": pack, "sell": sell}, {"a": a, "b": b, "c": c, "d": d, "e": e}
