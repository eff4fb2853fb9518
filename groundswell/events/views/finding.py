"""Finding events: the search page with its list and map.

Near a place (a ZIP code or a city): the events within the radius, nearest first, on a map,
then the online events, which are near everyone. Nothing within the radius: a wider radius
to try, the nearest events beyond it, and hosting one. Without a place: everything coming.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone

from groundswell.core.errors import ValidationError
from groundswell.events import selectors
from groundswell.events.forms import RADIUS_CHOICES, SearchForm
from groundswell.events.selectors import NearbyEvent, SearchPlace
from groundswell.events.views.common import PAGE_SIZE, map_points

KM_PER_MILE = 1.609344
DEFAULT_RADIUS = 25
ONLINE_SHOWN = 5  # beside a place's events; `?online=1` lists them all
# Old links and other pages' forms name the box by what it used to hold.
NEAR_ALIASES = ("postal_code", "postcode", "zip", "address")


@dataclass
class Search:
    """What the page shows: the events on show, and what to offer when there are none."""

    page: Page
    radius: int = DEFAULT_RADIUS  # miles
    near: SearchPlace | None = None
    online: list[NearbyEvent] | None = None  # beside a place's events
    online_count: int = 0
    nearest: list[NearbyEvent] | None = None  # beyond an empty radius
    wider: int | None = None  # the next radius to try, in miles
    only_online: bool = False


def find(request: HttpRequest) -> HttpResponse:
    query_data = _query(request)
    form = SearchForm(query_data)  # every field is optional: an empty search lists what is coming
    search = None
    if form.is_valid():
        try:
            search = _search(request, form.cleaned_data)
        except ValidationError as error:
            form.add_error("near", error.message)
    context: dict[str, object] = {"form": form, "search": search}
    if search is not None:
        query = query_data.copy()
        query.pop("page", None)
        context |= {
            "page": search.page,
            "query": query.urlencode(),
            "map_points": map_points(item.event for item in search.page if not search.only_online),
            "widen_query": _with(query, radius=search.wider) if search.wider else "",
            "online_query": _with(query, online="1"),
            "alternative_queries": [
                (city.label, _with(query, near=city.label))
                for city in (search.near.others if search.near else [])
            ],
        }
    response = render(request, "events/find.html", context, status=400 if form.errors else 200)
    if search is not None and "near" in query_data and not search.only_online:
        selectors.remember_place(response, search.near.query if search.near else "")
    return response


def _query(request: HttpRequest) -> QueryDict:
    """The search asked for: `near=` (or an older name for the box); with no search at all,
    the place this visitor searched near last time."""
    data = request.GET.copy()
    if "near" not in data:
        for alias in NEAR_ALIASES:
            if alias in data:
                data["near"] = data.pop(alias)[-1]
                break
    if not request.GET:
        remembered = selectors.remembered_place(request)
        if remembered:
            data["near"] = remembered
    data.setdefault("radius", str(DEFAULT_RADIUS))
    return data


def _search(request: HttpRequest, data: dict) -> Search:
    now = timezone.now()
    after = max(_day_start(data["starts_after"]) if data.get("starts_after") else now, now)
    before = _day_start(data["starts_before"], next_day=True) if data.get("starts_before") else None
    campaign = data.get("campaign")
    window: dict[str, Any] = {
        "starts_after": after,
        "starts_before": before,
        "campaign_id": campaign.pk if campaign else None,
    }
    online_ids = selectors.online_ids(after=after, before=before, campaign_id=window["campaign_id"])
    if request.GET.get("online") == "1":
        pairs: list[tuple[int, float | None]] = [(event_id, None) for event_id in online_ids]
        page = _page(request, pairs, after)
        return Search(page=page, online_count=len(online_ids), only_online=True)
    if not data.get("near"):
        upcoming = selectors.upcoming(after=after, before=before, campaign_id=window["campaign_id"])
        pairs = [(event_id, None) for event_id in upcoming.values_list("id", flat=True)[:500]]
        return Search(page=_page(request, pairs, after))
    near = selectors.find_place(data["near"])  # raises, with the message to show
    latitude, longitude = near.place.latitude, near.place.longitude
    assert latitude is not None and longitude is not None
    radius = data.get("radius") or DEFAULT_RADIUS
    nearby = selectors.nearby_ids(
        latitude=latitude, longitude=longitude, radius_km=radius * KM_PER_MILE, **window
    )
    paginator = Paginator(nearby, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    shown_online = [(event_id, None) for event_id in online_ids[:ONLINE_SHOWN]] if page.number == 1 else []
    nearest: list[tuple[int, float]] = []
    if not nearby:
        nearest = selectors.nearest_beyond_ids(
            latitude=latitude, longitude=longitude, radius_km=radius * KM_PER_MILE, **window
        )
    # One load for everything on show: the page, the online events beside it, the nearest.
    loaded = selectors.hydrate([*page.object_list, *shown_online, *nearest], after=after)
    on_page = len(page.object_list)
    page.object_list = loaded[:on_page]  # type: ignore[assignment]  # the page shows events, not ids
    online = loaded[on_page : on_page + len(shown_online)]
    return Search(
        page=page,
        radius=radius,
        near=near,
        online=online,
        online_count=len(online_ids),
        nearest=loaded[on_page + len(online) :],
        wider=next((miles for miles, _ in RADIUS_CHOICES if miles > radius), None) if not nearby else None,
    )


def _page(request: HttpRequest, pairs: list[tuple[int, float | None]], after: datetime) -> Page:
    """The page on show, its events loaded: a search can hold thousands, only 20 are shown."""
    page = Paginator(pairs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.hydrate(list(page.object_list), after=after)  # type: ignore[assignment]
    return page


def _with(query: QueryDict, **changes: object) -> str:
    changed = query.copy()
    for key, value in changes.items():
        changed[key] = str(value)
    changed.pop("page", None)
    return changed.urlencode()


def _day_start(day: date, *, next_day: bool = False) -> datetime:
    moment = datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
    return moment + timedelta(days=1) if next_day else moment
