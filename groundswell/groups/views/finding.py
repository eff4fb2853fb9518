"""Finding groups: /groups/, a list (and a map over it) of the active groups near a place.

Near a ZIP code or a city (`?near=`, read as events' search reads it): the groups within the
radius, nearest first, with their distance. Nothing within it: a wider radius and the nearest
groups beyond. Without a place: a signed-in member's own postcode (or the place this browser
searched last); else the regions and the largest groups. The page is a plain list: the map
is drawn over it by script when there is one.
"""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_GET

from groundswell.accounts.actors import actor_for_request
from groundswell.core.errors import ValidationError
from groundswell.events.selectors import SearchPlace, find_place, remember_place, remembered_place
from groundswell.groups.forms.membership import RADIUS_CHOICES, SearchForm
from groundswell.groups.models import Group
from groundswell.groups.selectors import finding
from groundswell.groups.selectors.access import groups_visible_to

PAGE_SIZE = 20
DEFAULT_RADIUS = 25


@dataclass
class Search:
    page: Page
    near: SearchPlace
    radius: int
    nearest: list[finding.FoundGroup]
    wider: int | None


def group_link(group: Group) -> str:
    return reverse("groups:detail", args=[group.slug])


@require_GET
def find(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    data = _query(request)
    form = SearchForm(data)
    search: Search | None = None
    context: dict[str, object] = {"form": form}
    if form.is_valid() and form.cleaned_data.get("near"):
        try:
            search = _search(request, form.cleaned_data)
        except ValidationError as error:
            form.add_error("near", error.message)
    if search is not None:
        query = data.copy()
        query.pop("page", None)
        context |= {
            "search": search,
            "page": search.page,
            "query": query.urlencode(),
            "map_points": finding.map_points(list(search.page.object_list), group_link),
            "widen_query": _with(query, radius=search.wider) if search.wider else "",
            "alternative_queries": [
                (city.label, _with(query, near=city.label)) for city in search.near.others
            ],
        }
    elif not form.errors:
        context |= {"regions": finding.regions(), "largest": finding.largest()}
    if actor.is_staff:
        context["waiting"] = groups_visible_to(actor).filter(status=Group.Status.PENDING).count()
    response = render(request, "groups/find.html", context, status=400 if form.errors else 200)
    if "near" in request.GET:
        remember_place(response, search.near.query if search is not None else "")
    return response


def _query(request: HttpRequest) -> QueryDict:
    """The search asked for; with none at all, the place this browser searched last or the
    signed-in member's own postcode."""
    data = request.GET.copy()
    if not request.GET:
        remembered = remembered_place(request)
        if remembered:
            data["near"] = remembered
    data.setdefault("radius", str(DEFAULT_RADIUS))
    return data


def _search(request: HttpRequest, data: dict) -> Search:
    near = find_place(data["near"])  # raises, with the message to show
    latitude, longitude = near.place.latitude, near.place.longitude
    assert latitude is not None and longitude is not None
    radius = data.get("radius") or DEFAULT_RADIUS
    radius_km = radius * finding.KM_PER_MILE
    nearby = finding.nearby_group_ids(latitude=latitude, longitude=longitude, radius_km=radius_km)
    page = Paginator(nearby, PAGE_SIZE).get_page(request.GET.get("page"))
    nearest_pairs = (
        finding.nearest_beyond_ids(latitude=latitude, longitude=longitude, radius_km=radius_km)
        if not nearby
        else []
    )
    # One load for the page and the nearest beyond it.
    loaded = finding.hydrate([*page.object_list, *nearest_pairs])
    shown = len(page.object_list)
    page.object_list = loaded[:shown]  # type: ignore[assignment]  # the page shows groups, not ids
    wider = next((miles for miles, _ in RADIUS_CHOICES if miles > radius), None) if not nearby else None
    return Search(page=page, near=near, radius=radius, nearest=loaded[shown:], wider=wider)


def _with(query: QueryDict, **changes: object) -> str:
    changed = query.copy()
    for key, value in changes.items():
        changed[key] = str(value)
    changed.pop("page", None)
    return changed.urlencode()


urlpatterns: list[URLPattern] = [
    path("", find, name="find"),
]
