"""Checking the audit chain (`shegong audit verify`): every entry's hash, every link, no gaps, and the head row.

The walk reads the log in sequence order, a chunk at a time by primary-key range (keyset, never OFFSET), holding one
chunk of plain tuples in memory, so it runs in bounded memory over any number of rows.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from shegong.audit.models import AuditChainHead, AuditEntry
from shegong.audit.services import GENESIS_HASH, HASHED_FIELDS, digest

DEFAULT_CHUNK = 5000
COLUMNS = (*HASHED_FIELDS, "entry_hash")


@dataclass(frozen=True)
class Problem:
    sequence: int | None
    message: str

    def __str__(self) -> str:
        where = f"#{self.sequence}" if self.sequence is not None else _("链头")
        return f"{where}: {self.message}"


@dataclass
class Result:
    checked: int = 0
    last_sequence: int = 0
    last_hash: str = GENESIS_HASH
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0


def rows(chunk_size: int = DEFAULT_CHUNK, using: str = "default") -> Iterator[dict]:
    """Every entry as a dict of the hashed columns, in sequence order, `chunk_size` rows per query."""
    after = 0
    while True:
        chunk = list(
            AuditEntry.objects.using(using)
            .filter(sequence__gt=after)
            .order_by("sequence")
            .values_list(*COLUMNS)[:chunk_size]
        )
        if not chunk:
            return
        for values in chunk:
            yield dict(zip(COLUMNS, values, strict=True))
        after = chunk[-1][0]


def problems(
    chunk_size: int = DEFAULT_CHUNK, using: str = "default", result: Result | None = None
) -> Iterator[Problem]:
    """Yield each problem found; `result` (if given) collects the count and the last entry seen."""
    result = result if result is not None else Result()
    expected_sequence = 1
    expected_previous = GENESIS_HASH
    for row in rows(chunk_size, using):
        sequence = row["sequence"]
        result.checked += 1
        linked = True
        if sequence != expected_sequence:
            linked = False
            if expected_sequence == sequence - 1:
                missing = f"#{expected_sequence}"
            else:
                missing = f"#{expected_sequence}–#{sequence - 1}"
            yield Problem(sequence, _("缺少条目 %(missing)s（已被删除）") % {"missing": missing})
        if digest(row) != row["entry_hash"]:
            yield Problem(sequence, _("内容与其哈希不符（条目已被修改）"))
        if linked and row["previous_hash"] != expected_previous:
            yield Problem(sequence, _("前一条哈希与上一条目不符（链接断开）"))
        expected_sequence = sequence + 1
        expected_previous = row["entry_hash"]
        result.last_sequence, result.last_hash = sequence, row["entry_hash"]

    head = AuditChainHead.objects.using(using).filter(id=1).first()
    if head is None:
        if result.checked:
            yield Problem(None, _("链头记录不存在"))
        return
    if head.last_sequence != result.last_sequence:
        yield Problem(
            None,
            _("链头记录的最新序号是 #%(head)d，但最后一条是 #%(last)d（末尾条目已被删除或链头被改动）")
            % {"head": head.last_sequence, "last": result.last_sequence},
        )
    elif head.last_hash != result.last_hash:
        yield Problem(None, _("链头记录的哈希与最后一条不符"))


def verify(
    chunk_size: int = DEFAULT_CHUNK, using: str = "default", keep: int = 100, anchors: dict[int, str] | None = None
) -> Result:
    """Walk the whole chain; keeps the first `keep` problems and counts all of them.

    `anchors` ({sequence: hash}, e.g. noted from an earlier run and kept outside the database) must still match: a
    chain recomputed from scratch by someone with write access passes the other checks, but not this one.
    """
    result = Result()
    anchors = dict(anchors or {})
    found = problems(chunk_size, using, result)
    for problem in found:
        result.problem_count += 1
        if len(result.problems) < keep:
            result.problems.append(problem)
    for sequence, expected in sorted(anchors.items()):
        stored = AuditEntry.objects.using(using).filter(sequence=sequence).values_list("entry_hash", flat=True).first()
        if stored != expected:
            result.problem_count += 1
            result.problems.append(Problem(sequence, _("与保存在库外的锚点哈希不符")))
    return result
