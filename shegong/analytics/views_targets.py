"""The target pages (目标): the targets of the user's regions with their progress and projection, set / change /
delete a target, load a preset from the seeds. Thin views over services, presets and figures.progress; a target
outside the user's scope answers 404."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.accounts.forms import add_service_error
from shegong.analytics import catalogue, figures, presets, selectors, services
from shegong.analytics.forms import PresetForm, TargetForm
from shegong.analytics.models import Target
from shegong.core.listing import permission

STATUS_COLOURS = {"met": "success", "on_track": "primary", "off_track": "danger", "no_data": "secondary"}


@dataclass
class Row:
    target: Target
    indicator: object  # catalogue.Indicator or None when the catalogue no longer has it
    progress: object  # figures.Progress or None

    @property
    def name(self) -> str:
        return str(self.indicator.name) if self.indicator else self.target.indicator

    @property
    def unit(self) -> str:
        return str(self.indicator.unit) if self.indicator else ""

    def _number(self, value) -> str:
        if value is None:
            return "—"
        decimals = self.indicator.decimals if self.indicator else 0
        return f"{value:,.{decimals}f}"

    @property
    def current(self) -> str:
        return self._number(self.progress.current if self.progress else None)

    @property
    def projected(self) -> str:
        return self._number(self.progress.projected if self.progress else None)

    @property
    def goal(self) -> str:
        return self._number(float(self.target.value))

    @property
    def percent(self) -> int | None:
        if not self.progress or self.progress.share is None:
            return None
        return max(0, min(100, round(self.progress.share * 100)))

    @property
    def status(self) -> tuple[str, str]:
        code = self.progress.status if self.progress else "no_data"
        return str(figures.PROGRESS_LABELS[code]), STATUS_COLOURS[code]


def _target(request, pk: int, perm: str) -> Target:
    target = selectors.targets(request.user, perm).filter(pk=pk).first()
    if target is None:
        raise Http404
    return target


@permission(services.VIEW)
def targets(request):
    today = timezone.localdate()
    rows = []
    for target in selectors.targets(request.user).order_by("region_id", "period_end", "indicator"):
        indicator = catalogue.CATALOGUE.indicators.get(target.indicator)
        rows.append(Row(target, indicator, figures.progress(target, today) if indicator else None))
    context = {
        "rows": rows,
        "today": today,
        "can_add": request.user.has_perm(services.ADD),
        "can_change": request.user.has_perm(services.CHANGE),
        "can_delete": request.user.has_perm(services.DELETE),
        "preset_form": PresetForm(),
        "presets": presets.PRESETS.values(),
    }
    return render(request, "analytics/targets.html", context)


@permission(services.ADD)
def target_create(request):
    form = TargetForm(request.POST or None, actor=request.user, perm=services.ADD)
    if request.method == "POST" and form.is_valid():
        try:
            services.target_create(actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已设定目标。"))
            return redirect("analytics:targets")
    return render(request, "analytics/target_form.html", {"form": form, "target": None})


@permission(services.CHANGE)
def target_edit(request, pk: int):
    target = _target(request, pk, services.CHANGE)
    data = request.POST if request.method == "POST" else None
    form = TargetForm(data, actor=request.user, perm=services.CHANGE, initial=TargetForm.initial_of(target))
    if request.method == "POST" and form.is_valid():
        try:
            services.target_update(
                actor=request.user, target=target, version=form.cleaned_data.get("version"), **form.service_kwargs()
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("analytics:targets")
    context = {
        "form": form,
        "target": target,
        "can_delete": request.user.has_perm(services.DELETE),
    }
    return render(request, "analytics/target_form.html", context)


@permission(services.DELETE)
@require_POST
def target_delete(request, pk: int):
    target = _target(request, pk, services.DELETE)
    services.target_delete(actor=request.user, target=target)
    messages.success(request, _("已删除目标。"))
    return redirect("analytics:targets")


@permission(services.ADD)
@require_POST
def target_preset(request):
    form = PresetForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择预置目标。"))
        return redirect("analytics:targets")
    try:
        written = presets.targets_load_preset(form.cleaned_data["preset"], request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        label = presets.PRESETS[form.cleaned_data["preset"]].label
        messages.success(request, _("已载入“%(name)s”的 %(count)d 项目标。") % {"name": label, "count": len(written)})
    return redirect("analytics:targets")
