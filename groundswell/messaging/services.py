"""The messaging core: every email Groundswell sends to people goes through `send`.

`send` records one Delivery per (message, person), which makes sending
idempotent: asking twice never mails anyone twice. Delivery happens on the
background queue after the transaction commits; each delivery is claimed with a
conditional UPDATE, so two workers handed the same batch cannot both send it.
"""

import logging
import smtplib
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template import engines
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from groundswell.activity.models import Verb
from groundswell.activity.services import record
from groundswell.core.channels import Channel
from groundswell.core.errors import NotFound
from groundswell.messaging.models import Delivery, Message
from groundswell.people.models import EmailAddress, EmailStatus, Person
from groundswell.people.services import primary_email, set_email_status

log = logging.getLogger(__name__)

BATCH_SIZE = 200
MAX_ATTEMPTS = 5
UNSUBSCRIBE_SALT = "groundswell.unsubscribe"


def send(*, message: Message, person_ids: Iterable[int], context: dict[int, dict] | None = None) -> int:
    """Queue `message` for these people. Returns how many deliveries are waiting to go.

    People who already have a delivery of this message are left alone. The
    deliveries go to the background queue once the caller's transaction commits.
    """
    context = context or {}
    ids = sorted(set(person_ids))
    # No savepoint: nothing here is caught and retried, and joins call this on their hot path.
    with transaction.atomic(savepoint=False):
        # ignore_conflicts: whoever already has this message (or gets it concurrently) is skipped.
        Delivery.objects.bulk_create(
            [Delivery(message=message, person_id=pid, context=context.get(pid, {})) for pid in ids],
            batch_size=1000,
            ignore_conflicts=True,
        )
        queued = list(
            Delivery.objects.filter(
                message=message, person_id__in=ids, status=Delivery.Status.QUEUED
            ).values_list("id", flat=True)
        )
        transaction.on_commit(lambda: enqueue(queued))
    return len(queued)


def enqueue(delivery_ids: list[int]) -> None:
    """Hand deliveries to the workers. If the broker is down, they stay queued in the
    database (the Delivery rows are the outbox) and `requeue_stale` picks them up later:
    a person's join or RSVP never fails because mail cannot be queued right now."""
    from groundswell.messaging.tasks import deliver_batch

    try:
        for start in range(0, len(delivery_ids), BATCH_SIZE):
            deliver_batch.delay(delivery_ids[start : start + BATCH_SIZE])
    except Exception:
        log.exception("could not enqueue %s deliveries; they stay queued", len(delivery_ids))


def requeue_stale(
    *, older_than: timedelta = timedelta(minutes=5), stuck_after: timedelta = timedelta(minutes=30)
) -> int:
    """Enqueue deliveries still queued after `older_than` (the broker was down when they
    were made), and reclaim those a worker took more than `stuck_after` ago without
    finishing (it died mid-batch). Claiming makes a duplicate in the queue harmless."""
    now = timezone.now()
    Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=now - stuck_after).update(
        status=Delivery.Status.QUEUED
    )
    stale = list(
        Delivery.objects.filter(status=Delivery.Status.QUEUED, created_at__lt=now - older_than).values_list(
            "id", flat=True
        )[:50_000]
    )
    enqueue(stale)
    return len(stale)


def deliver_batch(*, delivery_ids: list[int]) -> dict[str, int]:
    """Send the queued deliveries among these ids over one SMTP connection.

    Returns counts by outcome. A transient SMTP failure puts the delivery back in
    the queue and re-raises, so the task retries; after MAX_ATTEMPTS it fails.
    """
    outcome = {"sent": 0, "skipped": 0, "failed": 0}
    connection = get_connection()
    try:
        for delivery_id in delivery_ids:
            result = _deliver_one(delivery_id, connection)
            if result:
                outcome[result] += 1
    finally:
        connection.close()
    return outcome


def _claim(delivery_id: int) -> bool:
    return bool(
        Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.SENDING, claimed_at=timezone.now()
        )
    )


def _finish(delivery: Delivery, status: Delivery.Status, *, error: str = "", address: str = "") -> None:
    delivery.status = status
    delivery.error = error[:500]
    delivery.email_address = address
    delivery.sent_at = timezone.now() if status == Delivery.Status.SENT else None
    delivery.save(update_fields=["status", "error", "email_address", "sent_at"])


def _deliver_one(delivery_id: int, connection: object) -> str | None:
    if not _claim(delivery_id):
        return None  # sent, skipped, or being sent by another worker
    delivery = Delivery.objects.select_related("message__author", "person").get(pk=delivery_id)
    message, person = delivery.message, delivery.person
    email = primary_email(person)
    if email is None:
        _finish(delivery, Delivery.Status.SKIPPED, error="no email address")
        return "skipped"
    if message.honours_unsubscribe and email.status != EmailStatus.SUBSCRIBED:
        _finish(
            delivery,
            Delivery.Status.SKIPPED,
            error=f"address {email.status}",
            address=email.address,
        )
        return "skipped"
    try:
        mail = render_email(message, person, email, delivery.context, connection=connection)
    except Exception as error:  # a broken template: retrying cannot help
        log.exception("could not render delivery %s", delivery.pk)
        _finish(delivery, Delivery.Status.FAILED, error=f"rendering: {error}", address=email.address)
        return "failed"
    try:
        mail.send()
    except (smtplib.SMTPException, OSError) as error:
        delivery.attempts += 1
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.save(update_fields=["attempts"])
            _finish(delivery, Delivery.Status.FAILED, error=str(error), address=email.address)
            return "failed"
        delivery.status = Delivery.Status.QUEUED
        delivery.save(update_fields=["attempts", "status"])
        raise
    _finish(delivery, Delivery.Status.SENT, address=email.address)
    return "sent"


def render_email(
    message: Message, person: Person, email: EmailAddress, extra: dict, *, connection: object = None
) -> EmailMultiAlternatives:
    """The email this person receives: subject and bodies rendered for them, with a
    one-click unsubscribe link in the body and in the List-Unsubscribe headers."""
    unsubscribe = unsubscribe_url(email)
    context = {
        "site_name": settings.SITE_NAME,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "display_name": person.display_name,
        "unsubscribe_url": unsubscribe,
        **extra,
    }
    if not message.is_template:
        return _literal_email(message, email, unsubscribe, connection)
    engine = engines["django"]
    # Subjects and plain text are not HTML: render them without escaping.
    subject = " ".join(
        engine.from_string("{% autoescape off %}" + message.subject + "{% endautoescape %}")
        .render(context)
        .split()
    )
    text = engine.from_string("{% autoescape off %}" + message.body_text + "{% endautoescape %}").render(
        context
    )
    mail = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
        to=[email.address],
        reply_to=[message.reply_to] if message.reply_to else None,
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        connection=connection,
    )
    if message.body_html:
        mail.attach_alternative(engine.from_string(message.body_html).render(context), "text/html")
    return mail


def _literal_email(
    message: Message, email: EmailAddress, unsubscribe: str, connection: object
) -> EmailMultiAlternatives:
    """A message someone wrote, sent as written, with a footer saying who wrote it and why
    the reader has it, the unsubscribe link, and the one-click unsubscribe headers."""
    footer = [settings.SITE_NAME]
    if message.author_id is not None:
        author = message.author.short_name if message.author else "A member"
        about = f" of {message.about}" if message.about else ""
        footer = [
            f"{author}, a host{about}, wrote this through {settings.SITE_NAME}.",
            "You're getting it because you RSVP'd or were checked in.",
        ]
    body = f"{message.body_text.rstrip()}\n\n--\n" + "\n".join(footer) + f"\nUnsubscribe: {unsubscribe}\n"
    return EmailMultiAlternatives(
        subject=" ".join(message.subject.split()),
        body=body,
        from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
        to=[email.address],
        reply_to=[message.reply_to] if message.reply_to else None,
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        connection=connection,
    )


def unsubscribe_token(email: EmailAddress) -> str:
    return signing.dumps(email.pk, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(email: EmailAddress) -> str:
    path = reverse("messaging:unsubscribe", kwargs={"token": unsubscribe_token(email)})
    return f"{settings.SITE_URL}{path}"


def email_for_token(token: str) -> EmailAddress:
    try:
        email_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise NotFound(
            "This unsubscribe link is not valid. Please use the link from your latest email."
        ) from None
    email = EmailAddress.objects.select_related("person").filter(pk=email_id).first()
    if email is None:
        raise NotFound("This address is no longer on our list.")
    return email


@transaction.atomic
def unsubscribe(*, token: str) -> EmailAddress:
    """Unsubscribe the address the token was made for (one click, no sign-in)."""
    email = email_for_token(token)
    if email.status == EmailStatus.SUBSCRIBED:
        email = set_email_status(address=email.address, status=EmailStatus.UNSUBSCRIBED)
        record(person=email.person, verb=Verb.UNSUBSCRIBED, channel=Channel.EMAIL)
    return email


def system_message(key: str, *, template: str) -> Message:
    """The system's own message `key`, made from templates/messaging/<template>*.{txt,html} once."""
    message = Message.objects.filter(key=key).first()
    if message is not None:
        return message

    def source(name: str) -> str:
        return get_template(f"messaging/{name}").template.source  # type: ignore[attr-defined]

    message, _ = Message.objects.get_or_create(
        key=key,
        defaults={
            "kind": Message.Kind.TRANSACTIONAL,
            "subject": source(f"{template}_subject.txt").strip(),
            "body_text": source(f"{template}.txt"),
            "body_html": source(f"{template}.html"),
        },
    )
    return message


def send_welcome(*, person: Person, hub_url: str, share_url: str) -> int:
    welcome = system_message("welcome", template="welcome")
    return send(
        message=welcome,
        person_ids=[person.pk],
        context={person.pk: {"hub_url": hub_url, "share_url": share_url}},
    )
