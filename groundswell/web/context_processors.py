from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.core.cache import cache as django_cache
from django.http import HttpRequest

from groundswell.accounts.actors import actor_for_request
from groundswell.advocacy.selectors.campaigns import waiting_for_review as campaigns_waiting
from groundswell.core.errors import ValidationError
from groundswell.events.selectors import waiting_for_review as events_waiting
from groundswell.people.models import PostalAddress
from groundswell.people.places import place_postcode


def site(request: HttpRequest) -> dict[str, str]:
    return {
        "site_name": settings.SITE_NAME,
        "map_tiles_url": settings.MAP_TILES_URL,
        "map_tiles_attribution": settings.MAP_TILES_ATTRIBUTION,
    }


# Kept a while in the cache, so a page of times costs no query; a member who moves sees
# their new clock within this time.
VIEWER_ZONE_SECONDS = 600


def _zone_of_person(person_id: int) -> str:
    postcode = (
        PostalAddress.objects.filter(person_id=person_id, primary=True)
        .values_list("postal_code", flat=True)
        .first()
    )
    try:
        return place_postcode(postcode).time_zone if postcode else ""
    except ValidationError:
        return ""


def viewer_time_zone(request: HttpRequest) -> dict[str, Callable[[], str]]:
    """The zone the reader's clock is in, for `{% when %}` (core/templatetags/times.py): a
    member's from their postcode, else the site's. A callable, so a page with no times pays
    nothing."""

    @cache
    def zone() -> str:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            found = django_cache.get_or_set(
                f"groundswell:viewer-zone:{user.person_id}",
                lambda: _zone_of_person(user.person_id),
                timeout=VIEWER_ZONE_SECONDS,
            )
            if found:
                return str(found)
        return str(settings.TIME_ZONE)

    return {"viewer_time_zone": zone}


def navigation(request: HttpRequest) -> dict[str, Callable[[], int]]:
    """Counts the navigation shows where they help. Callables, each run once: a page that does
    not draw the navigation (an export, a fragment) runs no query for them, and the phone
    menu and the wide navigation share one.

    "Review" counts everything waiting for an organizer: events, and member-started
    campaigns and petitions (one queue, one count); the review page reads each part."""

    @cache
    def events() -> int:
        return events_waiting(actor_for_request(request))

    @cache
    def campaigns() -> int:
        return campaigns_waiting(actor_for_request(request))

    @cache
    def waiting() -> int:
        return events() + campaigns()

    return {
        "waiting_for_review": waiting,
        "events_waiting_for_review": events,
        "campaigns_waiting_for_review": campaigns,
    }
