from django.db import migrations


def move_content_types(apps, schema_editor):
    """Admin log entries and permissions point at content types: the classroom app's become the
    argmap app's, so they keep pointing at the same models. An argmap one made meanwhile for such a
    model (by a post_migrate that ran before this migration) goes first, with its permissions."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    old = ContentType.objects.filter(app_label="classroom")
    ContentType.objects.filter(app_label="argmap", model__in=list(old.values_list("model", flat=True))).delete()
    old.update(app_label="argmap")


class Migration(migrations.Migration):
    """The models the classroom app had are the argmap app's now: their tables take the app's
    names (argmap_schoolclass...) and their content types its label."""

    dependencies = [
        ('argmap', '0007_login_attempts'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AlterModelTable(
            name='accountsetup',
            table=None,
        ),
        migrations.AlterModelTable(
            name='enrolment',
            table=None,
        ),
        migrations.AlterModelTable(
            name='exercise',
            table=None,
        ),
        migrations.AlterModelTable(
            name='exercisegroup',
            table=None,
        ),
        migrations.AlterModelTable(
            name='groupmember',
            table=None,
        ),
        migrations.AlterModelTable(
            name='pseudonym',
            table=None,
        ),
        migrations.AlterModelTable(
            name='review',
            table=None,
        ),
        migrations.AlterModelTable(
            name='schoolclass',
            table=None,
        ),
        migrations.AlterModelTable(
            name='sideassignment',
            table=None,
        ),
        migrations.AlterModelTable(
            name='snapshot',
            table=None,
        ),
        migrations.AlterModelTable(
            name='studentresult',
            table=None,
        ),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]
