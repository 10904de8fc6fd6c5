"""Pages of group work and community activities. Thin: the permission first (403), the object through the data scope
(404 outside it), a service for every write, selectors for every read.

Reading needs the view permission or the add permission (a social worker reads what they lead or organise, as its
owner); writing to a group or an activity needs the change permission in its scope, or being its leader / organiser
(services.keepable), else 404.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.accounts.forms import add_service_error
from shegong.core.listing import export_refused, export_response, page_context, permission
from shegong.groupwork import permissions, selectors, services
from shegong.groupwork.forms import (
    ActivityFilterForm,
    ActivityForm,
    GroupFilterForm,
    GroupForm,
    MemberForm,
    MoveForm,
    SessionForm,
)
from shegong.groupwork.models import DOMAIN_DICTIONARY, CommunityActivity, GroupMember, GroupWork
from shegong.refdata.selectors import choices as dictionary_choices


def any_permission(*perms: str):
    """Signed in (else the login page), then one of `perms` (else 403). Scope is checked per object (404)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(request.user.has_perm(perm) for perm in perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


view_groups = any_permission(permissions.VIEW_GROUP, permissions.ADD_GROUP)
keep_groups = any_permission(permissions.CHANGE_GROUP, permissions.ADD_GROUP)
view_activities = any_permission(permissions.VIEW_ACTIVITY, permissions.ADD_ACTIVITY)
keep_activities = any_permission(permissions.CHANGE_ACTIVITY, permissions.ADD_ACTIVITY)


def _domains() -> dict:
    return dict(dictionary_choices(DOMAIN_DICTIONARY, active_only=False))


def _kept(model, request, pk):
    """The group or activity `pk` if the user may keep it, else 404 (out of scope, or not theirs)."""
    obj = services.keepable(model, request.user).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


# --- groups ------------------------------------------------------------------------------------------------------


def _groups(request):
    form = GroupFilterForm(request.GET, actor=request.user)
    return form, form.apply(selectors.group_search(actor=request.user, **form.search_kwargs()))


@view_groups
def group_list(request):
    form, rows = _groups(request)
    context = page_context(request, rows)
    context.update(form=form, domains=_domains(), can_add=request.user.has_perm(permissions.ADD_GROUP))
    return render(request, "groupwork/group_list.html", context)


@view_groups
@require_POST
def group_export(request):
    """The filtered list as .xlsx; members are not listed (only counts), so nothing personal leaves; audited."""
    form, rows = _groups(request)
    refused = export_refused(request, rows, "groupwork:group_list")
    if refused is not None:
        return refused
    domains = _domains()
    headers = [
        _("小组编号"),
        _("小组名称"),
        _("阶段"),
        _("站点"),
        _("服务区域"),
        _("区划代码"),
        _("服务领域"),
        _("带领社工"),
        _("服务对象群体"),
        _("计划节数"),
        _("已记录节数"),
        _("结束日期"),
    ]
    data = [
        [
            row.code,
            row.name,
            row.get_stage_display(),
            row.station.name,
            row.region.name,
            row.region_id,
            domains.get(row.domain, row.domain),
            row.leader.name,
            row.target_group,
            row.planned_sessions,
            row.session_count,
            row.ended_on,
        ]
        for row in rows.iterator(chunk_size=2000)
    ]
    return export_response(
        actor=request.user, title=_("小组"), headers=headers, rows=data, object_type="groupwork.groupwork", form=form
    )


@view_groups
def group_detail(request, pk: int):
    group = selectors.group_get(actor=request.user, pk=pk)
    members = selectors.members(group)
    can_keep = services.can_keep(request.user, group)
    context = {
        "group": group,
        "domain": _domains().get(group.domain, group.domain),
        "co_leaders": list(group.co_leaders.all()),
        "members": members,
        "sessions": selectors.sessions_with_attendance(group),
        "events": list(group.stage_events.select_related("recorded_by")),
        "can_keep": can_keep and not group.is_ended,
        "moves": services.allowed_moves(group) if can_keep else [],
    }
    return render(request, "groupwork/group_detail.html", context)


@permission(permissions.ADD_GROUP)
def group_create(request):
    form = GroupForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        try:
            group = services.group_create(actor=request.user, **values)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已登记小组 %(name)s。") % {"name": group.name})
            return redirect("groupwork:group_detail", pk=group.pk)
    return render(
        request, "groupwork/form.html", {"form": form, "title": _("登记小组"), "back": "groupwork:group_list"}
    )


@keep_groups
def group_edit(request, pk: int):
    group = _kept(GroupWork, request, pk)
    form = GroupForm(request.POST or None, actor=request.user, group=group)
    if request.method == "POST" and form.is_valid():
        try:
            services.group_update(actor=request.user, group=group, **form.service_values())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("groupwork:group_detail", pk=group.pk)
    return render(request, "groupwork/form.html", {"form": form, "title": _("编辑小组"), "group": group})


@keep_groups
def group_move(request, pk: int):
    group = _kept(GroupWork, request, pk)
    form = MoveForm(request.POST or None, moves=services.allowed_moves(group))
    if request.method == "POST" and form.is_valid():
        try:
            services.group_move(actor=request.user, group=group, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("小组阶段已变更。"))
            return redirect("groupwork:group_detail", pk=group.pk)
    context = {"form": form, "title": _("变更小组阶段"), "group": group, "testid": "move-form"}
    return render(request, "groupwork/form.html", context)


@keep_groups
def member_add(request, pk: int):
    group = _kept(GroupWork, request, pk)
    form = MemberForm(request.POST or None, actor=request.user, group=group)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_add(actor=request.user, group=group, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已添加组员。"))
            return redirect("groupwork:group_detail", pk=group.pk)
    context = {"form": form, "title": _("添加组员"), "group": group, "testid": "member-form"}
    return render(request, "groupwork/form.html", context)


@keep_groups
@require_POST
def member_leave(request, pk: int, member_pk: int):
    group = _kept(GroupWork, request, pk)
    member = GroupMember.objects.filter(group=group, pk=member_pk).first()
    if member is None:
        raise Http404
    try:
        services.member_leave(actor=request.user, member=member, left_on=timezone.localdate())
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已记录组员退出。"))
    return redirect("groupwork:group_detail", pk=group.pk)


def _session_form(request, group, session=None):
    members = selectors.members(group)
    initial = None
    if session is not None:
        present = session.attendance.filter(present=True).values_list("member_id", flat=True)
        initial = {
            "held_on": session.held_on,
            "theme": session.theme,
            "notes": session.notes,
            "present": [str(pk) for pk in present],
        }
    return SessionForm(request.POST or None, members=members, initial=initial)


@keep_groups
def session_create(request, pk: int):
    group = _kept(GroupWork, request, pk)
    form = _session_form(request, group)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_record(actor=request.user, group=group, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已记录节次和出席情况。"))
            return redirect("groupwork:group_detail", pk=group.pk)
    context = {"form": form, "title": _("记录节次"), "group": group, "testid": "session-form"}
    return render(request, "groupwork/form.html", context)


@keep_groups
def session_edit(request, pk: int, session_pk: int):
    group = _kept(GroupWork, request, pk)
    session = selectors.session_get(group=group, pk=session_pk)
    form = _session_form(request, group, session)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(actor=request.user, session=session, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已更新出席情况，服务人次已重新计算。"))
            return redirect("groupwork:group_detail", pk=group.pk)
    title = _("第 %(number)d 节") % {"number": session.number}
    context = {"form": form, "title": title, "group": group, "testid": "session-form"}
    return render(request, "groupwork/form.html", context)


@keep_groups
@require_POST
def session_delete(request, pk: int, session_pk: int):
    group = _kept(GroupWork, request, pk)
    session = selectors.session_get(group=group, pk=session_pk)
    try:
        services.session_delete(actor=request.user, session=session)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已删除该节次及其服务人次。"))
    return redirect("groupwork:group_detail", pk=group.pk)


# --- activities --------------------------------------------------------------------------------------------------


def _activities(request):
    form = ActivityFilterForm(request.GET, actor=request.user)
    return form, form.apply(selectors.activity_search(actor=request.user, **form.search_kwargs()))


@view_activities
def activity_list(request):
    form, rows = _activities(request)
    context = page_context(request, rows)
    context.update(form=form, domains=_domains(), can_add=request.user.has_perm(permissions.ADD_ACTIVITY))
    return render(request, "groupwork/activity_list.html", context)


@view_activities
@require_POST
def activity_export(request):
    """The filtered list as .xlsx; named participants are left out (only their number), so nothing personal leaves."""
    form, rows = _activities(request)
    refused = export_refused(request, rows, "groupwork:activity_list")
    if refused is not None:
        return refused
    domains = _domains()
    headers = [
        _("活动编号"),
        _("活动名称"),
        _("活动日期"),
        _("开始时间"),
        _("结束时间"),
        _("服务领域"),
        _("活动地点"),
        _("所在村（社区）"),
        _("区划代码"),
        _("站点"),
        _("组织社工"),
        _("参与人数"),
        _("登记姓名的参与者人数"),
        _("志愿者人数"),
    ]
    data = [
        [
            row.code,
            row.title,
            row.held_on,
            row.starts_at.strftime("%H:%M") if row.starts_at else "",
            row.ends_at.strftime("%H:%M") if row.ends_at else "",
            domains.get(row.domain, row.domain),
            row.place,
            row.community.name,
            row.community_id,
            row.station.name,
            row.organiser.name,
            row.participants_count,
            row.named_participants,
            row.volunteers_count,
        ]
        for row in rows.iterator(chunk_size=2000)
    ]
    return export_response(
        actor=request.user,
        title=_("社区活动"),
        headers=headers,
        rows=data,
        object_type="groupwork.communityactivity",
        form=form,
    )


@view_activities
def activity_detail(request, pk: int):
    activity = selectors.activity_get(actor=request.user, pk=pk)
    context = {
        "activity": activity,
        "domain": _domains().get(activity.domain, activity.domain),
        "participants": selectors.participants(activity),
        "can_keep": services.can_keep(request.user, activity),
    }
    return render(request, "groupwork/activity_detail.html", context)


@permission(permissions.ADD_ACTIVITY)
def activity_create(request):
    form = ActivityForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(actor=request.user, **form.service_values())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已登记社区活动 %(title)s。") % {"title": activity.title})
            return redirect("groupwork:activity_detail", pk=activity.pk)
    context = {"form": form, "title": _("登记社区活动"), "back": "groupwork:activity_list", "testid": "activity-form"}
    return render(request, "groupwork/form.html", context)


@keep_activities
def activity_edit(request, pk: int):
    activity = _kept(CommunityActivity, request, pk)
    form = ActivityForm(request.POST or None, actor=request.user, activity=activity)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(actor=request.user, activity=activity, **form.service_values())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("groupwork:activity_detail", pk=activity.pk)
    context = {"form": form, "title": _("编辑社区活动"), "activity": activity, "testid": "activity-form"}
    return render(request, "groupwork/form.html", context)
