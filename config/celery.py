"""The Celery application. Workers start with `celery -A config worker`, the scheduler with
`celery -A config beat`."""

import os
from typing import Any

from celery import Celery
from celery.signals import beat_init, worker_init
from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("groundswell")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@beat_init.connect
def refuse_insecure_production(**kwargs: Any) -> None:
    """A worker or beat with DEBUG off refuses the development key and an unset SITE_URL
    (config/safety.py). Checked when they start, not on import: this module is imported
    wherever Django is (config/__init__.py), tests and type checks included."""
    from config.safety import refuse_insecure_production as refuse

    try:
        refuse()
    except ImproperlyConfigured as error:
        # Celery logs an exception from a signal handler and carries on; SystemExit stops it.
        raise SystemExit(f"groundswell: {error}") from None
