# Models of khooshe.hubs.events. The hubs migrations form one chain with one file per area so that
# areas can change their models independently.
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("hubs", "0004_cohorts"),
    ]

    operations = [
    ]
