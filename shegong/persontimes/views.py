"""The 服务人次 page: totals by kind, by domain and by month for the filters, in the viewer's scope; Excel export."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.core.listing import export_response, permission
from shegong.persontimes import selectors
from shegong.persontimes.forms import PersonTimeFilterForm
from shegong.persontimes.models import PersonTime


def _filtered(request):
    form = PersonTimeFilterForm(request.GET, actor=request.user)
    rows = selectors.person_times(request.user, **form.selector_kwargs())
    if form.domain_code():
        rows = rows.filter(domain=form.domain_code())
    return form, rows


@permission(selectors.VIEW)
def summary(request):
    form, rows = _filtered(request)
    names = selectors.domain_names()
    kinds = PersonTime.Kind.choices
    months = [
        {"month": row["month"], "cells": [row["by_kind"].get(kind, 0) for kind, _label in kinds], "total": row["total"]}
        for row in selectors.by_month(rows)
    ]
    domains = sorted(selectors.by_domain(rows).items(), key=lambda item: -item[1])
    context = {
        "form": form,
        "period": form.period(),
        "totals": selectors.totals(rows),
        "domains": [(names.get(code, code) or _("未分领域"), people) for code, people in domains],
        "months": months,
        "kinds": kinds,
        "query": request.GET.urlencode(),
    }
    return render(request, "persontimes/summary.html", context)


@permission(selectors.VIEW)
@require_POST
def export(request):
    """The sums by month, kind and domain for the filters (no personal data in them); audited."""
    form, rows = _filtered(request)
    names = selectors.domain_names()
    labels = dict(PersonTime.Kind.choices)
    headers = [_("月份"), _("服务类型"), _("服务领域"), _("服务人次"), _("服务次数")]
    data = [
        [
            f"{row['month']:%Y-%m}",
            str(labels.get(row["kind"], row["kind"])),
            names.get(row["domain"], row["domain"]) or _("未分领域"),
            row["people"],
            row["events"],
        ]
        for row in selectors.breakdown(rows)
    ]
    return export_response(
        actor=request.user,
        title=_("服务人次"),
        headers=headers,
        rows=data,
        object_type="persontimes.persontime",
        form=form,
    )
