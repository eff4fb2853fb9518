"""After an RSVP: a redirect to the page after (a refresh does not post again), the calendar,
the member's credited invitation links, a guest's one-click join; the page shows nobody
else's data when its address is guessed. And the host form's time zone from the ZIP code."""

import zoneinfo
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.accounts.models import Role
from groundswell.accounts.tests.factories import actor_of
from groundswell.events import services
from groundswell.events.models import Attendance, Event
from groundswell.events.tests.factories import EventFactory
from groundswell.network.models import ShareCode
from groundswell.network.services import share_code_for
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(make_member):
    return EventFactory.create(
        host=make_member("Hana"),
        title="Phone bank",
        venue="Hana's kitchen",
        address_lines=["9 Birch Rd"],
        postal_code="60614",
        time_zone="America/Chicago",
    )


def test_a_member_rsvps_and_lands_on_the_page_after(event, member, client_for):
    client = client_for(member)
    response = client.post(reverse("events:rsvp", args=[event.uuid]))
    assert response.status_code == 303
    assert response["Location"] == reverse("events:rsvp_done", args=[event.uuid])
    page = client.get(response["Location"]).content.decode()
    assert "You're going!" in page and "9 Birch Rd" in page  # coming: the street, and directions
    assert "google.com/maps/dir" in page
    google = next(part for part in page.split('"') if part.startswith("https://calendar.google.com/"))
    query = parse_qs(urlparse(google.replace("&amp;", "&")).query)
    assert query["text"] == ["Phone bank"] and query["ctz"] == ["America/Chicago"]
    start = event.starts_at.astimezone(timezone.get_fixed_timezone(0))
    assert query["dates"][0].startswith(f"{start:%Y%m%dT%H%M%S}Z/")
    assert reverse("events:ics", args=[event.uuid]) in page
    # Invite a friend: the event's address with the member's own code, per channel.
    code = share_code_for(member.person).code
    assert f"/events/{event.uuid}/?ref={code}&amp;via=link" in page
    assert f"ref%3D{code}%26via%3Dwhatsapp" in page
    # A refresh shows the page again; it does not RSVP again.
    assert client.get(response["Location"]).status_code == 200
    assert Attendance.objects.filter(event=event, person=member.person).count() == 1


def test_a_friend_through_the_link_is_credited_to_the_member(
    event, member, django_capture_on_commit_callbacks
):
    code = share_code_for(member.person).code
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(
            reverse("events:rsvp", args=[event.uuid]),
            {"given_name": "Fay", "email": "fay@example.org", "ref": code, "via": "whatsapp"},
        )
    rsvp = Attendance.objects.get(event=event, person__email_addresses__address="fay@example.org")
    assert rsvp.referrer_id == member.person.pk


def test_a_guest_gets_the_page_after_and_a_one_click_join(event, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("events:rsvp", args=[event.uuid]),
            {"given_name": "Gia", "family_name": "Ng", "email": "gia@example.org", "ref": "nosuchcode"},
        )
    assert response.status_code == 303
    page = client.get(response["Location"]).content.decode()
    assert "Thanks, Gia!" in page and "gia@example.org" in page
    assert "9 Birch Rd" not in page and "Chicago, IL 60614" in page  # a guest is not proven: the town
    # The join form: prefilled from the RSVP, through the join page, consent asked and not ticked.
    assert f'action="{reverse("network:join")}"' in page
    assert 'name="email" value="gia@example.org"' in page and 'name="given_name" value="Gia"' in page
    assert 'name="email_consent" id="join-consent">' in page  # no "checked"
    joined = client.post(
        reverse("network:join"),
        {"given_name": "Gia", "family_name": "Ng", "email": "gia@example.org", "postal_code": "60614"},
    )
    assert joined.status_code == 302 and joined["Location"] == reverse("network:joined")
    assert Person.objects.filter(email_addresses__address="gia@example.org").count() == 1


def test_a_refresh_after_a_guest_rsvp_does_not_post_again(event):
    client = Client()
    data = {"given_name": "Gia", "email": "gia@example.org"}
    done = client.post(reverse("events:rsvp", args=[event.uuid]), data)["Location"]
    for _ in range(2):
        assert client.get(done).status_code == 200
    assert Attendance.objects.filter(event=event).count() == 1


PERSONAS = ["anonymous", "outsider", "member", "host", "organizer", "admin", "rsvpd"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_guessed_page_after_shows_nobody_elses_rsvp(persona, event, make_member):
    """Someone else's RSVP (a guest's, Gia's; a member's, Ada's) never shows: only the
    visitor's own RSVP, or what their own browser typed."""
    gia = Client()
    gia.post(reverse("events:rsvp", args=[event.uuid]), {"given_name": "Gia", "email": "gia@example.org"})
    ada = make_member("Ada", email="ada@example.org")
    services.rsvp(actor=actor_of(ada), event=event)
    people = {
        "outsider": make_member("Otto"),
        "member": make_member("Mia"),
        "host": event.host.account,
        "organizer": make_member("Olu", role=Role.ORGANIZER),
        "admin": make_member("Ali", role=Role.ADMIN),
        "rsvpd": make_member("Rue", email="rue@example.org"),
    }
    client = Client()
    if persona != "anonymous":
        client.force_login(people[persona])
    if persona == "rsvpd":
        services.rsvp(actor=actor_of(people["rsvpd"]), event=event)
    response = client.get(reverse("events:rsvp_done", args=[event.uuid]))
    if persona == "rsvpd":
        page = response.content.decode()
        assert response.status_code == 200 and "You're going!" in page
    else:
        # Nothing of their own to show: back to the event's page.
        assert response.status_code == 302
        assert response["Location"] == reverse("events:detail", args=[event.uuid])
        page = client.get(response["Location"]).content.decode()
    assert "gia@example.org" not in page and "ada@example.org" not in page and "Ada" not in page


def test_the_page_after_a_private_rsvp_keeps_the_invitation(make_member):
    event = EventFactory.create(host=make_member("Hana"), visibility=Event.Visibility.PRIVATE)
    token = services.invitation_token(event)
    client = Client()
    done = client.post(
        reverse("events:rsvp", args=[event.uuid]),
        {"given_name": "Gia", "email": "gia@example.org", "invite": token},
    )["Location"]
    assert "invite=" in done
    page = client.get(done)
    assert page.status_code == 200 and "Thanks, Gia!" in page.content.decode()
    assert "Invite a friend" not in page.content.decode()  # a private event is the host's to share
    assert not ShareCode.objects.filter(person__email_addresses__address="gia@example.org").exists()


# --- The time zone from the ZIP code --------------------------------------------------------


def _host_form(**extra: str) -> dict[str, str]:
    day = (timezone.now() + timedelta(days=5)).date().isoformat()
    return {
        "title": "Rally",
        "date": day,
        "start_time": "18:30",
        "end_time": "20:00",
        "visibility": "public",
        **extra,
    }


@pytest.mark.parametrize(
    ("postal_code", "chosen", "zone"),
    [
        ("80202", "", "America/Denver"),  # Denver's ZIP code decides
        ("46204", "", "America/Indiana/Indianapolis"),  # a zone the short list does not have
        ("96813", "", "Pacific/Honolulu"),
        ("80202", "America/Chicago", "America/Chicago"),  # an explicit choice wins
    ],
)
def test_the_time_zone_comes_from_the_zip_code_unless_chosen(member, client_for, postal_code, chosen, zone):
    client = client_for(member)
    response = client.post(reverse("events:host"), _host_form(postal_code=postal_code, time_zone=chosen))
    assert response.status_code == 302, response.content.decode()[:2000]
    event = Event.objects.get(title="Rally")
    assert event.time_zone == zone
    assert f"{event.starts_at.astimezone(zoneinfo.ZoneInfo(zone)):%H:%M}" == "18:30"  # 18:30 there
    # Changing it: left to the ZIP code, a new ZIP code brings its own zone.
    edit = client.get(reverse("events:edit", args=[event.uuid])).content.decode()
    zone_select = edit.split('name="time_zone"')[1].split("</select>")[0]
    automatic = '<option value="" selected>' in zone_select
    assert automatic == (chosen == "")
    if not chosen:
        client.post(reverse("events:edit", args=[event.uuid]), _host_form(postal_code="10001", time_zone=""))
        event.refresh_from_db()
        assert event.time_zone == "America/New_York"


def test_an_online_event_takes_the_hosts_own_zone(make_member, client_for):
    host = make_member("Dee", postal_code="80202")
    response = client_for(host).post(
        reverse("events:host"), _host_form(online_url="https://meet.example.org/x", time_zone="")
    )
    assert response.status_code == 302
    assert Event.objects.get(title="Rally").time_zone == "America/Denver"


def test_a_repeating_event_left_to_the_zip_code_repeats_in_its_zone(member, client_for):
    response = client_for(member).post(
        reverse("events:host"), _host_form(postal_code="80202", time_zone="", repeat="monthly")
    )
    assert response.status_code == 302
    event = Event.objects.get(title="Rally")
    assert event.time_zone == "America/Denver" and event.recurrence_rule and event.shifts.count() >= 12


BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156 Safari/537.36"


def test_a_friends_link_to_an_event_says_who_invited_and_counts_the_visit_once(event, member, client_for):
    from groundswell.network.models import ShareClickCount

    code = share_code_for(member.person).code
    friend = Client()
    page = friend.get(f"/events/{event.uuid}/?ref={code}&via=whatsapp", HTTP_USER_AGENT=BROWSER)
    assert f"{member.person.short_name} invited you to this event." in page.content.decode()
    # The member opening their own link is not told they invited themselves.
    own = client_for(member).get(f"/events/{event.uuid}/?ref={code}&via=whatsapp").content.decode()
    assert "invited you" not in own
    friend.post(
        reverse("events:rsvp", args=[event.uuid]),
        {
            "given_name": "Fay",
            "family_name": "Friend",
            "email": "fay@example.org",
            "ref": code,
            "via": "whatsapp",
        },
        HTTP_USER_AGENT=BROWSER,
    )
    # The page view counted the visit; the RSVP from the same browser does not count it again.
    assert ShareClickCount.objects.get(share_code__person=member.person).clicks == 1


def test_a_guest_rsvp_through_a_link_counts_as_a_visit_when_the_page_view_was_not_counted(event, member):
    from groundswell.network.models import ShareClickCount

    code = share_code_for(member.person).code
    response = Client().post(
        reverse("events:rsvp", args=[event.uuid]),
        {"given_name": "Bo", "family_name": "Bot", "email": "bo@example.org", "ref": code, "via": "x"},
        HTTP_USER_AGENT="facebookexternalhit/1.1",  # a bot-like agent: its page view would not count
    )
    assert response.status_code == 303
    counted = ShareClickCount.objects.get(share_code__person=member.person)
    assert counted.clicks == 1
    assert Person.objects.get(email_addresses__address="bo@example.org").recruited_by == member.person


def test_a_guest_gets_a_link_of_their_own_that_credits_them_and_shows_only_the_typed_name(event, make_member):
    known = make_member("Kim")  # an address already on the list, typed by someone else
    guest = Client()
    guest.post(
        reverse("events:rsvp", args=[event.uuid]),
        {"given_name": "Typed", "family_name": "Name", "email": known.email},
    )
    page = guest.get(reverse("events:rsvp_done", args=[event.uuid])).content.decode()
    code = ShareCode.objects.filter(person=known.person).exclude(shown_name="").get()
    assert code.shown_name == "Typed N." and f"?ref={code.code}&amp;via=link" in page
    assert "Kim" not in page
    # A friend who RSVPs through it is credited to the address's owner, and sees the typed name.
    friend = Client()
    landing = friend.get(f"/events/{event.uuid}/?ref={code.code}&via=link").content.decode()
    assert "Typed N. invited you" in landing and "Kim" not in landing
    friend.post(
        reverse("events:rsvp", args=[event.uuid]),
        {"given_name": "Fran", "email": "fran@example.org", "ref": code.code, "via": "link"},
    )
    assert Person.objects.get(email_addresses__address="fran@example.org").recruited_by == known.person
