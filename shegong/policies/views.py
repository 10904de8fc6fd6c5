"""Policy profile pages (thin: reads through selectors, writes through services)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.accounts.forms import add_service_error
from shegong.policies import selectors, services
from shegong.policies.forms import CloneForm, KindChoiceForm, LookupForm, ProfileEditForm, ProfileForm, RuleForm


def _require_view(user) -> None:
    if not selectors.can_view_policies(user):
        raise PermissionDenied(_("您没有查看政策规则集的权限。"))


def _require_edit(user, profile) -> None:
    if not selectors.can_edit(user, profile):
        raise PermissionDenied(_("这个规则集适用于您的辖区，但只能由其所属区划的管理员修改。"))


@login_required
def profile_list(request):
    _require_view(request.user)
    profiles = selectors.visible_profiles(request.user)
    query = request.GET.get("q", "").strip()
    if query:
        profiles = profiles.filter(
            Q(name__icontains=query) | Q(region__name__icontains=query) | Q(region__code__startswith=query)
        )
    profiles = list(profiles)
    editable = selectors.editable_profile_ids(request.user, [profile.pk for profile in profiles])
    for profile in profiles:
        profile.editable = profile.pk in editable
    return render(
        request,
        "policies/profile_list.html",
        {"profiles": profiles, "query": query, "can_create": selectors.can_create_profiles(request.user)},
    )


@login_required
def profile_detail(request, pk: int):
    _require_view(request.user)
    profile = selectors.get_visible_profile_or_404(request.user, pk)
    editable = selectors.can_edit(request.user, profile)
    rules = selectors.profile_rules(profile)
    return render(
        request,
        "policies/profile_detail.html",
        {
            "profile": profile,
            "rules": rules,
            "editable": editable,
            "can_clone": selectors.can_create_profiles(request.user),
            "addable": selectors.addable_kinds(profile) if editable else [],
        },
    )


@login_required
def profile_create(request):
    _require_view(request.user)
    if not selectors.can_create_profiles(request.user):
        raise PermissionDenied(_("您没有新建政策规则集的权限。"))
    form = ProfileForm(request.POST or None, within=selectors.edit_roots(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.profile_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("规则集已创建，请添加规则。"))
            return redirect("policies:profile_detail", pk=profile.pk)
    return render(request, "policies/profile_form.html", {"form": form, "title": _("新建政策规则集")})


@login_required
def profile_edit(request, pk: int):
    _require_view(request.user)
    profile = selectors.get_visible_profile_or_404(request.user, pk)
    _require_edit(request.user, profile)
    initial = {
        "name": profile.name,
        "valid_from": profile.valid_from,
        "valid_to": profile.valid_to,
        "description": profile.description,
    }
    form = ProfileEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(actor=request.user, profile=profile, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("规则集已保存。"))
            return redirect("policies:profile_detail", pk=profile.pk)
    return render(
        request,
        "policies/profile_form.html",
        {"form": form, "profile": profile, "title": _("编辑规则集：%(name)s") % {"name": profile.name}},
    )


@login_required
@require_POST
def profile_delete(request, pk: int):
    _require_view(request.user)
    profile = selectors.get_visible_profile_or_404(request.user, pk)
    _require_edit(request.user, profile)
    try:
        services.profile_delete(actor=request.user, profile=profile)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("policies:profile_detail", pk=profile.pk)
    messages.success(request, _("规则集已删除。"))
    return redirect("policies:profile_list")


@login_required
def profile_clone(request, pk: int):
    _require_view(request.user)
    source = selectors.get_visible_profile_or_404(request.user, pk)
    if not selectors.can_create_profiles(request.user):
        raise PermissionDenied(_("您没有新建政策规则集的权限。"))
    form = CloneForm(request.POST or None, within=selectors.edit_roots(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            profile = services.profile_clone(
                actor=request.user,
                source=source,
                region=data["region"],
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                name=data["name"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已复制为新规则集，可按本地文件修改参数。"))
            return redirect("policies:profile_detail", pk=profile.pk)
    return render(
        request,
        "policies/profile_form.html",
        {"form": form, "profile": source, "title": _("复制规则集：%(name)s") % {"name": source.name}},
    )


@login_required
def rule_add(request, pk: int):
    _require_view(request.user)
    profile = selectors.get_visible_profile_or_404(request.user, pk)
    _require_edit(request.user, profile)
    kinds = selectors.addable_kinds(profile)
    code = request.POST.get("kind") or request.GET.get("kind")
    chooser = KindChoiceForm(initial={"kind": code}, kinds=kinds)
    kind = next((kind for kind in kinds if kind.code == code), None)
    form = None
    if kind is not None:
        form = RuleForm(request.POST if request.method == "POST" else None, kind=kind)
        if request.method == "POST" and form.is_valid():
            try:
                services.rule_add(
                    actor=request.user,
                    profile=profile,
                    kind=kind.code,
                    params=form.param_values(),
                    source_text=form.cleaned_data["source_text"],
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("已添加规则「%(kind)s」。") % {"kind": kind.label})
                return redirect("policies:profile_detail", pk=profile.pk)
    return render(
        request,
        "policies/rule_form.html",
        {"profile": profile, "kind": kind, "form": form, "chooser": chooser, "adding": True},
    )


@login_required
def rule_edit(request, pk: int):
    _require_view(request.user)
    rule = selectors.get_visible_rule_or_404(request.user, pk)
    profile = rule.profile
    _require_edit(request.user, profile)
    kind = rule.rule_kind
    form = RuleForm(
        request.POST if request.method == "POST" else None,
        kind=kind,
        params=rule.params,
        source_text=rule.source_text,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_set_params(
                actor=request.user,
                rule=rule,
                params=form.param_values(),
                source_text=form.cleaned_data["source_text"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("规则「%(kind)s」已保存。") % {"kind": kind.label})
            return redirect("policies:profile_detail", pk=profile.pk)
    return render(request, "policies/rule_form.html", {"profile": profile, "kind": kind, "form": form, "rule": rule})


@login_required
@require_POST
def rule_remove(request, pk: int):
    _require_view(request.user)
    rule = selectors.get_visible_rule_or_404(request.user, pk)
    _require_edit(request.user, rule.profile)
    services.rule_remove(actor=request.user, rule=rule)
    messages.success(request, _("已删除规则「%(kind)s」，该项改为沿用上级规定。") % {"kind": rule.kind_label})
    return redirect("policies:profile_detail", pk=rule.profile_id)


@login_required
def lookup(request):
    """规则查询: the rules in force for a region on a date, each with the profile it comes from."""
    _require_view(request.user)
    form = LookupForm(request.GET or None, within=selectors.lookup_roots(request.user))
    rows = None
    where = None
    if request.GET and form.is_valid():
        region, on = form.cleaned_data["region"], form.cleaned_data["on"]
        where = selectors.place(region.pk)
        if not selectors.can_query_region(request.user, where):
            form.add_error("region", _("只能查询本辖区及其上级区划的规则。"))
        else:
            rules = selectors.rules_in_force(region.pk, on)
            visible = set(
                selectors.visible_profiles(request.user)
                .filter(pk__in={rule.profile_id for rule in rules.values()})
                .values_list("pk", flat=True)
            )
            rows = [{"rule": rule, "linked": rule.profile_id in visible} for rule in rules.values()]
    return render(request, "policies/lookup.html", {"form": form, "rows": rows, "where": where})
