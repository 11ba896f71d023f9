import django.db.models.deletion
from django.db import migrations, models


def mark_accounts_made_from_lists(apps, schema_editor):
    """Until now only a class's list of names enrolled a student with `added_by` set (joining with
    the code leaves it empty), so such an enrolment tells which class made the account. Every
    other existing account counts as made by its owner: no teacher may reset it."""
    AccountSetup = apps.get_model("argmap", "AccountSetup")
    Enrolment = apps.get_model("argmap", "Enrolment")
    made = Enrolment.objects.filter(role="student", added_by__isnull=False).values_list("user_id", "school_class_id")
    for user_id, class_id in made.iterator():
        AccountSetup.objects.filter(user_id=user_id).update(created_for_class_id=class_id)


class Migration(migrations.Migration):
    """The classroom app's second migration, now the argmap app's (a database that applied
    ("classroom", "0002_account_created_for_class") counts this one as applied). It sits after
    0005, the last argmap migration there was when it was written, so that a database from then
    (argmap 0005 without it) still has a consistent history."""

    replaces = [('classroom', '0002_account_created_for_class')]

    dependencies = [
        ('argmap', '0005_votes_and_source_ratings'),
    ]

    operations = [
        migrations.AddField(
            model_name='accountsetup',
            name='created_for_class',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='argmap.schoolclass'),
        ),
        migrations.RunPython(mark_accounts_made_from_lists, migrations.RunPython.noop),
    ]
