"""The attacks a stranger could make, each reproduced: every test here failed before the
hole was closed (issue 7, "Close these holes").

1. Looking people up through host tools.
2. Signing in without proving the address; links that could not be revoked.
3. Sending the organization's mail to anyone.
4. Membership as a secret anyone could test; anonymous forms changing a person's record.
"""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.accounts.actors import ANONYMOUS
from groundswell.accounts.models import Role
from groundswell.accounts.tests.factories import MemberFactory, actor_of
from groundswell.core.errors import NotFound, PermissionDenied, ValidationError
from groundswell.events import selectors, services
from groundswell.events.models import Attendance, Event
from groundswell.events.tests.factories import EventFactory
from groundswell.messaging.models import Delivery, Message
from groundswell.network.models import ShareCode
from groundswell.people.models import EmailAddress, EmailStatus, Person
from groundswell.people.places import place_postcode
from groundswell.people.services import PersonDetails, upsert_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def victim():
    """Someone on the list with a private phone and a second address."""
    person, _ = upsert_person(
        details=PersonDetails(
            email="victim@example.org",
            given_name="Valentina",
            family_name="Secretname",
            phone="+12125550199",
            place=place_postcode("10001"),
            email_consent=True,
        ),
        trusted=True,
    )
    EmailAddress.objects.create(person=person, address="victim.other@example.org")
    return person


def under_way(host, **kwargs) -> Event:
    """An event that started a few minutes ago (walk-ins and check-in are open)."""
    event = EventFactory(host=host, starts_at=timezone.now() + timedelta(minutes=5), **kwargs)
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(minutes=10))
    event.refresh_from_db()
    return event


# --- 1. Looking people up through host tools ------------------------------------------------


def test_a_walk_in_never_pulls_a_known_persons_details_into_the_host_view(victim, client_for):
    attacker = MemberFactory(given_name="Mallory")
    event = under_way(attacker)
    services.walk_in(actor=actor_of(attacker), event=event, given_name="X", email="victim@example.org")
    page = client_for(attacker).get(reverse("events:manage", args=[event.uuid])).content.decode()
    sheet = client_for(attacker).get(reverse("events:attendees_csv", args=[event.uuid])).content.decode()
    for secret in ("Valentina", "Secretname", "+12125550199", "victim.other@example.org"):
        assert secret not in page and secret not in sheet
    row = next(csv.DictReader(io.StringIO(sheet)))
    assert (row["first name"], row["email"], row["phone"]) == ("X", "victim@example.org", "")
    # Nor did the attacker's typing change the victim's record.
    victim.refresh_from_db()
    assert (victim.given_name, victim.family_name) == ("Valentina", "Secretname")


def test_a_guest_rsvp_with_a_known_address_shows_the_host_only_what_was_typed(victim, client_for):
    attacker = MemberFactory(given_name="Mallory")
    event = EventFactory(host=attacker)
    Client().post(
        reverse("events:rsvp", args=[event.uuid]),
        {"given_name": "Typed", "email": "victim@example.org"},
    )
    sheet = client_for(attacker).get(reverse("events:attendees_csv", args=[event.uuid])).content.decode()
    assert "Valentina" not in sheet and "+12125550199" not in sheet and "Typed" in sheet


def test_a_member_shares_only_what_they_choose(client_for):
    host, guest = MemberFactory(given_name="Hana"), MemberFactory(given_name="Gus")
    Person.objects.filter(pk=guest.person.pk).update()
    guest.person.phone_numbers.create(number="+12125550123", primary=True)
    event = EventFactory(host=host)
    client_for(guest).post(reverse("events:rsvp", args=[event.uuid]), {"sharing_shown": "1"})
    attendance = Attendance.objects.get(event=event)
    assert (attendance.given_name, attendance.email, attendance.phone) == ("Gus", "", "")
    sheet = client_for(host).get(reverse("events:attendees_csv", args=[event.uuid])).content.decode()
    assert guest.email not in sheet and "+12125550123" not in sheet


def test_walk_ins_only_around_the_events_own_time(victim):
    attacker = MemberFactory(given_name="Mallory")
    event = EventFactory(host=attacker, starts_at=timezone.now() + timedelta(days=10))
    with pytest.raises(ValidationError, match="two hours before"):
        services.walk_in(actor=actor_of(attacker), event=event, given_name="X", email="victim@example.org")
    assert not Attendance.objects.filter(event=event).exists()


# --- 2. Signing in without proving the address ----------------------------------------------


def join(client: Client, email: str, name: str = "Eve") -> object:
    return client.post(
        reverse("network:join"),
        {"given_name": name, "email": email, "postal_code": "10001", "email_consent": "on"},
    )


def test_joining_with_someone_elses_address_opens_nothing(victim):
    attacker = Client()
    response = join(attacker, "victim@example.org")
    assert response.status_code == 302 and response["Location"] == reverse("network:joined")
    assert "_auth_user_id" not in attacker.session
    assert attacker.get(reverse("network:hub")).status_code == 302  # to sign-in
    assert attacker.get(reverse("events:mine")).status_code == 302
    # The code went to the owner, not to the page.
    assert mail.outbox[-1].to == ["victim@example.org"]
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", mail.outbox[-1].body)
    assert code and code.group(1) not in attacker.get(reverse("network:joined")).content.decode()


def test_a_newcomer_proves_the_address_with_the_code_and_can_share_before(client_for):
    newcomer = Client()
    join(newcomer, "new@example.org", name="Nadia")
    page = newcomer.get(reverse("network:joined")).content.decode()
    link = re.search(r'value="(http[^"]+ref=([a-z0-9]+)[^"]*)"', page)
    assert link, "the share link is on the page"
    assert ShareCode.objects.get(code=link.group(2)).person.email_addresses.get().address == "new@example.org"
    assert "_auth_user_id" not in newcomer.session
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", mail.outbox[-1].body).group(1)  # type: ignore[union-attr]
    response = newcomer.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert newcomer.get(reverse("network:hub")).status_code == 200


def test_proving_the_address_ends_every_earlier_session(victim):
    from groundswell.accounts.services import ensure_account

    user = ensure_account(person=victim, email="victim@example.org")
    stale = Client()
    stale.force_login(user)
    assert stale.get(reverse("network:hub")).status_code == 200
    fresh = Client()
    fresh.post(reverse("account_request_login_code"), {"email": "victim@example.org"})
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", mail.outbox[-1].body).group(1)  # type: ignore[union-attr]
    fresh.post(reverse("account_confirm_login_code"), {"code": code})
    assert fresh.get(reverse("network:hub")).status_code == 200
    assert stale.get(reverse("network:hub")).status_code == 302
    from groundswell.activity.models import Activity, Verb

    assert Activity.objects.filter(person=victim, verb=Verb.PROVED_ADDRESS).count() == 1


def test_a_cancelled_rsvp_no_longer_opens_a_private_event_and_its_link_dies():
    host, guest = MemberFactory(given_name="Hana"), MemberFactory(given_name="Gus")
    event = EventFactory(host=host, visibility=Event.Visibility.PRIVATE)
    invited = actor_of(guest).carrying(invitation=services.invitation_token(event))
    attendance = services.rsvp(actor=invited, event=event).attendance
    assert selectors.access_event(actor_of(guest), event.uuid)
    token = services.cancel_token(attendance)
    services.cancel_rsvp(actor=actor_of(guest), attendance=attendance)
    with pytest.raises(NotFound):
        selectors.access_event(actor_of(guest), event.uuid)
    with pytest.raises(NotFound):
        services.attendance_for_token(token)


def test_invitation_and_calendar_links_can_be_revoked(client_for):
    host = MemberFactory(given_name="Hana")
    event = EventFactory(host=host, visibility=Event.Visibility.PRIVATE)
    old = services.invitation_token(event)
    url = reverse("events:detail", args=[event.uuid])
    assert Client().get(url, {"invite": old}).status_code == 200
    client_for(host).post(reverse("events:new_invitation", args=[event.uuid]))
    event.refresh_from_db()
    assert Client().get(url, {"invite": old}).status_code == 404
    assert Client().get(url, {"invite": services.invitation_token(event)}).status_code == 200

    feed = reverse("events:my_feed", args=[services.feed_token(host.person)])
    assert Client().get(feed).status_code == 200
    client_for(host).post(reverse("events:mine"))
    assert Client().get(feed).status_code == 404


# --- 3. Sending the organization's mail to anyone -------------------------------------------


def test_host_mail_reaches_only_people_who_came_or_rsvpd_themselves(victim):
    attacker = MemberFactory(given_name="Mallory")
    event = EventFactory(host=attacker)
    guest = MemberFactory(given_name="Gus")
    services.rsvp(actor=actor_of(guest), event=event)
    # Typed in by the host: not someone who RSVP'd, and not checked in.
    Attendance.objects.create(event=event, person=victim, origin=2, email="victim@example.org")
    sent = services.message_attendees(actor=actor_of(attacker), event=event, subject="Hi", body="Buy now")
    message = Message.objects.get(subject="Hi")
    assert sent == 1
    assert set(Delivery.objects.filter(message=message).values_list("person_id", flat=True)) == {
        guest.person.pk
    }
    assert message.author == attacker.person and message.kind == Message.Kind.MEMBER


def test_host_mail_honours_unsubscribes_and_names_the_host(django_capture_on_commit_callbacks):
    host, guest, gone = (MemberFactory(given_name=n) for n in ("Hana", "Gus", "Gone"))
    event = EventFactory(host=host)
    for person in (guest, gone):
        services.rsvp(actor=actor_of(person), event=event)
    EmailAddress.objects.filter(address=gone.email).update(status=EmailStatus.UNSUBSCRIBED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.message_attendees(actor=actor_of(host), event=event, subject="Bring water", body="It's hot.")
    received = [m for m in mail.outbox if m.subject == "Bring water"]
    assert [m.to for m in received] == [[guest.email]]
    body = received[0].body
    assert "Hana" in body and "a host of Canvass" in body and "Unsubscribe:" in body
    assert received[0].extra_headers["List-Unsubscribe"].startswith("<http")


def test_host_mail_is_rate_limited_and_logged_for_organizers(settings):
    from groundswell.activity.models import Activity, Verb

    settings.HOST_MESSAGES_PER_DAY = 2
    host = MemberFactory(given_name="Hana")
    event = EventFactory(host=host)
    for n in range(2):
        services.message_attendees(actor=actor_of(host), event=event, subject=f"Note {n}", body="x")
    with pytest.raises(PermissionDenied, match="most a host can send"):
        services.message_attendees(actor=actor_of(host), event=event, subject="Note 3", body="x")
    assert Activity.objects.filter(person=host.person, verb=Verb.MESSAGED_ATTENDEES).count() == 2
    assert Message.objects.filter(author=host.person).count() == 2


# --- 4. Membership is not a secret anyone can test ------------------------------------------


def normalized(html: str, *words: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r"ref(=|%3D)[a-z0-9]+", "ref=CODE", html)
    for word in words:
        html = html.replace(word, "WORD")
    return html


def test_the_join_answers_alike_for_known_and_new_addresses(victim):
    pages = []
    for email in ("victim@example.org", "stranger@example.org"):
        client = Client()
        response = join(client, email, name="Eve")
        assert response.status_code == 302
        pages.append(normalized(client.get(response["Location"]).content.decode(), email))
    assert pages[0] == pages[1]


def test_the_share_link_given_before_proof_does_not_reveal_the_owner(victim):
    client = Client()
    join(client, "victim@example.org", name="Eve")
    page = client.get(reverse("network:joined")).content.decode()
    code = re.search(r"ref=([a-z0-9]+)", page).group(1)  # type: ignore[union-attr]
    landing = Client().get(reverse("network:join"), {"ref": code}).content.decode()
    assert "Valentina" not in landing and "Eve invited you" in landing


def test_a_guest_rsvp_answers_alike_for_known_and_new_addresses(victim):
    event = EventFactory(host=MemberFactory(given_name="Hana"))
    url = reverse("events:rsvp", args=[event.uuid])
    Attendance.objects.create(event=event, person=victim, email="victim@example.org")  # already coming
    pages = [
        normalized(Client().post(url, {"given_name": "Eve", "email": email}).content.decode(), email)
        for email in ("victim@example.org", "stranger@example.org")
    ]
    assert pages[0] == pages[1]


def test_sign_in_answers_alike_for_known_and_unknown_addresses(victim):
    pages = []
    for email in ("victim@example.org", "nobody@example.org"):
        client = Client()
        response = client.post(reverse("account_request_login_code"), {"email": email}, follow=True)
        pages.append(normalized(response.content.decode(), email))
    assert pages[0] == pages[1]


def test_an_anonymous_form_changes_no_primary_detail_nor_credit(victim):
    friend = MemberFactory(given_name="Fay")
    # A blank on the record is not an invitation to fill it in from a stranger's form.
    Person.objects.filter(pk=victim.pk).update(recruited_by=friend.person, family_name="")
    attacker = MemberFactory(given_name="Mallory")
    code = ShareCode.objects.filter(person=attacker.person).first()
    Client().post(
        reverse("network:join"),
        {
            "given_name": "Changed",
            "family_name": "Name",
            "email": "victim@example.org",
            "postal_code": "94110",
            "ref": code.code,  # type: ignore[union-attr]
            "via": "whatsapp",
        },
    )
    victim.refresh_from_db()
    assert (victim.given_name, victim.family_name, victim.recruited_by_id) == (
        "Valentina",
        "",
        friend.person.pk,
    )
    assert victim.postal_addresses.get(primary=True).postal_code == "10001"
    assert EmailAddress.objects.get(address="victim@example.org").status == EmailStatus.SUBSCRIBED


def test_a_guest_rsvp_subscribes_nobody():
    event = EventFactory(host=MemberFactory(given_name="Hana"))
    services.rsvp_as_guest(actor=ANONYMOUS, event=event, given_name="Gil", email="gil@example.org")
    assert EmailAddress.objects.get(address="gil@example.org").status != EmailStatus.SUBSCRIBED


# --- Rate limits on what anyone can repeat --------------------------------------------------


def test_joins_rsvps_hosting_and_host_mail_are_rate_limited(settings, client_for):
    settings.GROUNDSWELL_RATE_LIMITS = {
        "join": "2/h/ip",
        "rsvp": "2/h/ip,1/h/person",
        "host_event": "1/d/person",
        "member_mail": "1/h/person",
    }
    responses = [join(Client(), f"burst{i}@example.org").status_code for i in range(3)]
    assert responses == [302, 302, 429]
    assert not EmailAddress.objects.filter(address="burst2@example.org").exists()

    host, guest = MemberFactory(given_name="Hana"), MemberFactory(given_name="Gus")
    first, second = EventFactory(host=host), EventFactory(host=host, title="Second")
    client = client_for(guest)
    assert (
        client.post(reverse("events:rsvp", args=[first.uuid])).status_code == 303
    )  # the RSVP, then the page after
    limited = client.post(reverse("events:rsvp", args=[second.uuid]))
    assert limited.status_code == 429 and "Too many" in limited.content.decode()

    form = {
        "title": "Picnic",
        "date": (timezone.now() + timedelta(days=3)).date().isoformat(),
        "start_time": "10:00",
        "end_time": "12:00",
        "time_zone": "UTC",
        "postal_code": "10001",
        "visibility": "public",
    }
    hosting = client_for(guest)
    assert hosting.post(reverse("events:host"), form).status_code == 302
    assert hosting.post(reverse("events:host"), {**form, "title": "Picnic 2"}).status_code == 400
    assert not Event.objects.filter(title="Picnic 2").exists()

    manage = client_for(host)
    url = reverse("events:message", args=[first.uuid])
    manage.post(url, {"subject": "One", "body": "x"})
    response = manage.post(url, {"subject": "Two", "body": "x"}, follow=True)
    assert "Too many" in response.content.decode()
    assert not Message.objects.filter(subject="Two").exists()


def test_the_cohost_field_answers_alike_and_makes_nobody_a_cohost_unasked(victim, client_for):
    host = MemberFactory(given_name="Hana")
    event = EventFactory(host=host, cohost_emails=["victim@example.org", "stranger@example.org"])
    assert not event.cohosts.exists()
    page = client_for(host).get(reverse("events:edit", args=[event.uuid])).content.decode()
    assert "victim@example.org" in page and "stranger@example.org" in page and "Valentina" not in page
    # The owner is told by email, and becomes a co-host only by saying yes, signed in.
    invitation = event.cohost_invitations.get(email="victim@example.org")
    link = services.cohost_url(invitation).split("testserver")[-1].replace("http://127.0.0.1:8000", "")
    from groundswell.accounts.services import ensure_account

    owner = ensure_account(person=victim, email="victim@example.org")
    assert client_for(host).post(link).status_code == 403  # not the host's invitation to take
    assert client_for(owner).post(link).status_code == 302
    assert list(event.cohosts.all()) == [victim]


# --- Found by an attacker's review: mail through walk-ins, limits, dead ends ----------------


def test_walk_ins_get_no_event_mail_from_the_host(victim, django_capture_on_commit_callbacks):
    attacker = MemberFactory(given_name="Mallory")
    event = EventFactory(host=attacker, starts_at=timezone.now() + timedelta(minutes=90))  # walk-ins open
    services.walk_in(actor=actor_of(attacker), event=event, given_name="X", email="victim@example.org")
    services.walk_in(actor=actor_of(attacker), event=event, given_name="Y", email="stranger@example.net")
    guest = MemberFactory(given_name="Gus")
    services.rsvp(actor=actor_of(guest), event=event)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        # A message, a change of time and hosting again: none reaches anyone typed in.
        services.message_attendees(actor=actor_of(attacker), event=event, subject="Hi", body="Click")
        moved = services.EventDetails(
            title=event.title,
            starts_at=event.starts_at,
            ends_at=event.ends_at + timedelta(hours=1),
            postal_code="10001",
        )
        services.update_event(actor=actor_of(attacker), event=event, details=moved)
        start = timezone.now() + timedelta(days=8)
        again = services.EventDetails(
            title="Again", starts_at=start, ends_at=start + timedelta(hours=1), postal_code="10001"
        )
        services.host_again(actor=actor_of(attacker), previous=event, details=again)
    reached = {address for m in mail.outbox for address in m.to}
    assert "victim@example.org" not in reached and "stranger@example.net" not in reached
    assert guest.email in reached


def test_host_again_invitations_skip_the_unsubscribed(django_capture_on_commit_callbacks):
    host, guest = MemberFactory(given_name="Hana"), MemberFactory(given_name="Gus")
    event = EventFactory(host=host)
    services.rsvp(actor=actor_of(guest), event=event)
    EmailAddress.objects.filter(address=guest.email).update(status=EmailStatus.UNSUBSCRIBED)
    mail.outbox.clear()
    start = timezone.now() + timedelta(days=8)
    with django_capture_on_commit_callbacks(execute=True):
        services.host_again(
            actor=actor_of(host),
            previous=event,
            details=services.EventDetails(
                title="Again", starts_at=start, ends_at=start + timedelta(hours=1), postal_code="10001"
            ),
        )
    assert not [m for m in mail.outbox if guest.email in m.to]


def test_no_walk_ins_or_messages_before_an_event_is_approved(victim):
    from groundswell.events.models import EventCampaign

    host = MemberFactory(given_name="Hana")
    campaign = EventCampaign.objects.create(title="Mod", slug="mod", approval="moderated")
    event = EventFactory(host=host, campaign=campaign, starts_at=timezone.now() + timedelta(minutes=30))
    assert event.status == Event.Status.PENDING
    with pytest.raises(ValidationError, match="isn't live"):
        services.walk_in(actor=actor_of(host), event=event, given_name="X", email="victim@example.org")
    with pytest.raises(ValidationError, match="isn't live"):
        services.message_attendees(actor=actor_of(host), event=event, subject="Hi", body="x")


def test_the_join_page_is_no_way_round_the_sign_in_code_limits(victim):
    for _ in range(6):
        join(Client(), "victim@example.org")
    codes = [m for m in mail.outbox if m.to == ["victim@example.org"] and "code" in m.subject.lower()]
    assert len(codes) == 3  # ACCOUNT_RATE_LIMITS: 3 a minute per address


def test_cohost_invitations_are_emailed_once_however_often_re_added(
    victim, django_capture_on_commit_callbacks
):
    host = MemberFactory(given_name="Hana")
    event = EventFactory(host=host)
    details = {
        "title": event.title,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "postal_code": "10001",
    }
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for emails in (["victim@example.org"], [], ["victim@example.org"], [], ["victim@example.org"]):
            services.update_event(
                actor=actor_of(host),
                event=event,
                details=services.EventDetails(**details, cohost_emails=emails),
            )
    assert len([m for m in mail.outbox if m.to == ["victim@example.org"]]) == 1


def test_a_rejected_event_stays_hidden():
    from groundswell.events.models import EventCampaign

    organizer = MemberFactory(given_name="Olu", role=Role.ORGANIZER)
    campaign = EventCampaign.objects.create(title="Mod", slug="mod", approval="moderated")
    event = EventFactory(host=MemberFactory(given_name="Hana"), campaign=campaign)
    services.reject_event(actor=actor_of(organizer), event=event, reason="Off topic")
    assert Client().get(reverse("events:detail", args=[event.uuid])).status_code == 404


def test_a_cancel_link_works_for_an_inactive_account():
    from groundswell.accounts.models import User

    host, guest = MemberFactory(given_name="Hana"), MemberFactory(given_name="Gus")
    event = EventFactory(host=host)
    attendance = services.rsvp(actor=actor_of(guest), event=event).attendance
    User.objects.filter(pk=guest.pk).update(is_active=False)
    response = Client().post(reverse("events:cancel", args=[services.cancel_token(attendance)]))
    assert response.status_code == 200
    attendance.refresh_from_db()
    assert attendance.status == Attendance.Status.CANCELLED


def test_an_event_can_start_and_stop_repeating_with_rsvps():
    host, guest = MemberFactory(given_name="Hana"), MemberFactory(given_name="Gus")
    event = EventFactory(host=host)
    services.rsvp(actor=actor_of(guest), event=event)
    base = {
        "title": event.title,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "postal_code": "10001",
    }
    services.update_event(
        actor=actor_of(host),
        event=event,
        details=services.EventDetails(**base, recurrence_rule="FREQ=WEEKLY;COUNT=3"),
    )
    first = event.shifts.order_by("starts_at").first()
    assert Attendance.objects.get(person=guest.person).shift == first  # the one-off RSVP is the first date's
    services.rsvp(actor=actor_of(guest), event=event, shift=first)  # already booked: nothing changes
    services.update_event(actor=actor_of(host), event=event, details=services.EventDetails(**base))
    assert Attendance.objects.filter(event=event, person=guest.person, shift__isnull=True).count() == 1


def test_a_walk_in_is_a_row_of_its_own_and_reveals_no_hidden_address(client_for):
    host, guest = MemberFactory(given_name="Hana"), MemberFactory(given_name="Gus")
    event = under_way(host)
    services.rsvp(actor=actor_of(guest), event=event, share_email=False)
    # The host guesses Gus's hidden address: a new row shows what they typed; Gus's own
    # RSVP is untouched (not checked in), so the guess confirms nothing.
    services.walk_in(actor=actor_of(host), event=event, given_name="Probe", email=guest.email)
    own = Attendance.objects.get(event=event, person=guest.person, walk_in=False)
    probe = Attendance.objects.get(event=event, person=guest.person, walk_in=True)
    assert (own.attended, own.email) == (None, "")
    assert (probe.given_name, probe.attended) == ("Probe", True)
    sheet = client_for(host).get(reverse("events:attendees_csv", args=[event.uuid])).content.decode()
    assert sheet.count("Probe") == 1 and "Gus" in sheet


def test_the_edit_form_shows_only_the_address_the_host_invited(victim, client_for):
    from groundswell.accounts.services import ensure_account

    host = MemberFactory(given_name="Hana")
    event = EventFactory(host=host, cohost_emails=["victim.other@example.org"])
    owner = ensure_account(person=victim, email="victim@example.org")
    invitation = event.cohost_invitations.get()
    services.accept_cohost_invitation(actor=actor_of(owner), invitation=invitation)
    page = client_for(host).get(reverse("events:edit", args=[event.uuid])).content.decode()
    assert "victim.other@example.org" in page and "victim@example.org" not in page
    # Saved as shown, the co-host stays; taken off the list, they go.
    base = {
        "title": event.title,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "postal_code": "10001",
    }
    services.update_event(
        actor=actor_of(host),
        event=event,
        details=services.EventDetails(**base, cohost_emails=["victim.other@example.org"]),
    )
    assert list(event.cohosts.all()) == [victim]
    services.update_event(actor=actor_of(host), event=event, details=services.EventDetails(**base))
    assert not event.cohosts.exists()


def test_listing_a_contact_then_typing_it_in_reveals_nothing(victim, client_for):
    prober = MemberFactory(given_name="Mallory")
    event = under_way(prober)
    client = client_for(prober)
    for email in ("victim@example.org", "stranger@example.org"):
        client.post(reverse("network:add_contact"), {"name": email, "email": email})
        services.walk_in(actor=actor_of(prober), event=event, given_name="X", email=email)
    hub = client.get(reverse("network:hub")).content.decode()
    assert ">joined<" not in hub  # neither shows as joined: nobody proved an address
