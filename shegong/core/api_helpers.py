"""What the apps' API routers share: limit/offset paging, the permission check (403), the bridge from API query
parameters to the pages' filter forms, and running a write service with its refusals turned into HTTP errors.

Scope stays with get_scoped_or_404 (an object outside the caller's scope is a 404, never a 403).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import QueryDict
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import HttpError

MAX_LIMIT = 200


class Paging(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)

    def window(self, rows):
        """The rows of the page asked for (a slice: a queryset stays lazy)."""
        return rows[self.offset : self.offset + self.limit]


def require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise HttpError(403, _("您没有执行此操作的权限。"))


def query_dict(**values) -> QueryDict:
    """API query parameters as the GET data of the page's filter form, so the page and the API filter alike."""
    query = QueryDict(mutable=True)
    for name, value in values.items():
        if value not in (None, ""):
            query[name] = str(value)
    return query


def run_service(call):
    """Run a service: its ValidationError is a 400 with the messages, PermissionDenied a 403."""
    try:
        return call()
    except ValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        raise HttpError(400, "；".join(message for messages in detail.values() for message in messages)) from None
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or _("您没有执行此操作的权限。")) from None


def check_filters(form) -> None:
    """A filter form that does not validate is a 422 naming each field and its messages."""
    if not form.is_valid():
        raise HttpError(
            422, "；".join(f"{name}: {' '.join(str(m) for m in messages)}" for name, messages in form.errors.items())
        )
