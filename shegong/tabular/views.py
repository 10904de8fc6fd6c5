from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shegong.tabular import selectors, services, workbooks
from shegong.tabular import spec as specs
from shegong.tabular.forms import ImportForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(filename: str) -> str:
    from urllib.parse import quote

    return quote(filename)


def _spec_or_404(kind: str, user) -> specs.ImportSpec:
    spec = specs.get(kind)
    if spec is None:
        raise Http404
    if spec.permission and not user.has_perm(spec.permission):
        raise PermissionDenied
    return spec


@login_required
def import_page(request, kind: str):
    spec = _spec_or_404(kind, request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_start(
                actor=request.user, kind=kind, upload=form.cleaned_data["file"], mode=form.cleaned_data["mode"]
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect("tabular:job", pk=job.pk)
    return render(
        request,
        "tabular/import.html",
        {"spec": spec, "form": form, "jobs": selectors.jobs_of(request.user, kind)[:10]},
    )


@login_required
def template_download(request, kind: str):
    spec = _spec_or_404(kind, request.user)
    return xlsx_response(workbooks.template(spec), f"{spec.title}-导入模板.xlsx")


@login_required
def job_page(request, pk: int):
    job = selectors.job_for(request.user, pk)
    spec = specs.get(job.kind)
    template = "tabular/_job_status.html" if request.headers.get("HX-Request") else "tabular/job.html"
    return render(request, template, {"job": job, "spec": spec})


@login_required
def job_report(request, pk: int):
    job = selectors.job_for(request.user, pk)
    if not job.report:
        messages.info(request, _("这个导入任务没有错误报告。"))
        return redirect("tabular:job", pk=job.pk)
    return FileResponse(
        job.report.open("rb"), as_attachment=True, filename=f"{job.original_name}-错误报告.xlsx", content_type=XLSX
    )
