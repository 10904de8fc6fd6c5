"""`shegong audit verify [--chunk-size N] [--anchor SEQUENCE:HASH ...]`: check the audit log's hash chain.

Prints "OK" with the number of entries (and the newest entry's sequence and hash, worth keeping outside the database
as an anchor for later runs), or each problem found, and then exits with status 1.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from shegong.audit.verification import DEFAULT_CHUNK, verify


def anchor(value: str) -> tuple[int, str]:
    sequence, sep, digest = value.partition(":")
    if not sep or not sequence.isdigit() or len(digest) != 64:
        raise ValueError(value)
    return int(sequence), digest.lower()


class Command(BaseCommand):
    help = "Audit log tools: `verify` checks that no entry was edited or deleted."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("verify", help="recompute every hash and check the chain")
        check.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK, help="rows read per query")
        check.add_argument("--database", default=DEFAULT_DB_ALIAS)
        check.add_argument("--max-problems", type=int, default=100, help="problems printed at most (all are counted)")
        check.add_argument(
            "--anchor",
            type=anchor,
            action="append",
            default=[],
            metavar="SEQUENCE:HASH",
            help="an entry hash noted earlier (e.g. from a previous run's output) that must still match",
        )

    def handle(self, *args, action, **options):
        if options["chunk_size"] < 1:
            raise CommandError("--chunk-size must be at least 1")
        result = verify(
            chunk_size=options["chunk_size"],
            using=options["database"],
            keep=options["max_problems"],
            anchors=dict(options["anchor"]),
        )
        if result.ok:
            self.stdout.write(
                _("OK：共 %(count)d 条，哈希链完整；最新一条 %(anchor)s")
                % {"count": result.checked, "anchor": f"{result.last_sequence}:{result.last_hash}"}
            )
            return
        for problem in result.problems:
            self.stdout.write(str(problem))
        hidden = result.problem_count - len(result.problems)
        if hidden > 0:
            self.stdout.write(_("……另有 %(count)d 个问题未列出") % {"count": hidden})
        raise CommandError(
            _("哈希链校验未通过：%(count)d 条中发现 %(problems)d 个问题")
            % {"count": result.checked, "problems": result.problem_count},
            returncode=1,
        )
