"""`manage.py import_map FILE [--format json|kialo] [--owner USERNAME]`: prints the new map's code."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from argmap.imports import FORMATS, MapImportError, import_map, too_big


class Command(BaseCommand):
    help = "Import a map from an Argmap JSON export or a Kialo text export, as a new private map."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The file to import.")
        parser.add_argument("--format", "-f", choices=sorted(FORMATS), default="json")
        parser.add_argument("--owner", help="Username of the new map's owner (default: the map has no owner).")

    def handle(self, *args, file, format, owner, **options):
        user = None
        if owner is not None:
            user = get_user_model().objects.filter(username=owner).first()
            if user is None:
                raise CommandError(f"No user has the username {owner!r}.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"There is no file {file}.")
        if problem := too_big(path.stat().st_size):  # before reading it into memory
            raise CommandError(problem)
        try:
            result = import_map(path.read_bytes(), format=format, user=user)
        except MapImportError as error:
            count = len(error.problems)
            self.stderr.write(f"Nothing was imported: {count} problem{'s' if count != 1 else ''} in {file}:")
            for problem in error.problems:
                self.stderr.write(f"- {problem}")
            raise CommandError("The file was not imported.", returncode=1) from None
        self.stderr.write(result.summary())
        if result.placeholders:
            self.stderr.write(f"Placeholder accounts (cannot log in): {', '.join(result.placeholders)}")
        self.stdout.write(result.map.code)
