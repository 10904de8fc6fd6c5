"""Demo: the aggregates of everything the other demos loaded (they load with live maintenance paused), then the
demo city's targets (marked 演示设定) so the dashboard shows targets met, on track and behind."""

import time

from shegong.analytics import maintenance
from shegong.analytics.presets import load_demo_targets


def load(context: dict) -> None:
    started = time.perf_counter()
    rows = maintenance.rebuild()
    context["stdout"].write(f"  统计聚合: {rows:,} 行，重建用时 {time.perf_counter() - started:.1f} 秒")
    load_demo_targets(context)
