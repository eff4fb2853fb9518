"""Replies sent to one thread at the same moment take distinct numbers (threads, PostgreSQL):
a barrier releases every thread at once, each on its own connection, as in
tests/test_concurrent_rsvps.py."""

import threading

import pytest
from django.db import connection

from groundswell.conversations import services
from groundswell.conversations.models import Post, Thread
from groundswell.conversations.tests.helpers import actor_of, add_member, make_group, start
from tests.services import require_postgres

THREADS = 30


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_thirty_replies_at_once_get_distinct_numbers(make_member, settings):
    require_postgres()
    settings.GROUNDSWELL_RATE_LIMITS = {**settings.GROUNDSWELL_RATE_LIMITS, "post": ""}
    leader = make_member("Lena")
    group = make_group(leader)
    add_member(group, leader, "leader")
    members = [make_member(f"M{i}") for i in range(5)]
    for user in members:
        add_member(group, user)
    thread = start(leader, group)
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def go(i: int) -> None:
        try:
            barrier.wait()
            services.reply(actor=actor_of(members[i % 5]), thread=thread, raw=f"reply {i}")
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=go, args=(i,)) for i in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    numbers = sorted(Post.objects.filter(thread=thread).values_list("number", flat=True))
    assert numbers == list(range(1, THREADS + 2))
    assert Thread.objects.get(pk=thread.pk).post_count == THREADS + 1
