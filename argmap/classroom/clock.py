"""How a class reads a moment: in its own time zone, in a few words. Pure: no models, no queries."""

import datetime
import zoneinfo


def when(moment: datetime.datetime, zone: zoneinfo.ZoneInfo) -> str:
    """A moment as a class reads it: "Tue 1 Dec, 14:30 (Europe/Minsk)"."""
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M} ({zone.key})"


def closed_message(exercise) -> str:
    """What every write on a closed exercise answers (its maps, its decisions)."""
    return f"This exercise closed at {when(exercise.closes_at, exercise.school_class.zone)}; the map is read-only."
