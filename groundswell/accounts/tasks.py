"""Background tasks of accounts: each calls one service and is safe to run twice."""

from celery import shared_task

from groundswell.accounts import services


@shared_task
def remove_expired_data_exports() -> int:
    """Delete the copies of people's data past their seven days (run daily by beat)."""
    return services.remove_expired_data_exports()
