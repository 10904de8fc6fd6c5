"""What every test may assume is in the database: the country's provinces and cities, the real divisions of 广州市,
and whatever the apps seed in their data migrations.

Ordinary tests get it once per session (conftest's django_db_setup). Transactional tests (live server, concurrency)
end with a flush that empties every table, so the fixtures they use call `ensure_baseline()` again first.
"""

from importlib import import_module

from shegong.regions.models import Region

BASELINE_CITY = "4401"
PROBE_COMMUNITY = "440104003104"  # 流水井社区, 北京街道, 越秀区

# Idempotent seeders that data migrations also run: (module, function). Each app adds its own here.
SEEDERS: list[tuple[str, str]] = [
    ("shegong.refdata.seed", "install_dictionaries"),
    ("shegong.policies.presets", "install_presets"),
    ("shegong.evaluations.presets", "install_presets"),
]


def ensure_baseline() -> None:
    if not Region.objects.filter(pk=PROBE_COMMUNITY).exists():
        from shegong.accounts.roles import ensure_builtin_roles
        from shegong.regions.loading import load_shipped

        load_shipped(city=BASELINE_CITY)
        ensure_builtin_roles()
        # A flush empties every table at once, so the seeded data is missing exactly when the regions are.
        for module_name, function_name in SEEDERS:
            getattr(import_module(module_name), function_name)()
