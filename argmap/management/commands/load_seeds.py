import json

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from argmap.imports import MapImportError
from argmap.imports.argmap_json import import_document
from argmap.models import Map, Membership, Role

SEEDS = settings.BASE_DIR / "seeds"
DEMO_MAP_CODE = "belarus"
DEMO_PASSWORD = "argmap-demo"
# Roles the demo map's authors get, so each kind of person can be tried out (its owner stays owner).
DEMO_ROLES = {"ales": Role.CONTRIBUTOR, "daria": Role.CONTRIBUTOR, "tomas": Role.VIEWER}


def demo_document() -> dict:
    """seeds/demo_map.json as an Argmap JSON document (docs/json-format.md). Its sources name their
    seed file (`file`) instead of carrying the text, so the articles are stored once, in those files:
    the text is read here, as bytes decoded without newline translation, so it stays byte-for-byte."""
    document = json.loads((SEEDS / "demo_map.json").read_text(encoding="utf-8"))
    for source in document["sources"]:
        source["text"] = (SEEDS / source.pop("file")).read_bytes().decode("utf-8")
    return document


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
        document = demo_document()
        info = document["map"]
        articles = len(document["sources"])
        if Map.objects.filter(code=info["code"]).exists():
            self.stdout.write(f"Seed articles: {articles} (0 new).")
            self.stdout.write(f"Already loaded, unchanged: map “{info['title']}” ({info['code']}).")
        else:
            try:
                result = self.load(document)
            except MapImportError as error:
                raise CommandError(f"The demo map does not load: {error}") from error
            self.stdout.write(f"Seed articles: {articles} ({articles - result.reused_sources} new).")
            what = ", ".join(f"{n} {name}" for name, n in result.counts.items() if name != "history entries")
            self.stdout.write(f"Loaded map “{result.map.title}” ({result.map.code}): {what}.")
        if options["demo_logins"]:
            self.stdout.write(self.give_demo_logins())

    @transaction.atomic
    def load(self, document: dict):
        """Import the demo map as any Argmap JSON file is imported, as its owner, then give it what an
        import leaves out on purpose: its own code and visibility. Its people are real accounts (that
        cannot log in until --demo-logins), so the import credits them rather than placeholders."""
        User = get_user_model()
        for entry in document["users"]:
            user, created = User.objects.get_or_create(
                username=entry["username"],
                defaults={"first_name": entry.get("first_name", ""), "last_name": entry.get("last_name", "")},
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
        info = document["map"]
        result = import_document(document, user=User.objects.get(username=info["owner"]))
        Map.objects.filter(pk=result.map.pk).update(code=info["code"], visibility=info["visibility"])
        result.map.refresh_from_db()
        return result

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
