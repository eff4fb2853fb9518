"""Finding events: the search page with its list and map."""

from datetime import date, datetime, time, timedelta

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from groundswell.core.errors import ValidationError
from groundswell.events import selectors
from groundswell.events.forms import SearchForm
from groundswell.events.views.common import (
    PAGE_SIZE,
    map_points,
)
from groundswell.people.places import place_postcode

KM_PER_MILE = 1.609344


def find(request: HttpRequest) -> HttpResponse:
    query_data = request.GET.copy()
    query_data.setdefault("radius", "25")
    form = SearchForm(query_data)  # every field is optional: an empty search lists what is coming
    results: list = []
    searched_near = None
    if form.is_valid():
        data = form.cleaned_data
        now = timezone.now()
        after = _day_start(data["starts_after"]) if data.get("starts_after") else now
        before = _day_start(data["starts_before"], next_day=True) if data.get("starts_before") else None
        campaign = data.get("campaign")
        if data.get("postal_code"):
            try:
                place = place_postcode(data["postal_code"])
            except ValidationError as error:
                form.add_error("postal_code", error.message)
                place = None
            if place is not None and not place.located:
                form.add_error("postal_code", "We can only search near US ZIP codes for now.")
            elif place is not None:
                searched_near = place
                assert place.latitude is not None and place.longitude is not None
                results = selectors.nearby_ids(
                    latitude=place.latitude,
                    longitude=place.longitude,
                    radius_km=(data.get("radius") or 25) * KM_PER_MILE,
                    starts_after=max(after, now),
                    starts_before=before,
                    campaign_id=campaign.pk if campaign else None,
                )
        else:
            upcoming = selectors.upcoming(
                after=max(after, now), before=before, campaign_id=campaign.pk if campaign else None
            )
            results = [(event_id, None) for event_id in upcoming.values_list("id", flat=True)[:500]]
    # Only the page on show is loaded: a radius can hold thousands of events.
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.hydrate(
        list(page.object_list), after=max(after, now) if form.is_valid() else None
    )
    query = request.GET.copy()
    query.pop("page", None)
    status = 400 if form.errors else 200
    return render(
        request,
        "events/find.html",
        {
            "form": form,
            "page": page,
            "near": searched_near,
            "query": query.urlencode(),
            "map_points": map_points(item.event for item in page),
        },
        status=status,
    )


def _day_start(day: date, *, next_day: bool = False) -> datetime:
    moment = datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
    return moment + timedelta(days=1) if next_day else moment
