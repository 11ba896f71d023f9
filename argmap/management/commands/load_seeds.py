import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from argmap.mapfile import MapFileError, load_map, read_sources_metadata, source_from_file

SEEDS = settings.BASE_DIR / "seeds"


class Command(BaseCommand):
    help = "Load the seed articles and the demo map. Running it again changes nothing."

    def handle(self, *args, **options):
        metadata = read_sources_metadata(SEEDS / "sources.json")
        new_sources = sum(source_from_file(SEEDS, entry)[1] for entry in metadata.values())
        try:
            report = load_map(json.loads((SEEDS / "demo_map.json").read_text(encoding="utf-8")), SEEDS, metadata)
        except MapFileError as error:
            raise CommandError(f"The demo map does not load: {error}") from error
        self.stdout.write(f"Seed articles: {len(metadata)} ({new_sources} new).")
        self.stdout.write(report.summary())
