"""Starting a group, joining and leaving one, a member's choice of what the group emails
them, join requests, invitations by email, and organizers' approval of new groups.

Each function takes the Actor and checks it; each change of someone's place in a group is an
act in the log with the group as its object (joined, left, asked to join, became leader,
stepped down), written in the same transaction as the row. One membership row per person and
group (a unique constraint): a double click or two tabs never make two, and a person who left
and joins again gets their old row back, with its history in the log.
"""

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import slugify

from groundswell.accounts.actors import Actor
from groundswell.activity.models import Verb
from groundswell.activity.services import record
from groundswell.core.channels import Channel
from groundswell.core.errors import NotFound, PermissionDenied, ValidationError
from groundswell.core.markdown import cook
from groundswell.core.text import clean_line, clean_text
from groundswell.groups.models import Group, Invitation, Membership
from groundswell.groups.selectors.access import MISSING, access_group, active_block, can_lead
from groundswell.groups.services.leading import note_leaders
from groundswell.messaging.models import Message
from groundswell.messaging.services import decline_url, declined, send, system_message
from groundswell.network.services import share_code_for, share_url
from groundswell.people.models import EmailAddress, Person
from groundswell.people.places import place_postcode
from groundswell.people.services import normalize_email, primary_email

NAME_MAX = 120
TEXT_MAX = 20_000
AREA_MAX = 120
NOTE_MAX = 500
REVIEW_NOTE_MAX = 2000
INVITES_MAX = 50
# Words the groups' own pages take under /groups/: a group called "Start" must not hide the
# page for starting one.
RESERVED_SLUGS = {"start", "review", "invitation", "invitations", "regions", "new", "near"}
SLUG_MARK_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no look-alikes: read aloud
INVITATION_SALT = "groundswell.groups.invitation"
# An address invited to a group is not emailed about it again for a week.
INVITE_AGAIN_AFTER = timedelta(days=7)
# The key of a leader's invitation sent for them to an address we do not know (one a row).
INVITE_MESSAGE_PREFIX = "group-invite-to:"


@dataclass
class GroupDetails:
    """What a starter (or a leader changing the group) typed."""

    name: str
    description: str = ""
    agreements: str = ""
    postal_code: str = ""
    area: str = ""
    parent: str = ""  # the parent group's slug or public id; "" for none
    join_policy: str = Group.JoinPolicy.OPEN
    visibility: str = Group.Visibility.PUBLIC


# --- Starting and changing a group -------------------------------------------------------


def _values(actor: Actor, details: GroupDetails, *, group: Group | None = None) -> dict[str, object]:
    """The columns the details make, every field checked (ValidationError naming the field)."""
    name = clean_line(details.name)
    if not name:
        raise ValidationError("Please give the group a name.", field="name")
    if len(name) > NAME_MAX:
        raise ValidationError(f"Please keep the name to {NAME_MAX} characters.", field="name")
    if not slugify(name):
        # An address is made from the name; one of only symbols would have none of its own.
        raise ValidationError("Please use some letters or digits in the name.", field="name")
    description, agreements = clean_text(details.description), clean_text(details.agreements)
    for field, text in (("description", description), ("agreements", agreements)):
        if len(text) > TEXT_MAX:
            raise ValidationError(f"Please keep this to {TEXT_MAX:,} characters.", field=field)
    area = clean_line(details.area)
    if len(area) > AREA_MAX:
        raise ValidationError(f"Please keep the area's name to {AREA_MAX} characters.", field="area")
    if details.join_policy not in Group.JoinPolicy.values:
        raise ValidationError("Please choose who can join.", field="join_policy")
    if details.visibility not in Group.Visibility.values:
        raise ValidationError("Please choose who can read the group's conversations.", field="visibility")
    values: dict[str, object] = {
        "name": name,
        "description": description,
        "description_html": cook(description),
        "agreements": agreements,
        "agreements_html": cook(agreements),
        "area": area,
        "join_policy": details.join_policy,
        "visibility": details.visibility,
        "parent": _parent(actor, details.parent, group),
        **_place(details.postal_code, area),
    }
    return values


def _place(raw: str, area: str) -> dict[str, object]:
    postcode = " ".join((raw or "").split())
    if not postcode:
        if not area:
            raise ValidationError(
                "Please give the ZIP code where the group meets, or an area's name for a region.",
                field="postal_code",
            )
        empty = {"postal_code": "", "locality": "", "region": "", "country": "", "latitude": None}
        return {**empty, "longitude": None}
    if len(postcode) > 16:
        raise ValidationError("A US ZIP code has 5 digits, like 94110.", field="postal_code")
    place = place_postcode(postcode)  # raises with its own message, field "postal_code"
    if not place.located:
        raise ValidationError(
            "We can only place US ZIP codes on the map for now: please type one (like 94110), "
            "or leave it empty and give an area's name.",
            field="postal_code",
        )
    return {
        "postal_code": place.postal_code,
        "locality": place.locality,
        "region": place.region,
        "country": place.country,
        "latitude": place.latitude,
        "longitude": place.longitude,
    }


def _parent(actor: Actor, key: str, group: Group | None) -> Group | None:
    """The parent chosen: an active group the actor can see, never the group itself or one
    of its own sub-groups (a loop)."""
    key = (key or "").strip()
    if not key:
        return None
    try:
        parent = access_group(actor, key)
    except NotFound:
        raise ValidationError(
            "We couldn't find that group: please choose one from the list.", field="parent"
        ) from None
    if parent.status != Group.Status.ACTIVE:
        raise ValidationError(
            "That group isn't open yet (or was closed): please choose an active one.", field="parent"
        )
    if group is not None:
        seen: set[int] = set()
        step: Group | None = parent
        while step is not None and step.pk not in seen:
            if step.pk == group.pk:
                raise ValidationError("A group can't be part of itself or of its own groups.", field="parent")
            seen.add(step.pk)
            step = step.parent
    return parent


def _slug_for(name: str, *, mark: bool) -> str:
    """An address from the name; on a clash (or when `mark`), with a random mark rather than
    a count: "-2" would tell its starter that another one exists, perhaps one waiting for an
    organizer, which they must not learn."""
    base = slugify(name)[:64].strip("-") or "group"
    if not mark and base not in RESERVED_SLUGS and not Group.objects.filter(slug=base).exists():
        return base
    return f"{base}-{''.join(secrets.choice(SLUG_MARK_ALPHABET) for _ in range(5))}"


def _create_group(values: dict[str, object], *, mark: bool) -> Group:
    """Create the row with a fresh slug, trying again if another request took it first."""
    for _ in range(5):
        slug = _slug_for(str(values["name"]), mark=mark)
        try:
            with transaction.atomic():
                return Group.objects.create(slug=slug, **values)
        except IntegrityError:
            if not Group.objects.filter(slug=slug).exists():
                raise
    raise ValidationError("Please try again in a moment.", field="name")


def needs_approval(actor: Actor) -> bool:
    """Whether a group this actor starts waits for an organizer (a site setting)."""
    return bool(settings.GROUPS_NEED_APPROVAL) and not actor.is_staff


def start_group(*, actor: Actor, details: GroupDetails) -> Group:
    """A member starts a group and leads it. Live at once, or waiting for an organizer when
    the site asks for approval (staff's never wait)."""
    starter = actor.require_person()
    values = _values(actor, details)
    pending = needs_approval(actor)
    now = timezone.now()
    with transaction.atomic():
        # A waiting group's address always carries a mark, so neither it nor a later one of
        # the same name says anything about the other.
        group = _create_group(
            {
                **values,
                "status": Group.Status.PENDING if pending else Group.Status.ACTIVE,
                "started_by": starter,
            },
            mark=pending,
        )
        Membership.objects.create(
            group=group,
            person=starter,
            status=Membership.Status.ACTIVE,
            role=Membership.Role.LEADER,
            joined_at=now,
            role_since=now,
        )
        for verb in (Verb.STARTED_GROUP, Verb.JOINED_GROUP, Verb.LED_GROUP):
            record(person=starter, verb=verb, obj=group, actor=actor)
    return group


def update_group(*, actor: Actor, group: Group, details: GroupDetails) -> Group:
    """Its leaders and staff change the group's details (the Markdown cooked again)."""
    if not can_lead(actor, group):
        raise PermissionDenied("Only the group's leaders and organizers can change it.")
    values = _values(actor, details, group=group)
    with transaction.atomic():
        for name, value in values.items():
            setattr(group, name, value)
        group.save(update_fields=[*values, "modified_at"])
    return group


def approve_group(*, actor: Actor, group: Group) -> Group:
    """An organizer lets a waiting group go live; its starter is told."""
    reviewer = _require_staff(actor)
    with transaction.atomic():
        group = _waiting(group)
        group.status = Group.Status.ACTIVE
        group.review_note = ""
        group.save(update_fields=["status", "review_note", "modified_at"])
        record(person=reviewer, verb=Verb.APPROVED_GROUP, obj=group, actor=actor)
        _tell(
            f"group-review:{group.pk}:approved",
            [group.started_by_id],
            subject=f"Approved: {group.name}",
            text=f"Your group {group.name} is approved and open. Invite your neighbours!",
            link=group_url(group),
            link_label="See your group",
        )
    return group


def reject_group(*, actor: Actor, group: Group, note: str) -> Group:
    """An organizer turns a waiting group down, saying why; its starter is told."""
    reviewer = _require_staff(actor)
    note = clean_text(note)[:REVIEW_NOTE_MAX]
    if not note:
        raise ValidationError("Please tell the starter why.", field="note")
    with transaction.atomic():
        group = _waiting(group)
        group.status = Group.Status.REJECTED
        group.review_note = note
        group.save(update_fields=["status", "review_note", "modified_at"])
        record(person=reviewer, verb=Verb.REJECTED_GROUP, obj=group, actor=actor)
        _tell(
            f"group-review:{group.pk}:rejected",
            [group.started_by_id],
            subject=f"Not approved: {group.name}",
            text=f"An organizer did not approve your group {group.name}.",
            note=note,
            link=group_url(group),
            link_label="See your group",
        )
    return group


def _require_staff(actor: Actor) -> Person:
    if not actor.is_staff or actor.person is None:
        raise PermissionDenied("Only organizers can do that.")
    return actor.person


def _waiting(group: Group) -> Group:
    locked = Group.objects.select_for_update().get(pk=group.pk)
    if locked.status != Group.Status.PENDING:
        raise ValidationError("Only a group waiting for approval can be approved or turned down.")
    return locked


# --- Joining, leaving, requests ------------------------------------------------------------


def _forget_cached_membership(group: Group) -> None:
    group.__dict__.pop("_memberships", None)  # access.membership_of's cache for this request


def _locked_membership(group: Group, person: Person, defaults: dict[str, object]) -> tuple[Membership, bool]:
    """The person's row in the group, locked; made with `defaults` when there is none (the
    unique index settles a race: the loser reads the winner's row)."""
    membership, created = Membership.objects.get_or_create(group=group, person=person, defaults=defaults)
    if not created:
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
    return membership, created


def _refuse_blocked(person: Person, group: Group) -> None:
    block = active_block(person.pk, group)
    if block is not None:
        until = f" until {timezone.localtime(block.until):%B %-d, %Y}" if block.until else ""
        raise PermissionDenied(f"You can't join this group{until}.")


def _open_group(actor: Actor, group: Group) -> None:
    """Joining is for active groups the actor may see; anything else is not there to join."""
    if group.status != Group.Status.ACTIVE:
        if group.status in (Group.Status.PENDING, Group.Status.REJECTED) and not (
            actor.is_staff or actor.is_person(group.started_by_id)
        ):
            raise NotFound(MISSING)
        raise ValidationError("This group isn't taking new members.")


def _activate(membership: Membership, now: datetime) -> None:
    membership.status = Membership.Status.ACTIVE
    membership.role = Membership.Role.MEMBER
    membership.core_title = ""
    membership.joined_at = now
    membership.role_since = now
    membership.save(update_fields=["status", "role", "core_title", "joined_at", "role_since", "modified_at"])


def join_group(*, actor: Actor, group: Group, note: str = "") -> Membership:
    """The actor joins (an open group), or asks to (a group by request: its leaders are
    told). A group by invitation takes people only through an invitation. Joining again
    changes nothing."""
    person = actor.require_person()
    _open_group(actor, group)
    _refuse_blocked(person, group)
    note = clean_text(note)
    if len(note) > NOTE_MAX:
        raise ValidationError(f"Please keep your note to {NOTE_MAX} characters.", field="note")
    policy = group.join_policy
    if policy == Group.JoinPolicy.INVITATION:
        current = Membership.objects.filter(group=group, person=person, status=Membership.Status.ACTIVE)
        if current.exists():
            return current.get()
        raise PermissionDenied(
            "This group takes new members by invitation only: ask one of its leaders to invite you."
        )
    now = timezone.now()
    wanted = Membership.Status.ACTIVE if policy == Group.JoinPolicy.OPEN else Membership.Status.REQUESTED
    with transaction.atomic():
        defaults: dict[str, object] = {"status": wanted, "request_note": note}
        if wanted == Membership.Status.ACTIVE:
            defaults |= {"joined_at": now, "role_since": now}
        membership, created = _locked_membership(group, person, defaults)
        if not created:
            if membership.status == Membership.Status.ACTIVE or membership.status == wanted:
                return membership  # a second click, or asking again while waiting
            if wanted == Membership.Status.ACTIVE:
                _activate(membership, now)
            else:
                membership.status = Membership.Status.REQUESTED
                membership.request_note = note
                membership.save(update_fields=["status", "request_note", "modified_at"])
        if wanted == Membership.Status.ACTIVE:
            record(person=person, verb=Verb.JOINED_GROUP, obj=group, actor=actor)
        else:
            record(person=person, verb=Verb.ASKED_TO_JOIN_GROUP, obj=group, actor=actor)
            _tell_leaders_of_request(group, membership, person)
    _forget_cached_membership(group)
    return membership


def leave_group(*, actor: Actor, group: Group) -> Membership:
    """The actor leaves (or withdraws their request). A leader or core member leaving steps
    down from the role too; when the last leader leaves, the group is leaderless from now."""
    person = actor.require_person()
    now = timezone.now()
    with transaction.atomic():
        # The group's row first: two leaders leaving at once must not both see the other stay.
        Group.objects.select_for_update().filter(pk=group.pk).first()
        membership = Membership.objects.select_for_update().filter(group=group, person=person).first()
        if membership is None or membership.status == Membership.Status.LEFT:
            raise ValidationError("You're not in this group.")
        was_asking = membership.status == Membership.Status.REQUESTED
        role = membership.role
        membership.status = Membership.Status.LEFT
        membership.role = Membership.Role.MEMBER
        membership.core_title = ""
        membership.role_since = None
        membership.save(update_fields=["status", "role", "core_title", "role_since", "modified_at"])
        if not was_asking:
            record(person=person, verb=Verb.LEFT_GROUP, obj=group, actor=actor)
            if role in (Membership.Role.LEADER, Membership.Role.CORE):
                record(person=person, verb=Verb.STEPPED_DOWN, obj=group, actor=actor)
            if role == Membership.Role.LEADER:
                note_leaders(group, now=now)
    _forget_cached_membership(group)
    return membership


NOTIFY_REFUSED = "Please choose every post, a daily digest or nothing."


def set_notify(*, actor: Actor, group: Group, choice: str) -> Membership:
    """A member chooses what the group's conversations send them by email: every post, a
    daily digest (the default) or nothing (`conversations.notifications` reads it). For the
    group's active members only, leaders too; nobody chooses for someone else."""
    person = actor.require_person()
    choice = str(choice or "").strip()
    if choice not in Membership.Notify.values:
        raise ValidationError(NOTIFY_REFUSED, field="notify")
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .filter(group=group, person=person, status=Membership.Status.ACTIVE)
            .first()
        )
        if membership is None:
            raise PermissionDenied("Only the group's members choose what it sends them.")
        if membership.notify != choice:
            membership.notify = choice
            membership.save(update_fields=["notify", "modified_at"])
    _forget_cached_membership(group)
    return membership


def pending_requests(*, actor: Actor, group: Group) -> list[Membership]:
    """Who is waiting to join, oldest first: for the group's leaders and staff."""
    if not can_lead(actor, group):
        raise PermissionDenied("Only the group's leaders and organizers can see who asked to join.")
    return list(
        Membership.objects.filter(group=group, status=Membership.Status.REQUESTED)
        .select_related("person")
        .order_by("modified_at", "id")
    )


def _request_of(group: Group, membership_id: object) -> Membership:
    key = str(membership_id)
    membership = (
        Membership.objects.select_for_update()
        .select_related("person")
        .filter(group=group, pk=int(key))
        .first()
        if key.isdigit() and len(key) < 19
        else None
    )
    if membership is None or membership.status != Membership.Status.REQUESTED:
        raise ValidationError("That request isn't waiting any more: someone may have answered it already.")
    return membership


def approve_request(*, actor: Actor, group: Group, membership_id: object) -> Membership:
    """A leader (or staff) lets someone who asked in; they are told by email."""
    if not can_lead(actor, group):
        raise PermissionDenied("Only the group's leaders and organizers can answer requests.")
    now = timezone.now()
    with transaction.atomic():
        membership = _request_of(group, membership_id)
        _activate(membership, now)
        record(person=membership.person, verb=Verb.JOINED_GROUP, obj=group, actor=actor)
        _tell(
            f"group-welcome:{group.pk}:{membership.pk}:{int(now.timestamp())}",
            [membership.person_id],
            subject=f"You're in: {group.name}",
            text=f"A leader of {group.name} said yes: you're a member now.",
            link=group_url(group),
            link_label="See the group",
        )
    _forget_cached_membership(group)
    return membership


def decline_request(*, actor: Actor, group: Group, membership_id: object) -> Membership:
    """A leader (or staff) says no; the row stays (as left), so they may ask again later."""
    if not can_lead(actor, group):
        raise PermissionDenied("Only the group's leaders and organizers can answer requests.")
    with transaction.atomic():
        membership = _request_of(group, membership_id)
        membership.status = Membership.Status.LEFT
        membership.save(update_fields=["status", "modified_at"])
    _forget_cached_membership(group)
    return membership


def _tell_leaders_of_request(group: Group, membership: Membership, person: Person) -> None:
    leaders = list(
        Membership.objects.filter(
            group=group, status=Membership.Status.ACTIVE, role=Membership.Role.LEADER
        ).values_list("person_id", flat=True)
    )
    _tell(
        f"group-request:{group.pk}:{membership.pk}:{int(timezone.now().timestamp())}",
        leaders,
        subject=f"{person.short_name} asks to join {group.name}",
        text=f"{person.short_name} would like to join {group.name}. Say yes or no from the group's requests.",
        note=membership.request_note,
        link=requests_url(group),
        link_label="Answer the request",
    )


# --- Invitations ---------------------------------------------------------------------------


def _addresses(emails: list[str]) -> list[str]:
    found: list[str] = []
    for raw in emails:
        if not raw.strip():
            continue
        try:
            address = normalize_email(raw)
        except ValidationError as error:
            raise ValidationError(f"{clean_line(raw)[:60]}: {error.message}", field="emails") from None
        if address not in found:
            found.append(address)
    if not found:
        raise ValidationError("Please type at least one email address.", field="emails")
    if len(found) > INVITES_MAX:
        raise ValidationError(f"Please invite {INVITES_MAX} people or fewer at a time.", field="emails")
    return found


def invite(*, actor: Actor, group: Group, emails: list[str], note: str = "") -> int:
    """A leader (or staff) invites people by email address, with a few words of their own if
    they like. Each address gets an invitation row with its own link; who is emailed:

    - someone on our list who is not in the group: our notice, as our other notices (bulk:
      never to an address that unsubscribed);
    - an address we do not know: the leader's own email, sent for them through the messaging
      core (`Message.Kind.ON_BEHALF`, as members' emails to offices: from the platform's
      address under their name, Reply-To theirs, our words, then theirs quoted, and the
      link) — a person asking a person; at most one such email an address a week, whichever
      group asks, and none to an address whose owner said no more (`messaging.decline`);
    - the group's members, and anyone this group invited in the last `INVITE_AGAIN_AFTER`:
      nothing, so a leader's repeated list does not become a stream of mail.

    Each inviter may invite `GROUP_INVITES_PER_DAY` addresses a day, staff too, counted on
    the invitations made whatever each address is. The answer, the number of addresses, is
    the same whatever each address is: a leader learns nothing about anyone from it."""
    inviter = actor.require_person()
    if not can_lead(actor, group):
        raise PermissionDenied("Only the group's leaders and organizers can invite people.")
    if group.status != Group.Status.ACTIVE:
        raise ValidationError("A group can invite people once an organizer has approved it.")
    addresses = _addresses(emails)
    note = clean_text(note)
    if len(note) > NOTE_MAX:
        raise ValidationError(f"Please keep your note under {NOTE_MAX} characters.", field="note")
    if primary_email(inviter) is None:
        raise ValidationError(
            "Please add an email address to your account first: the people you invite reply to it.",
            field="emails",
        )
    now = timezone.now()
    week_ago = now - INVITE_AGAIN_AFTER
    with transaction.atomic():
        # Under the inviter's lock: two submissions at once cannot both pass the day's count.
        Person.objects.select_for_update().filter(pk=inviter.pk).values_list("pk", flat=True).first()
        recent = set(
            Invitation.objects.filter(
                group=group,
                email__in=addresses,
                accepted_at__isnull=True,
                withdrawn_at__isnull=True,
                created_at__gte=week_ago,
            ).values_list("email", flat=True)
        )
        fresh = [address for address in addresses if address not in recent]
        today = Invitation.objects.filter(invited_by=inviter, created_at__gte=now - timedelta(days=1)).count()
        cap = settings.GROUP_INVITES_PER_DAY
        if today + len(fresh) > cap:
            raise ValidationError(
                f"You can invite {cap} people a day. Please send the rest tomorrow.", field="emails"
            )
        owners = dict(EmailAddress.objects.filter(address__in=fresh).values_list("address", "person_id"))
        members = set(
            Membership.objects.filter(
                group=group, status=Membership.Status.ACTIVE, person_id__in=owners.values()
            ).values_list("person_id", flat=True)
        )
        # Addresses we do not know that any group invited this week get no second email, and
        # those whose owners asked for no more (the link in every such email) get none.
        unknown = [address for address in fresh if address not in owners]
        asked = declined(unknown) | set(
            Invitation.objects.filter(email__in=unknown, created_at__gte=week_ago).values_list(
                "email", flat=True
            )
        )
        rows = [
            Invitation(group=group, email=address, invited_by=inviter, key=secrets.token_hex(16))
            for address in fresh
        ]
        Invitation.objects.bulk_create(rows)
        subject = f"{inviter.short_name} invites you to join {group.name}"
        words = _invitation_words(inviter, group)
        context = {}
        for invitation in rows:  # both databases hand back the new ids
            owner = owners.get(invitation.email)
            if owner is None:
                if invitation.email not in asked:
                    _invite_in_their_name(inviter, group, invitation, subject, words, note)
            elif owner not in members:
                context[owner] = {
                    "subject": subject,
                    "text": words,
                    "note": note,
                    "link": invitation_url(invitation),
                    "link_label": "See the invitation",
                }
        if context:
            # One message for this batch: each person's own link is in their delivery.
            digest = hashlib.sha256(uuid.uuid4().bytes).hexdigest()[:16]
            message = system_message(
                f"group-invite:{group.pk}:{digest}", template="event_notice", kind=Message.Kind.BULK
            )
            send(message=message, person_ids=list(context), context=context)
    return len(addresses)


def _invitation_words(inviter: Person, group: Group) -> str:
    where = group.area or ", ".join(part for part in (group.locality, group.region) if part)
    words = f"{inviter.short_name} invites you to join {group.name}, a local group of {settings.SITE_NAME}"
    return words + (f" in {where}." if where else ".")


def _invite_in_their_name(
    inviter: Person, group: Group, invitation: Invitation, subject: str, words: str, note: str
) -> None:
    """The leader's email to an address we do not know, sent for them: a delivery to the
    inviter whose context names the address. Our words come first and theirs are quoted
    after, so a note cannot pass for the movement's own. The message row holds no name (the
    words live in the delivery's context, cleared if the inviter is forgotten) and no author:
    it is not mail to the group's members, so it does not count against the day's cap."""
    message = Message.objects.create(
        key=f"{INVITE_MESSAGE_PREFIX}{invitation.pk}",
        kind=Message.Kind.ON_BEHALF,
        is_template=False,
        subject=f"An invitation to join {group.name}"[:255],
        body_text="",
        about=group.name[:255],
    )
    parts = [words]
    if note:
        quoted = "\n".join(f"> {line}" if line else ">" for line in note.splitlines())
        parts.append(f"{inviter.short_name} wrote:\n\n{quoted}")
    parts += [
        f"See the invitation and join: {invitation_url(invitation)}",
        "The link is yours and works once. If you'd rather not, just ignore this email.",
    ]
    send(
        message=message,
        person_ids=[inviter.pk],
        context={
            inviter.pk: {
                "to": invitation.email,
                "subject": subject,
                "text": "\n\n".join(parts),
                "decline_url": decline_url(invitation.email),
            }
        },
    )


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps([invitation.pk, invitation.key], salt=INVITATION_SALT, compress=True)


def invitation_for_token(token: str) -> Invitation:
    """The invitation a link carries; NotFound for a link that was changed or made up."""
    try:
        value = signing.loads(str(token or "")[:500], salt=INVITATION_SALT)
        invitation_id, key = int(value[0]), str(value[1])
    except (signing.BadSignature, ValueError, TypeError, IndexError, KeyError):
        raise NotFound("This invitation link isn't valid. Please use the link from your email.") from None
    invitation = (
        Invitation.objects.select_related("group", "invited_by").filter(pk=invitation_id, key=key).first()
    )
    if invitation is None:
        raise NotFound("This invitation link isn't valid. Please use the link from your email.")
    return invitation


def check_invitation(invitation: Invitation, person: Person | None = None) -> None:
    """Whether the invitation still opens its group (ValidationError saying why not)."""
    if invitation.withdrawn_at is not None:
        raise ValidationError("This invitation was withdrawn by the group's leaders.")
    if invitation.accepted_at is not None and (person is None or invitation.accepted_by_id != person.pk):
        raise ValidationError("This invitation has been used already.")
    if invitation.group.status != Group.Status.ACTIVE:
        raise ValidationError("This group isn't taking new members.")


def accept_invitation(*, actor: Actor, token: str) -> Membership:
    """A signed-in person joins through an invitation, whatever the group's join policy; the
    invitation is then used up. Credited to the inviter, through email."""
    person = actor.require_person()
    invitation = invitation_for_token(token)
    group = invitation.group
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().select_related("group").get(pk=invitation.pk)
        check_invitation(invitation, person)
        _refuse_blocked(person, group)
        now = timezone.now()
        defaults: dict[str, object] = {
            "status": Membership.Status.ACTIVE,
            "joined_at": now,
            "role_since": now,
        }
        membership, created = _locked_membership(group, person, defaults)
        joined = created or membership.status != Membership.Status.ACTIVE
        if joined:
            if not created:
                _activate(membership, now)
            record(
                person=person,
                verb=Verb.JOINED_GROUP,
                obj=group,
                actor=actor,
                channel=Channel.EMAIL,
                referrer_id=invitation.invited_by_id,
            )
        if invitation.accepted_at is None:
            invitation.accepted_by, invitation.accepted_at = person, now
            invitation.save(update_fields=["accepted_by", "accepted_at", "modified_at"])
    _forget_cached_membership(group)
    return membership


def withdraw_invitation(*, actor: Actor, invitation: Invitation) -> Invitation:
    """A leader (or staff) takes an invitation back: its link stops working."""
    if not can_lead(actor, invitation.group):
        raise PermissionDenied("Only the group's leaders and organizers can withdraw invitations.")
    if invitation.accepted_at is None and invitation.withdrawn_at is None:
        invitation.withdrawn_at = timezone.now()
        invitation.save(update_fields=["withdrawn_at", "modified_at"])
    return invitation


# --- Links and notices ---------------------------------------------------------------------


def _url(name: str, *args: object) -> str:
    try:
        return f"{settings.SITE_URL}{reverse(name, args=args)}"
    except NoReverseMatch:
        return f"{settings.SITE_URL}/groups/"


def group_url(group: Group) -> str:
    return _url("groups:detail", group.slug)


def requests_url(group: Group) -> str:
    return _url("groups:requests", group.slug)


def join_url_for(invitation: Invitation) -> str:
    """The join page for someone new to the movement who holds an invitation: joining through
    it credits the inviter, as their share link does."""
    return share_url(share_code_for(invitation.invited_by), Channel.EMAIL)


def invitation_url(invitation: Invitation) -> str:
    return _url("groups:invitation", invitation_token(invitation))


def _tell(key: str, person_ids: list[int], **context: str) -> int:
    """A one-off notice through the messaging core, each occasion (`key`) once. It shares
    events' notice template (`event_notice`: a greeting, the text, a note, one link)."""
    ids = [pid for pid in person_ids if pid is not None]
    if not ids:
        return 0
    context.setdefault("note", "")
    message = system_message(key[:50], template="event_notice")
    return send(message=message, person_ids=ids, context=dict.fromkeys(ids, context))
