"""Load a large, reproducible registry into the benchmark's PostgreSQL database with COPY.

    .venv/bin/python benchmarks/load_data.py                     # 100,000 organizations, 500,000 relations
    .venv/bin/python benchmarks/load_data.py --organizations 2000 --relations 10000   # a quick try

The database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/khooshe_bench) is created when
missing and migrated; the registry's tables are emptied and refilled. Rows are built as model instances
and go through the models' own derivation (``prepare_for_save``: normalized names, ``name_key``,
``search_text``, relation classification), then each field's ``pre_save``/``get_db_prep_save``, so what
lands in the database is what ``save()`` would have written; only the writing is done by COPY.
"""

from __future__ import annotations

import argparse
import random
import sys
import time

from _common import ACTIVITIES, organization_rows, psycopg_conninfo, setup_django, setup_environment


def ensure_database() -> None:
    import psycopg

    url = psycopg_conninfo()
    base, _, name = url.rpartition("/")
    name = name.split("?")[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def ensure_reference() -> None:
    """Regions (with province boundaries) and ISIC sectors, by the project's own loader."""
    from khooshe.registry.reference import ensure_reference_data

    ensure_reference_data()


def db_row(obj, fields, connection) -> list:
    """The values ``save()`` would write for ``obj`` (auto_now fields set, values prepared for the DB)."""
    return [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]


def copy_objects(pg, model, objects, *, with_pk: bool) -> int:
    """COPY model instances into the model's table; returns the number of rows."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    columns = ", ".join(f'"{f.column}"' for f in fields)
    count = 0
    with pg.cursor() as cur, cur.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy:
        for obj in objects:
            copy.write_row(db_row(obj, fields, connection))
            count += 1
    return count


def copy_rows(pg, table: str, columns: list[str], rows) -> int:
    count = 0
    with pg.cursor() as cur, cur.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organizations", type=int, default=100_000)
    parser.add_argument("--relations", type=int, default=500_000)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--clusters", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1403)
    args = parser.parse_args(argv)

    setup_environment()
    ensure_database()
    setup_django()
    import datetime as dt

    import psycopg
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from khooshe.registry import models as m

    started = time.perf_counter()
    call_command("migrate", "--no-input", verbosity=0)
    ensure_reference()
    print(f"migrated, reference data: {m.Region.objects.count()} regions, {m.Sector.objects.count()} sectors "
          f"({time.perf_counter() - started:.1f}s)")

    counties = list(m.Region.objects.filter(kind="county").select_related("parent")
                    .values_list("code", "name_fa", "parent__name_fa", "pk"))
    if not counties:
        print("no counties in the database: load the reference data first", file=sys.stderr)
        return 1
    region_pk = {code: pk for code, _n, _p, pk in counties}
    class_sectors = dict(m.Sector.objects.filter(level=4).values_list("code", "pk"))
    rng = random.Random(args.seed + 1)
    # A registry concentrates on a few sectors: draw organizations' sectors from 60 classes.
    sector_codes = sorted(rng.sample(sorted(class_sectors), min(60, len(class_sectors))))

    tables = ["registry_relation", "registry_personrole", "registry_clustermembership", "registry_cluster",
              "registry_person", "registry_organization_sectors", "registry_organization", "registry_role"]
    with connection.cursor() as cur:
        cur.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")

    now = dt.datetime.now(dt.UTC)
    conninfo = psycopg_conninfo()
    t0 = time.perf_counter()
    kinds: list[tuple[str, str]] = []  # (kind, size_class) per organization, index = pk - 1
    org_sectors: list[tuple[int, int]] = []

    def organizations():
        for pk, row in enumerate(organization_rows(args.organizations, seed=args.seed, regions=[
                (c, n, p) for c, n, p, _pk in counties], sector_codes=sector_codes), start=1):
            sectors = row.pop("sectors")
            region = row.pop("region")
            org = m.Organization(pk=pk, region_id=region_pk[region], **{k: v for k, v in row.items() if v is not None})
            org.prepare_for_save()
            org.created_at = org.updated_at = now
            kinds.append((org.kind, org.size_class))
            org_sectors.extend((pk, class_sectors[code]) for code in sectors)
            yield org

    with psycopg.connect(conninfo) as pg:
        n_org = copy_objects(pg, m.Organization, organizations(), with_pk=True)
        copy_rows(pg, "registry_organization_sectors", ["organization_id", "sector_id"], org_sectors)
        pg.commit()
    t_org = time.perf_counter() - t0
    print(f"organizations: {n_org} (+{len(org_sectors)} sector tags) in {t_org:.1f}s")

    # Relations: a skewed degree distribution (a few hubs, many small firms), never an organization with itself.
    t0 = time.perf_counter()
    types = [t.value for t in m.RelationType]
    type_weights = [30, 20, 15, 10, 5, 8, 4, 5, 3]
    classes: dict[tuple, str] = {}

    def classification(a, b):
        key = (kinds[a - 1], kinds[b - 1])
        if key not in classes:
            classes[key] = m.classify_relation(m.Organization(kind=key[0][0], size_class=key[0][1]),
                                               m.Organization(kind=key[1][0], size_class=key[1][1]))
        return classes[key]

    def relations():
        rng = random.Random(args.seed + 2)
        n = args.organizations
        for _ in range(args.relations):
            source = min(int(rng.paretovariate(1.2)), n) if rng.random() < 0.2 else rng.randint(1, n)
            target = rng.randint(1, n)
            if target == source:
                target = target % n + 1
            kind = rng.choices(types, type_weights)[0]
            start = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randint(0, 3600)) if rng.random() < 0.5 else None
            yield [now, now, kind, kind not in m.UNDIRECTED_TYPES, classification(source, target),
                   rng.randint(1, 5), start, None, "declared", None, "", None, source, target]

    columns = ["created_at", "updated_at", "type", "directed", "classification", "strength", "start_date",
               "end_date", "origin", "external_id", "note", "agreement_id", "source_id", "target_id"]
    with psycopg.connect(conninfo) as pg:
        n_rel = copy_rows(pg, "registry_relation", columns, relations())
        pg.commit()
    t_rel = time.perf_counter() - t0
    print(f"relations: {n_rel} in {t_rel:.1f}s")

    # People with roles in organizations, and clusters with members: the detail page's related lists.
    t0 = time.perf_counter()
    rng = random.Random(args.seed + 3)
    first = ["علی", "مریم", "حسین", "زهرا", "محمد", "فاطمه", "رضا", "سارا", "مهدی", "نرگس", "امیر", "لیلا"]
    last = ["محمدی", "حسینی", "کرمانی", "رضایی", "احمدی", "موسوی", "جعفری", "صادقی", "رفسنجانی", "بمی"]

    def people():
        for pk in range(1, args.people + 1):
            p = m.Person(pk=pk, first_name_fa=rng.choice(first), last_name_fa=rng.choice(last),
                         kind=rng.choice(list(m.Person.Kind.values)), expertise=rng.choice(first))
            p.refresh_search_text()
            yield p

    roles = {(rng.randint(1, args.people), rng.randint(1, args.organizations), rng.choice(list(m.PersonRole.Role.values)))
             for _ in range(int(args.people * 1.5))}
    with psycopg.connect(conninfo) as pg:
        copy_objects(pg, m.Person, people(), with_pk=True)
        copy_rows(pg, "registry_personrole", ["created_at", "updated_at", "person_id", "organization_id", "role", "title"],
                  ([now, now, p, o, r, ""] for p, o, r in sorted(roles)))
        pg.commit()
    clusters = [m.Cluster(name_fa=f"خوشه {a} {c[1]}", type="traded", stage="developing", tech_level="medium_low")
                for (a, _en), c in zip(rng.sample(ACTIVITIES, args.clusters), rng.sample(counties, args.clusters),
                                       strict=True)]
    for cluster in clusters:
        cluster.refresh_search_text()
    clusters = m.Cluster.objects.bulk_create(clusters)
    members = {(cl.pk, rng.randint(1, args.organizations)) for cl in clusters for _ in range(100)}
    with psycopg.connect(conninfo) as pg:
        copy_rows(pg, "registry_clustermembership", ["created_at", "updated_at", "role", "cluster_id", "organization_id"],
                  ([now, now, "core", c, o] for c, o in sorted(members)))
        pg.commit()
    print(f"people: {args.people}, person roles: {len(roles)}, clusters: {len(clusters)}, "
          f"memberships: {len(members)} in {time.perf_counter() - t0:.1f}s")

    with connection.cursor() as cur:
        for table in ("registry_organization", "registry_person"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    # VACUUM sets the visibility map (index-only scans for counts) and ANALYZE the planner's statistics,
    # as autovacuum would do some time after a bulk load.
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    by_kind = dict(m.Organization.objects.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    print(f"done in {time.perf_counter() - started:.1f}s; organizations by kind: {by_kind}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
