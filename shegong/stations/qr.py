"""QR codes for stations and communities, and what a public code points to.

Every station and every community (a level-5 region) has a public page at `/s/<code>`: the station's own code, or the
community's 12-digit division code. The QR code printed on a poster encodes that page's absolute address, so a
resident who scans it lands on the page without signing in (issue 4; the request form joins it later).

A 12-digit code of an existing community names the community; any other code names a station. Station codes are
therefore never 12-digit numbers that collide with a community (the stations service generates them).

Reads here are of two kinds: `public_target` for the public page (no user; only what a resident may see) and
`staff_target` / `street_for_staff` for the QR and poster endpoints (scoped to the user; out of scope answers 404).
"""

import base64
import io
from dataclasses import dataclass, field

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db.models import Prefetch, Q
from django.http import Http404
from django.urls import NoReverseMatch, reverse

from shegong.core.scope import grants_of, scoped
from shegong.regions.codes import subtree_bounds
from shegong.regions.models import Region
from shegong.regions.selectors import ancestors
from shegong.stations.models import Station, StationService
from shegong.stations.selectors import VIEW

COMMUNITY_CODE_LENGTH = 12
# Error correction M (15% of the symbol may be lost) keeps the symbol small for a short URL and survives a smudged
# or partly covered print; the 4-module quiet zone is the minimum the standard (ISO/IEC 18004) asks for.
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
QUIET_ZONE = 4
PNG_BOX_SIZE = 12  # pixels per module: a 33-module symbol is 492 px, sharp on screen and at 10 cm in print
SVG_BOX_SIZE = 10  # qrcode's SVG unit is box_size / 10 mm: one module per user unit, 1 mm each at natural size

# Suffixes of the official community names (居委会 / 村委会 are the committees, not the place): the posters and the
# public page name the place, as residents say it.
_COMMITTEE_SUFFIXES = (("居民委员会", ""), ("居委会", ""), ("村民委员会", "村"), ("村委会", "村"))


def community_display_name(name: str) -> str:
    """流水井社区居委会 → 流水井社区, 礼元村委会 → 礼元村, 荷花村村民委员会 → 荷花村."""
    for suffix, place in _COMMITTEE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            return stem if not place or stem.endswith(place) else stem + place
    return name


def is_community_code(code: str) -> bool:
    return len(code) == COMMUNITY_CODE_LENGTH and code.isascii() and code.isdigit()


# --- Addresses ------------------------------------------------------------------------------------------------------


def public_path(code: str) -> str:
    """The public page's path: the short `/s/<code>/` at the site root when shegong/urls.py routes it, else the
    same view under the stations app."""
    try:
        return reverse("public_page", args=[code])
    except NoReverseMatch:
        return reverse("stations:public_page", args=[code])


def public_url(code: str, request=None) -> str:
    """The absolute address a QR code encodes. PUBLIC_BASE_URL (scheme and host of the public site) wins, because
    staff often print posters from an internal address residents cannot reach; without it, the request's host."""
    base = (getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")
    if base:
        return base + public_path(code)
    if request is None:
        raise ValueError("public_url needs the request when PUBLIC_BASE_URL is not set")
    return request.build_absolute_uri(public_path(code))


# --- QR symbols -----------------------------------------------------------------------------------------------------


def qr_symbol(data: str, box_size: int = PNG_BOX_SIZE) -> qrcode.QRCode:
    symbol = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=QUIET_ZONE, box_size=box_size)
    symbol.add_data(data)
    symbol.make(fit=True)
    return symbol


def qr_modules(data: str) -> list[list[bool]]:
    """The symbol's dark modules (True), without the quiet zone: what a poster draws."""
    return [list(row) for row in qr_symbol(data).modules]


def qr_png(data: str) -> bytes:
    buffer = io.BytesIO()
    qr_symbol(data).make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(data: str) -> bytes:
    """One path on a white background (scanners need the light quiet zone even on a coloured page); no style
    attributes, so the page's CSP has nothing to object to when the SVG is opened by itself."""
    image = qr_symbol(data, SVG_BOX_SIZE).make_image(image_factory=qrcode.image.svg.SvgPathFillImage)
    return image.to_string(encoding="utf-8")


def qr_svg_data_uri(data: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(data)).decode("ascii")


# --- What a code points to ------------------------------------------------------------------------------------------


@dataclass
class PublicTarget:
    """A station, or a community with the stations that serve it (its room first, then its street's station)."""

    code: str
    station: Station | None = None
    community: Region | None = None
    stations: list[Station] = field(default_factory=list)
    # The regions from the city down to the target's own region, for a "广州市 · 越秀区 · 北京街道" line.
    place: list[Region] = field(default_factory=list)

    @property
    def is_community(self) -> bool:
        return self.community is not None

    @property
    def title(self) -> str:
        return community_display_name(self.community.name) if self.community else self.station.name

    @property
    def place_names(self) -> list[str]:
        return [community_display_name(region.name) if region.level == 5 else region.name for region in self.place]

    @property
    def contact_station(self) -> Station | None:
        """The station whose phone a resident should call: the first one that is open (or getting ready) and has a
        phone. A suspended or revoked station answers no calls for help."""
        callable_statuses = (Station.Status.OPERATING, Station.Status.PREPARING)
        for station in self.stations:
            if station.phone and station.status in callable_statuses:
                return station
        return None


def _with_public_services(queryset):
    active = StationService.objects.filter(is_active=True).order_by("sort_order", "id")
    return queryset.prefetch_related(Prefetch("services", queryset=active, to_attr="public_services"))


def _place(region: Region) -> list[Region]:
    return [row for row in ancestors(region) if row.level >= Region.Level.CITY] + [region]


def serving_stations(communities: list[Region], *, with_services: bool = False) -> dict[str, list[Station]]:
    """For each community code, the live (not revoked) stations that serve it: the community's room, then the
    station of the street or township above it. One query for any number of communities."""
    if not communities:
        return {}
    codes = [community.code for community in communities]
    streets = {community.parent_id for community in communities}
    rows = (
        Station.objects.filter(
            Q(kind=Station.Kind.ROOM, region_id__in=codes) | Q(kind=Station.Kind.STATION, region_id__in=streets)
        )
        .exclude(status=Station.Status.REVOKED)
        .select_related("agency")
        .order_by("region_id")
    )
    if with_services:
        rows = _with_public_services(rows)
    rooms, street_stations = {}, {}
    for station in rows:
        (rooms if station.kind == Station.Kind.ROOM else street_stations)[station.region_id] = station
    return {
        community.code: [
            station
            for station in (rooms.get(community.code), street_stations.get(community.parent_id))
            if station is not None
        ]
        for community in communities
    }


def _community_target(community: Region, *, with_services: bool) -> PublicTarget:
    stations = serving_stations([community], with_services=with_services)[community.code]
    return PublicTarget(code=community.code, community=community, stations=stations, place=_place(community))


def _station_target(station: Station) -> PublicTarget:
    return PublicTarget(code=station.code, station=station, stations=[station], place=_place(station.region))


def public_target(code: str) -> PublicTarget | None:
    """What the public page at /s/<code> shows, or None for an unknown code. No user: everything here is what the
    station publishes (its own fields, its service list, its operating agency's name), never a person's data."""
    if is_community_code(code):
        community = Region.objects.filter(pk=code, level=Region.Level.VILLAGE).first()
        if community is not None:
            return _community_target(community, with_services=True)
    station = _with_public_services(Station.objects.select_related("region", "agency")).filter(code=code).first()
    return _station_target(station) if station is not None else None


# --- Staff side: scoped -------------------------------------------------------------------------------------------


def _region_granted(user, region: Region) -> bool:
    """Whether one of the user's assignments that may view stations covers the region (nationwide, or a region
    whose subtree holds it)."""
    for grant in grants_of(user):
        if VIEW not in grant.permissions:
            continue
        if grant.nationwide:
            return True
        if grant.region_code and grant.region_level is not None:
            low, high = subtree_bounds(grant.region_code, grant.region_level)
            if low <= region.code <= high:
                return True
    return False


def _serves_in_scope(user, stations: list[Station]) -> bool:
    """An agency's staff reach a community through the stations their agency runs there."""
    ids = [station.pk for station in stations]
    return bool(ids) and scoped(Station, user, VIEW).filter(pk__in=ids).exists()


def staff_target(user, code: str) -> PublicTarget:
    """The station or community behind `code` for the QR and poster endpoints; 404 when unknown or out of the
    user's scope (a community is in scope through the region, or through a station serving it that is)."""
    if is_community_code(code):
        community = Region.objects.filter(pk=code, level=Region.Level.VILLAGE).first()
        if community is not None:
            target = _community_target(community, with_services=False)
            if _region_granted(user, community) or _serves_in_scope(user, target.stations):
                return target
            raise Http404
    station = scoped(Station.objects.select_related("region", "agency"), user, VIEW).filter(code=code).first()
    if station is None:
        raise Http404
    return _station_target(station)


def street_for_staff(user, code: str) -> tuple[Region, list[PublicTarget]]:
    """A street or township (level 4) and one target per community under it, for the batch of posters; 404 when
    unknown or out of scope (in scope through the region, or through the street's own station)."""
    street = Region.objects.filter(pk=code, level=Region.Level.TOWNSHIP).first() if code.isdigit() else None
    if street is None:
        raise Http404
    if not _region_granted(user, street):
        own = scoped(Station, user, VIEW).filter(region=street, kind=Station.Kind.STATION)
        if not own.exclude(status=Station.Status.REVOKED).exists():
            raise Http404
    communities = list(Region.objects.filter(parent=street, level=Region.Level.VILLAGE).order_by("code"))
    serving = serving_stations(communities)
    place = _place(street)
    targets = [
        PublicTarget(code=row.code, community=row, stations=serving[row.code], place=[*place, row])
        for row in communities
    ]
    return street, targets
