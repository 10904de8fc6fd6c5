"""`shegong registration expire [--date 2026-07-01]`: move registrations whose validity has ended to 已到期.

Run it daily (cron or a scheduler). It is idempotent: a second run on the same day moves nothing.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from shegong.registration import services


class Command(BaseCommand):
    help = "Registration (登记) housekeeping: expire registrations past their last valid day."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        expire = sub.add_parser(
            "expire",
            help="move registrations whose last valid day is before today to 已到期 (idempotent)",
            description="Move every registration in force (已登记) whose last valid day is before the given day "
            "(default: today) to 已到期. Each move is audited. Running it again moves nothing.",
        )
        expire.add_argument("--date", help="the day to judge by, YYYY-MM-DD (default: today)")

    def handle(self, *args, **options):
        today = None
        if options.get("date"):
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"--date must be YYYY-MM-DD, not {options['date']!r}") from None
        moved = services.registrations_expire(today=today)
        self.stdout.write(f"{moved} registration(s) expired · 已到期 {moved} 条")
