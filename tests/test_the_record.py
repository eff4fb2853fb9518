"""The record the analytics and the audit read: acts with their own credit, actor, date and
campaign; role and subscription history; what an API sync filters on; forgetting a person
without breaking the tree."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.accounts.actors import ANONYMOUS
from groundswell.accounts.models import Role, User
from groundswell.accounts.services import forget_person, set_role, tag_person
from groundswell.accounts.tests.factories import MemberFactory, actor_of
from groundswell.activity.models import Activity, Detail, Initiator, ObjectKind, Verb
from groundswell.activity.services import Act, record_many
from groundswell.core.channels import Channel
from groundswell.core.errors import PermissionDenied
from groundswell.events import services
from groundswell.events.models import Attendance, Event, EventCampaign
from groundswell.events.tests.factories import EventFactory
from groundswell.messaging.services import change_subscription
from groundswell.network.models import Contact, Origin, ShareCode
from groundswell.network.services import add_contact, arrive, arrive_many
from groundswell.people.models import EmailAddress, EmailStatus, Person, Tag, Tagging
from groundswell.people.services import PersonDetails, add_tags, merge_people

pytestmark = pytest.mark.django_db


def acts(person, verb):
    return Activity.objects.filter(person=person, verb=verb)


def test_an_rsvp_through_a_link_credits_that_link_not_the_first_recruiter():
    first_recruiter = MemberFactory(given_name="Rita")
    friend = MemberFactory(given_name="Fay")
    guest = MemberFactory(given_name="Gus", recruited_by=first_recruiter.person)
    campaign = EventCampaign.objects.create(title="Day of action", slug="day", approval="open")
    event = EventFactory(host=MemberFactory(given_name="Hana"), campaign=campaign)
    services.rsvp(actor=actor_of(guest), event=event, channel=Channel.WHATSAPP, referrer_id=friend.person.pk)
    act = acts(guest.person, Verb.RSVPED).get()
    assert (act.channel, act.referrer_id) == (Channel.WHATSAPP, friend.person.pk)
    assert (act.object_kind, act.object_id) == (ObjectKind.EVENT, event.pk)
    assert (act.context_kind, act.context_id) == (ObjectKind.CAMPAIGN, campaign.pk)
    # A later act of the same person, come directly, credits nobody.
    services.cancel_rsvp(actor=actor_of(guest), attendance=Attendance.objects.get(person=guest.person))
    cancelled = acts(guest.person, Verb.CANCELLED_RSVP).get()
    assert (cancelled.channel, cancelled.referrer_id) == (Channel.DIRECT, None)


def test_a_check_in_names_the_host_as_actor_and_the_date_of_a_series():
    host, guest = MemberFactory(given_name="Hana"), MemberFactory(given_name="Gus")
    event = EventFactory(host=host, recurrence_rule="FREQ=WEEKLY;COUNT=3")
    first = event.shifts.order_by("starts_at").first()
    attendance = services.rsvp(actor=actor_of(guest), event=event, shift=first).attendance
    services.check_in(actor=actor_of(host), attendance=attendance)
    checked = acts(guest.person, Verb.CHECKED_IN).get()
    came = acts(guest.person, Verb.ATTENDED).get()
    assert (checked.actor_id, checked.slot_id, checked.initiator) == (
        host.person.pk,
        first.pk,
        Initiator.MEMBER,
    )
    assert (came.actor_id, came.slot_id, came.initiator) == (host.person.pk, first.pk, Initiator.MEMBER)


def test_staff_acts_are_the_audit_trail():
    organizer = MemberFactory(given_name="Olu", role=Role.ORGANIZER)
    campaign = EventCampaign.objects.create(title="Moderated", slug="mod", approval="moderated")
    host = MemberFactory(given_name="Hana")
    event = EventFactory(host=host, campaign=campaign)
    assert event.status == Event.Status.PENDING
    services.approve_event(actor=actor_of(organizer), event=event)
    services.trust_host(actor=actor_of(organizer), person=host.person)
    approved = acts(organizer.person, Verb.APPROVED_EVENT).get()
    assert (approved.object_id, approved.initiator, approved.actor_id) == (
        event.pk,
        Initiator.STAFF,
        organizer.person.pk,
    )
    trusted = acts(organizer.person, Verb.TRUSTED_HOST).get()
    assert (trusted.object_kind, trusted.object_id) == (ObjectKind.PERSON, host.person.pk)


def test_role_changes_are_acts_so_staff_history_is_readable():
    admin = MemberFactory(given_name="Ali", role=Role.ADMIN)
    user = MemberFactory(given_name="Sam")
    set_role(user=user, role=Role.ORGANIZER, actor=actor_of(admin))
    set_role(user=user, role=Role.ORGANIZER, actor=actor_of(admin))  # no change, no act
    set_role(user=user, role=Role.MEMBER, actor=actor_of(admin))
    history = list(acts(user.person, Verb.ROLE_CHANGED).order_by("id").values_list("detail", "actor_id"))
    assert history == [(Detail.ROLE_ORGANIZER, admin.person.pk), (Detail.ROLE_MEMBER, admin.person.pk)]


def test_role_changes_in_the_admin_are_logged(client_for):
    admin = MemberFactory(given_name="Ali", role=Role.ADMIN)
    user = MemberFactory(given_name="Sam")
    response = client_for(admin).post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        {"email": user.email, "person": user.person.pk, "role": Role.ORGANIZER, "is_active": "on"},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).is_staff
    assert (
        acts(user.person, Verb.ROLE_CHANGED).filter(detail=Detail.ROLE_ORGANIZER, actor=admin.person).exists()
    )


def test_subscription_changes_go_through_one_service_with_consent_and_act():
    member = MemberFactory(given_name="Sue")
    email = EmailAddress.objects.get(address=member.email)
    before = Person.objects.get(pk=member.person.pk).modified_at
    assert change_subscription(email=email, subscribed=False, actor=actor_of(member), wording="No thanks")
    assert not change_subscription(email=email, subscribed=False, actor=actor_of(member))
    email.refresh_from_db()
    assert email.status == EmailStatus.UNSUBSCRIBED
    assert acts(member.person, Verb.UNSUBSCRIBED).count() == 1
    assert member.person.consents.filter(granted=False, wording="No thanks").exists()
    assert Person.objects.get(pk=member.person.pk).modified_at > before


def test_a_bouncing_address_is_not_resubscribed_by_someone_else():
    organizer = MemberFactory(given_name="Olu", role=Role.ORGANIZER)
    member = MemberFactory(given_name="Sue")
    EmailAddress.objects.filter(address=member.email).update(status=EmailStatus.BOUNCING)
    email = EmailAddress.objects.get(address=member.email)
    assert not change_subscription(email=email, subscribed=True, actor=actor_of(organizer))
    email.refresh_from_db()
    assert email.status == EmailStatus.BOUNCING


def test_modified_at_moves_with_tags_and_contact_points():
    member = MemberFactory(given_name="Tia")
    Person.objects.filter(pk=member.person.pk).update(modified_at=timezone.now() - timedelta(days=1))
    add_tags(person=member.person, names=["volunteer"])
    assert Person.objects.get(pk=member.person.pk).modified_at > timezone.now() - timedelta(minutes=1)


def test_record_many_writes_in_batches():
    people = [MemberFactory(given_name=f"P{i}").person for i in range(3)]
    written = record_many(
        (Act(person_id=p.pk, verb=Verb.SIGNED, channel=Channel.IMPORT) for p in people * 5), batch_size=4
    )
    assert written == 15 and Activity.objects.filter(verb=Verb.SIGNED, channel=Channel.IMPORT).count() == 15


def test_a_merge_moves_acts_that_point_at_the_duplicate():
    recruiter = MemberFactory(given_name="Rita")
    keep, duplicate = (
        MemberFactory(given_name="Kim", recruited_by=recruiter.person),
        MemberFactory(given_name="Dup"),
    )
    from groundswell.activity.services import record

    record(person=recruiter.person, verb=Verb.RECRUITED, obj=duplicate.person)
    merge_people(keep=keep.person, duplicate=duplicate.person)
    assert Activity.objects.filter(verb=Verb.RECRUITED, object_id=keep.person.pk).exists()
    assert not Activity.objects.filter(object_kind=ObjectKind.PERSON, object_id=duplicate.person.pk).exists()


def test_forgetting_a_person_keeps_the_tree_and_the_counts(client_for):
    recruiter = MemberFactory(given_name="Rita")
    person = MemberFactory(given_name="Fern", family_name="Private", recruited_by=recruiter.person)
    recruit = MemberFactory(given_name="Ray", recruited_by=person.person)
    add_contact(owner=person.person, name="My friend", email="friend@example.org")
    Contact.objects.create(owner=recruiter.person, name="Fern", email=person.email, person=person.person)
    host = MemberFactory(given_name="Hana")
    event = EventFactory(host=host)
    services.rsvp(actor=actor_of(person), event=event)
    ShareCode.objects.filter(person=person.person).update(shown_name="Fern P.")
    acts_before = Activity.objects.filter(person=person.person).count()

    with pytest.raises(PermissionDenied):
        forget_person(actor=actor_of(recruit), person=person.person)
    forget_person(actor=actor_of(person), person=person.person)

    forgotten = Person.objects.get(pk=person.person.pk)
    assert forgotten.anonymized_at and (forgotten.given_name, forgotten.family_name) == ("", "")
    assert not forgotten.email_addresses.exists() and not User.objects.filter(person=forgotten).exists()
    assert forgotten.recruited_by_id == recruiter.person.pk
    assert Person.objects.get(pk=recruit.person.pk).recruited_by_id == forgotten.pk
    attendance = Attendance.objects.get(person=forgotten)
    assert (attendance.given_name, attendance.email) == ("", "")  # the RSVP still counts
    assert not Contact.objects.filter(owner=forgotten).exists()
    assert Contact.objects.get(owner=recruiter.person).email == ""
    assert ShareCode.objects.filter(person=forgotten).first().shown_name == ""  # type: ignore[union-attr]
    assert Activity.objects.filter(person=forgotten).count() == acts_before + 1
    assert Client().get(reverse("network:hub")).status_code == 302
    assert ANONYMOUS.is_anonymous


def test_arrive_many_brings_thousands_in_with_few_statements_per_batch(django_assert_max_num_queries):
    from groundswell.network.services import arrive_many
    from groundswell.people.places import place_postcode
    from groundswell.people.services import PersonDetails

    organizer = MemberFactory(given_name="Olu", role=Role.ORGANIZER)
    known = MemberFactory(given_name="Kim")
    recruiter = MemberFactory(given_name="Rita")
    add_contact(owner=recruiter.person, name="Row 7", email="row7@example.org")
    place = place_postcode("10001")
    rows = [
        PersonDetails(
            email=f"Row{i}@Example.org",
            given_name=f"Row{i}",
            place=place,
            email_consent=i % 2 == 0,
            recruited_by_id=recruiter.person.pk if i % 10 == 0 else None,
            source_channel=Channel.IMPORT,
        )
        for i in range(1200)
    ]
    rows.append(PersonDetails(email=known.email, given_name="Renamed"))
    from django.db import connection

    # Two batches of up to 1000, a dozen statements each on PostgreSQL. SQLite caps the
    # parameters of one statement, so Django splits each INSERT into chunks of a few
    # hundred rows there: still bounded by the batch size, never one statement per row.
    limit = 2 * 12 if connection.vendor == "postgresql" else 100
    with django_assert_max_num_queries(limit):
        result = arrive_many(actor=actor_of(organizer), rows=rows, batch_size=1000)
    assert len(result.created) == 1200 and result.known == {known.email: known.person.pk}
    assert Person.objects.get(pk=known.person.pk).given_name == "Kim"  # a known record is left as it is
    assert EmailAddress.objects.get(address="row2@example.org").status == EmailStatus.SUBSCRIBED
    assert EmailAddress.objects.get(address="row1@example.org").status == EmailStatus.UNSUBSCRIBED
    assert Activity.objects.filter(verb=Verb.JOINED, channel=Channel.IMPORT).count() == 1200
    assert Activity.objects.filter(verb=Verb.RECRUITED, person=recruiter.person).count() == 120
    assert Contact.objects.get(owner=recruiter.person).person_id == result.created["row7@example.org"]
    with pytest.raises(PermissionDenied):
        arrive_many(actor=actor_of(known), rows=rows[:1], origin=Origin.FORM)


def test_arrive_many_falls_back_to_one_by_one_when_a_signup_races_it():
    from django.db import IntegrityError

    from groundswell.network import services as network_services
    from groundswell.people.services import PersonDetails

    organizer = MemberFactory(given_name="Olu", role=Role.ORGANIZER)
    real_bulk_create = EmailAddress.objects.bulk_create
    raced = []

    def racing_bulk_create(objs, *args, **kwargs):
        if not raced:
            raced.append(True)
            raise IntegrityError("duplicate key value violates unique constraint")
        return real_bulk_create(objs, *args, **kwargs)

    EmailAddress.objects.bulk_create = racing_bulk_create  # type: ignore[method-assign]
    try:
        result = network_services.arrive_many(
            actor=actor_of(organizer), rows=[PersonDetails(email=f"r{i}@example.org") for i in range(3)]
        )
    finally:
        EmailAddress.objects.bulk_create = real_bulk_create  # type: ignore[method-assign]
    assert len(result.created) == 3 and EmailAddress.objects.filter(address__startswith="r").count() == 3


def test_tagging_is_an_act_of_the_person_by_whom_naming_the_tag():
    organizer = MemberFactory(given_name="Olu", role=Role.ORGANIZER)
    member = MemberFactory(given_name="Tia")
    added, removed = tag_person(actor=actor_of(organizer), person=member.person, add=["Volunteer", "donor"])
    assert [t.name for t in added] == ["Volunteer", "donor"] and removed == []
    tag_person(actor=actor_of(organizer), person=member.person, add=["volunteer"], remove=["Donor"])
    logged = list(
        Activity.objects.filter(person=member.person, object_kind=ObjectKind.TAG)
        .order_by("id")
        .values_list("verb", "object_id", "actor_id", "initiator")
    )
    volunteer, donor = added
    by = (organizer.person_id, Initiator.STAFF)
    assert logged == [
        (Verb.TAGGED, volunteer.pk, *by),
        (Verb.TAGGED, donor.pk, *by),
        (Verb.UNTAGGED, donor.pk, *by),  # a tag already there is not tagged again
    ]
    with pytest.raises(PermissionDenied):
        tag_person(actor=actor_of(member), person=member.person, add=["leader"])
    assert not Tag.objects.filter(name="leader").exists()


def test_tags_an_arrival_carries_are_logged_one_by_one_and_in_bulk():
    organizer = MemberFactory(given_name="Olu", role=Role.ORGANIZER)
    arrive(
        actor=ANONYMOUS,
        details=PersonDetails(email="form@example.org", tags=["Rally 2026"]),
        share=None,
        channel=Channel.DIRECT,
        origin=Origin.FORM,
    )
    form = Person.objects.get(email_addresses__address="form@example.org")
    assert list(acts(form, Verb.TAGGED).values_list("object_id", "actor_id", "initiator")) == [
        (Tag.objects.get(name="Rally 2026").pk, None, Initiator.SYSTEM)
    ]  # the form's tag, not the typist's

    result = arrive_many(
        actor=actor_of(organizer),
        rows=[
            PersonDetails(email=f"row{i}@example.org", tags=["imported", "Rally 2026", "IMPORTED"])
            for i in range(3)
        ],
    )
    assert Tag.objects.filter(name__iexact="imported").count() == 1
    for person_id in result.created.values():
        assert sorted(Tagging.objects.filter(person_id=person_id).values_list("tag__name", flat=True)) == [
            "Rally 2026",
            "imported",
        ]
        assert acts(person_id, Verb.TAGGED).filter(actor_id=organizer.person_id).count() == 2


def test_tags_edited_in_the_admin_are_logged_as_the_staff_member(client_for):
    admin = MemberFactory(given_name="Ada", role=Role.ADMIN)
    member = MemberFactory(given_name="Tia", family_name="Ng")
    add_tags(person=member.person, names=["donor"])
    url = f"/admin/people/person/{member.person_id}/change/"
    client = client_for(admin)
    page = client.get(url)
    assert page.status_code == 200 and 'value="donor"' in page.content.decode()
    form = {
        "given_name": "Tia",
        "family_name": "Ng",
        "additional_name": "",
        "custom_fields": "{}",
        "source_channel": str(Channel.DIRECT.value),
        "recruited_by": "",
        "source_detail": "",
        "tags": "Volunteer, Host",
    }
    for prefix in ("email_addresses", "phone_numbers", "postal_addresses", "consents"):
        form.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert sorted(Tagging.objects.filter(person=member.person).values_list("tag__name", flat=True)) == [
        "Host",
        "Volunteer",
    ]
    logged = (
        acts(member.person, Verb.TAGGED).filter(actor_id=admin.person_id).count(),
        acts(member.person, Verb.UNTAGGED).filter(actor_id=admin.person_id).count(),
    )
    assert logged == (2, 1)
