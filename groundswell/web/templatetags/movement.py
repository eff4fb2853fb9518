"""What the movement is and what it is doing, for pages of apps beneath `web` (the join page,
the hub, events' review queue), which cannot import it: `{% load movement %}` then
`{% site_text "intro" as intro %}`, `{% movement_numbers as numbers %}`,
`{% events_near_person person as near %}`, `{% started_by_me %}` (the hub's section of the
member's own petitions and campaigns) and `{% advocacy_review_section %}` (what waits in
advocacy, drawn on events' review page: organizers have one queue)."""

from typing import Any

from django import template

from groundswell.accounts.actors import actor_for_request
from groundswell.advocacy.models import Petition
from groundswell.advocacy.selectors.campaigns import campaigns_started_by
from groundswell.advocacy.views.starting import pending_with_history
from groundswell.people.models import Person
from groundswell.web import selectors
from groundswell.web.models import SiteText
from groundswell.web.texts import site_text as text_for

register = template.Library()


@register.simple_tag
def site_text(key: str) -> str:
    return text_for(SiteText.Key(key))


@register.simple_tag
def movement_numbers() -> selectors.MovementNumbers:
    return selectors.movement_numbers()


@register.simple_tag
def events_near_person(person: Person) -> selectors.NearYou | None:
    """The next events near where a member said they are (None when we do not know where)."""
    place = selectors.place_of(person)
    return selectors.events_near_place(place) if place is not None else None


@register.inclusion_tag("advocacy/manage_hub.html", takes_context=True)
def started_by_me(context: template.Context) -> dict[str, Any]:
    """The hub's section of the petitions and campaigns the signed-in member started, every
    status, newest first, each with its count and a link to manage it (two queries)."""
    actor = actor_for_request(context["request"])
    if actor.person is None:
        return {"items": None}
    started = campaigns_started_by(actor, actor.person)
    items: list[Any] = [*started.petitions, *started.campaigns]
    for item in items:
        item.kind = "petition" if isinstance(item, Petition) else "campaign"
    items.sort(key=lambda item: item.created_at, reverse=True)
    return {"items": items}


@register.inclusion_tag("advocacy/review_section.html", takes_context=True)
def advocacy_review_section(context: template.Context) -> dict[str, Any]:
    """The campaigns and petitions waiting, as a section of events' review page. The count
    comes from the navigation's (already run for its badge), so an empty queue costs nothing
    more; each decision returns to this page."""
    request = context["request"]
    actor = actor_for_request(request)
    if not actor.is_staff:
        return {"shown": False}
    waiting = context.get("campaigns_waiting_for_review")
    count = waiting() if callable(waiting) else None
    return {
        "shown": True,
        "count": count,
        "queue": pending_with_history(actor) if count != 0 else [],
        "next": f"{request.path}#advocacy-review",
        "csrf_token": context.get("csrf_token"),
    }
