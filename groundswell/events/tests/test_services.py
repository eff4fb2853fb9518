"""Event services: hosting, approval, RSVPs with capacity and a waitlist, check-in."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from groundswell.activity.models import Activity, Verb
from groundswell.core.errors import PermissionDenied, ValidationError
from groundswell.events import selectors, services
from groundswell.events.models import Attendance, Event, EventCampaign, Shift
from groundswell.events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def details(**overrides) -> services.EventDetails:
    start = timezone.now() + timedelta(days=3)
    values: dict[str, Any] = {
        "title": "Neighbourhood meeting",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "time_zone": "America/New_York",
        "postal_code": "10001",
        "venue": "Library",
    }
    values.update(overrides)
    return services.EventDetails(**values)


@pytest.fixture
def campaign():
    return EventCampaign.objects.create(title="Day of action", slug="day-of-action")


def test_a_member_hosts_an_event_placed_from_its_postcode(member, actor):
    event = services.host_event(actor=actor(member), details=details())
    assert event.status == Event.Status.PUBLISHED
    assert (event.locality, event.region) == ("New York", "NY")
    assert event.latitude == pytest.approx(40.75, abs=0.1)
    assert Activity.objects.filter(person=member.person, verb=Verb.HOSTED, object_id=event.pk).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"title": "  "}, "title", "give the event a title"),
        ({"title": "x" * 201}, "title", "200 characters"),
        ({"capacity": -5}, "capacity", "at least 1"),
        ({"capacity": 0}, "capacity", "at least 1"),
        ({"postal_code": "99999"}, "postal_code", "couldn't find"),
        ({"postal_code": ""}, "postal_code", "postcode for the place, or a link"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "time zone"),
        ({"cohost_emails": ["not an address"]}, "cohost_emails", "look like an email address"),
    ],
)
def test_bad_event_details_get_a_message_and_save_nothing(member, actor, overrides, field, words):
    with pytest.raises(ValidationError, match=words) as error:
        services.host_event(actor=actor(member), details=details(**overrides))
    assert error.value.field == field
    assert Event.objects.count() == 0 and Activity.objects.filter(verb=Verb.HOSTED).count() == 0


def test_end_before_start_and_past_starts_are_refused(member, actor):
    start = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationError, match="end after it starts"):
        services.host_event(actor=actor(member), details=details(starts_at=start, ends_at=start))
    past = timezone.now() - timedelta(days=1)
    with pytest.raises(ValidationError, match="start in the future"):
        services.host_event(
            actor=actor(member), details=details(starts_at=past, ends_at=past + timedelta(hours=1))
        )


def test_an_online_event_needs_no_place(member, actor):
    event = services.host_event(
        actor=actor(member), details=details(postal_code="", online_url="https://meet.example/x")
    )
    assert event.latitude is None and event.status == Event.Status.PUBLISHED


def test_cohosts_are_invited_and_credited_once_they_say_yes(member, make_member, actor):
    friend = make_member("Friend")
    event = services.host_event(
        actor=actor(member),
        details=details(cohost_emails=[friend.email, member.email, "stranger@example.org"]),
    )
    # Invited, not yet co-hosts: the host's own address is not an invitation.
    assert set(event.cohost_invitations.values_list("email", flat=True)) == {
        friend.email,
        "stranger@example.org",
    }
    assert not event.cohosts.exists() and not selectors.is_host(actor(friend), event)
    invitation = event.cohost_invitations.get(email=friend.email)
    assert (
        services.cohost_invitation_for_token(services.cohost_url(invitation).rsplit("/", 2)[-2]) == invitation
    )
    services.accept_cohost_invitation(actor=actor(friend), invitation=invitation)
    assert list(event.cohosts.all()) == [friend.person]
    assert Activity.objects.filter(person=friend.person, verb=Verb.COHOSTED).count() == 1
    assert selectors.is_host(actor(friend), event)
    # Dropped from the list: no longer a co-host; the stranger's invitation goes too.
    services.update_event(actor=actor(member), event=event, details=details(cohost_emails=[]))
    assert not event.cohosts.exists() and not event.cohost_invitations.exists()


def test_moderated_campaign_events_wait_unless_the_host_is_trusted(member, organizer, campaign, actor):
    pending = EventFactory.create(host=member, campaign=campaign)
    assert pending.status == Event.Status.PENDING
    with pytest.raises(ValidationError, match="not open for RSVPs"):
        services.rsvp(actor=actor(organizer), event=pending)
    services.approve_event(actor=actor(organizer), event=pending)
    pending.refresh_from_db()
    assert pending.status == Event.Status.PUBLISHED and pending.reviewed_by == organizer.person
    services.trust_host(actor=actor(organizer), person=member.person)
    assert EventFactory.create(host=member, campaign=campaign).status == "published"
    open_campaign = EventCampaign.objects.create(
        title="Open", slug="open", approval=EventCampaign.Approval.OPEN
    )
    newcomer = organizer  # staff, but any host goes live at once under an open campaign
    assert EventFactory.create(host=newcomer, campaign=open_campaign).status == "published"


def test_reject_and_ask_for_changes_need_a_reason(member, organizer, campaign, actor):
    event = EventFactory.create(host=member, campaign=campaign)
    with pytest.raises(ValidationError, match="why"):
        services.reject_event(actor=actor(organizer), event=event, reason=" ")
    services.request_changes(actor=actor(organizer), event=event, note="Add the room number")
    event.refresh_from_db()
    assert (event.status, event.review_note) == (Event.Status.DRAFT, "Add the room number")
    with pytest.raises(ValidationError, match="waiting for approval"):
        services.reject_event(actor=actor(organizer), event=event, reason="late")


def test_capacity_waitlist_and_promotion(member, make_member, actor):
    event = EventFactory.create(host=member, capacity=2)
    users = [make_member(f"P{i}") for i in range(4)]
    people = [user.person for user in users]
    results = [services.rsvp(actor=actor(user), event=event) for user in users]
    assert [r.waitlisted for r in results] == [False, False, True, True]
    again = services.rsvp(actor=actor(users[0]), event=event)
    assert again.already and Attendance.objects.filter(person=people[0]).count() == 1
    (promoted,) = services.cancel_rsvp(actor=actor(users[0]), attendance=results[0].attendance)
    assert promoted.person == people[2]
    # twice is harmless
    assert services.cancel_rsvp(actor=actor(users[0]), attendance=results[0].attendance) == []
    statuses = dict(Attendance.objects.values_list("person_id", "status"))
    assert [statuses[p.pk] for p in people] == ["cancelled", "accepted", "accepted", "waitlisted"]
    # Back after cancelling: the end of the queue.
    assert services.rsvp(actor=actor(users[0]), event=event).waitlisted
    verbs = Activity.objects.filter(object_id=event.pk, verb__in=[Verb.RSVPED, Verb.CANCELLED_RSVP])
    assert verbs.filter(verb=Verb.RSVPED).count() == 5 and verbs.filter(verb=Verb.CANCELLED_RSVP).count() == 1


def test_shifts_have_their_own_capacity(member, make_member, actor):
    event = EventFactory.create(host=member)
    morning = Shift.objects.create(
        event=event,
        label="Morning",
        starts_at=event.starts_at,
        ends_at=event.starts_at + timedelta(hours=1),
        capacity=1,
    )
    a, b = actor(make_member("A")), actor(make_member("B"))
    with pytest.raises(ValidationError, match="choose a shift"):
        services.rsvp(actor=a, event=event)
    assert not services.rsvp(actor=a, event=event, shift=morning).waitlisted
    assert services.rsvp(actor=b, event=event, shift=morning).waitlisted


def test_no_rsvp_to_cancelled_or_past_events(member, make_member, actor):
    event = EventFactory.create(host=member)
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    event.refresh_from_db()
    with pytest.raises(ValidationError, match="cancelled"):
        services.rsvp(actor=actor(make_member("X")), event=event)
    past = timezone.now() - timedelta(days=2)
    Event.objects.filter(pk=event.pk).update(
        status=Event.Status.PUBLISHED,
        starts_at=past,
        ends_at=past + timedelta(hours=1),
        last_ends_at=past + timedelta(hours=1),
    )
    event.refresh_from_db()
    with pytest.raises(ValidationError, match="already happened"):
        services.rsvp(actor=actor(make_member("Y")), event=event)
    assert Attendance.objects.count() == 0


def test_only_hosts_check_in_and_no_shows_are_logged(member, make_member, outsider, actor):
    event = EventFactory.create(host=member)
    came_user, missed_user = make_member("Came"), make_member("Missed")
    came, missed = came_user.person, missed_user.person
    came_rsvp = services.rsvp(actor=actor(came_user), event=event).attendance
    services.rsvp(actor=actor(missed_user), event=event)
    with pytest.raises(PermissionDenied):
        services.check_in(actor=actor(outsider), attendance=came_rsvp)
    services.check_in(actor=actor(member), attendance=came_rsvp)
    services.check_in(actor=actor(member), attendance=came_rsvp)  # twice is harmless
    with pytest.raises(ValidationError, match="once it has started"):
        services.mark_no_shows(actor=actor(member), event=event)
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    event.refresh_from_db()
    assert services.mark_no_shows(actor=actor(member), event=event) == 1
    assert Activity.objects.filter(person=came, verb=Verb.ATTENDED).count() == 1
    assert Activity.objects.filter(person=came, verb=Verb.CHECKED_IN).count() == 1
    assert Activity.objects.filter(person=missed, verb=Verb.NO_SHOW).count() == 1
