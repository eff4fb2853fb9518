"""Leaders' services: roles and their acts, handing over, stepping down, removing a member,
writing to the group and hosting its events — each with its table of who may."""

import itertools
from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from groundswell.accounts.actors import ANONYMOUS
from groundswell.accounts.tests.factories import actor_of
from groundswell.activity.models import Activity, Initiator, ObjectKind, Verb
from groundswell.core.errors import PermissionDenied, ValidationError
from groundswell.events import services as events
from groundswell.events.models import Event
from groundswell.groups.models import Group, Membership
from groundswell.groups.services import leading
from groundswell.messaging.models import Delivery, Message

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)


def make_group(starter, **fields) -> Group:
    """A group, made as a row (lane h1's `make_group` fixture may replace this)."""
    number = next(_numbers)
    values = {"name": f"Riverside {number}", "slug": f"riverside-{number}", "started_by": starter.person}
    return Group.objects.create(**{**values, **fields})


def join(user, group, role=Membership.Role.MEMBER, *, status=Membership.Status.ACTIVE, title=""):
    now = timezone.now()
    return Membership.objects.create(
        group=group,
        person=user.person,
        role=role,
        status=status,
        core_title=title,
        joined_at=now,
        role_since=now,
    )


@pytest.fixture
def cast(make_member, organizer, outsider):
    """A group with a leader, a core member and two members; an organizer; an outsider."""
    leader, core, member, other = (make_member(n) for n in ("Lena", "Cora", "Mo", "Nia"))
    group = make_group(leader)
    join(leader, group, Membership.Role.LEADER)
    join(core, group, Membership.Role.CORE, title="Events coordinator")
    join(member, group)
    join(other, group)
    people = {
        "anonymous": None,
        "outsider": outsider,
        "member": member,
        "core": core,
        "leader": leader,
        "organizer": organizer,
    }
    return group, people, other


def details_at(starts, title="Meeting", hours=2):
    return events.EventDetails(
        title=title, starts_at=starts, ends_at=starts + timedelta(hours=hours), postal_code="10001"
    )


def _actor(user):
    return ANONYMOUS if user is None else actor_of(user)


def acts(verb, person):
    return list(
        Activity.objects.filter(verb=verb, person=person.person if hasattr(person, "person") else person)
    )


# --- Who may: one row per persona ---------------------------------------------------------

LEADS = {"leader", "organizer"}
PERSONAS = ["anonymous", "outsider", "member", "core", "leader", "organizer"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_set_role_personas(cast, persona):
    group, people, other = cast
    actor = _actor(people[persona])
    if persona in LEADS:
        leading.set_role(actor=actor, group=group, person=other.person, role="core", core_title="Data")
        assert Membership.objects.get(group=group, person=other.person).role == "core"
    else:
        with pytest.raises(PermissionDenied):
            leading.set_role(actor=actor, group=group, person=other.person, role="core")
        assert Membership.objects.get(group=group, person=other.person).role == "member"
        assert not Activity.objects.filter(verb=Verb.BECAME_CORE).exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_remove_member_personas(cast, persona):
    group, people, other = cast
    actor = _actor(people[persona])
    if persona in LEADS:
        leading.remove_member(actor=actor, group=group, person=other.person, reason="Spam")
        assert Membership.objects.get(group=group, person=other.person).status == "left"
    else:
        with pytest.raises(PermissionDenied):
            leading.remove_member(actor=actor, group=group, person=other.person, reason="Spam")
        assert Membership.objects.get(group=group, person=other.person).status == "active"


@pytest.mark.parametrize("persona", PERSONAS)
def test_message_group_personas(cast, persona):
    group, people, _ = cast
    actor = _actor(people[persona])
    if persona in LEADS | {"core"}:  # the group's team writes to it
        assert leading.message_group(actor=actor, group=group, subject="Saturday", text="See you there") > 0
    else:
        with pytest.raises(PermissionDenied):
            leading.message_group(actor=actor, group=group, subject="Saturday", text="See you there")
        assert not Message.objects.filter(kind=Message.Kind.MEMBER).exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_host_group_event_personas(cast, persona):
    group, people, _ = cast
    actor = _actor(people[persona])
    starts = timezone.now().replace(microsecond=0) + timedelta(days=3)
    details = events.EventDetails(
        title="Meeting", starts_at=starts, ends_at=starts + timedelta(hours=2), postal_code="10001"
    )
    if persona in {"core", "leader", "organizer"}:
        event = leading.host_group_event(actor=actor, group=group, details=details)
        assert event.group_id == group.pk and event.host == people[persona].person
    else:
        with pytest.raises(PermissionDenied):
            leading.host_group_event(actor=actor, group=group, details=details)
        assert not Event.objects.exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_hand_over_personas(cast, persona):
    """Only a leader hands over: an organizer who does not lead the group makes a leader
    with `set_role` instead."""
    group, people, other = cast
    actor = _actor(people[persona])
    if persona == "leader":
        leading.hand_over(actor=actor, group=group, to_person=other.person)
        assert Membership.objects.get(group=group, person=other.person).role == "leader"
    else:
        with pytest.raises(PermissionDenied):
            leading.hand_over(actor=actor, group=group, to_person=other.person)
        assert Membership.objects.get(group=group, person=other.person).role == "member"


@pytest.mark.parametrize(
    "persona,outcome",
    [
        ("anonymous", PermissionDenied),
        ("outsider", ValidationError),
        ("member", ValidationError),
        ("core", None),
        ("organizer", ValidationError),  # not a member of the group: nothing to step down from
    ],
)
def test_step_down_personas(cast, persona, outcome):
    group, people, _ = cast
    actor = _actor(people[persona])
    if outcome is None:
        leading.step_down(actor=actor, group=group)
        assert Membership.objects.get(group=group, person=people[persona].person).role == "member"
    else:
        with pytest.raises(outcome):
            leading.step_down(actor=actor, group=group)


def test_an_outsider_guessing_a_person_gets_no_role(cast, make_member):
    """A leader naming someone outside the group (a guessed id) gives nobody a role."""
    group, people, _ = cast
    stranger = make_member("Stray")
    with pytest.raises(ValidationError, match="isn't an active member"):
        leading.set_role(actor=actor_of(people["leader"]), group=group, person=stranger.person, role="leader")
    assert not Membership.objects.filter(person=stranger.person).exists()


def test_a_leader_of_one_group_cannot_lead_another(cast, make_member):
    group, _, other = cast
    elsewhere_leader = make_member("Else")
    elsewhere = make_group(elsewhere_leader)
    join(elsewhere_leader, elsewhere, Membership.Role.LEADER)
    with pytest.raises(PermissionDenied):
        leading.set_role(actor=actor_of(elsewhere_leader), group=group, person=other.person, role="leader")


# --- Roles and their acts --------------------------------------------------------------------


def test_roles_up_and_down_are_acts_with_the_leader_as_actor(cast):
    group, people, other = cast
    leader = actor_of(people["leader"])
    before = timezone.now()
    core = leading.set_role(actor=leader, group=group, person=other.person, role="core", core_title="Data")
    assert core.role_since is not None and core.role_since >= before and core.core_title == "Data"
    leading.set_role(actor=leader, group=group, person=other.person, role="leader")
    leading.set_role(actor=leader, group=group, person=other.person, role="core", core_title="Data")
    leading.set_role(actor=leader, group=group, person=other.person, role="member")
    verbs = list(
        Activity.objects.filter(person=other.person)
        .exclude(verb__in=[Verb.JOINED, Verb.SUBSCRIBED, Verb.PROVED_ADDRESS, Verb.ROLE_CHANGED])
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == [Verb.BECAME_CORE, Verb.LED_GROUP, Verb.STEPPED_DOWN, Verb.STEPPED_DOWN]
    act = acts(Verb.LED_GROUP, other)[0]
    assert (act.object_kind, act.object_id) == (ObjectKind.GROUP, group.pk)
    assert act.actor_id == people["leader"].person.pk and act.initiator == Initiator.MEMBER
    membership = Membership.objects.get(group=group, person=other.person)
    assert (membership.role, membership.core_title) == ("member", "")


def test_same_role_new_title_is_no_act(cast):
    group, people, _ = cast
    leading.set_role(
        actor=actor_of(people["leader"]),
        group=group,
        person=people["core"].person,
        role="core",
        core_title="Treasurer",
    )
    assert Membership.objects.get(group=group, person=people["core"].person).core_title == "Treasurer"
    assert not acts(Verb.BECAME_CORE, people["core"])


def test_core_title_is_cleaned_and_bounded(cast):
    group, people, other = cast
    leader = actor_of(people["leader"])
    membership = leading.set_role(
        actor=leader,
        group=group,
        person=other.person,
        role="core",
        core_title="  Events\u202e coordinator\u200b ",
    )
    assert membership.core_title == "Events coordinator"
    with pytest.raises(ValidationError) as error:
        leading.set_role(actor=leader, group=group, person=other.person, role="core", core_title="x" * 61)
    assert error.value.field == "core_title"


@pytest.mark.parametrize("role", ["owner", "", "LEADER", "<script>"])
def test_an_unknown_role_is_refused(cast, role):
    group, people, other = cast
    with pytest.raises(ValidationError, match="Please choose"):
        leading.set_role(actor=actor_of(people["leader"]), group=group, person=other.person, role=role)


@pytest.mark.parametrize("status", [Membership.Status.REQUESTED, Membership.Status.LEFT])
def test_roles_only_for_active_members(cast, make_member, status):
    group, people, _ = cast
    someone = make_member("Pending")
    join(someone, group, status=status)
    with pytest.raises(ValidationError, match="isn't an active member"):
        leading.set_role(actor=actor_of(people["leader"]), group=group, person=someone.person, role="core")


def test_several_leaders_and_leaderless_bookkeeping(cast):
    group, people, other = cast
    leader, organizer = actor_of(people["leader"]), actor_of(people["organizer"])
    leading.set_role(actor=leader, group=group, person=other.person, role="leader")
    # Two leaders: either may step down; the group still has one.
    leading.step_down(actor=actor_of(other), group=group)
    group.refresh_from_db()
    assert group.leaderless_since is None
    # The last leader is told to hand over first, whether lowering, removing or stepping down.
    for attempt in (
        lambda: leading.set_role(actor=leader, group=group, person=people["leader"].person, role="member"),
        lambda: leading.step_down(actor=leader, group=group),
        lambda: leading.remove_member(
            actor=leader, group=group, person=people["leader"].person, reason="Moving"
        ),
    ):
        with pytest.raises(ValidationError, match="hand over"):
            attempt()
    # An organizer may still do it: the group is leaderless from then.
    leading.set_role(actor=organizer, group=group, person=people["leader"].person, role="member")
    group.refresh_from_db()
    assert group.leaderless_since is not None
    group.leaderless_told_at = timezone.now()
    group.save()
    # Someone becoming a leader clears both.
    leading.set_role(actor=organizer, group=group, person=people["core"].person, role="leader")
    group.refresh_from_db()
    assert group.leaderless_since is None and group.leaderless_told_at is None


def test_step_down_a_leader_may_stay_core(cast):
    group, people, other = cast
    leading.set_role(actor=actor_of(people["leader"]), group=group, person=other.person, role="leader")
    leading.step_down(actor=actor_of(people["leader"]), group=group, to_role="core")
    assert Membership.objects.get(group=group, person=people["leader"].person).role == "core"
    assert acts(Verb.STEPPED_DOWN, people["leader"])[0].actor_id == people["leader"].person.pk
    with pytest.raises(ValidationError, match="no role"):
        leading.step_down(actor=actor_of(people["leader"]), group=group, to_role="leader")


# --- Handing over ------------------------------------------------------------------------------


def test_hand_over_in_one_go_and_the_new_leader_is_told(cast, django_capture_on_commit_callbacks):
    group, people, other = cast
    with django_capture_on_commit_callbacks(execute=True):
        leading.hand_over(
            actor=actor_of(people["leader"]),
            group=group,
            to_person=other.person,
            stay_as="core",
            core_title="Mentor",
        )
    old = Membership.objects.get(group=group, person=people["leader"].person)
    new = Membership.objects.get(group=group, person=other.person)
    assert (old.role, old.core_title, new.role) == ("core", "Mentor", "leader")
    assert acts(Verb.LED_GROUP, other)[0].actor_id == people["leader"].person.pk
    assert acts(Verb.STEPPED_DOWN, people["leader"])
    group.refresh_from_db()
    assert group.leaderless_since is None
    delivery = Delivery.objects.get(person=other.person)
    assert delivery.context["subject"] == f"You're now a leader of {group.name}"
    assert [m.to for m in mail.outbox if "now a leader" in m.subject] == [[other.email]]


def test_hand_over_refuses_bad_choices_and_changes_nothing(cast, make_member):
    group, people, other = cast
    leader = actor_of(people["leader"])
    stranger = make_member("Stray")
    cases = [
        (people["leader"].person, "another member"),
        (stranger.person, "isn't an active member"),
    ]
    for person, words in cases:
        with pytest.raises(ValidationError, match=words):
            leading.hand_over(actor=leader, group=group, to_person=person)
    with pytest.raises(ValidationError, match="member or core"):
        leading.hand_over(actor=leader, group=group, to_person=other.person, stay_as="leader")
    with pytest.raises(ValidationError, match="60 characters"):
        leading.hand_over(
            actor=leader, group=group, to_person=other.person, stay_as="core", core_title="y" * 61
        )
    assert Membership.objects.get(group=group, person=people["leader"].person).role == "leader"
    assert Membership.objects.get(group=group, person=other.person).role == "member"
    assert not Activity.objects.filter(verb__in=[Verb.LED_GROUP, Verb.STEPPED_DOWN]).exists()


# --- Removing -------------------------------------------------------------------------------------


def test_remove_member_leaves_the_row_logs_and_tells(cast, django_capture_on_commit_callbacks):
    group, people, other = cast
    with django_capture_on_commit_callbacks(execute=True):
        leading.remove_member(
            actor=actor_of(people["leader"]), group=group, person=other.person, reason="Kept posting ads"
        )
    membership = Membership.objects.get(group=group, person=other.person)
    assert membership.status == "left"
    act = acts(Verb.LEFT_GROUP, other)[0]
    assert act.actor_id == people["leader"].person.pk and act.object_id == group.pk
    assert any("Kept posting ads" in m.body and m.to == [other.email] for m in mail.outbox)
    with pytest.raises(ValidationError, match="isn't an active member"):
        leading.remove_member(
            actor=actor_of(people["leader"]), group=group, person=other.person, reason="Again"
        )


@pytest.mark.parametrize("reason,words", [("", "say why"), ("   ", "say why"), ("x" * 501, "500")])
def test_remove_needs_a_reason(cast, reason, words):
    group, people, other = cast
    with pytest.raises(ValidationError, match=words):
        leading.remove_member(
            actor=actor_of(people["leader"]), group=group, person=other.person, reason=reason
        )


# --- Writing to the group ---------------------------------------------------------------------------


def test_message_goes_to_active_members_as_member_mail(cast, make_member, django_capture_on_commit_callbacks):
    group, people, other = cast
    gone, asking = make_member("Gone"), make_member("Asking")
    join(gone, group, status=Membership.Status.LEFT)
    join(asking, group, status=Membership.Status.REQUESTED)
    with django_capture_on_commit_callbacks(execute=True):
        count = leading.message_group(
            actor=actor_of(people["leader"]), group=group, subject="Saturday", text="Bring {{ snacks }}"
        )
    assert count == 3  # core, member, other: not the author, nor who left or only asked
    message = Message.objects.get(kind=Message.Kind.MEMBER)
    assert message.author == people["leader"].person and not message.is_template
    assert (message.author_role, message.about) == ("a leader of", group.name)
    assert message.reason == f"You're getting it because you're a member of {group.name}."
    assert set(Delivery.objects.filter(message=message).values_list("person_id", flat=True)) == {
        people["core"].person.pk,
        people["member"].person.pk,
        other.person.pk,
    }
    assert acts(Verb.MESSAGED_GROUP, people["leader"])[0].object_id == group.pk
    sent = [m for m in mail.outbox if m.subject == "Saturday"]
    assert len(sent) == 3
    assert "Bring {{ snacks }}" in sent[0].body and "a leader of" in sent[0].body


@pytest.mark.parametrize(
    "subject,text,field",
    [("", "Hi", "subject"), ("Hi", "", "text"), ("x" * 201, "Hi", "subject"), ("Hi", "x" * 10_001, "text")],
)
def test_message_bad_input(cast, subject, text, field):
    group, people, _ = cast
    with pytest.raises(ValidationError) as error:
        leading.message_group(actor=actor_of(people["leader"]), group=group, subject=subject, text=text)
    assert error.value.field == field


@override_settings(HOST_MESSAGES_PER_DAY=2, GROUNDSWELL_RATE_LIMITS={"member_mail": "100/h/person"})
def test_message_daily_cap_for_leaders_not_organizers(cast):
    group, people, _ = cast
    leader, organizer = actor_of(people["leader"]), actor_of(people["organizer"])
    for n in range(2):
        leading.message_group(actor=leader, group=group, subject=f"News {n}", text="Hello")
    with pytest.raises(PermissionDenied, match="the most a member can send"):
        leading.message_group(actor=leader, group=group, subject="Third", text="Hello")
    for n in range(3):
        leading.message_group(actor=organizer, group=group, subject=f"Staff {n}", text="Hello")


def test_message_rate_limited(cast):
    from groundswell.core.errors import RateLimited

    group, people, _ = cast
    leader = actor_of(people["leader"])
    with pytest.raises(RateLimited):  # the default member_mail limit: 3 an hour
        for n in range(4):
            leading.message_group(actor=leader, group=group, subject=f"News {n}", text="Hello")


def test_message_to_a_group_of_one(make_member):
    leader = make_member("Solo")
    group = make_group(leader)
    join(leader, group, Membership.Role.LEADER)
    with pytest.raises(ValidationError, match="Nobody else"):
        leading.message_group(actor=actor_of(leader), group=group, subject="Hi", text="Hello")


# --- The group's events ---------------------------------------------------------------------------


def test_group_event_goes_through_events_and_is_the_groups(cast):
    group, people, _ = cast
    starts = timezone.now().replace(microsecond=0) + timedelta(days=3)
    details = details_at(starts, "  Monthly meeting ")
    event = leading.host_group_event(actor=actor_of(people["core"]), group=group, details=details)
    assert (event.title, event.group, event.status) == ("Monthly meeting", group, Event.Status.PUBLISHED)
    assert acts(Verb.HOSTED, people["core"])[0].object_id == event.pk
    with pytest.raises(ValidationError, match="future"):
        leading.host_group_event(
            actor=actor_of(people["core"]),
            group=group,
            details=details_at(starts - timedelta(days=9), "Past"),
        )


def test_an_archived_group_hosts_nothing(cast):
    group, people, _ = cast
    group.status = Group.Status.ARCHIVED
    group.save()
    starts = timezone.now() + timedelta(days=3)
    with pytest.raises(ValidationError, match="isn't active"):
        leading.host_group_event(
            actor=actor_of(people["leader"]),
            group=group,
            details=details_at(starts),
        )


def test_host_again_keeps_the_group(cast):
    group, people, _ = cast
    starts = timezone.now().replace(microsecond=0) + timedelta(days=3)
    first = leading.host_group_event(
        actor=actor_of(people["leader"]),
        group=group,
        details=details_at(starts),
    )
    again = events.host_again(
        actor=actor_of(people["leader"]),
        previous=first,
        details=details_at(starts + timedelta(days=30)),
    )
    assert again.group_id == group.pk


# --- The group's calendar address -----------------------------------------------------------------


def test_feed_token_is_the_members_and_dies_when_they_leave(cast, make_member):
    from groundswell.core.errors import NotFound
    from groundswell.events.services import rotate_feed

    group, people, other = cast
    token = leading.feed_token(group, other.person)
    assert leading.member_for_feed(group, token) == other.person
    elsewhere = make_group(people["leader"])
    for wrong in ["", "nonsense", token + "x", leading.feed_token(elsewhere, other.person)]:
        with pytest.raises(NotFound):
            leading.member_for_feed(group, wrong)
    rotate_feed(other.person)  # a new address on My events retires the group's too
    with pytest.raises(NotFound):
        leading.member_for_feed(group, token)
    token = leading.feed_token(group, other.person)
    Membership.objects.filter(group=group, person=other.person).update(status=Membership.Status.LEFT)
    with pytest.raises(NotFound):
        leading.member_for_feed(group, token)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_write_to_group_page_per_persona(cast, persona, client_for):
    """A core member has no leaders' page: they write to the group from its own page."""
    from django.test import Client
    from django.urls import reverse

    group, people, _ = cast
    url = reverse("groups:write", args=[group.slug])
    client = Client() if persona == "anonymous" else client_for(people[persona])
    response = client.post(url, {"message-subject": "Saturday", "message-text": "Bring water"})
    sent = Message.objects.filter(kind=Message.Kind.MEMBER, subject="Saturday")
    if persona in LEADS | {"core"}:
        assert response.status_code == 302 and sent.count() == 1
        assert sent.get().author_role == ("a core member of" if persona == "core" else sent.get().author_role)
    else:
        assert response.status_code in (302, 404) and not sent.exists()
        if persona != "anonymous":
            assert response.status_code == 404
