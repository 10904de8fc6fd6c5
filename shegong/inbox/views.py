"""The inbox pages (消息): a signed-in person's own alerts only; anyone else's alert answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.core.listing import page_context
from shegong.inbox import selectors, services
from shegong.inbox.forms import InboxFilterForm


@login_required
def inbox_list(request):
    """Unread first, then newest; filters: unread only, kind."""
    form = InboxFilterForm(request.GET)
    rows = selectors.inbox(request.user, **form.filters())
    context = page_context(request, selectors.unread_first(rows), size=30)
    context.update(form=form, unread=selectors.unread_count(request.user))
    return render(request, "inbox/inbox_list.html", context)


@login_required
@require_POST
def notification_open(request, pk: int):
    """Mark the alert read and go to what it is about."""
    notification = selectors.notification_get(request.user, pk)
    services.mark_read(notification=notification, actor=request.user)
    if notification.url and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notification.url)
    return redirect("inbox:list")


@login_required
@require_POST
def notification_read(request, pk: int):
    notification = selectors.notification_get(request.user, pk)
    services.mark_read(notification=notification, actor=request.user)
    return redirect("inbox:list")


@login_required
@require_POST
def read_all(request):
    count = services.mark_all_read(actor=request.user)
    messages.success(request, _("已将 %(count)d 条消息标为已读。") % {"count": count})
    return redirect("inbox:list")
