"""What people write about a source (title, author, notes, rights...) moves from the shared Source to
each map's attachment (MapSource): every map that had the source keeps the details it showed."""

from django.db import migrations, models

DETAILS = ("title", "author", "publisher", "published_on", "url", "notes", "rights")


def copy_details_to_maps(apps, schema_editor):
    Source = apps.get_model("argmap", "Source")
    MapSource = apps.get_model("argmap", "MapSource")
    for source in Source.objects.only("id", *DETAILS).iterator(chunk_size=500):
        MapSource.objects.filter(source_id=source.pk).update(**{f: getattr(source, f) for f in DETAILS})


def copy_details_back(apps, schema_editor):
    # Back to one set per text: the details of the source's first attachment.
    Source = apps.get_model("argmap", "Source")
    MapSource = apps.get_model("argmap", "MapSource")
    for source in Source.objects.iterator(chunk_size=500):
        first = MapSource.objects.filter(source_id=source.pk).order_by("id").first()
        if first is not None:
            Source.objects.filter(pk=source.pk).update(**{f: getattr(first, f) for f in DETAILS})


class Migration(migrations.Migration):

    dependencies = [
        ("argmap", "0005a_account_created_for_class"),
    ]

    operations = [
        migrations.AddField(model_name="mapsource", name="title", field=models.CharField(blank=True, max_length=300)),
        migrations.AddField(model_name="mapsource", name="author", field=models.CharField(blank=True, max_length=200)),
        migrations.AddField(model_name="mapsource", name="publisher", field=models.CharField(blank=True, max_length=200)),
        migrations.AddField(model_name="mapsource", name="published_on", field=models.DateField(blank=True, null=True)),
        migrations.AddField(model_name="mapsource", name="url", field=models.URLField(blank=True, max_length=500)),
        migrations.AddField(model_name="mapsource", name="notes", field=models.TextField(blank=True)),
        migrations.AddField(
            model_name="mapsource", name="rights",
            field=models.CharField(blank=True, help_text="Who owns the text and on what terms it is used.", max_length=300),
        ),
        migrations.RunPython(copy_details_to_maps, copy_details_back),
        migrations.RemoveField(model_name="source", name="title"),
        migrations.RemoveField(model_name="source", name="author"),
        migrations.RemoveField(model_name="source", name="publisher"),
        migrations.RemoveField(model_name="source", name="published_on"),
        migrations.RemoveField(model_name="source", name="url"),
        migrations.RemoveField(model_name="source", name="notes"),
        migrations.RemoveField(model_name="source", name="rights"),
    ]
