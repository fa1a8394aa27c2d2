# Models of khooshe.hubs.catalogue. The hubs migrations form one chain with one file per area so that
# areas can change their models independently.
import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("hubs", "0005_events"),
    ]

    operations = [
        migrations.CreateModel(
            name='Service',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('search_text', models.TextField(default='', editable=False)),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('kind', models.CharField(choices=[('legal', 'Legal'), ('accounting', 'Accounting and tax'), ('ip', 'Intellectual property'), ('marketing', 'Marketing and sales'), ('financing', 'Introductions to financing'), ('lab', 'Lab and workshop access'), ('other', 'Other')], default='other', max_length=12, verbose_name='kind')),
                ('description', models.TextField(blank=True, verbose_name='description')),
                ('price', models.PositiveBigIntegerField(default=0, help_text='0 for a free service.', verbose_name='price (rials)')),
                ('audience', models.CharField(choices=[('residents', 'Residents of this site'), ('linked', 'Residents and members of linked hubs'), ('members', 'Every member organization')], default='residents', max_length=10, verbose_name='who may request')),
                ('active', models.BooleanField(default=True, verbose_name='offered now')),
                ('provider', models.ForeignKey(blank=True, help_text='A service-provider organization; empty when the hub gives it.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='provided_hub_services', to='registry.organization', verbose_name='provided by')),
                ('site', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='services', to='hubs.site', verbose_name='site')),
            ],
            options={
                'verbose_name': 'hub service',
                'verbose_name_plural': 'hub services',
                'ordering': ['site', 'kind', 'name', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='ServiceRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('description', models.TextField(verbose_name='what is needed')),
                ('status', models.CharField(choices=[('submitted', 'Submitted'), ('assigned', 'Assigned'), ('in_progress', 'In progress'), ('done', 'Done'), ('declined', 'Declined')], default='submitted', max_length=12, verbose_name='status')),
                ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='closed')),
                ('rating', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)], verbose_name='satisfaction (1–5)')),
                ('rating_comment', models.TextField(blank=True, verbose_name='comment on the service')),
                ('rated_at', models.DateTimeField(blank=True, null=True, verbose_name='rated')),
                ('assigned_provider', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='assigned_hub_service_requests', to='registry.organization', verbose_name='assigned provider')),
                ('assigned_to', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='assigned_service_requests', to=settings.AUTH_USER_MODEL, verbose_name='assigned to')),
                ('organization', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='hub_service_requests', to='registry.organization', verbose_name='for organization')),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='service_requests', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                ('service', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='requests', to='hubs.service', verbose_name='service')),
            ],
            options={
                'verbose_name': 'service request',
                'verbose_name_plural': 'service requests',
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='ServiceRequestMessage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text', models.TextField(verbose_name='message')),
                ('internal', models.BooleanField(default=False, verbose_name='internal note (staff only)')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('author', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='author')),
                ('request', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='messages', to='hubs.servicerequest', verbose_name='service request')),
            ],
            options={
                'verbose_name': 'message on a service request',
                'verbose_name_plural': 'messages on service requests',
                'ordering': ['created_at', 'pk'],
            },
        ),
        migrations.AddIndex(
            model_name='servicerequest',
            index=models.Index(fields=['status', 'created_at'], name='hubs_servic_status_018895_idx'),
        ),
        migrations.AddConstraint(
            model_name='servicerequest',
            constraint=models.CheckConstraint(condition=models.Q(('rating__isnull', True), models.Q(('rating__gte', 1), ('rating__lte', 5)), _connector='OR'), name='hubs_service_rating_1_to_5'),
        ),
    ]
