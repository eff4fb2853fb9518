"""Shared fixtures for groups' tests (other apps' tests import them too: keep the names).

- `make_group(starter_user, **fields)`: an active group started through the service, the
  starter its leader; any model field (status, parent, join_policy…) can be given.
- `join(user, group, role=Membership.Role.MEMBER, core_title="")`: a person's active
  membership in that role, as if they had joined (with the JOINED_GROUP act).
"""

from typing import Any

import pytest
from django.utils import timezone

from groundswell.accounts.tests.factories import actor_of
from groundswell.activity.models import Verb
from groundswell.activity.services import record
from groundswell.groups.models import Group, Membership
from groundswell.groups.services.membership import GroupDetails, start_group

DETAIL_FIELDS = {"name", "description", "agreements", "postal_code", "area", "join_policy", "visibility"}


@pytest.fixture
def make_group(db: None, settings: Any):
    def make(starter_user: Any, **fields: Any) -> Group:
        details: dict[str, Any] = {"name": "Mission Neighbours", "postal_code": "94110"}
        details |= {name: value for name, value in fields.items() if name in DETAIL_FIELDS}
        parent = fields.get("parent")
        if isinstance(parent, Group):
            details["parent"] = parent.slug
        settings.GROUPS_NEED_APPROVAL = False
        group = start_group(actor=actor_of(starter_user), details=GroupDetails(**details))
        rest = {name: value for name, value in fields.items() if name not in DETAIL_FIELDS | {"parent"}}
        if rest:
            Group.objects.filter(pk=group.pk).update(**rest)
            group.refresh_from_db()
        return group

    return make


@pytest.fixture
def join(db: None):
    def make(user: Any, group: Group, role: str = Membership.Role.MEMBER, core_title: str = "") -> Membership:
        now = timezone.now()
        membership, _ = Membership.objects.update_or_create(
            group=group,
            person=user.person,
            defaults={
                "status": Membership.Status.ACTIVE,
                "role": role,
                "core_title": core_title,
                "joined_at": now,
                "role_since": now,
            },
        )
        record(person=user.person, verb=Verb.JOINED_GROUP, obj=group)
        if role == Membership.Role.LEADER:
            record(person=user.person, verb=Verb.LED_GROUP, obj=group)
        elif role == Membership.Role.CORE:
            record(person=user.person, verb=Verb.BECAME_CORE, obj=group)
        return membership

    return make
