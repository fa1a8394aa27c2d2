"""PostgreSQL: the exclusion constraint that makes overlapping bookings impossible (see hubs.models).

Two active slots of one space may not overlap in time unless both are "a space inside is busy" slots
(tag = the booking's id: distinct one-point ranges); the booked space's own slot has tag NULL, i.e. the
unbounded range that overlaps every tag. Needs the btree_gist extension (for ``space_id WITH =``).
SQLite has no exclusion constraints: there the service checks under the database's write lock.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE hubs_bookingslot ADD CONSTRAINT hubs_bookingslot_no_overlap EXCLUDE USING gist (
    space_id WITH =,
    tstzrange(start, blocked_until, '[)') WITH &&,
    int8range(tag, tag + 1) WITH &&
) WHERE (active);
"""
DROP = "ALTER TABLE hubs_bookingslot DROP CONSTRAINT IF EXISTS hubs_bookingslot_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("hubs", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
