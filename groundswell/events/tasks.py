from celery import shared_task

from groundswell.events import services


@shared_task
def send_event_reminders() -> int:
    return services.send_reminders()


@shared_task
def extend_repeating_events() -> int:
    return services.extend_series()
