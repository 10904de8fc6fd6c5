"""The main menu. Each app lists its entries in its own `navigation.py` as NAV_ITEMS; the menu shows an entry only
to users whose roles grant its permission."""

from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str | None = None  # None: every signed-in user
    icon: str = "circle"
    order: int = 100


def all_items() -> list[NavItem]:
    items: list[NavItem] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("shegong."):
            continue
        try:
            module = import_module(f"{config.name}.navigation")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.navigation":
                raise
            continue
        items.extend(getattr(module, "NAV_ITEMS", []))
    return sorted(items, key=lambda item: (item.order, item.url_name))


def items_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    return [
        {"label": item.label, "url": reverse(item.url_name), "icon": item.icon, "url_name": item.url_name}
        for item in all_items()
        if item.permission is None or user.has_perm(item.permission)
    ]
