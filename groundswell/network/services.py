"""Writes of the recruitment network: joining through a link, share codes, clicks, contacts."""

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from groundswell.accounts.actors import SYSTEM, Actor
from groundswell.accounts.models import User
from groundswell.accounts.services import ensure_account, tagging_acts
from groundswell.activity.models import Initiator, ObjectKind, Verb
from groundswell.activity.services import Act, record, record_act, record_many
from groundswell.core.channels import Channel
from groundswell.core.errors import PermissionDenied, ValidationError
from groundswell.core.text import clean_line
from groundswell.messaging.services import change_subscription, send_welcome
from groundswell.network.models import Contact, Origin, ShareClickCount, ShareCode
from groundswell.people.models import (
    Consent,
    EmailAddress,
    EmailStatus,
    Person,
    PhoneNumber,
    PostalAddress,
    Tag,
    Tagging,
    short_name_of,
)
from groundswell.people.places import place_postcode
from groundswell.people.services import (
    PersonDetails,
    add_tags,
    normalize_email,
    normalize_phone,
    person_id_for,
    tags_named,
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
class Arrival:
    person: Person
    created: bool
    recruiter: Person | None  # the member credited with this arrival, if any


@dataclass
class JoinResult:
    person: Person
    created: bool
    recruiter: Person | None
    share_code: ShareCode | None  # a newcomer's
    own_address: bool  # the signed-in member joined again with their own address
    user: User | None = None  # a newcomer's account


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def share_code_for(person: Person) -> ShareCode:
    """The member's share code, made on first use."""
    existing = ShareCode.objects.filter(person=person).order_by("created_at", "id").first()
    return existing if existing is not None else make_share_code(person)


def make_share_code(person: Person, *, shown_name: str = "") -> ShareCode:
    code = ShareCode(person=person, shown_name=shown_name[:100], created_at=timezone.now())
    for _ in range(5):
        code.code = new_code()
        # One statement, no savepoint (the join's hot path): a code already taken, one
        # chance in 31^8 per member, inserts nothing and returns no row, so draw again.
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO network_sharecode (person_id, code, shown_name, created_at) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (code) DO NOTHING RETURNING id",
                [person.pk, code.code, code.shown_name, code.created_at],
            )
            row = cursor.fetchone()
        if row is not None:
            code.pk = row[0]
            code._state.adding = False
            code._state.db = connection.alias
            return code
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


def arrive(
    *,
    actor: Actor,
    details: PersonDetails,
    share: ShareCode | None,
    channel: Channel,
    origin: Origin,
    joining: bool = False,
) -> Arrival:
    """The one way a person arrives: a join, a guest RSVP, a walk-in (and later a
    signature, an API signup or an import row). Finds or makes the person, credits the
    member whose link brought them (first touch, for a newcomer), records the acts, links
    the ties of members who listed them, and applies one consent rule: nobody is
    subscribed to bulk mail without saying yes, and only the person themselves (or staff)
    can change an existing person's details, subscription or credit — anyone can type
    anyone's address into a public form, or as a walk-in.

    Runs inside the caller's transaction (the caller may add its own act, an RSVP, to it).
    `joining`: a signup form, so a known person's return is an act of its own.
    """
    vouched = actor.is_staff or origin in (Origin.STAFF, Origin.IMPORT)
    # Who has the address matters only to a signed-in actor (is it their own?) or to staff
    # (was the person already credited?): an anonymous form, the hot path, skips the look-up.
    known_id = (
        person_id_for(email=details.email, phone="" if details.email else details.phone)
        if actor.person is not None or vouched
        else None
    )
    trusted = vouched or (known_id is not None and actor.is_person(known_id))
    credited_before = (
        Person.objects.filter(pk=known_id).values_list("recruited_by_id", flat=True).first()
        if known_id is not None and share is not None and trusted
        else None
    )
    person, created = upsert_person(details=details, trusted=trusted)
    recruiter = share.person if share is not None and share.person_id != person.pk else None
    referrer_id = recruiter.pk if recruiter else None
    if created:
        # A newcomer's acts in one INSERT: the join is the hot path.
        record_many(
            newcomer_acts(
                person_id=person.pk,
                recruiter_id=referrer_id,
                channel=channel,
                subscribed=bool(details.email and details.email_consent),
                actor=actor,
            )
        )
    else:
        if joining:
            record(person=person, verb=Verb.RETURNED, channel=channel, referrer_id=referrer_id)
        if (
            recruiter is not None
            and trusted
            and credited_before is None
            and person.recruited_by_id == recruiter.pk
        ):
            # Credit newly given (they were on the list without a recruiter): log it as such.
            record_act(_recruited(recruiter.pk, person.pk, channel, actor))
        # The person's own yes (or no): never inferred, never given by someone else.
        if trusted and details.email and details.email_consent is not None:
            change_subscription(
                email=EmailAddress.objects.get(address=details.email),
                subscribed=details.email_consent,
                actor=actor,
                channel=channel,
                wording=details.consent_wording,
            )
    if details.tags:
        # Tags an arrival carries are the caller's (an import's, a form's), never typed in
        # by the person: put on as the actor, or by the system for a public form.
        added = add_tags(person=person, names=details.tags)
        record_many(tagging_acts(actor=actor if vouched else SYSTEM, person_id=person.pk, added=added))
    _record_ties(person, email=details.email, phone=details.phone)
    return Arrival(person=person, created=created, recruiter=recruiter)


def newcomer_acts(
    *, person_id: int, recruiter_id: int | None, channel: Channel, subscribed: bool, actor: Actor
) -> list[Act]:
    """What a newcomer's arrival logs: joined (crediting the recruiter's link), the
    recruiter's credit, and their yes to email if they gave it. `arrive` and `arrive_many`
    both log these."""
    by = _by(actor, person_id)
    acts = [Act(person_id=person_id, verb=Verb.JOINED, channel=channel, referrer_id=recruiter_id, **by)]
    if recruiter_id is not None:
        acts.append(_recruited(recruiter_id, person_id, channel, actor))
    if subscribed:
        acts.append(Act(person_id=person_id, verb=Verb.SUBSCRIBED, channel=channel, **by))
    return acts


def _recruited(recruiter_id: int, person_id: int, channel: Channel, actor: Actor) -> Act:
    return Act(
        person_id=recruiter_id,
        verb=Verb.RECRUITED,
        object_kind=ObjectKind.PERSON,
        object_id=person_id,
        channel=channel,
        **_by(actor, person_id),
    )


def _by(actor: Actor, person_id: int) -> dict:
    """Who did an arrival's acts: the newcomer themselves when no one is signed in (a form),
    else the signed-in member or staff who typed them in."""
    if actor.person is None and not actor.system:
        return {"actor_id": person_id, "initiator": Initiator.MEMBER}
    return {"actor_id": actor.person_id, "initiator": actor.initiator}


def join(
    *,
    actor: Actor,
    email: str,
    given_name: str,
    family_name: str = "",
    postal_code: str,
    phone: str = "",
    email_consent: bool | None = None,
    ref: str | None = None,
    via: str | None = None,
) -> JoinResult:
    """Someone joins (or joins again) through the join page, credited to the member whose
    link brought them. A newcomer is welcomed by email. Nobody is signed in by joining:
    the emailed code proves the address first (the view starts that), so typing someone
    else's address opens nothing. A known address is welcomed back, its record only
    gaining details unless it is the signed-in member's own.
    """
    place = place_postcode(postal_code)
    # No savepoint of its own: nothing inside is caught here, and the join is the hot path.
    # The link's code is read inside too: one commit for the whole join.
    with transaction.atomic(savepoint=False):
        share = resolve_share_code(ref)
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
            recruited_by_id=share.person_id if share else None,
        ).cleaned()
        arrival = arrive(
            actor=actor, details=details, share=share, channel=channel, origin=Origin.FORM, joining=True
        )
        person = arrival.person
        # A newcomer's code and account (for the code the page emails), in the same commit.
        # Someone already on the list has theirs (or gets one: `share_link_before_proof`).
        code, user = None, None
        if arrival.created:
            code = make_share_code(person)
            user = ensure_account(person=person, email=details.email, new_person=True)
            send_welcome(
                person=person,
                hub_url=f"{settings.SITE_URL}{reverse('network:hub')}",
                share_url=share_url(code, Channel.EMAIL),
            )
    return JoinResult(
        person=person,
        created=arrival.created,
        recruiter=arrival.recruiter,
        share_code=code,
        own_address=actor.is_person(person),
        user=user,
    )


def share_link_before_proof(result: JoinResult, *, given_name: str, family_name: str) -> ShareCode:
    """The share link offered right after joining, before the address is proven. A newcomer
    gets their own; someone who typed an address already on the list gets a new link of
    that person's (crediting them, as any of their links does) that shows visitors the
    name just typed: alike in both cases, so the page cannot tell the typist whether the
    address was known, nor show them the owner's name."""
    if result.share_code is not None:
        return result.share_code
    return typed_name_link(result.person, given_name=given_name, family_name=family_name)


def typed_name_link(person: Person, *, given_name: str, family_name: str) -> ShareCode:
    """A new link of `person`'s that shows visitors the name someone just typed, for a page
    seen before the address is proven (after a join, after a guest's RSVP): it credits the
    person the address belongs to, and tells the typist nothing about them."""
    return make_share_code(person, shown_name=short_name_of(clean_line(given_name), clean_line(family_name)))


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


def count_click(*, code: str | None, via: str | None, user_agent: str, person: bool = False) -> bool:
    """Count one visit to a share link. Returns whether it was counted.

    Only the aggregate per link, channel and day is stored; unknown codes and
    link-preview bots are not counted, unless `person`: someone arrived (joined) through
    the link, so whatever their browser calls itself, a person opened it.
    """
    share = resolve_share_code(code)
    if share is None:
        return False
    if not person and (not user_agent or BOT_USER_AGENT.search(user_agent)):
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


@dataclass
class BulkArrival:
    created: dict[str, int]  # email address -> id of the person made
    known: dict[str, int]  # email address -> id of the person already on the list


def arrive_many(
    *,
    actor: Actor,
    rows: Iterable[PersonDetails],
    channel: Channel = Channel.IMPORT,
    origin: Origin = Origin.IMPORT,
    batch_size: int = 1000,
) -> BulkArrival:
    """`arrive` for thousands of people at once (an import), with a bounded number of
    statements per batch however many rows it holds: one look-up of the addresses already
    on the list, one INSERT per table for the newcomers, one for their acts, one UPDATE for
    the ties of members who listed them. The same rules as `arrive`: first-touch credit
    for newcomers, consent only from a yes, and a known person's record left as it is (a
    row for them is reported back as `known`; the caller may record what it knows of them).

    Rows need an email address. Each batch is one transaction; should a signup take one of
    a batch's addresses while it runs, that batch is done again row by row through `arrive`.
    """
    if not (actor.is_staff or origin in (Origin.IMPORT, Origin.API)):
        raise PermissionDenied("Only staff bring people in in bulk.")
    result = BulkArrival(created={}, known={})
    batch: list[PersonDetails] = []
    for row in rows:
        details = row.cleaned()
        if not details.email:
            raise ValidationError("Each row needs an email address.", field="email")
        batch.append(details)
        if len(batch) >= batch_size:
            _arrive_batch(actor, batch, channel, origin, result)
            batch = []
    if batch:
        _arrive_batch(actor, batch, channel, origin, result)
    return result


def _arrive_batch(
    actor: Actor, batch: list[PersonDetails], channel: Channel, origin: Origin, result: BulkArrival
) -> None:
    unique = list({details.email: details for details in batch}.values())  # the last row of an address wins
    try:
        with transaction.atomic():
            known = dict(
                EmailAddress.objects.filter(address__in=[d.email for d in unique]).values_list(
                    "address", "person_id"
                )
            )
            new = [d for d in unique if d.email not in known]
            people = Person.objects.bulk_create(
                [
                    Person(
                        given_name=d.given_name,
                        family_name=d.family_name,
                        custom_fields=d.custom_fields,
                        source_channel=d.source_channel,
                        recruited_by_id=d.recruited_by_id,
                        source_detail=d.source_detail,
                    )
                    for d in new
                ]
            )
            ids = {d.email: p.pk for d, p in zip(new, people, strict=True)}
            EmailAddress.objects.bulk_create(
                [
                    EmailAddress(
                        person_id=ids[d.email],
                        address=d.email,
                        primary=True,
                        status=EmailStatus.SUBSCRIBED if d.email_consent else EmailStatus.UNSUBSCRIBED,
                    )
                    for d in new
                ]
            )
            PhoneNumber.objects.bulk_create(
                [PhoneNumber(person_id=ids[d.email], number=d.phone, primary=True) for d in new if d.phone]
            )
            PostalAddress.objects.bulk_create(
                [
                    PostalAddress(
                        person_id=ids[d.email],
                        primary=True,
                        address_lines=d.address_lines,
                        locality=d.place.locality,
                        region=d.place.region,
                        postal_code=d.place.postal_code,
                        country=d.place.country,
                        latitude=d.place.latitude,
                        longitude=d.place.longitude,
                    )
                    for d in new
                    if d.place is not None
                ]
            )
            Consent.objects.bulk_create(
                [
                    Consent(
                        person_id=ids[d.email],
                        purpose=Consent.Purpose.EMAIL,
                        granted=d.email_consent,
                        wording=d.consent_wording,
                        channel=channel,
                    )
                    for d in new
                    if d.email_consent is not None
                ]
            )
            record_many(
                act
                for d in new
                for act in newcomer_acts(
                    person_id=ids[d.email],
                    recruiter_id=d.recruited_by_id,
                    channel=channel,
                    subscribed=bool(d.email_consent),
                    actor=actor,
                )
            )
            _tag_batch(actor, new, ids)
            if ids:
                Contact.objects.filter(person__isnull=True, email__in=list(ids)).update(
                    person_id=Case(*(When(email=e, then=Value(i)) for e, i in ids.items())),
                    matched_at=timezone.now(),
                )
    except IntegrityError:
        # A signup took one of these addresses meanwhile: this batch, one row at a time.
        for details in unique:
            with transaction.atomic():
                arrival = arrive(actor=actor, details=details, share=None, channel=channel, origin=origin)
            target = result.created if arrival.created else result.known
            target[details.email] = arrival.person.pk
        return
    result.created.update(ids)
    result.known.update(known)


def _tag_batch(actor: Actor, new: list[PersonDetails], ids: dict[str, int]) -> None:
    """The tags a batch's newcomers carry: the tags looked up (or made) once, one INSERT of
    the taggings and one of their acts, however many rows."""
    tagged = [(ids[d.email], d.tags) for d in new if d.tags]
    if not tagged:
        return
    tags = {tag.name.lower(): tag for tag in tags_named(name for _, names in tagged for name in names)}
    taken: dict[int, dict[int, Tag]] = {}  # person id -> tag id -> tag: each tag once a person
    for person_id, names in tagged:
        taken.setdefault(person_id, {}).update((tags[n.lower()].pk, tags[n.lower()]) for n in names)
    Tagging.objects.bulk_create(
        [Tagging(person_id=p, tag=tag) for p, theirs in taken.items() for tag in theirs.values()]
    )
    record_many(
        act
        for p, theirs in taken.items()
        for act in tagging_acts(actor=actor, person_id=p, added=theirs.values())
    )
