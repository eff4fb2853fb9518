from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from groundswell.accounts.actors import actor_for_request
from groundswell.events import selectors as events
from groundswell.network.forms import JoinForm
from groundswell.web import selectors
from groundswell.web.forms import PlaceForm
from groundswell.web.models import SiteText
from groundswell.web.texts import site_text


def home(request: HttpRequest) -> HttpResponse:
    """What the movement is and what it is doing: events near the visitor, open campaigns,
    the movement in numbers, and the way in (the join form; a member's own next events)."""
    actor = actor_for_request(request)
    place_form = PlaceForm()
    status = 200
    if "near" in request.GET:
        place_form = PlaceForm(request.GET)
        if place_form.is_valid():
            # Remembered as the events search remembers it: the next visit starts there.
            search = place_form.cleaned_data["near"]
            response = redirect(f"{reverse('web:home')}#near-heading")
            events.remember_place(response, search.query)
            return response
        status = 400
    person = actor.person
    place = selectors.remembered_place(request)
    if place is None and person is not None:
        place = selectors.place_of(person)
    context = {
        "tagline": site_text(SiteText.Key.TAGLINE),
        "intro": site_text(SiteText.Key.INTRO),
        "numbers": selectors.movement_numbers(),
        "campaigns": selectors.open_campaigns(),
        "near": selectors.events_near_place(place) if place is not None else None,
        "place_form": place_form,
        "next_events": selectors.next_events_of(person) if person is not None else None,
        "join_form": None if person is not None else JoinForm(),
    }
    return render(request, "web/home.html", context, status=status)


@login_required
def style(request: HttpRequest) -> HttpResponse:
    """The living style page: every page component, as the pages use them. For staff, who
    build pages and write the words on them."""
    if not actor_for_request(request).is_staff:
        raise PermissionDenied("The style page is for organizers.")
    return render(request, "web/style.html")


def privacy(request: HttpRequest) -> HttpResponse:
    """The privacy policy: what Groundswell keeps about people and why, in the organizers'
    words (the admin's site texts) or the default."""
    return render(request, "web/privacy.html", {"policy": site_text(SiteText.Key.PRIVACY)})
