# Models of khooshe.hubs.events. The hubs migrations form one chain with one file per area so that
# areas can change their models independently.
import django.core.validators
import django.db.models.deletion
import khooshe.hubs.events.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("hubs", "0004_cohorts"),
    ]

    operations = [
        migrations.CreateModel(
            name='Event',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('search_text', models.TextField(default='', editable=False)),
                ('title', models.CharField(max_length=200, verbose_name='title')),
                ('description', models.TextField(blank=True, verbose_name='description')),
                ('start', models.DateTimeField(verbose_name='start')),
                ('end', models.DateTimeField(verbose_name='end')),
                ('capacity', models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name='capacity (people)')),
                ('audience', models.CharField(choices=[('public', 'Everyone (also without an account)'), ('members', 'Members: residents of this site and of linked hubs'), ('residents', 'Residents of this site only')], default='public', max_length=10, verbose_name='open to')),
                ('registration_opens', models.DateTimeField(blank=True, help_text='Empty: as soon as the event is published.', null=True, verbose_name='registration opens')),
                ('registration_closes', models.DateTimeField(blank=True, help_text='Empty: when the event starts.', null=True, verbose_name='registration closes')),
                ('waiting_list', models.BooleanField(default=True, verbose_name='waiting list when full')),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('published', 'Published'), ('cancelled', 'Cancelled')], default='draft', max_length=10, verbose_name='status')),
                ('booking', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='events', to='hubs.booking', verbose_name='booking of the space')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='hub_events', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('site', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='hubs.site', verbose_name='site')),
                ('space', models.ForeignKey(blank=True, help_text='Publishing the event books this space for its time.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='events', to='hubs.space', verbose_name='space')),
            ],
            options={
                'verbose_name': 'event',
                'verbose_name_plural': 'events',
                'ordering': ['-start', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='EventRegistration',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('email', models.EmailField(blank=True, max_length=254, verbose_name='email')),
                ('status', models.CharField(choices=[('confirmed', 'Confirmed'), ('waitlisted', 'On the waiting list'), ('cancelled', 'Cancelled')], default='confirmed', max_length=10, verbose_name='status')),
                ('code', models.CharField(default=khooshe.hubs.events.models.new_checkin_code, editable=False, max_length=16, unique=True, verbose_name='check-in code')),
                ('checked_in_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='checked in')),
                ('cancelled_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='cancelled')),
                ('promoted_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='moved up from the waiting list')),
                ('checked_in_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='checked in by')),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='registrations', to='hubs.event', verbose_name='event')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='event_registrations', to=settings.AUTH_USER_MODEL, verbose_name='account')),
            ],
            options={
                'verbose_name': 'event registration',
                'verbose_name_plural': 'event registrations',
                'ordering': ['event', 'pk'],
            },
        ),
        migrations.AddIndex(
            model_name='event',
            index=models.Index(fields=['site', 'start'], name='hubs_event_site_id_b6b099_idx'),
        ),
        migrations.AddIndex(
            model_name='event',
            index=models.Index(fields=['start'], name='hubs_event_start_1648f1_idx'),
        ),
        migrations.AddConstraint(
            model_name='event',
            constraint=models.CheckConstraint(condition=models.Q(('end__gt', models.F('start'))), name='hubs_event_ends_after_start'),
        ),
        migrations.AddIndex(
            model_name='eventregistration',
            index=models.Index(fields=['event', 'status'], name='hubs_eventr_event_i_9119a2_idx'),
        ),
        migrations.AddConstraint(
            model_name='eventregistration',
            constraint=models.UniqueConstraint(condition=models.Q(('user__isnull', False), models.Q(('status', 'cancelled'), _negated=True)), fields=('event', 'user'), name='hubs_registration_once_per_user'),
        ),
        migrations.AddConstraint(
            model_name='eventregistration',
            constraint=models.UniqueConstraint(condition=models.Q(models.Q(('email', ''), _negated=True), models.Q(('status', 'cancelled'), _negated=True)), fields=('event', 'email'), name='hubs_registration_once_per_email'),
        ),
    ]
