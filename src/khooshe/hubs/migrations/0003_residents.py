# Models of khooshe.hubs.residents. The hubs migrations form one chain with one file per area so that
# areas can change their models independently.
import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import khooshe.hubs.residents.models


class Migration(migrations.Migration):

    dependencies = [
        ("hubs", "0002_booking_exclusion"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='residency',
            name='deposit',
            field=models.PositiveBigIntegerField(default=0, verbose_name='deposit (rials)'),
        ),
        migrations.AddField(
            model_name='residency',
            name='status',
            field=models.CharField(choices=[('active', 'Active'), ('ended', 'Ended'), ('graduated', 'Graduated'), ('exited', 'Exited')], default='active', max_length=10, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='residency',
            name='plan',
            field=models.CharField(blank=True, help_text='A short description of the contract, e.g. four desks by the window.', max_length=200, verbose_name='contract note'),
        ),
        migrations.CreateModel(
            name='HubPlan',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('kind', models.CharField(choices=[('hot_desk', 'Hot desk'), ('dedicated_desk', 'Dedicated desk'), ('private_office', 'Private office'), ('virtual', 'Virtual office')], default='hot_desk', max_length=16, verbose_name='kind')),
                ('monthly_price', models.PositiveBigIntegerField(default=0, verbose_name='monthly price (rials)')),
                ('monthly_credits', models.DecimalField(decimal_places=2, default=0, max_digits=9, validators=[django.core.validators.MinValueValidator(0)], verbose_name='room credits per month')),
                ('desks_included', models.PositiveIntegerField(default=1, verbose_name='desks included')),
                ('refuse_without_credits', models.BooleanField(default=False, help_text="Otherwise a booking beyond the month's credits is charged at the room's price.", verbose_name='refuse room bookings when the credits run out')),
                ('site', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='plans', to='hubs.site', verbose_name='site')),
            ],
            options={
                'verbose_name': 'hub plan',
                'verbose_name_plural': 'hub plans',
                'ordering': ['site', 'monthly_price', 'pk'],
            },
        ),
        migrations.AddField(
            model_name='residency',
            name='hub_plan',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='residencies', to='hubs.hubplan', verbose_name='plan'),
        ),
        migrations.CreateModel(
            name='JourneyStage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('order', models.PositiveSmallIntegerField(verbose_name='order')),
                ('key', models.SlugField(blank=True, help_text='A fixed name for reports, e.g. prototype; empty for a stage of your own.', max_length=40, verbose_name='key')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('entry_criteria', models.TextField(blank=True, help_text='One criterion a line; staff tick each one at the gate.', verbose_name='entry criteria')),
                ('required_evidence', models.CharField(blank=True, help_text='Kinds of evidence separated by commas, e.g. pitch deck, prototype video.', max_length=300, verbose_name='required evidence')),
                ('outcome', models.CharField(blank=True, choices=[('', 'The team stays'), ('graduated', 'Graduation: the residency ends'), ('exited', 'Exit: the residency ends')], default='', max_length=10, verbose_name='outcome')),
                ('site', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='journey_stages', to='hubs.site', verbose_name='site')),
            ],
            options={
                'verbose_name': 'journey stage',
                'verbose_name_plural': 'journey stages',
                'ordering': ['site', 'order', 'pk'],
            },
        ),
        migrations.AddField(
            model_name='residency',
            name='stage',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='residencies', to='hubs.journeystage', verbose_name='current stage'),
        ),
        migrations.CreateModel(
            name='KpiSnapshot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('date', models.DateField(verbose_name='date')),
                ('headcount', models.PositiveIntegerField(verbose_name='headcount')),
                ('revenue_band', models.CharField(choices=[('none', 'No revenue'), ('lt1b', 'Under 1 billion rials a year'), ('1to10b', '1 to 10 billion rials a year'), ('10to100b', '10 to 100 billion rials a year'), ('gt100b', 'Over 100 billion rials a year')], default='none', max_length=10, verbose_name='revenue band')),
                ('funds_raised', models.PositiveBigIntegerField(default=0, help_text='Cumulative: everything raised so far.', verbose_name='funds raised to date (rials)')),
                ('customers', models.PositiveIntegerField(default=0, verbose_name='customers')),
                ('patents', models.PositiveIntegerField(default=0, verbose_name='patents')),
                ('recorded_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by')),
                ('residency', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='kpi_snapshots', to='hubs.residency', verbose_name='residency')),
            ],
            options={
                'verbose_name': 'KPI snapshot',
                'verbose_name_plural': 'KPI snapshots',
                'ordering': ['residency', 'date', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='StageMove',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('moved_on', models.DateField(verbose_name='date')),
                ('checklist', models.JSONField(blank=True, default=list, verbose_name='criteria met')),
                ('evidence_file', models.FileField(blank=True, upload_to=khooshe.hubs.residents.models.evidence_path, verbose_name='evidence file')),
                ('evidence_link', models.URLField(blank=True, verbose_name='evidence link')),
                ('note', models.TextField(blank=True, verbose_name='note')),
                ('skip_reason', models.TextField(blank=True, verbose_name='reason for skipping stages')),
                ('approved_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='approved by')),
                ('from_stage', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='hubs.journeystage', verbose_name='from stage')),
                ('residency', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='stage_moves', to='hubs.residency', verbose_name='residency')),
                ('snapshot', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='stage_move', to='hubs.kpisnapshot', verbose_name='KPI snapshot')),
                ('to_stage', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='moves_in', to='hubs.journeystage', verbose_name='to stage')),
            ],
            options={
                'verbose_name': 'stage move',
                'verbose_name_plural': 'stage moves',
                'ordering': ['residency', 'moved_on', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='CreditCharge',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField()),
                ('credits', models.DecimalField(decimal_places=2, max_digits=9)),
                ('booking', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='credit_charge', to='hubs.booking')),
                ('residency', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='credit_charges', to='hubs.residency')),
            ],
            options={
                'indexes': [models.Index(fields=['residency', 'month'], name='hubs_credit_residen_7eb814_idx')],
            },
        ),
        migrations.AddConstraint(
            model_name='journeystage',
            constraint=models.UniqueConstraint(fields=('site', 'order'), name='hubs_journey_stage_order'),
        ),
        migrations.AddIndex(
            model_name='kpisnapshot',
            index=models.Index(fields=['residency', 'date'], name='hubs_kpisna_residen_7ecc34_idx'),
        ),
    ]
