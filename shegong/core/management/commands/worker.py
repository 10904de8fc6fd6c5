"""`shegong worker`: run queued background tasks (with TASKS_MODE=worker). Run as many as you like."""

import time

from django.core.management.base import BaseCommand

from shegong.core.tasks import run_task


class Command(BaseCommand):
    help = "Run queued background tasks until stopped (or until the queue is empty with --once)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="exit when no task is queued")
        parser.add_argument("--poll", type=float, default=1.0, help="seconds between looks at an empty queue")

    def handle(self, *args, once: bool, poll: float, **options):
        while True:
            ran = run_task()
            if ran is not None:
                self.stdout.write(f"{ran.name} #{ran.pk}: {ran.status}")
                continue
            if once:
                return
            time.sleep(poll)
