"""Accounts pages: sign-in, own profile, and the administration screens of 三员分立 (see duties.py).

Views stay thin: permission first (403 for a user whose roles lack it), then the object through the data scope (404
when out of scope), then a service for every write.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.accounts import selectors, services
from shegong.accounts.forms import (
    AdminSetPasswordForm,
    AssignmentForm,
    ChangePasswordForm,
    LoginForm,
    RolePermissionsForm,
    TokenCreateForm,
    UserCreateForm,
    UserEditForm,
    UserFilterForm,
    add_service_error,
)
from shegong.accounts.models import ApiToken, RoleAssignment, User
from shegong.core.listing import permission, query_without_page
from shegong.core.masking import mask_phone
from shegong.core.scope import get_scoped_or_404

VIEW_USERS = "accounts.view_user"
MANAGE_USERS = "accounts.manage_users"
MANAGE_ROLES = "accounts.manage_roles"
PAGE_SIZE = 50


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


# --- Sign-in and own account -----------------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_success_url(self):
        url = super().get_success_url()
        if self.request.user.must_change_password:
            return f"{reverse('accounts:password_change')}?{urlencode({'next': url})}"
        return url


logout_view = auth_views.LogoutView.as_view()


def _me(request) -> User:
    # The account itself, not the request's lazy proxy of it: password code looks at the object's class.
    return User.objects.get(pk=request.user.pk)


@login_required
def password_change(request):
    form = ChangePasswordForm(_me(request), request.POST or None)
    for field in form.fields.values():
        field.widget.attrs.update({"class": "form-control", "autocomplete": "new-password"})
    form.fields["old_password"].widget.attrs["autocomplete"] = "current-password"
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)
        messages.success(request, _("密码已修改。"))
        return redirect(_safe_next(request, reverse("web:home")))
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "forced": form.user.must_change_password, "next": _safe_next(request, "")},
    )


@login_required
def profile(request):
    password_form = ChangePasswordForm(request.user, prefix="pw")
    token_form = TokenCreateForm(prefix="token")
    new_secret = None
    if request.method == "POST" and "pw-old_password" in request.POST:
        password_form = ChangePasswordForm(_me(request), request.POST, prefix="pw")
        if password_form.is_valid():
            password_form.save()
            update_session_auth_hash(request, password_form.user)
            messages.success(request, _("密码已修改。"))
            return redirect("accounts:profile")
    elif request.method == "POST" and "token-name" in request.POST:
        token_form = TokenCreateForm(request.POST, prefix="token")
        if token_form.is_valid():
            try:
                _token, new_secret = services.token_create(
                    actor=request.user, name=token_form.cleaned_data["name"], days=token_form.cleaned_data["days"]
                )
            except ValidationError as exc:
                add_service_error(token_form, exc)
            else:
                token_form = TokenCreateForm(prefix="token")
    response = render(
        request,
        "accounts/profile.html",
        {
            "password_form": password_form,
            "token_form": token_form,
            "new_secret": new_secret,
            "tokens": selectors.token_list(actor=request.user),
            "scope": selectors.my_scope(request.user),
        },
    )
    if new_secret:
        # The secret is on this page only: no browser or proxy may keep a copy.
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_scoped_or_404(ApiToken, request.user, pk=pk)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("令牌已撤销。"))
    return redirect("accounts:profile")


# --- Users (the system admin; the security admin reads the list to grant roles) -----------------------------------


@permission(VIEW_USERS)
def user_list(request):
    form = UserFilterForm(request.GET or None)
    users = selectors.user_list(actor=request.user, filters=form.filters() if request.GET else None)
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/user_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "can_manage": request.user.has_perm(MANAGE_USERS),
            "can_grant": request.user.has_perm(MANAGE_ROLES),
        },
    )


@permission(MANAGE_USERS)
def user_create(request):
    form = UserCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.user,
                username=data["username"],
                password=data["password1"],
                display_name=data["display_name"],
                phone=data["phone"],
                email=data["email"],
                home_region=data["home_region"],
                home_agency=data["home_agency"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("账户已创建。请把初始密码当面或另行告知本人，首次登录时须修改密码。"))
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


def _user_in_scope(request, pk: int, perm: str) -> User:
    users = User.objects.select_related("home_region", "home_agency")
    return get_scoped_or_404(users, request.user, perm, pk=pk)


@permission(VIEW_USERS)
def user_detail(request, pk: int):
    user = _user_in_scope(request, pk, VIEW_USERS)
    assignments = selectors.user_assignments(actor=request.user, user=user, perm=VIEW_USERS)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "subject": user,
            "phone_masked": mask_phone(user.phone) if user.phone else "",
            "home_path": selectors.region_paths([user.home_region]).get(user.home_region_id, []),
            "scope": selectors.scope_lines(assignments),
            "can_manage": request.user.has_perm(MANAGE_USERS) and user.pk != request.user.pk,
            "can_grant": request.user.has_perm(MANAGE_ROLES) and user.pk != request.user.pk,
        },
    )


@permission(MANAGE_USERS)
def user_edit(request, pk: int):
    user = _user_in_scope(request, pk, MANAGE_USERS)
    form = UserEditForm(request.POST or None, actor=request.user, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=request.user, user=user, **form.changes())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("账户信息已保存。"))
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "subject": user, "creating": False})


@permission(MANAGE_USERS)
@require_POST
def user_set_active(request, pk: int):
    user = _user_in_scope(request, pk, MANAGE_USERS)
    active = request.POST.get("active") == "1"
    try:
        services.user_update(actor=request.user, user=user, is_active=active)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("账户已启用。") if active else _("账户已停用，该用户不能再登录或使用令牌。"))
    return redirect("accounts:user_detail", pk=user.pk)


@permission(MANAGE_USERS)
def user_reset_password(request, pk: int):
    user = _user_in_scope(request, pk, MANAGE_USERS)
    if user.pk == request.user.pk:
        # One's own password is changed with the old one (profile page), never reset.
        messages.info(request, _("请在个人设置中修改自己的密码。"))
        return redirect("accounts:password_change")
    form = AdminSetPasswordForm(user, request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("密码已重置。该用户下次登录时须修改密码。"))
        return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_password.html", {"form": form, "subject": user})


@permission(MANAGE_USERS)
@require_POST
def user_unlock(request, pk: int):
    user = _user_in_scope(request, pk, MANAGE_USERS)
    services.user_unlock(actor=request.user, user=user)
    messages.success(request, _("账户已解锁。"))
    return redirect("accounts:user_detail", pk=user.pk)


# --- Roles and grants (the security admin) -------------------------------------------------------------------------


@permission(MANAGE_ROLES)
def user_assignments(request, pk: int):
    user = _user_in_scope(request, pk, MANAGE_ROLES)
    form = AssignmentForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.assignment_create(
                actor=request.user, user=user, role=data["role"], region=data["region"], agency=data["agency"]
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已授予角色“%(role)s”。") % {"role": selectors.role_label(data["role"])})
            return redirect("accounts:user_assignments", pk=user.pk)
    assignments = selectors.user_assignments(actor=request.user, user=user, perm=MANAGE_ROLES)
    return render(
        request,
        "accounts/user_assignments.html",
        {"subject": user, "form": form, "scope": selectors.scope_lines(assignments), "own": user.pk == request.user.pk},
    )


@permission(MANAGE_ROLES)
@require_POST
def assignment_delete(request, pk: int):
    assignment = get_scoped_or_404(RoleAssignment.objects.select_related("role"), request.user, MANAGE_ROLES, pk=pk)
    try:
        services.assignment_delete(actor=request.user, assignment=assignment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已撤销角色“%(role)s”。") % {"role": selectors.role_label(assignment.role)})
    return redirect("accounts:user_assignments", pk=assignment.user_id)


@permission(MANAGE_ROLES)
def role_list(request):
    return render(
        request,
        "accounts/role_list.html",
        {
            "roles": selectors.role_list(actor=request.user),
            "can_edit": selectors.is_nationwide(request.user, MANAGE_ROLES),
        },
    )


@permission(MANAGE_ROLES)
def role_detail(request, pk: int):
    # Role definitions have no data scope: they are the same for the whole installation (see duties.py, rule 4).
    role = get_object_or_404(selectors.role_list(), pk=pk)
    own = RoleAssignment.objects.filter(user=request.user, role=role).exists()
    can_edit = selectors.is_nationwide(request.user, MANAGE_ROLES) and not own
    form = RolePermissionsForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.role_set_permissions(
                    actor=request.user, role=role, permissions=list(form.cleaned_data["permissions"])
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("角色“%(role)s”的权限已保存。") % {"role": selectors.role_label(role)})
                return redirect("accounts:role_detail", pk=role.pk)
        selected = {str(pk) for pk in request.POST.getlist("permissions")}
    else:
        selected = {str(pk) for pk in role.permissions.values_list("pk", flat=True)}
    holders = selectors.role_holders(actor=request.user, role=role)
    holders_page = Paginator(holders, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/role_detail.html",
        {
            "role": role,
            "form": form,
            "groups": selectors.permission_groups(),
            "selected": selected,
            "can_edit": can_edit,
            "own": own,
            "holders": holders_page,
        },
    )
