from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.http import HttpRequest

from groundswell.accounts.actors import actor_for_request
from groundswell.events.selectors import waiting_for_review


def site(request: HttpRequest) -> dict[str, str]:
    return {
        "site_name": settings.SITE_NAME,
        "map_tiles_url": settings.MAP_TILES_URL,
        "map_tiles_attribution": settings.MAP_TILES_ATTRIBUTION,
    }


def navigation(request: HttpRequest) -> dict[str, Callable[[], int]]:
    """Counts the navigation shows where they help. Callables, each run once: a page that does
    not draw the navigation (an export, a fragment) runs no query for them, and the phone
    menu and the wide navigation share one."""

    @cache
    def waiting() -> int:
        return waiting_for_review(actor_for_request(request))

    return {"waiting_for_review": waiting}
