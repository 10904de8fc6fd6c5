"""Pages of inspections and rectification. Thin: the permission first (403), the object through the data scope (404
when outside it), a service for every write (its refusal back on the form), selectors for every figure."""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.accounts.forms import add_service_error
from shegong.core.listing import export_refused, export_response, page_context, permission
from shegong.core.scope import get_scoped_or_404, scoped
from shegong.inspections import exports, imports, selectors, services
from shegong.inspections.forms import (
    WHOLE_YEAR,
    CorrectionForm,
    EvidenceForm,
    FindingForm,
    InspectionFilterForm,
    ItemFilterForm,
    ItemForm,
    PlanEditForm,
    PlanForm,
    RecordForm,
    ReviewForm,
    SampleForm,
    TargetForm,
)
from shegong.inspections.models import Attachment, Finding, Inspection, InspectionPlan, RectificationItem
from shegong.inspections.selectors import (
    ADD_ITEM,
    ADD_PLAN,
    CHANGE_INSPECTION,
    CHANGE_PLAN,
    CORRECT_INSPECTION,
    VIEW_INSPECTION,
    VIEW_ITEM,
    VIEW_PLAN,
)

THUMBNAIL_SIZE = (320, 320)


def _action_page(request, form, title: str, back: str, *, submit: str = "", crumbs=(), multipart=False):
    return render(
        request,
        "inspections/action_form.html",
        {
            "form": form,
            "title": title,
            "back": back,
            "submit": submit or _("保存"),
            "crumbs": crumbs,
            "multipart": multipart,
        },
    )


# --- Plans -----------------------------------------------------------------------------------------------------------


@permission(VIEW_PLAN)
def plan_list(request):
    rows = selectors.plans(request.user).order_by("-year", "-quarter", "region_id", "kind", "title")
    context = page_context(request, rows)
    context["can_add"] = request.user.has_perm(ADD_PLAN)
    return render(request, "inspections/plan_list.html", context)


@permission(ADD_PLAN)
def plan_create(request):
    form = PlanForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {
            "region": data["region"],
            "year": data["year"],
            "kind": data["kind"],
            "title": data["title"],
            "checklist": data["checklist"],
            "inspectors": list(data["inspectors"]),
            "notes": data["notes"],
        }
        try:
            if data["quarter"] == WHOLE_YEAR:
                plans = services.plan_create_year(actor=request.user, **values)
            else:
                plans = [services.plan_create(actor=request.user, quarter=int(data["quarter"]), **values)]
        except ValidationError as exc:
            add_service_error(form, exc)
        except PermissionDenied as exc:
            form.add_error("region", str(exc))
        else:
            messages.success(request, _("已创建 %(count)d 个督查计划。") % {"count": len(plans)})
            return redirect("inspections:plan_detail", plans[0].pk)
    crumbs = [(reverse("inspections:plan_list"), _("督查计划"))]
    return _action_page(request, form, _("新建督查计划"), reverse("inspections:plan_list"), crumbs=crumbs)


def _plan(request, pk: int, perm: str = VIEW_PLAN) -> InspectionPlan:
    return get_scoped_or_404(InspectionPlan.objects.select_related("region"), request.user, perm, pk=pk)


@permission(VIEW_PLAN)
def plan_detail(request, pk: int):
    plan = _plan(request, pk)
    can_change = request.user.has_perm(CHANGE_PLAN)
    labels = selectors.checklist_labels()
    visits = list(selectors.plan_visits(plan))
    context = {
        "plan": plan,
        "visits": visits,
        "areas": [labels.get(code, code) for code in plan.checklist],
        "inspectors": plan.inspectors.order_by("username"),
        "can_change": can_change,
        "can_delete": can_change and not any(visit.is_recorded for visit in visits),
        "import_kind": imports.KIND,
    }
    if can_change:
        context["target_form"] = TargetForm(plan=plan, actor=request.user)
        context["sample_form"] = SampleForm()
    return render(request, "inspections/plan_detail.html", context)


@permission(CHANGE_PLAN)
def plan_edit(request, pk: int):
    plan = _plan(request, pk, CHANGE_PLAN)
    form = PlanEditForm(request.POST or None, plan=plan, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_update(actor=request.user, plan=plan, **{**data, "inspectors": list(data["inspectors"])})
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已保存督查计划。"))
            return redirect("inspections:plan_detail", plan.pk)
    back = reverse("inspections:plan_detail", args=[plan.pk])
    crumbs = [(reverse("inspections:plan_list"), _("督查计划")), (back, plan.title)]
    return _action_page(request, form, _("修改督查计划"), back, crumbs=crumbs)


@permission(CHANGE_PLAN)
@require_POST
def plan_delete(request, pk: int):
    plan = _plan(request, pk, CHANGE_PLAN)
    try:
        services.plan_delete(actor=request.user, plan=plan)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("inspections:plan_detail", plan.pk)
    messages.success(request, _("已删除督查计划“%(title)s”。") % {"title": plan.title})
    return redirect("inspections:plan_list")


@permission(CHANGE_PLAN)
def plan_target_template(request, pk: int):
    """The import template of the plan's targets, the plan's number already in its example row."""
    from shegong.tabular import workbooks
    from shegong.tabular.spec import get
    from shegong.tabular.views import xlsx_response

    plan = _plan(request, pk, CHANGE_PLAN)
    spec = get(imports.KIND).for_plan(plan)
    return xlsx_response(workbooks.template(spec), _("督查对象导入模板-%(number)d.xlsx") % {"number": plan.pk})


@permission(CHANGE_PLAN)
@require_POST
def inspection_remove(request, pk: int):
    # Taking a target out is a change of its plan: the plan must be in scope (a city's plan may visit a district).
    plans = scoped(InspectionPlan, request.user, CHANGE_PLAN)
    inspection = Inspection.objects.select_related("plan", "station", "agency").filter(plan__in=plans, pk=pk).first()
    if inspection is None:
        raise Http404
    back = reverse("inspections:plan_detail", args=[inspection.plan_id]) + "#targets"
    try:
        services.inspection_remove(actor=request.user, inspection=inspection)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已将 %(target)s 移出计划。") % {"target": inspection.target})
    return redirect(back)


@permission(CHANGE_PLAN)
@require_POST
def plan_add_target(request, pk: int):
    plan = _plan(request, pk, CHANGE_PLAN)
    form = TargetForm(request.POST, plan=plan, actor=request.user)
    if form.is_valid():
        try:
            services.inspection_add(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已加入督查对象。"))
            return redirect(reverse("inspections:plan_detail", args=[plan.pk]) + "#targets")
    for error in form.errors.values():
        messages.error(request, " ".join(error))
    return redirect(reverse("inspections:plan_detail", args=[plan.pk]) + "#targets")


@permission(CHANGE_PLAN)
@require_POST
def plan_sample(request, pk: int):
    plan = _plan(request, pk, CHANGE_PLAN)
    form = SampleForm(request.POST)
    if form.is_valid():
        try:
            drawn = services.plan_draw_sample(
                actor=request.user, plan=plan, count=form.cleaned_data["count"], kinds=form.cleaned_data["kinds"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已随机抽取 %(count)d 个站点。") % {"count": len(drawn)})
    else:
        for error in form.errors.values():
            messages.error(request, " ".join(error))
    return redirect(reverse("inspections:plan_detail", args=[plan.pk]) + "#targets")


# --- Inspections -----------------------------------------------------------------------------------------------------


def _inspection_rows(request):
    form = InspectionFilterForm(request.GET, actor=request.user)
    return form, form.apply(selectors.inspections(request.user))


@permission(VIEW_INSPECTION)
def inspection_list(request):
    form, rows = _inspection_rows(request)
    context = page_context(request, rows)
    context["form"] = form
    return render(request, "inspections/inspection_list.html", context)


@permission(VIEW_INSPECTION)
@require_POST
def inspection_export(request):
    form, rows = _inspection_rows(request)
    refused = export_refused(request, rows, "inspections:inspection_list")
    if refused:
        return refused
    headers, data = exports.inspection_rows(rows)
    return export_response(
        actor=request.user,
        title=_("督查记录"),
        headers=headers,
        rows=data,
        object_type="inspections.inspection",
        form=form,
    )


def _inspection(request, pk: int, perm: str = VIEW_INSPECTION) -> Inspection:
    return get_scoped_or_404(
        Inspection.objects.select_related("plan", "station__agency", "agency", "region", "project"),
        request.user,
        perm,
        pk=pk,
    )


def _inspection_url(inspection, anchor: str = "") -> str:
    url = reverse("inspections:inspection_detail", args=[inspection.pk])
    return f"{url}#{anchor}" if anchor else url


@permission(VIEW_INSPECTION)
def inspection_detail(request, pk: int, record_form=None, finding_form=None, correction_form=None):
    inspection = _inspection(request, pk)
    user = request.user
    labels = selectors.checklist_labels()
    editable = not inspection.is_locked and user.has_perm(CHANGE_INSPECTION)
    results = {row.area: row for row in inspection.results.all()}
    findings = list(inspection.findings.prefetch_related("files").order_by("pk"))
    for finding in findings:
        finding.area_label = labels.get(finding.area, finding.area)
    items = list(selectors.items(user).filter(inspection=inspection).order_by("finding_id", "deadline", "pk"))
    today = timezone.localdate()
    for item in items:
        item.overdue = item.is_overdue(today)
    context = {
        "inspection": inspection,
        "rows": [(labels.get(area, area), results.get(area)) for area in inspection.plan.checklist],
        "findings": findings,
        "items": items,
        "labels": labels,
        "editable": editable,
        "can_add_item": user.has_perm(ADD_ITEM),
        "can_correct": inspection.is_locked and user.has_perm(CORRECT_INSPECTION),
        "corrections": inspection.corrections.select_related("corrected_by"),
    }
    if editable:
        context["record_form"] = record_form or RecordForm(inspection=inspection, labels=labels)
        context["finding_form"] = finding_form or FindingForm(inspection=inspection, labels=labels)
    if context["can_correct"]:
        context["correction_form"] = correction_form or CorrectionForm(inspection=inspection, labels=labels)
    return render(request, "inspections/inspection_detail.html", context)


@permission(CHANGE_INSPECTION)
@require_POST
def inspection_record(request, pk: int):
    inspection = _inspection(request, pk, CHANGE_INSPECTION)
    form = RecordForm(request.POST, inspection=inspection, labels=selectors.checklist_labels())
    if form.is_valid():
        try:
            services.inspection_record(
                actor=request.user,
                inspection=inspection,
                visited_on=form.cleaned_data["visited_on"],
                results=form.results(),
                summary=form.cleaned_data["summary"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            if request.POST.get("complete"):
                try:
                    services.inspection_complete(actor=request.user, inspection=inspection)
                except ValidationError as exc:
                    messages.warning(request, _("已保存，但尚不能完成：") + " ".join(exc.messages))
                else:
                    messages.success(request, _("督查已完成并锁定。"))
            else:
                messages.success(request, _("已保存。"))
            return redirect(_inspection_url(inspection, "results"))
    return inspection_detail(request, pk, record_form=form)


@permission(CHANGE_INSPECTION)
@require_POST
def finding_add(request, pk: int):
    inspection = _inspection(request, pk, CHANGE_INSPECTION)
    form = FindingForm(request.POST, request.FILES, inspection=inspection, labels=selectors.checklist_labels())
    if form.is_valid():
        try:
            services.finding_add(actor=request.user, inspection=inspection, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已记录问题。"))
            return redirect(_inspection_url(inspection, "findings"))
    return inspection_detail(request, pk, finding_form=form)


@permission(CORRECT_INSPECTION)
@require_POST
def inspection_correct(request, pk: int):
    inspection = _inspection(request, pk, CORRECT_INSPECTION)
    form = CorrectionForm(request.POST, inspection=inspection, labels=selectors.checklist_labels())
    if form.is_valid():
        try:
            services.inspection_correct(actor=request.user, inspection=inspection, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已更正，原因已记录。"))
            return redirect(_inspection_url(inspection, "corrections"))
    return inspection_detail(request, pk, correction_form=form)


@permission(ADD_ITEM)
def item_create(request, pk: int):
    finding = get_scoped_or_404(
        Finding.objects.select_related("inspection__station__agency", "inspection__agency", "inspection__plan"),
        request.user,
        ADD_ITEM,
        pk=pk,
    )
    inspection = finding.inspection
    form = ItemForm(request.POST or None, inspection=inspection)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.rectification_create(
                actor=request.user,
                finding=finding,
                required_action=data["required_action"],
                deadline=data["deadline"],
                responsible_person=data["responsible_person"],
                **form.owner_values(),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已下发整改事项。"))
            return redirect("inspections:item_detail", item.pk)
    crumbs = [
        (reverse("inspections:inspection_list"), _("督查记录")),
        (_inspection_url(inspection), str(inspection.target)),
    ]
    return _action_page(
        request,
        form,
        _("下发整改：%(finding)s") % {"finding": finding},
        _inspection_url(inspection, "findings"),
        submit=_("下发"),
        crumbs=crumbs,
    )


# --- Rectification ---------------------------------------------------------------------------------------------------


def _item_rows(request):
    form = ItemFilterForm(request.GET, actor=request.user)
    return form, form.apply(selectors.items(request.user))


@permission(VIEW_ITEM)
def item_list(request):
    form, rows = _item_rows(request)
    context = page_context(request, rows)
    today = form.today
    for item in context["page"].object_list:
        item.overdue = item.is_overdue(today)
    context.update(form=form, counts=selectors.item_counts(rows, today), today=today)
    return render(request, "inspections/item_list.html", context)


@permission(VIEW_ITEM)
@require_POST
def item_export(request):
    form, rows = _item_rows(request)
    refused = export_refused(request, rows, "inspections:item_list")
    if refused:
        return refused
    headers, data = exports.item_rows(rows, form.today)
    return export_response(
        actor=request.user,
        title=_("整改事项"),
        headers=headers,
        rows=data,
        object_type="inspections.rectificationitem",
        form=form,
    )


def _item(request, pk: int) -> RectificationItem:
    try:
        return selectors.items(request.user).select_related("finding", "inspection__plan").get(pk=pk)
    except RectificationItem.DoesNotExist:
        raise Http404 from None


@permission(VIEW_ITEM)
def item_detail(request, pk: int, evidence_form=None, review_form=None):
    item = _item(request, pk)
    user = request.user
    today = timezone.localdate()
    can_answer = item.status in RectificationItem.MOVES and "submitted" in RectificationItem.MOVES[item.status]
    can_answer = can_answer and selectors.can_answer(user, item)
    can_review = item.status == RectificationItem.Status.SUBMITTED and selectors.can_review(user, item)
    item.overdue = item.is_overdue(today)
    context = {
        "item": item,
        "finding_files": list(item.finding.files.all()),
        "evidence": item.evidence.select_related("submitted_by", "reviewed_by").prefetch_related("files"),
        "can_answer": can_answer,
        "can_review": can_review,
        "can_see_inspection": user.has_perm(VIEW_INSPECTION),
        "labels": selectors.checklist_labels(),
    }
    if can_answer:
        context["evidence_form"] = evidence_form or EvidenceForm()
    if can_review:
        context["review_form"] = review_form or ReviewForm()
    return render(request, "inspections/item_detail.html", context)


@permission(VIEW_ITEM)
@require_POST
def item_submit(request, pk: int):
    item = _item(request, pk)
    if not selectors.can_answer(request.user, item):
        raise PermissionDenied
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.rectification_submit(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("整改材料已提交，等待审核。"))
            return redirect("inspections:item_detail", item.pk)
    return item_detail(request, pk, evidence_form=form)


@permission(VIEW_ITEM)
@require_POST
def item_review(request, pk: int):
    item = _item(request, pk)
    if not selectors.can_review(request.user, item):
        raise PermissionDenied
    form = ReviewForm(request.POST)
    if form.is_valid():
        passed = form.cleaned_data["decision"] == "pass"
        try:
            services.rectification_review(actor=request.user, item=item, passed=passed, note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已销号。") if passed else _("已退回整改。"))
            return redirect("inspections:item_detail", item.pk)
    return item_detail(request, pk, review_form=form)


# --- Files -----------------------------------------------------------------------------------------------------------


@permission(VIEW_ITEM)
def attachment(request, pk: int):
    """A photo or file, only to those who see its finding or its item (never a public URL). ?thumb=1 gives a small
    JPEG of a photo for the pages."""
    found = Attachment.objects.filter(pk=pk).first()
    if found is None or not selectors.attachment_visible(request.user, found):
        raise Http404
    try:
        handle = default_storage.open(found.file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    if request.GET.get("thumb") and found.is_image:
        return _thumbnail(handle)
    response = FileResponse(handle, content_type=found.content_type, as_attachment=not found.is_image)
    response["Content-Disposition"] = (
        f"{'inline' if found.is_image else 'attachment'}; filename*=UTF-8''{_quote(found.name)}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


def _thumbnail(handle) -> HttpResponse:
    from PIL import Image

    with handle, Image.open(handle) as image:
        image = image.convert("RGB")
        image.thumbnail(THUMBNAIL_SIZE)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80)
    response = HttpResponse(out.getvalue(), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response
