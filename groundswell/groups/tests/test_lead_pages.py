"""The leaders' pages over HTTP: who opens them (a row per persona, and an outsider guessing
slugs and ids), the forms and their bad input, the member list's CSV and its query count,
hosting a group's event, stepping down, and the group's calendar feed."""

import csv
import io
import itertools
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape

from groundswell.accounts.tests.factories import MemberFactory
from groundswell.activity.models import Activity, Verb
from groundswell.events.models import Event
from groundswell.groups.models import Group, Membership
from groundswell.groups.selectors.access import MISSING
from groundswell.messaging.models import Message
from groundswell.people.models import PhoneNumber

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)
PERSONAS = ["anonymous", "outsider", "member", "core", "leader", "organizer"]
LEADS = {"leader", "organizer"}


def make_group(starter, **fields) -> Group:
    number = next(_numbers)
    values = {"name": f"Lakeside {number}", "slug": f"lakeside-{number}", "started_by": starter.person}
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
    leader, core, member, other = (make_member(n) for n in ("Lena", "Cora", "Mo", "Nia"))
    group = make_group(leader)
    join(leader, group, Membership.Role.LEADER)
    join(core, group, Membership.Role.CORE, title="Events coordinator")
    join(member, group)
    join(other, group)
    people = {"outsider": outsider, "member": member, "core": core, "leader": leader, "organizer": organizer}
    return group, people, other


def browser_for(persona, people, client, client_for):
    return client if persona == "anonymous" else client_for(people[persona])


def lead_url(group):
    return f"/groups/{group.slug}/lead/"


# --- Who opens the leaders' page ---------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_leaders_page_by_persona(cast, client, client_for, persona):
    group, people, _ = cast
    response = browser_for(persona, people, client, client_for).get(lead_url(group))
    if persona == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif persona in LEADS:
        page = response.content.decode()
        assert response.status_code == 200
        assert "How the group is doing" in page and "Events coordinator" in page
        assert people["member"].email in page  # contact details, for leaders only
    else:
        assert response.status_code == 404 and escape(MISSING) in response.content.decode()
        assert people["member"].email not in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_csv_by_persona(cast, client, client_for, persona):
    group, people, _ = cast
    response = browser_for(persona, people, client, client_for).get(f"/groups/{group.slug}/lead/members.csv")
    if persona == "anonymous":
        assert response.status_code == 302
    elif persona in LEADS:
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    else:
        assert response.status_code == 404 and people["member"].email not in response.content.decode()


@pytest.mark.parametrize("persona", ["outsider", "member", "core", "leader"])
def test_an_outsider_guessing_slugs_and_ids_learns_nothing(cast, client_for, make_member, persona):
    """A missing group, a pending one, another group's page and a random id all read the
    same; a leader of one group is an outsider to the next."""
    group, people, _ = cast
    pending = make_group(make_member("Quiet"), status=Group.Status.PENDING, name="Secret plan")
    elsewhere = make_group(make_member("Else"))
    browser = client_for(people[persona])
    for key in (
        "no-such-group",
        pending.slug,
        str(pending.uuid),
        elsewhere.slug,
        str(uuid.uuid4()),
        "x" * 90,
    ):
        for suffix in ("lead/", "lead/members.csv", "events/new/"):
            response = browser.get(f"/groups/{key}/{suffix}")
            assert response.status_code == 404, (key, suffix)
            assert (
                escape(MISSING) in response.content.decode()
                and "Secret plan" not in response.content.decode()
            )
    if persona == "leader":  # their own group opens by its public id too
        assert browser.get(f"/groups/{group.uuid}/lead/").status_code == 200


def test_posting_as_an_outsider_changes_nothing(cast, client_for):
    group, people, other = cast
    for persona in ("outsider", "member", "core"):
        response = client_for(people[persona]).post(
            lead_url(group), {"action": "role", "person": str(other.person.uuid), "role": "leader"}
        )
        assert response.status_code == 404
    assert Membership.objects.get(group=group, person=other.person).role == "member"


# --- The health panel -------------------------------------------------------------------------------


def test_the_health_panel_shows_numbers(cast, client_for):
    group, people, _ = cast
    Event.objects.create(
        title="Last week",
        starts_at=timezone.now() - timedelta(days=2),
        ends_at=timezone.now() - timedelta(days=2) + timedelta(hours=2),
        last_ends_at=timezone.now() - timedelta(days=2) + timedelta(hours=2),
        host=people["core"].person,
        status=Event.Status.PUBLISHED,
        group=group,
    )
    page = client_for(people["leader"]).get(lead_url(group)).content.decode()
    assert "<dt>Members</dt><dd>4</dd>" in page
    assert "<dt>Hosts in 90 days</dt><dd>1</dd>" in page
    assert "<dt>Core members</dt><dd>1</dd>" in page
    assert 'class="lead-bar w10"' in page  # this month's bar, the busiest
    assert "leader since" in page and "Last week" in page


def test_a_leaderless_group_says_so(cast, client_for):
    group, people, _ = cast
    Group.objects.filter(pk=group.pk).update(leaderless_since=timezone.now() - timedelta(days=3))
    Membership.objects.filter(group=group, role="leader").update(role="member")
    page = client_for(people["organizer"]).get(lead_url(group)).content.decode()
    assert "No leader since" in page and "None at the moment" in page


# --- The member list ------------------------------------------------------------------------------------


def test_search_by_name_and_paging(cast, client_for):
    group, people, _ = cast
    browser = client_for(people["leader"])
    page = browser.get(lead_url(group), {"q": "cora"}).content.decode()
    assert "Cora" in page and people["member"].email not in page
    page = browser.get(lead_url(group), {"q": "nobody-like-this"}).content.decode()
    assert "Nobody in the group matches" in page
    for bad in ("x" * 500, "\u202e\u0000", "' OR 1=1 --"):
        assert browser.get(lead_url(group), {"q": bad}).status_code == 200
    assert browser.get(lead_url(group), {"page": "9999"}).status_code == 200
    assert browser.get(lead_url(group), {"page": "-1x"}).status_code == 200


def test_the_member_list_has_a_fixed_number_of_queries(cast, client_for, django_assert_num_queries):
    """Four members or thirty-four (with phones, core titles): the same queries, pinned."""
    group, people, _ = cast
    browser = client_for(people["leader"])
    browser.get(lead_url(group))  # the session, warmed
    with django_assert_num_queries(14):
        browser.get(lead_url(group))
    for n in range(30):
        member = MemberFactory.create(given_name=f"M{n}")
        PhoneNumber.objects.create(person=member.person, number=f"+1555010{n:04d}", primary=True)
        join(
            member, group, Membership.Role.CORE if n % 3 == 0 else Membership.Role.MEMBER, title="Door knocks"
        )
    with django_assert_num_queries(14):
        response = browser.get(lead_url(group))
    assert response.status_code == 200 and "+15550100029" in response.content.decode()


def test_the_csv_is_formula_safe_and_only_this_groups_active_members(cast, client_for, make_member):
    group, people, _ = cast
    sly = make_member('=HYPERLINK("http://evil")')
    join(sly, group)
    for status, name in ((Membership.Status.LEFT, "Gone"), (Membership.Status.REQUESTED, "Asking")):
        join(make_member(name), group, status=status)
    elsewhere = make_group(make_member("Else"))
    join(make_member("Stranger"), elsewhere)
    body = client_for(people["leader"]).get(f"/groups/{group.slug}/lead/members.csv").content.decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert sorted(r["given_name"] for r in rows) == sorted(
        ["Lena", "Cora", "Mo", "Nia", '\'=HYPERLINK("http://evil")']
    )
    assert all(not r["given_name"].startswith(("=", "+", "-", "@")) for r in rows)
    core = next(r for r in rows if r["given_name"] == "Cora")
    assert (core["role"], core["core_role"], core["email"]) == (
        "core",
        "Events coordinator",
        people["core"].email,
    )


# --- The forms ------------------------------------------------------------------------------------------


def test_giving_a_role_through_the_page(cast, client_for):
    group, people, other = cast
    browser = client_for(people["leader"])
    response = browser.post(
        lead_url(group),
        {"action": "role", "person": str(other.person.uuid), "role": "core", "core_title": "Data"},
    )
    assert response.status_code == 302
    assert Membership.objects.get(group=group, person=other.person).core_title == "Data"
    assert "is now a core member (Data)" in browser.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    "data,words",
    [
        ({"action": "role", "role": "king"}, "Select a valid choice"),
        ({"action": "role", "role": "core", "core_title": "t" * 61}, "at most 60 characters"),
        ({"action": "role", "role": "leader", "person": "not-a-uuid"}, "Enter a valid UUID"),
        ({"action": "role", "role": "leader", "person": "GUESS"}, "isn&#x27;t an active member"),
        ({"action": "remove", "reason": ""}, "This field is required"),
        ({"action": "remove", "reason": "r" * 501}, "at most 500 characters"),
        ({"action": "message", "message-subject": "", "message-text": "Hi"}, "This field is required"),
        ({"action": "message", "message-subject": "Hi", "message-text": "x" * 10_001}, "at most"),
        ({"action": "hand_over", "handover-person": str(uuid.uuid4())}, "Select a valid choice"),
        ({"action": "hand_over"}, "This field is required"),
        ({"action": "step_down", "to_role": "member"}, "hand over to another member first"),
        ({"action": "step_down", "to_role": "boss"}, "Select a valid choice"),
        ({"action": "explode"}, "Please use the buttons"),
        ({}, "Please use the buttons"),
    ],
)
def test_bad_input_gets_a_clear_message_never_a_500(cast, client_for, make_member, data, words):
    group, people, other = cast
    data = dict(data)
    if data.get("action") in ("role", "remove") and "person" not in data:
        data["person"] = str(other.person.uuid)
    if data.get("person") == "GUESS":  # someone who is not in the group
        data["person"] = str(make_member("Stray").person.uuid)
    response = client_for(people["leader"]).post(lead_url(group), data)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert Membership.objects.get(group=group, person=other.person).role == "member"


def test_writing_to_the_group_through_the_page(cast, client_for):
    group, people, _ = cast
    browser = client_for(people["leader"])
    response = browser.post(
        lead_url(group), {"action": "message", "message-subject": "Saturday", "message-text": "See you"}
    )
    assert response.status_code == 302
    assert Message.objects.get(kind=Message.Kind.MEMBER).about == group.name
    assert "on its way to 3 members" in browser.get(response["Location"]).content.decode()


def test_handing_over_and_removing_through_the_page(cast, client_for):
    group, people, other = cast
    browser = client_for(people["leader"])
    page = browser.get(lead_url(group)).content.decode()
    assert 'id="handover-heading"' in page and "Nia" in page
    response = browser.post(
        lead_url(group),
        {"action": "remove", "person": str(people["member"].person.uuid), "reason": "Moved away"},
    )
    assert response.status_code == 302
    assert Membership.objects.get(group=group, person=people["member"].person).status == "left"
    response = browser.post(
        lead_url(group),
        {"action": "hand_over", "handover-person": str(other.person.uuid), "handover-stay_as": "member"},
    )
    assert response.status_code == 302
    assert Membership.objects.get(group=group, person=other.person).role == "leader"
    # No longer a leader: the page is closed to them.
    assert browser.get(lead_url(group)).status_code == 404


def test_an_organizer_sees_no_hand_over(cast, client_for):
    group, people, _ = cast
    page = client_for(people["organizer"]).get(lead_url(group)).content.decode()
    assert 'id="handover-heading"' not in page and "Role or remove" in page


# --- Hosting an event as the group's ----------------------------------------------------------------------


def event_form(**extra):
    day = (timezone.now() + timedelta(days=5)).date().isoformat()
    return {
        "title": "Monthly meeting",
        "date": day,
        "start_time": "18:00",
        "end_time": "20:00",
        "postal_code": "10001",
        "time_zone": "America/New_York",
        "visibility": "public",
        "address_shown": "everyone",
        "repeat": "",
        **extra,
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_host_an_event_for_the_group_by_persona(cast, client, client_for, persona):
    group, people, _ = cast
    browser = browser_for(persona, people, client, client_for)
    url = f"/groups/{group.slug}/events/new/"
    shown, posted = browser.get(url), browser.post(url, event_form())
    if persona == "anonymous":
        assert shown.status_code == posted.status_code == 302 and not Event.objects.exists()
    elif persona in {"core", "leader", "organizer"}:
        assert shown.status_code == 200 and posted.status_code == 302, posted.content.decode()[:2000]
        event = Event.objects.get()
        assert event.group == group and event.host == people[persona].person
        assert Activity.objects.filter(verb=Verb.HOSTED, object_id=event.pk).exists()
    else:
        assert shown.status_code == posted.status_code == 404 and not Event.objects.exists()


@pytest.mark.parametrize(
    "extra,words",
    [
        ({"title": ""}, "This field is required"),
        ({"date": "2001-01-01"}, "2001"),
        ({"end_time": "17:00"}, "end after it starts"),
        ({"postal_code": "", "online_url": ""}, "postcode"),
    ],
)
def test_host_an_event_bad_input(cast, client_for, extra, words):
    group, people, _ = cast
    response = client_for(people["leader"]).post(f"/groups/{group.slug}/events/new/", event_form(**extra))
    assert response.status_code == 400 and words in response.content.decode()
    assert not Event.objects.exists()


# --- Stepping down from the group's page -------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_step_down_page_by_persona(cast, client, client_for, persona):
    group, people, _ = cast
    browser = browser_for(persona, people, client, client_for)
    url = f"/groups/{group.slug}/step-down/"
    shown = browser.get(url)
    if persona == "anonymous":
        assert shown.status_code == 302
    elif persona in {"core", "leader"}:
        assert shown.status_code == 200
        posted = browser.post(url, {"to_role": "member"})
        if persona == "core":
            assert posted.status_code == 302
            assert Membership.objects.get(group=group, person=people["core"].person).role == "member"
        else:  # the only leader: told to hand over first
            assert posted.status_code == 400 and "hand over" in posted.content.decode()
    else:
        assert shown.status_code == 404


# --- The group's calendar ---------------------------------------------------------------------------------


def _group_event(group, host, title="Group meeting", **fields):
    starts = timezone.now() + timedelta(days=4)
    values = {
        "title": title,
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "last_ends_at": starts + timedelta(hours=2),
        "host": host.person,
        "status": Event.Status.PUBLISHED,
        "group": group,
        **fields,
    }
    return Event.objects.create(**values)


def test_a_public_groups_feed_is_anyones(cast, client):
    group, people, _ = cast
    _group_event(group, people["leader"])
    _group_event(group, people["leader"], "Private one", visibility=Event.Visibility.PRIVATE)
    _group_event(group, people["leader"], "Draft one", status=Event.Status.DRAFT)
    _group_event(make_group(people["leader"]), people["leader"], "Another group's")
    response = client.get(f"/groups/{group.slug}/events.ics")
    body = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar"
    assert "SUMMARY:Group meeting" in body
    assert "Private one" not in body and "Draft one" not in body and "Another group" not in body


def test_a_private_groups_feed_needs_a_members_key(cast, client, client_for):
    group, people, other = cast
    Group.objects.filter(pk=group.pk).update(visibility=Group.Visibility.PRIVATE)
    _group_event(group, people["leader"])
    url = f"/groups/{group.slug}/events.ics"
    for key in ("", "forged", "x" * 2000):
        response = client.get(url, {"key": key} if key else {})
        assert response.status_code == 404 and escape(MISSING) in response.content.decode()
    page = client_for(people["leader"]).get(lead_url(group)).content.decode()
    feed = page.split('id="feed-url" type="text" readonly value="')[1].split('"')[0].replace("&amp;", "&")
    assert "?key=" in feed
    response = client.get(feed.split("127.0.0.1:8000")[-1].replace("http://testserver", ""))
    assert response.status_code == 200 and "SUMMARY:Group meeting" in response.content.decode()
    assert "no-store" in response.get("Cache-Control", "")
    # A member who leaves loses the calendar.
    from groundswell.groups.services.leading import feed_token

    token = feed_token(group, other.person)
    assert client.get(url, {"key": token}).status_code == 200
    Membership.objects.filter(group=group, person=other.person).update(status=Membership.Status.LEFT)
    assert client.get(url, {"key": token}).status_code == 404


def test_a_pending_groups_feed_is_missing(make_member, client):
    group = make_group(make_member("Quiet"), status=Group.Status.PENDING)
    assert client.get(f"/groups/{group.slug}/events.ics").status_code == 404
