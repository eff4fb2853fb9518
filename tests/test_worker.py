"""The welcome email through a real Celery worker, a real Redis and a real SMTP server."""

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.db import connection

from groundswell.messaging.models import Delivery
from tests.services import require_postgres, require_redis

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
JOIN_SCRIPT = """
import django
django.setup()
from groundswell.accounts.actors import ANONYMOUS
from groundswell.network.services import join
join(actor=ANONYMOUS, email="wendy@example.org", given_name="Wendy", postal_code="10001", email_consent=True)
"""


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_welcome_email_goes_through_a_real_worker(smtp_server):
    require_postgres()
    require_redis(REDIS)
    sink, port = smtp_server
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": REDIS,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "SITE_URL": "http://groundswell.test",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "-Q",
            queue,
            "--loglevel",
            "INFO",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # The join runs in its own process, configured like a production web server (a
    # broker, no eager tasks): it enqueues, the worker delivers.
    web = subprocess.run(
        [sys.executable, "-c", JOIN_SCRIPT],
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    try:
        assert web.returncode == 0, web.stderr
        deadline = time.monotonic() + 60
        while not sink.messages and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert sink.messages, f"the worker did not deliver the welcome email:\n{output}"
    mail = sink.messages[0]
    assert mail["To"] == "wendy@example.org"
    assert "Welcome" in mail["Subject"]
    assert mail["List-Unsubscribe"].strip().startswith("<http://groundswell.test/unsubscribe/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    delivery = Delivery.objects.get(person__email_addresses__address="wendy@example.org")
    assert delivery.status == Delivery.Status.SENT, output
    assert "deliver_batch" in output


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_join_succeeds_while_the_broker_is_down():
    require_postgres()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",  # nothing listens there
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    started = time.monotonic()
    web = subprocess.run(
        [sys.executable, "-c", JOIN_SCRIPT], env=env, capture_output=True, text=True, timeout=120
    )
    assert web.returncode == 0, web.stderr
    assert time.monotonic() - started < 30
    delivery = Delivery.objects.get(person__email_addresses__address="wendy@example.org")
    assert delivery.status == Delivery.Status.QUEUED  # waiting in the outbox for the sweep
