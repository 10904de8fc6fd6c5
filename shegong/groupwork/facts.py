"""Group work (MZ/T 095-2017) and community activities in the indicator catalogue: group sessions held (小组活动节次,
on the session's date, in the group's service region, by the group's domain) and community activities held (社区活动
场次, on the activity's date, in its community, by domain). Their person-times are the persontimes fact (服务人次)."""

from django.utils.translation import gettext_lazy as _

from shegong.analytics.catalogue import Fact, Indicator, Measure, RowSource

SESSIONS, ACTIVITIES = "group_sessions", "community_activities"
SOURCE = _("MZ/T 095-2017《小组社会工作服务指南》；种子文件003 社区活动")


def _domains(index: int) -> dict:
    from shegong.refdata.selectors import labels

    return labels("service_domain")


FACTS = [
    Fact(SESSIONS, _("小组活动节次"), unit=_("节"), dims=(_("服务领域"),), dim_labels=_domains),
    Fact(ACTIVITIES, _("社区活动场次"), unit=_("场"), dims=(_("服务领域"),), dim_labels=_domains),
]

SOURCES = [
    RowSource(
        fact=SESSIONS,
        model="groupwork.GroupSession",
        region="group__region_id",
        day="held_on",
        dim="group__domain",
        watch=(("groupwork.GroupWork", "group"),),
    ),
    RowSource(fact=ACTIVITIES, model="groupwork.CommunityActivity", region="community_id", day="held_on", dim="domain"),
]

INDICATORS = [
    Indicator(
        code="group_sessions",
        name=_("小组活动节次"),
        section=_("服务"),
        numerator=Measure(SESSIONS),
        unit=_("节"),
        breakdown=0,
        description=_("本期开展的小组工作节次（按小组服务区域统计）"),
        source=SOURCE,
    ),
    Indicator(
        code="community_activities",
        name=_("社区活动场次"),
        section=_("服务"),
        numerator=Measure(ACTIVITIES),
        unit=_("场"),
        breakdown=0,
        description=_("本期开展的社区活动场次（按活动所在村（社区）统计）"),
        source=SOURCE,
    ),
]
