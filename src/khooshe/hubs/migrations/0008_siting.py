# Models of khooshe.hubs.siting. The hubs migrations form one chain with one file per area so that
# areas can change their models independently.
import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("hubs", "0007_network"),
        ("registry", "0002_search_trigram_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SitingStudy",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                ("search_text", models.TextField(default="", editable=False)),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                ("method", models.CharField(choices=[("topsis", "TOPSIS (closeness to the ideal site)"), ("weighted_sum", "Weighted sum")], default="topsis", max_length=20, verbose_name="ranking method")),
                ("published", models.BooleanField(default=False, help_text="A published study can be read by everyone.", verbose_name="published")),
                ("ahp_judgements", models.JSONField(blank=True, default=dict, editable=False, verbose_name="pairwise comparisons")),
                ("consistency_ratio", models.FloatField(blank=True, editable=False, null=True, verbose_name="consistency ratio")),
                ("created_by", models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="created by")),
                ("owner", models.ForeignKey(help_text="Its members and hub staff edit the study.", on_delete=django.db.models.deletion.PROTECT, related_name="siting_studies", to="registry.organization", verbose_name="owner organization")),
                ("region", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="siting_studies", to="registry.region", verbose_name="region")),
            ],
            options={
                "verbose_name": "site selection study",
                "verbose_name_plural": "site selection studies",
                "ordering": ["-created_at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="SitingCriterion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                ("key", models.SlugField(help_text="Short code used as the column name in imported files, e.g. km_airport.", max_length=40, verbose_name="key")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("direction", models.CharField(choices=[("benefit", "more is better"), ("cost", "less is better")], default="benefit", max_length=10, verbose_name="direction")),
                ("unit", models.CharField(blank=True, max_length=40, verbose_name="unit")),
                ("weight", models.FloatField(default=1.0, validators=[django.core.validators.MinValueValidator(0.0)], verbose_name="weight")),
                ("from_points", models.BooleanField(default=False, help_text="Computed from the candidate's coordinates and the points of interest of this criterion when no value is entered.", verbose_name="distance to the nearest point of interest")),
                ("order", models.PositiveIntegerField(default=0, verbose_name="order")),
                ("study", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="criteria", to="hubs.sitingstudy", verbose_name="study")),
            ],
            options={
                "verbose_name": "site selection criterion",
                "verbose_name_plural": "site selection criteria",
                "ordering": ["study", "order", "pk"],
                "constraints": [models.UniqueConstraint(fields=("study", "key"), name="hubs_siting_criterion_key_once")],
            },
        ),
        migrations.CreateModel(
            name="CandidateSite",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("latitude", models.FloatField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(-90.0), django.core.validators.MaxValueValidator(90.0)], verbose_name="latitude")),
                ("longitude", models.FloatField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(-180.0), django.core.validators.MaxValueValidator(180.0)], verbose_name="longitude")),
                ("address", models.TextField(blank=True, verbose_name="address")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                ("values", models.JSONField(blank=True, default=dict, verbose_name="criteria values")),
                ("study", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="candidates", to="hubs.sitingstudy", verbose_name="study")),
            ],
            options={
                "verbose_name": "candidate site",
                "verbose_name_plural": "candidate sites",
                "ordering": ["study", "name", "pk"],
            },
        ),
        migrations.CreateModel(
            name="PointOfInterest",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("latitude", models.FloatField(validators=[django.core.validators.MinValueValidator(-90.0), django.core.validators.MaxValueValidator(90.0)], verbose_name="latitude")),
                ("longitude", models.FloatField(validators=[django.core.validators.MinValueValidator(-180.0), django.core.validators.MaxValueValidator(180.0)], verbose_name="longitude")),
                ("criterion", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="points", to="hubs.sitingcriterion", verbose_name="criterion")),
                ("study", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="points", to="hubs.sitingstudy", verbose_name="study")),
            ],
            options={
                "verbose_name": "point of interest",
                "verbose_name_plural": "points of interest",
                "ordering": ["criterion", "name", "pk"],
            },
        ),
    ]
