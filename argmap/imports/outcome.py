"""What an import ends with: an ImportResult, or a MapImportError listing every problem."""

from dataclasses import dataclass, field

REPORT_LIMIT = 200  # problems listed in a report; a wholly broken big file would otherwise list thousands


class MapImportError(Exception):
    """The file cannot be imported; `problems` says why, one sentence per problem."""

    def __init__(self, problems: list[str] | str):
        problems = [problems] if isinstance(problems, str) else list(problems)
        if len(problems) > REPORT_LIMIT:
            hidden = len(problems) - REPORT_LIMIT
            problems = problems[:REPORT_LIMIT] + [f"… and {hidden:,} more problems."]
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass
class ImportResult:
    map: object  # argmap.models.Map
    counts: dict[str, int] = field(default_factory=dict)
    placeholders: list[str] = field(default_factory=list)  # usernames of the accounts created for unknown people
    reused_sources: int = 0

    def summary(self) -> str:
        what = ", ".join(f"{n:,} {name}" for name, n in self.counts.items())
        return f"Imported “{self.map.title}” as {self.map.code}: {what}."
