"""Outreaches: a member (or a visitor, who arrives as a guest RSVP does) reports a contact
with a target for a campaign: a call and how it went, an email or letter and its text, a
meeting requested or held, a visit. Each is an `Outreach` and a CONTACTED_TARGET act whose
detail is the mode (`models.MODE_DETAIL`), credited to the member whose link brought it."""

from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from groundswell.accounts.actors import Actor
from groundswell.activity.models import Verb
from groundswell.advocacy import delivery
from groundswell.advocacy.models import MODE_DETAIL, OUTCOMES, AdvocacyCampaign, Outreach, Review, Target
from groundswell.advocacy.selectors.access import can_see, is_open
from groundswell.advocacy.selectors.campaigns import is_named_target, target_in_campaign
from groundswell.advocacy.services.review import record_advocacy_act
from groundswell.core.channels import Channel
from groundswell.core.errors import NotFound, ValidationError
from groundswell.core.text import clean_line, clean_text
from groundswell.messaging.models import Delivery, Message
from groundswell.messaging.services import send
from groundswell.network.models import Origin
from groundswell.network.services import arrive, resolve_share_code
from groundswell.people.models import Person, PostalAddress
from groundswell.people.places import place_postcode
from groundswell.people.services import PersonDetails, primary_email

NOTE_MAX = 2_000
TEXT_MAX = 20_000
SUBJECT_MAX = 200
WHO_WENT_MAX = 500
CALL_SECONDS_MAX = 4 * 3600
# A second report of the same contact this soon is a double submit, not a second call.
REPEAT_WINDOW = timedelta(minutes=2)


@dataclass
class OutreachReport:
    """What a member reports of one contact. `mode` defaults to the campaign's."""

    target: Target
    outcome: str
    mode: str = ""
    call_seconds: int | None = None
    note: str = ""
    subject: str = ""  # an email's, as sent
    text: str = ""  # an email's or letter's text as sent: the member's own words
    meeting_date: date | None = None
    who_went: str = ""
    # How an email or letter went (`Outreach.Delivery`); the platform's own sending is
    # `send_for_member`'s alone.
    delivery: str = ""
    # The targets (pks) the reporter's own place gives (`selectors.targets_for` of their
    # lookup). A target the campaign picks by level ("my senators") must be one of them: a
    # member in Ohio cannot report a call to Texas's senators. Named targets need no place.
    theirs: frozenset[int] = frozenset()


@dataclass
class OutreachResult:
    outreach: Outreach
    already: bool  # the same report a moment ago (a double submit): nothing new was logged
    cut: bool = False  # the text was longer than the office takes: it was cut to fit


def _checked(campaign: AdvocacyCampaign, report: OutreachReport, *, platform: bool = False) -> dict:
    mode = report.mode or campaign.mode
    if mode not in Outreach.Mode.values:
        raise ValidationError("Please choose how you contacted them.", field="mode")
    if report.outcome not in OUTCOMES[mode]:
        raise ValidationError("Please choose how it went.", field="outcome")
    if not target_in_campaign(campaign, report.target):
        raise ValidationError("That target isn't part of this campaign.", field="target")
    if not is_named_target(campaign, report.target) and report.target.pk not in report.theirs:
        raise ValidationError(
            f"{report.target} doesn't represent the place you looked up. "
            "Please look up your address again and pick from your own representatives.",
            field="target",
        )
    if not report.target.serving:
        raise ValidationError(f"{report.target} is no longer in office.", field="target")
    seconds = report.call_seconds
    if seconds is not None and (mode != Outreach.Mode.CALL or not 0 <= seconds <= CALL_SECONDS_MAX):
        raise ValidationError(
            "Please give the call's length in minutes, or leave it empty.", field="call_seconds"
        )
    note, text = clean_text(report.note), clean_text(report.text)
    if len(note) > NOTE_MAX:
        raise ValidationError(f"Please keep the note under {NOTE_MAX:,} characters.", field="note")
    if len(text) > TEXT_MAX:
        raise ValidationError("Please shorten the text.", field="text")
    subject = clean_line(report.subject)
    if len(subject) > SUBJECT_MAX:
        raise ValidationError(f"Please keep the subject under {SUBJECT_MAX} characters.", field="subject")
    if mode in (Outreach.Mode.EMAIL, Outreach.Mode.LETTER) and not text:
        raise ValidationError("Please include the text you sent.", field="text")
    if mode == Outreach.Mode.EMAIL:
        # What the office takes (its contact form's limit): cut as the page's draft was.
        text = delivery.fit(text, report.target.message_limit)
    if report.delivery not in Outreach.Delivery.values or (
        (report.delivery == Outreach.Delivery.PLATFORM) != platform
    ):
        raise ValidationError("Please choose how you sent it.", field="delivery")
    if report.meeting_date is not None and mode not in (Outreach.Mode.MEETING, Outreach.Mode.VISIT):
        raise ValidationError("A date goes with a meeting or a visit.", field="meeting_date")
    who_went = clean_line(report.who_went)
    if len(who_went) > WHO_WENT_MAX:
        raise ValidationError("Please shorten the list of who went.", field="who_went")
    return {
        "target": report.target,
        "mode": mode,
        "outcome": report.outcome,
        "call_seconds": seconds,
        "note": note,
        "subject": subject,
        "text": text,
        "meeting_date": report.meeting_date,
        "who_went": who_went,
        "delivery": report.delivery,
    }


def _check_open(actor: Actor, campaign: AdvocacyCampaign) -> None:
    if not can_see(actor, campaign):
        raise NotFound("We couldn't find that campaign.")
    if not is_open(campaign):
        raise ValidationError(
            "This campaign is closed."
            if campaign.status == Review.CLOSED
            else "This campaign isn't open yet."
        )


def log_outreach(
    *,
    actor: Actor,
    campaign: AdvocacyCampaign,
    report: OutreachReport,
    ref: str | None = None,
    via: str | None = None,
) -> OutreachResult:
    """The signed-in actor reports a contact as themselves, credited to the member whose
    link (`ref`, `via`) brought them. The outreach carries their name and email address."""
    person = actor.require_person()
    _check_open(actor, campaign)
    values = _checked(campaign, report)
    share = resolve_share_code(ref)
    channel = Channel.from_slug(via, default=Channel.LINK if share else Channel.DIRECT)
    address = primary_email(person)
    result = _place_outreach(
        campaign=campaign,
        person=person,
        origin=Origin.SELF,
        channel=channel,
        referrer_id=share.person_id if share and share.person_id != person.pk else None,
        values={
            **values,
            "given_name": person.given_name,
            "family_name": person.family_name,
            "email": address.address if address else "",
        },
    )
    result.cut = values["text"] != clean_text(report.text)
    return result


def send_for_member(
    *,
    actor: Actor,
    campaign: AdvocacyCampaign,
    report: OutreachReport,
    ref: str | None = None,
    via: str | None = None,
) -> OutreachResult:
    """The platform sends the signed-in member's email to the office for them, through the
    messaging core (`Message.Kind.ON_BEHALF`: from the platform's address under their name,
    Reply-To theirs), and logs it as their outreach, in one transaction: the email goes once
    the outreach is stored, and never without it.

    Only where the campaign enables it (`delivery.platform_may_send`), and once per member,
    target and campaign (the delivery is unique per message and person, one message per
    campaign and target): the platform does not become a way to flood an office. A double
    submit a moment later finds the first."""
    person = actor.require_person()
    _check_open(actor, campaign)
    target = report.target
    if not delivery.platform_may_send(campaign, target):
        raise ValidationError(
            f"We can't send emails to {target.name}'s office for this campaign. "
            "Please send yours with one of the other ways.",
            field="delivery",
        )
    report = replace(
        report, mode=Outreach.Mode.EMAIL, outcome=Outreach.Outcome.SENT, delivery=Outreach.Delivery.PLATFORM
    )
    values = _checked(campaign, report, platform=True)
    if not values["subject"]:
        raise ValidationError("Please give your email a subject.", field="subject")
    address = primary_email(person)
    if address is None:
        raise ValidationError(
            "Please add an email address to your account first: the office's reply goes to it.",
            field="delivery",
        )
    message = _on_behalf_message(campaign, target)
    share = resolve_share_code(ref)
    channel = Channel.from_slug(via, default=Channel.LINK if share else Channel.DIRECT)
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True).first()
        if Delivery.objects.filter(message=message, person=person).exists():
            earlier = (
                Outreach.objects.filter(
                    campaign=campaign, person=person, target=target, delivery=Outreach.Delivery.PLATFORM
                )
                .order_by("-created_at")
                .first()
            )
            if earlier is not None and earlier.created_at >= timezone.now() - REPEAT_WINDOW:
                return OutreachResult(earlier, already=True)
            raise ValidationError(
                f"We've already sent an email from you to {target.name}'s office for this campaign.",
                field="delivery",
            )
        result = _place_outreach(
            campaign=campaign,
            person=person,
            origin=Origin.SELF,
            channel=channel,
            referrer_id=share.person_id if share and share.person_id != person.pk else None,
            values={
                **values,
                "given_name": person.given_name,
                "family_name": person.family_name,
                "email": address.address,
            },
        )
        place = PostalAddress.objects.filter(person=person).order_by("-primary", "id").first()
        town = " ".join(part for part in (place.locality, place.postal_code) if part) if place else ""
        send(
            message=message,
            person_ids=[person.pk],
            context={
                person.pk: {
                    "to": target.email,
                    "subject": values["subject"],
                    "text": values["text"],
                    "town": town,
                }
            },
        )
    result.cut = values["text"] != clean_text(report.text)
    return result


def _on_behalf_message(campaign: AdvocacyCampaign, target: Target) -> Message:
    """The one message that carries members' emails to this office for this campaign: each
    member's is a delivery of it, their words in its context."""
    message, _ = Message.objects.get_or_create(
        key=f"on_behalf:{campaign.pk}:{target.pk}",
        defaults={
            "kind": Message.Kind.ON_BEHALF,
            "is_template": False,
            "subject": f"Members' emails to {target} ({campaign.title})"[:255],
            "body_text": "",
            "about": campaign.title[:255],
        },
    )
    return message


def log_outreach_as_guest(
    *,
    actor: Actor,
    campaign: AdvocacyCampaign,
    report: OutreachReport,
    given_name: str,
    email: str,
    family_name: str = "",
    postal_code: str = "",
    ref: str | None = None,
    via: str | None = None,
) -> OutreachResult:
    """A visitor who is not signed in reports a contact: they arrive (found by email or made,
    credited as a guest RSVP is; a known person's record only gains details) and the
    outreach carries what they typed. The answer is the same whether or not the address
    was on the list."""
    _check_open(actor, campaign)
    values = _checked(campaign, report)
    if not clean_line(given_name):
        raise ValidationError("Please enter your first name.", field="given_name")
    place = place_postcode(postal_code) if postal_code.strip() else None
    share = resolve_share_code(ref)
    channel = Channel.from_slug(via, default=Channel.LINK if share else Channel.DIRECT)
    details = PersonDetails(
        email=email,
        given_name=given_name,
        family_name=family_name,
        place=place,
        source_channel=channel,
        recruited_by_id=share.person_id if share else None,
        source_detail=f"Campaign: {campaign.title}"[:200],
    ).cleaned()
    with transaction.atomic():
        arrival = arrive(actor=actor, details=details, share=share, channel=channel, origin=Origin.FORM)
        result = _place_outreach(
            campaign=campaign,
            person=arrival.person,
            origin=Origin.FORM,
            channel=channel,
            referrer_id=arrival.recruiter.pk if arrival.recruiter else None,
            values={
                **values,
                "given_name": details.given_name,
                "family_name": details.family_name,
                "email": details.email,
            },
        )
    return OutreachResult(result.outreach, already=False, cut=values["text"] != clean_text(report.text))


def _place_outreach(
    *,
    campaign: AdvocacyCampaign,
    person: Person,
    origin: Origin,
    channel: Channel | int,
    referrer_id: int | None,
    values: dict,
) -> OutreachResult:
    with transaction.atomic():
        # One report at a time per person: a double-click's second request waits here, then
        # finds the first one's row as "recent" instead of logging the call twice.
        Person.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True).first()
        recent = (
            Outreach.objects.filter(
                campaign=campaign,
                person=person,
                target=values["target"],
                mode=values["mode"],
                outcome=values["outcome"],
                created_at__gte=timezone.now() - REPEAT_WINDOW,
            )
            .order_by("-created_at")
            .first()
        )
        if recent is not None:
            return OutreachResult(recent, already=True)
        outreach = Outreach.objects.create(
            campaign=campaign,
            person=person,
            origin=origin,
            channel=channel,
            referrer_id=referrer_id,
            **values,
        )
        record_advocacy_act(
            person=person,
            verb=Verb.CONTACTED_TARGET,
            obj=values["target"],
            context=campaign,
            detail=MODE_DETAIL[values["mode"]],
            channel=channel,
            referrer_id=referrer_id,
        )
    return OutreachResult(outreach, already=False)
