from shegong.web.navigation import items_for


def navigation(request):
    """The menu entries the signed-in user's roles allow; the entry whose section holds the current page is active."""
    user = getattr(request, "user", None)
    if user is None:
        return {"nav_items": []}
    items = items_for(user)
    path = request.path
    for item in items:
        item["active"] = path == item["url"] or (item["url"] != "/" and path.startswith(item["url"]))
    return {"nav_items": items}
