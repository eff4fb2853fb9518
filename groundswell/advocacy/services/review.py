"""Organizers' review of member-started campaigns and petitions (approve, turn down, ask for
changes: each tells the starter by email and is an act in the log), trusted starters whose
work skips the wait, and how advocacy logs its acts.

Mirrors events' approval (`events.services.hosting`): the same statuses, the same rule that
only staff review and only what is waiting, a reason needed to turn something down or send
it back. Trust is advocacy's own (`TrustedStarter`): events and advocacy are siblings that
do not import each other, and vouching for a host is not vouching for a petition's words.
"""

from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from groundswell.accounts.actors import Actor
from groundswell.activity.models import Activity, Detail, Initiator, Verb
from groundswell.activity.services import record
from groundswell.advocacy.models import AdvocacyCampaign, Petition, Review, Target, TrustedStarter
from groundswell.core.channels import Channel
from groundswell.core.errors import PermissionDenied, ValidationError
from groundswell.core.text import clean_text
from groundswell.messaging.services import send, system_message
from groundswell.people.models import Person

Campaignish = AdvocacyCampaign | Petition
# Either kind, handed back as the kind it came in.
C = TypeVar("C", AdvocacyCampaign, Petition)

NOTE_MAX = 2000


def require_staff(actor: Actor) -> Person:
    if not actor.is_staff or actor.person is None:
        raise PermissionDenied("Only organizers can do that.")
    return actor.person


def is_trusted(person: Person) -> bool:
    return TrustedStarter.objects.filter(person=person).exists()


def status_for_new(actor: Actor, starter: Person, *, draft: bool) -> Review:
    """Where a new campaign or petition starts: a draft if asked; else live at once for
    staff and trusted members, waiting for an organizer for everyone else."""
    if draft:
        return Review.DRAFT
    if actor.is_staff or is_trusted(starter):
        return Review.PUBLISHED
    return Review.PENDING


def record_advocacy_act(
    *,
    person: Person,
    verb: Verb,
    obj: Campaignish | Target | Person,
    actor: Actor | None = None,
    context: AdvocacyCampaign | None = None,
    detail: Detail | None = None,
    channel: Channel | int = Channel.DIRECT,
    referrer_id: int | None = None,
    initiator: Initiator | None = None,
) -> Activity:
    """One advocacy act: `actor` is who did it when not the person themselves (an organizer
    approving); without it the act is the person's own, member-initiated, as an RSVP is."""
    return record(
        person=person,
        verb=verb,
        obj=obj,
        actor=actor,
        context=context,
        detail=detail,
        channel=channel,
        referrer_id=referrer_id,
        initiator=initiator,
    )


def page_url(campaign: Campaignish) -> str:
    """The public page of a campaign or petition (the pages lane names them
    `advocacy:campaign` and `advocacy:petition`, by slug); /act/ until they exist."""
    name = "advocacy:campaign" if isinstance(campaign, AdvocacyCampaign) else "advocacy:petition"
    try:
        path = reverse(name, args=[campaign.slug])
    except NoReverseMatch:
        path = "/act/"
    return f"{settings.SITE_URL}{path}"


def edit_url(campaign: Campaignish) -> str:
    name = "advocacy:edit_campaign" if isinstance(campaign, AdvocacyCampaign) else "advocacy:edit_petition"
    try:
        return f"{settings.SITE_URL}{reverse(name, args=[campaign.uuid])}"
    except NoReverseMatch:
        return page_url(campaign)


def notify(key: str, person_ids: list[int], **context: str) -> int:
    """A one-off notice to these people through the messaging core, each occasion (`key`)
    once. It shares events' notice template (`event_notice`: a greeting, the text, an
    organizer's note, one link), which says nothing about events."""
    if not person_ids:
        return 0
    message = system_message(key, template="event_notice")
    return send(message=message, person_ids=person_ids, context=dict.fromkeys(person_ids, context))


def kind_word(campaign: Campaignish) -> str:
    return "campaign" if isinstance(campaign, AdvocacyCampaign) else "petition"


REVIEW_VERBS = {
    Review.PUBLISHED: Verb.APPROVED_CAMPAIGN,
    Review.REJECTED: Verb.REJECTED_CAMPAIGN,
    Review.DRAFT: Verb.ASKED_FOR_CAMPAIGN_CHANGES,
}


def approve(*, actor: Actor, campaign: C, seen: str | None = None) -> C:
    """An organizer approves a member's campaign or petition: it goes live under their name.
    `seen`: the version the organizer read (`version_of`), from the review page."""
    return _review(actor, campaign, Review.PUBLISHED, note="", seen=seen)


def reject(*, actor: Actor, campaign: C, reason: str, seen: str | None = None) -> C:
    """An organizer turns it down, saying why: it never goes live; its starter still sees it."""
    reason = clean_text(reason)[:NOTE_MAX]
    if not reason:
        raise ValidationError("Please tell the starter why.", field="reason")
    return _review(actor, campaign, Review.REJECTED, note=reason, seen=seen)


def request_changes(*, actor: Actor, campaign: C, note: str, seen: str | None = None) -> C:
    """Back to its starter as a draft, with what to change; sending it again puts it back
    in the queue."""
    note = clean_text(note)[:NOTE_MAX]
    if not note:
        raise ValidationError("Please say what should change.", field="note")
    return _review(actor, campaign, Review.DRAFT, note=note, seen=seen)


def version_of(campaign: Campaignish) -> str:
    """What the review page shows the organizer was read at: any change by the starter since
    (which keeps it pending) moves it, so a decision is on the words the organizer read."""
    return campaign.modified_at.isoformat()


def _review(actor: Actor, campaign: C, status: Review, *, note: str, seen: str | None) -> C:
    reviewer = require_staff(actor)
    model = type(campaign)
    with transaction.atomic():
        campaign = model.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status != Review.PENDING:
            raise ValidationError(f"Only a {kind_word(campaign)} waiting for approval can be reviewed.")
        if seen is not None and seen != version_of(campaign):
            raise ValidationError(
                f"The starter changed this {kind_word(campaign)} since you opened it: please read it again."
            )
        campaign.status = status
        campaign.review_note = note
        campaign.reviewed_by = reviewer
        campaign.reviewed_at = timezone.now()
        campaign.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at", "modified_at"])
        record_advocacy_act(person=reviewer, verb=REVIEW_VERBS[status], obj=campaign, actor=actor)
        _tell_starter(campaign)
    return campaign


def _tell_starter(campaign: Campaignish) -> None:
    word, title = kind_word(campaign), campaign.title
    if campaign.status == Review.PUBLISHED:
        subject, text = f"Approved: {title}", f"Your {word} {title} is approved and live. Time to share it!"
        link, label = page_url(campaign), f"See your {word}"
    elif campaign.status == Review.REJECTED:
        subject, text = f"Not approved: {title}", f"An organizer did not approve your {word} {title}."
        link, label = page_url(campaign), f"See your {word}"
    else:
        subject, text = f"Changes asked: {title}", f"An organizer asks for changes to your {word} {title}."
        link, label = edit_url(campaign), f"Change your {word}"
    assert campaign.reviewed_at is not None
    notify(
        f"advocacy-review:{word}:{campaign.pk}:{campaign.reviewed_at.timestamp()}",
        [campaign.started_by_id],
        subject=subject,
        text=text,
        note=campaign.review_note,
        link=link,
        link_label=label,
    )


def trust_starter(*, actor: Actor, person: Person) -> TrustedStarter:
    """An organizer vouches for a member: their campaigns and petitions skip the wait."""
    organizer = require_staff(actor)
    with transaction.atomic():
        trust, created = TrustedStarter.objects.get_or_create(
            person=person, defaults={"trusted_by": organizer}
        )
        if created:
            record_advocacy_act(person=organizer, verb=Verb.TRUSTED_STARTER, obj=person, actor=actor)
    return trust
