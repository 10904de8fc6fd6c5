"""Escalate residents' requests past their first-response deadline: each is marked once and the heads of its station
are alerted (kind 超时提醒). Run it from cron (e.g. every 15 minutes); running it again changes nothing."""

from django.core.management.base import BaseCommand

from shegong.servicerequests import services


class Command(BaseCommand):
    help = "Escalate residents' requests past their first-response deadline (once each) and alert station heads."

    def handle(self, *args, **options):
        count = services.escalate_overdue()
        self.stdout.write(f"escalated {count} overdue request(s)")
