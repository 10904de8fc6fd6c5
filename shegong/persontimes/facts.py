"""服务人次 as a fact of the indicator catalogue: one contribution per service event, in its community, on its day,
by service domain and kind."""

from django.utils.translation import gettext_lazy as _

from shegong.analytics.catalogue import Fact, Indicator, Measure, RowSource
from shegong.persontimes.models import PersonTime


def _labels(index: int) -> dict:
    if index == 1:
        return dict(PersonTime.Kind.choices)
    from shegong.refdata.selectors import labels

    return labels("service_domain")


FACTS = [
    Fact(
        "person_times",
        _("服务人次"),
        unit=_("人次"),
        dims=(_("服务领域"), _("服务类型")),
        dim_labels=_labels,
    ),
]

SOURCES = [
    RowSource(
        fact="person_times",
        model="persontimes.PersonTime",
        region="region_id",
        day="occurred_on",
        value="count",
        dim="domain",
        dim2="kind",
    ),
]

INDICATORS = [
    Indicator(
        code="person_times",
        name=_("服务人次"),
        section=_("服务"),
        numerator=Measure("person_times"),
        unit=_("人次"),
        breakdown=0,
        key=True,
        description=_("个案服务、小组活动与社区活动服务的人次之和"),
    ),
    Indicator(
        code="person_times_casework",
        name=_("个案服务人次"),
        section=_("服务"),
        numerator=Measure("person_times", dim2=(PersonTime.Kind.CASE_SESSION,)),
        unit=_("人次"),
        breakdown=0,
    ),
    Indicator(
        code="person_times_groupwork",
        name=_("小组活动人次"),
        section=_("服务"),
        numerator=Measure("person_times", dim2=(PersonTime.Kind.GROUP_SESSION,)),
        unit=_("人次"),
        breakdown=0,
    ),
    Indicator(
        code="person_times_activity",
        name=_("社区活动人次"),
        section=_("服务"),
        numerator=Measure("person_times", dim2=(PersonTime.Kind.ACTIVITY,)),
        unit=_("人次"),
        breakdown=0,
    ),
]
