"""A group with one of each persona, for the conversations' tests."""

from dataclasses import dataclass

import pytest

from groundswell.accounts.models import Role, User
from groundswell.conversations.tests.helpers import add_member, make_group
from groundswell.groups.models import Block, Group, Membership


@dataclass
class Cast:
    group: Group
    leader: User
    core: User
    member: User
    blocked: User
    outsider: User
    organizer: User

    def persona(self, name: str) -> User | None:
        return None if name == "anonymous" else getattr(self, name)


def _cast(make_member, *, private: bool) -> Cast:
    leader = make_member("Lena")
    group = make_group(leader, private=private, agreements="- Assume good faith\n- No selling")
    add_member(group, leader, Membership.Role.LEADER)
    core = make_member("Cora")
    add_member(group, core, Membership.Role.CORE)
    member = make_member("Maya")
    add_member(group, member)
    blocked = make_member("Boris")
    add_member(group, blocked)
    Block.objects.create(group=group, person=blocked.person, reason="spam", blocked_by=leader.person)
    return Cast(
        group=group,
        leader=leader,
        core=core,
        member=member,
        blocked=blocked,
        outsider=make_member("Otto"),
        organizer=make_member("Olu", role=Role.ORGANIZER),
    )


@pytest.fixture
def cast(make_member) -> Cast:
    """A public group: leader, core member, member, blocked member, outsider, organizer."""
    return _cast(make_member, private=False)


@pytest.fixture
def private_cast(make_member) -> Cast:
    return _cast(make_member, private=True)
