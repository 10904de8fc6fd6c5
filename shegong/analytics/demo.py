"""Demo: the aggregates of everything the other demos loaded (they load with live maintenance paused)."""

import time

from shegong.analytics import maintenance


def load(context: dict) -> None:
    started = time.perf_counter()
    rows = maintenance.rebuild()
    context["stdout"].write(f"  统计聚合: {rows:,} 行，重建用时 {time.perf_counter() - started:.1f} 秒")
