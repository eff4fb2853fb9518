"""Petitions: starting, changing and closing one; signing (a member as themselves, a visitor
through the public form, who arrives as a guest RSVP does); and the starter writing to the
signers who asked to hear from them.

One signature per person and petition holds under concurrency: the unique index decides,
and a signer who loses the race is handed the signature that won (`_place_signature`).
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction

from groundswell.accounts.actors import Actor
from groundswell.activity.models import Verb
from groundswell.advocacy.models import AdvocacyCampaign, Petition, Review, Signature, Target
from groundswell.advocacy.selectors.access import can_manage, can_see, is_open
from groundswell.advocacy.selectors.campaigns import signer_mail_recipients
from groundswell.advocacy.services.campaigns import (
    DESCRIPTION_MAX,
    check_goal,
    check_targets,
    check_title,
    close,
    create_with_slug,
    status_after_change,
)
from groundswell.advocacy.services.review import record_advocacy_act, status_for_new
from groundswell.core import ratelimit
from groundswell.core.channels import Channel
from groundswell.core.errors import NotFound, PermissionDenied, ValidationError
from groundswell.core.text import clean_line, clean_text
from groundswell.messaging.models import Message
from groundswell.messaging.services import check_member_mail_cap, send
from groundswell.network.models import Origin
from groundswell.network.services import arrive, resolve_share_code
from groundswell.people.models import Person
from groundswell.people.places import place_postcode
from groundswell.people.services import PersonDetails, primary_email

COMMENT_MAX = 2_000
SUBJECT_MAX = 200
MESSAGE_MAX = 10_000
# The words beside the form's "email me" box; kept with the person's yes (Consent).
SIGN_CONSENT_WORDING = "Email me about this petition and other actions."


@dataclass
class PetitionDetails:
    title: str
    text: str
    targets: list[Target] = field(default_factory=list)
    goal: int | None = None
    advocacy_campaign: AdvocacyCampaign | None = None  # "now call your representative"


def _checked(actor: Actor, details: PetitionDetails) -> tuple[dict, list[Target]]:
    text = clean_text(details.text)
    if not text:
        raise ValidationError("Please write the petition's text: what you ask, and of whom.", field="text")
    if len(text) > DESCRIPTION_MAX:
        raise ValidationError("Please shorten the petition's text.", field="text")
    campaign = details.advocacy_campaign
    if campaign is not None and not can_see(actor, campaign):
        # A draft of someone else's is not there, as far as this actor knows.
        raise ValidationError("Please choose a campaign from the list.", field="advocacy_campaign")
    values = {
        "title": check_title(details.title),
        "text": text,
        "goal": check_goal(details.goal),
        "advocacy_campaign": campaign,
    }
    return values, check_targets(details.targets)


def start_petition(*, actor: Actor, details: PetitionDetails, draft: bool = False) -> Petition:
    """An organizer or a member starts a petition. An organizer's goes live at once (or stays
    a draft); a member's waits for an organizer unless they are trusted."""
    starter = actor.require_person()
    values, targets = _checked(actor, details)
    with transaction.atomic():
        petition = create_with_slug(
            Petition,
            {
                **values,
                "started_by": starter,
                "member_started": not actor.is_staff,
                "status": status_for_new(actor, starter, draft=draft),
            },
        )
        petition.targets.set(targets)
        record_advocacy_act(person=starter, verb=Verb.STARTED_CAMPAIGN, obj=petition, actor=actor)
    return petition


def update_petition(
    *, actor: Actor, petition: Petition, details: PetitionDetails, draft: bool = False
) -> Petition:
    """Its starter or an organizer changes the petition (statuses as `status_after_change`).
    Once people have signed, its text stays as they signed it."""
    if not can_manage(actor, petition):
        raise PermissionDenied("Only the petition's starter or an organizer can change it.")
    values, targets = _checked(actor, details)
    with transaction.atomic():
        petition = Petition.objects.select_for_update().select_related("started_by").get(pk=petition.pk)
        status = status_after_change(actor, petition, draft=draft)
        if petition.status == Review.PUBLISHED and status == Review.PENDING:
            record_advocacy_act(person=actor.require_person(), verb=Verb.RESUBMITTED_CAMPAIGN, obj=petition)
        if petition.signatures.exists():
            # What people signed stays what they signed: its words, its title, and whom it
            # asks (targets may be added, not taken away).
            if values["text"] != petition.text:
                raise ValidationError(
                    "People have signed this text, so it can't change now. Close this petition and "
                    "start a new one instead.",
                    field="text",
                )
            if values["title"] != petition.title:
                raise ValidationError(
                    "People have signed this petition, so its title can't change now.", field="title"
                )
            if not {t.pk for t in petition.targets.all()} <= {t.pk for t in targets}:
                raise ValidationError(
                    "People have signed this petition to these targets: you can add targets, not take "
                    "any away.",
                    field="targets",
                )
        for name, value in values.items():
            setattr(petition, name, value)
        petition.status = status
        petition.save()
        petition.targets.set(targets)
    return petition


def close_petition(*, actor: Actor, petition: Petition) -> Petition:
    """Its starter or an organizer ends a live petition: still readable, no more signatures."""
    if not can_manage(actor, petition):
        raise PermissionDenied("Only the petition's starter or an organizer can close it.")
    return close(actor=actor, campaign=petition)


@dataclass
class SignResult:
    signature: Signature
    # They had signed already: nothing changed. Always False for a visitor, so the page
    # cannot tell someone typing an address whether its owner signed.
    already: bool


def _check_signable(actor: Actor, petition: Petition) -> None:
    if not can_see(actor, petition):
        raise NotFound("We couldn't find that petition.")
    if not is_open(petition):
        raise ValidationError(
            "This petition is closed."
            if petition.status == Review.CLOSED
            else "This petition isn't open yet."
        )


def _comment(raw: str) -> str:
    comment = clean_text(raw)
    if len(comment) > COMMENT_MAX:
        raise ValidationError(f"Please keep your comment under {COMMENT_MAX:,} characters.", field="comment")
    return comment


def _credit(ref: str | None, via: str | None) -> tuple[Channel, int | None]:
    share = resolve_share_code(ref)
    return Channel.from_slug(via, default=Channel.LINK if share else Channel.DIRECT), (
        share.person_id if share else None
    )


def sign(
    *,
    actor: Actor,
    petition: Petition,
    comment: str = "",
    show_name: bool = False,
    starter_may_write: bool = False,
    ref: str | None = None,
    via: str | None = None,
) -> SignResult:
    """The signed-in actor signs as themselves, credited to the member whose link (`ref`,
    `via`) brought them. Their signature carries their name, email address and town;
    signing again changes nothing."""
    person = actor.require_person()
    _check_signable(actor, petition)
    channel, referrer_id = _credit(ref, via)
    address = primary_email(person)
    home = person.postal_addresses.order_by("-primary", "id").first()
    return _place_signature(
        petition=petition,
        person=person,
        origin=Origin.SELF,
        channel=channel,
        referrer_id=referrer_id if referrer_id != person.pk else None,
        details={
            "given_name": person.given_name,
            "family_name": person.family_name,
            "email": address.address if address else "",
            "postal_code": home.postal_code if home else "",
            "locality": home.locality if home else "",
            "comment": _comment(comment),
            "show_name_publicly": show_name,
            "starter_may_write": starter_may_write,
        },
    )


def sign_as_guest(
    *,
    actor: Actor,
    petition: Petition,
    given_name: str,
    email: str,
    postal_code: str,
    family_name: str = "",
    comment: str = "",
    show_name: bool = False,
    starter_may_write: bool = False,
    email_consent: bool | None = None,
    ref: str | None = None,
    via: str | None = None,
) -> SignResult:
    """A signature through the petition's public form from someone not signed in: they
    arrive (found by email or made, credited to the member whose link brought them, as a
    guest RSVP is: a known person's record only gains details), and the signature carries
    what they typed. The answer is the same whether or not the address was on the list."""
    _check_signable(actor, petition)
    if not clean_line(given_name):
        raise ValidationError("Please enter your first name.", field="given_name")
    comment = _comment(comment)
    place = place_postcode(postal_code)  # the delivery report counts signers by district
    share = resolve_share_code(ref)
    channel = Channel.from_slug(via, default=Channel.LINK if share else Channel.DIRECT)
    details = PersonDetails(
        email=email,
        given_name=given_name,
        family_name=family_name,
        place=place,
        email_consent=email_consent,
        consent_wording=SIGN_CONSENT_WORDING if email_consent is not None else "",
        source_channel=channel,
        recruited_by_id=share.person_id if share else None,
        source_detail=f"Petition: {petition.title}"[:200],
    ).cleaned()
    with transaction.atomic():
        arrival = arrive(actor=actor, details=details, share=share, channel=channel, origin=Origin.FORM)
        result = _place_signature(
            petition=petition,
            person=arrival.person,
            origin=Origin.FORM,
            channel=channel,
            referrer_id=arrival.recruiter.pk if arrival.recruiter else None,
            details={
                "given_name": details.given_name,
                "family_name": details.family_name,
                "email": details.email,
                "postal_code": place.postal_code,
                "locality": place.locality,
                "comment": comment,
                "show_name_publicly": show_name,
                "starter_may_write": starter_may_write,
            },
        )
    return SignResult(result.signature, already=False)


def _hold_open(petition: Petition) -> None:
    """Inside the signature's transaction: the petition is still open, and stays so until
    the signature is in. On PostgreSQL a shared lock on its row — signers do not wait for
    each other, but closing or changing it (FOR UPDATE) waits for them, and a signature after
    that sees the new status; SQLite writes one transaction at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(Petition._meta.db_table)
            # The table's name is the model's own, quoted; nothing typed reaches this text.
            cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR SHARE", [petition.pk])  # noqa: S608
    status = Petition.objects.filter(pk=petition.pk).values_list("status", flat=True).first()
    if status != Review.PUBLISHED:
        raise ValidationError(
            "This petition is closed." if status == Review.CLOSED else "This petition isn't open."
        )


def _place_signature(
    *,
    petition: Petition,
    person: Person,
    origin: Origin,
    channel: Channel | int,
    referrer_id: int | None,
    details: dict,
) -> SignResult:
    """Write the signature and its SIGNED act, once per person. Fifty concurrent signings by
    one person leave one: the losers of the race meet the unique index, and take the winner's
    row (under PostgreSQL's read committed, the statement after the failed insert sees it)."""
    with transaction.atomic():
        _hold_open(petition)
        existing = Signature.objects.filter(petition=petition, person=person).first()
        if existing is not None:
            return SignResult(existing, already=True)
        try:
            with transaction.atomic():
                signature = Signature.objects.create(
                    petition=petition,
                    person=person,
                    origin=origin,
                    channel=channel,
                    referrer_id=referrer_id,
                    **details,
                )
        except IntegrityError:
            return SignResult(Signature.objects.get(petition=petition, person=person), already=True)
        record_advocacy_act(
            person=person,
            verb=Verb.SIGNED,
            obj=petition,
            context=petition.advocacy_campaign,
            channel=channel,
            referrer_id=referrer_id,
        )
    return SignResult(signature, already=False)


def message_signers(*, actor: Actor, petition: Petition, subject: str, body: str) -> int:
    """The petition's starter (or an organizer) writes to the signers who ticked "the
    starter may write to me", through the messaging core: member-written mail, sent exactly
    as written (never as a template), skipping unsubscribed and bouncing addresses, with a
    footer naming the author and an unsubscribe link. A member may send a few an hour
    (the `member_mail` rate limit, checked here so every caller shares it) and
    `HOST_MESSAGES_PER_DAY` a day, counted with their messages to attendees; organizers are
    not limited, and see every one (Message.author, and the MESSAGED_SIGNERS act). Returns
    how many are queued."""
    if not can_manage(actor, petition):
        raise PermissionDenied("Only the petition's starter or an organizer can write to its signers.")
    if petition.status not in (Review.PUBLISHED, Review.CLOSED):
        raise ValidationError("This petition isn't live: messages wait until it is.")
    author = actor.require_person()
    subject, body = clean_line(subject), clean_text(body)
    if not subject:
        raise ValidationError("Please write a subject.", field="subject")
    if len(subject) > SUBJECT_MAX:
        raise ValidationError(f"Please keep the subject under {SUBJECT_MAX} characters.", field="subject")
    if not body:
        raise ValidationError("Please write a message.", field="body")
    if len(body) > MESSAGE_MAX:
        raise ValidationError("Please shorten the message.", field="body")
    recipients = signer_mail_recipients(petition)
    if not recipients:
        raise ValidationError("Nobody who signed has asked to hear from you yet.")
    if not actor.is_staff:
        ratelimit.check("member_mail", ip=None, person_id=author.pk)
    with transaction.atomic():
        if not actor.is_staff:
            check_member_mail_cap(author)
        # The footer: "Ana R., who started the petition “…”, wrote this through …", and why
        # the reader has it (they ticked the box when they signed).
        message = Message.objects.create(
            kind=Message.Kind.MEMBER,
            subject=subject,
            body_text=body,
            is_template=False,
            author=author,
            author_role="who started" if author.pk == petition.started_by_id else "an organizer of",
            about=f"the petition “{petition.title}”"[:255],
            reason=f"You signed “{petition.title}” and said its starter may write to you."[:300],
        )
        record_advocacy_act(person=author, verb=Verb.MESSAGED_SIGNERS, obj=petition, actor=actor)
        return send(message=message, person_ids=recipients)
