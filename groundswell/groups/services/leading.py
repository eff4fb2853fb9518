"""What a group's leaders do: give and take roles, hand over, remove a member, write to the
group, host its events, and the notice to core members and organizers when a group has had
no leader for a while.

Every service takes the actor and checks it (`access.can_lead`: the group's leaders and
staff). Each role change is one act in the log with the group as its object, the person
whose role changed as the act's person and whoever changed it as its actor: LED_GROUP
(became a leader), BECAME_CORE, STEPPED_DOWN (a role taken away or lowered), LEFT_GROUP
(removed). `Group.leaderless_since` is kept true here: set when the last leader stops being
one, cleared (with `leaderless_told_at`) when someone becomes a leader.
"""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from groundswell.accounts.actors import Actor
from groundswell.accounts.models import STAFF_ROLES, User
from groundswell.activity.models import Verb
from groundswell.activity.services import record
from groundswell.core import ratelimit
from groundswell.core.errors import NotFound, PermissionDenied, ValidationError
from groundswell.core.text import clean_line, clean_text
from groundswell.events import services as events
from groundswell.events.models import CalendarFeed, Event
from groundswell.groups.models import Group, Membership
from groundswell.groups.selectors.access import can_lead, is_member, membership_of
from groundswell.groups.signals import member_removed
from groundswell.messaging.models import Message
from groundswell.messaging.services import check_member_mail_cap, send, system_message
from groundswell.people.models import Person

CORE_TITLE_MAX = 60
REASON_MAX = 500
SUBJECT_MAX = events.SUBJECT_MAX
MESSAGE_MAX = events.MESSAGE_MAX
# A role's rank: moving up is BECAME_CORE or LED_GROUP, moving down STEPPED_DOWN.
RANK = {Membership.Role.MEMBER: 0, Membership.Role.CORE: 1, Membership.Role.LEADER: 2}
LAST_LEADER = (
    "You're the group's only leader: hand over to another member first, so the group isn't "
    "left without one. (An organizer can still do this if it has to happen.)"
)
# The generic one-off notice (a subject, a line of text and a link) that events' notices use.
NOTICE_TEMPLATE = "event_notice"


def require_lead(actor: Actor, group: Group) -> None:
    if not can_lead(actor, group):
        raise PermissionDenied("Only the group's leaders and organizers can do that.")


def _group_url(group: Group, *, lead: bool = False) -> str:
    return f"{settings.SITE_URL}/groups/{group.slug}/{'lead/' if lead else ''}"


def _locked_group(group: Group) -> Group:
    """The group's row, locked: leaders are counted and `leaderless_since` set under it, so
    two leaders stepping down at once cannot both pass the "last leader" check."""
    return Group.objects.select_for_update().get(pk=group.pk)


def _active_membership(group: Group, person: Person | int) -> Membership:
    person_id = person if isinstance(person, int) else person.pk
    membership = (
        Membership.objects.select_for_update()
        .select_related("person")
        .filter(group=group, person_id=person_id, status=Membership.Status.ACTIVE)
        .first()
    )
    if membership is None:
        raise ValidationError("That person isn't an active member of this group.", field="person")
    return membership


def _other_leaders(group: Group, membership: Membership) -> bool:
    return (
        Membership.objects.filter(group=group, status=Membership.Status.ACTIVE, role=Membership.Role.LEADER)
        .exclude(pk=membership.pk)
        .exists()
    )


def _clean_title(core_title: str) -> str:
    title = clean_line(core_title or "")
    if len(title) > CORE_TITLE_MAX:
        raise ValidationError(
            f"Please keep the role's name to {CORE_TITLE_MAX} characters or fewer.", field="core_title"
        )
    return title


def _change_role(
    actor: Actor,
    group: Group,
    membership: Membership,
    role: Membership.Role,
    core_title: str,
    *,
    now: datetime,
) -> Membership:
    """Move one active membership to `role` and log it; the caller holds the group's lock
    and has checked who may. Keeps `leaderless_since` true."""
    before = Membership.Role(membership.role)
    title = core_title if role == Membership.Role.CORE else ""
    if before == role:
        if membership.core_title != title:  # a new name for the same role: no act
            membership.core_title = title
            membership.save(update_fields=["core_title", "modified_at"])
        return membership
    membership.role, membership.core_title, membership.role_since = role, title, now
    membership.save(update_fields=["role", "core_title", "role_since", "modified_at"])
    if RANK[role] > RANK[before]:
        verb = Verb.LED_GROUP if role == Membership.Role.LEADER else Verb.BECAME_CORE
    else:
        verb = Verb.STEPPED_DOWN
    record(person=membership.person, verb=verb, obj=group, actor=actor)
    if role == Membership.Role.LEADER:
        _led(group)
    elif before == Membership.Role.LEADER and not _other_leaders(group, membership):
        _leaderless(group, now)
    return membership


def _led(group: Group) -> None:
    if group.leaderless_since is not None or group.leaderless_told_at is not None:
        group.leaderless_since = group.leaderless_told_at = None
        group.save(update_fields=["leaderless_since", "leaderless_told_at", "modified_at"])


def _leaderless(group: Group, now: datetime) -> None:
    group.leaderless_since, group.leaderless_told_at = now, None
    group.save(update_fields=["leaderless_since", "leaderless_told_at", "modified_at"])


def note_leaders(group: Group, *, now: datetime | None = None) -> None:
    """Bring `leaderless_since` in step with the group's leaders now: for a service that
    ends a leader's membership elsewhere (leaving the group), inside its transaction."""
    has_leader = Membership.objects.filter(
        group=group, status=Membership.Status.ACTIVE, role=Membership.Role.LEADER
    ).exists()
    if has_leader:
        _led(group)
    elif group.leaderless_since is None:
        _leaderless(group, now or timezone.now())


def set_role(
    *, actor: Actor, group: Group, person: Person | int, role: str, core_title: str = ""
) -> Membership:
    """A leader (or an organizer) gives an active member a role: member, core (with a named
    role, "events coordinator") or leader. The group's last leader cannot lower themselves
    (they hand over first); an organizer can."""
    require_lead(actor, group)
    try:
        wanted = Membership.Role(role)
    except ValueError:
        raise ValidationError("Please choose member, core member or leader.", field="role") from None
    title = _clean_title(core_title)
    now = timezone.now()
    with transaction.atomic():
        locked = _locked_group(group)
        membership = _active_membership(locked, person)
        if (
            membership.role == Membership.Role.LEADER
            and wanted != Membership.Role.LEADER
            and not actor.is_staff
            and not _other_leaders(locked, membership)
        ):
            raise ValidationError(LAST_LEADER, field="role")
        _change_role(actor, locked, membership, wanted, title, now=now)
    _refresh(group, locked)
    return membership


def step_down(*, actor: Actor, group: Group, to_role: str = Membership.Role.MEMBER) -> Membership:
    """A leader or core member gives up their role (a leader may stay core). The group's
    last leader hands over first; an organizer who leads it may step down all the same."""
    person = actor.require_person()
    try:
        wanted = Membership.Role(to_role)
    except ValueError:
        raise ValidationError("Please choose member or core member.", field="role") from None
    now = timezone.now()
    with transaction.atomic():
        locked = _locked_group(group)
        membership = Membership.objects.select_for_update().filter(group=locked, person=person).first()
        if membership is None or membership.status != Membership.Status.ACTIVE:
            raise ValidationError("You aren't a member of this group.")
        before = Membership.Role(membership.role)
        if RANK[wanted] >= RANK[before]:
            raise ValidationError("You have no role here to step down from.")
        if before == Membership.Role.LEADER and not actor.is_staff and not _other_leaders(locked, membership):
            raise ValidationError(LAST_LEADER)
        membership.person = person
        _change_role(actor, locked, membership, wanted, membership.core_title, now=now)
    _refresh(group, locked)
    return membership


def hand_over(
    *,
    actor: Actor,
    group: Group,
    to_person: Person | int,
    stay_as: str = Membership.Role.MEMBER,
    core_title: str = "",
) -> Membership:
    """A leader makes another active member a leader and steps down (to member, or to core
    with a named role) in one transaction. The new leader is told by email."""
    me = actor.require_person()
    try:
        staying = Membership.Role(stay_as)
    except ValueError:
        raise ValidationError("Please choose member or core member.", field="stay_as") from None
    if staying == Membership.Role.LEADER:
        raise ValidationError("Please choose member or core member.", field="stay_as")
    title = _clean_title(core_title)
    now = timezone.now()
    with transaction.atomic():
        locked = _locked_group(group)
        mine = Membership.objects.select_for_update().filter(group=locked, person=me).first()
        if mine is None or mine.status != Membership.Status.ACTIVE or mine.role != Membership.Role.LEADER:
            raise PermissionDenied("Only a leader of the group can hand it over.")
        theirs = _active_membership(locked, to_person)
        if theirs.pk == mine.pk:
            raise ValidationError("Please choose another member to hand over to.", field="person")
        if theirs.role == Membership.Role.LEADER:
            raise ValidationError(
                f"{theirs.person.display_name} is already a leader: you can simply step down.", field="person"
            )
        _change_role(actor, locked, theirs, Membership.Role.LEADER, "", now=now)
        mine.person = me
        _change_role(actor, locked, mine, staying, title, now=now)
        notice = system_message(f"group-lead:{theirs.pk}:{int(now.timestamp())}", template=NOTICE_TEMPLATE)
        context = {
            "subject": f"You're now a leader of {locked.name}",
            "text": f"{me.display_name} has handed the leadership of {locked.name} to you. "
            "Your leaders' page has the member list, the group's events and its health.",
            "link": _group_url(locked, lead=True),
            "link_label": "Open the leaders' page",
        }
        send(message=notice, person_ids=[theirs.person_id], context={theirs.person_id: context})
    _refresh(group, locked)
    return theirs


def remove_member(*, actor: Actor, group: Group, person: Person | int, reason: str) -> Membership:
    """A leader or an organizer removes someone from the group, saying why; they are told,
    with the reason. The row stays (status LEFT) so a rejoin keeps its history."""
    require_lead(actor, group)
    why = clean_text(reason or "")
    if not why:
        raise ValidationError("Please say why (the person is told).", field="reason")
    if len(why) > REASON_MAX:
        raise ValidationError(f"Please keep the reason under {REASON_MAX} characters.", field="reason")
    now = timezone.now()
    with transaction.atomic():
        locked = _locked_group(group)
        membership = _active_membership(locked, person)
        was_leader = membership.role == Membership.Role.LEADER
        if was_leader and not actor.is_staff and not _other_leaders(locked, membership):
            raise ValidationError(LAST_LEADER, field="reason")
        membership.status, membership.role, membership.core_title = (
            Membership.Status.LEFT,
            Membership.Role.MEMBER,
            "",
        )
        membership.role_since = now
        membership.save(update_fields=["status", "role", "core_title", "role_since", "modified_at"])
        record(person=membership.person, verb=Verb.LEFT_GROUP, obj=locked, actor=actor)
        if was_leader and not _other_leaders(locked, membership):
            _leaderless(locked, now)
        member_removed.send(
            sender=Membership,
            group=locked,
            moderator=actor.require_person(),
            person_id=membership.person_id,
            reason=why,
        )
        if not actor.is_person(membership.person_id):
            notice = system_message(
                f"group-removed:{membership.pk}:{int(now.timestamp())}", template=NOTICE_TEMPLATE
            )
            context = {
                "subject": f"You're no longer a member of {locked.name}",
                "text": f"A leader of {locked.name} removed you from the group. They said: {why}",
                "link": f"{settings.SITE_URL}/groups/",
                "link_label": "Find other groups",
            }
            send(message=notice, person_ids=[membership.person_id], context={membership.person_id: context})
    _refresh(group, locked)
    return membership


def _refresh(group: Group, locked: Group) -> None:
    """The caller's group object takes the locked row's leaderless fields, and forgets the
    cached memberships (a page rendered after the change reads them again)."""
    group.leaderless_since, group.leaderless_told_at = locked.leaderless_since, locked.leaderless_told_at
    group.__dict__.pop("_memberships", None)


def message_group(*, actor: Actor, group: Group, subject: str, text: str) -> int:
    """A leader or core member (or an organizer) writes to the group's active members
    through the messaging core: member-written mail, sent as written, skipping unsubscribed and bouncing
    addresses, with a footer naming the author and why the reader has it. Members share the
    `member_mail` rate limit and the day's cap (`HOST_MESSAGES_PER_DAY`, counted with their
    messages to attendees and signers, under a lock); organizers are not limited. Returns
    how many are queued."""
    if not can_host_for(actor, group):
        raise PermissionDenied("Only the group's leaders, core members and organizers can write to it.")
    author = actor.require_person()
    subject, text = clean_line(subject or ""), clean_text(text or "")
    if not subject:
        raise ValidationError("Please write a subject.", field="subject")
    if len(subject) > SUBJECT_MAX:
        raise ValidationError(f"Please keep the subject under {SUBJECT_MAX} characters.", field="subject")
    if not text:
        raise ValidationError("Please write a message.", field="text")
    if len(text) > MESSAGE_MAX:
        raise ValidationError("Please shorten the message.", field="text")
    recipients = list(
        Membership.objects.filter(group=group, status=Membership.Status.ACTIVE)
        .exclude(person=author)
        .values_list("person_id", flat=True)
    )
    if not recipients:
        raise ValidationError("Nobody else is in the group yet.")
    if not actor.is_staff:
        ratelimit.check("member_mail", ip=None, person_id=author.pk)
    with transaction.atomic():
        if not actor.is_staff:
            check_member_mail_cap(author)
        mine = membership_of(actor, group)
        role = "an organizer writing to"
        if mine is not None and mine.status == Membership.Status.ACTIVE:
            role = {Membership.Role.LEADER: "a leader of", Membership.Role.CORE: "a core member of"}.get(
                Membership.Role(mine.role), role
            )
        message = Message.objects.create(
            kind=Message.Kind.MEMBER,
            subject=subject,
            body_text=text,
            is_template=False,
            author=author,
            author_role=role,
            about=group.name[:255],
            reason=f"You're getting it because you're a member of {group.name}."[:300],
        )
        record(person=author, verb=Verb.MESSAGED_GROUP, obj=group, actor=actor)
        return send(message=message, person_ids=recipients)


def can_host_for(actor: Actor, group: Group) -> bool:
    """The group's team: its leaders, core members and staff. They host events as the
    group's and write to the whole group."""
    if actor.is_staff:
        return True
    membership = membership_of(actor, group)
    return (
        is_member(actor, group)
        and membership is not None
        and membership.role in (Membership.Role.CORE, Membership.Role.LEADER)
    )


def host_group_event(*, actor: Actor, group: Group, details: events.EventDetails) -> Event:
    """A leader, core member or organizer hosts an event as the group's, through events' own
    service (its checks, approval and acts), and the event is marked as the group's."""
    if not can_host_for(actor, group):
        raise PermissionDenied("Only the group's leaders, core members and organizers can host its events.")
    if group.status != Group.Status.ACTIVE:
        raise ValidationError("This group isn't active, so it can't host events.")
    with transaction.atomic():
        event = events.host_event(actor=actor, details=details)
        event.group = group
        event.save(update_fields=["group", "modified_at"])
    return event


# --- The group's calendar at a private address (for a private group's members) -----------

FEED_SALT = "groundswell.groups.feed"


def feed_token(group: Group, person: Person) -> str:
    """The secret of a member's address for this group's calendar. It carries the key of the
    member's own calendar address (events' `CalendarFeed`), so "a new calendar address" on
    My events retires these too."""
    feed, _ = CalendarFeed.objects.get_or_create(person=person)
    return signing.Signer(salt=FEED_SALT).sign_object(
        [str(group.uuid), str(person.uuid), feed.key], compress=True
    )


def member_for_feed(group: Group, token: str | None) -> Person:
    """The active member whose address this is, or NotFound (a forged or retired link, or a
    member who has left)."""
    not_valid = NotFound("This calendar address is not valid any more.")
    try:
        value = signing.Signer(salt=FEED_SALT).unsign_object(token or "")
    except (signing.BadSignature, ValueError):
        raise not_valid from None
    if not (isinstance(value, list) and len(value) == 3 and value[0] == str(group.uuid)):
        raise not_valid
    feed = CalendarFeed.objects.select_related("person").filter(person__uuid=value[1]).first()
    if feed is None or feed.key != value[2]:
        raise not_valid
    if not Membership.objects.filter(
        group=group, person=feed.person, status=Membership.Status.ACTIVE
    ).exists():
        raise not_valid
    return feed.person


# --- A group without a leader ----------------------------------------------------------------


def _day(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {local:%B %Y}"


def tell_of_leaderless_groups(*, now: datetime | None = None) -> int:
    """Tell the core members of each active group that has had no leader for
    `GROUP_LEADERLESS_DAYS`, and the organizers, once (`leaderless_told_at`). One email per
    person however many groups it names, and a fixed number of queries however many groups
    there are. Returns how many emails are queued."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.GROUP_LEADERLESS_DAYS)
    with transaction.atomic():
        groups = list(
            Group.objects.select_for_update()
            .filter(status=Group.Status.ACTIVE, leaderless_since__lte=cutoff, leaderless_told_at__isnull=True)
            .order_by("name", "id")
        )
        if not groups:
            return 0
        by_id = {group.pk: group for group in groups}
        told: dict[int, list[Group]] = {}
        for group_id, person_id in Membership.objects.filter(
            group_id__in=by_id, status=Membership.Status.ACTIVE, role=Membership.Role.CORE
        ).values_list("group_id", "person_id"):
            told.setdefault(person_id, []).append(by_id[group_id])
        organizers = User.objects.filter(
            role__in=list(STAFF_ROLES), is_active=True, person__isnull=False
        ).values_list("person_id", flat=True)
        for person_id in organizers:
            told[person_id] = groups  # organizers hear of every one
        context = {}
        for person_id, theirs in told.items():
            names = "; ".join(
                f"{group.name} (no leader since {_day(group.leaderless_since)}): {_group_url(group)}"
                for group in theirs
                if group.leaderless_since is not None
            )
            several = len(theirs) > 1
            context[person_id] = {
                "subject": "Groups without a leader" if several else f"{theirs[0].name} has no leader",
                "text": f"{'These groups have' if several else 'This group has'} had no leader for over "
                f"{settings.GROUP_LEADERLESS_DAYS} days: {names}. Could someone step up? A leader "
                "can be made by an organizer, or by talking it over in the group.",
                "link": f"{settings.SITE_URL}/groups/",
                "link_label": "See the groups",
            }
        Group.objects.filter(pk__in=by_id).update(leaderless_told_at=now)
        if not context:
            return 0
        # A message of its own per run (each group is told once: `leaderless_told_at`).
        notice = system_message(f"groups-leaderless:{uuid.uuid4().hex}", template=NOTICE_TEMPLATE)
        return send(message=notice, person_ids=list(context), context=context)
