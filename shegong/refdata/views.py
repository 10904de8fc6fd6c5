"""Dictionary pages: read-only for everyone with refdata.view_dictionary, editable with refdata.change_dictionary."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.accounts.forms import add_service_error
from shegong.refdata import selectors, services
from shegong.refdata.forms import DictionaryForm, ItemForm


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(_("您没有维护字典的权限。") if perm == selectors.CHANGE else _("您没有查看字典的权限。"))


@login_required
def dictionary_list(request):
    _require(request.user, selectors.VIEW)
    return render(
        request,
        "refdata/dictionary_list.html",
        {"dictionaries": selectors.dictionary_list(), "can_change": request.user.has_perm(selectors.CHANGE)},
    )


@login_required
def dictionary_detail(request, code: str):
    _require(request.user, selectors.VIEW)
    dictionary = selectors.get_dictionary_or_404(code)
    return render(
        request,
        "refdata/dictionary_detail.html",
        {
            "dictionary": dictionary,
            "items": selectors.items(code, active_only=False),
            "can_change": request.user.has_perm(selectors.CHANGE),
        },
    )


@login_required
def dictionary_edit(request, code: str):
    _require(request.user, selectors.CHANGE)
    dictionary = selectors.get_dictionary_or_404(code)
    initial = {"name": dictionary.name, "description": dictionary.description, "source": dictionary.source}
    form = DictionaryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.dictionary_update(actor=request.user, dictionary=dictionary, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("字典已保存。"))
            return redirect("refdata:dictionary_detail", code=code)
    return render(
        request,
        "refdata/form.html",
        {"form": form, "dictionary": dictionary, "title": _("编辑字典：%(name)s") % {"name": dictionary.name}},
    )


@login_required
def item_create(request, code: str):
    _require(request.user, selectors.CHANGE)
    dictionary = selectors.get_dictionary_or_404(code)
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_create(actor=request.user, dictionary=dictionary, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已添加“%(name)s”。") % {"name": item.name})
            return redirect("refdata:dictionary_detail", code=code)
    return render(
        request,
        "refdata/form.html",
        {"form": form, "dictionary": dictionary, "title": _("添加字典项：%(name)s") % {"name": dictionary.name}},
    )


@login_required
def item_edit(request, code: str, item_code: str):
    _require(request.user, selectors.CHANGE)
    dictionary = selectors.get_dictionary_or_404(code)
    item = selectors.get_item_or_404(dictionary, item_code)
    initial = {"code": item.code, "name": item.name, "description": item.description, "source": item.source}
    form = ItemForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = {key: value for key, value in form.cleaned_data.items() if key != "code"}
        try:
            services.item_update(actor=request.user, item=item, **data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("“%(name)s”已保存。") % {"name": data["name"]})
            return redirect("refdata:dictionary_detail", code=code)
    return render(
        request,
        "refdata/form.html",
        {"form": form, "dictionary": dictionary, "title": _("编辑字典项：%(name)s") % {"name": item.name}},
    )


@login_required
@require_POST
def item_toggle(request, code: str, item_code: str):
    _require(request.user, selectors.CHANGE)
    dictionary = selectors.get_dictionary_or_404(code)
    item = selectors.get_item_or_404(dictionary, item_code)
    item = services.item_set_active(actor=request.user, item=item, active=not item.is_active)
    if item.is_active:
        messages.success(request, _("已启用“%(name)s”。") % {"name": item.name})
    else:
        messages.success(request, _("已停用“%(name)s”：不再出现在选项中，已有记录不受影响。") % {"name": item.name})
    return redirect("refdata:dictionary_detail", code=code)


@login_required
@require_POST
def item_move(request, code: str, item_code: str):
    _require(request.user, selectors.CHANGE)
    dictionary = selectors.get_dictionary_or_404(code)
    item = selectors.get_item_or_404(dictionary, item_code)
    offset = -1 if request.POST.get("direction") == "up" else 1
    services.item_move(actor=request.user, item=item, offset=offset)
    return redirect(f"{reverse('refdata:dictionary_detail', args=[code])}#item-{item.code}")
