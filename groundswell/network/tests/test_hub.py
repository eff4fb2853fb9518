"""The hub: a large ripple summarized, opened counts that agree with joins, events near you."""

import pytest
from django.test import Client
from django.urls import reverse

from groundswell.accounts.tests.factories import MemberFactory
from groundswell.core.channels import Channel
from groundswell.events.models import Event
from groundswell.events.tests.factories import EventFactory
from groundswell.network import selectors
from groundswell.network.models import ShareCode
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120"


def _recruits(root: Person, count: int, name: str = "Recruit") -> list[Person]:
    """`count` people recruited by `root`, written in bulk (a factory each would take minutes)."""
    Person.objects.bulk_create(
        Person(
            given_name=f"{name}{n}", family_name="Lastname", recruited_by=root, source_channel=Channel.EMAIL
        )
        for n in range(count)
    )
    return list(Person.objects.filter(recruited_by=root))


def test_a_ripple_of_400_stays_short_and_its_queries_bounded(
    make_member, client_for, django_assert_num_queries
):
    root = make_member("Root")
    first = _recruits(root.person, 300)
    _recruits(first[0], 100, name="Second")
    client = client_for(root)
    client.get(reverse("network:hub"))  # warm (content types, the share code)
    with django_assert_num_queries(15):
        response = client.get(reverse("network:hub"))
    page = response.content.decode()
    assert "400</strong> people joined because of you" in page
    # Generations as counts, one page of names, the way to the rest.
    assert "<dd>300</dd>" in page and "<dd>100</dd>" in page
    assert page.count('<span class="name">') == selectors.RIPPLE_PER_PAGE
    assert "Page 1 of 20" in page and 'name="q"' in page


def test_searching_and_paging_the_ripple(make_member, client_for):
    root = make_member("Root")
    first = _recruits(root.person, 30)
    Person.objects.filter(pk=first[3].pk).update(given_name="Zelda", family_name="Quill")
    grand = _recruits(first[0], 3, name="Grand")
    Person.objects.filter(pk=grand[0].pk).update(given_name="Yusuf", family_name="Hidden")
    client = client_for(root)
    page = client.get(reverse("network:hub"), {"q": "zel"}).content.decode()
    assert "Zelda Quill" in page and "Recruit1 " not in page
    # A recruit's recruit: found by first name, never by the last name the member is not shown.
    assert "Yusuf H." in client.get(reverse("network:hub"), {"q": "yus"}).content.decode()
    assert "Yusuf" not in client.get(reverse("network:hub"), {"q": "hidden"}).content.decode()
    assert (
        "Grand" not in client.get(reverse("network:hub"), {"generation": "1", "q": "grand"}).content.decode()
    )
    # Past the end, or nonsense: a page, never an error.
    assert client.get(reverse("network:hub"), {"page": "99"}).status_code == 200
    assert (
        client.get(reverse("network:hub"), {"page": "x", "generation": "zz", "q": "%_\\"}).status_code == 200
    )
    assert "Page 2 of 2" in client.get(reverse("network:hub"), {"page": "2"}).content.decode()


def test_opened_is_never_below_joined(member, client_for):
    """Every join credited through a link counts as an open of that link: a form posted
    without the page, a browser that keeps no cookie, a bot-like agent, an event's share link."""
    code = ShareCode.objects.get(person=member.person).code
    fields = {"given_name": "A", "email": "a@example.org", "postal_code": "10001", "ref": code, "via": "x"}
    Client().post(reverse("network:join"), fields, HTTP_USER_AGENT="")  # no page view first
    opened_page = Client()
    opened_page.get(f"/join?ref={code}&via=x", HTTP_USER_AGENT=BROWSER)
    opened_page.post(reverse("network:join"), {**fields, "email": "b@example.org"}, HTTP_USER_AGENT=BROWSER)
    event = EventFactory(host=member)
    assert isinstance(event, Event)
    Client().get(
        f"{reverse('events:detail', args=[event.uuid])}?ref={code}&via=facebook", HTTP_USER_AGENT=BROWSER
    )
    reach = {row.channel: row for row in selectors.reach_by_channel(member.person)}
    assert reach[Channel.X].joins == 2 and reach[Channel.X].clicks == 2
    assert reach[Channel.FACEBOOK].clicks == 1
    assert all(row.clicks >= row.joins for row in reach.values())


def test_events_near_a_new_member(make_member, client_for):
    host = make_member("Hana")
    EventFactory(host=host, title="Canvass in Chelsea", postal_code="10001")
    newcomer = make_member("Nia", postal_code="10011")
    page = client_for(newcomer).get(reverse("network:hub")).content.decode()
    assert "Canvass in Chelsea" in page
    assert reverse("web:privacy") in page  # under the contact form


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "member", "host", "organizer", "admin"])
def test_nobody_sees_another_member_s_recruits(persona, make_member, client_for):
    from groundswell.accounts.models import Role

    recruiter = make_member("Rita")
    make_member("Secretrecruit", recruited_by=recruiter.person)
    roles = {"organizer": Role.ORGANIZER, "admin": Role.ADMIN}
    viewer = (
        None
        if persona == "anonymous"
        else MemberFactory(given_name="Viewer", role=roles.get(persona, Role.MEMBER))
    )
    if persona == "host":
        EventFactory(host=viewer)
    client = client_for(viewer) if viewer else Client()
    response = client.get(reverse("network:hub"))
    assert "Secretrecruit" not in response.content.decode()
    if persona == "anonymous":
        assert response.status_code == 302  # to sign in
