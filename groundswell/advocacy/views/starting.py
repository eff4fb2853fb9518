"""Pages: starting a petition or an advocacy campaign, changing it and running it (its
manage page: counts, who signed as far as the viewer may know, writing to signers, closing),
the printable delivery report and its CSV, and organizers' review of member-started work.

A member's petition or campaign waits for an organizer unless the member is trusted; the
forms say so before anything is sent, and the notice after saving says what happens next.
Managing is for the starter and staff: anyone else is told the page does not exist (404),
whether or not it does.

The review queue is one page for organizers: events' review page draws the campaigns and
petitions waiting through `{% advocacy_review_section %}` (web's `movement` tags: events and
advocacy are siblings that do not import each other). Decisions post here (`review`), which
returns to the page they came from; a decision that needs a note and has none comes back on
this app's own queue page with the problem on its card, as events' queue does.
"""

from collections import Counter
from typing import Any, TypeVar
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from groundswell.accounts.actors import Actor, actor_for_request
from groundswell.advocacy import districts, services
from groundswell.advocacy.forms.starting import (
    CHAMBER_SCRIPTS,
    CampaignForm,
    MessageSignersForm,
    PetitionForm,
    initial_from,
    pick_label,
)
from groundswell.advocacy.models import AdvocacyCampaign, Outreach, Petition, Review, Target
from groundswell.advocacy.selectors import representatives as lookup
from groundswell.advocacy.selectors.access import access_campaign, access_petition, campaigns_visible_to
from groundswell.advocacy.selectors.campaigns import (
    campaign_totals,
    delivery_report,
    petition_totals,
    review_queue,
    signer_mail_recipients,
    starter_history,
    visible_signers,
    write_delivery_csv,
)
from groundswell.advocacy.services.review import is_trusted
from groundswell.core import ratelimit
from groundswell.core.errors import NotFound, PermissionDenied, RateLimited, ValidationError
from groundswell.network.selectors import share_links
from groundswell.network.services import share_code_for
from groundswell.people.places import place_postcode

Campaignish = AdvocacyCampaign | Petition
# Statuses whose words can no longer change (the services refuse; the form is not shown).
LOCKED = (Review.REJECTED, Review.CLOSED)
# A chamber's own script, named as the form names it ("For senators' offices").
CHAMBER_LABELS: dict[str, str] = {
    str(chamber): str(CampaignForm.base_fields[name].label) for chamber, name in CHAMBER_SCRIPTS.items()
}
# Live campaigns offered to a petition as its "now call" step, newest first.
LINKABLE_CAMPAIGNS = 50


def _see_other(url: str) -> HttpResponse:
    """After a POST, a page by GET (303: a reload does not post again)."""
    response = redirect(url)
    response.status_code = 303
    return response


def not_found(request: HttpRequest, message: str) -> HttpResponse:
    """Whether it does not exist or this person may not know it does: the same answer."""
    return render(request, "advocacy/act_not_found.html", {"error": message}, status=404)


def kind_of(campaign: Campaignish) -> str:
    return "campaign" if isinstance(campaign, AdvocacyCampaign) else "petition"


def public_url(campaign: Campaignish) -> str:
    """The public page (another module's: `advocacy:campaign` / `advocacy:petition`), or ""."""
    try:
        return reverse(f"advocacy:{kind_of(campaign)}", args=[campaign.slug])
    except NoReverseMatch:
        return ""


def manage_url(campaign: Campaignish) -> str:
    return reverse(f"advocacy:manage_{kind_of(campaign)}", args=[campaign.uuid])


# --- Starting, and changing -----------------------------------------------------------------


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """A petition or a campaign? With what happens next: a member's waits for an organizer,
    a trusted member's and an organizer's go live at once."""
    actor = actor_for_request(request)
    return render(request, "advocacy/start.html", {"goes_live": _goes_live(actor), "signed_in": actor.person})


def _goes_live(actor: Actor) -> bool:
    return actor.person is not None and (actor.is_staff or is_trusted(actor.person))


def _next_step(actor: Actor, campaign: Campaignish | None) -> dict[str, Any]:
    """The form's buttons and the line beside them, for who is saving what.

    `send`: the main button's words (None: no main button, only saving a draft would not
    do); `draft`: whether "Save as draft" is offered; `line`: what happens on the main
    button."""
    live_at_once = _goes_live(actor)
    status = campaign.status if campaign is not None else None
    word = kind_of(campaign) if campaign is not None else ""
    if actor.is_staff and campaign is not None and campaign.member_started:
        # An organizer changing a member's work: not approving it by saving.
        return {
            "send": "Save changes",
            "draft": False,
            "line": "Saving keeps its status: approve it from the review queue.",
        }
    if status == Review.PUBLISHED:
        if live_at_once:
            return {
                "send": "Save changes",
                "draft": False,
                "line": "Your changes show on the live page at once.",
            }
        return {
            "send": "Save and send for review",
            "draft": False,
            "line": f"Changing a live {word} takes it off the site until an organizer approves the "
            "changes. Signatures and calls so far are kept.",
        }
    if live_at_once:
        return {
            "send": "Publish",
            "draft": True,
            "line": "Publishing puts it live at once, under your name.",
        }
    return {
        "send": "Send for review",
        "draft": True,
        "line": "An organizer reads it before it goes public, usually to help it land: "
        "we'll email you when it's live, or with their suggestions.",
    }


def _saved_message(campaign: Campaignish, *, before: str | None, staff: bool) -> str:
    word = kind_of(campaign)
    if campaign.status == Review.PENDING:
        if staff and before == Review.PENDING:
            return "Saved. It's still waiting for review."
        return (
            f"Thanks! Your {word} is with an organizer now. We'll email you when it's live, or "
            "if they suggest changes. You can still change it meanwhile."
        )
    if campaign.status == Review.PUBLISHED:
        if before == Review.PUBLISHED:
            return "Saved. The live page shows your changes."
        return f"Your {word} is live. Share it: everyone who takes part through your link counts to you."
    if campaign.status == Review.DRAFT:
        return (
            "Saved as a draft: only you and the organizers can see it. Send it for review when it's ready."
            if not staff or campaign.member_started
            else "Saved as a draft. Publish it when it's ready."
        )
    return "Saved."


def _form_field(form: Any, field: str | None) -> str | None:
    return field if field in form.fields else None


def _linkable_campaigns(actor: Actor, petition: Petition | None) -> list[AdvocacyCampaign]:
    """The campaigns a petition may send its signers on to: live ones this actor may see,
    and the one it has now."""
    campaigns = list(
        campaigns_visible_to(actor)
        .filter(status=Review.PUBLISHED)
        .order_by("-created_at")[:LINKABLE_CAMPAIGNS]
    )
    current = petition.advocacy_campaign if petition is not None else None
    if current is not None and all(c.pk != current.pk for c in campaigns):
        campaigns.insert(0, current)
    return campaigns


def _check_start_limit(request: HttpRequest, actor: Actor) -> None:
    if not actor.is_staff:
        ratelimit.check("start_campaign", ip=ratelimit.client_ip(request), person_id=actor.person_id)


@login_required
@require_http_methods(["GET", "POST"])
def start_petition(request: HttpRequest) -> HttpResponse:
    return _petition_form(request, actor_for_request(request), None)


@login_required
@require_http_methods(["GET", "POST"])
def edit_petition(request: HttpRequest, uuid: UUID) -> HttpResponse:
    actor = actor_for_request(request)
    try:
        petition = access_petition(actor, uuid, for_write=True)
    except NotFound as error:
        return not_found(request, error.message)
    return _petition_form(request, actor, petition)


def _petition_form(request: HttpRequest, actor: Actor, petition: Petition | None) -> HttpResponse:
    context: dict[str, Any] = {"petition": petition, "next_step": _next_step(actor, petition)}
    if petition is not None and petition.status in LOCKED:
        return render(request, "advocacy/start_petition.html", {**context, "locked": True})
    campaigns = _linkable_campaigns(actor, petition)
    frozen = petition is not None and petition.signatures.exists()
    initial = PetitionForm.initial_for(petition) if petition is not None else {}
    status = 200
    saving = request.method == "POST" and not request.POST.get("search")
    if request.method == "GET":
        form = PetitionForm(initial=initial, campaigns=campaigns)
    elif not saving:
        typed = initial_from(request.POST, PetitionForm)
        if frozen:  # what people signed is not what was typed
            typed.update(text=initial["text"], title=initial["title"])
        form = PetitionForm(initial=typed, campaigns=campaigns)
        form.search(request.POST.get("find", ""))
    else:
        form = PetitionForm(request.POST, initial=initial, campaigns=campaigns)
    if frozen:
        form.freeze_text()
    if saving:
        status = 400
        if form.is_valid():
            draft = request.POST.get("save") == "draft"
            before = petition.status if petition is not None else None
            try:
                if petition is None:
                    _check_start_limit(request, actor)
                    saved = services.start_petition(actor=actor, details=form.details(), draft=draft)
                else:
                    saved = services.update_petition(
                        actor=actor, petition=petition, details=form.details(), draft=draft
                    )
            except RateLimited as error:
                form.add_error(None, error.message)
                status = 429
            except (ValidationError, PermissionDenied) as error:
                form.add_error(_form_field(form, error.field), error.message)
            else:
                messages.success(request, _saved_message(saved, before=before, staff=actor.is_staff))
                return _see_other(manage_url(saved))
    return render(request, "advocacy/start_petition.html", {**context, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def start_campaign(request: HttpRequest) -> HttpResponse:
    return _campaign_form(request, actor_for_request(request), None)


@login_required
@require_http_methods(["GET", "POST"])
def edit_campaign(request: HttpRequest, uuid: UUID) -> HttpResponse:
    actor = actor_for_request(request)
    try:
        campaign = access_campaign(actor, uuid, for_write=True)
    except NotFound as error:
        return not_found(request, error.message)
    return _campaign_form(request, actor, campaign)


def _campaign_form(request: HttpRequest, actor: Actor, campaign: AdvocacyCampaign | None) -> HttpResponse:
    context: dict[str, Any] = {"campaign": campaign, "next_step": _next_step(actor, campaign)}
    if campaign is not None and campaign.status in LOCKED:
        return render(request, "advocacy/start_campaign.html", {**context, "locked": True})
    initial: dict[str, Any] = {}
    extra_picks = []
    # A target's own script (set in the admin) is not on this form: kept as it is.
    target_scripts: dict[Target, str] = {}
    if campaign is not None:
        initial = CampaignForm.initial_for(campaign)
        extra_picks = CampaignForm.picks_of(campaign)
        target_scripts = {
            script.target: script.text
            for script in campaign.scripts.select_related("target")
            if script.target is not None
        }
    elif request.GET.get("mode") in AdvocacyCampaign.Mode.values:
        initial = {"mode": request.GET["mode"]}
    status = 200
    if request.method == "GET":
        form = CampaignForm(initial=initial, extra_picks=extra_picks)
    elif request.POST.get("search"):
        form = CampaignForm(initial=initial_from(request.POST, CampaignForm), extra_picks=extra_picks)
        form.search(request.POST.get("find", ""))
    else:
        form = CampaignForm(request.POST, initial=initial, extra_picks=extra_picks)
        status = 400
        if form.is_valid():
            draft = request.POST.get("save") == "draft"
            before = campaign.status if campaign is not None else None
            details = form.details(target_scripts=target_scripts)
            try:
                if campaign is None:
                    _check_start_limit(request, actor)
                    saved = services.start_campaign(actor=actor, details=details, draft=draft)
                else:
                    saved = services.update_campaign(
                        actor=actor, campaign=campaign, details=details, draft=draft
                    )
            except RateLimited as error:
                form.add_error(None, error.message)
                status = 429
            except (ValidationError, PermissionDenied) as error:
                field = error.field
                if field == "targets" and not form.cleaned_data.get("targets"):
                    field = "target_levels"  # nobody chosen at all: the first choice to make
                form.add_error(_form_field(form, field), error.message)
            else:
                messages.success(request, _saved_message(saved, before=before, staff=actor.is_staff))
                return _see_other(manage_url(saved))
    return render(request, "advocacy/start_campaign.html", {**context, "form": form}, status=status)


# --- Running one: the manage pages ----------------------------------------------------------


def _status_context(actor: Actor, campaign: Campaignish) -> dict[str, Any]:
    public = public_url(campaign) if campaign.status in (Review.PUBLISHED, Review.CLOSED) else ""
    context: dict[str, Any] = {
        "word": kind_of(campaign),
        "is_staff": actor.is_staff,
        "is_starter": actor.is_person(campaign.started_by_id),
        "public_url": public,
        "preview_url": public_url(campaign) if not public else "",
        "changes_asked": campaign.status == Review.DRAFT and bool(campaign.review_note),
        "editable": campaign.status not in LOCKED,
    }
    if campaign.status == Review.PUBLISHED and public and actor.person is not None:
        # The starter's own link: who takes part through it counts to them.
        links = share_links(share_code_for(actor.person), page=request_absolute(public), text=campaign.title)
        context["share_buttons"] = [link for link in links if link.channel.slug != "link"]
        context["copy_link"] = next((link.link for link in links if link.channel.slug == "link"), "")
    return context


def request_absolute(path_: str) -> str:
    return f"{settings.SITE_URL}{path_}"


@login_required
@require_http_methods(["GET", "POST"])
def manage_petition(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The starter's and staff's page: counts and progress, who signed (first names and towns
    of those who chose to show them; organizers see every signature with its details),
    writing to the signers who asked to hear from the starter, closing, and the report."""
    actor = actor_for_request(request)
    try:
        petition = access_petition(actor, uuid, for_write=True)
    except NotFound as error:
        return not_found(request, error.message)
    form = MessageSignersForm()
    status = 200
    if request.method == "POST":
        form = MessageSignersForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                count = services.message_signers(
                    actor=actor,
                    petition=petition,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                )
            except (RateLimited, PermissionDenied) as error:
                form.add_error(None, error.message)
                status = 429
            except ValidationError as error:
                form.add_error(_form_field(form, error.field), error.message)
            else:
                people = "person" if count == 1 else "people"
                messages.success(request, f"Your message is on its way to {count} {people}.")
                return _see_other(manage_url(petition))
    live = petition.status in (Review.PUBLISHED, Review.CLOSED)
    context = {
        **_status_context(actor, petition),
        "petition": petition,
        "totals": petition_totals(petition),
        "signers": visible_signers(actor, petition),
        "targets": list(petition.targets.all()),
        "can_message": live,
        "writable": len(signer_mail_recipients(petition)) if live else 0,
        "form": form,
    }
    return render(request, "advocacy/manage_petition.html", context, status=status)


@login_required
@require_GET
def manage_campaign(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The starter's and staff's page: outreaches by target and mode, progress toward the
    goal, the share from people other members brought in, closing and changing it."""
    actor = actor_for_request(request)
    try:
        campaign = access_campaign(actor, uuid, for_write=True)
    except NotFound as error:
        return not_found(request, error.message)
    totals = campaign_totals(campaign)
    context = {
        **_status_context(actor, campaign),
        "campaign": campaign,
        "totals": totals,
        "by_mode": [
            (Outreach.Mode(mode).label if mode in Outreach.Mode.values else mode, count)
            for mode, count in sorted(totals.by_mode.items(), key=lambda item: -item[1])
        ],
        "targets": list(campaign.targets.all()),
        "picks": [pick_label(pick) for pick in CampaignForm.picks_of(campaign)],
    }
    return render(request, "advocacy/manage_campaign.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def close_petition(request: HttpRequest, uuid: UUID) -> HttpResponse:
    actor = actor_for_request(request)
    try:
        petition = access_petition(actor, uuid, for_write=True)
    except NotFound as error:
        return not_found(request, error.message)
    return _close(request, actor, petition)


@login_required
@require_http_methods(["GET", "POST"])
def close_campaign(request: HttpRequest, uuid: UUID) -> HttpResponse:
    actor = actor_for_request(request)
    try:
        campaign = access_campaign(actor, uuid, for_write=True)
    except NotFound as error:
        return not_found(request, error.message)
    return _close(request, actor, campaign)


def _close(request: HttpRequest, actor: Actor, campaign: Campaignish) -> HttpResponse:
    """Closing is a step of its own: the page says what it means, and only its POST closes."""
    if request.method == "POST":
        try:
            if isinstance(campaign, Petition):
                services.close_petition(actor=actor, petition=campaign)
            else:
                services.close_campaign(actor=actor, campaign=campaign)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Closed. The page stays up with its count; no more can take part.")
        return _see_other(manage_url(campaign))
    return render(
        request,
        "advocacy/manage_close.html",
        {"campaign": campaign, "word": kind_of(campaign), "manage_url": manage_url(campaign)},
    )


@login_required
@require_http_methods(["POST"])
def platform_sending(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """An organizer lets the platform send an email campaign's emails for its members, or
    stops it (from the campaign's manage page)."""
    actor = actor_for_request(request)
    try:
        campaign = access_campaign(actor, uuid, for_write=True)
        services.set_platform_sending(actor=actor, campaign=campaign, on=request.POST.get("on") == "1")
    except NotFound as error:
        return not_found(request, error.message)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            "Members can now have their email sent for them."
            if campaign.platform_sends
            else "Members now send their emails themselves.",
        )
    return _see_other(manage_url(campaign))


# --- The delivery report (organizers) ------------------------------------------------------


def divisions_of_postcode(postcode: str) -> list[str]:
    """The OCD divisions a postcode lies in, for the delivery report: every district near its
    centre (as "who represents me" looks a postcode up: where districts split it, each
    candidate, so its signers count in each), the divisions those lie in, and its US state.
    Reads only the in-process district index: no query per postcode."""
    try:
        place = place_postcode(postcode)
    except ValidationError:
        return []
    state = districts.us_state_division(place.region) if place.country == "US" and place.region else None
    found: list[str] = []
    if place.longitude is not None and place.latitude is not None:
        for near in districts.districts_near(place.longitude, place.latitude, lookup.POSTCODE_RADIUS_KM):
            ocd_id = near.district.ocd_id
            own_state = lookup.US_STATE_PREFIX.match(ocd_id)
            if state and own_state and own_state.group(0) != state:
                continue  # across a state line: not this postcode's
            found.append(ocd_id)
            found.extend(districts.parent_divisions(ocd_id))
    if state:
        found.append(state)
        found.extend(districts.parent_divisions(state))
    return list(dict.fromkeys(found))


def division_label(ocd_id: str, name: str) -> str:
    """A district group's heading: its boundary's name; for a division with no boundary
    loaded (a state, whose senators need no map), a name made from its id: "Iowa",
    "Iowa, congressional district 5"."""
    if name and name != ocd_id:
        return name
    parts = []
    for segment in ocd_id.split("/")[2:]:
        kind, _, value = segment.partition(":")
        state = (
            districts.US_STATES_BY_POSTAL.get(value.upper())
            if kind in ("state", "district", "territory")
            else None
        )
        parts.append(state.name if state else f"{lookup.kind_label(kind).lower()} {value.replace('_', ' ')}")
    return ", ".join(parts) or ocd_id


def _report_petition(request: HttpRequest, uuid: UUID) -> tuple[Actor, Petition]:
    """The petition for its delivery report: staff only; NotFound for anyone else."""
    actor = actor_for_request(request)
    if not actor.is_staff:
        raise NotFound("We couldn't find that petition.")
    return actor, access_petition(actor, uuid)


@login_required
@require_GET
def petition_report(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """For organizers: the printable delivery report, per target district."""
    try:
        actor, petition = _report_petition(request, uuid)
    except NotFound as error:
        return not_found(request, error.message)
    report = delivery_report(actor, petition, locate=divisions_of_postcode)
    for group in report.groups:
        if group.ocd_id:
            group.name = division_label(group.ocd_id, group.name)
    return render(
        request,
        "advocacy/report_petition.html",
        {"petition": petition, "report": report, "districts_loaded": districts.has_districts()},
    )


@login_required
@require_GET
def petition_report_csv(request: HttpRequest, uuid: UUID) -> HttpResponse:
    try:
        actor, petition = _report_petition(request, uuid)
    except NotFound as error:
        return not_found(request, error.message)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{petition.slug}-signatures.csv"'
    write_delivery_csv(actor, petition, response, locate=divisions_of_postcode)
    return response


# --- Review (organizers) ---------------------------------------------------------------------


def pending_with_history(
    actor: Actor, *, problems: dict[str, str] | None = None, typed: dict[str, str] | None = None
) -> list[Campaignish]:
    """The campaigns and petitions waiting, oldest first, each with `history` (its starter's
    campaigns and petitions by status), `kind`, and the problem and note of a failed
    decision on it. Four queries, and up to four more for what the cards show (targets,
    scripts, a petition's campaign); two when nothing waits. NotFound for anyone but staff."""
    queue = review_queue(actor)
    histories = starter_history(item.started_by_id for item in queue)
    prefetch_related_objects(
        [item for item in queue if isinstance(item, AdvocacyCampaign)], "targets", "scripts__target"
    )
    prefetch_related_objects(
        [item for item in queue if isinstance(item, Petition)], "targets", "advocacy_campaign"
    )
    for item in queue:
        key = str(item.uuid)
        history: Counter = histories.get(item.started_by_id, Counter())
        item.kind = kind_of(item)  # type: ignore[union-attr]
        item.history = {  # type: ignore[union-attr]
            "live": history[Review.PUBLISHED] + history[Review.CLOSED],
            "rejected": history[Review.REJECTED],
            "waiting": history[Review.PENDING],
        }
        item.problem = (problems or {}).get(key, "")  # type: ignore[union-attr]
        item.typed_note = (typed or {}).get(key, "")  # type: ignore[union-attr]
        item.preview_url = public_url(item)  # type: ignore[union-attr]
        if isinstance(item, AdvocacyCampaign):
            item.pick_labels = [pick_label(pick) for pick in CampaignForm.picks_of(item)]  # type: ignore[attr-defined]
            item.own_scripts = [  # type: ignore[attr-defined]
                (
                    f"For {script.target}"
                    if script.target
                    else CHAMBER_LABELS.get(script.chamber, script.chamber),
                    script.text,
                )
                for script in item.scripts.all()
            ]
    return queue


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("advocacy:review")


def _pending(kind: str, value: str) -> Campaignish | None:
    try:
        key = UUID(value)
    except ValueError:
        return None
    if kind == "campaign":
        return (
            AdvocacyCampaign.objects.filter(uuid=key, status=Review.PENDING)
            .select_related("started_by")
            .first()
        )
    if kind == "petition":
        return Petition.objects.filter(uuid=key, status=Review.PENDING).select_related("started_by").first()
    return None


C = TypeVar("C", AdvocacyCampaign, Petition)


def _decide(actor: Actor, item: C, decision: str | None, note: str, *, trust: bool, seen: str | None) -> None:
    """One organizer's decision on one waiting campaign or petition (the services check who
    may, and that a note is given where one is needed)."""
    if decision == "approve":
        services.approve(actor=actor, campaign=item, seen=seen)
        if trust:
            services.trust_starter(actor=actor, person=item.started_by)
    elif decision == "reject":
        services.reject(actor=actor, campaign=item, reason=note, seen=seen)
    elif decision == "changes":
        services.request_changes(actor=actor, campaign=item, note=note, seen=seen)
    else:
        raise ValidationError("Choose approve, ask for changes or turn down.")


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest) -> HttpResponse:
    """Member-started campaigns and petitions waiting for an organizer: approve, ask for
    changes (a note), turn down (a reason), trust the starter. Decisions come from the one
    review page (events' queue, which draws these cards) or from this page."""
    actor = actor_for_request(request)
    if not actor.is_staff:
        return not_found(request, "We couldn't find that page.")
    problems: dict[str, str] = {}
    typed: dict[str, str] = {}
    if request.method == "POST":
        item = _pending(request.POST.get("kind", ""), request.POST.get("uuid", ""))
        decision, note = request.POST.get("decision"), request.POST.get("note", "")
        if item is None:
            messages.error(request, "That is no longer waiting for review.")
            return _see_other(_safe_next(request))
        trust = bool(request.POST.get("trust"))
        # The version the organizer read: a decision never lands on words changed since.
        seen = request.POST.get("seen", "")[:40] or None
        try:
            if isinstance(item, AdvocacyCampaign):
                _decide(actor, item, decision, note, trust=trust, seen=seen)
            else:
                _decide(actor, item, decision, note, trust=trust, seen=seen)
        except ValidationError as error:
            problems[str(item.uuid)], typed[str(item.uuid)] = error.message, note
        else:
            done = {"approve": "approved", "reject": "turned down", "changes": "sent back for changes"}
            trusted = (
                " They're trusted now: their next ones go live at once."
                if trust and decision == "approve"
                else ""
            )
            starter = item.started_by.display_name
            messages.success(
                request, f"{item.title}: {done[str(decision)]}. {starter} has been told.{trusted}"
            )
            return _see_other(_safe_next(request))
    queue = pending_with_history(actor, problems=problems, typed=typed)
    return render(
        request,
        "advocacy/review_page.html",
        {"queue": queue, "next": request.POST.get("next", "") if problems else ""},
        status=400 if problems else 200,
    )


urlpatterns = [
    path("start/", start, name="start"),
    path("start/petition/", start_petition, name="start_petition"),
    path("start/campaign/", start_campaign, name="start_campaign"),
    path("petitions/<uuid:uuid>/edit/", edit_petition, name="edit_petition"),
    path("campaigns/<uuid:uuid>/edit/", edit_campaign, name="edit_campaign"),
    path("petitions/<uuid:uuid>/manage/", manage_petition, name="manage_petition"),
    path("campaigns/<uuid:uuid>/manage/", manage_campaign, name="manage_campaign"),
    path("petitions/<uuid:uuid>/close/", close_petition, name="close_petition"),
    path("campaigns/<uuid:uuid>/close/", close_campaign, name="close_campaign"),
    path("campaigns/<uuid:uuid>/platform-sending/", platform_sending, name="platform_sending"),
    path("petitions/<uuid:uuid>/report/", petition_report, name="petition_report"),
    path("petitions/<uuid:uuid>/report.csv", petition_report_csv, name="petition_report_csv"),
    path("review/", review, name="review"),
]
