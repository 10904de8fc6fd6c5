"""Pages of the volunteer register, teams and service records. Thin: the permission first (403), the row through
the data scope (404 outside it), a service for every write, selectors for every read."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.accounts.forms import add_service_error
from shegong.audit.models import AuditEntry
from shegong.audit.services import record
from shegong.core.listing import export_refused, export_response, page_context, permission
from shegong.core.masking import mask_id_number, mask_phone
from shegong.core.scope import in_scope
from shegong.volunteers import permissions, selectors, services
from shegong.volunteers.forms import (
    AccountLinkForm,
    AwardForm,
    CorrectForm,
    EvaluationForm,
    MemberForm,
    ReasonForm,
    RecordFilterForm,
    RecordForm,
    StatusForm,
    TeamFilterForm,
    TeamForm,
    TrainingForm,
    VolunteerFilterForm,
    VolunteerForm,
)
from shegong.volunteers.models import ServiceRecord, Volunteer

# The national record's columns (《志愿服务记录与证明出具办法》: 个人基本信息 and 志愿服务信息), in the order another
# volunteer system's import reads them. The ID number is masked unless the exporter holds
# accounts.reveal_personal_data (and then the export is audited as such).
RECORD_EXPORT_COLUMNS = (
    "姓名",
    "证件类型",
    "证件号码",
    "志愿者编号",
    "服务日期",
    "服务时长",
    "服务内容",
    "服务地点",
    "记录单位",
    "记录人",
    "确认人",
    "确认时间",
)
ID_TYPE = "居民身份证"
REVEAL = "accounts.reveal_personal_data"


# Volunteers ---------------------------------------------------------------------------------------------------------


def _volunteers(request):
    form = VolunteerFilterForm(request.GET, actor=request.user)
    rows = form.apply(selectors.volunteer_search(actor=request.user, **form.search_kwargs()))
    return form, rows


@permission(permissions.VIEW)
def volunteer_list(request):
    form, rows = _volunteers(request)
    context = page_context(request, rows)
    context.update(form=form, can_add=request.user.has_perm(permissions.ADD))
    return render(request, "volunteers/volunteer_list.html", context)


@permission(permissions.VIEW)
@require_POST
def volunteer_export(request):
    """The filtered list as .xlsx, ID number and phone masked; audited."""
    form, rows = _volunteers(request)
    refused = export_refused(request, rows, "volunteers:list")
    if refused is not None:
        return refused
    headers = [
        _("志愿者编号"),
        _("姓名"),
        _("身份证号"),
        _("性别"),
        _("出生日期"),
        _("联系电话"),
        _("所在地区"),
        _("管理站点"),
        _("管理机构"),
        _("技能特长"),
        _("可服务时间"),
        _("状态"),
        _("注册日期"),
    ]
    data = [
        [
            row.number,
            row.name,
            mask_id_number(row.id_number),
            row.get_sex_display(),
            row.birth_date,
            mask_phone(row.phone) if row.phone else "",
            row.region.name,
            row.station.name if row.station else "",
            row.agency.name if row.agency else "",
            "、".join(item.name for item in row.skills.all()),
            row.availability,
            row.get_status_display(),
            row.registered_on,
        ]
        for row in rows.prefetch_related("skills")
    ]
    return export_response(
        actor=request.user, title=_("志愿者"), headers=headers, rows=data, object_type="volunteers.volunteer", form=form
    )


def _volunteer_page(request, volunteer: Volunteer, *, own: bool = False):
    can_change = request.user.has_perm(permissions.CHANGE) and in_scope(request.user, volunteer, permissions.CHANGE)
    context = {
        "volunteer": volunteer,
        "own": own,
        "can_change": can_change and not own,
        "totals": selectors.hours_of(volunteer),
        "teams": volunteer.teams.select_related("leader").order_by("name"),
        "records": volunteer.service_records.select_related("station", "agency", "organiser")[:50],
        "trainings": volunteer.trainings.all(),
        "awards": volunteer.awards.all(),
        "evaluations": volunteer.evaluations.all(),
        "skills": volunteer.skills.all(),
        "status_form": StatusForm() if can_change else None,
    }
    return render(request, "volunteers/volunteer_detail.html", context)


@permission(permissions.VIEW)
def volunteer_detail(request, pk: int):
    return _volunteer_page(request, selectors.volunteer_detail(request.user, pk))


@login_required
def my_record(request):
    """我的志愿档案: the signed-in volunteer's own record (their row through `account`)."""
    volunteer = selectors.own_volunteer(request.user)
    if volunteer is None:
        raise Http404(_("您的账户没有关联志愿者档案。"))
    return _volunteer_page(request, volunteer, own=True)


@permission(permissions.ADD)
def volunteer_create(request):
    form = VolunteerForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            volunteer = services.volunteer_register(actor=request.user, **form.service_values())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("已登记志愿者 %(name)s，编号 %(number)s。") % {"name": volunteer.name, "number": volunteer.number},
            )
            return redirect("volunteers:detail", pk=volunteer.pk)
    return render(request, "volunteers/volunteer_form.html", {"form": form, "volunteer": None})


@permission(permissions.CHANGE)
def volunteer_edit(request, pk: int):
    volunteer = selectors.volunteer_detail(request.user, pk)
    if not in_scope(request.user, volunteer, permissions.CHANGE):
        raise Http404
    form = VolunteerForm(request.POST or None, actor=request.user, volunteer=volunteer)
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_update(actor=request.user, volunteer=volunteer, **form.service_values())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("volunteers:detail", pk=volunteer.pk)
    return render(request, "volunteers/volunteer_form.html", {"form": form, "volunteer": volunteer})


@permission(permissions.CHANGE)
@require_POST
def volunteer_status(request, pk: int):
    volunteer = selectors.volunteer_detail(request.user, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.volunteer_set_status(actor=request.user, volunteer=volunteer, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("已变更状态。"))
    else:
        messages.error(request, _("请选择新状态并填写变更原因。"))
    return redirect("volunteers:detail", pk=volunteer.pk)


@permission(permissions.CHANGE)
def volunteer_account(request, pk: int):
    """登录账户: a keeper links a sign-in account to the volunteer (so they sign in and see their own hours), or
    unlinks it. The account must hold the 志愿者 role and own no other volunteer record (the service checks)."""
    volunteer = selectors.volunteer_detail(request.user, pk)
    if not in_scope(request.user, volunteer, permissions.CHANGE):
        raise Http404
    form = AccountLinkForm(request.POST or None, initial={"action": "link"})
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["action"] == "unlink":
                services.volunteer_unlink_account(actor=request.user, volunteer=volunteer)
                messages.success(request, _("已解除登录账户的关联。"))
            else:
                account = selectors.volunteer_login(form.cleaned_data["username"])
                if account is None:
                    raise ValidationError({"username": _("没有这个登录账户，或该账户没有“志愿者”角色。")})
                services.volunteer_link_account(actor=request.user, volunteer=volunteer, account=account)
                messages.success(request, _("已关联登录账户 %(username)s。") % {"username": account.username})
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "account" in exc.error_dict:
                exc = ValidationError({"username": exc.error_dict["account"]})
            add_service_error(form, exc)
        else:
            return redirect("volunteers:detail", pk=volunteer.pk)
    context = {"volunteer": volunteer, "form": form, "linked": volunteer.account}
    return render(request, "volunteers/account_form.html", context)


ADDITIONS = {
    "training": (TrainingForm, services.training_add, _("添加培训记录")),
    "award": (AwardForm, services.award_add, _("添加表彰记录")),
    "evaluation": (EvaluationForm, services.evaluation_add, _("添加评价")),
}


@permission(permissions.CHANGE)
def volunteer_add(request, pk: int, kind: str):
    """Training, award or evaluation added to the volunteer's record."""
    if kind not in ADDITIONS:
        raise Http404
    form_class, service, title = ADDITIONS[kind]
    volunteer = selectors.volunteer_detail(request.user, pk)
    if not in_scope(request.user, volunteer, permissions.CHANGE):
        raise Http404
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service(actor=request.user, volunteer=volunteer, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("volunteers:detail", pk=volunteer.pk)
    context = {"form": form, "title": title, "back": reverse("volunteers:detail", args=[pk]), "testid": f"{kind}-form"}
    return render(request, "volunteers/action_form.html", context)


# Teams --------------------------------------------------------------------------------------------------------------


def _teams(request):
    form = TeamFilterForm(request.GET, actor=request.user)
    return form, form.apply(selectors.team_search(actor=request.user, **form.search_kwargs()))


@permission(permissions.VIEW_TEAM)
def team_list(request):
    form, rows = _teams(request)
    context = page_context(request, rows)
    context.update(form=form, can_add=request.user.has_perm(permissions.ADD_TEAM))
    return render(request, "volunteers/team_list.html", context)


@permission(permissions.VIEW_TEAM)
@require_POST
def team_export(request):
    """The filtered team list as .xlsx, in the columns the team import reads (plus the member count); audited."""
    form, rows = _teams(request)
    refused = export_refused(request, rows, "volunteers:teams")
    if refused is not None:
        return refused
    headers = [
        _("队名"),
        _("所在地区区划代码"),
        _("所在地区"),
        _("管理站点编码"),
        _("管理站点"),
        _("管理机构"),
        _("队长志愿者编号"),
        _("队长"),
        _("队员志愿者编号"),
        _("队员数"),
        _("成立日期"),
        _("活跃"),
    ]
    data = [
        [
            team.name,
            team.region_id,
            team.region.name,
            team.station.code if team.station else "",
            team.station.name if team.station else "",
            team.agency.name if team.agency else "",
            team.leader.number if team.leader else "",
            team.leader.name if team.leader else "",
            "、".join(member.number for member in team.members.all()),
            team.member_count,
            team.founded_on,
            _("是") if team.is_active else _("否"),
        ]
        for team in rows.prefetch_related("members")
    ]
    return export_response(
        actor=request.user,
        title=_("志愿服务队"),
        headers=headers,
        rows=data,
        object_type="volunteers.volunteerteam",
        form=form,
    )


@permission(permissions.VIEW_TEAM)
def team_detail(request, pk: int):
    team = selectors.team_detail(request.user, pk)
    can_change = request.user.has_perm(permissions.CHANGE_TEAM) and in_scope(
        request.user, team, permissions.CHANGE_TEAM
    )
    form = MemberForm(request.POST or None) if can_change else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            number = form.cleaned_data["number"].strip().upper()
            volunteer = selectors.volunteer_search(actor=request.user).filter(number=number).first()
            try:
                if volunteer is None:
                    raise ValidationError({"number": _("没有这个志愿者编号，或该志愿者不在您的管辖范围内。")})
                action = form.cleaned_data["action"]
                if action == "add":
                    services.team_add_member(actor=request.user, team=team, volunteer=volunteer)
                elif action == "remove":
                    services.team_remove_member(actor=request.user, team=team, volunteer=volunteer)
                else:
                    services.team_set_leader(actor=request.user, team=team, volunteer=volunteer)
            except ValidationError as exc:
                form.add_error(None, "；".join(exc.messages))
            else:
                messages.success(request, _("已保存。"))
                return redirect("volunteers:team_detail", pk=team.pk)
    members = team.members.select_related("region").order_by("number")
    hours = selectors.team_confirmed_hours(team)
    context = {"team": team, "members": members, "form": form, "can_change": can_change, "hours": hours}
    return render(request, "volunteers/team_detail.html", context)


@permission(permissions.ADD_TEAM)
def team_create(request):
    form = TeamForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已成立服务队 %(name)s。") % {"name": team.name})
            return redirect("volunteers:team_detail", pk=team.pk)
    return render(request, "volunteers/team_form.html", {"form": form, "team": None})


@permission(permissions.CHANGE_TEAM)
def team_edit(request, pk: int):
    team = selectors.team_detail(request.user, pk)
    if not in_scope(request.user, team, permissions.CHANGE_TEAM):
        raise Http404
    form = TeamForm(request.POST or None, actor=request.user, team=team)
    if request.method == "POST" and form.is_valid():
        try:
            services.team_update(actor=request.user, team=team, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("volunteers:team_detail", pk=team.pk)
    return render(request, "volunteers/team_form.html", {"form": form, "team": team})


# Service records ----------------------------------------------------------------------------------------------------


def _records(request):
    form = RecordFilterForm(request.GET, actor=request.user)
    rows = form.apply(selectors.record_search(actor=request.user, **form.search_kwargs()))
    return form, rows


@permission(permissions.VIEW_RECORD)
def record_list(request):
    form, rows = _records(request)
    context = page_context(request, rows)
    page_rows = list(context["page"].object_list)
    context.update(
        form=form,
        rows=[(row, services.may_confirm(request.user, row)) for row in page_rows],
        can_add=request.user.has_perm(permissions.ADD_RECORD),
    )
    return render(request, "volunteers/record_list.html", context)


def _record_export_rows(request, rows):
    reveal = request.user.has_perm(REVEAL)
    for row in rows:
        number = row.volunteer.id_number
        yield [
            row.volunteer.name,
            ID_TYPE,
            number if reveal else mask_id_number(number),
            row.volunteer.number,
            row.service_date.isoformat(),
            f"{row.hours:.1f}",
            row.content,
            row.place,
            (row.station.name if row.station else row.agency.name if row.agency else ""),
            (row.recorded_by.display_name or row.recorded_by.username) if row.recorded_by else "",
            (row.confirmed_by.display_name or row.confirmed_by.username) if row.confirmed_by else "",
            timezone.localtime(row.confirmed_at).strftime("%Y-%m-%d %H:%M") if row.confirmed_at else "",
        ]


@permission(permissions.VIEW_RECORD)
@require_POST
def record_export(request):
    """Confirmed service records in the national record's columns (RECORD_EXPORT_COLUMNS), as .xlsx or, with
    ?format=csv, as UTF-8 CSV (with BOM) for another volunteer system's import. Audited."""
    form, rows = _records(request)
    rows = rows.filter(status=ServiceRecord.Status.CONFIRMED).select_related("volunteer")
    refused = export_refused(request, rows, "volunteers:records")
    if refused is not None:
        return refused
    data = list(_record_export_rows(request, rows))
    if request.GET.get("format") == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow(RECORD_EXPORT_COLUMNS)
        writer.writerows(data)
        from django.db import transaction

        with transaction.atomic():
            record(
                actor=request.user,
                action=AuditEntry.Action.EXPORT,
                object_type="volunteers.servicerecord",
                object_repr=_("志愿服务记录（CSV）"),
                changes={"rows": [None, len(data)], "filters": [None, form.describe()]},
                note=_("含完整证件号码") if request.user.has_perm(REVEAL) else "",
            )
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="volunteer-records-{timezone.localdate():%Y%m%d}.csv"'
        return response
    return export_response(
        actor=request.user,
        title=_("志愿服务记录"),
        headers=list(RECORD_EXPORT_COLUMNS),
        rows=data,
        object_type="volunteers.servicerecord",
        form=form,
    )


@permission(permissions.ADD_RECORD)
def record_create(request):
    form = RecordForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        number = data.pop("volunteer_number").strip().upper()
        volunteer = selectors.volunteer_search(actor=request.user).filter(number=number).first()
        try:
            if volunteer is None:
                raise ValidationError({"volunteer_number": _("没有这个志愿者编号，或该志愿者不在您的管辖范围内。")})
            entry = services.service_record_create(actor=request.user, volunteer=volunteer, **data)
        except ValidationError as exc:
            add_service_error(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已记录服务，待确认。"))
            return redirect(f"{reverse('volunteers:records')}?q={entry.volunteer.number}")
    context = {"form": form, "title": _("记录志愿服务"), "back": reverse("volunteers:records"), "testid": "record-form"}
    return render(request, "volunteers/action_form.html", context)


@permission(permissions.VIEW_RECORD)
@require_POST
def record_confirm(request, pk: int):
    entry = selectors.record_detail(request.user, pk)
    try:
        services.service_record_confirm(actor=request.user, record_=entry)
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已确认服务时长。"))
    return redirect(request.POST.get("next") or reverse("volunteers:records"))


def _record_action(request, pk: int, *, form_class, title: str, testid: str, run):
    entry = selectors.record_detail(request.user, pk)
    if not services.may_confirm(request.user, entry):
        raise PermissionDenied
    form = form_class(request.POST or None, **({"record_": entry} if form_class is CorrectForm else {}))
    if request.method == "POST" and form.is_valid():
        try:
            run(entry, form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("volunteers:records")
    context = {"form": form, "title": title, "back": reverse("volunteers:records"), "testid": testid, "entry": entry}
    return render(request, "volunteers/action_form.html", context)


@permission(permissions.VIEW_RECORD)
def record_correct(request, pk: int):
    def run(entry, data):
        services.service_record_correct(actor=request.user, record_=entry, **data)

    return _record_action(request, pk, form_class=CorrectForm, title=_("更正服务时长"), testid="correct-form", run=run)


@permission(permissions.VIEW_RECORD)
def record_void(request, pk: int):
    def run(entry, data):
        services.service_record_void(actor=request.user, record_=entry, **data)

    return _record_action(request, pk, form_class=ReasonForm, title=_("作废服务记录"), testid="void-form", run=run)
