"""`shegong accounts create-admin`: the installation's first administrators, before anyone can sign in.

    shegong accounts create-admin sysadmin --role system_admin --region 44 --password-stdin < secret.txt
    shegong accounts create-admin auditor --role audit_admin --nationwide

Without --password-stdin the password is asked for twice on the terminal. The account must change it at first login.
"""

import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from shegong.accounts import services
from shegong.accounts.models import Role, User
from shegong.regions.codes import canonical
from shegong.regions.models import Region


class Command(BaseCommand):
    help = "Manage accounts from the command line (installation and recovery)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create-admin", help="create an account with one role assignment")
        create.add_argument("username")
        create.add_argument("--role", required=True, help="role code, e.g. system_admin, security_admin, audit_admin")
        where = create.add_mutually_exclusive_group(required=True)
        where.add_argument("--region", help="region code the role covers (2, 4, 6, 9 or 12 digits)")
        where.add_argument("--nationwide", action="store_true", help="the role covers the whole country")
        create.add_argument("--name", default="", help="display name")
        create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    def handle(self, *args, action, **options):
        if action == "create-admin":
            self.create_admin(**options)

    def create_admin(self, username, role, region, nationwide, name, password_stdin, **options):
        role_obj = Role.objects.filter(code=role).first()
        if role_obj is None:
            known = ", ".join(Role.objects.values_list("code", flat=True))
            raise CommandError(f"unknown role {role!r}; known roles: {known}")
        region_obj = None
        if region:
            try:
                region_obj = Region.objects.filter(pk=canonical(region)).first()
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            if region_obj is None:
                raise CommandError(f"region {region} is not loaded: run `shegong regions load` first")
        if User.objects.filter(username=username).exists():
            raise CommandError(f"user {username!r} already exists")
        password = self.read_password(password_stdin)
        try:
            with transaction.atomic():  # the account and its role, or neither
                user = services.user_create(
                    actor=None, username=username, password=password, display_name=name, home_region=region_obj
                )
                services.assignment_create(actor=None, user=user, role=role_obj, region=region_obj)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        where = region_obj or "全国"
        self.stdout.write(self.style.SUCCESS(f"created {username}: {role_obj.name} · {where} (must change password)"))

    def read_password(self, from_stdin: bool) -> str:
        if from_stdin:
            return sys.stdin.readline().rstrip("\n")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("the two passwords differ")
        return first
