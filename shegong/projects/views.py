"""Pages of government-purchased projects. Thin: the permission first (403), the project through the data scope for
the permission the page needs (404 when outside it), a service for every write, rules.judge for every verdict."""

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
    page_context,
    permission,
    query_without_page,
    too_many_rows_message,
)
from shegong.projects import exports, rules, selectors, services
from shegong.projects.forms import (
    ContractorForm,
    MoveForm,
    ProjectFilterForm,
    ProjectForm,
    SpendingForm,
    StaffEndForm,
    StaffForm,
    output_formset,
    outputs_of,
)
from shegong.projects.models import Project, ProjectStaff
from shegong.projects.selectors import ADD, CHANGE, KEEP, MOVE, VIEW
from shegong.tabular.views import xlsx_response

# The failing-only filter judges the candidates; past this many the user narrows the other filters first.
FAILING_SCAN_LIMIT = 20_000


def _detail(project: Project, anchor: str = "") -> str:
    url = reverse("projects:detail", args=[project.pk])
    return f"{url}#{anchor}" if anchor else url


def _filtered(request):
    form = ProjectFilterForm(request.GET, actor=request.user)
    filters = form.filters()
    rows = form.apply(selectors.project_search(actor=request.user, filters=filters))
    if filters.failing:
        ids = rules.failing_ids(selectors.judgeable(rows, filters), timezone.localdate(), FAILING_SCAN_LIMIT)
        rows = rows.filter(pk__in=ids)
    return form, rows


SECTIONS = ("funding", "budget", "outputs", "stations")


def _project_error(form, exc: ValidationError) -> None:
    """A service refusal on the project form: the sums and outputs beside their sections, the rest on the fields."""
    if hasattr(exc, "error_dict"):
        sections = {key: exc.message_dict[key] for key in SECTIONS if key in exc.error_dict and key not in form.fields}
        form.section_errors = sections
        rest = {key: value for key, value in exc.error_dict.items() if key not in sections}
        if rest:
            add_service_error(form, ValidationError(rest))
    else:
        add_service_error(form, exc)


def _attach(projects, on):
    judgements = rules.judge(Project.objects.filter(pk__in=[project.pk for project in projects]), on)
    for project in projects:
        project.judgement = judgements.get(project.pk)


@permission(VIEW)
def project_list(request):
    form, rows = _filtered(request)
    context = page_context(request, rows)
    _attach(context["page"].object_list, timezone.localdate())
    context.update(
        form=form,
        can_add=request.user.has_perm(ADD),
        can_keep=request.user.has_perm(KEEP),
    )
    return render(request, "projects/project_list.html", context)


@permission(VIEW)
@require_POST
def project_export(request, what: str = "projects"):
    form, rows = _filtered(request)
    writer = {
        "projects": exports.export_projects,
        "budgets": exports.export_budgets,
        "rosters": exports.export_rosters,
    }.get(what)
    if writer is None:
        raise Http404
    if rows.order_by().count() > EXPORT_MAX_ROWS:
        messages.error(request, too_many_rows_message())
        return redirect(f"{reverse('projects:list')}?{request.GET.urlencode()}")
    data, title = writer(actor=request.user, projects=rows, filters=form.describe())
    return xlsx_response(data, f"{title}-{timezone.localtime():%Y%m%d-%H%M}.xlsx")


@permission(VIEW)
def failing(request):
    """每个不合规项目 of the user's scope (or of the region asked for), with the failing verdicts."""
    form = ProjectFilterForm(request.GET, actor=request.user)
    on = timezone.localdate()
    filters = form.filters()
    rows = selectors.project_search(actor=request.user, filters=filters).order_by("region_id", "code")
    found = rules.failing(selectors.judgeable(rows, filters), on)
    projects = {project.pk: project for project in rows.filter(pk__in=[pk for pk, _j in found])}
    items = [(projects[pk], judgement) for pk, judgement in found if pk in projects]
    items.sort(key=lambda item: (item[0].region_id, item[0].code))
    if request.method == "POST":
        data = exports.failing_workbook(actor=request.user, items=items, filters=form.describe())
        return xlsx_response(data, f"{_('不合规项目')}-{timezone.localtime():%Y%m%d-%H%M}.xlsx")
    return render(
        request,
        "projects/failing.html",
        {
            "form": form,
            "count": len(items),
            "page": Paginator(items, PAGE_SIZE).get_page(request.GET.get("page")),
            "query": query_without_page(request),
            "on": on,
        },
    )


# --- One project ---------------------------------------------------------------------------------------------------


@permission(ADD)
def project_create(request):
    form = ProjectForm(request.POST or None, actor=request.user)
    outputs = output_formset(request.POST or None)
    if request.method == "POST" and form.is_valid() and outputs.is_valid():
        try:
            project = services.project_create(actor=request.user, outputs=outputs_of(outputs), **form.values())
        except ValidationError as exc:
            _project_error(form, exc)
        else:
            messages.success(
                request, _("已立项“%(name)s”，项目编号 %(code)s。") % {"name": project.name, "code": project.code}
            )
            return redirect(_detail(project))
    return render(request, "projects/project_form.html", {"form": form, "outputs": outputs, "creating": True})


@permission(CHANGE)
def project_edit(request, pk: int):
    project = selectors.project_get(request.user, pk, CHANGE)
    form = ProjectForm(request.POST or None, actor=request.user, project=project)
    outputs = output_formset(request.POST or None, project)
    if request.method == "POST" and form.is_valid() and outputs.is_valid():
        try:
            services.project_update(actor=request.user, project=project, outputs=outputs_of(outputs), **form.values())
        except ValidationError as exc:
            _project_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect(_detail(project))
    return render(request, "projects/project_form.html", {"form": form, "outputs": outputs, "project": project})


@permission(VIEW)
def project_detail(request, pk: int):
    project = selectors.project_get(request.user, pk)
    user = request.user
    today = timezone.localdate()
    can_change = selectors.can(user, CHANGE, project)
    can_move = selectors.can(user, MOVE, project)
    can_keep = selectors.can(user, KEEP, project) and project.stage not in services.FINAL_STAGES
    context = {
        "project": project,
        "today": today,
        "judgement": rules.judge_project(project, today),
        "history": selectors.stage_history(project),
        "stations": selectors.covered_stations(project),
        "funding": selectors.funding(project),
        "budget": selectors.budget(project),
        "outputs": selectors.outputs(project),
        "roster": selectors.roster(project),
        "can_change": can_change and project.stage not in services.FINAL_STAGES,
        "can_contract": can_change and project.stage in (Project.Stage.INITIATED, Project.Stage.TENDERING),
        "moves": [(value, Project.Stage(value).label) for value in services.allowed_moves(project.stage)]
        if can_move
        else [],
        "can_keep": can_keep,
        "can_spend": can_keep and project.stage in Project.CONTRACTED_STAGES,
    }
    return render(request, "projects/project_detail.html", context)


def _action(request, project, form, title, submit, *, danger=False):
    return render(
        request,
        "projects/action_form.html",
        {
            "project": project,
            "form": form,
            "title": title,
            "submit": submit,
            "danger": danger,
            "back": _detail(project),
        },
    )


@permission(CHANGE)
def project_contractor(request, pk: int):
    project = selectors.project_get(request.user, pk, CHANGE)
    form = ContractorForm(request.POST or None, actor=request.user, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_set_contractor(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已确定承接机构。"))
            return redirect(_detail(project))
    return _action(request, project, form, _("确定承接机构"), _("保存"))


@permission(MOVE)
def project_move(request, pk: int):
    project = selectors.project_get(request.user, pk, MOVE)
    initial = {"to_stage": request.GET.get("to", "")}
    form = MoveForm(request.POST or None, project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.project_move(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("项目阶段已变更为“%(stage)s”。") % {"stage": event.get_to_stage_display()})
            return redirect(_detail(project))
    target = request.POST.get("to_stage") or request.GET.get("to")
    danger = target == Project.Stage.TERMINATED
    return _action(request, project, form, _("变更项目阶段"), _("确认变更"), danger=danger)


# --- Delivery: roster and spending ---------------------------------------------------------------------------------


@permission(KEEP)
def staff_add(request, pk: int):
    project = selectors.project_get(request.user, pk, KEEP)
    form = StaffForm(request.POST or None, actor=request.user, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.staff_add(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已将 %(name)s 列入项目人员。") % {"name": member.worker.name})
            return redirect(_detail(project, "roster"))
    return _action(request, project, form, _("添加项目人员"), _("添加"))


def _member(request, pk: int, member_pk: int):
    project = selectors.project_get(request.user, pk, KEEP)
    member = ProjectStaff.objects.select_related("worker", "project").filter(project=project, pk=member_pk).first()
    if member is None:
        raise Http404
    return project, member


@permission(KEEP)
def staff_end(request, pk: int, member_pk: int):
    project, member = _member(request, pk, member_pk)
    form = StaffEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_end(actor=request.user, member=member, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已结束 %(name)s 的项目期间。") % {"name": member.worker.name})
            return redirect(_detail(project, "roster"))
    return _action(request, project, form, _("结束项目人员：%(name)s") % {"name": member.worker.name}, _("保存"))


@permission(KEEP)
@require_POST
def staff_remove(request, pk: int, member_pk: int):
    project, member = _member(request, pk, member_pk)
    try:
        services.staff_remove(actor=request.user, member=member)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已从项目人员中删除 %(name)s。") % {"name": member.worker.name})
    return redirect(_detail(project, "roster"))


@permission(KEEP)
def spending(request, pk: int):
    project = selectors.project_get(request.user, pk, KEEP)
    form = SpendingForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            lines = services.budget_record_spending(actor=request.user, project=project, spent=form.spent())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            over = [str(line.get_category_display()) for line in lines if line.spent > line.planned]
            messages.success(request, _("已记录经费支出。"))
            if over:
                messages.warning(request, _("以下科目支出超出预算：%(lines)s。") % {"lines": "、".join(over)})
            return redirect(_detail(project, "budget"))
    return _action(request, project, form, _("记录经费支出"), _("保存"))
