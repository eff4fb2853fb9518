"""Starting, joining, leaving, join requests and approving new groups: the services, with a
row per persona (anonymous, outsider, member, core member, leader, organizer)."""

import threading

import pytest
from django.db import connection

from groundswell.accounts.actors import ANONYMOUS
from groundswell.accounts.models import Role
from groundswell.accounts.tests.factories import MemberFactory, actor_of
from groundswell.activity.models import Activity, ObjectKind, Verb
from groundswell.core.errors import NotFound, PermissionDenied, ValidationError
from groundswell.groups.models import Block, Group, Membership
from groundswell.groups.selectors.access import access_group
from groundswell.groups.services import membership as services
from groundswell.groups.services.membership import GroupDetails
from groundswell.messaging.models import Delivery

pytestmark = pytest.mark.django_db
PERSONAS = ["anonymous", "outsider", "member", "core", "leader", "organizer"]


@pytest.fixture
def cast(make_group, join):
    people = {
        "leader": MemberFactory.create(given_name="Lena"),
        "core": MemberFactory.create(given_name="Cora"),
        "member": MemberFactory.create(given_name="Maya"),
        "outsider": MemberFactory.create(given_name="Otto"),
        "organizer": MemberFactory.create(given_name="Olu", role=Role.ORGANIZER),
    }
    group = make_group(people["leader"], name="Mission Tenants")
    join(people["core"], group, role=Membership.Role.CORE, core_title="Events coordinator")
    join(people["member"], group)
    return group, people


def as_actor(people, persona):
    return ANONYMOUS if persona == "anonymous" else actor_of(people[persona])


def verbs(person, group):
    return list(
        Activity.objects.filter(person=person, object_kind=ObjectKind.GROUP, object_id=group.pk)
        .order_by("id")
        .values_list("verb", flat=True)
    )


# --- Starting ---------------------------------------------------------------------------------


def test_starting_a_group_makes_the_starter_its_leader_with_the_acts(member):
    group = services.start_group(
        actor=actor_of(member),
        details=GroupDetails(
            name="  Mission  Tenants ", description="We **meet** <script>x</script>", postal_code="94110"
        ),
    )
    assert group.status == Group.Status.ACTIVE
    assert group.name == "Mission Tenants" and group.slug == "mission-tenants"
    assert "<strong>meet</strong>" in group.description_html and "<script" not in group.description_html
    assert (group.locality, group.region) == ("San Francisco", "CA") and group.latitude is not None
    leader = Membership.objects.get(group=group, person=member.person)
    assert (leader.status, leader.role) == (Membership.Status.ACTIVE, Membership.Role.LEADER)
    assert leader.joined_at and leader.role_since
    assert verbs(member.person, group) == [Verb.STARTED_GROUP, Verb.JOINED_GROUP, Verb.LED_GROUP]


def test_a_region_has_an_area_and_no_postcode(organizer):
    group = services.start_group(
        actor=actor_of(organizer), details=GroupDetails(name="NorCal", area="Northern California")
    )
    assert group.area == "Northern California" and group.latitude is None


def test_a_clashing_name_gets_a_random_mark_and_reserved_words_too(member, outsider):
    first = services.start_group(
        actor=actor_of(member), details=GroupDetails(name="Oakland", postal_code="94607")
    )
    second = services.start_group(
        actor=actor_of(outsider), details=GroupDetails(name="Oakland", postal_code="94607")
    )
    assert (
        first.slug == "oakland"
        and second.slug.startswith("oakland-")
        and len(second.slug) == len("oakland-") + 5
    )
    start = services.start_group(
        actor=actor_of(member), details=GroupDetails(name="Start", postal_code="94607")
    )
    assert start.slug != "start"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   \u202e "}, "name"),
        ({"name": "x" * 500}, "name"),
        ({"name": "!!!"}, "name"),
        ({"postal_code": "00000"}, "postal_code"),
        ({"postal_code": "1234"}, "postal_code"),
        ({"postal_code": "SW1A 1AA"}, "postal_code"),
        ({"postal_code": "<script>"}, "postal_code"),
        ({"postal_code": "", "area": ""}, "postal_code"),
        ({"area": "a" * 500}, "area"),
        ({"description": "d" * 20_001}, "description"),
        ({"join_policy": "everyone"}, "join_policy"),
        ({"visibility": "secret"}, "visibility"),
        ({"parent": "no-such-group"}, "parent"),
    ],
)
def test_bad_details_are_refused_with_the_field_and_nothing_saved(member, fields, field):
    details = {"name": "Good name", "postal_code": "94110"} | fields
    with pytest.raises(ValidationError) as refused:
        services.start_group(actor=actor_of(member), details=GroupDetails(**details))
    assert refused.value.field == field
    assert (
        not Group.objects.exists()
        and not Membership.objects.exists()
        and not Activity.objects.filter(verb=Verb.STARTED_GROUP).exists()
    )


def test_a_pending_parent_is_refused_and_to_an_outsider_it_reads_as_missing(
    make_group, member, outsider, settings
):
    settings.GROUPS_NEED_APPROVAL = True
    waiting = services.start_group(
        actor=actor_of(member), details=GroupDetails(name="Waiting", postal_code="94110")
    )
    assert waiting.status == Group.Status.PENDING
    for user, message in ((outsider, "couldn't find"), (member, "isn't open")):
        with pytest.raises(ValidationError, match=message) as refused:
            services.start_group(
                actor=actor_of(user),
                details=GroupDetails(name="Child", postal_code="94110", parent=waiting.slug),
            )
        assert refused.value.field == "parent"


def test_a_group_cannot_be_its_own_ancestor(make_group, member):
    region = make_group(member, name="Region")
    local = make_group(member, name="Local", parent=region)
    details = GroupDetails(name="Region", postal_code="94110", parent=local.slug)
    with pytest.raises(ValidationError, match="part of itself"):
        services.update_group(actor=actor_of(member), group=region, details=details)


def test_with_approval_on_a_members_group_waits_and_staffs_does_not(member, organizer, settings):
    settings.GROUPS_NEED_APPROVAL = True
    mine = services.start_group(
        actor=actor_of(member), details=GroupDetails(name="Mine", postal_code="94110")
    )
    theirs = services.start_group(
        actor=actor_of(organizer), details=GroupDetails(name="Theirs", postal_code="94110")
    )
    assert mine.status == Group.Status.PENDING and mine.slug.startswith("mine-")
    assert theirs.status == Group.Status.ACTIVE and theirs.slug == "theirs"


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_change_a_group(cast, persona):
    group, people = cast
    details = GroupDetails(name="New name", description="*new*", postal_code="94110")
    actor = as_actor(people, persona)
    if persona in ("leader", "organizer"):
        services.update_group(actor=actor, group=group, details=details)
        group.refresh_from_db()
        assert group.name == "New name" and group.description_html == "<p><em>new</em></p>\n"
    else:
        with pytest.raises(PermissionDenied):
            services.update_group(actor=actor, group=group, details=details)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_approve_a_new_group(member, settings, persona, cast):
    _, people = cast
    settings.GROUPS_NEED_APPROVAL = True
    waiting = services.start_group(
        actor=actor_of(member), details=GroupDetails(name="Waiting", postal_code="94110")
    )
    actor = as_actor(people, persona)
    if persona == "organizer":
        services.approve_group(actor=actor, group=waiting)
        waiting.refresh_from_db()
        assert waiting.status == Group.Status.ACTIVE
        assert Activity.objects.filter(verb=Verb.APPROVED_GROUP, person=people["organizer"].person).exists()
        assert Delivery.objects.filter(person=member.person, message__key__startswith="group-review").exists()
    else:
        with pytest.raises(PermissionDenied):
            services.approve_group(actor=actor, group=waiting)


def test_turning_a_group_down_needs_a_reason_and_tells_the_starter(member, organizer, settings):
    settings.GROUPS_NEED_APPROVAL = True
    waiting = services.start_group(
        actor=actor_of(member), details=GroupDetails(name="Waiting", postal_code="94110")
    )
    with pytest.raises(ValidationError):
        services.reject_group(actor=actor_of(organizer), group=waiting, note="  ")
    services.reject_group(
        actor=actor_of(organizer), group=waiting, note="Please join Mission Tenants instead."
    )
    waiting.refresh_from_db()
    assert waiting.status == Group.Status.REJECTED and waiting.review_note.startswith("Please join")
    assert Delivery.objects.filter(person=member.person, context__note__startswith="Please join").exists()
    # The decision is the organizer's act, with the group as its object (as an approval).
    (act,) = Activity.objects.filter(verb=Verb.REJECTED_GROUP)
    assert (act.person_id, act.object_id) == (organizer.person.pk, waiting.pk)
    with pytest.raises(ValidationError, match="waiting"):
        services.approve_group(actor=actor_of(organizer), group=waiting)


# --- Joining and leaving ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_joining_an_open_group(cast, persona):
    group, people = cast
    actor = as_actor(people, persona)
    if persona == "anonymous":
        with pytest.raises(PermissionDenied, match="sign in"):
            services.join_group(actor=actor, group=group)
        return
    before = Activity.objects.filter(verb=Verb.JOINED_GROUP).count()
    membership = services.join_group(actor=actor, group=group)
    assert membership.status == Membership.Status.ACTIVE
    joined_now = persona in ("outsider", "organizer")
    assert Activity.objects.filter(verb=Verb.JOINED_GROUP).count() == before + (1 if joined_now else 0)
    if not joined_now:  # joining again changes nothing, not even a role
        assert membership.role == {"member": "member", "core": "core", "leader": "leader"}[persona]


def test_a_double_click_makes_one_row_and_one_act(cast):
    group, people = cast
    actor = actor_of(people["outsider"])
    services.join_group(actor=actor, group=group)
    services.join_group(actor=actor, group=group)
    assert Membership.objects.filter(group=group, person=people["outsider"].person).count() == 1
    assert verbs(people["outsider"].person, group) == [Verb.JOINED_GROUP]


@pytest.mark.django_db(transaction=True)
def test_concurrent_joins_make_one_row(make_group):
    leader = MemberFactory.create(given_name="Lena")
    joiner = MemberFactory.create(given_name="Jo")
    group = make_group(leader)
    errors = []

    def go():
        try:
            services.join_group(actor=actor_of(joiner), group=Group.objects.get(pk=group.pk))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=go) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # SQLite in tests may refuse a concurrent writer ("database is locked"); none may make a second row.
    assert Membership.objects.filter(group=group, person=joiner.person).count() == 1
    assert Activity.objects.filter(verb=Verb.JOINED_GROUP, person=joiner.person).count() == 1
    assert all("UNIQUE" not in str(error) and "unique" not in str(error) for error in errors)


def test_a_left_member_joins_again_on_the_same_row(cast):
    group, people = cast
    actor = actor_of(people["member"])
    first = Membership.objects.get(group=group, person=people["member"].person)
    services.leave_group(actor=actor, group=group)
    again = services.join_group(actor=actor, group=group)
    assert again.pk == first.pk and again.status == Membership.Status.ACTIVE
    assert verbs(people["member"].person, group) == [Verb.JOINED_GROUP, Verb.LEFT_GROUP, Verb.JOINED_GROUP]


@pytest.mark.parametrize("persona", PERSONAS)
def test_leaving(cast, persona):
    group, people = cast
    actor = as_actor(people, persona)
    if persona == "anonymous":
        with pytest.raises(PermissionDenied):
            services.leave_group(actor=actor, group=group)
        return
    if persona in ("outsider", "organizer"):
        with pytest.raises(ValidationError, match="not in this group"):
            services.leave_group(actor=actor, group=group)
        return
    person = people[persona].person
    services.leave_group(actor=actor, group=group)
    membership = Membership.objects.get(group=group, person=person)
    assert (membership.status, membership.role, membership.core_title) == (
        Membership.Status.LEFT,
        "member",
        "",
    )
    acts = verbs(person, group)
    assert Verb.LEFT_GROUP in acts
    assert (Verb.STEPPED_DOWN in acts) == (persona in ("core", "leader"))
    group.refresh_from_db()
    assert (group.leaderless_since is not None) == (persona == "leader")


def test_a_leader_leaving_while_another_leads_leaves_the_group_led(cast, join):
    group, people = cast
    join(people["member"], group, role=Membership.Role.LEADER)
    services.leave_group(actor=actor_of(people["leader"]), group=group)
    group.refresh_from_db()
    assert group.leaderless_since is None


def test_by_request_the_leaders_are_told_and_approve(cast, join):
    group, people = cast
    Group.objects.filter(pk=group.pk).update(join_policy=Group.JoinPolicy.REQUEST)
    group.refresh_from_db()
    asking = services.join_group(actor=actor_of(people["outsider"]), group=group, note="I live on 24th St")
    assert asking.status == Membership.Status.REQUESTED and asking.request_note == "I live on 24th St"
    assert verbs(people["outsider"].person, group) == [Verb.ASKED_TO_JOIN_GROUP]
    told = Delivery.objects.filter(message__key__startswith="group-request").values_list(
        "person_id", flat=True
    )
    assert set(told) == {people["leader"].person.pk}
    # Asking twice is one request.
    services.join_group(actor=actor_of(people["outsider"]), group=group)
    assert verbs(people["outsider"].person, group) == [Verb.ASKED_TO_JOIN_GROUP]
    services.approve_request(actor=actor_of(people["leader"]), group=group, membership_id=asking.pk)
    asking.refresh_from_db()
    assert asking.status == Membership.Status.ACTIVE
    joined = Activity.objects.get(verb=Verb.JOINED_GROUP, person=people["outsider"].person)
    assert joined.actor_id == people["leader"].person.pk
    assert Delivery.objects.filter(
        person=people["outsider"].person, message__key__startswith="group-welcome"
    ).exists()
    with pytest.raises(ValidationError, match="isn't waiting"):
        services.approve_request(actor=actor_of(people["leader"]), group=group, membership_id=asking.pk)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_answer_join_requests(cast, persona):
    group, people = cast
    Group.objects.filter(pk=group.pk).update(join_policy=Group.JoinPolicy.REQUEST)
    group.refresh_from_db()
    asker = MemberFactory.create(given_name="Ana")
    asking = services.join_group(actor=actor_of(asker), group=group)
    actor = as_actor(people, persona)
    for answer in (services.approve_request, services.decline_request):
        if persona in ("leader", "organizer"):
            continue
        with pytest.raises(PermissionDenied):
            answer(actor=actor, group=group, membership_id=asking.pk)
    if persona in ("leader", "organizer"):
        services.decline_request(actor=actor, group=group, membership_id=asking.pk)
        asking.refresh_from_db()
        assert asking.status == Membership.Status.LEFT
    else:
        with pytest.raises(PermissionDenied):
            services.pending_requests(actor=actor, group=group)


def test_a_request_of_another_group_is_not_answered_here(cast, make_group):
    group, people = cast
    other = make_group(people["outsider"], name="Other", join_policy=Group.JoinPolicy.REQUEST)
    asking = services.join_group(actor=actor_of(people["member"]), group=other)
    with pytest.raises(ValidationError):
        services.approve_request(actor=actor_of(people["leader"]), group=group, membership_id=asking.pk)
    with pytest.raises(ValidationError):
        services.approve_request(actor=actor_of(people["leader"]), group=group, membership_id="1 OR 1=1")


def test_by_invitation_joining_is_refused_with_a_clear_message(cast):
    group, people = cast
    Group.objects.filter(pk=group.pk).update(join_policy=Group.JoinPolicy.INVITATION)
    group.refresh_from_db()
    with pytest.raises(PermissionDenied, match="by invitation only"):
        services.join_group(actor=actor_of(people["outsider"]), group=group)
    assert not Membership.objects.filter(person=people["outsider"].person).exists()


def test_a_blocked_person_cannot_join_until_the_block_ends(cast):
    group, people = cast
    block = Block.objects.create(
        group=group, person=people["outsider"].person, reason="Spam", blocked_by=people["leader"].person
    )
    with pytest.raises(PermissionDenied, match="can't join"):
        services.join_group(actor=actor_of(people["outsider"]), group=group)
    Block.objects.filter(pk=block.pk).update(lifted_at=block.created_at)
    assert (
        services.join_group(actor=actor_of(people["outsider"]), group=group).status
        == Membership.Status.ACTIVE
    )


def test_a_pending_group_cannot_be_joined_and_to_an_outsider_it_does_not_exist(cast, settings, member):
    _, people = cast
    settings.GROUPS_NEED_APPROVAL = True
    waiting = services.start_group(
        actor=actor_of(member), details=GroupDetails(name="Waiting", postal_code="94110")
    )
    with pytest.raises(NotFound, match="couldn't find"):
        services.join_group(actor=actor_of(people["outsider"]), group=waiting)
    with pytest.raises(ValidationError):
        services.join_group(actor=actor_of(people["organizer"]), group=waiting)


@pytest.mark.parametrize("persona", PERSONAS)
def test_an_outsider_guessing_a_pending_group_learns_nothing(cast, settings, member, persona):
    _, people = cast
    settings.GROUPS_NEED_APPROVAL = True
    waiting = services.start_group(
        actor=actor_of(member), details=GroupDetails(name="Secret plan", postal_code="94110")
    )
    actor = as_actor(people, persona)
    for key in (waiting.slug, str(waiting.uuid)):
        if persona == "organizer":
            assert access_group(actor, key) == waiting
            continue
        with pytest.raises(NotFound) as hidden:
            access_group(actor, key)
        with pytest.raises(NotFound) as missing:
            access_group(actor, "no-such-group")
        assert hidden.value.message == missing.value.message
