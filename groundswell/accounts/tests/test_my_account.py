"""My account: details, what hosts see, email preferences, the copy of one's data, leaving.

A row per persona where a page or service touches people's data: anonymous, the member
themself, another member (outsider), host, organizer, admin.
"""

import csv
import html
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from groundswell.accounts import selectors, services
from groundswell.accounts.models import DataExport, Role, User
from groundswell.accounts.tests.factories import MemberFactory, actor_of
from groundswell.activity.models import Activity, Detail, Verb
from groundswell.core.errors import NotFound, PermissionDenied, ValidationError
from groundswell.events.models import Attendance
from groundswell.events.tests.factories import EventFactory
from groundswell.messaging.services import send_welcome
from groundswell.people.models import EmailStatus, Person

pytestmark = pytest.mark.django_db

ACCOUNT = reverse("my_account:account")
STAFF_AND_OTHERS = ["outsider", "host", "organizer", "admin"]


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def people():
    return {
        "member": MemberFactory.create(given_name="Maya"),
        "outsider": MemberFactory.create(given_name="Otto"),
        "host": MemberFactory.create(given_name="Hana", role=Role.HOST),
        "organizer": MemberFactory.create(given_name="Olu", role=Role.ORGANIZER),
        "admin": MemberFactory.create(given_name="Ali", role=Role.ADMIN),
    }


def details(**changes: str) -> dict[str, str]:
    data = {
        "details-given_name": "Maya",
        "details-family_name": "Lopez",
        "details-postal_code": "10001",
        "details-phone": "",
    }
    data.update({f"details-{key}": value for key, value in changes.items()})
    return data


# --- The page ------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in (ACCOUNT, reverse("my_account:delete")):
        response = client.get(url)
        assert response.status_code == 302 and reverse("account_request_login_code") in response["Location"]
    response = client.post(reverse("my_account:details"), details())
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("persona", ["member", *STAFF_AND_OTHERS])
def test_each_persona_sees_only_their_own_account(client_for, people, persona):
    user = people[persona]
    page = client_for(user).get(ACCOUNT).content.decode()
    assert user.email in page
    others = [u for name, u in people.items() if name != persona]
    assert not any(other.email in page for other in others)
    assert "My account" in page and 'aria-current="page"' in page


def test_the_page_reads_in_a_fixed_number_of_queries(client_for, member, django_assert_max_num_queries):
    client = client_for(member)
    client.get(ACCOUNT)
    with django_assert_max_num_queries(12):
        assert client.get(ACCOUNT).status_code == 200


# --- Details -------------------------------------------------------------------------------


def test_a_member_changes_their_name_postcode_and_phone(client_for, member):
    response = client_for(member).post(
        reverse("my_account:details"), details(given_name="Mai", postal_code="94110", phone="415 555 0123")
    )
    assert response.status_code == 302
    person = Person.objects.get(pk=member.person_id)
    assert (person.given_name, person.family_name) == ("Mai", "Lopez")
    address = person.postal_addresses.get(primary=True)
    assert (address.postal_code, address.locality) == ("94110", "San Francisco")
    assert address.latitude is not None
    assert list(person.phone_numbers.values_list("number", "primary")) == [("+14155550123", True)]
    acts = Activity.objects.filter(person=person, verb=Verb.CHANGED_DETAILS)
    assert set(acts.values_list("detail", flat=True)) == {Detail.NAME, Detail.POSTCODE, Detail.PHONE}
    assert set(acts.values_list("actor_id", flat=True)) == {person.pk}


def test_saving_what_is_already_there_logs_nothing(client_for, member):
    client = client_for(member)
    client.post(
        reverse("my_account:details"), details(family_name=member.person.family_name, given_name="Maya")
    )
    before = Activity.objects.filter(verb=Verb.CHANGED_DETAILS).count()
    client.post(
        reverse("my_account:details"), details(family_name=member.person.family_name, given_name="Maya")
    )
    assert Activity.objects.filter(verb=Verb.CHANGED_DETAILS).count() == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"postal_code": "00000"}, "postal_code", "We couldn't find the ZIP code 00000"),
        ({"postal_code": ""}, "postal_code", "Please enter your ZIP or postcode"),
        ({"phone": "12"}, "phone", "doesn't look like a phone number"),
        ({"given_name": "  "}, "given_name", "Please enter your first name"),
    ],
)
def test_a_bad_detail_is_explained_and_nothing_is_saved(client_for, member, changes, field, message):
    response = client_for(member).post(
        reverse("my_account:details"), details(**{"given_name": "Changed", **changes})
    )
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "error-summary" in page and message in page
    assert f'href="#id_details-{field}"' in page
    person = Person.objects.get(pk=member.person_id)
    assert person.given_name == "Maya"  # the valid name was not saved either
    assert person.postal_addresses.get().postal_code == "10001"
    assert not Activity.objects.filter(verb=Verb.CHANGED_DETAILS).exists()


def test_an_empty_phone_removes_every_number(member):
    actor = actor_of(member)
    services.change_details(
        actor=actor,
        person=member.person,
        given_name="Maya",
        family_name="",
        postcode="10001",
        phone="2125550100",
    )
    services.change_details(
        actor=actor, person=member.person, given_name="Maya", family_name="", postcode="10001", phone=""
    )
    assert not member.person.phone_numbers.exists()


@pytest.mark.parametrize(
    ("persona", "allowed"), [("outsider", False), ("host", False), ("organizer", True), ("admin", True)]
)
def test_only_the_person_or_staff_change_details(people, persona, allowed):
    call = lambda: services.change_details(  # noqa: E731
        actor=actor_of(people[persona]),
        person=people["member"].person,
        given_name="Changed",
        family_name="",
        postcode="10001",
        phone="",
    )
    if allowed:
        call()
        assert Person.objects.get(pk=people["member"].person_id).given_name == "Changed"
    else:
        with pytest.raises(PermissionDenied):
            call()
        assert Person.objects.get(pk=people["member"].person_id).given_name == "Maya"


def test_a_bad_postcode_raises_for_its_field(member):
    with pytest.raises(ValidationError) as error:
        services.change_details(
            actor=actor_of(member),
            person=member.person,
            given_name="M",
            family_name="",
            postcode="1",
            phone="",
        )
    assert error.value.field == "postal_code"


# --- What hosts see --------------------------------------------------------------------------


def test_a_member_chooses_what_their_rsvps_share(client_for, member):
    assert (member.share_email_with_hosts, member.share_phone_with_hosts) == (True, False)
    client_for(member).post(reverse("my_account:sharing"), {"sharing-share_phone": "on"})
    member.refresh_from_db()
    assert (member.share_email_with_hosts, member.share_phone_with_hosts) == (False, True)
    act = Activity.objects.get(person=member.person, verb=Verb.CHANGED_DETAILS)
    assert act.detail == Detail.SHARING
    page = client_for(member).get(ACCOUNT).content.decode()
    assert 'name="sharing-share_phone" checked' in page and 'name="sharing-share_email" checked' not in page


@pytest.mark.parametrize("persona", STAFF_AND_OTHERS)
def test_nobody_else_sets_what_a_member_shares(people, persona):
    with pytest.raises(PermissionDenied):
        services.share_with_hosts(
            actor=actor_of(people[persona]), user=people["member"], email=False, phone=True
        )


# --- Email preferences -----------------------------------------------------------------------


def test_a_member_unsubscribes_and_subscribes_again(client_for, member):
    client = client_for(member)
    email = member.person.email_addresses.get()
    client.post(reverse("my_account:email"), {"address": email.pk, "subscribed": "0"})
    email.refresh_from_db()
    assert email.status == EmailStatus.UNSUBSCRIBED
    assert "Subscribe again" in client.get(ACCOUNT).content.decode()
    client.post(reverse("my_account:email"), {"address": email.pk, "subscribed": "1"})
    email.refresh_from_db()
    assert email.status == EmailStatus.SUBSCRIBED
    verbs = list(Activity.objects.filter(person=member.person).order_by("id").values_list("verb", flat=True))
    assert verbs[-2:] == [Verb.UNSUBSCRIBED, Verb.SUBSCRIBED]
    consent = member.person.consents.order_by("-id").first()
    assert consent.granted and "My account" in consent.wording


def test_a_bouncing_address_is_resubscribed_by_its_owner(client_for, member):
    email = member.person.email_addresses.get()
    type(email).objects.filter(pk=email.pk).update(status=EmailStatus.BOUNCING)
    page = client_for(member).get(ACCOUNT).content.decode()
    assert "Not getting email" in page
    client_for(member).post(reverse("my_account:email"), {"address": email.pk, "subscribed": "1"})
    email.refresh_from_db()
    assert email.status == EmailStatus.SUBSCRIBED


@pytest.mark.parametrize("persona", STAFF_AND_OTHERS)
def test_nobody_changes_someone_elses_subscription_through_the_page(client_for, people, persona):
    email = people["member"].person.email_addresses.get()
    response = client_for(people[persona]).post(
        reverse("my_account:email"), {"address": email.pk, "subscribed": "0"}
    )
    assert response.status_code == 302
    email.refresh_from_db()
    assert email.status == EmailStatus.SUBSCRIBED


# --- A copy of one's data --------------------------------------------------------------------


def _archive(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_a_member_asks_for_their_data_and_downloads_it(
    client_for, member, django_capture_on_commit_callbacks
):
    recruit = MemberFactory.create(given_name="Rita", family_name="Secretsurname", recruited_by=member.person)
    event = EventFactory.create(host=MemberFactory.create(given_name="Hana"), title="=HYPERLINK(1)")
    Attendance.objects.create(event=event, person=member.person, given_name="Maya", email=member.email)
    hosted = EventFactory.create(host=member, title="Maya's canvass")
    send_welcome(person=member.person, hub_url="http://x/hub/", share_url="")
    client = client_for(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("my_account:request_data"))
    assert response.status_code == 302 and response["Location"].endswith("#your-data")
    export = DataExport.objects.get(person=member.person)
    assert export.status == DataExport.Status.READY
    assert export.expires_at and export.ready_at
    assert export.expires_at - export.ready_at == timedelta(days=7)
    assert Activity.objects.filter(person=member.person, verb=Verb.ASKED_FOR_DATA).exists()
    # The email says it is ready, with the link.
    download_url = reverse("my_account:download", args=[export.uuid])
    assert any(download_url in m.body and m.to == [member.email] for m in mail.outbox)
    page = client.get(ACCOUNT).content.decode()
    assert "Your copy is ready" in page and download_url in page

    response = client.get(download_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    archive = _archive(response)
    data = json.loads(archive.read("groundswell-data.json"))
    assert data["profile"][0]["given_name"] == "Maya"
    assert data["email_addresses"][0]["address"] == member.email
    assert [r["event"] for r in data["rsvps"]] == ["=HYPERLINK(1)"]
    assert [r["event"] for r in data["events_hosted"]] == [hosted.title]
    assert data["recruits"] == [{"first_name": "Rita", "joined_at": data["recruits"][0]["joined_at"]}]
    assert any(r["what"] == "asked for a copy of their data" for r in data["activity"])
    assert any("Welcome to" in r["subject"] and "{{" not in r["subject"] for r in data["messages_received"])
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"Secretsurname" not in everything and recruit.email.encode() not in everything
    # CSV: formula-safe (a typed "=..." is shown as text).
    rows = list(csv.reader(io.StringIO(archive.read("csv/rsvps.csv").decode("utf-8-sig"))))
    assert rows[1][0] == "'=HYPERLINK(1)"
    assert {"csv/profile.csv", "csv/activity.csv", "csv/recruits.csv", "README.txt"} <= set(
        archive.namelist()
    )


def test_asking_twice_while_preparing_makes_one(member):
    actor = actor_of(member)
    first, new = services.request_data_export(actor=actor, person=member.person)
    again, new_again = services.request_data_export(actor=actor, person=member.person)
    assert new and not new_again and first == again


def test_the_page_says_a_copy_is_being_prepared(client_for, member):
    DataExport.objects.create(person=member.person)
    page = client_for(member).get(ACCOUNT).content.decode()
    assert "being prepared" in page and "Prepare a" not in page


@pytest.mark.parametrize("persona", STAFF_AND_OTHERS)
def test_nobody_else_asks_for_a_members_data(people, persona):
    with pytest.raises(PermissionDenied):
        services.request_data_export(actor=actor_of(people[persona]), person=people["member"].person)


@pytest.fixture
def ready_export(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        export, _ = services.request_data_export(actor=actor_of(member), person=member.person)
        from groundswell.web.tasks import build_data_export

        build_data_export.delay(export.pk)
    export.refresh_from_db()
    assert export.status == DataExport.Status.READY
    return export


@pytest.mark.parametrize("persona", STAFF_AND_OTHERS)
def test_nobody_else_downloads_a_members_data_even_knowing_its_address(
    client_for, people, persona, ready_export
):
    # ready_export belongs to the `member` fixture, a different user from people["member"];
    # every persona here is someone else.
    response = client_for(people[persona]).get(reverse("my_account:download", args=[ready_export.uuid]))
    assert response.status_code == 404
    with pytest.raises(NotFound):
        selectors.access_data_export(actor_of(people[persona]), ready_export.uuid)


def test_an_anonymous_visitor_cannot_download(client, ready_export):
    response = client.get(reverse("my_account:download", args=[ready_export.uuid]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_guessed_and_expired_downloads_are_not_found(client_for, member, ready_export):
    client = client_for(member)
    for guess in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        assert client.get(reverse("my_account:download", args=[guess])).status_code == 404
    DataExport.objects.filter(pk=ready_export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("my_account:download", args=[ready_export.uuid])).status_code == 404


def test_expired_archives_are_removed(ready_export):
    assert default_storage.exists(ready_export.file_name)
    assert services.remove_expired_data_exports(now=timezone.now() + timedelta(days=8)) == 1
    assert not default_storage.exists(ready_export.file_name)
    assert not DataExport.objects.exists()


# --- Leaving ---------------------------------------------------------------------------------


def test_deleting_asks_first_and_says_what_goes_and_what_stays(client_for, member):
    EventFactory.create(host=member, title="Saturday canvass")
    page = client_for(member).get(reverse("my_account:delete")).content.decode()
    assert 'class="confirm"' in page and "What goes" in page and "What stays" in page
    assert "Saturday canvass" in page
    assert Person.objects.get(pk=member.person_id).anonymized_at is None


def test_a_member_deletes_their_account(client_for, member, ready_export, django_capture_on_commit_callbacks):
    client = client_for(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("my_account:delete"))
    assert response.status_code == 302 and response["Location"] == reverse("my_account:deleted")
    person = Person.objects.get(pk=member.person_id)
    assert person.anonymized_at is not None and person.given_name == ""
    assert not person.email_addresses.exists()
    assert not User.objects.filter(pk=member.pk).exists()
    assert Activity.objects.filter(person=person, verb=Verb.FORGOTTEN, actor=person).exists()
    assert not DataExport.objects.exists() and not default_storage.exists(ready_export.file_name)
    # Signed out: the account page now asks to sign in, and the deleted page is public.
    assert client.get(ACCOUNT).status_code == 302
    assert "Your account is deleted" in client.get(reverse("my_account:deleted")).content.decode()


@pytest.mark.parametrize("persona", STAFF_AND_OTHERS)
def test_deleting_only_ever_deletes_ones_own_account(client_for, people, persona):
    client_for(people[persona]).post(reverse("my_account:delete"))
    assert Person.objects.get(pk=people["member"].person_id).anonymized_at is None
    assert Person.objects.get(pk=people[persona].person_id).anonymized_at is not None


def test_an_rsvp_shares_what_the_member_chose_on_my_account(client_for, member, make_member):
    services.change_details(
        actor=actor_of(member),
        person=member.person,
        given_name="Maya",
        family_name="",
        postcode="10001",
        phone="2125550100",
    )
    services.share_with_hosts(actor=actor_of(member), user=member, email=False, phone=True)
    event = EventFactory.create(host=make_member("Hana"))
    client = client_for(member)
    page = client.get(reverse("events:detail", args=[event.uuid])).content.decode()
    assert 'id="share-email">' in page and 'id="share-phone" checked>' in page
    # A form without the choices on it (an old page, a one-click link) shares the defaults.
    client.post(reverse("events:rsvp", args=[event.uuid]))
    attendance = Attendance.objects.get(event=event, person=member.person)
    assert (attendance.email, attendance.phone) == ("", "+12125550100")
