from shegong.web.navigation import menu_for


def navigation(request):
    """The menu entries the signed-in user's roles allow; the entry whose section holds the current page is active."""
    user = getattr(request, "user", None)
    if user is None:
        return {"nav_items": []}
    return {"nav_items": menu_for(user, request.path)}
