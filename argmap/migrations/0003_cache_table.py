from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The database cache's table (settings.CACHES); `createcachetable` skips it if it exists.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("argmap", "0002_roles_history_clutter")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
