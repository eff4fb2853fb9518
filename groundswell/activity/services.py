"""Recording acts. Call `record` inside the transaction of the service that performs the act,
so that the act and its record commit or roll back together; `record_many` writes many
acts in one statement per batch (imports, the demo, a blast's deliveries)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.db import models
from django.utils import timezone

from groundswell.activity.models import MODEL_KINDS, Activity, Detail, Initiator, ObjectKind, Verb
from groundswell.core.channels import Channel
from groundswell.people.models import Person

BATCH_SIZE = 2000


class ActingAs(Protocol):
    """Who did an act, as the log needs it (accounts.actors.Actor is one)."""

    @property
    def person_id(self) -> int | None: ...

    @property
    def initiator(self) -> Initiator: ...


def kind_of(obj: models.Model) -> ObjectKind:
    return MODEL_KINDS[obj._meta.label_lower]


@dataclass
class Act:
    """One act to record, for `record_many` (and what `record` builds)."""

    person_id: int
    verb: Verb
    occurred_at: datetime | None = None
    object_kind: ObjectKind | None = None
    object_id: int | None = None
    slot_id: int | None = None
    context_kind: ObjectKind | None = None
    context_id: int | None = None
    detail: Detail | None = None
    channel: Channel | int = Channel.DIRECT
    referrer_id: int | None = None
    actor_id: int | None = None
    initiator: Initiator = Initiator.MEMBER

    def row(self, now: datetime) -> Activity:
        referrer = None if self.referrer_id == self.person_id else self.referrer_id
        return Activity(
            person_id=self.person_id,
            verb=self.verb,
            occurred_at=self.occurred_at or now,
            object_kind=self.object_kind,
            object_id=self.object_id,
            slot_id=self.slot_id,
            context_kind=self.context_kind,
            context_id=self.context_id,
            detail=self.detail,
            channel=self.channel,
            referrer_id=referrer,
            actor_id=self.actor_id,
            initiator=self.initiator,
        )


def record(
    *,
    person: Person,
    verb: Verb,
    obj: models.Model | None = None,
    actor: ActingAs | None = None,
    channel: Channel | int | None = None,
    referrer_id: int | None = None,
    initiator: Initiator | None = None,
    slot_id: int | None = None,
    context: models.Model | None = None,
    detail: Detail | None = None,
    at: datetime | None = None,
) -> Activity:
    """Append one act to the log.

    `actor`: who did it, when that is not simply the person themselves (a host checking
    someone in, an organizer approving); the initiator follows from it unless given.
    `channel` and `referrer_id` are this act's own (the link it came through): without
    them the act came directly and credits nobody.
    """
    if actor is not None:
        actor_id = actor.person_id
        initiator = initiator if initiator is not None else actor.initiator
    else:
        actor_id = person.pk
        initiator = initiator if initiator is not None else Initiator.MEMBER
    act = Act(
        person_id=person.pk,
        verb=verb,
        occurred_at=at,
        object_kind=kind_of(obj) if obj is not None else None,
        object_id=obj.pk if obj is not None else None,
        slot_id=slot_id,
        context_kind=kind_of(context) if context is not None else None,
        context_id=context.pk if context is not None else None,
        detail=detail,
        channel=Channel.DIRECT if channel is None else channel,
        referrer_id=referrer_id,
        actor_id=actor_id,
        initiator=initiator,
    )
    return record_act(act)


def record_act(act: Act) -> Activity:
    """Append one act built by the caller (an app that knows its own context, say)."""
    row = act.row(timezone.now())
    row.save(force_insert=True)
    return row


def record_many(acts: Iterable[Act], *, batch_size: int = BATCH_SIZE) -> int:
    """Append many acts, one INSERT per batch; returns how many."""
    now = timezone.now()
    total = 0
    batch: list[Activity] = []
    for act in acts:
        batch.append(act.row(now))
        if len(batch) >= batch_size:
            total += len(Activity.objects.bulk_create(batch))
            batch = []
    if batch:
        total += len(Activity.objects.bulk_create(batch))
    return total
