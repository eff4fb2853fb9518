"""Who may see a group, read its threads, lead it: the rules, in one place, decided from the
Actor and the actor's membership (one query, `membership_of`).

- An active group is found by anyone, public or private (a private group's name, place and
  leaders are listed so people can ask to join; its threads and member list are not).
- A group waiting for approval, or turned down, opens to its starter and staff only.
- A public group's threads are read by anyone; a private group's by its members and staff.
- Leading (the member list with contact details, approving requests, inviting, roles,
  messaging the group, its health, moderating in it) is for the group's leaders and staff.
- A blocked member may not post in the group or join it again until the block ends.

Anyone who may not see a group is told it does not exist (NotFound), never that it is
forbidden: an outsider guessing slugs or ids learns nothing of a pending group.
"""

import uuid

from django.db.models import Q, QuerySet
from django.utils import timezone

from groundswell.accounts.actors import Actor
from groundswell.core.errors import NotFound
from groundswell.groups.models import Block, Group, Membership

MISSING = "We couldn't find that group."


def membership_of(actor: Actor, group: Group) -> Membership | None:
    """The actor's membership of the group (asked, active or left), or None. Cached on the
    group for the request: every rule below reads it."""
    if actor.person is None:
        return None
    cache = group.__dict__.setdefault("_memberships", {})
    if actor.person.pk not in cache:
        cache[actor.person.pk] = Membership.objects.filter(group=group, person=actor.person).first()
    return cache[actor.person.pk]


def is_member(actor: Actor, group: Group) -> bool:
    membership = membership_of(actor, group)
    return membership is not None and membership.status == Membership.Status.ACTIVE


def is_leader(actor: Actor, group: Group) -> bool:
    membership = membership_of(actor, group)
    return (
        membership is not None
        and membership.status == Membership.Status.ACTIVE
        and membership.role == Membership.Role.LEADER
    )


def can_lead(actor: Actor, group: Group) -> bool:
    """The group's leaders and staff."""
    return actor.is_staff or is_leader(actor, group)


def can_see(actor: Actor, group: Group) -> bool:
    if group.status in (Group.Status.ACTIVE, Group.Status.ARCHIVED):
        return True
    return actor.is_staff or actor.is_person(group.started_by_id)


def can_read_threads(actor: Actor, group: Group) -> bool:
    if not can_see(actor, group):
        return False
    if group.visibility == Group.Visibility.PUBLIC:
        return True
    return actor.is_staff or is_member(actor, group)


def active_block(person_id: int | None, group: Group) -> Block | None:
    """The block keeping this person from the group now, if any."""
    if person_id is None:
        return None
    now = timezone.now()
    return (
        Block.objects.filter(group=group, person_id=person_id, lifted_at__isnull=True)
        .filter(Q(until__isnull=True) | Q(until__gt=now))
        .order_by("-created_at")
        .first()
    )


def groups_visible_to(actor: Actor) -> QuerySet[Group]:
    """Groups this actor may open, as a queryset to narrow further."""
    if actor.is_staff:
        return Group.objects.all()
    listed = Q(status__in=[Group.Status.ACTIVE, Group.Status.ARCHIVED])
    if actor.person is None:
        return Group.objects.filter(listed)
    return Group.objects.filter(listed | Q(started_by=actor.person))


def access_group(actor: Actor, slug_or_uuid: object, *, for_lead: bool = False) -> Group:
    """The group by slug or public id as this actor may see it (`for_lead`: may lead it);
    NotFound otherwise, whether or not it exists."""
    key = str(slug_or_uuid or "").strip()
    try:
        found = Group.objects.filter(uuid=uuid.UUID(key))
    except ValueError:
        found = Group.objects.filter(slug=key) if 0 < len(key) <= 80 else Group.objects.none()
    group = found.select_related("parent").first()
    allowed = group is not None and (can_lead(actor, group) if for_lead else can_see(actor, group))
    if not allowed:
        raise NotFound(MISSING)
    assert group is not None
    return group
