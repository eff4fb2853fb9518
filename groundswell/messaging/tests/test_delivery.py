"""Delivery against a real SMTP server that refuses some addresses: one failing address is
put back on its own while the rest of its batch goes; a retried batch finishes what a
database failure interrupted without sending anything twice; the sweep's timing."""

import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from email.message import Message as EmailMessage

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from groundswell.messaging import services
from groundswell.messaging.models import Delivery, Message

pytestmark = pytest.mark.django_db


class FussyServer:
    """Takes every message, except to the addresses it is told to refuse (with that reply)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content))
        return "250 OK"

    def sent_to(self) -> list[str]:
        return sorted(str(m["To"]) for m in self.messages)


@pytest.fixture
def fussy_smtp() -> Iterator[FussyServer]:
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = FussyServer()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
        ):
            yield handler
    finally:
        controller.stop()


@pytest.fixture
def note() -> Message:
    return Message.objects.create(
        subject="Hi {{ given_name }}", body_text="x", kind=Message.Kind.TRANSACTIONAL
    )


def _queued(make_member, note: Message, names: list[str]) -> list[Delivery]:
    people = [make_member(name) for name in names]
    services.send(message=note, person_ids=[u.person_id for u in people])  # not committed: not sent
    by_person = {d.person_id: d for d in Delivery.objects.all()}
    return [by_person[u.person_id] for u in people]


def _address(delivery: Delivery) -> str:
    return delivery.person.email_addresses.get().address


def test_one_refused_address_is_put_back_alone_and_the_batch_goes_on(make_member, note, fussy_smtp):
    ann, bo, cy = _queued(make_member, note, ["Ann", "Bo", "Cy"])
    fussy_smtp.refuse[_address(bo)] = "451 4.2.1 Mailbox busy, try later"

    outcome = services.deliver_batch(delivery_ids=[ann.pk, bo.pk, cy.pk])

    assert (outcome.sent, outcome.put_back, outcome.failed) == (2, 1, 0)
    assert len(fussy_smtp.messages) == 2  # Cy was not held back by Bo
    bo.refresh_from_db()
    assert (bo.status, bo.attempts) == (Delivery.Status.QUEUED, 1)
    assert "Mailbox busy" in bo.error
    # Waits out its backoff: the sweep leaves it until then, and then sends only it.
    assert bo.not_before is not None
    assert timedelta(seconds=25) < bo.not_before - timezone.now() <= services.backoff(1)
    assert services.requeue_stale() == 0
    del fussy_smtp.refuse[bo.email_address]
    Delivery.objects.filter(pk=bo.pk).update(not_before=timezone.now())
    assert services.requeue_stale() == 1
    bo.refresh_from_db()
    assert bo.status == Delivery.Status.SENT
    assert len(fussy_smtp.messages) == 3  # nobody twice


def test_a_permanent_refusal_fails_at_once(make_member, note, fussy_smtp):
    (ann,) = _queued(make_member, note, ["Ann"])
    fussy_smtp.refuse[_address(ann)] = "550 5.1.1 No such user"
    assert services.deliver_batch(delivery_ids=[ann.pk]).failed == 1
    ann.refresh_from_db()
    assert (ann.status, ann.attempts) == (Delivery.Status.FAILED, 1)


def test_an_unreachable_server_defers_the_rest_of_the_batch_without_counting_them(make_member, note):
    deliveries = _queued(make_member, note, ["Ann", "Bo", "Cy", "Di"])
    # Port 9 on loopback: nothing listens, the connection is refused.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_PORT=9):
        outcome = services.deliver_batch(delivery_ids=[d.pk for d in deliveries])
    assert outcome.put_back == 2
    rows = {d.pk: d for d in Delivery.objects.all()}
    tried, waiting = [rows[d.pk] for d in deliveries[:2]], [rows[d.pk] for d in deliveries[2:]]
    now = timezone.now()
    assert [d.attempts for d in tried] == [1, 1]
    # Not tried: no attempt counted against them, but they wait for the server as well.
    assert [d.attempts for d in waiting] == [0, 0]
    assert all(d.status == Delivery.Status.QUEUED and (d.not_before or now) > now for d in waiting)


def test_a_retry_records_what_was_sent_before_the_database_failed_and_never_sends_it_again(make_member, note):
    ann, bo = _queued(make_member, note, ["Ann", "Bo"])
    claimed_at = timezone.now() - timedelta(seconds=3)
    Delivery.objects.filter(pk=ann.pk).update(status=Delivery.Status.SENDING, claimed_at=claimed_at)
    address = _address(ann)

    outcome = services.deliver_batch(
        delivery_ids=[bo.pk], unrecorded=[(ann.pk, claimed_at.isoformat(), address)]
    )

    assert outcome.sent == 2
    assert [m.to for m in mail.outbox] == [[_address(bo)]]  # Ann not again
    ann.refresh_from_db()
    assert (ann.status, ann.email_address) == (Delivery.Status.SENT, address)


def test_a_retry_takes_back_its_own_claim_but_not_someone_elses(make_member, note):
    ann, bo = _queued(make_member, note, ["Ann", "Bo"])
    mine, theirs = timezone.now() - timedelta(seconds=5), timezone.now() - timedelta(seconds=1)
    Delivery.objects.filter(pk=ann.pk).update(status=Delivery.Status.SENDING, claimed_at=mine)
    Delivery.objects.filter(pk=bo.pk).update(status=Delivery.Status.SENDING, claimed_at=theirs)

    outcome = services.deliver_batch(
        delivery_ids=[ann.pk, bo.pk],
        held=[(ann.pk, mine.isoformat()), (bo.pk, (theirs - timedelta(seconds=9)).isoformat())],
    )

    assert outcome.sent == 1
    assert [m.to for m in mail.outbox] == [[_address(ann)]]
    bo.refresh_from_db()
    assert bo.status == Delivery.Status.SENDING  # another worker's: left to it


def test_the_sweep_reclaims_deliveries_abandoned_two_minutes_ago(make_member, note):
    ann, bo, cy = _queued(make_member, note, ["Ann", "Bo", "Cy"])
    now = timezone.now()
    Delivery.objects.filter(pk=ann.pk).update(
        status=Delivery.Status.SENDING, claimed_at=now - timedelta(seconds=90)
    )
    Delivery.objects.filter(pk=bo.pk).update(
        status=Delivery.Status.SENDING, claimed_at=now - timedelta(seconds=150)
    )
    Delivery.objects.filter(pk=cy.pk).update(created_at=now - timedelta(minutes=10))

    # Bo (taken 150 s ago, never finished) and Cy (never handed to the broker); Ann's
    # worker may still be sending hers.
    assert services.requeue_stale() == 2

    rows = {d.pk: d.status for d in Delivery.objects.all()}
    assert rows == {ann.pk: Delivery.Status.SENDING, bo.pk: Delivery.Status.SENT, cy.pk: Delivery.Status.SENT}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([_address(bo), _address(cy)])
