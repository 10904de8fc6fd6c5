"""Excel import of time-bank accounts (开户) through the tabular framework: one row per account.

A row names its member as the keeper's page does (selectors.account_owner): a volunteer by volunteer number or by
name and phone, a resident by name and phone, a station (its own account or its pool) by station code. Each row is
checked by `account_open` itself in a savepoint (volunteers.imports.dry_run: the scope, an account already open) and
the good rows are opened by it, each audited.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.tabular import parsers
from shegong.tabular.spec import Column, ImportSpec, register
from shegong.timebank import permissions, selectors, services
from shegong.timebank.forms import OPENABLE
from shegong.volunteers.imports import dry_run


class AccountImport(ImportSpec):
    kind = "timebank-accounts"
    title = gettext_lazy("时间银行账户")
    permission = permissions.ADD_ACCOUNT
    columns = [
        Column(
            "kind",
            gettext_lazy("账户类型"),
            required=True,
            parse=parsers.choice(dict(OPENABLE)),
            example="志愿者",
            help=gettext_lazy("志愿者、居民、站点或站点互助池"),
            width=12,
        ),
        Column(
            "volunteer_number",
            gettext_lazy("志愿者编号"),
            parse=parsers.text(20),
            example="V442026000001",
            help=gettext_lazy("志愿者：填编号，或填姓名和联系电话"),
            width=16,
        ),
        Column("name", gettext_lazy("姓名"), parse=parsers.text(50), width=12),
        Column(
            "phone",
            gettext_lazy("联系电话"),
            parse=parsers.phone(),
            help=gettext_lazy("居民：填姓名和联系电话"),
            width=14,
        ),
        Column(
            "station_code",
            gettext_lazy("站点编码"),
            parse=parsers.text(16),
            help=gettext_lazy("站点、站点互助池：填站点编码"),
            width=14,
        ),
        Column("opened_on", gettext_lazy("开户日期"), parse=parsers.date(), help=gettext_lazy("留空为今天"), width=12),
    ]

    def prepare(self, actor) -> dict:
        return {"owners": {}, "today": timezone.localdate()}

    def _open(self, values: dict, actor):
        return services.account_open(
            owner=values["_owner"], kind=values["kind"], actor=actor, opened_on=values["opened_on"]
        )

    def check_row(self, values: dict, context: dict, actor) -> list[str]:
        try:
            owner = selectors.account_owner(
                kind=values["kind"],
                volunteer_number=values["volunteer_number"] or "",
                name=values["name"] or "",
                phone=values["phone"] or "",
                station_code=values["station_code"] or "",
            )
        except ValidationError as exc:
            return list(exc.messages)
        if values["opened_on"] and values["opened_on"] > context["today"]:
            return [_("开户日期：不能晚于今天")]
        key = (values["kind"], type(owner).__name__, owner.pk)
        if key in context["owners"]:
            return [_("文件中前面已有同一成员的同类账户（%(name)s）") % {"name": context["owners"][key]}]
        context["owners"][key] = str(owner)
        values["_owner"] = owner
        return dry_run(lambda: self._open(values, actor))

    def write(self, rows: list[dict], context: dict, actor) -> int:
        for row in rows:
            self._open(row, actor)
        return len(rows)


def register_all() -> None:
    register(AccountImport())
