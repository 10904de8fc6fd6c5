"""Pages of the station network. Thin: the permission first (403), the station through the data scope for the
permission the page needs (404 when outside it), a service for every write, selectors and rules for every figure."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.accounts.forms import add_service_error
from shegong.core.listing import (
    EXPORT_MAX_ROWS,
    PAGE_SIZE,
    export_response,
    page_context,
    permission,
    query_without_page,
    too_many_rows_message,
)
from shegong.core.scope import get_scoped_or_404, scoped
from shegong.regions.codes import InvalidCode, canonical
from shegong.regions.models import Region
from shegong.stations import exports, rules, selectors, services
from shegong.stations.forms import (
    AssignForm,
    AssignmentChangeForm,
    AssignmentEndForm,
    CheckInForm,
    ServiceItemForm,
    StationFilterForm,
    StationForm,
    StatusForm,
)
from shegong.stations.models import StaffAssignment, Station, StationService
from shegong.stations.selectors import ADD, ASSIGN, CHANGE, CHANGE_STATUS, CHECK_IN, VIEW
from shegong.tabular.views import xlsx_response


def _region_param(request) -> Region | None:
    """The region named by ?region= (any code length), or None; an unknown code is a 404, not a silent fallback."""
    text = (request.GET.get("region") or "").strip()
    if not text:
        return None
    try:
        code = canonical(text)
    except InvalidCode:
        raise Http404 from None
    region = Region.objects.filter(pk=code).first()
    if region is None:
        raise Http404
    return region


def _detail(station: Station, anchor: str = "") -> str:
    url = reverse("stations:detail", args=[station.code])
    return f"{url}#{anchor}" if anchor else url


# --- The network ---------------------------------------------------------------------------------------------------


@permission(VIEW)
def network(request):
    page = selectors.network(request.user, _region_param(request))
    return render(request, "stations/network.html", {"network": page, "kinds": Station.Kind})


@permission(VIEW)
def noncompliant(request):
    region = _region_param(request)
    roots = selectors.network_roots(request.user)
    if region is None and roots is not None and len(roots) == 1:
        region = roots[0]
    if (
        region is not None
        and roots is not None
        and not any(root.subtree_bounds[0] <= region.code <= root.subtree_bounds[1] for root in roots)
    ):
        raise Http404
    on = timezone.localdate()
    # A nationwide user picks a province first: the whole country is not judged station by station on one page.
    pick_province = region is None and roots is None
    rows = [] if pick_province else selectors.noncompliant(actor=request.user, region=region, on=on)
    return render(
        request,
        "stations/noncompliant.html",
        {
            "count": len(rows),
            "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
            "query": query_without_page(request),
            "region": region,
            "on": on,
            "week": rules.last_complete_week(on),
            "provinces": Region.objects.filter(level=Region.Level.PROVINCE).order_by("code") if pick_province else [],
        },
    )


# --- The list ------------------------------------------------------------------------------------------------------


def _filtered(request):
    form = StationFilterForm(request.GET, actor=request.user)
    rows = form.apply(selectors.station_search(actor=request.user, filters=form.filters()))
    return form, rows


@permission(VIEW)
def station_list(request):
    form, rows = _filtered(request)
    context = page_context(request, rows)
    selectors.attach_judgements(context["page"].object_list)
    context.update(form=form, can_add=request.user.has_perm(ADD))
    return render(request, "stations/station_list.html", context)


@permission(VIEW)
@require_POST
def station_export(request):
    form, rows = _filtered(request)
    back = f"{reverse('stations:list')}?{request.GET.urlencode()}"
    if rows.order_by().count() > EXPORT_MAX_ROWS:
        messages.error(request, too_many_rows_message())
        return redirect(back)
    rows = list(rows)
    selectors.attach_judgements(rows)
    headers = [
        _("站点编码"),
        _("名称"),
        _("类型"),
        _("所在区划"),
        _("区划代码"),
        _("承接机构"),
        _("依托单位"),
        _("状态"),
        _("启用日期"),
        _("地址"),
        _("联系电话"),
        _("服务时间"),
        _("专职社工人数"),
        _("达标情况"),
        _("不达标项"),
    ]

    def compliance(station):
        judgement = station.judgement
        if judgement is None or not judgement.judged:
            return _("不计（非运营）"), ""
        failing = judgement.failing
        return (_("不达标") if failing else _("达标")), "；".join(verdict.message for verdict in failing)

    data = (
        [
            station.code,
            station.name,
            station.get_kind_display(),
            station.region.name,
            station.region.short_code,
            station.agency.name if station.agency else "",
            station.host_institution,
            station.get_status_display(),
            station.opened_on,
            station.address,
            station.phone,
            station.service_hours,
            station.judgement.staff if station.judgement else 0,
            *compliance(station),
        ]
        for station in rows
    )
    return export_response(
        actor=request.user,
        title=_("社工站点"),
        headers=headers,
        rows=data,
        object_type=Station._meta.label_lower,
        form=form,
    )


@permission(VIEW)
@require_POST
def station_related_export(request, what: str):
    """The filtered stations' service lists or staff, in the layout their imports read (edit and upload again)."""
    form, rows = _filtered(request)
    writer = {"services": exports.export_services, "assignments": exports.export_assignments}.get(what)
    if writer is None:
        raise Http404
    try:
        data = writer(actor=request.user, stations=rows, filters=form.describe())
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(f"{reverse('stations:list')}?{request.GET.urlencode()}")
    name = _("站点服务清单") if what == "services" else _("站点人员")
    return xlsx_response(data, f"{name}-{timezone.localdate():%Y%m%d}.xlsx")


# --- One station ---------------------------------------------------------------------------------------------------


@permission(ADD)
def station_create(request):
    form = StationForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            station = services.station_create(actor=request.user, **form.changes())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("已建立站点“%(name)s”，编码 %(code)s。") % {"name": station.name, "code": station.code}
            )
            return redirect(_detail(station))
    return render(request, "stations/station_form.html", {"form": form, "creating": True})


@permission(VIEW)
def station_detail(request, code: str):
    station = selectors.station_get(actor=request.user, code=code)
    user = request.user
    today = timezone.localdate()
    judgement = rules.judge_station(station, today)
    can_assign = selectors.can(user, ASSIGN, station) and station.status != Station.Status.REVOKED
    can_check_in = selectors.can(user, CHECK_IN, station) and station.status != Station.Status.REVOKED
    can_status = selectors.can(user, CHANGE_STATUS, station) and bool(services.allowed_moves(station.status))
    is_room = station.kind == Station.Kind.ROOM
    context = {
        "station": station,
        "today": today,
        "judgement": judgement,
        "history": selectors.status_history(station),
        "items": selectors.service_items(station),
        "assignments": selectors.assignments(station, today),
        "resident": selectors.assigned_worker(station, today) if is_room else None,
        "presence": selectors.room_presence(station, today) if is_room else [],
        "rooms": [] if is_room else selectors.rooms_under(user, station, today),
        "week": rules.last_complete_week(today),
        "can_change": selectors.can(user, CHANGE, station),
        "can_assign": can_assign,
        "can_check_in": can_check_in,
        "can_status": can_status,
    }
    if can_assign:
        context["assign_form"] = AssignForm(actor=user, station=station)
        context["suggestions"] = selectors.worker_candidates(user, station)
    if can_status:
        context["status_form"] = StatusForm(station=station)
    return render(request, "stations/station_detail.html", context)


@permission(CHANGE)
def station_edit(request, code: str):
    station = selectors.station_get(actor=request.user, code=code, perm=CHANGE)
    form = StationForm(request.POST or None, actor=request.user, station=station)
    if request.method == "POST" and form.is_valid():
        try:
            services.station_update(actor=request.user, station=station, **form.changes())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect(_detail(station))
    return render(request, "stations/station_form.html", {"form": form, "station": station, "creating": False})


def _action_page(request, station, form, title: str, *, submit: str = "", danger: bool = False, back: str = ""):
    return render(
        request,
        "stations/action_form.html",
        {
            "station": station,
            "form": form,
            "title": title,
            "submit": submit or _("保存"),
            "danger": danger,
            "back": back or _detail(station),
        },
    )


@permission(CHANGE_STATUS)
def station_status(request, code: str):
    station = selectors.station_get(actor=request.user, code=code, perm=CHANGE_STATUS)
    form = StatusForm(request.POST or None, station=station)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.station_set_status(actor=request.user, station=station, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("站点状态已变更为“%(status)s”。") % {"status": event.get_status_display()})
            return redirect(_detail(station, "history"))
    return _action_page(request, station, form, _("变更站点状态"), back=_detail(station, "history"))


# --- The service list ----------------------------------------------------------------------------------------------


def _service_item(request, station, pk: int) -> StationService:
    return get_scoped_or_404(
        StationService.objects.select_related("station"), request.user, CHANGE, pk=pk, station=station
    )


@permission(CHANGE)
def service_add(request, code: str):
    station = selectors.station_get(actor=request.user, code=code, perm=CHANGE)
    form = ServiceItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.station_service_add(actor=request.user, station=station, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已加入服务清单。"))
            return redirect(_detail(station, "services"))
    return _action_page(request, station, form, _("添加服务项目"), back=_detail(station, "services"))


@permission(CHANGE)
def service_edit(request, code: str, pk: int):
    station = selectors.station_get(actor=request.user, code=code, perm=CHANGE)
    item = _service_item(request, station, pk)
    form = ServiceItemForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.station_service_update(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect(_detail(station, "services"))
    return _action_page(request, station, form, _("修改服务项目"), back=_detail(station, "services"))


@permission(CHANGE)
@require_POST
def service_remove(request, code: str, pk: int):
    station = selectors.station_get(actor=request.user, code=code, perm=CHANGE)
    item = _service_item(request, station, pk)
    services.station_service_remove(actor=request.user, item=item)
    messages.success(request, _("已从服务清单移除“%(title)s”。") % {"title": item.title})
    return redirect(_detail(station, "services"))


@permission(CHANGE)
@require_POST
def service_move(request, code: str, pk: int):
    station = selectors.station_get(actor=request.user, code=code, perm=CHANGE)
    item = _service_item(request, station, pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    try:
        services.station_service_move(actor=request.user, item=item, offset=offset)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_detail(station, "services"))


# --- Staff ---------------------------------------------------------------------------------------------------------


def _assignment(request, station, pk: int) -> StaffAssignment:
    rows = StaffAssignment.objects.select_related("station", "worker")
    return get_scoped_or_404(rows, request.user, ASSIGN, pk=pk, station=station)


@permission(ASSIGN)
def assign(request, code: str):
    station = selectors.station_get(actor=request.user, code=code, perm=ASSIGN)
    form = AssignForm(request.POST or None, actor=request.user, station=station)
    if request.method == "POST" and form.is_valid():
        try:
            post = services.staff_assign(actor=request.user, station=station, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("已安排 %(name)s 任%(role)s。") % {"name": post.worker.name, "role": post.get_role_display()},
            )
            return redirect(_detail(station, "staff"))
    context = {"suggestions": selectors.worker_candidates(request.user, station)}
    return render(
        request,
        "stations/action_form.html",
        {
            "station": station,
            "form": form,
            "title": _("安排人员"),
            "submit": _("安排"),
            "back": _detail(station, "staff"),
            **context,
        },
    )


@permission(ASSIGN)
def assignment_edit(request, code: str, pk: int):
    station = selectors.station_get(actor=request.user, code=code, perm=ASSIGN)
    post = _assignment(request, station, pk)
    form = AssignmentChangeForm(request.POST or None, assignment=post)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_assignment_change(actor=request.user, assignment=post, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect(_detail(station, "staff"))
    title = _("修改 %(name)s 的安排") % {"name": post.worker.name}
    return _action_page(request, station, form, title, back=_detail(station, "staff"))


@permission(ASSIGN)
def assignment_end(request, code: str, pk: int):
    station = selectors.station_get(actor=request.user, code=code, perm=ASSIGN)
    post = _assignment(request, station, pk)
    form = AssignmentEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_assignment_end(actor=request.user, assignment=post, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(name)s 的安排已结束。") % {"name": post.worker.name})
            return redirect(_detail(station, "staff"))
    title = _("结束 %(name)s 的%(role)s安排") % {"name": post.worker.name, "role": post.get_role_display()}
    return _action_page(
        request, station, form, title, submit=_("结束安排"), danger=True, back=_detail(station, "staff")
    )


# --- Presence ------------------------------------------------------------------------------------------------------


@permission(CHECK_IN)
def check_in(request, code: str):
    station = selectors.station_get(actor=request.user, code=code, perm=CHECK_IN)
    form = CheckInForm(request.POST or None, station=station)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.presence_check_in(actor=request.user, station=station, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("已登记 %(name)s %(date)s 在%(community)s的服务。")
                % {"name": entry.worker.name, "date": entry.date.isoformat(), "community": entry.community.name},
            )
            return redirect(_detail(station, "presence"))
    return _action_page(request, station, form, _("登记驻点签到"), back=_detail(station, "presence"))


@permission(VIEW)
def worker_presence(request, worker_id: int):
    """One worker's weeks in the rooms where they were the resident social worker (those the user may see)."""
    post = scoped(StaffAssignment, request.user, VIEW).filter(worker_id=worker_id).select_related("worker").first()
    if post is None:
        raise Http404
    worker = post.worker
    stations = list(
        scoped(Station, request.user, VIEW)
        .filter(assignments__worker_id=worker_id)
        .select_related("region")
        .distinct()
        .order_by("region_id")
    )
    visible = {station.pk for station in stations}
    grids = [grid for grid in selectors.worker_presence(worker) if grid and grid[0].room.pk in visible]
    return render(request, "stations/worker_presence.html", {"worker": worker, "grids": grids, "stations": stations})
