# Models of khooshe.hubs.cohorts. The hubs migrations form one chain with one file per area so that
# areas can change their models independently.
import datetime
from decimal import Decimal

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("hubs", "0003_residents"),
        ("registry", "0002_search_trigram_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Cohort',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('start_date', models.DateField(blank=True, null=True, verbose_name='starts')),
                ('end_date', models.DateField(blank=True, null=True, verbose_name='ends')),
                ('capacity', models.PositiveIntegerField(default=10, validators=[django.core.validators.MinValueValidator(1)], verbose_name='capacity (teams)')),
                ('status', models.CharField(choices=[('planned', 'Planned'), ('call_open', 'Call open'), ('reviewing', 'Reviewing'), ('running', 'Running'), ('finished', 'Finished')], default='planned', max_length=10, verbose_name='status')),
            ],
            options={
                'verbose_name': 'cohort',
                'verbose_name_plural': 'cohorts',
                'ordering': ['-start_date', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='CohortApplication',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('team_name', models.CharField(blank=True, help_text='For a team that is not yet an organization.', max_length=200, verbose_name='team name')),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('withdrawn', 'Withdrawn'), ('accepted', 'Accepted'), ('waitlisted', 'Waitlisted'), ('rejected', 'Rejected')], default='draft', max_length=10, verbose_name='status')),
                ('answers', models.JSONField(blank=True, default=dict, verbose_name='answers')),
                ('submitted_at', models.DateTimeField(blank=True, null=True, verbose_name='submitted')),
                ('decision_note', models.TextField(blank=True, verbose_name='decision note')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided')),
                ('applicant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='cohort_applications', to=settings.AUTH_USER_MODEL, verbose_name='applicant')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by')),
                ('organization', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='cohort_applications', to='registry.organization', verbose_name='organization')),
            ],
            options={
                'verbose_name': 'application',
                'verbose_name_plural': 'applications',
                'ordering': ['-created_at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='ApplicationReview',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('comment', models.TextField(blank=True, verbose_name='comment')),
                ('scored_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='scored')),
                ('reviewer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='cohort_reviews', to=settings.AUTH_USER_MODEL, verbose_name='reviewer')),
                ('application', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reviews', to='hubs.cohortapplication', verbose_name='application')),
            ],
            options={
                'verbose_name': 'application review',
                'verbose_name_plural': 'application reviews',
                'ordering': ['application', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='CohortCall',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('title', models.CharField(max_length=200, verbose_name='title')),
                ('description', models.TextField(blank=True, verbose_name='description')),
                ('opens_on', models.DateField(verbose_name='opens on')),
                ('closes_on', models.DateField(help_text='Applications are accepted until the end of this day.', verbose_name='closes on')),
                ('cohort', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='calls', to='hubs.cohort', verbose_name='cohort')),
            ],
            options={
                'verbose_name': 'call for applications',
                'verbose_name_plural': 'calls for applications',
                'ordering': ['-opens_on', 'pk'],
            },
        ),
        migrations.AddField(
            model_name='cohortapplication',
            name='call',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='applications', to='hubs.cohortcall', verbose_name='call'),
        ),
        migrations.CreateModel(
            name='CallQuestion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('order', models.PositiveSmallIntegerField(default=1, verbose_name='order')),
                ('label', models.CharField(max_length=300, verbose_name='question')),
                ('help_text', models.CharField(blank=True, max_length=500, verbose_name='help text')),
                ('kind', models.CharField(choices=[('short_text', 'Short text'), ('long_text', 'Long text'), ('number', 'Number'), ('choice', 'Choice'), ('yes_no', 'Yes/no'), ('link', 'File or link (address)')], default='short_text', max_length=10, verbose_name='kind')),
                ('required', models.BooleanField(default=True, verbose_name='required')),
                ('choices', models.TextField(blank=True, help_text='For a choice question: one choice a line.', verbose_name='choices')),
                ('call', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='questions', to='hubs.cohortcall', verbose_name='call')),
            ],
            options={
                'verbose_name': 'application question',
                'verbose_name_plural': 'application questions',
                'ordering': ['call', 'order', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='CallCriterion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('weight', models.DecimalField(decimal_places=2, default=1, help_text='A positive number; weights are relative to each other.', max_digits=6, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='weight')),
                ('call', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='criteria', to='hubs.cohortcall', verbose_name='call')),
            ],
            options={
                'verbose_name': 'review criterion',
                'verbose_name_plural': 'review criteria',
                'ordering': ['call', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='CohortMember',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('team_name', models.CharField(blank=True, max_length=200, verbose_name='team name')),
                ('joined_on', models.DateField(default=datetime.date.today, verbose_name='joined on')),
                ('application', models.OneToOneField(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='membership', to='hubs.cohortapplication', verbose_name='application')),
                ('cohort', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='members', to='hubs.cohort', verbose_name='cohort')),
                ('organization', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='cohort_memberships', to='registry.organization', verbose_name='organization')),
            ],
            options={
                'verbose_name': 'cohort member',
                'verbose_name_plural': 'cohort members',
                'ordering': ['cohort', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='HubProgram',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('search_text', models.TextField(default='', editable=False)),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('kind', models.CharField(choices=[('pre_incubation', 'Pre-incubation'), ('incubation', 'Incubation'), ('acceleration', 'Acceleration'), ('corporate', 'Corporate program (run by a partner)')], default='incubation', max_length=16, verbose_name='kind')),
                ('description', models.TextField(blank=True, verbose_name='description')),
                ('benefits', models.TextField(blank=True, help_text='What accepted teams get: desks, mentoring, credits, funding.', verbose_name='benefits')),
                ('visibility', models.CharField(choices=[('public', 'Public'), ('members', 'Signed-in users'), ('private', 'Staff of the site only')], default='public', max_length=8, verbose_name='visibility')),
                ('partner', models.ForeignKey(blank=True, help_text='The large company or partner that runs a corporate program.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='hub_programs', to='registry.organization', verbose_name='partner organization')),
                ('site', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='programs', to='hubs.site', verbose_name='site')),
            ],
            options={
                'verbose_name': 'hub program',
                'verbose_name_plural': 'hub programs',
                'ordering': ['name', 'pk'],
            },
        ),
        migrations.AddField(
            model_name='cohort',
            name='program',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='cohorts', to='hubs.hubprogram', verbose_name='program'),
        ),
        migrations.CreateModel(
            name='OfficeHourBlock',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('date', models.DateField(verbose_name='date')),
                ('start_time', models.TimeField(verbose_name='from')),
                ('end_time', models.TimeField(verbose_name='to')),
                ('slot_minutes', models.PositiveSmallIntegerField(default=30, validators=[django.core.validators.MinValueValidator(10), django.core.validators.MaxValueValidator(240)], verbose_name='slot length (minutes)')),
                ('topic', models.CharField(blank=True, max_length=200, verbose_name='topic')),
                ('cohort', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='office_hours', to='hubs.cohort', verbose_name='cohort')),
                ('mentor', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='office_hour_blocks', to=settings.AUTH_USER_MODEL, verbose_name='mentor')),
                ('mentor_person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='office_hours', to='registry.person', verbose_name='mentor (person in the registry)')),
                ('space', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='office_hours', to='hubs.space', verbose_name='space')),
            ],
            options={
                'verbose_name': 'office hours',
                'verbose_name_plural': 'office hours',
                'ordering': ['date', 'start_time', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='OfficeHourMeeting',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('start', models.DateTimeField(verbose_name='start')),
                ('end', models.DateTimeField(verbose_name='end')),
                ('status', models.CharField(choices=[('booked', 'Booked'), ('cancelled', 'Cancelled')], default='booked', max_length=10, verbose_name='status')),
                ('block', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='meetings', to='hubs.officehourblock', verbose_name='office hours')),
                ('booked_by', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='office_hour_meetings', to=settings.AUTH_USER_MODEL, verbose_name='booked by')),
                ('booking', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='office_hour_meeting', to='hubs.booking', verbose_name='room booking')),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='meetings', to='hubs.cohortmember', verbose_name='team')),
                ('mentor', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='mentor_meetings', to=settings.AUTH_USER_MODEL, verbose_name='mentor')),
            ],
            options={
                'verbose_name': 'mentor meeting',
                'verbose_name_plural': 'mentor meetings',
                'ordering': ['start', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='ApplicationScore',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('value', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)], verbose_name='score')),
                ('review', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='scores', to='hubs.applicationreview', verbose_name='review')),
                ('criterion', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='scores', to='hubs.callcriterion', verbose_name='criterion')),
            ],
            options={
                'verbose_name': 'score',
                'verbose_name_plural': 'scores',
                'constraints': [models.UniqueConstraint(fields=('review', 'criterion'), name='hubs_score_once'), models.CheckConstraint(condition=models.Q(('value__gte', 1), ('value__lte', 5)), name='hubs_score_1_5')],
            },
        ),
        migrations.AddConstraint(
            model_name='applicationreview',
            constraint=models.UniqueConstraint(fields=('application', 'reviewer'), name='hubs_application_review_once'),
        ),
        migrations.AddConstraint(
            model_name='cohortapplication',
            constraint=models.UniqueConstraint(condition=models.Q(('organization__isnull', False)), fields=('call', 'organization'), name='hubs_application_one_per_organization'),
        ),
        migrations.AddConstraint(
            model_name='cohortapplication',
            constraint=models.UniqueConstraint(condition=models.Q(('organization__isnull', True)), fields=('call', 'applicant'), name='hubs_application_one_new_team_per_user'),
        ),
        migrations.AddConstraint(
            model_name='callcriterion',
            constraint=models.UniqueConstraint(fields=('call', 'name'), name='hubs_call_criterion_unique'),
        ),
        migrations.AddConstraint(
            model_name='callcriterion',
            constraint=models.CheckConstraint(condition=models.Q(('weight__gt', 0)), name='hubs_call_criterion_weight_positive'),
        ),
        migrations.AddConstraint(
            model_name='cohortmember',
            constraint=models.UniqueConstraint(condition=models.Q(('organization__isnull', False)), fields=('cohort', 'organization'), name='hubs_cohort_member_once'),
        ),
        migrations.AddConstraint(
            model_name='officehourmeeting',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'booked')), fields=('mentor', 'start'), name='hubs_mentor_meeting_once'),
        ),
    ]
