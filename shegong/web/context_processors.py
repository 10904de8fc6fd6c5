from shegong.web.navigation import menu_for


class _UnreadCount:
    """The signed-in user's unread alerts, counted (one COUNT query) only when a template shows the bell."""

    def __init__(self, user):
        self.user = user
        self._value = None

    def __call__(self) -> int:
        if self._value is None:
            from shegong.inbox.selectors import unread_count

            self._value = unread_count(self.user)
        return self._value


def navigation(request):
    """The menu entries the signed-in user's roles allow; the entry whose section holds the current page is active.
    Also the unread count of the inbox bell (`inbox_unread`, evaluated lazily)."""
    user = getattr(request, "user", None)
    if user is None:
        return {"nav_items": []}
    return {"nav_items": menu_for(user, request.path), "inbox_unread": _UnreadCount(user)}
