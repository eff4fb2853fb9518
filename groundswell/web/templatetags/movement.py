"""What the movement is and what it is doing, for pages of apps beneath `web` (the join page,
the hub), which cannot import it: `{% load movement %}` then `{% site_text "intro" as intro %}`,
`{% movement_numbers as numbers %}`, `{% events_near_person person as near %}`."""

from django import template

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
