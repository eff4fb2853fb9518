"""The demo's groups and conversations: regions over local groups where members cluster,
thriving groups that METRICS H1 counts as self-sustaining and groups that faded after their
leader left, memberships whose history is in the log act for act, threads and posts cooked
as the services cook them, and the demo's member leading one group and a member of another."""

from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from groundswell.accounts.models import User
from groundswell.activity.models import Activity, ObjectKind, Verb
from groundswell.conversations.mentions import MENTION
from groundswell.conversations.models import LinkCard, Media, Mention, Post, Thread
from groundswell.core.markdown import cook
from groundswell.demo.generator import MEMBER_EMAIL, DemoResult, make_movement
from groundswell.demo.groups import REPLIES, TOPIC_REPLIES
from groundswell.events.models import Attendance, Event
from groundswell.groups.models import Group, Membership
from groundswell.groups.selectors.health import health_of

PEOPLE = 600
SEED = 3


@pytest.fixture
def movement(db: None) -> DemoResult:
    return make_movement(people=PEOPLE, seed=SEED)


def local_groups() -> list[Group]:
    return list(Group.objects.exclude(postal_code="").order_by("id"))


def group_acts(verb: Verb) -> Counter[tuple[int, int]]:
    """(group id, person id) → how many acts of this verb."""
    rows = Activity.objects.filter(verb=verb, object_kind=ObjectKind.GROUP).values_list(
        "object_id", "person_id"
    )
    return Counter((int(group or 0), person) for group, person in rows)


def self_sustaining(group: Group) -> bool:
    """METRICS H1, read from the rows and the log as the health panel reads them."""
    now = timezone.now()
    health = health_of([group])[group.pk]
    staff = set(User.objects.filter(is_staff=True).values_list("person_id", flat=True))
    members = Membership.objects.filter(group=group, status=Membership.Status.ACTIVE).values("person_id")
    participants = (
        Activity.objects.filter(
            person_id__in=members, verb=Verb.ATTENDED, occurred_at__gte=now - timedelta(days=180)
        )
        .values("person_id")
        .distinct()
        .count()
    )
    core = Membership.objects.filter(
        group=group, status=Membership.Status.ACTIVE, role=Membership.Role.CORE
    ).exclude(person_id__in=staff)
    return (
        any(leader.person.pk not in staff for leader in health.leaders)
        and core.count() >= 3
        and participants >= 10
        and health.months_with_events >= 3
        and health.hosts_90d >= 2
        and group.created_at <= now - timedelta(days=183)
    )


def test_regions_over_local_groups_with_both_kinds(movement: DemoResult) -> None:
    summary = movement.groups
    groups = local_groups()
    assert len(groups) == summary.groups >= 3
    assert Group.objects.count() == summary.rows["groups"] == summary.groups + summary.regions + 1
    # Regions have an area's name and no postcode; local groups sit in one, under their state's region.
    regions = Group.objects.filter(postal_code="", parent__isnull=False)
    assert regions.count() == summary.regions and all(region.area for region in regions)
    for group in groups:
        assert group.latitude is not None and group.parent is not None
        assert group.parent.area and group.parent.parent is not None  # national → region → local
    assert Membership.objects.count() == summary.memberships
    # A private group taking requests (some still waiting, with a note), and one by invitation.
    private = [g for g in groups if g.visibility == Group.Visibility.PRIVATE]
    assert private and private[0].join_policy == Group.JoinPolicy.REQUEST
    waiting = Membership.objects.filter(group=private[0], status=Membership.Status.REQUESTED)
    assert all(m.request_note and m.joined_at is None for m in waiting)
    # Core members carry a named role.
    core = Membership.objects.filter(role=Membership.Role.CORE, status=Membership.Status.ACTIVE)
    assert core.exists() and all(m.core_title for m in core)

    thriving = [g for g in groups if self_sustaining(g)]
    assert len(thriving) >= 1 and len(thriving) == summary.thriving
    faded = [g for g in groups if g.leaderless_since is not None]
    assert len(faded) == summary.faded >= 1
    health = health_of(faded)
    for group in faded:
        assert not self_sustaining(group)
        assert health[group.pk].leaders == [] and health[group.pk].months_with_events <= 1
        # Its leader stepped down and left on the day it became leaderless.
        starter, since = group.started_by_id, group.leaderless_since
        assert since is not None
        left = Activity.objects.get(verb=Verb.LEFT_GROUP, object_id=group.pk, person_id=starter)
        assert abs(left.occurred_at - since) < timedelta(seconds=1)
        assert Membership.objects.get(group=group, person_id=starter).status == Membership.Status.LEFT
        if since < timezone.now() - timedelta(days=30):
            assert group.leaderless_told_at is not None


def test_the_log_matches_the_memberships(movement: DemoResult) -> None:
    joined, left = group_acts(Verb.JOINED_GROUP), group_acts(Verb.LEFT_GROUP)
    led, core, down = group_acts(Verb.LED_GROUP), group_acts(Verb.BECAME_CORE), group_acts(Verb.STEPPED_DOWN)
    started = group_acts(Verb.STARTED_GROUP)
    asked = group_acts(Verb.ASKED_TO_JOIN_GROUP)
    assert sum(started.values()) == Group.objects.count()
    for m in Membership.objects.all():
        key = (m.group_id, m.person_id)
        if m.status == Membership.Status.REQUESTED:
            assert asked[key] == 1 and joined[key] == 0
            continue
        assert joined[key] == 1, m
        assert left[key] == (m.status == Membership.Status.LEFT)
        assert m.joined_at is not None
        if m.role == Membership.Role.LEADER:
            assert led[key] == 1 and m.status == Membership.Status.ACTIVE
        if m.role == Membership.Role.CORE:
            # Made core, or a starter who handed over and stayed on the core.
            assert core[key] + (led[key] and down[key]) == 1
    # Every act of a membership's history happened while it was theirs.
    first_join = {
        (a.object_id, a.person_id): a.occurred_at
        for a in Activity.objects.filter(verb=Verb.JOINED_GROUP, object_kind=ObjectKind.GROUP)
    }
    for verb in (Verb.LEFT_GROUP, Verb.BECAME_CORE, Verb.STEPPED_DOWN):
        for act in Activity.objects.filter(verb=verb, object_kind=ObjectKind.GROUP):
            assert act.occurred_at >= first_join[(act.object_id, act.person_id)]
    # The groups' meetings: the events services' acts, RSVPs by members.
    meetings = Event.objects.filter(group__isnull=False, title__endswith="monthly meeting")
    assert meetings.count() == movement.groups.events_added > 0
    hosted = set(Activity.objects.filter(verb=Verb.HOSTED).values_list("object_id", flat=True))
    assert set(meetings.values_list("pk", flat=True)) <= hosted
    rsvps = Attendance.objects.filter(event__in=meetings)
    acts = Counter(
        Activity.objects.filter(
            object_kind=ObjectKind.EVENT, object_id__in=meetings.values("pk")
        ).values_list("verb", flat=True)
    )
    assert acts[Verb.RSVPED] == rsvps.count()
    assert acts[Verb.ATTENDED] == acts[Verb.CHECKED_IN] == rsvps.filter(attended=True).count()
    members = set(Membership.objects.values_list("group_id", "person_id"))
    assert all((a.event.group_id, a.person_id) in members for a in rsvps.select_related("event"))


def test_conversations_are_written_as_the_services_write_them(movement: DemoResult) -> None:
    summary = movement.groups
    assert Thread.objects.count() == summary.threads and Post.objects.count() == summary.posts
    assert Thread.objects.filter(event__isnull=False).exists()
    assert Thread.objects.filter(advocacy_campaign__isnull=False).exists()
    acts = Counter(
        Activity.objects.filter(verb__in=[Verb.POSTED, Verb.REPLIED]).values_list("verb", flat=True)
    )
    assert acts[Verb.POSTED] == Thread.objects.count()
    assert acts[Verb.REPLIED] == Post.objects.filter(number__gt=1).count()
    posts_per_thread: dict[int, list[int]] = defaultdict(list)
    mentioned = set(Mention.objects.values_list("post_id", flat=True))
    membership = {
        (m.group_id, m.person_id): m.joined_at for m in Membership.objects.exclude(joined_at__isnull=True)
    }
    for post in Post.objects.select_related("thread"):
        posts_per_thread[post.thread_id].append(post.number)
        assert "<script" not in post.cooked
        if post.pk not in mentioned:
            assert post.cooked == cook(post.raw)
        else:
            assert '<span class="mention">@' in post.cooked
        if post.number > 1:  # a reply fits its thread: one for any thread, or the thread's own
            fitting = REPLIES + TOPIC_REPLIES.get(post.thread.title, ())
            assert any(reply in post.raw for reply in fitting), (post.thread.title, post.raw)
        if post.thread.group_id:
            joined_at = membership[(post.thread.group_id, post.author_id)]
            assert joined_at is not None and joined_at <= post.created_at
    for thread in Thread.objects.all():
        assert sorted(posts_per_thread[thread.pk]) == list(range(1, thread.post_count + 1))
    assert Mention.objects.count() == Activity.objects.filter(verb=Verb.WAS_MENTIONED).count() > 0
    # Links, with ready cards (no network) and tags shared across groups.
    media = Media.objects.filter(kind=Media.Kind.LINK)
    assert media.count() == summary.links > 0
    assert not LinkCard.objects.exclude(status=LinkCard.Status.READY).exists()
    assert all(card.url.startswith("https://example.org/") for card in LinkCard.objects.all())
    groups_per_tag: dict[str, set[int]] = defaultdict(set)
    for item in media.select_related("post__thread").prefetch_related("tags"):
        for tag in item.tags.all():
            groups_per_tag[tag.slug].add(item.post.thread.group_id or 0)
    assert any(len(groups) > 1 for groups in groups_per_tag.values())


def test_the_demo_member_leads_one_group_and_is_in_another(movement: DemoResult) -> None:
    user = User.objects.get(email=MEMBER_EMAIL)
    mine = Membership.objects.filter(person=user.person, status=Membership.Status.ACTIVE)
    roles = Counter(mine.values_list("role", flat=True))
    assert roles[Membership.Role.LEADER] >= 1 and roles[Membership.Role.MEMBER] >= 1
    client = Client()
    client.force_login(user)
    led = mine.get(role=Membership.Role.LEADER).group
    assert client.get(f"/groups/{led.slug}/").status_code == 200
    assert client.get(f"/groups/{led.slug}/lead/").status_code == 200


def test_the_same_seed_makes_the_same_groups(db: None) -> None:
    def run() -> tuple[object, ...]:
        """The demo's groups in an empty database, rolled back after."""
        with transaction.atomic():
            make_movement(people=400, seed=SEED)
            groups = Group.objects.order_by("id")
            found = (
                [
                    (g.name, g.postal_code, g.join_policy, g.visibility, g.leaderless_since is None)
                    for g in groups
                ],
                sorted(Counter(Membership.objects.values_list("group__name", "status", "role")).items()),
                # A mention names a person by their public id, which is random.
                [
                    (n, MENTION.sub("@", raw))
                    for n, raw in Post.objects.order_by("id").values_list("number", "raw")
                ],
                Activity.objects.filter(object_kind=ObjectKind.GROUP).count(),
            )
            transaction.set_rollback(True)
        return found

    first, second = run(), run()
    assert first == second
    assert first[0] and first[2]
