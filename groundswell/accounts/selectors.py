"""Reads of accounts, as the actor may see them."""

import uuid

from django.utils import timezone

from groundswell.accounts.actors import Actor
from groundswell.accounts.models import DataExport
from groundswell.core.errors import NotFound


def latest_data_export(actor: Actor) -> DataExport | None:
    """The actor's own most recent archive that is still of use (being prepared, ready and
    unexpired, or failed): what My account shows. Nobody else's is ever looked up."""
    if actor.person is None:
        return None
    export = DataExport.objects.filter(person=actor.person).order_by("-requested_at", "-id").first()
    if export is None or export.is_expired():
        return None
    return export


def access_data_export(actor: Actor, export_uuid: object) -> DataExport:
    """A ready, unexpired archive of the actor's own, or NotFound. The same answer for an
    archive that is someone else's, expired, unready or made up, so a guessed id tells a
    visitor nothing; staff are no exception (the archive is for the person it is about)."""
    try:
        wanted = uuid.UUID(str(export_uuid))
    except ValueError:
        raise NotFound("We couldn't find that download. It may have expired.") from None
    export = (
        DataExport.objects.filter(
            uuid=wanted,
            person=actor.person,
            status=DataExport.Status.READY,
            expires_at__gt=timezone.now(),
        )
        .exclude(file_name="")
        .first()
        if actor.person is not None
        else None
    )
    if export is None:
        raise NotFound("We couldn't find that download. It may have expired.")
    return export
