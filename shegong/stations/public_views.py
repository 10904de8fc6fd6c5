"""The public page a QR code opens (`/s/<code>`): a station's or a community's information and services, for
residents on a phone, with no sign-in.

It shows only what a station publishes: its own fields (name, kind, address, phone, service hours, status), its
service list and its operating agency's name; never a worker's name or phone, never anyone's personal data. The page
never depends on the visitor, so a shared cache may keep it for a short while; a visitor who sends a session cookie
gets a private answer instead, since the session middleware renews that cookie on this very response.
"""

import re

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from shegong.refdata.selectors import labels
from shegong.stations import qr
from shegong.stations.models import Station

# Short: a station that changes its hours or is suspended shows it within minutes.
PAGE_MAX_AGE = 300
NOT_FOUND_MAX_AGE = 60
SERVICE_DOMAINS = "service_domain"


def _answer(request, template: str, context: dict, max_age: int, status: int = 200) -> HttpResponse:
    # Rendered without the request: no context processor reads the user (menu, messages), so the page cannot
    # depend on who asks.
    response = HttpResponse(render_to_string(template, context), status=status)
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        patch_cache_control(response, private=True, max_age=max_age)
    else:
        patch_cache_control(response, public=True, max_age=max_age)
    return response


def dial(phone: str) -> str:
    """The digits a tel: link dials: the first number of the field ("020-8333 1234/13800000000" → "02083331234");
    an extension after 转 is left to the caller to ask for."""
    head = re.split(r"[转xX#,，、/;；]", phone, maxsplit=1)[0]
    return re.sub(r"[^0-9+]", "", head)


def _station_card(station: Station, domains: dict[str, str]) -> dict:
    services = getattr(station, "public_services", [])
    return {
        "station": station,
        "open": station.status == Station.Status.OPERATING,
        "revoked": station.status == Station.Status.REVOKED,
        "tel": dial(station.phone),
        "services": [
            {"title": service.title, "domain": domains.get(service.domain, ""), "description": service.description}
            for service in services
        ],
    }


@require_safe
def public_page(request, code: str):
    target = qr.public_target(code)
    if target is None:
        return _answer(request, "stations/public/not_found.html", {}, NOT_FOUND_MAX_AGE, status=404)
    domains = labels(SERVICE_DOMAINS) if any(getattr(s, "public_services", None) for s in target.stations) else {}
    cards = [_station_card(station, domains) for station in target.stations]
    contact = target.contact_station
    context = {"target": target, "contact": contact, "contact_tel": dial(contact.phone) if contact else ""}
    if target.is_community:
        by_kind = {card["station"].kind: card for card in cards}
        context |= {
            "place": target.place_names[:-1],
            "room": by_kind.get(Station.Kind.ROOM),
            "street_card": by_kind.get(Station.Kind.STATION),
        }
    else:
        station = target.station
        context |= {"place": target.place_names, "card": cards[0]}
        # A revoked room points residents to its community's page, which lists the stations still serving them.
        if station.status == Station.Status.REVOKED and station.kind == Station.Kind.ROOM:
            context["community_path"] = qr.public_path(station.region_id)
    template = "stations/public/community.html" if target.is_community else "stations/public/station.html"
    return _answer(request, template, context, PAGE_MAX_AGE)
