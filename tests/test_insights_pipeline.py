"""The insights app with the real analytics pipeline: a province x ISIC panel with years and
establishments, uploaded, analysed in the background task, and every result page, the map, the
priorities and "create registry cluster" working on the pipeline's real tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from django.urls import reverse
from factories import make_org, make_user
from test_insights_support import IMMEDIATE, run_analysis, upload

from khooshe.insights import selectors, services
from khooshe.registry.models import Cluster, Region, Sector

pytestmark = pytest.mark.django_db
INDUSTRIES = ["10", "13", "20", "26", "55", "62"]


@pytest.fixture
def panel(reference_data, settings, tmp_path):
    """12 provinces (by their Persian names) x 6 ISIC divisions x 2 years, one row per establishment."""
    settings.KHOOSHE_INSIGHTS_DIR = tmp_path / "insights"
    settings.TASKS = IMMEDIATE
    provinces = list(Region.objects.filter(kind=Region.Kind.PROVINCE).order_by("code")
                     .values_list("name_fa", flat=True)[:12])
    rng = np.random.default_rng(7)
    rows = []
    for p, province in enumerate(provinces):
        for i, industry in enumerate(INDUSTRIES):
            # each province strong in one to three industries (regions of different diversity)
            specialised = i in {p % 6, (p + 1) % 6 if p % 2 else -1, (p + 3) % 6 if p % 3 == 0 else -1}
            for year, growth in ((2019, 1.0), (2022, 1.3 if specialised else 1.05)):
                for establishment in range(6 if specialised else 3):
                    size = rng.integers(20, 60) * (8 if specialised else 1) * growth
                    rows.append((province, industry, year, f"{p}-{i}-{establishment}", round(float(size), 1)))
    frame = pd.DataFrame(rows, columns=["استان", "کد فعالیت", "سال", "کارگاه", "شاغلان"])
    return frame


def test_upload_and_analyse_with_the_real_pipeline(client, panel, django_capture_on_commit_callbacks):
    admin = make_user(superuser=True)
    dataset = services.create_dataset_from_file(
        user=admin, uploaded_file=upload("panel.csv", panel.to_csv(index=False).encode()), name="Panel",
        mapping={"region": "استان", "industry": "کد فعالیت", "value": "شاغلان", "year": "سال",
                 "establishment": "کارگاه"})
    run = run_analysis(admin, dataset, django_capture_on_commit_callbacks)
    assert run.status == "succeeded", (run.error_code, run.error_message)
    assert {"region_industry", "regions", "industries", "clusters", "diversification", "relatedness_edges",
            "cluster_definitions", "spatial", "spatial_local"} <= set(run.tables)  # spatial: from the boundaries
    assert len(run.labels["regions"]) == 12 and set(run.labels["industries"]) == set(INDUSTRIES)

    # The location quotients of the analysed (latest) year are those of the uploaded records.
    latest = panel[panel["سال"] == 2022].groupby(["استان", "کد فعالیت"])["شاغلان"].sum().unstack()
    lq = latest.div(latest.sum(axis=1), axis=0) / (latest.sum(axis=0) / latest.to_numpy().sum())
    table = selectors.table_page(run, "region_industry", selectors.TableRequest(per_page=100))
    got = {(r["region"], r["industry"]): r["lq"] for r in table.records()}
    assert len(got) == 72
    for (region, industry), value in got.items():
        assert value == pytest.approx(lq.loc[region, industry], rel=1e-9)

    # Every tab renders, in both languages.
    client.force_login(admin)
    tabs = [name for name, _title in client.get(run.get_absolute_url()).context["tabs"]]
    assert {"clusters", "regions", "map"} <= set(tabs)
    for language in ("fa", "en"):
        client.cookies["khooshe_language"] = language
        for tab in tabs:
            response = client.get(run.get_absolute_url(), {"tab": tab})
            assert response.status_code == 200, (language, tab)
    # The map colours all 12 provinces (matched by their Persian names).
    data = client.get(reverse("insights:run_map", args=[run.pk]), {"industry": "26"}).json()
    assert len(data["provinces"]) == 12 and not data["unmatched"] and data["year"] == 2022 == run.meta["year"]
    # The candidates re-rank with the weights; "create registry cluster" proposes the top one.
    priority = client.get(reverse("insights:run_priorities", args=[run.pk]), {"w_employment": "1"}).context["priority"]
    assert priority.total == run.tables["clusters"]["rows"] > 0
    top = priority.rows[0]
    sector = Sector.objects.get(scheme="ISIC4", code=top["industry"])
    region = Region.objects.get(kind=Region.Kind.PROVINCE, name_fa=top["region"])
    member = make_org(region=region)
    member.sectors.add(Sector.objects.filter(path__startswith=f"{sector.path}/").first())
    response = client.post(reverse("insights:create_cluster", args=[run.pk]), {
        "region": top["region"], "industry": top["industry"], "name_fa": "خوشه آزمایشی", "visibility": "private"})
    cluster = Cluster.objects.get(name_fa="خوشه آزمایشی")
    assert response.status_code == 302 and list(cluster.members.all()) == [member]
    assert cluster.stage == top["stage"] and list(cluster.sectors.all()) == [sector]
