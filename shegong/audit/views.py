from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.audit import exports, selectors, services
from shegong.audit.forms import AuditSearchForm
from shegong.audit.services import VIEW_PERMISSION


def _cursor(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _filters(request) -> tuple[AuditSearchForm, dict]:
    form = AuditSearchForm(request.GET or None)
    return form, (form.cleaned_data if form.is_bound and form.is_valid() else {})


def _query_without_cursor(request) -> str:
    query = request.GET.copy()
    for key in ("before", "after"):
        query.pop(key, None)
    return query.urlencode()


@login_required
@permission_required(VIEW_PERMISSION, raise_exception=True)
def entry_list(request):
    form, filters = _filters(request)
    entries = selectors.entry_search(actor=request.user, filters=filters) if not form.errors else None
    page = count = more = None
    if entries is not None:
        page = selectors.entry_page(
            entries, before=_cursor(request.GET.get("before")), after=_cursor(request.GET.get("after"))
        )
        count, more = selectors.entry_count(entries)
        for entry in page.entries:
            entry.object_type_label = selectors.object_type_label(entry.object_type)
    return render(
        request,
        "audit/entry_list.html",
        {
            "form": form,
            "page": page,
            "count": count,
            "count_more": more,
            "query": _query_without_cursor(request),
            "export_limit": exports.MAX_ROWS,
        },
    )


@login_required
@permission_required(VIEW_PERMISSION, raise_exception=True)
def entry_detail(request, sequence: int):
    entry = selectors.entry_get(actor=request.user, sequence=sequence)
    previous, following = selectors.neighbours(entry)
    return render(
        request,
        "audit/entry_detail.html",
        {
            "entry": entry,
            "object_type_label": selectors.object_type_label(entry.object_type),
            "change_rows": selectors.change_rows(entry),
            "previous": previous,
            "following": following,
        },
    )


@login_required
@permission_required(VIEW_PERMISSION, raise_exception=True)
@require_POST
def entry_export(request):
    """The filtered list as .xlsx; the export itself is an audit entry (who took which part of the log)."""
    form, filters = _filters(request)
    back = f"{reverse('audit:list')}?{_query_without_cursor(request)}"
    if form.errors:
        messages.error(request, _("筛选条件有误，请修改后再导出。"))
        return redirect(back)
    entries = selectors.entry_search(actor=request.user, filters=filters)
    _count, more = selectors.entry_count(entries, limit=exports.MAX_ROWS)
    if more:
        messages.error(
            request, _("筛选结果超过 %(max)d 条，请缩小范围（例如日期）后再导出。") % {"max": exports.MAX_ROWS}
        )
        return redirect(back)
    # Build first, record after: recording locks the chain head until commit, and no other write should wait for a
    # workbook to be written. The entry states the number of rows actually written.
    output, written = exports.workbook(entries[: exports.MAX_ROWS])
    try:
        services.audit_export(actor=request.user, filters=form.describe() if form.is_bound else "", count=written)
    except Exception:
        output.close()
        raise
    filename = f"audit-log-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx"
    return FileResponse(output, as_attachment=True, filename=filename)
