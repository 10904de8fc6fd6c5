"""Cross-cutting pages of the core app: revealing one personal identifier (显示完整号码), audited."""

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shegong.accounts.services import reveal_personal_value
from shegong.core.fields import EncryptedCharField
from shegong.core.scope import get_scoped_or_404, owned_by

REVEAL_PERMISSION = "accounts.reveal_personal_data"


@never_cache
@login_required
@require_POST
def reveal(request, model_label: str, pk: str, field_name: str):
    """The unmasked value of one encrypted field of one object, as an htmx fragment.

    403 without the reveal permission (checked first, so it says nothing about the object) unless the user owns the
    object and its model opens this field to the owner, 400 for a field that is not an encrypted personal
    identifier, 404 for an object outside the user's scope of that permission.
    """
    try:
        model = apps.get_model(model_label)
    except (LookupError, ValueError):
        model = None
    owned = None
    if not request.user.has_perm(REVEAL_PERMISSION):
        # A row's owner may see the fields its model opens to the owner (services.reveal_to_owner_allowed).
        if model is not None and field_name in getattr(model, "reveal_to_owner", ()):
            try:
                owned = owned_by(request.user, model, model._meta.pk.to_python(pk))
            except ValidationError:
                owned = None
        if owned is None:
            raise PermissionDenied(_("您没有查看完整个人信息的权限。"))
    if model is None:
        raise Http404
    try:
        field = model._meta.get_field(field_name)
    except FieldDoesNotExist:
        field = None
    if not isinstance(field, EncryptedCharField):
        return HttpResponseBadRequest(_("该字段不是加密保存的个人信息，无需显示。"))
    try:
        pk = model._meta.pk.to_python(pk)
    except ValidationError:
        raise Http404 from None
    obj = owned or get_scoped_or_404(model, request.user, REVEAL_PERMISSION, pk=pk)
    value = reveal_personal_value(actor=request.user, obj=obj, field_name=field.name)
    return render(request, "core/_revealed_value.html", {"value": value, "field": field})
