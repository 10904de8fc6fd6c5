"""Target presets (预置目标) from the seeds, and the demo's targets.

Each preset is a jurisdiction's policy document turned into targets (DESIGN.md §3), with its words as the source:

- 浙江 2022 (seed 001, 浙江省民政厅《关于加强社会工作专业人才队伍建设加快推进社会工作发展的意见》征求意见稿,
  2019-06-18): "力争到2022年,全省持有全国社会工作者职业水平证书的社会工作专业人才总量达到10万人,社会工作专业岗位达到
  6万个,社会工作服务机构达到1600家" and "在全省培养800名……社会工作督导". The posts (6万) and the 20 nationally
  influential agencies have no indicator in the catalogue and are left out.
- 江苏 2025 (seed 004, 江苏《关于加快推进社会工作高质量发展的意见》, the 十四五 period 2021–2025): "到2025年,全省持证
  社工人数要超10万人;累计培养社会工作领军人才、督导人才各150名;乡镇(街道)社会工作服务站点覆盖率达到100%,每个县(市、
  区)拥有3A级及以上民办社会工作服务机构的数量≥2个" — the last as 100% of counties meeting it.
- 黑龙江 2022 (seed 004, 黑龙江省民政厅 2022年度全省乡镇(街道)社工站建设推进会议): "按年底不低于本地乡镇总数40%确定
  社工站建设目标任务".

`targets_load_preset` writes a preset's targets through the target services (scoped and audited) and is idempotent:
a second load changes nothing, and a target a bureau edited since is brought back to the preset's value.
`load_demo_targets` gives the demo city (广州 4401) a few targets marked 演示设定 (the seeds give Guangzhou no such
numbers), scaled from the demo's own figures so that the gauges show some met, some on track and some behind.
"""

import datetime
import math
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.analytics import catalogue
from shegong.analytics.models import Target
from shegong.regions.models import Region

DEMO = "demo"
DEMO_SOURCE = "演示设定"


@dataclass(frozen=True)
class PresetTarget:
    indicator: str
    value: int
    source: str


@dataclass(frozen=True)
class Preset:
    code: str
    name: object
    region: str  # 12-digit code of the province
    period_start: datetime.date
    period_end: datetime.date
    targets: tuple

    @property
    def label(self) -> str:
        return str(self.name)


ZHEJIANG = "zhejiang_2022"
JIANGSU = "jiangsu_2025"
HEILONGJIANG = "heilongjiang_2022"

SEED_001 = "种子文件001 浙江：力争到2022年,全省持有全国社会工作者职业水平证书的社会工作专业人才总量达到10万人"
SEED_004_JIANGSU = "种子文件004 江苏：到2025年,"

PRESETS = {
    ZHEJIANG: Preset(
        ZHEJIANG,
        gettext_lazy("浙江 2022（种子文件001）"),
        "330000000000",
        datetime.date(2019, 6, 18),
        datetime.date(2022, 12, 31),
        (
            PresetTarget("certified_workers", 100_000, SEED_001),
            PresetTarget("agencies", 1_600, "种子文件001 浙江：力争到2022年,……社会工作服务机构达到1600家"),
            PresetTarget(
                "supervisors",
                800,
                "种子文件001 浙江：在全省培养800名具备丰富实务经验、善于解决复杂专业问题的社会工作督导",
            ),
        ),
    ),
    JIANGSU: Preset(
        JIANGSU,
        gettext_lazy("江苏 2025（种子文件004）"),
        "320000000000",
        datetime.date(2021, 1, 1),
        datetime.date(2025, 12, 31),
        (
            PresetTarget("certified_workers", 100_000, SEED_004_JIANGSU + "全省持证社工人数要超10万人"),
            PresetTarget("leading_talents", 150, SEED_004_JIANGSU + "累计培养社会工作领军人才、督导人才各150名"),
            PresetTarget("supervisors", 150, SEED_004_JIANGSU + "累计培养社会工作领军人才、督导人才各150名"),
            PresetTarget(
                "township_station_coverage", 100, SEED_004_JIANGSU + "乡镇(街道)社会工作服务站点覆盖率达到100%"
            ),
            PresetTarget(
                "counties_2_agencies_3a",
                100,
                SEED_004_JIANGSU + "每个县(市、区)拥有3A级及以上民办社会工作服务机构的数量≥2个",
            ),
        ),
    ),
    HEILONGJIANG: Preset(
        HEILONGJIANG,
        gettext_lazy("黑龙江 2022（种子文件004）"),
        "230000000000",
        datetime.date(2022, 1, 1),
        datetime.date(2022, 12, 31),
        (
            PresetTarget(
                "township_station_coverage",
                40,
                "种子文件004 黑龙江：按年底不低于本地乡镇总数40%确定社工站建设目标任务",
            ),
        ),
    ),
}


def preset_choices() -> list[tuple[str, str]]:
    return [(code, preset.label) for code, preset in PRESETS.items()]


@transaction.atomic
def targets_load_preset(preset: str, actor) -> list[Target]:
    """Write the preset's targets (idempotent). The actor must be allowed to set targets for the preset's province;
    None is the installation itself (commands, the demo). Raises ValidationError with a message to show."""
    from django.core.exceptions import ValidationError

    from shegong.analytics import services

    spec = PRESETS.get(preset)
    if spec is None:
        raise ValidationError(_("没有这个预置目标。"), code="unknown_preset")
    region = Region.objects.filter(pk=spec.region).first()
    if region is None:
        raise ValidationError(
            _("“%(name)s”所在的省级行政区划尚未载入，请先载入该省的行政区划。") % {"name": spec.label},
            code="region_missing",
        )
    return [
        _put(
            actor,
            services,
            indicator=item.indicator,
            region=region,
            period_start=spec.period_start,
            period_end=spec.period_end,
            value=item.value,
            source=item.source,
            preset=spec.code,
        )
        for item in spec.targets
        if item.indicator in catalogue.CATALOGUE.indicators
    ]


def _put(actor, services, *, indicator, region, period_start, period_end, value, source, preset) -> Target:
    existing = Target.objects.filter(
        indicator=indicator, region=region, period_start=period_start, period_end=period_end
    ).first()
    if existing is None:
        return services.target_create(
            actor=actor,
            indicator=indicator,
            region=region,
            period_start=period_start,
            period_end=period_end,
            value=value,
            source=source,
            preset=preset,
        )
    return services.target_update(actor=actor, target=existing, value=value, source=source, comparison="gte")


# --- The demo ---------------------------------------------------------------------------------------------------------

# (indicator, how the demo's target is set from the year-to-date figure: a factor, or a fixed value; at least
# `floor`). A stock at its current figure reads met; a flow a little above its year to date is on track (the year's
# pace carries it further); stocks well above their figure are behind.
DEMO_TARGETS = (
    ("certified_workers", 1.25, None, 10),
    ("supervisors", 1.5, None, 5),
    ("township_station_coverage", None, 100, 0),
    ("agencies_3a_up", 1.0, None, 2),
    ("person_times", 1.05, None, 100),
)


def load_demo_targets(context: dict) -> list[Target]:
    """A few targets for the demo city (广州 4401) for this year, marked 演示设定, set after the demo's figures are in
    (call after the aggregates are rebuilt): a target is the current figure of the year times a factor, so some
    gauges read met and others on track or behind."""
    from shegong.analytics.figures import Node, evaluate
    from shegong.analytics.periods import Period

    code = context.get("city_code") or "440100000000"
    region = Region.objects.filter(pk=code).first()
    if region is None:
        return []
    today = timezone.localdate()
    year = Period(today.replace(month=1, day=1), today)
    node = Node.of(region)
    written = []
    with transaction.atomic():
        for indicator_code, factor, fixed, floor in DEMO_TARGETS:
            indicator = catalogue.CATALOGUE.indicators.get(indicator_code)
            if indicator is None:
                continue
            if fixed is not None:
                value = fixed
            else:
                current = evaluate([indicator], [node], year)[(indicator_code, node)].value or 0
                value = max(floor, math.ceil(current * factor))
            from shegong.analytics import services

            written.append(
                _put(
                    None,
                    services,
                    indicator=indicator_code,
                    region=region,
                    period_start=year.start,
                    period_end=today.replace(month=12, day=31),
                    value=value,
                    source=DEMO_SOURCE,
                    preset=DEMO,
                )
            )
    stdout = context.get("stdout")
    if stdout is not None:
        stdout.write(f"  目标：{region.name} {len(written)} 项（演示设定）")
    return written
