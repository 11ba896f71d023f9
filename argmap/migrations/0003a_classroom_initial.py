import argmap.models.classroom
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """The classroom app's first migration, now the argmap app's: a database that applied
    ("classroom", "0001_initial") counts this one as applied. Its tables keep their old names
    until 0008_classroom_tables_renamed."""

    replaces = [('classroom', '0001_initial')]

    dependencies = [
        ('argmap', '0003_cache_table'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AccountSetup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('must_set_password', models.BooleanField(default=True)),
                ('issued_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('issued_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='account_setup', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'classroom_accountsetup',
            },
        ),
        migrations.CreateModel(
            name='Exercise',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200)),
                ('instructions', models.TextField(blank=True)),
                ('opens_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('closes_at', models.DateTimeField(blank=True, help_text='Empty: open until the teacher closes it.', null=True)),
                ('sides', models.BooleanField(default=False, help_text='Students (alone or in teams) argue an assigned thesis and side.')),
                ('moderation', models.BooleanField(default=False, help_text="Students' nodes stay pending until a teacher approves them.")),
                ('anonymity', models.BooleanField(default=False, help_text='Students see each other under pseudonyms.')),
                ('groups', models.BooleanField(default=False, help_text='Each small group works on its own copy of the map.')),
                ('target_evidence', models.PositiveSmallIntegerField(default=0, help_text="Pieces of evidence for one's side.")),
                ('target_rebuttals', models.PositiveSmallIntegerField(default=0, help_text='Rebuttals of the other side.')),
                ('target_comments', models.PositiveSmallIntegerField(default=0, help_text='Comments.')),
                ('results_released_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'classroom_exercise',
                'ordering': ['-opens_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='ExerciseGroup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=60)),
                ('exercise', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='small_groups', to='argmap.exercise')),
            ],
            options={
                'db_table': 'classroom_exercisegroup',
                'ordering': ['id'],
            },
        ),
        migrations.CreateModel(
            name='GroupMember',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('exercise', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='group_members', to='argmap.exercise')),
                ('group', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='members', to='argmap.exercisegroup')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'classroom_groupmember',
                'ordering': ['id'],
            },
        ),
        migrations.CreateModel(
            name='Pseudonym',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=60)),
                ('exercise', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='pseudonyms', to='argmap.exercise')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'classroom_pseudonym',
                'ordering': ['id'],
            },
        ),
        migrations.CreateModel(
            name='Review',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decision', models.CharField(choices=[('pending', 'Pending'), ('approved', 'Approved'), ('rejected', 'Rejected')], max_length=10)),
                ('feedback', models.TextField(blank=True)),
                ('grade', models.CharField(blank=True, max_length=20)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('exercise', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reviews', to='argmap.exercise')),
                ('node', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reviews', to='argmap.node')),
                ('reviewer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'classroom_review',
                'ordering': ['id'],
            },
        ),
        migrations.CreateModel(
            name='SchoolClass',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120)),
                ('join_code', models.CharField(default=argmap.models.classroom.new_join_code, max_length=16, unique=True)),
                ('joining_open', models.BooleanField(default=True, help_text='Students may join with the code.')),
                ('join_code_expires_at', models.DateTimeField(blank=True, null=True)),
                ('time_zone', models.CharField(default='Europe/Minsk', max_length=64, validators=[argmap.models.classroom.validate_time_zone])),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'classroom_schoolclass',
                'verbose_name_plural': 'school classes',
                'ordering': ['name', 'id'],
            },
        ),
        migrations.AddField(
            model_name='exercise',
            name='school_class',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='exercises', to='argmap.schoolclass'),
        ),
        migrations.CreateModel(
            name='Enrolment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('teacher', 'Teacher'), ('student', 'Student')], max_length=10)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('added_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='enrolments', to=settings.AUTH_USER_MODEL)),
                ('school_class', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='enrolments', to='argmap.schoolclass')),
            ],
            options={
                'db_table': 'classroom_enrolment',
                'ordering': ['id'],
            },
        ),
        migrations.CreateModel(
            name='SideAssignment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('stance', models.CharField(choices=[('support', 'For'), ('oppose', 'Against')], max_length=10)),
                ('team', models.CharField(blank=True, max_length=60)),
                ('exercise', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='assignments', to='argmap.exercise')),
                ('thesis', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='argmap.node')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'classroom_sideassignment',
                'ordering': ['id'],
            },
        ),
        migrations.CreateModel(
            name='Snapshot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('closed_at', models.DateTimeField()),
                ('taken_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('data', models.JSONField()),
                ('exercise', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='snapshots', to='argmap.exercise')),
                ('map', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='snapshots', to='argmap.map')),
            ],
            options={
                'db_table': 'classroom_snapshot',
                'ordering': ['-closed_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='StudentResult',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('feedback', models.TextField(blank=True)),
                ('grade', models.CharField(blank=True, max_length=20)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('exercise', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='results', to='argmap.exercise')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'classroom_studentresult',
            },
        ),
        migrations.AddConstraint(
            model_name='exercisegroup',
            constraint=models.UniqueConstraint(fields=('exercise', 'name'), name='group_name_once'),
        ),
        migrations.AddConstraint(
            model_name='groupmember',
            constraint=models.UniqueConstraint(fields=('exercise', 'user'), name='one_group_per_exercise'),
        ),
        migrations.AddConstraint(
            model_name='pseudonym',
            constraint=models.UniqueConstraint(fields=('exercise', 'user'), name='pseudonym_once'),
        ),
        migrations.AddConstraint(
            model_name='pseudonym',
            constraint=models.UniqueConstraint(fields=('exercise', 'name'), name='pseudonym_unique'),
        ),
        migrations.AddIndex(
            model_name='review',
            index=models.Index(fields=['exercise', 'node'], name='review_exercise_node'),
        ),
        migrations.AddConstraint(
            model_name='exercise',
            constraint=models.CheckConstraint(condition=models.Q(('closes_at__isnull', True), ('closes_at__gt', models.F('opens_at')), _connector='OR'), name='exercise_closes_after_opening'),
        ),
        migrations.AddConstraint(
            model_name='enrolment',
            constraint=models.UniqueConstraint(fields=('school_class', 'user'), name='enrolment_once'),
        ),
        migrations.AddConstraint(
            model_name='sideassignment',
            constraint=models.UniqueConstraint(fields=('exercise', 'user'), name='one_side_per_exercise'),
        ),
        migrations.AddConstraint(
            model_name='snapshot',
            constraint=models.UniqueConstraint(fields=('map', 'closed_at'), name='snapshot_once_per_closing'),
        ),
        migrations.AddConstraint(
            model_name='studentresult',
            constraint=models.UniqueConstraint(fields=('exercise', 'user'), name='result_once'),
        ),
    ]
