"""Reads of campaigns and petitions: what is open (/act/), whom a member contacts and with
which script, totals anyone may see, who signed (as much as each actor may know), the
delivery report for organizers, a member's own campaigns, and the review queue's count.

Who signed is told in three degrees (`visible_signers`): anyone sees counts; a petition's
starter also the first names and towns of signers who chose to show them; organizers see
every signature with the details the signer gave.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from groundswell.accounts.actors import Actor
from groundswell.advocacy.models import (
    AdvocacyCampaign,
    District,
    Outreach,
    Petition,
    Review,
    Signature,
    Target,
)
from groundswell.advocacy.selectors.access import can_manage, can_see
from groundswell.core.errors import NotFound
from groundswell.core.spreadsheets import write_csv
from groundswell.network.models import Origin
from groundswell.people.models import Person

# --- Whom a member contacts, and what they say -----------------------------------------------

# Senators before representatives, then governors and mayors, then anyone else.
_CHAMBER_ORDER: dict[str, int] = {
    Target.Chamber.UPPER: 0,
    Target.Chamber.LOWER: 1,
    Target.Chamber.EXECUTIVE: 2,
}


def _order(target: Target) -> tuple:
    return (target.level, _CHAMBER_ORDER.get(target.chamber, 3), target.name, target.pk)


def _picks(campaign: AdvocacyCampaign) -> list[tuple[int, str]]:
    return [(int(p.get("level", 0)), str(p.get("chamber", ""))) for p in campaign.target_levels or []]


def _matches_pick(target: Target, picks: list[tuple[int, str]]) -> bool:
    return any(
        target.level == level and (not chamber or target.chamber == chamber) for level, chamber in picks
    )


def targets_for(
    campaign: AdvocacyCampaign, representatives: Mapping[int, Iterable[Target]] | Iterable[Target]
) -> list[Target]:
    """The targets this member is asked to contact: the campaign's named targets (the same
    for everyone), and those of the member's own representatives (`representatives`: a list
    of Targets, or lists by level as "who represents me" gives them) at the levels and
    chambers the campaign picks. Only serving targets; each once; federal first, senators
    before representatives. Empty: the page shows the fallback number and text."""
    if isinstance(representatives, Mapping):
        theirs = [target for group in representatives.values() for target in group]
    else:
        theirs = list(representatives)
    picks = _picks(campaign)
    chosen = {t.pk: t for t in campaign.targets.all() if t.serving}
    for target in theirs:
        if target.serving and _matches_pick(target, picks):
            chosen.setdefault(target.pk, target)
    return sorted(chosen.values(), key=_order)


def is_named_target(campaign: AdvocacyCampaign, target: Target) -> bool:
    """Whether the campaign names `target` itself (the same for everyone)."""
    return any(named.pk == target.pk for named in campaign.targets.all())  # prefetchable


def target_in_campaign(campaign: AdvocacyCampaign, target: Target) -> bool:
    """Whether an outreach to `target` may belong to the campaign: a named target, or a
    serving one at a level and chamber it picks. Whether a picked one represents *this*
    member is the place's question: `services.log_outreach` asks it."""
    if is_named_target(campaign, target):
        return True
    return target.serving and _matches_pick(target, _picks(campaign))


def script_for(campaign: AdvocacyCampaign, target: Target | None) -> str:
    """The script (or letter template) for this target: its own if the campaign wrote one,
    else its chamber's, else the campaign's. Render it with `merge_fields`."""
    if target is not None:
        scripts = list(campaign.scripts.all())  # prefetchable
        for script in scripts:
            if script.target_id == target.pk:
                return script.text
        for script in scripts:
            if script.target_id is None and target.chamber and script.chamber == target.chamber:
                return script.text
    return campaign.script


# --- What is open, and totals ---------------------------------------------------------------


@dataclass
class OpenActions:
    campaigns: list[AdvocacyCampaign]  # each with `outreach_count`
    petitions: list[Petition]  # each with `signature_count`


def _count_of(model: type[Outreach] | type[Signature], field: str) -> Coalesce:
    """The rows of `model` pointing at the outer row through `field`, as a correlated
    subquery: evaluated for the rows shown only, where a join and GROUP BY would count the
    participations of every live campaign before the newest were picked."""
    rows = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def open_campaigns(*, limit: int | None = None) -> OpenActions:
    """Live advocacy campaigns and petitions, staff's and members' alike, newest first, each
    with its count and its starter: the /act/ index. Two queries; each counts only the
    participations of the rows it returns."""
    campaigns = (
        AdvocacyCampaign.objects.filter(status=Review.PUBLISHED)
        .select_related("started_by")
        .annotate(outreach_count=_count_of(Outreach, "campaign"))
        .order_by("-created_at", "-id")
    )
    petitions = (
        Petition.objects.filter(status=Review.PUBLISHED)
        .select_related("started_by")
        .annotate(signature_count=_count_of(Signature, "petition"))
        .order_by("-created_at", "-id")
    )
    if limit is not None:
        campaigns, petitions = campaigns[:limit], petitions[:limit]
    return OpenActions(campaigns=list(campaigns), petitions=list(petitions))


def progress(count: int, goal: int | None) -> int | None:
    """Whole percent of the goal reached, for a progress bar (at most 100); None without a goal."""
    if not goal:
        return None
    return min(100, (100 * count) // goal)


@dataclass
class TargetCount:
    target: Target
    outreaches: int


@dataclass
class CampaignTotals:
    """A campaign's totals, anyone may see them.

    - `outreaches`, `people` (distinct people who made them), `goal`, `progress`;
    - `by_mode` ("call": 12, …) and `by_target` (most contacted first);
    - `through_members`: outreaches by people who came through another member (their
      `recruited_by` is set), and `through_members_share` of all outreaches.
    """

    outreaches: int
    people: int
    goal: int | None
    by_mode: dict[str, int]
    by_target: list[TargetCount]
    through_members: int

    @property
    def progress(self) -> int | None:
        return progress(self.outreaches, self.goal)

    @property
    def through_members_share(self) -> float | None:
        return self.through_members / self.outreaches if self.outreaches else None


def campaign_totals(campaign: AdvocacyCampaign) -> CampaignTotals:
    """Four aggregate queries, however many outreaches."""
    outreaches = Outreach.objects.filter(campaign=campaign)
    overall = outreaches.aggregate(
        n=Count("id"),
        people=Count("person", distinct=True),
        recruited=Count("id", filter=Q(person__recruited_by__isnull=False)),
    )
    by_mode = dict(outreaches.values_list("mode").annotate(n=Count("id")).order_by())
    per_target = list(outreaches.values_list("target").annotate(n=Count("id")).order_by("-n", "target"))
    targets = Target.objects.in_bulk([target_id for target_id, _ in per_target])
    return CampaignTotals(
        outreaches=overall["n"],
        people=overall["people"],
        goal=campaign.goal,
        by_mode=by_mode,
        by_target=[TargetCount(targets[target_id], n) for target_id, n in per_target],
        through_members=overall["recruited"],
    )


@dataclass
class PetitionTotals:
    signatures: int
    goal: int | None
    credited: int  # signatures a member's link brought

    @property
    def progress(self) -> int | None:
        return progress(self.signatures, self.goal)


def petition_totals(petition: Petition) -> PetitionTotals:
    """One query."""
    row = Signature.objects.filter(petition=petition).aggregate(
        n=Count("id"), credited=Count("id", filter=Q(referrer__isnull=False))
    )
    return PetitionTotals(signatures=row["n"], goal=petition.goal, credited=row["credited"])


def signature_count(petition: Petition) -> int:
    return Signature.objects.filter(petition=petition).count()


def my_signature(actor: Actor, petition: Petition) -> Signature | None:
    """The signed-in actor's own signature on the petition, if they signed."""
    if actor.person is None:
        return None
    return Signature.objects.filter(petition=petition, person=actor.person).first()


# --- Who signed -------------------------------------------------------------------------------


@dataclass
class ShownSigner:
    """A signer who chose to show their first name: what the petition's starter sees."""

    first_name: str
    town: str
    comment: str
    signed_at: datetime


@dataclass
class Signers:
    """`count` for everyone; `shown` (and `shown_count`) for the starter and staff: those who
    chose to show their first name; `everyone` for staff only: every signature with the
    details the signer gave (name, email, postcode, comment), None for anyone else."""

    count: int
    shown: list[ShownSigner] = field(default_factory=list)
    shown_count: int = 0
    everyone: list[Signature] | None = None


def visible_signers(actor: Actor, petition: Petition, *, limit: int = 200) -> Signers:
    """Who signed, as far as this actor may know (see the module's docstring); the newest
    `limit` of each list. NotFound for a petition the actor may not see."""
    if not can_see(actor, petition):
        raise NotFound("We couldn't find that petition.")
    signatures = Signature.objects.filter(petition=petition)
    if not can_manage(actor, petition):
        return Signers(count=signatures.count())
    counts = signatures.aggregate(n=Count("id"), shown=Count("id", filter=Q(show_name_publicly=True)))
    shown = [
        ShownSigner(first_name=s.given_name, town=s.locality, comment=s.comment, signed_at=s.created_at)
        for s in signatures.filter(show_name_publicly=True)
        .only("given_name", "locality", "comment", "created_at")
        .order_by("-created_at", "-id")[:limit]
    ]
    result = Signers(count=counts["n"], shown=shown, shown_count=counts["shown"])
    if actor.is_staff:
        result.everyone = list(signatures.order_by("-created_at", "-id")[:limit])
    return result


def signer_mail_recipients(petition: Petition) -> list[int]:
    """Whom the starter's message may reach: signers who ticked "the starter may write to
    me" while signed in — their address proven theirs. A tick on the public form is not
    enough: anyone can type anyone's address there (a starter typing strangers' addresses
    would put them on their own mailing list), so a guest's tick is never honoured."""
    return list(
        Signature.objects.filter(petition=petition, starter_may_write=True, origin=Origin.SELF).values_list(
            "person_id", flat=True
        )
    )


# --- The delivery report ----------------------------------------------------------------------

# postcode -> the OCD division ids it lies in ("who represents me" answers this).
Locate = Callable[[str], Iterable[str]]


@dataclass
class ReportRow:
    given_name: str
    family_name: str
    town: str
    postal_code: str
    comment: str
    signed_at: datetime


@dataclass
class DistrictGroup:
    """The signers from one target district (`ocd_id`), with the targets who answer for it.
    `ocd_id` "" is everyone (stand-alone targets, or no targets) or, last, those placed in
    none of the targets' districts (`elsewhere`)."""

    ocd_id: str
    name: str
    targets: list[Target]
    rows: list[ReportRow] = field(default_factory=list)
    elsewhere: bool = False

    @property
    def count(self) -> int:
        return len(self.rows)


@dataclass
class DeliveryReport:
    petition: Petition
    total: int
    groups: list[DistrictGroup]
    # False when no way to place signers was given: district groups are then empty, and
    # every signer is under `elsewhere`.
    located: bool


def delivery_report(actor: Actor, petition: Petition, *, locate: Locate | None = None) -> DeliveryReport:
    """For organizers: the petition's signers by target district, with names, towns and
    comments, to deliver to each office. `locate` places a postcode in OCD divisions (the
    postcode's centre: where a postcode spans districts, its signers count in each the
    lookup gives). A signer is in a district's group when a division of theirs lies in it.
    Staff only; NotFound for anyone else."""
    if not actor.is_staff:
        raise NotFound("We couldn't find that petition.")
    targets = sorted(petition.targets.all(), key=_order)
    groups: dict[str, DistrictGroup] = {}
    everyone = [t for t in targets if not t.ocd_id]
    for target in targets:
        if target.ocd_id:
            groups.setdefault(target.ocd_id, DistrictGroup(target.ocd_id, target.ocd_id, [])).targets.append(
                target
            )
    names = dict(District.objects.filter(ocd_id__in=list(groups)).values_list("ocd_id", "name"))
    for group in groups.values():
        group.name = names.get(group.ocd_id, group.name)
    all_group = DistrictGroup("", "Everyone who signed", everyone) if everyone or not groups else None
    elsewhere = DistrictGroup("", "Elsewhere, or not placed in a target's district", [], elsewhere=True)
    # Each distinct postcode is placed once (a report of 100,000 signatures has a few thousand
    # postcodes): the groups whose division holds one of its divisions, found by walking each
    # division up its OCD id ("…/state:ca/cd:12" → "…/state:ca"), not by testing every group.
    placements: dict[str, list[DistrictGroup]] = {}
    total = 0
    for signature in (
        Signature.objects.filter(petition=petition)
        .only("given_name", "family_name", "locality", "postal_code", "comment", "created_at")
        .order_by("created_at", "id")
        .iterator(chunk_size=2000)
    ):
        total += 1
        row = ReportRow(
            signature.given_name,
            signature.family_name,
            signature.locality,
            signature.postal_code,
            signature.comment,
            signature.created_at,
        )
        if all_group is not None:
            all_group.rows.append(row)
        if not groups:
            continue
        postcode = signature.postal_code
        placed = placements.get(postcode)
        if placed is None:
            divisions = list(locate(postcode)) if locate is not None and postcode else []
            placed = placements[postcode] = _groups_holding(groups, divisions)
        for group in placed:
            group.rows.append(row)
        if not placed:
            elsewhere.rows.append(row)
    result = list(groups.values())
    if all_group is not None:
        result.insert(0, all_group)
    if groups and elsewhere.rows:
        result.append(elsewhere)
    return DeliveryReport(petition=petition, total=total, groups=result, located=locate is not None)


def _groups_holding(groups: dict[str, "DistrictGroup"], divisions: list[str]) -> list["DistrictGroup"]:
    """The groups (by OCD id) whose division is one of `divisions` or holds one, in the
    groups' own order, each once."""
    found: set[str] = set()
    for division in divisions:
        parts = division.split("/")
        found.update(ocd_id for i in range(1, len(parts) + 1) if (ocd_id := "/".join(parts[:i])) in groups)
    return [group for ocd_id, group in groups.items() if ocd_id in found]


class SupportsWrite(Protocol):
    def write(self, data: Any, /) -> Any: ...


DELIVERY_CSV_HEADER = [
    "district",
    "district id",
    "targets",
    "first name",
    "last name",
    "town",
    "postcode",
    "comment",
    "signed at",
]


def write_delivery_csv(
    actor: Actor, petition: Petition, out: SupportsWrite, *, locate: Locate | None = None
) -> None:
    """The delivery report as CSV (one row per signer and district), every cell through
    `core.spreadsheets` so nothing a signer wrote runs as a formula. Staff only."""
    report = delivery_report(actor, petition, locate=locate)
    write_csv(
        out,
        DELIVERY_CSV_HEADER,
        (
            [
                group.name,
                group.ocd_id,
                "; ".join(str(target) for target in group.targets),
                row.given_name,
                row.family_name,
                row.town,
                row.postal_code,
                row.comment,
                row.signed_at.isoformat(),
            ]
            for group in report.groups
            for row in group.rows
        ),
    )


# --- A member's own, and the review queue -----------------------------------------------------


@dataclass
class Started:
    campaigns: list[AdvocacyCampaign]  # each with `outreach_count`
    petitions: list[Petition]  # each with `signature_count`


def campaigns_started_by(actor: Actor, person: Person | int) -> Started:
    """The campaigns and petitions a person started, newest first, with their counts: every
    one (drafts, waiting, turned down with the organizer's note) for the person themselves
    and staff; only the public ones for anyone else. For the member's hub. Two queries."""
    person_id = person if isinstance(person, int) else person.pk
    everything = actor.is_staff or actor.is_person(person_id)
    statuses = Review.values if everything else [Review.PUBLISHED, Review.CLOSED]
    return Started(
        campaigns=list(
            AdvocacyCampaign.objects.filter(started_by_id=person_id, status__in=statuses)
            .annotate(outreach_count=Count("outreaches"))
            .order_by("-created_at", "-id")
        ),
        petitions=list(
            Petition.objects.filter(started_by_id=person_id, status__in=statuses)
            .annotate(signature_count=Count("signatures"))
            .order_by("-created_at", "-id")
        ),
    )


def waiting_for_review(actor: Actor) -> int:
    """How many campaigns and petitions wait for an organizer: added to events' count beside
    "Review" in the navigation. Nobody but staff learns it (0, with no query)."""
    if not actor.is_staff:
        return 0
    return (
        AdvocacyCampaign.objects.filter(status=Review.PENDING).count()
        + Petition.objects.filter(status=Review.PENDING).count()
    )


def review_queue(actor: Actor, *, limit: int = 50) -> list[AdvocacyCampaign | Petition]:
    """What waits for an organizer, oldest first, campaigns and petitions together, each with
    its starter. Staff only; NotFound for anyone else. Two queries."""
    if not actor.is_staff:
        raise NotFound("We couldn't find that page.")
    waiting: list[AdvocacyCampaign | Petition] = [
        *AdvocacyCampaign.objects.filter(status=Review.PENDING)
        .select_related("started_by")
        .order_by("created_at")[:limit],
        *Petition.objects.filter(status=Review.PENDING)
        .select_related("started_by")
        .order_by("created_at")[:limit],
    ]
    return sorted(waiting, key=lambda c: (c.created_at, c.pk))[:limit]


def starter_history(person_ids: Iterable[int]) -> dict[int, Counter]:
    """For the review queue: how many of each person's campaigns and petitions went live
    ("published", "closed") or were turned down ("rejected"), by person id. Two queries."""
    ids = set(person_ids)
    history: dict[int, Counter] = {person_id: Counter() for person_id in ids}
    for model in (AdvocacyCampaign, Petition):
        for person_id, status, n in (
            model.objects.filter(started_by_id__in=ids)
            .values_list("started_by_id", "status")
            .annotate(n=Count("id"))
            .order_by()
        ):
            history[person_id][status] += n
    return history
