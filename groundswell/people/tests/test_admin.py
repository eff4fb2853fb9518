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


def test_search_finds_people_by_exact_email(client_for):
    admin = create_account_for_email(email="root@example.org", role=Role.ADMIN)
    upsert_person(details=PersonDetails(email="findme@example.org", given_name="Findable"))
    page = client_for(admin).get("/admin/people/person/?q=findme@example.org").content.decode()
    assert "Findable" in page
