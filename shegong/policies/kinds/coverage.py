"""Coverage targets of the station network. Facts will come from the stations app (stations per township and rooms
per community of a region, counted from the region's divisions).

- township_station_coverage: share of 乡镇（街道） with a social work station (seed 004: Jiangsu 100% by 2025,
  Heilongjiang ≥ 40% of townships by the end of 2022).
- community_room_coverage: share of 城乡社区 with a social work room ("一村社一室", seed 002 Chongqing).
"""

from django.utils.translation import gettext_lazy

from shegong.policies.kinds.base import share_kind
from shegong.policies.registry import Fact, FactType

OWNER = "stations"

TOWNSHIP_STATION_COVERAGE = share_kind(
    code="township_station_coverage",
    label=gettext_lazy("乡镇（街道）社工站覆盖率"),
    description=gettext_lazy("建有社会工作站的乡镇（街道）占本地乡镇（街道）总数的最低比例。"),
    owner=OWNER,
    numerator=Fact("townships_with_station", gettext_lazy("建有社工站的乡镇（街道）数"), FactType.INT),
    denominator=Fact("townships", gettext_lazy("乡镇（街道）总数"), FactType.INT),
    with_target_year=True,
)

COMMUNITY_ROOM_COVERAGE = share_kind(
    code="community_room_coverage",
    label=gettext_lazy("村（社区）社工室覆盖率"),
    description=gettext_lazy("建有社会工作室的城乡社区占社区总数的最低比例。"),
    owner=OWNER,
    numerator=Fact("communities_with_room", gettext_lazy("建有社工室的社区数"), FactType.INT),
    denominator=Fact("communities", gettext_lazy("城乡社区总数"), FactType.INT),
    with_target_year=True,
)

KINDS = [TOWNSHIP_STATION_COVERAGE, COMMUNITY_ROOM_COVERAGE]
