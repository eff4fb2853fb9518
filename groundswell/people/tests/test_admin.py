import pytest

from groundswell.accounts.models import Role
from groundswell.accounts.services import create_account_for_email
from groundswell.people.models import Person
from groundswell.people.services import PersonDetails, upsert_person

pytestmark = pytest.mark.django_db


def test_staff_merge_duplicates_from_the_admin(client_for):
    admin = create_account_for_email(email="root@example.org", role=Role.ADMIN)
    first, _ = upsert_person(details=PersonDetails(email="pat@example.org", given_name="Pat"))
    second, _ = upsert_person(details=PersonDetails(email="pat.work@example.org", family_name="Nguyen"))
    response = client_for(admin).post(
        "/admin/people/person/",
        {"action": "merge_selected", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )
    assert "Merged 1 record(s)" in response.content.decode()
    survivor = Person.objects.exclude(pk=admin.person_id).get()
    assert survivor.pk == first.pk and survivor.display_name == "Pat Nguyen"
    assert survivor.email_addresses.count() == 2
    from groundswell.activity.models import Activity, Verb

    merged = Activity.objects.get(verb=Verb.MERGED)
    assert (merged.person_id, merged.object_id, merged.actor_id) == (first.pk, second.pk, admin.person_id)


def test_staff_change_subscriptions_and_forget_people_through_the_services(client_for):
    from groundswell.activity.models import Activity, Verb
    from groundswell.people.models import EmailAddress, EmailStatus

    admin = create_account_for_email(email="root@example.org", role=Role.ADMIN)
    person, _ = upsert_person(
        details=PersonDetails(email="sub@example.org", given_name="Sub", email_consent=True)
    )
    email = EmailAddress.objects.get(address="sub@example.org")
    client = client_for(admin)
    client.post(
        "/admin/people/emailaddress/", {"action": "unsubscribe_selected", "_selected_action": [email.pk]}
    )
    email.refresh_from_db()
    assert email.status == EmailStatus.UNSUBSCRIBED
    assert Activity.objects.get(person=person, verb=Verb.UNSUBSCRIBED).actor_id == admin.person_id
    # The status itself cannot be typed over in the form.
    page = client.get(f"/admin/people/emailaddress/{email.pk}/change/").content.decode()
    assert 'name="status"' not in page
    client.post("/admin/people/person/", {"action": "forget_selected", "_selected_action": [person.pk]})
    person.refresh_from_db()
    assert person.anonymized_at is not None and not person.email_addresses.exists()


def test_search_finds_people_by_exact_email(client_for):
    admin = create_account_for_email(email="root@example.org", role=Role.ADMIN)
    upsert_person(details=PersonDetails(email="findme@example.org", given_name="Findable"))
    page = client_for(admin).get("/admin/people/person/?q=findme@example.org").content.decode()
    assert "Findable" in page
