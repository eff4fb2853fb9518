"""How the events app logs its acts: each with the event as its object, the date or shift
it was about, and the event's campaign as its context, so the analytics can read a
campaign's acts or one meeting of a series without joining back to events."""

from groundswell.accounts.actors import Actor
from groundswell.activity.models import Activity, Initiator, ObjectKind, Verb
from groundswell.activity.services import Act, record_act
from groundswell.core.channels import Channel
from groundswell.events.models import Event, Shift
from groundswell.people.models import Person


def record_event_act(
    *,
    person: Person | int,
    verb: Verb,
    event: Event,
    actor: Actor | None = None,
    shift: Shift | None = None,
    channel: Channel | int = Channel.DIRECT,
    referrer_id: int | None = None,
    initiator: Initiator | None = None,
) -> Activity:
    """`actor`: who did it, when not the person themselves (a host checking them in)."""
    person_id = person if isinstance(person, int) else person.pk
    actor_id: int | None
    if actor is None:
        actor_id, who = person_id, Initiator.MEMBER
    else:
        actor_id, who = actor.person_id, actor.initiator
    return record_act(
        Act(
            person_id=person_id,
            verb=verb,
            object_kind=ObjectKind.EVENT,
            object_id=event.pk,
            slot_id=shift.pk if shift is not None else None,
            context_kind=ObjectKind.CAMPAIGN if event.campaign_id else None,
            context_id=event.campaign_id,
            channel=channel,
            referrer_id=referrer_id,
            actor_id=actor_id,
            initiator=initiator if initiator is not None else who,
        )
    )
