"""The messaging core: every email Groundswell sends to people goes through `send`.

`send` records one Delivery per (message, person), which makes sending
idempotent: asking twice never mails anyone twice. Delivery happens on the
background queue after the transaction commits; each delivery is claimed with a
conditional UPDATE, so two workers handed the same batch cannot both send it.
"""

import contextlib
import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.template import engines
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from groundswell.accounts.actors import SYSTEM, Actor
from groundswell.activity.models import Verb
from groundswell.activity.services import record
from groundswell.core.channels import Channel
from groundswell.core.errors import NotFound, PermissionDenied
from groundswell.messaging.models import Delivery, Message, Suppression
from groundswell.people.models import Consent, EmailAddress, EmailStatus, Person
from groundswell.people.services import primary_email, touch

log = logging.getLogger(__name__)

BATCH_SIZE = 200
MAX_ATTEMPTS = 5
UNSUBSCRIBE_SALT = "groundswell.unsubscribe"
DECLINE_SALT = "groundswell.decline"


def send(
    *,
    message: Message,
    person_ids: Iterable[int],
    context: dict[int, dict] | None = None,
    new_people: bool = False,
) -> int:
    """Queue `message` for these people. Returns how many deliveries are waiting to go.

    People who already have a delivery of this message are left alone. The
    deliveries go to the background queue once the caller's transaction commits.

    `new_people`: the people were made in the caller's transaction, so none can have a
    delivery yet: the INSERT returns the ids, with no look-up after it (the join's hot path).
    """
    context = context or {}
    ids = sorted(set(person_ids))
    rows = [Delivery(message=message, person_id=pid, context=context.get(pid, {})) for pid in ids]
    # No savepoint: nothing here is caught and retried, and joins call this on their hot path.
    with transaction.atomic(savepoint=False):
        if new_people:
            queued = [delivery.pk for delivery in Delivery.objects.bulk_create(rows, batch_size=1000)]
        else:
            # ignore_conflicts: whoever already has this message (or gets it concurrently) is skipped.
            Delivery.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
            queued = list(
                Delivery.objects.filter(
                    message=message, person_id__in=ids, status=Delivery.Status.QUEUED
                ).values_list("id", flat=True)
            )
        transaction.on_commit(lambda: enqueue(queued))
    return len(queued)


def check_member_mail_cap(author: Person, *, as_a: str = "member") -> None:
    """The day's cap on mail a member writes (`HOST_MESSAGES_PER_DAY`, counted over every
    member-written message: to attendees, signers, a group), checked under a lock on the
    author so messages sent at once cannot all pass it. Call it inside the transaction that
    creates the message; the caller skips it for staff."""
    Person.objects.select_for_update().filter(pk=author.pk).values_list("pk", flat=True).first()
    since = timezone.now() - timedelta(days=1)
    sent_today = Message.objects.filter(author=author, created_at__gte=since).count()
    if sent_today >= settings.HOST_MESSAGES_PER_DAY:
        raise PermissionDenied(
            f"You've sent {sent_today} messages today, the most a {as_a} can send in a day. "
            "Please try again tomorrow, or ask an organizer."
        )


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
    *, older_than: timedelta = timedelta(minutes=5), stuck_after: timedelta = timedelta(minutes=2)
) -> int:
    """The outbox sweep (celery beat, every minute). Reclaims deliveries a worker took more
    than `stuck_after` ago without finishing (it was killed mid-send: each delivery is
    claimed just before its own send, so two minutes is long past any one send), and
    enqueues what is waiting: deliveries still queued `older_than` after they were made (the
    broker was down then), and those put back after a failed attempt whose backoff is over.

    What it enqueues it leaves alone for `older_than` (`not_before`), so a delivery waiting
    its turn behind a big send is not queued again every minute. Claiming makes a duplicate
    in the queue harmless. Returns how many deliveries were enqueued."""
    now = timezone.now()
    reclaimed = Delivery.objects.filter(
        status=Delivery.Status.SENDING, claimed_at__lt=now - stuck_after
    ).update(status=Delivery.Status.QUEUED, not_before=now)
    if reclaimed:
        log.warning("reclaimed %s deliveries a worker took but never finished", reclaimed)
    due = Delivery.objects.filter(status=Delivery.Status.QUEUED).filter(
        Q(not_before__isnull=True, created_at__lt=now - older_than) | Q(not_before__lte=now)
    )
    stale = list(due.order_by("id").values_list("id", flat=True)[:50_000])
    Delivery.objects.filter(pk__in=stale, status=Delivery.Status.QUEUED).update(not_before=now + older_than)
    enqueue(stale)
    return len(stale)


@dataclass
class BatchOutcome:
    """What `deliver_batch` did. When the database failed part-way (`interrupted`), the rest
    is for a retry of the task to finish: `remaining` to send, `held` deliveries this batch
    claimed but never sent (id, claimed_at), `unrecorded` ones it sent but could not mark
    sent (id, claimed_at, address). The database cannot hold that while it is down; the
    retry's message in the broker can."""

    sent: int = 0
    skipped: int = 0
    failed: int = 0
    put_back: int = 0  # a transient failure: queued again after a backoff, for the sweep
    interrupted: str = ""  # the database error that stopped the batch
    remaining: list[int] = field(default_factory=list)
    held: list[tuple[int, str]] = field(default_factory=list)
    unrecorded: list[tuple[int, str, str]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"sent": self.sent, "skipped": self.skipped, "failed": self.failed, "put_back": self.put_back}


class _DatabaseFault(Exception):
    """The database failed while one delivery was in hand; says how far that delivery got."""

    def __init__(self, error: Exception, *, held: tuple[int, str] | None = None) -> None:
        super().__init__(str(error))
        self.held = held  # claimed by us (id, claimed_at), not sent
        self.unrecorded: tuple[int, str, str] | None = None  # sent (id, claimed_at, address)


# The database errors worth another try: the server restarting, a dropped connection, a lock
# timeout. Anything else (a constraint, bad SQL) is a bug a retry will not fix.
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)


def deliver_batch(
    *,
    delivery_ids: list[int],
    held: Iterable[tuple[int, str]] = (),
    unrecorded: Iterable[tuple[int, str, str]] = (),
) -> BatchOutcome:
    """Send the queued deliveries among these ids over one SMTP connection, one at a time.

    A delivery the mail server refuses for now is put back on its own (`_put_back`: its
    attempt counted, a backoff before the sweep queues it again) and the batch carries on:
    one failing address does not hold back, or use up the retries of, the others. If the
    server cannot be reached twice running, the rest of the batch waits too. After
    MAX_ATTEMPTS, or on a permanent refusal, a delivery fails.

    A database error stops the batch and the outcome says what a retry must finish (the
    task retries with it): `held` and `unrecorded` are what an interrupted batch handed on.
    """
    outcome = BatchOutcome()
    # First what an interrupted run sent but could not record: mark it, never send it again.
    pending_records = list(unrecorded)
    try:
        while pending_records:
            delivery_id, claimed_at, address = pending_records[0]
            _record_sent(delivery_id, claimed_at, address)
            pending_records.pop(0)
            outcome.sent += 1
    except TRANSIENT_DB_ERRORS as error:
        outcome.interrupted = str(error)
        outcome.remaining = list(delivery_ids)
        outcome.held = list(held)
        outcome.unrecorded = [tuple(u) for u in pending_records]  # type: ignore[misc]
        return outcome

    held_since = {int(delivery_id): claimed_at for delivery_id, claimed_at in held}
    connection = get_connection()
    unreachable = 0
    try:
        for index, delivery_id in enumerate(delivery_ids):
            try:
                result = _deliver_one(delivery_id, connection, held_since=held_since.pop(delivery_id, None))
            except _DatabaseFault as fault:
                outcome.interrupted = str(fault)
                if fault.unrecorded:  # sent: the retry only records it
                    outcome.unrecorded.append(fault.unrecorded)
                    outcome.remaining = list(delivery_ids[index + 1 :])
                else:  # not sent: the retry takes it again, from its claim if it got one
                    outcome.remaining = list(delivery_ids[index:])
                    if fault.held:
                        outcome.held.append(fault.held)
                # Claims handed to this run for deliveries it did not reach yet.
                outcome.held.extend(held_since.items())
                return outcome
            if result == "unreachable":
                outcome.put_back += 1
                unreachable += 1
                if unreachable >= 2:
                    # The server is down, not fussy about one address: the rest of the batch
                    # waits out the same backoff (attempts not counted), for the sweep.
                    _defer(delivery_ids[index + 1 :])
                    break
            else:
                unreachable = 0
                if result:
                    setattr(outcome, result, getattr(outcome, result) + 1)
    finally:
        with contextlib.suppress(Exception):  # a server gone away may not say goodbye
            connection.close()
    return outcome


def _claim(delivery_id: int, claim: str) -> bool:
    """Take the delivery for sending: queued -> sending, with `claim` (the moment) as its
    mark. False if it is not queued: sent, skipped, or someone else's."""
    return bool(
        Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.SENDING, claimed_at=datetime.fromisoformat(claim)
        )
    )


def _still_held(delivery_id: int, claim: str) -> bool:
    """Whether a claim an interrupted run handed on still holds (the sweep has not given
    the delivery to someone else meanwhile)."""
    return Delivery.objects.filter(
        pk=delivery_id, status=Delivery.Status.SENDING, claimed_at=datetime.fromisoformat(claim)
    ).exists()


def _record_sent(delivery_id: int, claimed_at: str, address: str) -> None:
    """Mark sent what was sent but not recorded: still ours, or put back by the sweep since
    (not yet taken again). Taken again by another worker, it is being sent once more: the
    one duplicate a crash between sending and recording cannot avoid."""
    Delivery.objects.filter(pk=delivery_id).filter(
        Q(status=Delivery.Status.SENDING, claimed_at=datetime.fromisoformat(claimed_at))
        | Q(status=Delivery.Status.QUEUED)
    ).update(status=Delivery.Status.SENT, email_address=address, error="", sent_at=timezone.now())


def _finish(delivery: Delivery, status: Delivery.Status, *, error: str = "", address: str = "") -> None:
    delivery.status = status
    delivery.error = error[:500]
    delivery.email_address = address
    delivery.sent_at = timezone.now() if status == Delivery.Status.SENT else None
    delivery.save(update_fields=["status", "error", "email_address", "sent_at"])


def backoff(attempts: int) -> timedelta:
    """How long a delivery waits after its `attempts`-th failed try: 30 s, 1, 2, 4 minutes."""
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 600))


def _put_back(delivery: Delivery, error: Exception, address: str) -> str:
    """A try that failed for now: count it; queue the delivery again after its backoff, or
    fail it after MAX_ATTEMPTS or when the server said it never will take it."""
    delivery.attempts += 1
    delivery.error = str(error)[:500]
    delivery.email_address = address
    if delivery.attempts >= MAX_ATTEMPTS or _permanent(error):
        delivery.status = Delivery.Status.FAILED
        delivery.save(update_fields=["attempts", "error", "email_address", "status"])
        return "failed"
    delivery.status = Delivery.Status.QUEUED
    delivery.not_before = timezone.now() + backoff(delivery.attempts)
    delivery.save(update_fields=["attempts", "error", "email_address", "status", "not_before"])
    return "put_back"


def _defer(delivery_ids: list[int]) -> None:
    if delivery_ids:
        Delivery.objects.filter(pk__in=delivery_ids, status=Delivery.Status.QUEUED).update(
            not_before=timezone.now() + backoff(1)
        )


def _permanent(error: Exception) -> bool:
    """A 5xx answer about this message or address: trying again cannot help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return False


def _about_this_message(error: Exception) -> bool:
    """The server refused this message or address; otherwise it (or the way to it) failed."""
    return isinstance(
        error, smtplib.SMTPRecipientsRefused | smtplib.SMTPSenderRefused | smtplib.SMTPDataError
    )


def _deliver_one(delivery_id: int, connection: Any, *, held_since: str | None = None) -> str | None:
    """Claim, render, send and record one delivery. Returns its outcome ("sent", "skipped",
    "failed", "put_back", or "unreachable" when the mail server could not be reached), None
    when it is not ours to send. Raises _DatabaseFault saying how far it got."""
    # The claim handed on if the database fails from here. It is chosen before it is written:
    # a claim whose answer was lost with the connection may still have been made, and the
    # retry takes the delivery back by it (or claims it afresh if it was not made).
    claim = held_since
    try:
        if held_since is None or not _still_held(delivery_id, held_since):
            claim = timezone.now().isoformat()
            if not _claim(delivery_id, claim):
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
        except TRANSIENT_DB_ERRORS:
            raise
        except Exception as error:  # a broken template: retrying cannot help
            log.exception("could not render delivery %s", delivery.pk)
            _finish(delivery, Delivery.Status.FAILED, error=f"rendering: {error}", address=email.address)
            return "failed"
    except TRANSIENT_DB_ERRORS as error:
        raise _DatabaseFault(error, held=(delivery_id, claim) if claim else None) from error
    assert claim is not None
    try:
        mail.send()
    except (smtplib.SMTPException, OSError) as error:
        log.warning("delivery %s not sent: %s", delivery_id, error)
        if not _about_this_message(error):
            # Start the next message on a fresh connection.
            with contextlib.suppress(Exception):
                connection.close()
        try:
            result = _put_back(delivery, error, mail.to[0])
        except TRANSIENT_DB_ERRORS as db_error:
            raise _DatabaseFault(db_error, held=(delivery_id, claim)) from db_error
        return "unreachable" if result == "put_back" and not _about_this_message(error) else result
    try:
        _finish(delivery, Delivery.Status.SENT, address=mail.to[0])
    except TRANSIENT_DB_ERRORS as error:
        fault = _DatabaseFault(error)
        fault.unrecorded = (delivery_id, claim, mail.to[0])
        raise fault from error
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
    if message.kind == Message.Kind.ON_BEHALF:
        return _on_behalf_email(person, email, extra, connection)
    if not message.is_template:
        return _literal_email(message, email, unsubscribe, connection)
    engine = engines["django"]
    subject = _render_subject(message, context)
    # Plain text is not HTML: rendered without escaping.
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


def _render_subject(message: Message, context: dict) -> str:
    """A templated subject rendered (not HTML: without escaping) on one line."""
    template = engines["django"].from_string("{% autoescape off %}" + message.subject + "{% endautoescape %}")
    return " ".join(template.render(context).split())


def subject_as_received(message: Message, person: Person, extra: dict) -> str:
    """The subject line as this person received it (the copy of their data shows it); for an
    email sent on their behalf, the subject they wrote."""
    if message.kind == Message.Kind.ON_BEHALF:
        return str(extra.get("subject", ""))
    if not message.is_template:
        return message.subject
    context = {
        "site_name": settings.SITE_NAME,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "display_name": person.display_name,
        **extra,
    }
    return _render_subject(message, context)


def _on_behalf_email(
    person: Person, email: EmailAddress, extra: dict, connection: object
) -> EmailMultiAlternatives:
    """A member's email to someone off our list, sent for them (`Message.Kind.ON_BEHALF`: to
    an office, or a leader's invitation): their subject and text, to the address in
    `extra["to"]`, from the platform's address under their name, with Reply-To theirs so the
    answer reaches them. The footer says who wrote it (and where they live, when given, as an
    office checks a constituent's mail)."""
    if not extra.get("to") or not extra.get("text"):
        raise ValueError("nothing to send: the member's text is gone")
    name = " ".join(person.display_name.split()) or "A member"
    _, platform_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    where = f", {extra['town']}" if extra.get("town") else ""
    footer = (
        f"{name} ({email.address}{where}) wrote this and asked {settings.SITE_NAME} to send it. "
        "Reply to this email to answer them."
    )
    headers = {}
    if extra.get("decline_url"):
        # Someone we do not know (a leader's invitation): a way to never get such mail again,
        # in the footer and as the one-click header mail clients offer.
        footer += f"\nNo more invitations from {settings.SITE_NAME} members: {extra['decline_url']}"
        headers = {
            "List-Unsubscribe": f"<{extra['decline_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    return EmailMultiAlternatives(
        subject=" ".join(str(extra.get("subject", "")).split()),
        body=f"{str(extra['text']).rstrip()}\n\n--\n{footer}\n",
        from_email=formataddr(
            (f"{name} via {settings.SITE_NAME}", platform_address or settings.DEFAULT_FROM_EMAIL)
        ),
        to=[extra["to"]],
        reply_to=[email.address],
        headers=headers,
        connection=connection,
    )


def _literal_email(
    message: Message, email: EmailAddress, unsubscribe: str, connection: object
) -> EmailMultiAlternatives:
    """A message someone wrote, sent as written, with a footer saying who wrote it and why
    the reader has it, the unsubscribe link, and the one-click unsubscribe headers."""
    footer = [settings.SITE_NAME]
    if message.author_id is not None:
        author = message.author.short_name if message.author else "A member"
        # Events' messages leave the role and reason empty: a host wrote to their attendees.
        role = message.author_role or ("a host of" if message.about else "a host")
        role = f"{role} {message.about}" if message.about else role
        footer = [
            f"{author}, {role}, wrote this through {settings.SITE_NAME}.",
            message.reason or "You're getting it because you RSVP'd or were checked in.",
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


def decline_url(address: str) -> str:
    """The link in a member's email to an address we do not know (a leader's invitation):
    its owner asks that no such email reach it again (`decline`)."""
    token = signing.dumps(address, salt=DECLINE_SALT, compress=True)
    return f"{settings.SITE_URL}{reverse('messaging:decline', kwargs={'token': token})}"


def address_for_decline_token(token: str) -> str:
    try:
        address = signing.loads(str(token or "")[:500], salt=DECLINE_SALT)
    except signing.BadSignature:
        raise NotFound("This link is not valid. Please use the link from the email.") from None
    if not isinstance(address, str) or "@" not in address:
        raise NotFound("This link is not valid. Please use the link from the email.")
    return address


def decline(*, token: str) -> str:
    """No member's email sent through us reaches this address again (one click, no sign-in:
    the signed link is the owner's proof). Saying it twice changes nothing."""
    address = address_for_decline_token(token)
    Suppression.objects.get_or_create(address=address)
    return address


def declined(addresses: Iterable[str]) -> set[str]:
    """Those of `addresses` whose owners asked for no members' emails through us."""
    return set(Suppression.objects.filter(address__in=list(addresses)).values_list("address", flat=True))


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


def unsubscribe(*, token: str) -> EmailAddress:
    """Unsubscribe the address the token was made for (one click, no sign-in)."""
    email = email_for_token(token)
    if email.status == EmailStatus.SUBSCRIBED:
        # The link is the owner's proof: the system acts on it.
        change_subscription(
            email=email,
            subscribed=False,
            actor=SYSTEM,
            channel=Channel.EMAIL,
            wording="One-click unsubscribe",
        )
        email.refresh_from_db()
    return email


def change_subscription(
    *,
    email: EmailAddress,
    subscribed: bool,
    actor: Actor,
    channel: Channel | int = Channel.DIRECT,
    wording: str = "",
) -> bool:
    """The one way an address's subscription to bulk mail changes: the status, the consent
    in the words the person saw, and the act (so the list's size on any past date can be
    read from the log). Returns whether the status changed. A bouncing or complaining
    address is not resubscribed by anyone but the person: it stays as it is for staff.

    Only the address's owner, staff, or the system acting on the owner's proof (the
    one-click link in an email) change it."""
    if not (actor.is_staff or actor.is_person(email.person_id)):
        raise PermissionDenied("Only the person themselves or an organizer can change that.")
    target = EmailStatus.SUBSCRIBED if subscribed else EmailStatus.UNSUBSCRIBED
    with transaction.atomic():
        rows = EmailAddress.objects.filter(pk=email.pk).exclude(status=target)
        if subscribed and not actor.is_person(email.person_id):
            rows = rows.filter(status=EmailStatus.UNSUBSCRIBED)
        changed = bool(rows.update(status=target, status_changed_at=timezone.now()))
        Consent.objects.create(
            person_id=email.person_id,
            purpose=Consent.Purpose.EMAIL,
            granted=subscribed,
            wording=wording,
            channel=channel,
        )
        if changed:
            record(
                person=email.person,
                verb=Verb.SUBSCRIBED if subscribed else Verb.UNSUBSCRIBED,
                actor=actor,
                channel=channel,
            )
        touch(email.person_id)
    return changed


def system_message(key: str, *, template: str, kind: Message.Kind = Message.Kind.TRANSACTIONAL) -> Message:
    """The system's own message `key`, made from templates/messaging/<template>*.{txt,html} once.
    Transactional by default (something the person did asked for it); an ask the person did
    not ask for (an invitation) is bulk, and skips whoever unsubscribed.

    Kept in the cache once read (system messages are never deleted, and a delivery only
    needs the message's id): a join or an RSVP then sends one statement fewer."""
    cache_key = f"groundswell:system-message:{key}"
    message = cache.get(cache_key)
    if message is None:
        message = _system_message(key, template=template, kind=kind)
        cache.set(cache_key, message, timeout=3600)
    return message


def _system_message(key: str, *, template: str, kind: Message.Kind) -> Message:
    message = Message.objects.filter(key=key).first()
    if message is not None:
        return message

    def source(name: str) -> str:
        return get_template(f"messaging/{name}").template.source  # type: ignore[attr-defined]

    message, _ = Message.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "subject": source(f"{template}_subject.txt").strip(),
            "body_text": source(f"{template}.txt"),
            "body_html": source(f"{template}.html"),
        },
    )
    return message


def send_welcome(*, person: Person, hub_url: str, share_url: str) -> int:
    """Welcome a person who has just joined (made in the caller's transaction)."""
    welcome = system_message("welcome", template="welcome")
    return send(
        message=welcome,
        person_ids=[person.pk],
        context={person.pk: {"hub_url": hub_url, "share_url": share_url}},
        new_people=True,
    )


def send_data_export_ready(*, person: Person, export_key: str, download_url: str) -> int:
    """Tell a person the copy of their data they asked for is ready (one email per archive:
    the key names the archive, so a second archive gets its own email)."""
    message = system_message(f"data-export:{export_key}", template="data_export_ready")
    return send(message=message, person_ids=[person.pk], context={person.pk: {"download_url": download_url}})
