"""Who may see and manage an advocacy campaign or a petition: the rules, in one place,
decided from the Actor. They read alike for both (a "campaign" below is either).

- Anyone may open a published or closed one.
- A draft, one waiting for review, or one turned down opens to its starter and staff only.
- Managing (changing it, closing it, writing to signers, seeing who signed beyond counts)
  is for its starter and staff.

Anyone who may not see one is told it does not exist (NotFound), never that it is
forbidden: an outsider guessing slugs or ids learns nothing of drafts or pending ones.
"""

import uuid
from typing import TypeVar

from django.db.models import Q, QuerySet

from groundswell.accounts.actors import Actor
from groundswell.advocacy.models import PUBLIC_STATUSES, AdvocacyCampaign, Petition, Review
from groundswell.core.errors import NotFound

Campaignish = TypeVar("Campaignish", AdvocacyCampaign, Petition)


def is_starter(actor: Actor, campaign: AdvocacyCampaign | Petition) -> bool:
    return actor.is_person(campaign.started_by_id)


def can_manage(actor: Actor, campaign: AdvocacyCampaign | Petition) -> bool:
    return actor.is_staff or is_starter(actor, campaign)


def can_see(actor: Actor, campaign: AdvocacyCampaign | Petition) -> bool:
    return campaign.status in PUBLIC_STATUSES or can_manage(actor, campaign)


def is_open(campaign: AdvocacyCampaign | Petition) -> bool:
    """Taking signatures or outreaches: published and not closed."""
    return campaign.status == Review.PUBLISHED


def _visible(model: type[Campaignish], actor: Actor) -> QuerySet[Campaignish]:
    if actor.is_staff:
        return model.objects.all()
    public = Q(status__in=PUBLIC_STATUSES)
    if actor.person is None:
        return model.objects.filter(public)
    return model.objects.filter(public | Q(started_by=actor.person))


def campaigns_visible_to(actor: Actor) -> QuerySet[AdvocacyCampaign]:
    """Advocacy campaigns this actor may open, as a queryset to narrow further."""
    return _visible(AdvocacyCampaign, actor)


def petitions_visible_to(actor: Actor) -> QuerySet[Petition]:
    """Petitions this actor may open, as a queryset to narrow further."""
    return _visible(Petition, actor)


def _access(
    model: type[Campaignish], actor: Actor, slug_or_uuid: object, *, for_write: bool, missing: str
) -> Campaignish:
    key = str(slug_or_uuid or "").strip()
    try:
        found = model.objects.filter(uuid=uuid.UUID(key))
    except ValueError:
        # Slugs are short lower-case words; anything else is not one of ours.
        found = model.objects.filter(slug=key) if 0 < len(key) <= 80 else model.objects.none()
    campaign = found.select_related("started_by").first()
    allowed = campaign is not None and (
        can_manage(actor, campaign) if for_write else can_see(actor, campaign)
    )
    if not allowed:
        raise NotFound(missing)
    assert campaign is not None
    return campaign


def access_campaign(actor: Actor, slug_or_uuid: object, *, for_write: bool = False) -> AdvocacyCampaign:
    """The advocacy campaign by slug or public id, as this actor may see it (`for_write`: may
    manage it); NotFound otherwise, whether or not it exists."""
    return _access(
        AdvocacyCampaign, actor, slug_or_uuid, for_write=for_write, missing="We couldn't find that campaign."
    )


def access_petition(actor: Actor, slug_or_uuid: object, *, for_write: bool = False) -> Petition:
    """The petition by slug or public id, as this actor may see it (`for_write`: may manage
    it); NotFound otherwise, whether or not it exists."""
    return _access(
        Petition, actor, slug_or_uuid, for_write=for_write, missing="We couldn't find that petition."
    )
