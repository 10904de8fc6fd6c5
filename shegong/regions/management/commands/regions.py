"""`shegong regions load [--province 44] [--city 4401]`: load the shipped 2023 divisions (idempotent)."""

import sys

from django.core.management.base import BaseCommand, CommandError

from shegong.regions import loading


class Command(BaseCommand):
    help = "Load administrative divisions (行政区划)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="load the shipped 2023 divisions")
        load.add_argument("--province", help="2-digit province code, e.g. 44")
        load.add_argument("--city", help="4-digit city code, e.g. 4401")

    def handle(self, *args, action, **options):
        province, city = options.get("province"), options.get("city")
        if province and (len(province) != 2 or not province.isdigit()):
            raise CommandError("--province takes a 2-digit code, e.g. 44")
        if city and (len(city) != 4 or not city.isdigit()):
            raise CommandError("--city takes a 4-digit code, e.g. 4401")
        if province and city and not city.startswith(province):
            raise CommandError(f"city {city} is not in province {province}")

        def progress(done, total):
            sys.stderr.write(f"\r  {done:,}/{total:,} rows written")
            sys.stderr.flush()

        result = loading.load_shipped(province=province, city=city, progress=progress)
        sys.stderr.write("\n")
        levels = ", ".join(f"level {lvl}: {count:,}" for lvl, count in sorted(result.read.items()))
        self.stdout.write(f"read {levels}")
        self.stdout.write(
            f"created {result.created:,}, updated {result.updated:,}, unchanged "
            f"{sum(result.read.values()) - result.created - result.updated:,} in {result.seconds:.1f} s"
        )
