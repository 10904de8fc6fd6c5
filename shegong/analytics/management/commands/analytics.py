"""`shegong analytics rebuild | verify | refresh`.

- rebuild: recompute every aggregate from the raw records (after a bulk load, a restore, or a changed fact).
- verify: recompute into a scratch table and compare with the live aggregates; exits with status 1 and lists the
  differences when any row differs.
- refresh: recompute the judgements that change with the date alone (run daily from cron).
- drain [--loop SECONDS]: apply the queued contribution changes (the outbox); with --loop, keep doing it (the
  worker for ANALYTICS_DRAIN=worker).
"""

import time

from django.core.management.base import BaseCommand, CommandError

from shegong.analytics import maintenance


class Command(BaseCommand):
    help = "Rebuild, verify or refresh the indicator aggregates."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rebuild", help="recompute every aggregate from the raw records")
        verify = sub.add_parser("verify", help="compare the aggregates with the raw records")
        verify.add_argument("--limit", type=int, default=50, help="how many differing rows to print")
        sub.add_parser("refresh", help="recompute date-dependent judgements (daily)")
        drain = sub.add_parser("drain", help="apply the queued contribution changes")
        drain.add_argument("--loop", type=float, default=0, help="keep draining, pausing this many seconds when idle")

    def handle(self, *args, action, **options):
        started = time.perf_counter()
        if action == "drain":
            self._drain(options["loop"])
        elif action == "rebuild":
            rows = maintenance.rebuild()
            self.stdout.write(f"rebuilt {rows:,} aggregate rows in {time.perf_counter() - started:.1f} s")
        elif action == "refresh":
            entities = maintenance.refresh_all_entities()
            self.stdout.write(f"re-judged {entities:,} entities in {time.perf_counter() - started:.1f} s")
        else:
            count, rows = maintenance.verify(limit=options["limit"])
            elapsed = time.perf_counter() - started
            if not count:
                self.stdout.write(f"aggregates match the raw records ({elapsed:.1f} s)")
                return
            for row in rows:
                self.stdout.write(
                    f"{row['fact']} level {row['level']} {row['prefix']} {row['grain']} {row['period']} "
                    f"{row['dim'] or '*'}/{row['dim2'] or '*'}: stored {row['stored']}, expected {row['expected']}"
                )
            raise CommandError(f"{count:,} aggregate rows differ from the raw records ({elapsed:.1f} s)")

    def _drain(self, pause: float) -> None:
        from django.db import close_old_connections

        while True:
            applied = maintenance.drain()
            if applied:
                self.stdout.write(f"applied {applied:,} queued changes")
            if not pause:
                return
            close_old_connections()
            if not applied:
                time.sleep(pause)
