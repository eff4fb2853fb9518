"""The messaging core: per-person rendering, idempotence, unsubscribes, failures."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client, override_settings
from django.utils import timezone

from groundswell.activity.models import Activity, Verb
from groundswell.messaging import services
from groundswell.messaging.models import Delivery, Message
from groundswell.people.models import EmailAddress, EmailStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def blast():
    return Message.objects.create(
        subject="Hello {{ given_name }}",
        body_text="Dear {{ given_name }}, <b>rally</b> on Saturday.\nUnsubscribe: {{ unsubscribe_url }}",
        body_html="<p>Dear {{ given_name }}</p><p><a href='{{ unsubscribe_url }}'>Unsubscribe</a></p>",
        kind=Message.Kind.BULK,
    )


def test_send_renders_per_person_and_never_twice(make_member, blast, django_capture_on_commit_callbacks):
    people = [make_member("Ann"), make_member("<Bo>")]
    ids = [u.person_id for u in people]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send(message=blast, person_ids=ids) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send(message=blast, person_ids=ids) == 0
    assert len(mail.outbox) == 2
    by_to = {m.to[0]: m for m in mail.outbox}
    ann = by_to[people[0].email]
    assert ann.subject == "Hello Ann"
    assert "<b>rally</b>" in ann.body  # plain text is not HTML-escaped
    bo_mail = by_to[people[1].email]
    assert isinstance(bo_mail, EmailMultiAlternatives)
    bo_html = str(bo_mail.alternatives[0][0])
    assert "&lt;Bo&gt;" in bo_html and "<Bo>" not in bo_html  # HTML is escaped
    assert ann.extra_headers["List-Unsubscribe"].startswith("<http")
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_bulk_skips_unsubscribed_but_transactional_does_not(
    member, blast, django_capture_on_commit_callbacks, actor
):
    email = EmailAddress.objects.get(address=member.email)
    services.change_subscription(email=email, subscribed=False, actor=actor(member))
    assert EmailAddress.objects.get(pk=email.pk).status == EmailStatus.UNSUBSCRIBED
    note = Message.objects.create(subject="Your RSVP", body_text="See you", kind=Message.Kind.TRANSACTIONAL)
    with django_capture_on_commit_callbacks(execute=True):
        services.send(message=blast, person_ids=[member.person_id])
        services.send(message=note, person_ids=[member.person_id])
    assert [m.subject for m in mail.outbox] == ["Your RSVP"]
    assert Delivery.objects.get(message=blast).status == Delivery.Status.SKIPPED


def test_a_claimed_delivery_is_not_sent_again(member, blast, django_capture_on_commit_callbacks):
    services.send(message=blast, person_ids=[member.person_id])  # not committed: nothing sent yet
    delivery = Delivery.objects.get()
    assert services.deliver_batch(delivery_ids=[delivery.pk]).counts() == {
        "sent": 1,
        "skipped": 0,
        "failed": 0,
        "put_back": 0,
    }
    assert services.deliver_batch(delivery_ids=[delivery.pk]).counts() == {
        "sent": 0,
        "skipped": 0,
        "failed": 0,
        "put_back": 0,
    }
    assert len(mail.outbox) == 1


def test_smtp_failure_requeues_then_fails_after_max_attempts(member, blast):
    services.send(message=blast, person_ids=[member.person_id])
    delivery = Delivery.objects.get()
    # Port 9 on loopback: nothing listens, the connection is refused.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_PORT=9):
        # Put back for the sweep after a backoff, not raised: the rest of a batch goes on.
        assert services.deliver_batch(delivery_ids=[delivery.pk]).put_back == 1
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == (Delivery.Status.QUEUED, 1)
        assert delivery.not_before is not None and delivery.not_before > timezone.now() + timedelta(
            seconds=20
        )
        Delivery.objects.filter(pk=delivery.pk).update(attempts=services.MAX_ATTEMPTS - 1)
        assert services.deliver_batch(delivery_ids=[delivery.pk]).failed == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED and delivery.error


def test_unsubscribe_link_asks_first_then_unsubscribes(member):
    email = member.person.email_addresses.get()
    url = services.unsubscribe_url(email).removeprefix("http://127.0.0.1:8000")
    client = Client(enforce_csrf_checks=True)
    page = client.get(url)
    assert page.status_code == 200 and member.email in page.content.decode()
    email.refresh_from_db()
    assert email.status == EmailStatus.SUBSCRIBED  # link scanners GET; they must not unsubscribe
    # The one-click POST a mail client sends (RFC 8058), with no CSRF token.
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    email.refresh_from_db()
    assert email.status == EmailStatus.UNSUBSCRIBED
    assert Activity.objects.filter(person=member.person, verb=Verb.UNSUBSCRIBED).count() == 1
    client.post(url)  # twice is harmless
    assert Activity.objects.filter(person=member.person, verb=Verb.UNSUBSCRIBED).count() == 1


def test_a_forged_unsubscribe_link_is_refused(member):
    response = Client().post("/unsubscribe/not-a-real-token/")
    assert response.status_code == 404
    assert "not valid" in response.content.decode()
    assert member.person.email_addresses.get().status == EmailStatus.SUBSCRIBED


def test_a_join_survives_a_mail_outage_and_the_sweep_sends_later(django_capture_on_commit_callbacks):
    from groundswell.accounts.actors import ANONYMOUS
    from groundswell.network.services import join

    # SMTP refuses (port 9); jobs run in-process: the failure must not reach the member.
    smtp_down = override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_PORT=9)
    with smtp_down, django_capture_on_commit_callbacks(execute=True):
        result = join(actor=ANONYMOUS, email="outage@example.org", given_name="Olga", postal_code="10001")
    delivery = Delivery.objects.get(person=result.person)
    assert (delivery.status, delivery.attempts) == (Delivery.Status.QUEUED, 1)
    assert services.requeue_stale(older_than=timedelta(minutes=5)) == 0  # too fresh to sweep
    assert services.requeue_stale(older_than=timedelta(0)) == 0  # still waiting out its backoff
    Delivery.objects.filter(pk=delivery.pk).update(not_before=timezone.now() - timedelta(seconds=1))
    assert services.requeue_stale(older_than=timedelta(0)) == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert mail.outbox[0].to == ["outage@example.org"]


def test_subjects_are_not_html_escaped(make_member, django_capture_on_commit_callbacks):
    person = make_member("Seán").person
    person.given_name = "Seán O'Brien & <Co>"
    person.save(update_fields=["given_name"])
    message = Message.objects.create(
        subject="Hi {{ given_name }}", body_text="x", kind=Message.Kind.TRANSACTIONAL
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.send(message=message, person_ids=[person.pk])
    assert mail.outbox[0].subject == "Hi Seán O'Brien & <Co>"


def test_a_broken_template_fails_its_delivery_cleanly(member):
    broken = Message.objects.create(subject="Hi {% if %}", body_text="x", kind=Message.Kind.TRANSACTIONAL)
    services.send(message=broken, person_ids=[member.person_id])
    delivery = Delivery.objects.get()
    assert services.deliver_batch(delivery_ids=[delivery.pk]).failed == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED and delivery.error.startswith("rendering")


def test_the_sweep_reclaims_deliveries_a_dead_worker_held(member, blast):
    services.send(message=blast, person_ids=[member.person_id])
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENDING,
        claimed_at=timezone.now() - timedelta(hours=1),
        created_at=timezone.now() - timedelta(hours=1),
    )
    assert services.requeue_stale() == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert len(mail.outbox) == 1
