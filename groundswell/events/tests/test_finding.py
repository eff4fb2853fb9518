"""The search page: near a ZIP code or a city, online events beside the nearby ones, what an
empty search offers, the place a browser remembers, and who sees what."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.accounts.models import Role
from groundswell.core.errors import ValidationError
from groundswell.events import selectors, services
from groundswell.events.models import Event, EventCampaign
from groundswell.events.selectors.near import REMEMBER_COOKIE, find_place
from groundswell.events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db

FIND = reverse("events:find")


def page_of(response) -> str:
    return unescape(response.content.decode())


def online_event(host, title="Phone bank from home", **extra) -> Event:
    return EventFactory.create(
        host=host, title=title, postal_code="", online_url="https://meet.example.org/call", **extra
    )


# --- Reading a place --------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["Austin", "austin", "Austin, TX", "austin tx", "Austin, Texas", "  AUSTIN ,  tx "]
)
def test_a_city_is_read_however_it_is_written(typed):
    found = find_place(typed)
    assert (found.place.locality, found.place.region, found.query) == ("Austin", "TX", "Austin, TX")
    assert 30.1 < (found.place.latitude or 0) < 30.5 and -98.0 < (found.place.longitude or 0) < -97.5


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("St. Louis", "Saint Louis, MO"),
        ("Saint Louis", "Saint Louis, MO"),
        ("NYC", "New York, NY"),
        ("Springfield, MA", "Springfield, MA"),
        ("Fargo North Dakota", "Fargo, ND"),
        ("10001", "New York, NY 10001"),
        ("60614-1234", "Chicago, IL 60614"),
    ],
)
def test_abbreviations_nicknames_states_and_zip_codes(typed, label):
    assert find_place(typed).label == label


def test_a_name_several_states_share_picks_the_biggest_and_offers_the_others():
    found = find_place("Portland")
    assert found.label == "Portland, OR"
    assert "Portland, ME" in [city.label for city in found.others]
    assert find_place("Portland, ME").others == []


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Atlantis", "We couldn't find a place called “Atlantis”"),
        ("Austn", "Did you mean Austin, TX"),
        ("Austin, Narnia", "couldn't find a place called “Austin”"),
        ("00000", "couldn't find the ZIP code 00000"),
        ("1234", "A US ZIP code has 5 digits"),
        ("SW1A 1AA", "We can only search near US places for now"),
        ("<script>", "doesn't look like a place"),
        ("x" * 101, "longer than any place name"),
    ],
)
def test_a_place_it_cannot_find_says_what_to_type(typed, message):
    with pytest.raises(ValidationError) as raised:
        find_place(typed)
    assert message in raised.value.message
    assert raised.value.field == "near"


# --- The page ---------------------------------------------------------------------------


def test_a_city_name_finds_the_events_near_it(member):
    EventFactory.create(host=member, postal_code="78704", title="South Austin canvass")
    EventFactory.create(host=member, postal_code="77002", title="Houston rally")
    for query in ({"near": "Austin, TX"}, {"postal_code": "Austin"}, {"near": "78701"}):
        page = page_of(Client().get(FIND, query))
        assert "South Austin canvass" in page and "Houston rally" not in page, query
        assert "Events within 25 miles of Austin, TX" in page and "mi away" in page


def test_an_ambiguous_city_asks_which_one_was_meant(member):
    page = page_of(Client().get(FIND, {"near": "Portland"}))
    assert "Showing Portland, OR. Did you mean" in page
    assert 'href="?near=Portland%2C+ME' in page


def test_online_events_show_in_every_location_search_with_a_badge_and_never_on_the_map(member):
    EventFactory.create(host=member, postal_code="10001", title="Chelsea canvass")
    online = online_event(member)
    for near in ("10001", "Austin, TX", "99501"):
        page = page_of(Client().get(FIND, {"near": near}))
        section = page.split('id="online-heading"')[1]
        assert online.title in section and 'class="badge online">Online<' in section, near
    near_home = page_of(Client().get(FIND, {"near": "10001"}))
    points = re.search(r'<script id="map-points" type="application/json">(.*?)</script>', near_home, re.S)
    assert points and "Chelsea canvass" in points.group(1) and online.title not in points.group(1)


def test_all_online_events_are_a_link_away_when_there_are_many(member):
    for i in range(7):
        online_event(member, title=f"Call {i}", starts_at=timezone.now() + timedelta(days=1 + i))
    page = page_of(Client().get(FIND, {"near": "10001"}))
    assert "Call 4" in page and "Call 5" not in page and "See all 7 online events" in page
    everything = page_of(Client().get(FIND, {"near": "10001", "online": "1"}))
    assert (
        all(f"Call {i}" in everything for i in range(7))
        and '<h2 id="results-heading">Online events' in everything
    )


def test_an_empty_search_offers_a_wider_radius_the_nearest_events_and_hosting(member):
    EventFactory.create(host=member, postal_code="19107", title="Philadelphia rally")  # ~80 miles
    EventFactory.create(host=member, postal_code="02108", title="Boston rally")  # ~190 miles
    EventFactory.create(host=member, postal_code="90012", title="Los Angeles rally")
    page = page_of(Client().get(FIND, {"near": "10001", "radius": "25"}))
    assert "No events within 25 miles of New York, NY 10001 yet." in page
    assert 'href="?near=10001&radius=50"' in page.replace("&amp;", "&")
    nearest = page.split('id="nearest-heading"')[1]
    assert nearest.index("Philadelphia rally") < nearest.index("Boston rally")
    assert re.search(r"Philadelphia rally.*?· 8\d\.\d mi away", nearest, re.S)
    assert "Los Angeles rally" not in nearest  # three at most: the nearest
    assert reverse("events:host") in page
    assert 'id="map-points"' not in page
    widest = page_of(Client().get(FIND, {"near": "10001", "radius": "100"}))
    assert "Philadelphia rally" in widest and "Search within" not in widest


def test_the_nearest_events_are_found_across_the_country(member):
    EventFactory.create(host=member, postal_code="90012", title="Los Angeles rally")
    page = page_of(Client().get(FIND, {"near": "04401"}))  # Bangor, Maine
    assert "Los Angeles rally" in page.split('id="nearest-heading"')[1]


@pytest.mark.parametrize("typed", ["99999", "Atlantis", "SW1A 1AA"])
def test_an_unknown_place_shows_the_error_alone(member, typed):
    EventFactory.create(host=member, title="Chelsea canvass")
    online_event(member)
    response = Client().get(FIND, {"near": typed})
    page = page_of(response)
    assert response.status_code == 400
    assert 'class="error-summary' in page or "error" in page
    for absent in ("No events", "Chelsea canvass", "Phone bank", 'id="map-points"', "results-heading"):
        assert absent not in page, absent
    assert REMEMBER_COOKIE not in response.cookies


def test_times_read_as_a_person_expects(member):
    starts = timezone.now().replace(microsecond=0) + timedelta(days=3)
    starts = starts.replace(hour=15, minute=0, second=0)  # 10:00 AM in New York, in winter or 11 in summer
    event = EventFactory.create(host=member, starts_at=starts, time_zone="America/New_York")
    page = page_of(Client().get(FIND, {"near": "10001"}))
    local = event.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("America/New_York"))
    expected = f"{local:%a}, {local:%b} {local.day}, {local.hour % 12 or 12}:00 {local:%p}"
    assert expected in page and "America/New_York" not in page


# --- Remembering where a visitor searches ------------------------------------------------


def test_the_place_searched_is_remembered_and_searched_again_next_time(member):
    EventFactory.create(host=member, postal_code="78704", title="South Austin canvass")
    browser = Client()
    first = browser.get(FIND, {"near": "austin tx"})
    assert first.cookies[REMEMBER_COOKIE].value == "Austin, TX"
    again = page_of(browser.get(FIND))
    assert 'value="Austin, TX"' in again and "South Austin canvass" in again
    cleared = browser.get(FIND, {"near": ""})
    assert cleared.cookies[REMEMBER_COOKIE].value == ""  # forgotten
    assert 'value="Austin, TX"' not in page_of(browser.get(FIND))


def test_a_member_who_never_searched_starts_from_their_own_postcode(make_member, client_for):
    member = make_member("Pat", postal_code="60614")
    page = page_of(client_for(member).get(FIND))
    assert 'value="60614"' in page and "Events within 25 miles of Chicago, IL 60614" in page


def test_remembered_place_is_what_other_pages_call(rf, member):
    request = rf.get("/")
    request.COOKIES[REMEMBER_COOKIE] = "Austin, TX"
    assert selectors.remembered_place(request) == "Austin, TX"
    from django.contrib.auth.models import AnonymousUser

    bare = rf.get("/")
    bare.user = AnonymousUser()
    assert selectors.remembered_place(bare) == ""


# --- Who sees what ------------------------------------------------------------------------

PERSONAS = ["anonymous", "outsider", "member", "host", "leader", "organizer", "admin"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_pending_cancelled_private_and_unlisted_events_never_appear(persona, make_member, client_for):
    host = make_member("Hana", role=Role.HOST)
    people = {
        "outsider": make_member("Otto"),
        "member": make_member("Ada"),
        "host": host,
        "leader": make_member("Lee", role=Role.GROUP_LEADER),
        "organizer": make_member("Olu", role=Role.ORGANIZER),
        "admin": make_member("Ali", role=Role.ADMIN),
    }
    moderated = EventCampaign.objects.create(
        title="Day", slug="day", approval=EventCampaign.Approval.MODERATED
    )
    EventFactory.create(host=host, title="Listed rally")
    EventFactory.create(host=host, title="Waiting rally", campaign=moderated)
    EventFactory.create(host=host, title="Private supper", visibility=Event.Visibility.PRIVATE)
    EventFactory.create(host=host, title="Unlisted meeting", visibility=Event.Visibility.UNLISTED)
    online_event(host, title="Private call", visibility=Event.Visibility.PRIVATE)
    called_off = EventFactory.create(host=host, title="Called-off canvass")
    services.cancel_event(actor=selectors_actor(host), event=called_off)
    assert Event.objects.get(title="Waiting rally").status == Event.Status.PENDING
    browser = Client() if persona == "anonymous" else client_for(people[persona])
    searches = [{"near": "10001"}, {}, {"near": "90012"}, {"near": "10001", "online": "1"}]
    for query in searches:
        page = page_of(browser.get(FIND, query))
        for hidden in ("Waiting rally", "Private supper", "Unlisted meeting", "Private call", "Called-off"):
            assert hidden not in page, (persona, query, hidden)
    assert "Listed rally" in page_of(browser.get(FIND, {"near": "10001"}))
    assert "Listed rally" in page_of(browser.get(FIND, {"near": "90012"}))  # as the nearest


def selectors_actor(user):
    from groundswell.accounts.tests.factories import actor_of

    return actor_of(user)


# --- Speed ----------------------------------------------------------------------------------


def test_a_search_runs_a_fixed_number_of_queries(member, django_assert_num_queries):
    """Whatever the number of events: the campaigns of the form, the nearby ids, the online
    ids, one load of everything on show (and one for repeating events' next dates)."""
    for i in range(30):
        EventFactory.create(
            host=member, title=f"Near {i}", starts_at=timezone.now() + timedelta(days=1 + i % 5)
        )
    for i in range(8):
        online_event(member, title=f"Call {i}")
    browser = Client()
    with django_assert_num_queries(4):
        page = page_of(browser.get(FIND, {"near": "10001"}))
    assert "Near 0" in page and "Call 0" in page
    with django_assert_num_queries(5):  # and the nearest, when there is nothing within the radius
        page = page_of(browser.get(FIND, {"near": "19107", "radius": "50"}))
    assert "The nearest events" in page
    with django_assert_num_queries(6):  # looked for anywhere, when there is nothing within 400 km
        page = page_of(browser.get(FIND, {"near": "90012", "radius": "5"}))
    assert "The nearest events" in page


def test_a_day_is_read_in_the_sites_zone(member):
    """`starts_after` is a day: a search from a day in the future lists what starts from then."""
    later = timezone.now() + timedelta(days=10)
    EventFactory.create(host=member, title="Soon")
    EventFactory.create(host=member, title="Later", starts_at=later)
    day = timezone.localdate(later)
    page = page_of(Client().get(FIND, {"near": "10001", "starts_after": day.isoformat()}))
    assert "Later" in page and "Soon" not in page
