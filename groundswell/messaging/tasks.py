"""Background tasks: each takes ids and calls one service; safe to run twice."""

import smtplib

from celery import shared_task

from groundswell.messaging import services


@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=services.MAX_ATTEMPTS,
)
def deliver_batch(delivery_ids: list[int]) -> dict[str, int]:
    return services.deliver_batch(delivery_ids=delivery_ids)


@shared_task
def requeue_stale_deliveries() -> int:
    return services.requeue_stale()
