"""Background tasks of the pages that span apps: each takes ids and calls one service."""

from celery import shared_task

from groundswell.web.my_account import services


@shared_task
def build_data_export(export_id: int) -> None:
    """Build a member's copy of their data (safe to run twice: a built one is left alone)."""
    services.build_data_export(export_id=export_id)
