"""The only writes of 服务人次: called by the casework, group-work and activity services inside their own transaction
(so the count and the event commit or fail together; their audit row covers both)."""

import datetime

from shegong.persontimes.models import PersonTime


def record(
    *,
    kind: str,
    source_id: int,
    occurred_on: datetime.date,
    count: int,
    station,
    region=None,
    domain: str = "",
    agency=None,
    project=None,
    worker=None,
) -> PersonTime | None:
    """Set the person-times of one service event (create or replace). A count of 0 (nobody attended) keeps no row.
    `region` defaults to the station's region; the agency to the station's operating agency."""
    if count < 0:
        raise ValueError("a person-time count cannot be negative")
    if count == 0:
        erase(kind=kind, source_id=source_id)
        return None
    region_id = region.pk if region is not None else station.region_id
    values = {
        "occurred_on": occurred_on,
        "count": count,
        "domain": domain or "",
        "region_id": region_id,
        "province_code": region_id[:2],
        "station": station,
        "agency": agency if agency is not None else station.agency,
        "project": project,
        "worker": worker,
    }
    row, _created = PersonTime.objects.update_or_create(kind=kind, source_id=source_id, defaults=values)
    return row


def erase(*, kind: str, source_id: int) -> None:
    PersonTime.objects.filter(kind=kind, source_id=source_id).delete()
