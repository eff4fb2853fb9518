"""Signing in with a one-time code sent by email (allauth), for anyone on the list."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from groundswell.accounts.models import Role, User
from groundswell.accounts.services import create_account_for_email, set_role
from groundswell.people.services import PersonDetails, upsert_person

pytestmark = pytest.mark.django_db


def request_code(client: Client, email: str):
    return client.post(reverse("account_request_login_code"), {"email": email})


def sign_in_with_code(client: Client, email: str) -> None:
    """Ask for a code for `email` and enter it, as a person does."""
    request_code(client, email)
    match = re.search(r"^\s*([A-Z0-9-]{6,9})\s*$", str(mail.outbox[-1].body), re.MULTILINE)
    assert match and mail.outbox[-1].to == [email], mail.outbox[-1].body
    assert client.post(reverse("account_confirm_login_code"), {"code": match.group(1)}).status_code == 302


def test_a_person_without_an_account_signs_in_with_a_code():
    person, _ = upsert_person(details=PersonDetails(email="imported@example.org", given_name="Ima"))
    client = Client()
    response = request_code(client, "Imported@Example.org")
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    match = re.search(r"^\s*([A-Z0-9-]{6,9})\s*$", str(mail.outbox[0].body), re.MULTILINE)
    assert match, mail.outbox[0].body
    code = match.group(1)
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    hub = client.get(reverse("network:hub"))
    assert hub.status_code == 200 and "Hi Ima" in hub.content.decode()
    user = User.objects.get()
    assert user.person == person and user.role == Role.MEMBER and not user.has_usable_password()


def test_a_wrong_code_does_not_sign_in():
    upsert_person(details=PersonDetails(email="x@example.org"))
    client = Client()
    request_code(client, "x@example.org")
    response = client.post(reverse("account_confirm_login_code"), {"code": "WRONG1"})
    assert response.status_code == 200
    assert client.get(reverse("network:hub")).status_code == 302


def test_unknown_addresses_look_the_same_and_get_no_account():
    response = request_code(Client(), "nobody@example.org")
    assert response.status_code == 302  # no enumeration: same answer as a known address
    assert User.objects.count() == 0
    assert all("code" not in m.body.lower() or m.to != ["nobody@example.org"] for m in mail.outbox)


def test_sign_out_is_a_post(member, client_for):
    client = client_for(member)
    assert client.get(reverse("network:hub")).status_code == 200
    client.post(reverse("account_logout"))
    assert client.get(reverse("network:hub")).status_code == 302


def test_roles_open_the_admin_only_to_staff(member, organizer, client_for):
    assert client_for(member).get("/admin/").status_code == 302
    assert client_for(organizer).get("/admin/").status_code == 200
    assert client_for(organizer).get("/admin/people/person/").status_code == 403  # staff, no model rights yet
    admin = create_account_for_email(email="boss@example.org", role=Role.ADMIN)
    page = client_for(admin).get("/admin/people/person/?q=maya")
    assert page.status_code == 200 and member.email in page.content.decode()
    set_role(user=admin, role=Role.MEMBER)
    assert client_for(admin).get("/admin/").status_code == 302
    assert member.has_role(Role.MEMBER) and not member.has_role(Role.HOST)
    assert organizer.is_organizer and not member.is_organizer


def test_admin_pages_answer_for_an_admin(client_for, member):
    admin = create_account_for_email(email="root@example.org", role=Role.ADMIN)
    client = client_for(admin)
    for url in [
        "/admin/people/person/",
        f"/admin/people/person/{member.person_id}/change/",
        "/admin/people/person/?source_channel__exact=0",
        "/admin/accounts/user/",
        "/admin/activity/activity/",
        "/admin/messaging/delivery/",
        "/admin/network/sharecode/",
        "/admin/network/contact/",
        "/admin/network/shareclickcount/",
        "/admin/events/event/",
        "/admin/events/eventcampaign/",
        "/admin/events/attendance/",
        "/admin/events/shift/",
        "/admin/events/trustedhost/",
    ]:
        assert client.get(url).status_code == 200, url


def test_an_address_staff_moved_never_leads_into_its_old_holders_account(django_capture_on_commit_callbacks):
    from groundswell.accounts.actors import ANONYMOUS
    from groundswell.network.services import join
    from groundswell.people.models import EmailAddress

    pat = join(actor=ANONYMOUS, email="old@example.org", given_name="Pat", postal_code="10001")
    # Joining makes no account: Pat's is made when she first signs in with her code.
    sign_in_with_code(Client(), "old@example.org")
    pat_user = User.objects.get(person=pat.person)
    EmailAddress.objects.filter(address="old@example.org").update(address="new@example.org")
    # A code asked for the old address reaches no account.
    client = Client()
    before = len(mail.outbox)
    request_code(client, "old@example.org")
    sent = [m for m in mail.outbox[before:] if m.to == ["old@example.org"]]
    assert all("code" not in m.subject.lower() for m in sent), [m.subject for m in sent]
    # Someone else joins with the old address: a new person, their own account.
    eve = join(actor=ANONYMOUS, email="old@example.org", given_name="Eve", postal_code="10001")
    assert eve.created and eve.person.pk != pat.person.pk
    pat_user.refresh_from_db()
    assert pat_user.email == "new@example.org"
    # A code for the old address now opens Eve's account, never Pat's.
    eve_client = Client()
    sign_in_with_code(eve_client, "old@example.org")
    assert "Hi Eve" in eve_client.get(reverse("network:hub")).content.decode()
    assert User.objects.get(person=eve.person).pk != pat_user.pk
    # And Pat signs in with the address she has now.
    request_code(Client(), "new@example.org")
    assert mail.outbox[-1].to == ["new@example.org"] and "code" in mail.outbox[-1].subject.lower()
