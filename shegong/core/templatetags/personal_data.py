"""`{% masked obj "phone" %}`: a personal identifier shown masked, with a "显示" button for those who may reveal it.

The button posts (htmx) to core:reveal, which checks permission and scope, writes the audit entry and returns the
full value to put in place of the masked one. No inline script: htmx reads the attributes, and the CSRF token travels
in hx-headers.
"""

import json

from django import template
from django.middleware.csrf import get_token
from django.urls import reverse

from shegong.accounts.services import may_reveal
from shegong.core.fields import EncryptedCharField

register = template.Library()


@register.inclusion_tag("core/_masked_value.html", takes_context=True)
def masked(context, obj, field_name: str) -> dict:
    field = obj._meta.get_field(field_name)
    if not isinstance(field, EncryptedCharField):
        raise template.TemplateSyntaxError(
            f"{{% masked %}} needs an EncryptedCharField, not {obj._meta.label}.{field_name}"
        )
    value = getattr(obj, field.attname) or ""
    request = context.get("request")
    user = getattr(request, "user", None)
    reveal_url = hx_headers = ""
    if value and user is not None and may_reveal(user, obj, field.name):
        reveal_url = reverse("core:reveal", args=[obj._meta.label_lower, obj.pk, field.name])
        hx_headers = json.dumps({"X-CSRFToken": get_token(request)})
    return {
        "masked": field.mask(value) if value else "",
        "field_label": field.verbose_name,
        "reveal_url": reveal_url,
        "hx_headers": hx_headers,
    }
