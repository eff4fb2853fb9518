"""Writes of the recruitment network: joining through a link, share codes, clicks, contacts."""

import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from groundswell.accounts.models import User
from groundswell.accounts.services import ensure_account
from groundswell.activity.models import Verb
from groundswell.activity.services import record
from groundswell.core.channels import Channel
from groundswell.core.errors import ValidationError
from groundswell.core.text import clean_line
from groundswell.messaging.services import send_welcome
from groundswell.network.models import Contact, ShareClickCount, ShareCode
from groundswell.people.models import Person
from groundswell.people.places import place_postcode
from groundswell.people.services import (
    PersonDetails,
    normalize_email,
    normalize_phone,
    person_id_for,
    upsert_person,
)

CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: codes get read aloud
CODE_LENGTH = 8
JOIN_CONSENT_WORDING = "Email me about actions and events near me."

# Link-preview fetchers and crawlers: they open links without a person behind them.
BOT_USER_AGENT = re.compile(
    r"bot|crawl|spider|slurp|preview|facebookexternalhit|facebookcatalog|embedly|whatsapp|"
    r"telegram|discord|slack|skype|vkshare|pinterest|curl|wget|python-|httpclient|okhttp|go-http",
    re.IGNORECASE,
)


@dataclass
class JoinResult:
    person: Person
    created: bool
    user: User
    recruiter: Person | None


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def share_code_for(person: Person) -> ShareCode:
    """The member's share code, made on first use."""
    existing = ShareCode.objects.filter(person=person).order_by("created_at", "id").first()
    return existing if existing is not None else make_share_code(person)


def make_share_code(person: Person) -> ShareCode:
    for _ in range(5):
        try:
            with transaction.atomic():
                return ShareCode.objects.create(person=person, code=new_code())
        except IntegrityError:
            continue  # a collision in 31^8 codes: draw again
    raise RuntimeError("could not draw a unique share code")


def resolve_share_code(code: str | None) -> ShareCode | None:
    """The share code a link carries, or None when it is missing or unknown."""
    code = (code or "").strip().lower()
    if not code or len(code) > 16 or not code.isalnum():
        return None
    return ShareCode.objects.select_related("person").filter(code=code).first()


def share_url(code: ShareCode | str, channel: Channel) -> str:
    value = code.code if isinstance(code, ShareCode) else code
    return f"{settings.SITE_URL}{reverse('network:join')}?ref={value}&via={channel.slug}"


def join(
    *,
    email: str,
    given_name: str,
    family_name: str = "",
    postal_code: str,
    phone: str = "",
    email_consent: bool | None = None,
    ref: str | None = None,
    via: str | None = None,
    signed_in_as: Person | None = None,
) -> JoinResult:
    """Someone joins (or joins again). Credits the member whose link brought them.

    A known address is welcomed back: new details are merged, nothing is lost,
    and the act is logged as a return rather than a second join. Only the person
    themselves (`signed_in_as`, with this address) can change their subscription or
    who gets credit for them; from anyone else a second signup only adds details.
    """
    place = place_postcode(postal_code)
    share = resolve_share_code(ref)
    recruiter = share.person if share else None
    # A link with an unknown code is still a visit from that channel, just uncredited.
    channel = Channel.from_slug(via, default=Channel.LINK if share else Channel.DIRECT)
    details = PersonDetails(
        email=email,
        given_name=given_name,
        family_name=family_name,
        phone=phone,
        place=place,
        email_consent=email_consent,
        consent_wording=JOIN_CONSENT_WORDING if email_consent is not None else "",
        source_channel=channel,
        recruited_by_id=recruiter.pk if recruiter else None,
    )
    trusted = (
        signed_in_as is not None
        and signed_in_as.email_addresses.filter(address=email.strip().lower()).exists()
    )
    credited_before = signed_in_as.recruited_by_id if trusted and signed_in_as else None
    # No savepoint of its own: nothing inside is caught here, and the join is the hot path.
    with transaction.atomic(savepoint=False):
        person, created = upsert_person(details=details, trusted=trusted)
        if recruiter is not None and recruiter.pk == person.pk:
            recruiter = None  # opened their own link
        if created:
            record_join(person=person, recruiter=recruiter, channel=channel)
        else:
            record(
                person=person,
                verb=Verb.RETURNED,
                channel=channel,
                referrer_id=recruiter.pk if recruiter else None,
            )
            if recruiter is not None and credited_before is None and person.recruited_by_id == recruiter.pk:
                # Credit newly given (they were on the list without a recruiter): log it as such.
                record(person=recruiter, verb=Verb.RECRUITED, obj=person, channel=channel, referrer_id=None)
        code = make_share_code(person) if created else share_code_for(person)
        _record_ties(person, email=normalize_email(email), phone=normalize_phone(phone) if phone else "")
        user = ensure_account(person=person, email=details.email or email)
        if created:
            send_welcome(
                person=person,
                hub_url=f"{settings.SITE_URL}{reverse('network:hub')}",
                share_url=share_url(code, Channel.EMAIL),
            )
    return JoinResult(person=person, created=created, user=user, recruiter=recruiter)


def record_join(*, person: Person, recruiter: Person | None, channel: Channel) -> None:
    """Log a newcomer's arrival, and the credit of the member who brought them."""
    record(person=person, verb=Verb.JOINED, channel=channel, referrer_id=recruiter.pk if recruiter else None)
    if recruiter is not None:
        record(person=recruiter, verb=Verb.RECRUITED, obj=person, channel=channel, referrer_id=None)


def _record_ties(person: Person, *, email: str, phone: str) -> int:
    """Link every contact entry that names this person, by this email or phone, to them."""
    query = Q(email=email)
    if phone:
        query |= Q(phone=phone)
    unmatched = Contact.objects.filter(person__isnull=True).exclude(owner=person)
    return unmatched.filter(query).update(person=person, matched_at=timezone.now())


def share(*, person: Person, channel_slug: str) -> str | None:
    """A member shares their link on a channel: record the act, return where to send them.

    Returns None for a channel we do not share on. The ripple counts what a share
    brought; this counts the sharing itself (shares per sharer, in the analytics).
    """
    from groundswell.network.selectors import share_links

    channel = Channel.from_slug(channel_slug)
    link = next((link for link in share_links(share_code_for(person)) if link.channel == channel), None)
    if link is None:
        return None
    with transaction.atomic():
        record(person=person, verb=Verb.SHARED, channel=channel, referrer_id=None)
    return link.url


def count_click(*, code: str | None, via: str | None, user_agent: str) -> bool:
    """Count one visit to a share link. Returns whether it was counted.

    Only the aggregate per link, channel and day is stored; unknown codes and
    link-preview bots are not counted.
    """
    share = resolve_share_code(code)
    if share is None or not user_agent or BOT_USER_AGENT.search(user_agent):
        return False
    channel = Channel.from_slug(via, default=Channel.LINK)
    today = timezone.localdate()
    key = {"share_code": share, "channel": channel, "day": today}
    if ShareClickCount.objects.filter(**key).update(clicks=F("clicks") + 1):
        return True
    try:
        with transaction.atomic():
            ShareClickCount.objects.create(**key, clicks=1)
    except IntegrityError:
        # The first click of the day arrived twice at once: the other made the row.
        ShareClickCount.objects.filter(**key).update(clicks=F("clicks") + 1)
    return True


def add_contact(*, owner: Person, name: str, email: str = "", phone: str = "") -> Contact:
    """A member lists someone they know. If that someone is already with us, the tie is made now."""
    name = clean_line(name)
    if not name:
        raise ValidationError("Please enter their name.", field="name")
    if len(name) > 200:
        raise ValidationError("Please shorten the name to 200 characters or fewer.", field="name")
    email = normalize_email(email) if email.strip() else ""
    phone = normalize_phone(phone) if phone.strip() else ""
    if not email and not phone:
        raise ValidationError(
            "Add their email address or phone number, so we can tell when they join.", field="email"
        )
    with transaction.atomic():
        if (email and owner.contacts.filter(email=email).exists()) or (
            phone and owner.contacts.filter(phone=phone).exists()
        ):
            raise ValidationError(f"{name} is already on your list.", field="email")
        match = person_id_for(email=email, phone=phone)
        if match == owner.pk:
            raise ValidationError("That's you! List the people you know.", field="email")
        try:
            with transaction.atomic():
                contact = Contact.objects.create(
                    owner=owner,
                    name=name,
                    email=email,
                    phone=phone,
                    person_id=match,
                    matched_at=timezone.now() if match else None,
                )
        except IntegrityError:  # the same form sent twice at once
            raise ValidationError(f"{name} is already on your list.", field="email") from None
        record(
            person=owner,
            verb=Verb.LISTED_CONTACT,
            obj=contact,
            channel=Channel.DIRECT,
            referrer_id=None,
        )
    return contact
