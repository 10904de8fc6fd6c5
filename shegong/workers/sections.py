"""Sections of a worker's profile that other apps add: registration status (登记), training hours (继续教育),
supervision, job applications … Each app registers its sections in its AppConfig.ready():

    from shegong.workers.sections import ProfileSection, register

    register(ProfileSection(
        key="registration",
        title=_("登记状态"),
        template="registration/_worker_section.html",
        context=lambda worker, user, own: {"registrations": selectors.registrations_of(worker)},
        order=20,
    ))

The staff detail page and the worker's own 我的档案 page render every section whose `context` returns a dict (None
hides it, e.g. when the user may not see that part). The template receives the dict plus `worker` and `own` (whether
the viewer is the worker). A section reads through its own app's selectors, which apply the data scope.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string

SELF = "self"
STAFF = "staff"


@dataclass(frozen=True)
class ProfileSection:
    key: str
    title: str
    template: str
    context: Callable  # (worker, user, own: bool) -> dict | None
    order: int = 100
    audiences: frozenset = frozenset({SELF, STAFF})


_SECTIONS: dict[str, ProfileSection] = {}


def register(section: ProfileSection) -> ProfileSection:
    _SECTIONS[section.key] = section
    return section


def unregister(key: str) -> None:
    _SECTIONS.pop(key, None)


def sections_for(worker, request, *, own: bool) -> list[dict]:
    """The registered sections to show on this page, in order, each rendered with its own context."""
    audience = SELF if own else STAFF
    shown = []
    for section in sorted(_SECTIONS.values(), key=lambda item: (item.order, item.key)):
        if audience not in section.audiences:
            continue
        context = section.context(worker, request.user, own)
        if context is None:
            continue
        html = render_to_string(section.template, {**context, "worker": worker, "own": own}, request=request)
        shown.append({"key": section.key, "title": section.title, "html": html})
    return shown
