"""A member's own answer to "which district am I in?" (`DistrictChoice`).

Where a postcode spans several districts, or the map is wrong about a street, the member
picks; `selectors.representatives` lets the pick win over the lookup (for its level and
kind, near the place looked up). One pick per level and kind of district (the model's
constraint): a new pick of a congressional district replaces the old one, and stands beside
a pick of a state senate district. Only the member themselves picks: a pick says roughly
where someone lives, so nobody else sets or reads it.
"""

from django.db import IntegrityError, transaction

from groundswell.accounts.actors import Actor
from groundswell.activity.models import Detail, Verb
from groundswell.activity.services import record
from groundswell.advocacy.districts import division_kind
from groundswell.advocacy.models import District, DistrictChoice, Level
from groundswell.core.errors import NotFound


def choose_district(*, actor: Actor, district: District | int) -> DistrictChoice:
    """Remember `district` as the actor's own at its level and kind. Raises PermissionDenied
    for a visitor who is not signed in (the page keeps their pick in the address instead)
    and NotFound for a district that does not exist. A change is a CHANGED_DETAILS act
    naming their district (never which one)."""
    person = actor.require_person()
    district_id = district.pk if isinstance(district, District) else int(district)
    with transaction.atomic():
        picked = District.objects.filter(pk=district_id).only("id", "level", "ocd_id").first()
        if picked is None:
            raise NotFound("That district doesn't exist (any more). Please pick again.", field="district")
        kind = division_kind(picked.ocd_id)
        mine = DistrictChoice.objects.filter(person=person, level=picked.level, kind=kind)
        choice = mine.select_for_update().first()
        if choice is None:
            try:
                with transaction.atomic():  # another tab may be picking at the same moment
                    choice = DistrictChoice.objects.create(
                        person=person, district=picked, level=picked.level, kind=kind
                    )
            except IntegrityError:
                choice = mine.select_for_update().get()
            else:
                _changed(actor)
                return choice
        if choice.district_id == picked.pk:
            return choice
        choice.district = picked
        choice.save(update_fields=["district", "modified_at"])
        _changed(actor)
    return choice


def forget_district_choice(*, actor: Actor, level: Level | int, kind: str | None = None) -> bool:
    """Take back the actor's pick of a kind of district at a level (the lookup answers
    again); with no `kind`, every pick at that level. Whether there was one."""
    person = actor.require_person()
    with transaction.atomic():
        picks = DistrictChoice.objects.filter(person=person, level=int(level))
        if kind is not None:
            picks = picks.filter(kind=kind)
        deleted, _ = picks.delete()
        if deleted:
            _changed(actor)
    return bool(deleted)


def _changed(actor: Actor) -> None:
    person = actor.require_person()
    record(person=person, verb=Verb.CHANGED_DETAILS, actor=actor, detail=Detail.DISTRICT)
