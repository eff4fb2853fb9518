"""What the conversation pages share: the actor, 404s, where a thread's thing lives."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from groundswell.accounts.actors import Actor, actor_for_request
from groundswell.advocacy.models import AdvocacyCampaign, Petition
from groundswell.conversations.selectors.access import Thing
from groundswell.core import ratelimit
from groundswell.events.models import Event
from groundswell.groups.models import Group


def actor_of(request: HttpRequest) -> Actor:
    """The request's actor, carrying a private event's invitation (`?invite=`) if one came."""
    return actor_for_request(request).carrying(invitation=request.GET.get("invite"))


def ip_of(request: HttpRequest) -> str | None:
    return ratelimit.client_ip(request)


def not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "conversations/not_found.html", {"error": message}, status=404)


def refused(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "conversations/not_found.html", {"error": message, "refused": True}, status=403)


def thing_url(thing: Thing) -> str:
    """The page of what a thread is on (a group's page may not be mounted yet: then none)."""
    try:
        if isinstance(thing, Group):
            return reverse("groups:detail", args=[thing.slug])
        if isinstance(thing, Event):
            return reverse("events:detail", args=[thing.uuid])
        if isinstance(thing, AdvocacyCampaign):
            return reverse("advocacy:campaign", args=[thing.slug])
        if isinstance(thing, Petition):
            return reverse("advocacy:petition", args=[thing.slug])
    except NoReverseMatch:
        return ""
    return ""


def thing_name(thing: Thing) -> str:
    return thing.name if isinstance(thing, Group) else thing.title


KINDS = {"group": Group, "event": Event, "campaign": AdvocacyCampaign, "petition": Petition}


def kind_of(thing: Thing) -> str:
    return next(kind for kind, model in KINDS.items() if isinstance(thing, model))
