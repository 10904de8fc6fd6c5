"""The main menu. Each app lists its entries in its own `navigation.py` as NAV_ITEMS; the menu shows an entry only
to users whose roles grant its permission.

Entries sit in a few sections (SECTIONS), shown as drop-down menus, so the bar stays one line however many apps a
city administrator sees; a section holding a single entry for the user is shown as that entry's plain link."""

from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    label: str
    icon: str


# Keyed by the code a NavItem names in `section`; shown in the order of their first entry.
SECTIONS = {
    "registry": Section(_("机构与人才"), "people"),
    "stations": Section(_("站点网络"), "diagram-3"),
    "projects": Section(_("项目与评估"), "briefcase"),
    "services": Section(_("服务"), "heart"),
    "volunteers": Section(_("志愿与慈善"), "people-fill"),
    "analytics": Section(_("统计"), "graph-up"),
    "system": Section(_("系统"), "gear"),
}


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str | tuple[str, ...] | None = None  # None: every signed-in user; a tuple: any one of them
    icon: str = "circle"
    order: int = 100
    section: str | None = None  # a key of SECTIONS, None: on the bar itself


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
        | {"section": item.section}
        for item in all_items()
        if _may_see(user, item.permission)
    ]


def _may_see(user, permission) -> bool:
    if permission is None:
        return True
    if isinstance(permission, tuple):
        return any(user.has_perm(name) for name in permission)
    return user.has_perm(permission)


def menu_for(user, path: str) -> list[dict]:
    """The bar: plain entries and sections ({"section": Section, "entries": [...]}) in order; the entry holding the
    current page, and its section, are marked active."""
    bar: list[dict] = []
    sections: dict[str, dict] = {}
    for item in items_for(user):
        item["active"] = path == item["url"] or (item["url"] != "/" and path.startswith(item["url"]))
        code = item.pop("section")
        if code is None:
            bar.append(item)
            continue
        if code not in sections:
            sections[code] = {"section": SECTIONS[code], "code": code, "entries": []}
            bar.append(sections[code])
        sections[code]["entries"].append(item)
    menu = []
    for entry in bar:
        if "entries" in entry and len(entry["entries"]) == 1:
            entry = entry["entries"][0]
        elif "entries" in entry:
            entry["active"] = any(item["active"] for item in entry["entries"])
        menu.append(entry)
    return menu
