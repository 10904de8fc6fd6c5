import re

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.contrib.auth.models import Permission
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils import formats, timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from shegong.accounts.models import Role, User
from shegong.agencies.models import Agency
from shegong.core.masking import mask_phone
from shegong.regions.codes import canonical
from shegong.regions.forms import RegionField, RegionPickerWidget
from shegong.regions.models import Region


class LoginForm(AuthenticationForm):
    """Django's sign-in form with the lockout message.

    Counting and auditing happen in one place only: `authenticate()` sends `user_login_failed` once per refused
    attempt (also when RoleBackend refuses a locked account), and the receiver in signals.py calls
    services.login_failed. This form only reads the outcome, so an attempt is never counted twice.
    """

    error_messages = {
        "invalid_login": gettext_lazy("用户名或密码错误。连续失败 %(max)d 次将锁定账户 %(minutes)d 分钟。"),
        "inactive": gettext_lazy("该账户已停用。"),
        "locked": gettext_lazy("账户因多次登录失败已被锁定，请于 %(time)s 之后再试，或联系系统管理员解锁。"),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            self.user_cache = authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                locked_until = self._locked_until(username)
                if locked_until is not None:
                    raise self.get_locked_error(locked_until)
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    @staticmethod
    def _locked_until(username: str):
        # Read after authenticate(): the attempt just refused may be the one that locked the account.
        locked_until = User.objects.filter(username=username).values_list("locked_until", flat=True).first()
        return locked_until if locked_until is not None and locked_until > timezone.now() else None

    def get_locked_error(self, locked_until):
        local = timezone.localtime(locked_until)
        same_day = local.date() == timezone.localdate()
        when = formats.date_format(local, "H:i" if same_day else "Y-m-d H:i")
        return ValidationError(self.error_messages["locked"] % {"time": when}, code="locked")

    def get_invalid_login_error(self):
        return ValidationError(
            self.error_messages["invalid_login"]
            % {"max": settings.LOGIN_MAX_FAILURES, "minutes": settings.LOGIN_LOCKOUT_MINUTES},
            code="invalid_login",
        )


class ChangePasswordForm(PasswordChangeForm):
    """Django's form (old password, new twice, validators); the change itself goes through the service."""

    def save(self, commit=True):
        from shegong.accounts.services import user_set_password

        user_set_password(actor=self.user, user=self.user, password=self.cleaned_data["new_password1"])
        return self.user


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("用途"), max_length=100)
    days = forms.IntegerField(label=gettext_lazy("有效天数"), min_value=1, initial=90)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read here, not at import, so the limit follows the settings in force.
        self.fields["days"].max_value = settings.API_TOKEN_MAX_DAYS
        self.fields["days"].validators.append(MaxValueValidator(settings.API_TOKEN_MAX_DAYS))
        self.fields["days"].widget.attrs["max"] = settings.API_TOKEN_MAX_DAYS
        style_fields(self)


# --- Shared pieces of the administration forms ---------------------------------------------------------------------


def style_fields(form: forms.BaseForm) -> None:
    """Bootstrap classes on every widget (templates render fields through web/_field.html)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | RegionPickerWidget):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the named fields when the form has them, else on top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def region_roots(actor: User, perm: str) -> list[Region] | None:
    """The subtrees the actor's assignments granting `perm` cover, for the region picker; None when nationwide."""
    from shegong.core.scope import grants_of

    grants = [grant for grant in grants_of(actor) if perm in grant.permissions]
    if any(grant.nationwide for grant in grants):
        return None
    codes = {grant.region_code for grant in grants if grant.region_code}
    return list(Region.objects.filter(code__in=codes).order_by("code"))


class RegionCodeField(forms.Field):
    """A region typed as its statistical code, at its own length (44, 4401, 440104, 440104003) or as 12 digits."""

    widget = forms.TextInput
    default_error_messages = {
        "invalid_code": gettext_lazy("请输入 2、4、6、9 或 12 位数字的区划代码，例如 440104。"),
        "unknown": gettext_lazy("没有区划代码为 %(code)s 的行政区划。"),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", gettext_lazy("区划代码，如 440104（越秀区）或 440104003（北京街道）。"))
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off", "maxlength": "12"})
        self.widget.attrs.setdefault("placeholder", "440104")

    def prepare_value(self, value):
        if isinstance(value, Region):
            return value.short_code
        return value

    def to_python(self, value):
        if isinstance(value, Region):
            return value
        text = str(value or "").strip()
        if not text:
            return None
        try:
            code = canonical(text)
        except ValueError:
            raise ValidationError(self.error_messages["invalid_code"], code="invalid_code") from None
        region = Region.objects.filter(pk=code).first()
        if region is None:
            raise ValidationError(self.error_messages["unknown"], code="unknown", params={"code": text})
        return region


PHONE_PATTERN = re.compile(r"^1[3-9]\d{9}$")


def clean_mobile_phone(value: str) -> str:
    """An 11-digit mainland mobile number; spaces, dashes and a +86 prefix are accepted and removed."""
    digits = re.sub(r"[\s\-()]", "", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not PHONE_PATTERN.match(digits):
        raise ValidationError(gettext_lazy("请输入 11 位的手机号码。"), code="invalid_phone")
    return digits


class RoleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        from shegong.accounts.selectors import role_label

        return role_label(obj)


YES_NO = [("", gettext_lazy("全部")), ("1", gettext_lazy("是")), ("0", gettext_lazy("否"))]


def _yes_no(value: str) -> bool | None:
    return {"1": True, "0": False}.get(value)


# --- User management (the system admin) ----------------------------------------------------------------------------


class UserFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("搜索"), required=False, max_length=100)
    role = RoleChoiceField(label=gettext_lazy("角色"), queryset=Role.objects.none(), required=False)
    # A code box rather than the cascading picker: it fits the filter row, and a code is what admins type.
    region = RegionCodeField(label=gettext_lazy("所属区划"), required=False, help_text="")
    active = forms.ChoiceField(label=gettext_lazy("启用"), choices=YES_NO, required=False)
    locked = forms.ChoiceField(label=gettext_lazy("已锁定"), choices=YES_NO, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = Role.objects.order_by("code")
        self.fields["q"].widget.attrs["placeholder"] = gettext_lazy("用户名或姓名")
        style_fields(self)

    def filters(self):
        from shegong.accounts.selectors import UserFilters

        if not self.is_valid():
            # A bad filter narrows nothing: the page shows the error next to the field and the unfiltered list.
            data = {name: self.cleaned_data.get(name) for name in ("q", "role", "region", "active", "locked")}
        else:
            data = self.cleaned_data
        return UserFilters(
            query=data.get("q") or "",
            role=data.get("role"),
            region=data.get("region"),
            active=_yes_no(data.get("active") or ""),
            locked=_yes_no(data.get("locked") or ""),
        )


class UserDetailsForm(forms.Form):
    """Fields shared by create and edit: who the person is and where the account is administered."""

    display_name = forms.CharField(label=gettext_lazy("姓名"), max_length=50)
    phone = forms.CharField(label=gettext_lazy("手机号"), max_length=20, required=False)
    email = forms.EmailField(label=gettext_lazy("电子邮箱"), required=False)
    home_region = RegionField(label=gettext_lazy("所属区划"), required=False)
    home_agency = forms.ModelChoiceField(
        label=gettext_lazy("所属机构"),
        queryset=Agency.objects.none(),
        required=False,
        help_text=gettext_lazy("机构人员的账户：不填所属区划时，按机构所在区划管理。"),
    )

    def __init__(self, *args, actor: User, **kwargs):
        from shegong.core.scope import scoped

        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["home_region"].within = region_roots(actor, "accounts.manage_users")
        self.fields["home_agency"].queryset = (
            scoped(Agency, actor, "accounts.manage_users").select_related("region").order_by("name")
        )

    def clean_phone(self):
        value = self.cleaned_data.get("phone", "")
        return clean_mobile_phone(value) if value else ""

    def clean_home_region(self):
        from shegong.accounts.selectors import grant_covers

        region = self.cleaned_data.get("home_region")
        if region is not None and not grant_covers(self.actor, "accounts.manage_users", region=region):
            raise ValidationError(gettext_lazy("所属区划不在您的管辖范围内。"), code="out_of_scope")
        return region

    def clean(self):
        from shegong.accounts.selectors import grant_covers

        cleaned = super().clean()
        nowhere = cleaned.get("home_region") is None and cleaned.get("home_agency") is None
        if nowhere and not self.has_error("home_region") and not grant_covers(self.actor, "accounts.manage_users"):
            self.add_error("home_region", gettext_lazy("请指定所属区划或所属机构。"))
        return cleaned


class UserCreateForm(UserDetailsForm):
    username = forms.CharField(
        label=gettext_lazy("用户名"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=gettext_lazy("登录用，创建后不能修改。字母、数字、汉字及 @ . + - _。"),
    )
    password1 = forms.CharField(label=gettext_lazy("初始密码"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label=gettext_lazy("确认初始密码"), strip=False, widget=forms.PasswordInput)

    field_order = ["username", "display_name", "phone", "email", "home_region", "home_agency"]

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        self.fields["password1"].help_text = password_validation.password_validators_help_text_html()
        for name in ("password1", "password2"):
            self.fields[name].widget.attrs["autocomplete"] = "new-password"
        style_fields(self)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(gettext_lazy("用户名“%(username)s”已被使用。"), params={"username": username})
        return username

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", gettext_lazy("两次输入的密码不一致。"))
        elif first:
            probe = User(
                username=cleaned.get("username", ""),
                display_name=cleaned.get("display_name", ""),
                email=cleaned.get("email", ""),
            )
            try:
                password_validation.validate_password(first, probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class UserEditForm(UserDetailsForm):
    clear_phone = forms.BooleanField(label=gettext_lazy("清除手机号"), required=False)

    def __init__(self, *args, actor: User, user: User, **kwargs):
        self.user = user
        initial = {
            "display_name": user.display_name,
            "email": user.email,
            "home_region": user.home_region,
            "home_agency": user.home_agency_id,
        }
        super().__init__(*args, actor=actor, initial=initial, **kwargs)
        # The stored number is personal data: the form never echoes it, it only takes a new one.
        current = mask_phone(user.phone) if user.phone else gettext_lazy("未填写")
        within = self.fields["home_region"].within
        if within is not None and user.home_region is not None:
            # An account may sit at the edge of the admin's scope (seen through its agency): keeping it must work.
            self.fields["home_region"].within = [*within, user.home_region]
        self.fields["phone"].label = gettext_lazy("新手机号")
        self.fields["phone"].help_text = (
            format_lazy("{}{}", gettext_lazy("当前："), current) if user.phone else gettext_lazy("当前未填写手机号。")
        )
        style_fields(self)

    def clean_home_region(self):
        region = self.cleaned_data.get("home_region")
        if region is not None and region.pk == self.user.home_region_id:
            return region  # unchanged: an account stays editable even if its region lies at the edge of the scope
        return super().clean_home_region()

    def changes(self) -> dict:
        data = self.cleaned_data
        changes = {name: data[name] for name in ("display_name", "email", "home_region", "home_agency")}
        if data.get("clear_phone"):
            changes["phone"] = ""
        elif data.get("phone"):
            changes["phone"] = data["phone"]
        return changes


class AdminSetPasswordForm(SetPasswordForm):
    """The system admin's password reset: a temporary password, which the owner must change at the next sign-in."""

    def __init__(self, *args, actor: User, **kwargs):
        self.actor = actor
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = gettext_lazy("临时密码")
        self.fields["new_password2"].label = gettext_lazy("确认临时密码")
        style_fields(self)

    def save(self, commit=True):
        from shegong.accounts.services import user_set_password

        user_set_password(actor=self.actor, user=self.user, password=self.cleaned_data["new_password1"])
        return self.user


# --- Roles and grants (the security admin) -------------------------------------------------------------------------


class RolePermissionsForm(forms.Form):
    permissions = forms.ModelMultipleChoiceField(
        label=gettext_lazy("权限"), queryset=Permission.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        from shegong.accounts.selectors import assignable_permissions

        super().__init__(*args, **kwargs)
        self.fields["permissions"].queryset = assignable_permissions()


class AssignmentForm(forms.Form):
    REGION, AGENCY, NATIONWIDE = "region", "agency", "nationwide"

    role = RoleChoiceField(label=gettext_lazy("角色"), queryset=Role.objects.none())
    where = forms.ChoiceField(label=gettext_lazy("授权范围"), widget=forms.RadioSelect, initial=REGION)
    region = RegionField(label=gettext_lazy("区划"), required=False)
    agency = forms.ModelChoiceField(label=gettext_lazy("机构"), queryset=Agency.objects.none(), required=False)

    def __init__(self, *args, actor: User, **kwargs):
        from shegong.accounts.selectors import is_nationwide
        from shegong.core.scope import scoped

        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = Role.objects.order_by("code")
        self.fields["region"].within = region_roots(actor, "accounts.manage_roles")
        self.fields["agency"].queryset = (
            scoped(Agency, actor, "accounts.manage_roles").select_related("region").order_by("name")
        )
        choices = [(self.REGION, gettext_lazy("区划（含下级）")), (self.AGENCY, gettext_lazy("机构"))]
        if is_nationwide(actor, "accounts.manage_roles"):
            # Only a nationwide security admin may grant nationwide (the service checks it again).
            choices.append((self.NATIONWIDE, gettext_lazy("全国")))
        self.fields["where"].choices = choices
        style_fields(self)

    def clean(self):
        cleaned = super().clean()
        where = cleaned.get("where")
        if where == self.REGION and not cleaned.get("region"):
            if "region" not in self.errors:
                self.add_error("region", gettext_lazy("请填写区划代码。"))
        elif where == self.AGENCY and not cleaned.get("agency"):
            self.add_error("agency", gettext_lazy("请选择机构。"))
        if where != self.REGION:
            cleaned["region"] = None
        if where != self.AGENCY:
            cleaned["agency"] = None
        return cleaned
