"""A trigram (pg_trgm) GIN index on organizations' ``search_text``, on PostgreSQL only.

The search box filters ``search_text LIKE '%term%'`` (core.filters.SearchFilterSet). Without an index
PostgreSQL reads every row: about 350 ms for 100,000 organizations (benchmarks/RESULTS.md); with a
trigram index it reads only the rows that contain the term's trigrams (about 20 ms for a rare term).
SQLite has no such index and needs none at the sizes it serves; there this migration does nothing.
"""

import logging

from django.db import DatabaseError, migrations, transaction

logger = logging.getLogger(__name__)

# People: measured and left out. With 20,000 people a sequential scan of their short search text takes
# 3 to 8 ms, the same as with the index; add it here when registries of people grow tenfold.
INDEXES = [
    ("registry_org_search_trgm", "registry_organization"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as exc:
        logger.warning("pg_trgm is not available (%s): search works without its index, only slower. "
                       "Ask the database administrator to run CREATE EXTENSION pg_trgm.", exc)
        return
    for name, table in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ("search_text" gin_trgm_ops)')


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
