"""Campaign pages and their index, my events, and the calendar files and feeds."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from groundswell.accounts.actors import actor_for_request
from groundswell.core.errors import NotFound
from groundswell.events import calendars, selectors, services
from groundswell.events.models import EventCampaign
from groundswell.events.selectors.places import access_place, exact_place
from groundswell.events.views.common import PAGE_SIZE, actor_with_invitation, map_points, not_found


def ics(request: HttpRequest, event_uuid: str) -> HttpResponse:
    actor = actor_with_invitation(request, request.GET.get("invite"))
    try:
        event = selectors.access_event(actor, event_uuid)
    except NotFound as error:
        return not_found(request, error.message)
    place = access_place(actor, event)  # the street address only for those who may see it
    response = HttpResponse(
        calendars.calendar([event], name=event.title, place_for=lambda _: place), content_type="text/calendar"
    )
    response["Content-Disposition"] = f'attachment; filename="event-{event.uuid}.ics"'
    if event.visibility == event.Visibility.PRIVATE:
        add_never_cache_headers(response)
    return response


def campaign(request: HttpRequest, slug: str) -> HttpResponse:
    found = EventCampaign.objects.filter(slug=slug).first()
    if found is None:
        return render(
            request, "events/not_found.html", {"error": "We couldn't find that campaign."}, status=404
        )
    now = timezone.now()
    page = Paginator(selectors.upcoming(after=now, campaign_id=found.pk), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = selectors.with_next_dates(list(page.object_list), after=now)
    return render(
        request,
        "events/campaign.html",
        {
            "campaign": found,
            "page": page,
            "totals": selectors.campaign_totals(found.pk),
            "map_points": map_points(page),
        },
    )


def campaign_feed(request: HttpRequest, slug: str) -> HttpResponse:
    found = EventCampaign.objects.filter(slug=slug).first()
    if found is None:
        return render(
            request, "events/not_found.html", {"error": "We couldn't find that campaign."}, status=404
        )
    events = selectors.listed_events().filter(campaign=found).order_by("starts_at")
    return HttpResponse(calendars.calendar(events, name=found.title), content_type="text/calendar")


@login_required
@require_http_methods(["GET", "POST"])
def mine(request: HttpRequest) -> HttpResponse:
    person = actor_for_request(request).require_person()
    if request.method == "POST":  # a new calendar address: the old one stops working
        services.rotate_feed(person)
        messages.success(
            request, "Your calendar has a new address. Subscribe to it again; the old one has stopped."
        )
        return redirect("events:mine")
    feed = reverse("events:my_feed", args=[services.feed_token(person)])
    now = timezone.now()
    events = selectors.mark_hosting(
        person,
        [
            *selectors.with_next_dates(
                list(
                    selectors.my_events(person, with_drafts=True)
                    .filter(last_ends_at__gt=now)
                    .select_related("host")
                ),
                after=now,
            )
        ],
    )
    return render(
        request,
        "events/mine.html",
        {
            "events": events,
            "past": selectors.my_past_events(person, now=now),
            "feed_url": f"{settings.SITE_URL}{feed}",
        },
    )


def campaigns(request: HttpRequest) -> HttpResponse:
    """Every campaign: those with events coming up first, with how many and how many going."""
    found = selectors.campaign_index()
    return render(
        request,
        "events/campaigns.html",
        {
            "active": [c for c in found if c.upcoming],  # type: ignore[attr-defined]
            "quiet": [c for c in found if not c.upcoming],  # type: ignore[attr-defined]
        },
    )


@never_cache
def my_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A member's events at a private address calendar apps can subscribe to."""
    try:
        person = services.person_for_feed(token)
    except NotFound as error:
        return not_found(request, error.message)
    # Only events the member hosts or is going to: they may see each one's address.
    return HttpResponse(
        calendars.calendar(selectors.my_calendar(person), name="My events", place_for=exact_place),
        content_type="text/calendar",
    )
