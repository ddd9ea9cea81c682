from django.http import HttpRequest

from .navigation import items_for, menus_for


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    return {"nav_items": items_for(user), "nav_menus": menus_for(user), "current_role": user.role}
