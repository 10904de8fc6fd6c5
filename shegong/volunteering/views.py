"""Pages of volunteer needs. Staff (social workers, stations, agencies, bureaus) read needs in their scope and keep
them; a volunteer (the 志愿者 role with their own volunteer record) finds needs near them, signs up, and checks in
and out on the need's check-in page (the URL its QR encodes)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.accounts.forms import add_service_error
from shegong.core.listing import export_refused, export_response, page_context, permission
from shegong.core.scope import get_scoped_or_404
from shegong.groupwork.models import CommunityActivity, GroupWork
from shegong.projects.models import Project
from shegong.volunteering import selectors, services
from shegong.volunteering.forms import DeclineForm, HoursForm, NeedFilterForm, NeedForm, NeedPostForm, ShiftForm
from shegong.volunteering.models import SignUp, VolunteerNeed
from shegong.workers.models import SocialWorker

VIEW = "volunteering.view_volunteerneed"
ADD = "volunteering.add_volunteerneed"
CHANGE = "volunteering.change_volunteerneed"
SIGN_UP = "volunteering.add_signup"
TARGETS = {"activity": CommunityActivity, "group": GroupWork, "project": Project}


def _error_text(exc: ValidationError) -> str:
    return " ".join(str(message) for message in exc.messages)


# Staff pages


@permission(VIEW)
def need_list(request):
    form = NeedFilterForm(request.GET)
    rows = form.apply(selectors.needs_for(request.user))
    return render(
        request,
        "volunteering/need_list.html",
        {"form": form, **page_context(request, rows), "can_add": request.user.has_perm(ADD)},
    )


@require_POST
@permission(VIEW)
def need_export(request):
    form = NeedFilterForm(request.GET)
    rows = form.apply(selectors.needs_for(request.user))
    refused = export_refused(request, rows, "volunteering:need_list")
    if refused:
        return refused
    headers = [_("签到码"), _("需求名称"), _("所需岗位"), _("服务地点"), _("服务地区"), _("站点"), _("组织社工")]
    headers += [_("班次数"), _("需要人数"), _("状态"), _("发布时间")]
    data = (
        [
            need.code,
            need.title,
            need.roles,
            need.place,
            need.region.name,
            need.station.name if need.station else "",
            need.organiser.name,
            need.shift_count,
            need.needed_total,
            need.get_status_display(),
            timezone.localtime(need.created_at).strftime("%Y-%m-%d %H:%M"),
        ]
        for need in rows.iterator()
    )
    return export_response(
        actor=request.user,
        title=_("志愿需求"),
        headers=headers,
        rows=data,
        object_type="volunteering.volunteerneed",
        form=form,
    )


def _organiser_for(user, target) -> SocialWorker | None:
    """The social worker who organises the need: the signed-in worker, else the target's own organiser or leader."""
    own = SocialWorker.objects.filter(account=user).first()
    if own is not None:
        return own
    return getattr(target, "organiser", None) or getattr(target, "leader", None)


@permission(ADD)
def need_create(request, kind: str, target_pk: int):
    model = TARGETS.get(kind)
    if model is None:
        return redirect("volunteering:need_list")
    target = get_scoped_or_404(model, request.user, ADD, pk=target_pk)
    form = NeedPostForm(request.POST or None, initial={"place": getattr(target, "place", "")})
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        organiser = _organiser_for(request.user, target)
        if organiser is None:
            form.add_error(None, _("找不到组织社工：请由社工本人发布这个需求。"))
        else:
            try:
                need = services.need_post(
                    actor=request.user,
                    target=target,
                    organiser=organiser,
                    title=values["title"],
                    roles=values["roles"],
                    place=values["place"],
                    description=values["description"],
                    shifts=[{key: values[key] for key in ("day", "starts_at", "ends_at", "needed")}],
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("已发布志愿需求。"))
                return redirect("volunteering:need_detail", pk=need.pk)
    return render(request, "volunteering/form.html", {"form": form, "title": _("发布志愿需求"), "target": target})


@permission(VIEW)
def need_detail(request, pk: int):
    need = selectors.need_or_404(request.user, pk)
    can_change = (
        request.user.has_perm(CHANGE)
        and selectors.scoped(VolunteerNeed, request.user, CHANGE).filter(pk=need.pk).exists()
    )
    signups = list(selectors.signups_of_need(need))
    for signup in signups:
        signup.computed = services.computed_hours(signup)
    return render(
        request,
        "volunteering/need_detail.html",
        {
            "need": need,
            "shifts": selectors.shifts_with_places(need),
            "signups": signups,
            "can_change": can_change,
            "is_organiser": need.organiser.account_id == request.user.pk,
            "shift_form": ShiftForm(),
            "checkin_url": request.build_absolute_uri(reverse("volunteering:checkin", args=[need.code])),
        },
    )


def _kept_need(request, pk: int) -> VolunteerNeed:
    return selectors.need_or_404(request.user, pk, CHANGE)


@permission(CHANGE)
def need_edit(request, pk: int):
    need = _kept_need(request, pk)
    initial = {field: getattr(need, field) for field in ("title", "roles", "place", "description")}
    form = NeedForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.need_update(actor=request.user, need=need, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("volunteering:need_detail", pk=need.pk)
    return render(request, "volunteering/form.html", {"form": form, "title": _("编辑志愿需求"), "need": need})


@require_POST
@permission(CHANGE)
def need_status(request, pk: int):
    need = _kept_need(request, pk)
    try:
        services.need_set_status(actor=request.user, need=need, status=request.POST.get("status", ""))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("已更新需求状态。"))
    return redirect("volunteering:need_detail", pk=need.pk)


@require_POST
@permission(CHANGE)
def shift_add(request, pk: int):
    need = _kept_need(request, pk)
    form = ShiftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("班次填写有误：%(errors)s") % {"errors": form.errors.as_text()})
    else:
        try:
            services.shift_add(actor=request.user, need=need, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("已增加班次。"))
    return redirect("volunteering:need_detail", pk=need.pk)


@require_POST
@permission(CHANGE)
def signup_decide(request, pk: int, signup_pk: int):
    need = _kept_need(request, pk)
    signup = selectors.signup_of_need_or_404(need, signup_pk)
    accept = request.POST.get("decision") == "accept"
    form = DeclineForm(request.POST)
    reason = form.data.get("reason", "") if not accept else ""
    try:
        services.signup_decide(actor=request.user, signup=signup, accept=accept, reason=str(reason))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("已录用。") if accept else _("已标记为不录用。"))
    return redirect("volunteering:need_detail", pk=need.pk)


@permission(CHANGE)
def hours_confirm(request, pk: int, signup_pk: int):
    need = _kept_need(request, pk)
    signup = selectors.signup_of_need_or_404(need, signup_pk)
    computed = services.computed_hours(signup)
    initial = {"hours": signup.record.hours if signup.record_id else computed}
    form = HoursForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.hours_confirm(
                actor=request.user, signup=signup, hours=form.cleaned_data["hours"], reason=form.cleaned_data["reason"]
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已确认服务时长。"))
            return redirect("volunteering:need_detail", pk=need.pk)
    return render(
        request,
        "volunteering/hours_form.html",
        {"form": form, "need": need, "signup": signup, "computed": computed, "title": _("确认服务时长")},
    )


# The 社会工作者+志愿者 linkage


@permission(VIEW)
def linkage_list(request):
    """Every station's ratio of active volunteers to social workers, the ones needing attention first."""
    return render(
        request, "volunteering/linkage_list.html", page_context(request, selectors.station_ratios(request.user))
    )


@permission(VIEW)
def linkage_station(request, station_pk: int):
    station = selectors.station_or_404(request.user, station_pk)
    return render(request, "volunteering/linkage_station.html", {"station": station, **selectors.linkage(station)})


@require_POST
@permission(VIEW)
def linkage_export(request, station_pk: int):
    station = selectors.station_or_404(request.user, station_pk)
    figures = selectors.linkage(station)
    rows = [[_("社工"), row["organiser__name"], row["volunteers"], row["hours"]] for row in figures["workers"]]
    rows += [[_("志愿服务队"), row["team"].name, row["volunteers"], row["hours"]] for row in figures["teams"]]
    rows.append([_("站点"), station.name, figures["active_volunteers"], figures["hours"]])
    rows.append([_("在岗社工"), station.name, figures["social_workers"], figures["ratio"] or ""])
    return export_response(
        actor=request.user,
        title=_("社工志愿者联动"),
        headers=[_("类别"), _("名称"), _("志愿者人数"), _("服务时长（小时）")],
        rows=rows,
        object_type="volunteering.linkage",
        form=NeedFilterForm({}),
    )


# Volunteer pages (phone-first)


@permission(SIGN_UP)
def near_list(request):
    volunteer = selectors.volunteer_or_404(request.user)
    rows = selectors.needs_near(volunteer)
    return render(request, "volunteering/near_list.html", {"volunteer": volunteer, **page_context(request, rows)})


@permission(SIGN_UP)
def near_detail(request, pk: int):
    volunteer = selectors.volunteer_or_404(request.user)
    need = selectors.need_for_volunteer_or_404(volunteer, pk)
    mine = {signup.shift_id: signup for signup in SignUp.objects.filter(volunteer=volunteer, shift__need=need)}
    shifts = selectors.shifts_with_places(need)
    for shift in shifts:
        shift.mine = mine.get(shift.pk)
    return render(request, "volunteering/near_detail.html", {"need": need, "shifts": shifts})


@require_POST
@permission(SIGN_UP)
def signup_create(request, pk: int, shift_pk: int):
    volunteer = selectors.volunteer_or_404(request.user)
    need = selectors.need_for_volunteer_or_404(volunteer, pk)
    shift = need.shifts.filter(pk=shift_pk).first()
    if shift is None:
        return redirect("volunteering:near_detail", pk=need.pk)
    try:
        services.signup_create(actor=request.user, shift=shift, volunteer=volunteer)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("报名成功，请等待组织社工录用。"))
    return redirect("volunteering:near_detail", pk=need.pk)


@permission(SIGN_UP)
def my_signups(request):
    volunteer = selectors.volunteer_or_404(request.user)
    signups = selectors.signups_of_volunteer(volunteer)
    return render(request, "volunteering/my_signups.html", {"volunteer": volunteer, **page_context(request, signups)})


@require_POST
@permission(SIGN_UP)
def signup_withdraw(request, signup_pk: int):
    volunteer = selectors.volunteer_or_404(request.user)
    signup = selectors.signup_of_volunteer_or_404(volunteer, signup_pk)
    try:
        services.signup_withdraw(actor=request.user, signup=signup)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("已撤回报名。"))
    return redirect("volunteering:my_signups")


@permission(SIGN_UP)
def checkin(request, code: str):
    """The page the need's QR opens: 签到 / 签退 for the volunteer's accepted sign-ups of today."""
    volunteer = selectors.volunteer_or_404(request.user)
    need = selectors.need_by_code_for_volunteer_or_404(volunteer, code)
    today = timezone.localdate()
    signups = SignUp.objects.filter(volunteer=volunteer, shift__need=need).select_related("shift")
    if request.method == "POST":
        signup = signups.filter(pk=request.POST.get("signup") or 0).first()
        if signup is None:
            messages.error(request, _("没有找到这条报名。"))
        else:
            action = services.signup_check_out if request.POST.get("action") == "out" else services.signup_check_in
            try:
                action(actor=request.user, signup=signup)
            except ValidationError as exc:
                messages.error(request, _error_text(exc))
            else:
                messages.success(request, _("已签退。") if action is services.signup_check_out else _("已签到。"))
        return redirect("volunteering:checkin", code=need.code)
    return render(
        request,
        "volunteering/checkin.html",
        {"need": need, "today": today, "signups": [s for s in signups if s.shift.day == today]},
    )
