from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.http import HttpRequest

from groundswell.accounts.actors import actor_for_request
from groundswell.core.errors import ValidationError
from groundswell.events.selectors import waiting_for_review
from groundswell.people.places import place_postcode


def site(request: HttpRequest) -> dict[str, str]:
    return {
        "site_name": settings.SITE_NAME,
        "map_tiles_url": settings.MAP_TILES_URL,
        "map_tiles_attribution": settings.MAP_TILES_ATTRIBUTION,
    }


def viewer_time_zone(request: HttpRequest) -> dict[str, Callable[[], str]]:
    """The zone the reader's clock is in, for `{% when %}` (core/templatetags/times.py): a
    member's from their postcode, else the site's. A callable, so a page with no times pays
    nothing."""

    @cache
    def zone() -> str:
        user = getattr(request, "user", None)
        person = getattr(user, "person", None) if user is not None and user.is_authenticated else None
        if person is not None and person.postal_code:
            try:
                found = place_postcode(person.postal_code).time_zone
            except ValidationError:
                found = ""
            if found:
                return found
        return str(settings.TIME_ZONE)

    return {"viewer_time_zone": zone}


def navigation(request: HttpRequest) -> dict[str, Callable[[], int]]:
    """Counts the navigation shows where they help. Callables, each run once: a page that does
    not draw the navigation (an export, a fragment) runs no query for them, and the phone
    menu and the wide navigation share one."""

    @cache
    def waiting() -> int:
        return waiting_for_review(actor_for_request(request))

    return {"waiting_for_review": waiting}
