"""What an importable kind of record looks like: its columns (the template), per-row checks and the bulk write.

An app registers its specs in AppConfig.ready() with `register(MySpec())`. The framework reads the workbook, parses
every cell with the column's parser, checks uniqueness inside the file, calls `check_row` for checks against the
database, and calls `write` once with all the good rows inside one transaction.
"""

from dataclasses import dataclass, field

from shegong.tabular.parsers import Parser, text


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    parse: Parser = field(default_factory=text)
    example: object = ""
    help: str = ""
    width: int = 18


class ImportSpec:
    kind: str = ""
    title: str = ""
    permission: str = ""
    columns: list[Column] = []
    # Column keys (or tuples of keys) that must not repeat inside one file.
    unique_together: list[tuple[str, ...]] = []

    def prepare(self, actor) -> dict:
        """Load what the row checks need in a few queries (lookups by code, existing keys …)."""
        return {}

    def check_row(self, values: dict, context: dict, actor) -> list[str]:
        """Checks beyond each cell's own parser (cross-field rules, duplicates in the database). Returns messages."""
        return []

    def write(self, rows: list[dict], context: dict, actor) -> int:
        """Write all good rows (already checked) and audit the import; runs inside one transaction."""
        raise NotImplementedError

    @property
    def headers(self) -> list[str]:
        return [str(column.header) for column in self.columns]


_SPECS: dict[str, ImportSpec] = {}


def register(spec: ImportSpec) -> ImportSpec:
    _SPECS[spec.kind] = spec
    return spec


def get(kind: str) -> ImportSpec | None:
    return _SPECS.get(kind)


def all_specs() -> list[ImportSpec]:
    return sorted(_SPECS.values(), key=lambda spec: spec.kind)
