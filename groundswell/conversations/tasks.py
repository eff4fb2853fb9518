"""Conversations' background work: an image's variants, a link's card (here), a post's
email to those who chose "every post" and the daily digests (`notifications`, imported here
so the worker finds them). Each is safe to run twice."""

from celery import shared_task

from groundswell.conversations.notifications import notify_post, send_daily_digests  # noqa: F401
from groundswell.conversations.services import media


@shared_task
def make_variants(media_id: int) -> str | None:
    item = media.make_variants(media_id)
    return item.status if item is not None else None


@shared_task
def fetch_card(card_id: int) -> str | None:
    card = media.fetch_card(card_id)
    return card.status if card is not None else None
