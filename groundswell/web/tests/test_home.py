"""The home page, the privacy policy and the site texts organizers edit."""

import pytest
from django.test import Client
from django.urls import reverse

from groundswell.accounts.models import Role
from groundswell.events.tests.factories import EventFactory
from groundswell.web.models import SiteText
from groundswell.web.texts import forget_site_texts

pytestmark = pytest.mark.django_db


def test_a_visitor_sees_what_the_movement_is_its_numbers_and_the_join_form(make_member):
    host = make_member("Hana")
    make_member("Ivo")
    EventFactory(host=host, title="Canvass in Chelsea")
    page = Client().get(reverse("web:home")).content.decode()
    assert "Every member is a hub." in page  # the default tagline
    assert 'action="/join"' in page and 'name="email_consent"' in page
    assert "checked" not in page.split('name="email_consent"')[1].split(">")[0]  # never pre-ticked
    assert reverse("web:privacy") in page
    assert "Members who host" in page
    # Nothing near anyone until the visitor says where: the postcode form instead.
    assert "Canvass in Chelsea" not in page and 'name="near"' in page


def test_a_postcode_is_remembered_and_shows_what_is_near(make_member):
    host = make_member("Hana")
    EventFactory(host=host, title="Canvass in Chelsea", postal_code="10001")
    EventFactory(host=host, title="Far away rally", postal_code="94110")
    browser = Client()
    response = browser.get(reverse("web:home"), {"near": "10011"})
    assert response.status_code == 302
    page = browser.get(reverse("web:home")).content.decode()
    assert "Canvass in Chelsea" in page and "Far away rally" not in page


def test_an_unknown_postcode_is_explained_not_remembered():
    browser = Client()
    response = browser.get(reverse("web:home"), {"near": "00000"})
    assert response.status_code == 400
    assert "couldn" in response.content.decode()
    assert "near" not in browser.cookies or not browser.cookies["near"].value


def test_a_member_sees_their_next_events_and_hub_instead_of_the_join_form(make_member, client_for):
    maya = make_member("Maya")
    EventFactory(host=maya, title="My own canvass")
    page = client_for(maya).get(reverse("web:home")).content.decode()
    assert "My own canvass" in page and reverse("network:hub") in page
    assert 'name="email_consent"' not in page


def test_open_campaigns_are_those_with_events_to_come(make_member):
    from groundswell.events.models import EventCampaign

    host = make_member("Hana")
    live = EventCampaign.objects.create(title="Summer of Doors", slug="doors", approval="open")
    EventCampaign.objects.create(title="Quiet campaign", slug="quiet", approval="open")
    EventFactory(host=host, campaign=live)
    page = Client().get(reverse("web:home")).content.decode()
    assert "Summer of Doors" in page and "Quiet campaign" not in page


def test_the_home_page_numbers_are_cached_and_the_queries_bounded(make_member, django_assert_num_queries):
    for n in range(5):
        host = make_member(f"Host{n}")
        EventFactory(host=host)
    Client().get(reverse("web:home"))
    # Warm: the numbers and texts come from the cache. Session-less visitor: the open
    # campaigns query only.
    with django_assert_num_queries(1):
        response = Client().get(reverse("web:home"))
    assert response.status_code == 200


def test_the_privacy_policy_has_a_default_and_organizers_rewrite_it_safely():
    page = Client().get(reverse("web:privacy")).content.decode()
    assert "<h1>Privacy policy</h1>" in page and "never sell" in page
    SiteText.objects.create(
        key=SiteText.Key.PRIVACY, text="## Ours\n\nWe keep little. <script>alert(1)</script>"
    )
    forget_site_texts()
    page = Client().get(reverse("web:privacy")).content.decode()
    assert "<h2>Ours</h2>" in page and "<script>alert" not in page


def test_saving_a_site_text_in_the_admin_shows_at_once(make_member, client_for):
    admin_user = make_member("Ada", role=Role.ADMIN)
    Client().get(reverse("web:home"))  # cached
    response = client_for(admin_user).post(
        reverse("admin:web_sitetext_add"), {"key": "tagline", "text": "Neighbours first."}
    )
    assert response.status_code == 302
    assert "Neighbours first." in Client().get(reverse("web:home")).content.decode()


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "member", "host", "organizer", "admin"])
def test_every_persona_gets_the_home_and_privacy_pages_without_anyone_s_details(
    persona, make_member, client_for
):
    someone = make_member("Secretname", email="secret@example.org")
    EventFactory(host=someone, title="Public canvass")
    roles = {"organizer": Role.ORGANIZER, "admin": Role.ADMIN}
    user = {
        "anonymous": None,
        "host": someone,
    }.get(
        persona,
        None if persona == "anonymous" else make_member("Viewer", role=roles.get(persona, Role.MEMBER)),
    )
    client = client_for(user) if user is not None else Client()
    for url in (reverse("web:home"), reverse("web:privacy")):
        page = client.get(url).content.decode()
        assert "secret@example.org" not in page
