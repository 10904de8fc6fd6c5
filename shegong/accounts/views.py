from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.accounts import selectors, services
from shegong.accounts.forms import ChangePasswordForm, LoginForm, TokenCreateForm
from shegong.accounts.models import ApiToken
from shegong.core.scope import get_scoped_or_404


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


logout_view = auth_views.LogoutView.as_view()


@login_required
def profile(request):
    password_form = ChangePasswordForm(request.user, prefix="pw")
    token_form = TokenCreateForm(prefix="token")
    new_secret = None
    if request.method == "POST" and "pw-old_password" in request.POST:
        password_form = ChangePasswordForm(request.user, request.POST, prefix="pw")
        if password_form.is_valid():
            password_form.save()
            update_session_auth_hash(request, request.user)
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
                token_form.add_error(None, exc)
            else:
                token_form = TokenCreateForm(prefix="token")
    return render(
        request,
        "accounts/profile.html",
        {
            "password_form": password_form,
            "token_form": token_form,
            "new_secret": new_secret,
            "tokens": selectors.token_list(actor=request.user),
            "assignments": selectors.assignments_of(request.user),
        },
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_scoped_or_404(ApiToken, request.user, pk=pk)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("令牌已撤销。"))
    return redirect("accounts:profile")
