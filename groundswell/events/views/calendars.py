"""Campaign pages, my events, and the calendar files and feeds."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from groundswell.core.errors import NotFound
from groundswell.events import calendars, selectors, services
from groundswell.events.models import EventCampaign
from groundswell.events.views.common import PAGE_SIZE, map_points, not_found, viewer, visible_event


def ics(request: HttpRequest, event_uuid: str) -> HttpResponse:
    try:
        event = visible_event(request, event_uuid, invite=request.GET.get("invite"))
    except NotFound as error:
        return not_found(request, error.message)
    response = HttpResponse(calendars.calendar([event], name=event.title), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="event-{event.uuid}.ics"'
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
def mine(request: HttpRequest) -> HttpResponse:
    person, _ = viewer(request)
    assert person is not None
    feed = reverse("events:my_feed", args=[services.feed_token(person)])
    now = timezone.now()
    events = selectors.with_next_dates(
        list(
            selectors.my_events(person, with_drafts=True).filter(last_ends_at__gt=now).select_related("host")
        ),
        after=now,
    )
    return render(request, "events/mine.html", {"events": events, "feed_url": f"{settings.SITE_URL}{feed}"})


def my_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A member's events at a private address calendar apps can subscribe to."""
    try:
        person = services.person_for_feed(token)
    except NotFound as error:
        return not_found(request, error.message)
    return HttpResponse(
        calendars.calendar(selectors.my_calendar(person), name="My events"), content_type="text/calendar"
    )
