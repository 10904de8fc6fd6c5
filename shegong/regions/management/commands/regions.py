"""`shegong regions load [--province 44] [--city 4401]` and `shegong regions import-nbs FILE`."""

import argparse
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shegong.regions import nbs, services
from shegong.regions.loading import LoadResult

LOG_EVERY_SECONDS = 5
LEVEL_NAMES = {1: "省级", 2: "地级", 3: "县级", 4: "乡级", 5: "村级"}


class Progress:
    """Progress on stderr: a self-overwriting line per level on a terminal, one line per finished level in a log."""

    def __init__(self, stream):
        self.stream = stream  # the command's stderr (an OutputWrapper: write(..., ending=""))
        self.tty = stream.isatty()
        self.started = self.last_line = time.perf_counter()

    def __call__(self, level: int, done: int, total: int) -> None:
        now = time.perf_counter()
        elapsed = now - self.started
        if total:  # still going
            share = 100 * done // total
            line = f"level {level} {LEVEL_NAMES[level]}: {done:,}/{total:,} rows ({share}%), {elapsed:.1f} s"
            if self.tty:
                self.write(f"\r\033[K{line}", ending="")
            elif now - self.last_line >= LOG_EVERY_SECONDS:
                self.write(line)
                self.last_line = now
            self.stream.flush()
            return
        prefix = "\r\033[K" if self.tty else ""
        self.write(f"{prefix}level {level} {LEVEL_NAMES[level]}: {done:,} rows done, {elapsed:.1f} s")
        self.stream.flush()

    def write(self, text: str, ending: str = "\n") -> None:
        # Plain text: the command's stderr would colour everything as an error on a terminal.
        self.stream.write(text, style_func=lambda plain: plain, ending=ending)


NBS_HELP = f"""\
import an official NBS file (统计用区划代码和城乡划分代码) from a CSV or TSV file.

{nbs.FORMAT_HELP}"""


class Command(BaseCommand):
    help = "Load administrative divisions (行政区划): the shipped 2023 codes, or an official NBS file."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser(
            "load",
            help="load the shipped 2023 divisions (idempotent: a second run writes nothing)",
            description="Load the shipped 2023 divisions. Provinces and cities always load in full; "
            "--province / --city limit the lower levels. Running it again writes nothing.",
        )
        load.add_argument("--province", help="2-digit province code, e.g. 44")
        load.add_argument("--city", help="4-digit city code, e.g. 4401")
        importer = sub.add_parser(
            "import-nbs",
            help="import an official NBS file (CSV/TSV with the urban-rural class column)",
            description=NBS_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        importer.add_argument("file", type=Path, help="the CSV or TSV file")

    def handle(self, *args, action, **options):
        if action == "load":
            self.load(options.get("province"), options.get("city"))
        else:
            self.import_nbs(options["file"])

    def load(self, province: str | None, city: str | None) -> None:
        if province and (len(province) != 2 or not province.isdigit()):
            raise CommandError("--province takes a 2-digit code, e.g. 44")
        if city and (len(city) != 4 or not city.isdigit()):
            raise CommandError("--city takes a 4-digit code, e.g. 4401")
        if province and city and not city.startswith(province):
            raise CommandError(f"city {city} is not in province {province}")
        progress = Progress(self.stderr)
        result = services.regions_load_shipped(province=province, city=city, progress=progress, actor=None)
        for row in result.skipped:
            self.stdout.write(
                f"skipped level {row.level} {row.code} {row.name}: same 12-digit code as its parent {row.stands_for}"
            )
        self.report(result)

    def import_nbs(self, path: Path) -> None:
        progress = Progress(self.stderr)
        try:
            result = services.regions_import_nbs(path=path, progress=progress, actor=None)
        except nbs.NbsFileError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(str(exc.summary)) from None
        self.report(result)

    def report(self, result: LoadResult) -> None:
        levels = ", ".join(f"level {lvl} {LEVEL_NAMES[lvl]} {count:,}" for lvl, count in sorted(result.read.items()))
        self.stdout.write(
            f"{levels}; created {result.created:,}, updated {result.updated:,}, unchanged {result.unchanged:,}"
            f" in {result.seconds:.1f} s"
        )
