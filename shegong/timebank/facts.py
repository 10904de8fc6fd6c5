"""The time bank (时间银行, seed 003: Guangzhou's 201 time-bank points) in the indicator catalogue:

- accounts opened (a stock, in the account's region, from its opening date, by account kind; accounts are never
  closed);
- hours through the ledger (a flow, hundredths of an hour): every movement of a transfer, on the transfer's date, in
  the region of the movement's account, by direction (存入: credited to the account, 支出: debited) and transfer kind.
  A transfer is two movements summing to zero, so within one region credits and debits of the same transfers balance;
  a reversal (冲正) is a transfer of its own kind and is shown as such, never subtracted from the original kind.
"""

from django.db.models import Case, CharField, DecimalField, ExpressionWrapper, F, Value, When
from django.db.models.functions import Abs
from django.utils.translation import gettext_lazy as _

from shegong.analytics.catalogue import Fact, Indicator, Measure, RowSource
from shegong.timebank.models import Account, Transfer

ACCOUNTS = "timebank_accounts"
HOURS = "timebank_hours"
IN, OUT = "in", "out"
PERSONAL = (Account.Kind.VOLUNTEER, Account.Kind.RESIDENT)
SOURCE = _("种子文件003：广州在社工站设立201个时间银行志愿服务点；种子文件002、004“社会工作+慈善+志愿服务”")


def _account_labels(index: int) -> dict:
    return dict(Account.Kind.choices)


def _movement_labels(index: int) -> dict:
    if index == 1:
        return dict(Transfer.Kind.choices)
    return {IN: _("存入"), OUT: _("支出")}


FACTS = [
    Fact(ACCOUNTS, _("时间银行账户"), unit=_("个"), stock=True, dims=(_("账户类型"),), dim_labels=_account_labels),
    Fact(
        HOURS,
        _("时间银行记账时数"),
        unit=_("小时"),
        scale=100,
        dims=(_("方向"), _("转账类型")),
        dim_labels=_movement_labels,
    ),
]

SOURCES = [
    RowSource(fact=ACCOUNTS, model="timebank.Account", region="region_id", day="opened_on", dim="kind"),
    RowSource(
        fact=HOURS,
        model="timebank.Movement",
        region="account__region_id",
        day="transfer__occurred_on",
        value=ExpressionWrapper(Abs(F("amount")) * 100, output_field=DecimalField(max_digits=14, decimal_places=2)),
        dim=Case(When(amount__gt=0, then=Value(IN)), default=Value(OUT), output_field=CharField()),
        dim2="transfer__kind",
    ),
]

INDICATORS = [
    Indicator(
        code="timebank_member_accounts",
        name=_("时间银行个人账户"),
        section=_("时间银行"),
        numerator=Measure(ACCOUNTS, dim=PERSONAL),
        unit=_("个"),
        time_aggregation="last",
        breakdown=0,
        description=_("期末已开立的志愿者和居民时间银行账户数（不含站点、机构账户和互助池）"),
        source=SOURCE,
    ),
    Indicator(
        code="timebank_hours_exchanged",
        name=_("时间银行服务互换时数"),
        section=_("时间银行"),
        numerator=Measure(HOURS, dim=(IN,), dim2=(Transfer.Kind.EXCHANGE,)),
        unit=_("小时"),
        decimals=1,
        description=_("本期成员之间完成服务、双方确认后存入服务提供方账户的时数（冲正另计）"),
        source=SOURCE,
    ),
    Indicator(
        code="timebank_hours_deposited",
        name=_("时间银行存入时数"),
        section=_("时间银行"),
        numerator=Measure(HOURS, dim=(IN,)),
        unit=_("小时"),
        decimals=1,
        breakdown=1,
        description=_("本期记入各账户的时数合计，按转账类型（服务互换、捐入互助池、转给家庭成员、冲正、开户赠送）分列"),
        source=SOURCE,
    ),
    Indicator(
        code="timebank_hours_spent",
        name=_("时间银行支出时数"),
        section=_("时间银行"),
        numerator=Measure(HOURS, dim=(OUT,)),
        unit=_("小时"),
        decimals=1,
        breakdown=1,
        description=_("本期从各账户支出的时数合计，按转账类型分列"),
        source=SOURCE,
    ),
    Indicator(
        code="timebank_hours_donated",
        name=_("捐入互助池时数"),
        section=_("时间银行"),
        numerator=Measure(HOURS, dim=(IN,), dim2=(Transfer.Kind.DONATION,)),
        unit=_("小时"),
        decimals=1,
        description=_("本期成员捐入站点互助池的时数"),
        source=SOURCE,
    ),
]
