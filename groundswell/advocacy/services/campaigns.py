"""Advocacy campaigns: starting one (an organizer's, live at once or kept as a draft; a
member's, waiting for an organizer unless the member is trusted), changing it, closing it.

A campaign's scripts and subject are checked when it is saved: an unknown merge field is
refused with the field named (`merge_fields`), and nothing is half-saved.
"""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from groundswell.accounts.actors import Actor
from groundswell.activity.models import Verb
from groundswell.advocacy import merge_fields
from groundswell.advocacy.models import AdvocacyCampaign, CampaignScript, Level, Petition, Review, Target
from groundswell.advocacy.selectors.access import can_manage
from groundswell.advocacy.services.review import is_trusted, record_advocacy_act, status_for_new
from groundswell.core.errors import PermissionDenied, ValidationError
from groundswell.core.text import clean_line, clean_text

M = TypeVar("M", AdvocacyCampaign, Petition)

TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
SCRIPT_MAX = 20_000
NOT_FOUND_MAX = 2_000
GOAL_MAX = 100_000_000
MAX_TARGETS = 600  # a whole legislature, with room


@dataclass(frozen=True)
class TargetPick:
    """Each member's own target at a level, in a chamber ("" for any): "my US senators" is
    TargetPick(Level.FEDERAL, "upper")."""

    level: int
    chamber: str = ""

    def as_json(self) -> dict:
        return {"level": int(self.level), "chamber": self.chamber}

    @classmethod
    def from_json(cls, value: Mapping) -> "TargetPick":
        return cls(level=int(value.get("level", 0)), chamber=str(value.get("chamber", "")))


@dataclass
class CampaignDetails:
    """What an organizer or a member fills in for an advocacy campaign."""

    title: str
    mode: str = AdvocacyCampaign.Mode.CALL
    description: str = ""
    target_levels: list[TargetPick] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    script: str = ""
    subject: str = ""
    talking_points: str = ""
    goal: int | None = None
    fallback_phone: str = ""
    not_found_text: str = ""
    # A chamber's script ("upper": "…") and a target's, in place of `script`.
    chamber_scripts: dict[str, str] = field(default_factory=dict)
    target_scripts: dict[Target, str] = field(default_factory=dict)


def check_title(raw: str) -> str:
    title = clean_line(raw)
    if not title:
        raise ValidationError("Please give it a title.", field="title")
    if len(title) > TITLE_MAX:
        raise ValidationError(f"Please shorten the title to {TITLE_MAX} characters or fewer.", field="title")
    return title


def check_goal(goal: int | None) -> int | None:
    if goal is None:
        return None
    if goal < 1:
        raise ValidationError("A goal is at least 1, or left empty.", field="goal")
    if goal > GOAL_MAX:
        raise ValidationError("That goal is too large: please check the number.", field="goal")
    return goal


def check_targets(targets: list[Target]) -> list[Target]:
    """The explicit targets, each once and still serving."""
    unique = list({target.pk: target for target in targets}.values())
    if len(unique) > MAX_TARGETS:
        raise ValidationError(f"Please choose {MAX_TARGETS} targets or fewer.", field="targets")
    gone = [target for target in unique if not target.serving]
    if gone:
        raise ValidationError(f"{gone[0]} is no longer in office.", field="targets")
    return unique


def _checked_picks(picks: list[TargetPick]) -> list[dict]:
    chambers = set(Target.Chamber.values)
    cleaned = []
    for pick in picks:
        if pick.level not in Level.values or pick.chamber not in chambers:
            raise ValidationError("Please choose levels and chambers from the list.", field="target_levels")
        if pick.as_json() not in cleaned:
            cleaned.append(pick.as_json())
    return sorted(cleaned, key=lambda p: (p["level"], p["chamber"]))


def _checked(details: CampaignDetails) -> tuple[dict, list[Target], dict[str, str], dict[Target, str]]:
    """The campaign's fields, its explicit targets and its own scripts; or ValidationError
    naming the field (and, for a template, the merge field)."""
    if details.mode not in AdvocacyCampaign.Mode.values:
        raise ValidationError(
            "Please choose how members take part: call, email, letter or meeting.", field="mode"
        )
    description, talking_points = clean_text(details.description), clean_text(details.talking_points)
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError("Please shorten the description.", field="description")
    if len(talking_points) > DESCRIPTION_MAX:
        raise ValidationError("Please shorten the talking points.", field="talking_points")
    script = clean_text(details.script)
    if not script and details.mode != AdvocacyCampaign.Mode.MEETING:
        what = "script" if details.mode == AdvocacyCampaign.Mode.CALL else "text members start from"
        raise ValidationError(f"Please write the {what}.", field="script")
    if len(script) > SCRIPT_MAX:
        raise ValidationError("Please shorten the script.", field="script")
    merge_fields.check(script, field="script")
    subject = clean_line(details.subject)
    if len(subject) > 200:
        raise ValidationError("Please keep the subject under 200 characters.", field="subject")
    merge_fields.check(subject, field="subject")
    picks = _checked_picks(details.target_levels)
    targets = check_targets(details.targets)
    if not picks and not targets:
        raise ValidationError(
            "Please choose whom members should contact: their own representatives at a level, "
            "named targets, or both.",
            field="targets",
        )
    phone = clean_line(details.fallback_phone)
    if phone and (len(phone) > 40 or not any(ch.isdigit() for ch in phone)):
        raise ValidationError("That doesn't look like a phone number.", field="fallback_phone")
    not_found = clean_text(details.not_found_text)
    if len(not_found) > NOT_FOUND_MAX:
        raise ValidationError("Please shorten the text for when no target is found.", field="not_found_text")
    chamber_scripts: dict[str, str] = {}
    for chamber, text in details.chamber_scripts.items():
        text = clean_text(text)
        if not text:
            continue
        if chamber not in Target.Chamber.values or not chamber:
            raise ValidationError("Please choose a chamber from the list.", field="chamber_scripts")
        if len(text) > SCRIPT_MAX:
            raise ValidationError("Please shorten the chamber's script.", field="chamber_scripts")
        merge_fields.check(text, field="chamber_scripts")
        chamber_scripts[chamber] = text
    target_scripts: dict[Target, str] = {}
    for target, text in details.target_scripts.items():
        text = clean_text(text)
        if not text:
            continue
        if len(text) > SCRIPT_MAX:
            raise ValidationError(f"Please shorten the script for {target}.", field="target_scripts")
        merge_fields.check(text, field="target_scripts")
        target_scripts[target] = text
    values = {
        "title": check_title(details.title),
        "mode": details.mode,
        "description": description,
        "target_levels": picks,
        "script": script,
        "subject": subject,
        "talking_points": talking_points,
        "goal": check_goal(details.goal),
        "fallback_phone": phone,
        "not_found_text": not_found,
    }
    return values, targets, chamber_scripts, target_scripts


def unique_slug(model: type[M], title: str, *, always_mark: bool = False) -> str:
    """A slug from the title not yet taken ("clean-water"; on a clash "clean-water-k3f9", a
    random mark rather than a count: "-2" would tell whoever gets it that another one exists,
    perhaps one waiting for review or turned down, which they must not learn). A member's
    work always carries a mark (`always_mark`), so its address says nothing about others'.
    A race for the same slug is settled by the unique index (`create_with_slug`)."""
    base = (slugify(title)[:64].strip("-")) or model.__name__.lower()
    if not always_mark and not model.objects.filter(slug=base).exists():
        return base
    return f"{base}-{''.join(secrets.choice(SLUG_MARK_ALPHABET) for _ in range(5))}"


# Lower-case letters and digits without the look-alikes (0/o, 1/l): a mark read aloud.
SLUG_MARK_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


def create_with_slug(model: type[M], values: dict) -> M:
    """Create the row (`values` has its title) with a fresh slug, trying again if another
    request took the slug first."""
    for _ in range(5):
        slug = unique_slug(model, values["title"], always_mark=bool(values.get("member_started")))
        try:
            with transaction.atomic():
                return model.objects.create(slug=slug, **values)
        except IntegrityError:
            if not model.objects.filter(slug=slug).exists():
                raise
    raise ValidationError("Please try again in a moment.", field="title")


def _save_scripts(
    campaign: AdvocacyCampaign, chamber_scripts: dict[str, str], target_scripts: dict[Target, str]
) -> None:
    campaign.scripts.all().delete()
    CampaignScript.objects.bulk_create(
        [
            CampaignScript(campaign=campaign, chamber=chamber, text=text)
            for chamber, text in chamber_scripts.items()
        ]
        + [
            CampaignScript(campaign=campaign, target=target, text=text)
            for target, text in target_scripts.items()
        ]
    )


def start_campaign(*, actor: Actor, details: CampaignDetails, draft: bool = False) -> AdvocacyCampaign:
    """An organizer or a member starts an advocacy campaign. An organizer's goes live at
    once (or stays a draft); a member's waits for an organizer unless they are trusted."""
    starter = actor.require_person()
    values, targets, chamber_scripts, target_scripts = _checked(details)
    with transaction.atomic():
        campaign = create_with_slug(
            AdvocacyCampaign,
            {
                **values,
                "started_by": starter,
                "member_started": not actor.is_staff,
                "status": status_for_new(actor, starter, draft=draft),
            },
        )
        campaign.targets.set(targets)
        _save_scripts(campaign, chamber_scripts, target_scripts)
        record_advocacy_act(person=starter, verb=Verb.STARTED_CAMPAIGN, obj=campaign, actor=actor)
    return campaign


def status_after_change(actor: Actor, campaign: AdvocacyCampaign | Petition, *, draft: bool) -> Review:
    """Where a changed campaign or petition stands.

    - Staff: a staff draft goes live unless kept as a draft; anything else keeps its status
      (changing a member's pending work is not approving it).
    - Its starter: a draft (or one sent back for changes) goes to review again, or live at
      once for a trusted member; a live one a member changes goes back to review unless
      they are trusted (approved words must not turn into others unseen).
    """
    status = Review(campaign.status)
    if status in (Review.REJECTED, Review.CLOSED):
        raise ValidationError(
            f"This is {status.label.lower()}: it can't be changed. Start a new one instead."
        )
    if actor.is_staff:
        if status == Review.DRAFT and not campaign.member_started:
            return Review.DRAFT if draft else Review.PUBLISHED
        return status
    if draft:
        if status == Review.PUBLISHED:
            raise ValidationError("This is live: it can't go back to being a draft.")
        return Review.DRAFT
    return Review.PUBLISHED if is_trusted(campaign.started_by) else Review.PENDING


def update_campaign(
    *, actor: Actor, campaign: AdvocacyCampaign, details: CampaignDetails, draft: bool = False
) -> AdvocacyCampaign:
    """Its starter or an organizer changes the campaign (see `status_after_change`)."""
    if not can_manage(actor, campaign):
        raise PermissionDenied("Only the campaign's starter or an organizer can change it.")
    values, targets, chamber_scripts, target_scripts = _checked(details)
    with transaction.atomic():
        campaign = (
            AdvocacyCampaign.objects.select_for_update().select_related("started_by").get(pk=campaign.pk)
        )
        status = status_after_change(actor, campaign, draft=draft)
        if campaign.status == Review.PUBLISHED and status == Review.PENDING:
            record_advocacy_act(person=actor.require_person(), verb=Verb.RESUBMITTED_CAMPAIGN, obj=campaign)
        for name, value in values.items():
            setattr(campaign, name, value)
        campaign.status = status
        campaign.save()
        campaign.targets.set(targets)
        _save_scripts(campaign, chamber_scripts, target_scripts)
    return campaign


def close_campaign(*, actor: Actor, campaign: AdvocacyCampaign) -> AdvocacyCampaign:
    """Its starter or an organizer ends a live campaign: still readable, no more outreaches."""
    if not can_manage(actor, campaign):
        raise PermissionDenied("Only the campaign's starter or an organizer can close it.")
    return close(actor=actor, campaign=campaign)


def close(*, actor: Actor, campaign: M) -> M:
    """Close a live campaign or petition (the caller checked who may)."""
    model = type(campaign)
    with transaction.atomic():
        campaign = model.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status == Review.CLOSED:
            return campaign
        if campaign.status != Review.PUBLISHED:
            raise ValidationError("Only a live one can be closed.")
        campaign.status = Review.CLOSED
        campaign.closed_at = timezone.now()
        campaign.save(update_fields=["status", "closed_at", "modified_at"])
        record_advocacy_act(
            person=actor.require_person(), verb=Verb.CLOSED_CAMPAIGN, obj=campaign, actor=actor
        )
    return campaign


def set_platform_sending(*, actor: Actor, campaign: AdvocacyCampaign, on: bool) -> AdvocacyCampaign:
    """An organizer lets the platform send an email campaign's emails for its members (or
    stops it). Organizers only, a member's campaign too: it is mail in the movement's name,
    from its address."""
    if not actor.is_staff:
        raise PermissionDenied("Only an organizer can let the platform send a campaign's emails.")
    if on and campaign.mode != AdvocacyCampaign.Mode.EMAIL:
        raise ValidationError("Only an email campaign's emails can be sent for its members.")
    AdvocacyCampaign.objects.filter(pk=campaign.pk).update(platform_sends=on, modified_at=timezone.now())
    campaign.platform_sends = on
    return campaign
