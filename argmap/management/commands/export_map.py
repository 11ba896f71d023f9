"""`manage.py export_map CODE --format F [-o FILE] [--anonymize] [--root ID] [--depth N]`."""

import sys

from django.core.management.base import BaseCommand, CommandError

from argmap.access import Access
from argmap.exports import FORMATS
from argmap.exports.loading import MapExport
from argmap.models import Map


class Command(BaseCommand):
    help = "Write a map in one of the export formats (to standard output, or to a file with -o)."

    def add_arguments(self, parser):
        parser.add_argument("code", help="The map's code, as in its address /maps/<code>/.")
        parser.add_argument("--format", "-f", required=True, choices=sorted(FORMATS))
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")
        parser.add_argument("--anonymize", action="store_true", help="Names become pseudonyms (then no full backup).")
        parser.add_argument("--root", type=int, help="For svg: draw only the subtree under this node id.")
        parser.add_argument("--depth", type=int, help="For svg: draw this many levels at most.")

    def handle(self, *args, code, format, output, anonymize, root, depth, **options):
        map_ = Map.objects.select_related("owner").filter(code=code).first()
        if map_ is None:
            raise CommandError(f"No map has the code {code!r}.")
        export = MapExport.load(Access.for_site_operator(map_), anonymize=anonymize)
        export.options = {k: v for k, v in {"root": root, "depth": depth}.items() if v is not None}
        if root is not None and root not in export.graph:
            raise CommandError(f"Node {root} is not a live node of map {code}.")
        body = FORMATS[format].render(export)
        data = body.encode("utf-8") if isinstance(body, str) else body
        if output:
            with open(output, "wb") as file:
                file.write(data)
            self.stderr.write(f"Wrote {len(data):,} bytes to {output}.")
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
