"""Background tasks: each takes ids and calls one service; safe to run twice."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from groundswell.messaging import services

log = logging.getLogger(__name__)

# Seconds before each retry of a batch the database interrupted. A restart or a failover is
# over in seconds; after about two minutes in all the sweep takes over. Each is shorter than
# the broker's visibility timeout, so a waiting retry is never handed to a second worker.
DATABASE_RETRY_DELAYS = (1, 2, 4, 8, 15, 30, 30, 30)


@shared_task(
    bind=True,
    # The service hands back a database error met while sending; this catches one outside
    # any delivery (marking a batch's backoff), retrying the same ids: claims make it safe.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=30,
    max_retries=len(DATABASE_RETRY_DELAYS),
)
def deliver_batch(
    self,
    delivery_ids: list[int],
    held: list[tuple[int, str]] | None = None,
    unrecorded: list[tuple[int, str, str]] | None = None,
) -> dict[str, int]:
    """Send a batch. A transient mail-server failure is put back per delivery by the service
    (the sweep retries it); a database failure retries this task with only what is left,
    carrying what the database could not be told (claims held, mail sent but not marked)."""
    outcome = services.deliver_batch(delivery_ids=delivery_ids, held=held or (), unrecorded=unrecorded or ())
    if outcome.interrupted:
        retries = self.request.retries
        if retries >= len(DATABASE_RETRY_DELAYS):
            # Left to the sweep: queued ones are sent, claimed ones reclaimed; those sent but
            # never marked will go a second time.
            log.error(
                "database still failing after %s retries (%s); left for the sweep: %s to send, "
                "%s claimed, %s sent but not recorded",
                retries,
                outcome.interrupted,
                len(outcome.remaining),
                len(outcome.held),
                len(outcome.unrecorded),
            )
            return outcome.counts()
        log.warning("database error mid-batch, retrying what is left: %s", outcome.interrupted)
        raise self.retry(
            args=[outcome.remaining],
            kwargs={"held": outcome.held, "unrecorded": outcome.unrecorded},
            countdown=DATABASE_RETRY_DELAYS[retries],
        )
    return outcome.counts()


@shared_task
def requeue_stale_deliveries() -> int:
    return services.requeue_stale(stuck_after=timedelta(seconds=settings.DELIVERY_STUCK_AFTER))
