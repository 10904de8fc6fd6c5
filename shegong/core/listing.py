"""What list pages share: a filter form that also sorts, paging with a capped count, the query string kept across
pages, the audited Excel export and the sign-in + permission decorator.

The same filter form serves the page, its export and (through `apply`) the API, so the three always agree.
"""

from dataclasses import dataclass
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.accounts.forms import RegionCodeField, style_fields
from shegong.core.scope import region_q
from shegong.tabular.services import export_list
from shegong.tabular.views import xlsx_response

PAGE_SIZE = 50
# An export is a list as filtered; past this the user narrows the filters first (the workbook is built in memory).
EXPORT_MAX_ROWS = 50_000


@dataclass(frozen=True)
class Sort:
    label: str
    ordering: tuple[str, ...]


class ListFilterForm(forms.Form):
    """Base of the filter forms: a `sort` choice built from SORTS, Bootstrap styling, and `apply(qs)`.

    A bad value narrows nothing: the page shows the error beside the field and lists as if it were empty.
    """

    SORTS: dict[str, Sort] = {}
    DEFAULT_SORT = ""
    REGION_PATH = "worker__region"

    sort = forms.ChoiceField(label=gettext_lazy("排序"), required=False)

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data if data is not None else {}, *args, **kwargs)
        self.fields["sort"].choices = [(key, sort.label) for key, sort in self.SORTS.items()]
        # Keep the sort choice last in the filter row.
        self.fields["sort"] = self.fields.pop("sort")
        style_fields(self)

    def value(self, name: str, default=None):
        # Reading `errors` validates the form once; subclasses adjust their fields' choices before the first read.
        if name in self.errors:
            return default
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value

    def filter(self, qs: QuerySet) -> QuerySet:
        """The form's own conditions (override)."""
        return qs

    def apply(self, qs: QuerySet) -> QuerySet:
        qs = self.filter(qs)
        sort = self.SORTS.get(self.value("sort") or self.DEFAULT_SORT) or self.SORTS[self.DEFAULT_SORT]
        return qs.order_by(*sort.ordering)

    def region_filter(self, qs: QuerySet, name: str = "region") -> QuerySet:
        region = self.value(name)
        return qs.filter(region_q(self.REGION_PATH, region.code, region.level)) if region is not None else qs

    def describe(self) -> dict:
        """The filters in force, for the export's audit entry."""
        described = {}
        for name in self.fields:
            value = self.value(name)
            if value not in (None, ""):
                described[name] = getattr(value, "short_code", None) or str(value)
        return described


def region_field(label=None) -> RegionCodeField:
    return RegionCodeField(label=label or gettext_lazy("区划"), required=False, help_text="")


ALL = gettext_lazy("全部")
YES_NO = [("", ALL), ("1", gettext_lazy("是")), ("0", gettext_lazy("否"))]


def blank(choices) -> list:
    """`choices` after an empty "全部" choice (a filter that narrows nothing)."""
    return [("", ALL), *choices]


def date_input(field: forms.DateField) -> forms.DateField:
    """The field with the browser's date picker (ISO dates, whatever the language)."""
    field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return field


def yes_no(value) -> bool | None:
    return {"1": True, "0": False}.get(value or "")


COUNT_LIMIT = 10_000


class CappedPaginator(Paginator):
    """Counts at most COUNT_LIMIT rows (a count over a whole province's pay records is slow and nobody pages that
    far); `capped` says whether there are more. Past the cap the user narrows the filters."""

    @property
    def count(self) -> int:
        if not hasattr(self, "_capped_count"):
            found = self.object_list.order_by().values("pk")[: COUNT_LIMIT + 1].count()
            self.capped = found > COUNT_LIMIT
            self._capped_count = min(found, COUNT_LIMIT)
        return self._capped_count


def query_without_page(request) -> str:
    """The query string without the page number (for page links and exports)."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def page_context(request, rows, size: int = PAGE_SIZE) -> dict:
    """The page of `rows` asked for, and the query string without the page number (for links and exports)."""
    paginator = CappedPaginator(rows, size)
    page = paginator.get_page(request.GET.get("page"))
    return {"page": page, "query": query_without_page(request), "count_capped": paginator.count and paginator.capped}


def export_response(*, actor, title: str, headers: list, rows, object_type: str, form: ListFilterForm):
    """The list as filtered, as .xlsx, with the export audited (who, which filters, how many rows)."""
    data = export_list(
        actor=actor,
        title=title,
        headers=[str(header) for header in headers],
        rows=rows,
        object_type=object_type,
        filters=form.describe(),
    )
    return xlsx_response(data, f"{title}-{timezone.localtime():%Y%m%d-%H%M}.xlsx")


def too_many_rows_message() -> str:
    return _("筛选结果超过 %(max)d 条，请缩小筛选范围后再导出。") % {"max": EXPORT_MAX_ROWS}


def export_refused(request, rows, url_name: str):
    """Past EXPORT_MAX_ROWS: back to the list `url_name` with its filters and a message saying why; else None."""
    if rows.count() > EXPORT_MAX_ROWS:
        messages.error(request, too_many_rows_message())
        query = request.GET.urlencode()
        return redirect(f"{reverse(url_name)}?{query}" if query else reverse(url_name))
    return None


def permission(perm: str):
    """Signed in (else to the login page), then the permission (else 403). Scope is checked per object (404)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator
