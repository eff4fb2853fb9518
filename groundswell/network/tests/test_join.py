"""The join page and the join-through-a-friend journey, through Django's test client."""

import re
from html import unescape

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from groundswell.activity.models import Activity, Verb
from groundswell.core.channels import Channel
from groundswell.network.models import ShareClickCount, ShareCode
from groundswell.people.models import EmailAddress, Person

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156 Safari/537.36"


def join(client: Client, **fields: str):
    data = {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "email": "ada@example.org",
        "postal_code": "10001",
    }
    data.update(fields)
    return client.post(reverse("network:join"), data, HTTP_USER_AGENT=BROWSER)


def share_link_of(hub_html: str) -> str:
    match = re.search(r'id="share-link" type="text" readonly value="([^"]+)"', hub_html)
    assert match, "the hub shows the member's link"
    return match.group(1).replace("&amp;", "&")


SIGN_IN_CODE = re.compile(r"^\s*([A-Z0-9-]{6,9})\s*$", re.MULTILINE)


def sign_in_codes_to(email: str) -> list:
    return [m for m in mail.outbox if m.to == [email] and "code" in m.subject.lower()]


def sign_in_with_emailed_code(client: Client, email: str) -> None:
    """Joining signs nobody in: enter the code it emailed on the confirmation page."""
    sent = sign_in_codes_to(email)
    assert sent, [(m.to, m.subject) for m in mail.outbox]
    match = SIGN_IN_CODE.search(str(sent[-1].body))
    assert match, sent[-1].body
    response = client.post(reverse("account_confirm_login_code"), {"code": match.group(1)})
    assert response.status_code == 302


def test_join_through_a_friend_journey(django_capture_on_commit_callbacks):
    # Ada joins: not signed in yet, she is asked for the code we emailed, and meanwhile
    # offered her share link.
    ada = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = join(ada, email="Ada@Example.org ", email_consent="on")
    assert response.status_code == 302 and response["Location"] == reverse("network:joined")
    assert ada.get(reverse("network:hub")).status_code == 302  # to sign-in
    waiting = ada.get(reverse("network:joined"))
    assert waiting.status_code == 200 and "Check your email" in waiting.content.decode()
    link = share_link_of(waiting.content.decode())
    assert "?ref=" in link and "via=link" in link
    ada_person = Person.objects.get(email_addresses__address="ada@example.org")
    # She enters the emailed code and lands on her hub, signed in, with the same link.
    sign_in_with_emailed_code(ada, "ada@example.org")
    hub = ada.get(reverse("network:hub"))
    assert hub.status_code == 200
    assert share_link_of(hub.content.decode()) == link

    # The welcome email went out through the messaging core, with her share link (and
    # the sign-in code, apart).
    assert len(mail.outbox) == 2
    (welcome,) = [m for m in mail.outbox if m not in sign_in_codes_to("ada@example.org")]
    assert welcome.to == ["ada@example.org"]
    assert "Welcome" in welcome.subject
    assert ShareCode.objects.get(person=ada_person).code in welcome.body
    assert welcome.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # A friend opens Ada's WhatsApp link and joins.
    code = ShareCode.objects.get(person=ada_person).code
    friend = Client()
    page = friend.get(f"/join?ref={code}&via=whatsapp", HTTP_USER_AGENT=BROWSER)
    assert "Ada L. invited you" in page.content.decode()
    assert "ada@example.org" not in page.content.decode()
    response = friend.post(
        reverse("network:join"),
        {
            "given_name": "Grace",
            "family_name": "Hopper",
            "email": "grace@example.org",
            "postal_code": "10002",
            "ref": code,
            "via": "whatsapp",
        },
        HTTP_USER_AGENT=BROWSER,
    )
    assert response.status_code == 302
    grace = Person.objects.get(email_addresses__address="grace@example.org")
    assert grace.recruited_by == ada_person
    assert grace.source_channel == Channel.WHATSAPP

    # The log credits Ada and the channel, for the join and for Grace's later acts.
    joined = Activity.objects.get(person=grace, verb=Verb.JOINED)
    assert (joined.referrer_id, joined.channel) == (ada_person.pk, Channel.WHATSAPP)
    recruited = Activity.objects.get(person=ada_person, verb=Verb.RECRUITED)
    assert recruited.object_id == grace.pk

    # The click was counted, without anything about the visitor.
    counts = ShareClickCount.objects.get(share_code__person=ada_person)
    assert (counts.channel, counts.clicks) == (Channel.WHATSAPP, 1)

    # Ada's ripple shows Grace.
    ripple = ada.get(reverse("network:hub")).content.decode()
    assert "Grace Hopper" in ripple
    assert "1</strong> person joined because of you" in ripple
    assert "grace@example.org" not in ripple


def test_ripple_shows_generations_and_what_people_did(make_member, client_for):
    from groundswell.activity.services import record

    root = make_member("Root")
    child = make_member("Child", recruited_by=root.person)
    grandchild = make_member("Grand", recruited_by=child.person)
    record(person=grandchild.person, verb=Verb.ATTENDED)
    record(person=grandchild.person, verb=Verb.ATTENDED)
    hub = client_for(root).get(reverse("network:hub")).content.decode()
    assert "Joined through you" in hub
    assert "Generation 2" in hub
    # Strangers two steps away appear by first name and initial only.
    assert grandchild.person.short_name in hub and grandchild.person.family_name not in hub
    assert "attended ×2" in hub
    assert "2</strong> people joined because of you" in hub


def test_hub_query_count_does_not_grow_with_the_ripple(
    make_member, client_for, django_assert_max_num_queries
):
    root = make_member("Root")
    parents = [make_member("Kid", recruited_by=root.person) for _ in range(3)]
    for parent in parents:
        for _ in range(3):
            make_member("Grandkid", recruited_by=parent.person)
    client = client_for(root)
    client.get(reverse("network:hub"))  # warm caches (content types)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("network:hub"))
    assert response.status_code == 200
    assert "12</strong> people joined because of you" in response.content.decode()


def test_same_email_again_is_welcomed_back_and_merged(django_capture_on_commit_callbacks):
    first = Client()
    with django_capture_on_commit_callbacks(execute=True):
        new = join(first)
    again = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = join(again, email="ADA@example.org", given_name="Someone Else", postal_code="94110")
    # The same answer as for a new address: check your email for the code.
    assert response.status_code == new.status_code == 302
    assert response["Location"] == new["Location"] == reverse("network:joined")
    page = again.get(response["Location"]).content.decode()
    assert "Check your email" in page
    assert "Ada" not in page  # nothing from the record for whoever typed the address
    # Not signed in as Ada: only a code sent to her address opens her page.
    assert "_auth_user_id" not in again.session
    person = Person.objects.get()
    assert person.given_name == "Ada"  # a form cannot rename someone
    assert sorted(person.postal_addresses.values_list("postal_code", flat=True)) == ["10001", "94110"]
    verbs = list(Activity.objects.filter(person=person).values_list("verb", flat=True).order_by("id"))
    assert verbs == [Verb.JOINED, Verb.RETURNED]
    # One welcome, ever; a sign-in code to the address each time, for its owner to use.
    assert len(sign_in_codes_to("ada@example.org")) == 2
    assert len(mail.outbox) == 3


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "doesn't look like an email address"),
        ({"email": ""}, "email", "Please enter your email address"),
        ({"email": "a" * 250 + "@example.org"}, "email", "too long"),
        ({"given_name": ""}, "given_name", "Please enter your first name"),
        ({"given_name": "x" * 101}, "given_name", "100 characters or fewer"),
        ({"postal_code": ""}, "postal_code", "Please enter your ZIP or postcode"),
        ({"postal_code": "123"}, "postal_code", "5 digits"),
        ({"postal_code": "00000"}, "postal_code", "couldn't find the ZIP code 00000"),
        ({"postal_code": "<script>"}, "postal_code", "doesn't look like a postcode"),
    ],
)
def test_bad_input_gets_a_clear_message_and_stores_nothing(fields, field, message):
    response = join(Client(), **fields)
    assert response.status_code == 400
    page = unescape(response.content.decode())
    assert message in page
    assert f'id="id_{field}_error"' in page
    assert Person.objects.count() == 0 and EmailAddress.objects.count() == 0
    assert Activity.objects.count() == 0


def test_names_are_stored_as_typed_and_shown_safely(client_for):
    client = Client()
    join(client, given_name="<b>Bold</b>", family_name="<script>alert(1)</script>")
    person = Person.objects.get()
    assert person.given_name == "<b>Bold</b>"
    assert "&lt;b&gt;Bold&lt;/b&gt;" in client.get(reverse("network:joined")).content.decode()
    sign_in_with_emailed_code(client, "ada@example.org")
    hub = client.get(reverse("network:hub")).content.decode()
    assert "<script>alert(1)</script>" not in hub
    assert "&lt;b&gt;Bold&lt;/b&gt;" in hub


def test_right_to_left_and_unicode_names_survive_and_bidi_overrides_do_not():
    join(Client(), given_name="\u202eسارا", family_name="כהן", email="sara@example.org")
    person = Person.objects.get()
    assert person.given_name == "سارا"
    assert person.family_name == "כהן"


def test_unknown_share_code_joins_uncredited():
    response = join(Client(), ref="nosuchcode", via="facebook")
    assert response.status_code == 302
    person = Person.objects.get()
    assert person.recruited_by is None
    assert person.source_channel == Channel.FACEBOOK
    assert ShareClickCount.objects.count() == 0


def test_honeypot_stores_nothing():
    response = join(Client(), website="http://spam.example")
    assert response.status_code == 200
    assert Person.objects.count() == 0


def test_join_page_needs_csrf():
    client = Client(enforce_csrf_checks=True)
    response = join(client)
    assert response.status_code == 403
    assert Person.objects.count() == 0


def test_clicks_count_once_per_browser_and_never_for_bots(member):
    code = ShareCode.objects.get(person=member.person).code
    browser = Client()
    for _ in range(3):
        browser.get(f"/join?ref={code}&via=facebook", HTTP_USER_AGENT=BROWSER)
    Client().get(f"/join?ref={code}&via=facebook", HTTP_USER_AGENT=BROWSER)
    Client().get(f"/join?ref={code}&via=x", HTTP_USER_AGENT=BROWSER)
    Client().get(f"/join?ref={code}&via=facebook", HTTP_USER_AGENT="facebookexternalhit/1.1")
    Client().get(f"/join?ref={code}&via=facebook", HTTP_USER_AGENT="")
    counts = dict(ShareClickCount.objects.values_list("channel", "clicks"))
    assert counts == {Channel.FACEBOOK: 2, Channel.X: 1}


def test_people_you_know_become_ties_when_they_join(member, client_for):
    client = client_for(member)
    response = client.post(reverse("network:add_contact"), {"name": "Lin", "email": "LIN@example.org"})
    assert response.status_code == 302
    lin = Client()
    join(lin, given_name="Lin", email="lin@example.org")
    contact = member.person.contacts.get()
    assert contact.person == Person.objects.get(email_addresses__address="lin@example.org")
    # "Joined" once Lin has proved the address: until then anyone could have typed it.
    assert 'class="badge joined">joined' not in client.get(reverse("network:hub")).content.decode()
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", str(mail.outbox[-1].body)).group(1)  # type: ignore[union-attr]
    lin.post(reverse("account_confirm_login_code"), {"code": code})
    hub = client.get(reverse("network:hub")).content.decode()
    assert 'class="badge joined">joined' in hub
    assert Activity.objects.filter(person=member.person, verb=Verb.LISTED_CONTACT).count() == 1


def test_listing_someone_already_here_ties_at_once_but_does_not_tell(member, outsider, client_for):
    client = client_for(member)
    response = client.post(
        reverse("network:add_contact"), {"name": "Otto", "email": outsider.email}, follow=True
    )
    assert member.person.contacts.get().person == outsider.person
    page = response.content.decode()
    assert "We&#x27;ll tell you when they join" in page and "badge joined" not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "email": "x@example.org"}, "Please enter their name"),
        ({"name": "Lin"}, "email address or phone number"),
        ({"name": "Lin", "email": "nope"}, "doesn't look like an email"),
        ({"name": "Lin", "phone": "12"}, "doesn't look like a phone number"),
    ],
)
def test_contact_bad_input(member, client_for, data, message):
    response = client_for(member).post(reverse("network:add_contact"), data)
    assert response.status_code == 400
    assert message in unescape(response.content.decode())
    assert member.person.contacts.count() == 0


def test_anonymous_visitors_are_sent_to_sign_in():
    response = Client().get(reverse("network:hub"))
    assert response.status_code == 302
    assert reverse("account_request_login_code") in response["Location"]
    assert Client().post(reverse("network:add_contact"), {"name": "x"}).status_code == 302


def test_an_outsider_sees_only_their_own_hub(member, outsider, make_member, client_for):
    recruit = make_member("Recruit", recruited_by=member.person)
    client_for(member).post(
        reverse("network:add_contact"), {"name": "Secret Friend", "email": "sf@example.org"}
    )
    page = client_for(outsider).get(reverse("network:hub")).content.decode()
    assert recruit.person.given_name not in page
    assert "Secret Friend" not in page
    assert member.email not in page


def test_odd_share_link_values_never_break_the_cookie(member):
    code = ShareCode.objects.get(person=member.person).code
    client = Client()
    response = client.get(f"/join?ref={code}&via=%F0%9F%92%A9%0d%0aX-Evil:%201", HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 200
    cookie = response.cookies["gs_seen"].value
    assert cookie.isascii() and "\n" not in cookie and f"{code}:link" in cookie


def test_a_name_of_invisible_characters_is_no_name():
    response = join(Client(), given_name="\u202e\u200b\u2066")
    assert response.status_code == 400
    assert "Please enter your first name" in response.content.decode()
    assert Person.objects.count() == 0


def test_a_stranger_cannot_pull_someone_into_their_ripple(member, client_for):
    from groundswell.people.services import PersonDetails, upsert_person

    victim, _ = upsert_person(details=PersonDetails(email="victim@example.org", given_name="Victoria"))
    code = ShareCode.objects.get(person=member.person).code
    join(Client(), email="victim@example.org", ref=code, via="whatsapp", email_consent="on")
    victim.refresh_from_db()
    assert victim.recruited_by is None
    assert "Victoria" not in client_for(member).get(reverse("network:hub")).content.decode()


def test_a_member_on_the_list_who_joins_through_a_friend_while_signed_in_credits_them(
    member, make_member, client_for
):
    imported = make_member("Imported")
    code = ShareCode.objects.get(person=member.person).code
    client = client_for(imported)
    response = join(client, email=imported.email, given_name="Imported", ref=code, via="x")
    # Their own address, signed in: back to their hub, welcomed back.
    assert response.status_code == 302 and response["Location"] == reverse("network:hub")
    assert "Welcome back" in client.get(response["Location"]).content.decode()
    imported.person.refresh_from_db()
    assert imported.person.recruited_by == member.person
    credit = Activity.objects.get(person=member.person, verb=Verb.RECRUITED)
    assert credit.object_id == imported.person_id


def test_share_buttons_log_the_share_and_hand_over_to_the_network(member, client_for):
    client = client_for(member)
    hub = client.get(reverse("network:hub")).content.decode()
    assert reverse("network:share", args=["whatsapp"]) in hub
    response = client.get(reverse("network:share", args=["whatsapp"]))
    assert response.status_code == 302 and response["Location"].startswith("https://wa.me/?text=")
    code = ShareCode.objects.get(person=member.person).code
    assert f"ref%3D{code}%26via%3Dwhatsapp" in response["Location"]
    response = client.get(reverse("network:share", args=["email"]))
    assert response["Location"].startswith("mailto:?subject=")
    shares = list(
        Activity.objects.filter(person=member.person, verb=Verb.SHARED).values_list("channel", flat=True)
    )
    assert shares == [Channel.WHATSAPP, Channel.EMAIL]
    # An unknown channel logs nothing and goes back to the hub; no address from the request is followed.
    response = client.get("/hub/share/evil.example/")
    assert response.status_code in (302, 404)
    assert Activity.objects.filter(verb=Verb.SHARED).count() == 2
    assert Client().get(reverse("network:share", args=["x"]))["Location"].startswith("/accounts/login/code/")


def test_a_yes_to_email_from_a_known_address_counts_once_the_address_is_proven(
    django_capture_on_commit_callbacks,
):
    """A guest who RSVP'd is on the list unsubscribed; joining from the confirmation page
    with "email me" ticked subscribes them only when their browser enters the emailed code."""
    from groundswell.people.models import Consent, EmailStatus
    from groundswell.people.services import PersonDetails, upsert_person

    upsert_person(details=PersonDetails(email="guest@example.org", given_name="Gus", email_consent=False))
    guest = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = join(guest, email="guest@example.org", given_name="Gus", email_consent="on")
    assert response.status_code == 302
    address = EmailAddress.objects.get(address="guest@example.org")
    assert address.status != EmailStatus.SUBSCRIBED  # typing an address proves nothing

    sign_in_with_emailed_code(guest, "guest@example.org")
    address.refresh_from_db()
    assert address.status == EmailStatus.SUBSCRIBED
    consent = Consent.objects.filter(person=address.person, granted=True).get()
    assert consent.wording == "Email me about actions and events near me."
    assert Activity.objects.filter(person=address.person, verb=Verb.SUBSCRIBED).count() == 1


def test_a_yes_typed_by_someone_else_is_dropped_when_the_owner_signs_in_elsewhere(
    django_capture_on_commit_callbacks,
):
    from groundswell.people.models import EmailStatus
    from groundswell.people.services import PersonDetails, upsert_person

    upsert_person(details=PersonDetails(email="owner@example.org", given_name="Owen", email_consent=False))
    with django_capture_on_commit_callbacks(execute=True):
        join(Client(), email="owner@example.org", given_name="Mallory", email_consent="on")
    # The owner signs in from their own browser with a code: the stranger's yes stays behind.
    owner = Client()
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(reverse("account_request_login_code"), {"email": "owner@example.org"})
    sign_in_with_emailed_code(owner, "owner@example.org")
    assert owner.get(reverse("network:hub")).status_code == 200
    assert EmailAddress.objects.get(address="owner@example.org").status != EmailStatus.SUBSCRIBED
