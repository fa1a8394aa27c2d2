# Models of khooshe.hubs.network. The hubs migrations form one chain with one file per area so that
# areas can change their models independently.
from decimal import Decimal

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("hubs", "0006_catalogue"),
        ("registry", "0002_search_trigram_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="HubNetwork",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                ("search_text", models.TextField(default="", editable=False)),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                ("coordinator", models.ForeignKey(help_text="The organization that runs the network; its members see the network-wide reports.", on_delete=django.db.models.deletion.PROTECT, related_name="coordinated_hub_networks", to="registry.organization", verbose_name="coordinator")),
                ("members", models.ManyToManyField(blank=True, related_name="hub_networks", to="registry.organization", verbose_name="member hubs")),
            ],
            options={
                "verbose_name": "network of hubs",
                "verbose_name_plural": "networks of hubs",
                "ordering": ["name", "pk"],
            },
        ),
        migrations.CreateModel(
            name="LinkRule",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("space_kinds", models.JSONField(blank=True, default=list, verbose_name="kinds of spaces guests may book")),
                ("price_factor", models.DecimalField(decimal_places=2, default=Decimal("1.00"), help_text="Guests pay the space's price and credits times this factor, e.g. 0.8 for 20% off.", max_digits=4, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(10)], verbose_name="price factor")),
                ("can_attend_events", models.BooleanField(default=True, verbose_name="may attend members-only events")),
                ("can_request_services", models.BooleanField(default=True, verbose_name="may request services")),
                ("note", models.TextField(blank=True, verbose_name="note")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                ("network", models.ForeignKey(blank=True, help_text="Empty: the rule covers the site's linked hubs.", null=True, on_delete=django.db.models.deletion.CASCADE, related_name="link_rules", to="hubs.hubnetwork", verbose_name="network")),
                ("site", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="link_rules", to="hubs.site", verbose_name="site")),
            ],
            options={
                "verbose_name": "link rule",
                "verbose_name_plural": "link rules",
                "ordering": ["site", "pk"],
            },
        ),
        migrations.AddConstraint(
            model_name="linkrule",
            constraint=models.UniqueConstraint(fields=("site", "network"), name="hubs_linkrule_once_per_network"),
        ),
        migrations.AddConstraint(
            model_name="linkrule",
            constraint=models.UniqueConstraint(condition=models.Q(("network__isnull", True)), fields=("site",), name="hubs_linkrule_once_for_linked_hubs"),
        ),
    ]
