"""Events, made through `host_event` as a host would make them."""

from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from groundswell.events import services
from groundswell.events.models import Event


class EventFactory(factory.Factory[Event]):
    """`EventFactory(host=user)`: a published public event tomorrow at 10001 (unless the
    campaign wants approval). Times: `starts_at` (default: in a day) and `hours` long."""

    class Meta:
        model = Event

    host = None  # a User (from MemberFactory / make_member)
    title = "Canvass"
    starts_at = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) + timedelta(days=1))
    hours = 2
    postal_code = "10001"
    online_url = ""
    capacity = None
    visibility = Event.Visibility.PUBLIC
    campaign = None
    time_zone = "UTC"
    recurrence_rule = ""
    shifts = factory.LazyFunction(list)
    cohost_emails = factory.LazyFunction(list)  # invited only
    cohosts = factory.LazyFunction(list)  # members invited who have said yes
    description = ""

    @classmethod
    def _create(cls, model_class: type[Event], **kwargs: Any) -> Event:
        from groundswell.accounts.tests.factories import actor_of

        host = kwargs.pop("host")
        if host is None:
            raise ValueError("EventFactory needs host=<a member>")
        hours = kwargs.pop("hours")
        cohosts = kwargs.pop("cohosts")
        kwargs["cohost_emails"] = [*kwargs["cohost_emails"], *(user.email for user in cohosts)]
        starts_at = kwargs["starts_at"]
        details = services.EventDetails(ends_at=starts_at + timedelta(hours=hours), **kwargs)
        event = services.host_event(actor=actor_of(host), details=details)
        for user in cohosts:
            invitation = event.cohost_invitations.get(email=user.email)
            services.accept_cohost_invitation(actor=actor_of(user), invitation=invitation)
        return event
