"""How a member's email or letter reaches the office (`advocacy.delivery`): the ways offered
per mode and persona, the office's length limit, and the platform sending it for a member
through the messaging core, to a real SMTP server.

Personas for the platform's send: anonymous (never offered; a forged POST stores nothing),
member (sends once per office), starter and member (may not turn it on), organizer (turns it
on and off)."""

import re

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from groundswell.activity.models import Activity, Detail, Verb
from groundswell.advocacy import delivery, services
from groundswell.advocacy.models import AdvocacyCampaign, Outreach, Target
from groundswell.advocacy.tests.campaign_factories import as_actor, make_campaign, make_target
from groundswell.core.errors import PermissionDenied, ValidationError
from groundswell.messaging.models import Delivery, Message
from groundswell.people.models import EmailAddress, EmailStatus, Person, PostalAddress
from groundswell.people.services import anonymize_person

pytestmark = pytest.mark.django_db

OFFICE = "senator@senate.example.org"
LETTER = (
    "Dear Senator {target_name},\n\nPlease protect our water.\n\nThank you,\n{member_name}, {member_town}"
)


# --- The office's length limit ----------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(text=st.text(min_size=0, max_size=800), limit=st.integers(min_value=20, max_value=600))
def test_a_cut_text_never_passes_the_limit_and_a_short_one_is_untouched(text, limit):
    fitted = delivery.fit(text, limit)
    assert len(fitted) <= limit
    if len(text) <= limit:
        assert fitted == text
    else:
        assert fitted.count(delivery.ELLIPSIS) >= 1


def test_a_cut_keeps_the_sign_off_and_ends_at_a_sentence():
    body = "I live in Oakland. " * 40 + "Please vote no."
    text = f"Dear Senator,\n\n{body}\n\nThank you,\nMaya Lopez, Oakland 94607"
    fitted = delivery.fit(text, 300)
    assert len(fitted) <= 300
    assert fitted.endswith("Thank you,\nMaya Lopez, Oakland 94607")
    assert "Oakland.…" in fitted  # back to the end of a sentence, not mid-word
    assert delivery.fit(text, None) == text and delivery.fit(text, 10_000) == text


# --- The ways offered -------------------------------------------------------------------------


@pytest.fixture
def senator():
    return make_target(
        "Alex Padilla", email=OFFICE, contact_form_url="https://padilla.senate.example.org/contact"
    )


@pytest.fixture
def campaign(organizer, senator):
    return make_campaign(
        organizer,
        title="Write for clean water",
        mode=AdvocacyCampaign.Mode.EMAIL,
        script=LETTER,
        subject="Protect our water",
        targets=[senator],
        target_levels=[],
    )


def ways(campaign, target, *, member=True):
    return [offer.way for offer in delivery.offers(campaign, target, delivery.Draft("S", "T"), member=member)]


def test_the_ways_offered_by_mode_setting_and_persona(organizer, campaign, senator):
    assert ways(campaign, senator) == [delivery.Way.EMAIL_APP, delivery.Way.CONTACT_FORM]
    services.set_platform_sending(actor=as_actor(organizer), campaign=campaign, on=True)
    assert ways(campaign, senator) == [
        delivery.Way.PLATFORM,
        delivery.Way.EMAIL_APP,
        delivery.Way.CONTACT_FORM,
    ]
    assert delivery.Way.PLATFORM not in ways(
        campaign, senator, member=False
    )  # a visitor's address is unproven
    formless = make_target("Ann Only", email="", contact_form_url="https://ann.example.org/write")
    assert ways(campaign, formless) == [delivery.Way.CONTACT_FORM]  # no address: nothing to send to
    campaign.mode = AdvocacyCampaign.Mode.LETTER
    assert ways(campaign, senator) == [delivery.Way.POST]
    campaign.mode = AdvocacyCampaign.Mode.CALL
    assert ways(campaign, senator) == []


@pytest.mark.parametrize("persona", ["member", "starter", "organizer"])
def test_only_an_organizer_lets_the_platform_send(persona, organizer, make_member, senator):
    starter = make_member("Stu")
    theirs = make_campaign(
        starter, mode=AdvocacyCampaign.Mode.EMAIL, script=LETTER, targets=[senator], target_levels=[]
    )
    actor = {"member": make_member("Maya"), "starter": starter, "organizer": organizer}[persona]
    if persona != "organizer":
        with pytest.raises(PermissionDenied):
            services.set_platform_sending(actor=as_actor(actor), campaign=theirs, on=True)
        assert not AdvocacyCampaign.objects.get(pk=theirs.pk).platform_sends
        return
    services.set_platform_sending(actor=as_actor(actor), campaign=theirs, on=True)
    assert AdvocacyCampaign.objects.get(pk=theirs.pk).platform_sends
    call = make_campaign(organizer, targets=[senator], target_levels=[])
    with pytest.raises(ValidationError, match="Only an email campaign"):
        services.set_platform_sending(actor=as_actor(actor), campaign=call, on=True)


# --- The platform sends it --------------------------------------------------------------------


@pytest.fixture
def maya(make_member):
    user = make_member("Maya", postal_code="94607")
    person = user.person
    person.family_name = "Lopez"
    person.save(update_fields=["family_name"])
    PostalAddress.objects.filter(person=person).update(locality="Oakland")
    return user


def report(
    target: Target, text: str = "My own words.\n\nMaya Lopez, Oakland", **extra
) -> services.OutreachReport:
    return services.OutreachReport(
        target=target, outcome="sent", subject="Protect our water", text=text, **extra
    )


def test_the_platform_sends_a_member_s_email_to_the_office_over_smtp(
    organizer, maya, campaign, senator, smtp_server, django_capture_on_commit_callbacks
):
    sink, port = smtp_server
    services.set_platform_sending(actor=as_actor(organizer), campaign=campaign, on=True)
    # Unsubscribed from our mail: their own letter to an office still goes.
    EmailAddress.objects.filter(person=maya.person).update(status=EmailStatus.UNSUBSCRIBED)
    with (
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            SITE_NAME="Groundswell",
            DEFAULT_FROM_EMAIL="Groundswell <hello@groundswell.example.org>",
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = services.send_for_member(actor=as_actor(maya), campaign=campaign, report=report(senator))
    (sent,) = sink.messages
    assert sent["To"] == OFFICE
    assert sent["Reply-To"] == maya.email
    assert sent["From"] == "Maya Lopez via Groundswell <hello@groundswell.example.org>"
    assert sent["Subject"] == "Protect our water"
    assert sent["List-Unsubscribe"] is None  # nobody on our list receives it
    body = sent.get_payload(decode=True).decode().replace("\r\n", "\n")
    assert body.startswith("My own words.\n\nMaya Lopez, Oakland\n\n--\n")
    assert f"Maya Lopez ({maya.email}, Oakland 94607) wrote this and asked Groundswell to send it." in body
    outreach = result.outreach
    assert (outreach.delivery, outreach.mode, outreach.outcome) == ("platform", "email", "sent")
    assert Delivery.objects.get(person=maya.person).email_address == OFFICE  # where it went
    act = Activity.objects.get(verb=Verb.CONTACTED_TARGET)
    assert act.detail == Detail.EMAIL and act.person_id == maya.person.pk


def test_once_per_office_and_a_double_submit_finds_the_first(organizer, maya, campaign, senator):
    services.set_platform_sending(actor=as_actor(organizer), campaign=campaign, on=True)
    first = services.send_for_member(actor=as_actor(maya), campaign=campaign, report=report(senator))
    again = services.send_for_member(actor=as_actor(maya), campaign=campaign, report=report(senator))
    assert again.already and again.outreach == first.outreach
    Outreach.objects.update(created_at=first.outreach.created_at.replace(year=2020))
    with pytest.raises(ValidationError, match="already sent an email from you") as refused:
        services.send_for_member(
            actor=as_actor(maya), campaign=campaign, report=report(senator, text="Again!")
        )
    assert refused.value.field == "delivery"
    assert Outreach.objects.count() == 1 and Delivery.objects.count() == 1


def test_refused_where_the_campaign_does_not_send_and_nothing_is_stored(maya, campaign, senator):
    with pytest.raises(ValidationError, match="can't send emails"):
        services.send_for_member(actor=as_actor(maya), campaign=campaign, report=report(senator))
    # Nor can an ordinary report claim the platform sent it.
    with pytest.raises(ValidationError, match="how you sent it"):
        services.log_outreach(
            actor=as_actor(maya), campaign=campaign, report=report(senator, delivery=delivery.Way.PLATFORM)
        )
    assert not Outreach.objects.exists() and not Delivery.objects.exists() and not mail.outbox


def test_an_office_s_limit_cuts_what_is_sent(
    organizer, maya, campaign, senator, django_capture_on_commit_callbacks
):
    Target.objects.filter(pk=senator.pk).update(message_limit=200)
    senator.refresh_from_db()
    services.set_platform_sending(actor=as_actor(organizer), campaign=campaign, on=True)
    long = "Dear Senator,\n\n" + "Our river matters to us. " * 30 + "\n\nMaya Lopez, Oakland"
    with django_capture_on_commit_callbacks(execute=True):
        result = services.send_for_member(
            actor=as_actor(maya), campaign=campaign, report=report(senator, text=long)
        )
    assert result.cut and len(result.outreach.text) <= 200
    assert result.outreach.text.endswith("…\n\nMaya Lopez, Oakland")
    (sent,) = mail.outbox
    assert sent.body.startswith(result.outreach.text)


def test_forgetting_the_member_takes_their_words_from_the_outbox(
    organizer, maya, campaign, senator, django_capture_on_commit_callbacks
):
    services.set_platform_sending(actor=as_actor(organizer), campaign=campaign, on=True)
    services.send_for_member(
        actor=as_actor(maya), campaign=campaign, report=report(senator)
    )  # queued, not sent
    queued = Delivery.objects.get()
    assert queued.context["text"].startswith("My own words")
    anonymize_person(person=Person.objects.get(pk=maya.person.pk))
    queued.refresh_from_db()
    assert queued.context == {} and queued.email_address == ""
    assert not Outreach.objects.get().text
    from groundswell.messaging.services import deliver_batch

    deliver_batch(delivery_ids=[queued.pk])
    queued.refresh_from_db()
    assert queued.status != Delivery.Status.SENT and not mail.outbox


# --- On the page ------------------------------------------------------------------------------


def test_the_page_offers_send_it_for_me_to_a_member_only(
    organizer, maya, campaign, senator, client_for, django_capture_on_commit_callbacks
):
    url = reverse("advocacy:campaign", args=[campaign.slug])
    member = client_for(maya)
    assert 'value="platform"' not in member.get(url).content.decode()
    services.set_platform_sending(actor=as_actor(organizer), campaign=campaign, on=True)
    Target.objects.filter(pk=senator.pk).update(message_limit=1500)
    page = member.get(url).content.decode()
    assert 'name="way" value="platform"' in page and "I sent it myself" in page
    assert 'maxlength="1500"' in page and "takes at most 1,500 characters" in page
    guest_page = Client().get(url).content.decode()
    assert 'value="platform"' not in guest_page and "Open in your email app" in guest_page
    post = reverse("advocacy:log_outreach", args=[campaign.slug])
    form = {
        "target": str(senator.uuid),
        "outcome": "sent",
        "subject": "Protect our water",
        "text": "My words.",
    }
    # A visitor's forged "send it for me" sends nothing and logs nothing.
    forged = Client().post(post, {**form, "way": "platform", "given_name": "Eve", "email": "eve@example.org"})
    assert forged.status_code in (400, 403) and not Outreach.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        sent = member.post(post, {**form, "way": "platform"})
    assert sent.status_code == 303
    done = member.get(sent["Location"]).content.decode()
    assert "We&#x27;ve sent your email to Alex Padilla&#x27;s office." in done
    assert mail.outbox[0].to == [OFFICE] and mail.outbox[0].reply_to == [maya.email]
    # "I sent it myself" with two ways open: which one is not known.
    other = make_target("Ann Only", email="ann@example.org", contact_form_url="https://ann.example.org/w")
    campaign.targets.add(other)
    assert member.post(post, {**form, "target": str(other.uuid), "way": "self"}).status_code == 303
    assert Outreach.objects.get(target=other).delivery == delivery.Way.UNKNOWN


def test_only_an_organizer_sees_and_uses_the_switch(organizer, make_member, campaign, client_for):
    manage = reverse("advocacy:manage_campaign", args=[campaign.uuid])
    switch = reverse("advocacy:platform_sending", args=[campaign.uuid])
    staff = client_for(organizer)
    assert "Send emails for members" in staff.get(manage).content.decode()
    assert staff.post(switch, {"on": "1"}).status_code == 303
    assert AdvocacyCampaign.objects.get(pk=campaign.pk).platform_sends
    assert "Stop sending for members" in staff.get(manage).content.decode()
    stranger = client_for(make_member("Otto"))
    assert stranger.post(switch, {"on": "0"}).status_code == 404
    assert AdvocacyCampaign.objects.get(pk=campaign.pk).platform_sends
    assert Client().post(switch, {"on": "0"}).status_code == 302  # to sign in
    assert re.search("Sending members", staff.get(manage).content.decode())
    message_keys = Message.objects.values_list("key", flat=True)
    assert not [key for key in message_keys if key and key.startswith("on_behalf:")]
