"""My account in a real browser, on a phone and on a desktop: open it from the menu → change
name, ZIP code and phone → choose what hosts see → unsubscribe and subscribe again → take a
copy of the data (built by the worker task, downloaded through the page) → delete the
account through its confirmation step → signed out, and the person forgotten."""

import csv
import io
import json
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from groundswell.accounts.models import DataExport, User
from groundswell.accounts.tests.factories import MemberFactory, actor_of
from groundswell.activity.models import Activity, Detail, Verb
from groundswell.events import services as events
from groundswell.events.models import Attendance
from groundswell.events.tests.factories import EventFactory
from groundswell.people.models import EmailStatus, Person
from tests.browser.checks import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def textbox(page, name: str):
    """A text input by its accessible name (the required marker "*" is aria-hidden)."""
    return page.get_by_role("textbox", name=name, exact=True)


def said(page, text: str) -> None:
    """The message the page shows after a change (the site's status messages)."""
    page.get_by_role("status").filter(has_text=text).first.wait_for()


@pytest.mark.parametrize("width", [390, 1280], ids=["phone", "desktop"])
def test_edit_export_and_delete_my_account(browser, signed_in, live_server, settings, tmp_path, width):
    settings.SITE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path  # where the archive is kept, and removed from
    ella = MemberFactory.create(given_name="Ella", family_name="Baker", email="ella@example.org")
    fannie = MemberFactory.create(
        given_name="Fannie",
        family_name="Townsend",
        email="fannie@example.org",
        postal_code="10001",
        recruited_by=ella.person,
    )
    diane = MemberFactory.create(
        given_name="Diane", family_name="Nash", email="diane@example.org", recruited_by=fannie.person
    )
    bayard = MemberFactory.create(given_name="Bayard", family_name="Rustin", email="bayard@example.org")
    MemberFactory.create(given_name="Otto", family_name="Unrelated", email="otto@example.org")
    event = EventFactory.create(
        host=bayard, title="Voter registration drive", starts_at=timezone.now() + timedelta(days=2)
    )
    events.rsvp(actor=actor_of(fannie), event=event)
    strangers = [
        "Baker",
        "Nash",
        "Rustin",
        "Bayard",
        "Otto",
        "Unrelated",
        "ella@",
        "diane@",
        "bayard@",
        "otto@",
    ]

    phone = width < 500
    page = signed_in(
        fannie, viewport={"width": width, "height": 844}, is_mobile=phone, has_touch=phone
    ).new_page()

    # My account, from the navigation: on a phone, inside the "Menu" button.
    page.goto(f"{live_server.url}/")
    if phone:
        page.locator("summary", has_text="Menu").click()
    else:
        page.locator("summary", has_text="Fannie").click()
    page.get_by_role("link", name="My account", exact=True).click()
    page.wait_for_url("**/account/")
    page.get_by_role("heading", level=1, name="My account").wait_for()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # Name, ZIP code and phone: saved, shown back, and logged as changed (what, not the values).
    details = page.get_by_role("region", name="Your details")
    assert textbox(details, "First name").input_value() == "Fannie"
    assert textbox(details, "ZIP or postcode").input_value() == "10001"
    textbox(details, "First name").fill("Fannie Lou")
    textbox(details, "Last name (optional)").fill("Hamer")
    textbox(details, "ZIP or postcode").fill("30303")
    textbox(details, "Phone (optional)").fill("(404) 555-0134")
    details.get_by_role("button", name="Save my details").click()
    said(page, "Your details are saved.")
    details = page.get_by_role("region", name="Your details")
    assert textbox(details, "First name").input_value() == "Fannie Lou"
    assert textbox(details, "Last name (optional)").input_value() == "Hamer"
    assert textbox(details, "ZIP or postcode").input_value() == "30303"
    assert textbox(details, "Phone (optional)").input_value() == "+14045550134"
    person = Person.objects.get(pk=fannie.person_id)
    assert (person.given_name, person.family_name) == ("Fannie Lou", "Hamer")
    address = person.postal_addresses.get(primary=True)
    assert address.postal_code == "30303" and address.locality == "Atlanta"
    assert list(person.phone_numbers.values_list("number", flat=True)) == ["+14045550134"]
    changed = Activity.objects.filter(person=person, verb=Verb.CHANGED_DETAILS)
    assert set(changed.values_list("detail", flat=True)) == {Detail.NAME, Detail.POSTCODE, Detail.PHONE}
    assert set(changed.values_list("actor_id", flat=True)) == {person.pk}

    # A bad phone number: said beside the field, nothing saved, what was typed kept.
    textbox(details, "Phone (optional)").fill("12")
    details.get_by_role("button", name="Save my details").click()
    assert details.locator("p.error").get_by_text("doesn't look like a phone number").is_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert textbox(details, "Phone (optional)").input_value() == "12"
    assert list(person.phone_numbers.values_list("number", flat=True)) == ["+14045550134"]
    page.goto(f"{live_server.url}/account/")

    # What hosts see: the phone number too, from now on.
    sharing = page.get_by_role("region", name="What hosts see when you RSVP")
    assert sharing.get_by_role("checkbox", name="My email address").is_checked()
    sharing.get_by_role("checkbox", name="My phone number").check()
    sharing.get_by_role("button", name="Save what I share").click()
    said(page, "Your next RSVPs will share what you chose.")
    assert (
        page.get_by_role("region", name="What hosts see when you RSVP")
        .get_by_role("checkbox", name="My phone number")
        .is_checked()
    )
    user = User.objects.get(pk=fannie.pk)
    assert user.share_email_with_hosts and user.share_phone_with_hosts
    assert changed.filter(detail=Detail.SHARING).count() == 1

    # Email: unsubscribe, then subscribe again; each is the person's own act, with consent.
    email = page.get_by_role("region", name="Email")
    email.get_by_role("button", name="Unsubscribe fannie@example.org").click()
    said(page, "You're unsubscribed")
    email = page.get_by_role("region", name="Email")
    assert email.get_by_text("No updates").is_visible()
    assert person.email_addresses.get().status == EmailStatus.UNSUBSCRIBED
    email.get_by_role("button", name="Subscribe again fannie@example.org").click()
    said(page, "You're subscribed again")
    assert page.get_by_role("region", name="Email").get_by_text("Gets updates").is_visible()
    assert person.email_addresses.get().status == EmailStatus.SUBSCRIBED
    acts = list(
        Activity.objects.filter(person=person, verb__in=[Verb.UNSUBSCRIBED, Verb.SUBSCRIBED])
        .order_by("occurred_at", "id")
        .values_list("verb", flat=True)
    )
    assert acts[-2:] == [Verb.UNSUBSCRIBED, Verb.SUBSCRIBED]
    assert [c.granted for c in person.consents.order_by("recorded_at", "id")][-2:] == [False, True]

    # A copy of my data: the worker's task builds it (in-process in tests), the page offers it.
    data = page.get_by_role("region", name="Your data")
    data.get_by_role("button", name="Prepare a copy of my data").click()
    data = page.get_by_role("region", name="Your data")
    data.get_by_text("Your copy is ready.").wait_for()
    assert Activity.objects.filter(person=person, verb=Verb.ASKED_FOR_DATA).count() == 1
    assert any(m.to == ["fannie@example.org"] and "/account/data/" in str(m.body) for m in mail.outbox)
    with page.expect_download() as download_info:
        data.get_by_role("link", name="Download my data").click()
    download = download_info.value
    assert re.fullmatch(r"groundswell-data-\d{4}-\d{2}-\d{2}\.zip", download.suggested_filename)
    archive = zipfile.ZipFile(download.path())
    names = archive.namelist()
    assert "groundswell-data.json" in names and "csv/profile.csv" in names and "csv/rsvps.csv" in names
    document = json.loads(archive.read("groundswell-data.json"))
    assert document["profile"][0]["given_name"] == "Fannie Lou"
    assert document["profile"][0]["family_name"] == "Hamer"
    assert document["email_addresses"][0]["address"] == "fannie@example.org"
    assert document["phone_numbers"][0]["number"] == "+14045550134"
    assert document["rsvps"][0]["event"] == "Voter registration drive"
    assert [r["first_name"] for r in document["recruits"]] == ["Diane"]  # first names only
    profile = list(csv.DictReader(io.StringIO(archive.read("csv/profile.csv").decode("utf-8-sig"))))
    assert profile[0]["given_name"] == "Fannie Lou" and profile[0]["family_name"] == "Hamer"
    everything = "\n".join(archive.read(name).decode("utf-8-sig") for name in names)
    assert "Fannie Lou" in everything
    assert [word for word in strangers if word in everything] == []
    export = DataExport.objects.get(person=person)
    assert (Path(tmp_path) / export.file_name).exists()

    # Leaving: a confirmation step first, then the person is forgotten and signed out.
    page.get_by_role("link", name="Delete my account…").click()
    page.get_by_role("heading", level=1, name="Delete your account?").wait_for()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert "the 1 person who joined through you stay" in page.content()
    assert Person.objects.get(pk=person.pk).anonymized_at is None  # asking is not doing
    page.get_by_role("button", name="Yes, delete my account").click()
    page.get_by_role("heading", level=1, name="Your account is deleted").wait_for()
    assert_accessible(page)
    if phone:
        page.locator("summary", has_text="Menu").click()
    assert page.get_by_role("link", name="Sign in", exact=True).is_visible()
    assert page.get_by_role("link", name="My account", exact=True).count() == 0
    page.goto(f"{live_server.url}/account/")
    assert "/accounts/login" in page.url

    forgotten = Person.objects.get(pk=person.pk)
    assert forgotten.anonymized_at is not None
    assert (forgotten.given_name, forgotten.family_name, forgotten.source_detail) == ("", "", "")
    assert not forgotten.email_addresses.exists()
    assert not forgotten.phone_numbers.exists()
    assert not forgotten.postal_addresses.exists()
    assert not User.objects.filter(pk=fannie.pk).exists()
    assert not DataExport.objects.filter(person=forgotten).exists()
    assert not (Path(tmp_path) / export.file_name).exists()
    rsvp = Attendance.objects.get(event=event, person=forgotten)  # the count holds, nameless
    assert (rsvp.given_name, rsvp.family_name, rsvp.email, rsvp.phone) == ("", "", "", "")
    assert Activity.objects.filter(person=forgotten, verb=Verb.FORGOTTEN).count() == 1
    # The tree holds: her recruiter and her recruit keep their places.
    assert forgotten.recruited_by_id == ella.person_id
    assert Person.objects.get(pk=diane.person_id).recruited_by_id == forgotten.pk
