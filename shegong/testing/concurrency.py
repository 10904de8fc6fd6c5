"""Run pieces of work at the same moment in real threads, for the "two people at once, exactly one wins" tests.

Each piece runs on its own database connection (Django gives each thread one), all start together behind a barrier,
and each connection is closed when its piece ends. A ValidationError is the refusal a loser expects, so it becomes
that piece's outcome; any other exception fails the test. Use with `pytest.mark.django_db(transaction=True)` on
PostgreSQL: SQLite locks the whole database on a write, so there is no race to test there.

    outcomes = at_once({"甲": lambda: assign(by=head_a), "乙": lambda: assign(by=head_b)})
"""

import threading
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import connections

JOIN_TIMEOUT = 60


def at_once(works: dict[str, Callable]) -> dict:
    start = threading.Barrier(len(works))
    outcomes, errors = {}, []

    def run(name):
        try:
            start.wait(timeout=JOIN_TIMEOUT)
            outcomes[name] = works[name]()
        except ValidationError as exc:
            outcomes[name] = exc
        except Exception as exc:  # reported below, in the test's own thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(name,)) for name in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    assert not errors, errors
    return outcomes


def each_at_once(work: Callable[[str], object], names=("甲", "乙")) -> dict:
    """`work(name)` for every name at the same moment."""
    return at_once({name: (lambda name=name: work(name)) for name in names})
