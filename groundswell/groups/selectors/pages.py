"""What a group's page shows, as the actor looking may see it: its leaders and core members
(short names and named roles, never contact details), its size, the actor's own place in it,
its upcoming events, its sub-groups with their health, and its recent activity.

A fixed number of queries whatever the group's size: a page is read far more often than a
group changes.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from groundswell.accounts.actors import Actor
from groundswell.activity.models import Activity, ObjectKind, Verb
from groundswell.events.models import Event
from groundswell.events.selectors import listed_events
from groundswell.groups.models import Block, Group, Membership
from groundswell.groups.selectors.access import (
    active_block,
    can_lead,
    can_read_threads,
    membership_of,
)
from groundswell.groups.selectors.health import Health, health_of

EVENTS_SHOWN = 10
CHILDREN_SHOWN = 100
ACTIVITY_SHOWN = 12
# The acts a group's page tells of; nothing about leaving or asking (those are no one's news).
SHOWN_VERBS = {
    Verb.JOINED_GROUP: "joined",
    Verb.BECAME_CORE: "became a core member",
    Verb.LED_GROUP: "became a leader",
    Verb.POSTED: "started a conversation",
    Verb.REPLIED: "replied in a conversation",
}


@dataclass
class Happening:
    """One line of recent activity: "Maya joined", "Tenants' meeting (event)"."""

    at: datetime
    who: str = ""
    what: str = ""
    event: Event | None = None


@dataclass
class Child:
    group: Group
    health: Health


@dataclass
class GroupPage:
    group: Group
    membership: Membership | None
    block: Block | None
    leaders: list[Membership]
    core: list[Membership]
    members: int
    events: list[Event]
    children: list[Child]
    activity: list[Happening] | None  # None: this actor may not see it (a private group)
    can_lead: bool
    ancestors: list[Group] = field(default_factory=list)

    @property
    def state(self) -> str:
        """The actor's place, for the button: member, requested, blocked or none."""
        if self.membership is not None and self.membership.status == Membership.Status.ACTIVE:
            return "member"
        if self.membership is not None and self.membership.status == Membership.Status.REQUESTED:
            return "requested"
        return "blocked" if self.block is not None else "none"


def ancestors_of(group: Group, *, limit: int = 6) -> list[Group]:
    """Its parent, the parent's parent…, outermost first (a breadcrumb). One query a level,
    at most `limit` levels: national → region → local is three."""
    found: list[Group] = []
    step = group.parent  # loaded with the group by access_group
    while step is not None and len(found) < limit and step.pk != group.pk:
        found.append(step)
        step = Group.objects.filter(pk=step.parent_id).first() if step.parent_id else None
    return found[::-1]


def group_page(actor: Actor, group: Group, *, now: datetime | None = None) -> GroupPage:
    now = now or timezone.now()
    membership = membership_of(actor, group)
    roles = list(
        Membership.objects.filter(
            group=group,
            status=Membership.Status.ACTIVE,
            role__in=[Membership.Role.LEADER, Membership.Role.CORE],
        )
        .select_related("person")
        .order_by("role_since", "id")
    )
    members = Membership.objects.filter(group=group, status=Membership.Status.ACTIVE).count()
    children_rows = list(
        group.children.filter(status=Group.Status.ACTIVE).order_by("name", "id")[:CHILDREN_SHOWN]
    )
    health = health_of(children_rows, now=now) if children_rows else {}
    events = list(
        listed_events().filter(group=group, last_ends_at__gt=now).order_by("starts_at", "id")[:EVENTS_SHOWN]
    )
    return GroupPage(
        group=group,
        membership=membership,
        block=active_block(actor.person_id, group) if _may_be_blocked(membership) else None,
        leaders=[m for m in roles if m.role == Membership.Role.LEADER],
        core=[m for m in roles if m.role == Membership.Role.CORE],
        members=members,
        events=events,
        children=[Child(child, health[child.pk]) for child in children_rows],
        activity=recent_activity(group, now=now) if can_read_threads(actor, group) else None,
        can_lead=can_lead(actor, group),
        ancestors=ancestors_of(group),
    )


def _may_be_blocked(membership: Membership | None) -> bool:
    # Only someone outside the group is offered a join button a block would take away.
    return membership is None or membership.status == Membership.Status.LEFT


def recent_activity(group: Group, *, now: datetime, limit: int = ACTIVITY_SHOWN) -> list[Happening]:
    """New members (first names), role changes, conversation acts and the group's events,
    newest first. Two queries."""
    about_group = Q(object_kind=ObjectKind.GROUP, object_id=group.pk) | Q(
        context_kind=ObjectKind.GROUP, context_id=group.pk
    )
    acts = (
        Activity.objects.filter(about_group, verb__in=list(SHOWN_VERBS))
        .select_related("person")
        .only("verb", "occurred_at", "person__given_name")
        .order_by("-occurred_at", "-id")[:limit]
    )
    found = [
        Happening(
            at=act.occurred_at, who=act.person.given_name or "Someone", what=SHOWN_VERBS[Verb(act.verb)]
        )
        for act in acts
    ]
    events = (
        listed_events()
        .filter(group=group, created_at__lte=now)
        .only("uuid", "title", "starts_at", "time_zone", "created_at")
        .order_by("-created_at", "-id")[:limit]
    )
    found += [Happening(at=event.created_at, event=event) for event in events]
    found.sort(key=lambda item: item.at, reverse=True)
    return found[:limit]
