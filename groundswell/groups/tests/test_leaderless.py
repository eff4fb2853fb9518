"""A group left without a leader: after GROUP_LEADERLESS_DAYS its core members and the
organizers are told by email, once, in a fixed number of queries however many groups."""

import itertools
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from groundswell.accounts.models import Role
from groundswell.accounts.tests.factories import actor_of
from groundswell.groups import tasks
from groundswell.groups.models import Group, Membership
from groundswell.groups.services import leading

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)


def make_group(starter, **fields) -> Group:
    number = next(_numbers)
    values = {"name": f"Hillside {number}", "slug": f"hillside-{number}", "started_by": starter.person}
    return Group.objects.create(**{**values, **fields})


def join(user, group, role=Membership.Role.MEMBER):
    now = timezone.now()
    return Membership.objects.create(
        group=group, person=user.person, role=role, joined_at=now, role_since=now
    )


@pytest.fixture
def left_alone(make_member, organizer):
    """A group whose only leader an organizer stepped back to member: leaderless from now."""
    leader, core_a, core_b, member = (make_member(n) for n in ("Lena", "Cora", "Cal", "Mo"))
    group = make_group(leader)
    join(leader, group, Membership.Role.LEADER)
    join(core_a, group, Membership.Role.CORE)
    join(core_b, group, Membership.Role.CORE)
    join(member, group)
    leading.set_role(actor=actor_of(organizer), group=group, person=leader.person, role="member")
    group.refresh_from_db()
    assert group.leaderless_since is not None
    return group, {"leader": leader, "core_a": core_a, "core_b": core_b, "member": member}


def run(days, capture, **kwargs):
    with capture(execute=True):
        return leading.tell_of_leaderless_groups(now=timezone.now() + timedelta(days=days), **kwargs)


def test_29_days_nothing_31_days_once_each(
    left_alone, organizer, make_member, django_capture_on_commit_callbacks
):
    group, people = left_alone
    admin = make_member("Ada", role=Role.ADMIN)
    make_member("Host", role=Role.HOST)  # not staff: not told
    assert run(29, django_capture_on_commit_callbacks) == 0
    assert not mail.outbox
    group.refresh_from_db()
    assert group.leaderless_told_at is None

    assert run(31, django_capture_on_commit_callbacks) == 4
    told = sorted(address for m in mail.outbox for address in m.to)
    expected = [people["core_a"].email, people["core_b"].email, organizer.email, admin.email]
    assert told == sorted(expected)
    assert all(group.name in m.body and f"{group.name} has no leader" == m.subject for m in mail.outbox)
    group.refresh_from_db()
    assert group.leaderless_told_at is not None

    assert run(32, django_capture_on_commit_callbacks) == 0  # the second run: nothing new
    assert len(mail.outbox) == 4


def test_told_again_only_after_a_new_leader_comes_and_goes(
    left_alone, organizer, django_capture_on_commit_callbacks
):
    group, people = left_alone
    run(31, django_capture_on_commit_callbacks)
    leading.set_role(actor=actor_of(organizer), group=group, person=people["core_a"].person, role="leader")
    group.refresh_from_db()
    assert group.leaderless_since is None and group.leaderless_told_at is None
    leading.set_role(actor=actor_of(organizer), group=group, person=people["core_a"].person, role="core")
    assert run(29, django_capture_on_commit_callbacks) == 0
    assert run(31, django_capture_on_commit_callbacks) == 3  # the two core members and the organizer


def test_only_active_leaderless_groups(make_member, organizer, django_capture_on_commit_callbacks):
    founder = make_member("Founder")
    long_ago = timezone.now() - timedelta(days=90)
    make_group(founder, status=Group.Status.ARCHIVED, leaderless_since=long_ago)
    make_group(founder, status=Group.Status.PENDING, leaderless_since=long_ago)
    make_group(founder, leaderless_since=long_ago, leaderless_told_at=long_ago)
    led = make_group(founder)
    join(founder, led, Membership.Role.LEADER)
    assert run(0, django_capture_on_commit_callbacks) == 0
    assert not mail.outbox


def test_one_email_per_person_for_many_groups_in_fixed_queries(
    make_member, organizer, django_capture_on_commit_callbacks
):
    """Ten leaderless groups: the organizer hears once, naming all ten; a core member of two
    once, naming both; and the run takes as many queries as it does for one group."""
    core = make_member("Cora")
    long_ago = timezone.now() - timedelta(days=40)

    def leaderless_groups(how_many):
        made = [make_group(core, leaderless_since=long_ago) for _ in range(how_many)]
        for group in made[:2]:
            join(core, group, Membership.Role.CORE)
        return made

    leaderless_groups(1)
    with CaptureQueriesContext(connection) as one:
        leading.tell_of_leaderless_groups()
    mail.outbox.clear()
    ten = leaderless_groups(10)
    # The run's queries, not the sending after it (the callbacks run as the outer one ends).
    with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as many:
        assert leading.tell_of_leaderless_groups() == 2
    assert len(many.captured_queries) == len(one.captured_queries)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {organizer.email, core.email}
    assert all(group.name in by_address[organizer.email].body for group in ten)
    assert by_address[organizer.email].subject == "Groups without a leader"
    assert [group.name in by_address[core.email].body for group in ten[:3]] == [True, True, False]


def test_the_celery_task_calls_it(left_alone, organizer, django_capture_on_commit_callbacks):
    group, _ = left_alone
    Group.objects.filter(pk=group.pk).update(leaderless_since=timezone.now() - timedelta(days=31))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.tell_of_leaderless_groups.delay().get() == 3
    assert tasks.tell_of_leaderless_groups() == 0
