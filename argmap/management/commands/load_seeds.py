import json

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from argmap.mapfile import MapFileError, load_map, read_sources_metadata, source_from_file
from argmap.models import Map, Membership, Role

SEEDS = settings.BASE_DIR / "seeds"
DEMO_MAP_CODE = "belarus"
DEMO_PASSWORD = "argmap-demo"
# Roles the demo map's authors get, so each kind of person can be tried out (its owner stays owner).
DEMO_ROLES = {"ales": Role.CONTRIBUTOR, "daria": Role.CONTRIBUTOR, "tomas": Role.VIEWER}


class Command(BaseCommand):
    help = "Load the seed articles and the demo map. Running it again changes nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo-logins",
            action="store_true",
            help=f"Development only: let the demo map's people log in with the password {DEMO_PASSWORD!r}, "
            "each with a role on the demo map.",
        )

    def handle(self, *args, **options):
        if options["demo_logins"] and not settings.DEBUG:
            raise CommandError("--demo-logins gives known passwords: it only runs with DEBUG on (development).")
        metadata = read_sources_metadata(SEEDS / "sources.json")
        new_sources = sum(source_from_file(SEEDS, entry)[1] for entry in metadata.values())
        try:
            report = load_map(json.loads((SEEDS / "demo_map.json").read_text(encoding="utf-8")), SEEDS, metadata)
        except MapFileError as error:
            raise CommandError(f"The demo map does not load: {error}") from error
        self.stdout.write(f"Seed articles: {len(metadata)} ({new_sources} new).")
        self.stdout.write(report.summary())
        if options["demo_logins"]:
            self.stdout.write(self.give_demo_logins())

    def give_demo_logins(self) -> str:
        """Set the demo password and roles (only where they differ) and describe the logins."""
        map_ = Map.objects.select_related("owner").get(code=DEMO_MAP_CODE)
        users = {u.username: u for u in get_user_model().objects.filter(username__in=DEMO_ROLES)}
        lines = [f"Demo logins (password {DEMO_PASSWORD}):"]
        with transaction.atomic():
            people = [(map_.owner, Role.OWNER)] if map_.owner else []
            people += [(users[name], role) for name, role in DEMO_ROLES.items() if name in users]
            for user, role in people:
                # check_password first: a fresh salt on every run would change the row each time.
                if not user.check_password(DEMO_PASSWORD):
                    user.set_password(DEMO_PASSWORD)
                    user.save(update_fields=["password"])
                if user != map_.owner:
                    membership, _ = Membership.objects.get_or_create(map=map_, user=user, defaults={"role": role})
                    if membership.role != role:
                        membership.role = role
                        membership.save(update_fields=["role"])
                lines.append(f"  {user.username:<10} {Role(role).label.lower()} of /maps/{map_.code}/")
        return "\n".join(lines)
