"""Recording acts. Call `record` inside the transaction of the service that performs the act,
so that the act and its record commit or roll back together."""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models

from groundswell.activity.models import Activity, Initiator, Verb
from groundswell.core.channels import Channel
from groundswell.people.models import Person


def record(
    *,
    person: Person,
    verb: Verb,
    obj: models.Model | None = None,
    channel: Channel | int | None = None,
    referrer_id: int | None = None,
    initiator: Initiator = Initiator.MEMBER,
    at: datetime | None = None,
) -> Activity:
    """Append one act to the log.

    Without an explicit channel or referrer, the act is credited to how the person
    first came to us: a recruit's later acts count for the member who brought them.
    """
    if channel is None:
        channel = person.source_channel
    if referrer_id is None:
        referrer_id = person.recruited_by_id
    if referrer_id == person.pk:
        referrer_id = None
    values = {
        "person": person,
        "verb": verb,
        "channel": channel,
        "referrer_id": referrer_id,
        "initiator": initiator,
    }
    if obj is not None:
        values["object_type"] = ContentType.objects.get_for_model(obj)
        values["object_id"] = obj.pk
    if at is not None:
        values["occurred_at"] = at
    return Activity.objects.create(**values)
