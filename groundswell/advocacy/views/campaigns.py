"""Pages where people take part: /act/ (what is open), an advocacy campaign's page (find my
targets, the script, call or write, "how did it go?"), the page after an outreach, a
petition's page, signing it and the page after, and the petition's live count.

They mirror an event's page (`events.views.attending`): a visitor who is not signed in
takes part through the public form and arrives through the one way in, credited to the
member whose link (`?ref=&via=`) brought them; a page opened through a link says who
invited the visitor and counts the visit (`network.visits.count_share_visit`); every POST
answers with a 303 to a page after it, which shows only what this browser sent (a guest's
details live in their session) or the signed-in member's own acts; errors come back on the
form, never as a 500; a campaign or petition the visitor may not see is "not found".

Whom a member contacts: a signed-in member's representatives come from the address on their
account; a visitor types a ZIP code (a GET, so a link to the page can carry it), or a street
address where a geocoder is set (a POST, kept out of logs), as on "who represents me". A ZIP
code split between districts shows the sure targets and asks which district is theirs (the
pick rides in the page's address: `?district=`). A report is checked against the same
lookup, done again from what its form carries: a target picked by level must represent that
place. The targets it gave are kept in the session when an outreach is logged (worked out
here, never taken from the form), so the page after can suggest the next one not yet
contacted, and its report is accepted without the lookup again.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groundswell.accounts.actors import Actor, actor_for_request
from groundswell.advocacy import delivery, geocoding, merge_fields, services
from groundswell.advocacy.forms.taking_part import LookupForm, OutreachForm, SignForm
from groundswell.advocacy.models import AdvocacyCampaign, Outreach, Petition, Review, Target
from groundswell.advocacy.selectors import campaigns as selectors
from groundswell.advocacy.selectors import representatives as lookup
from groundswell.advocacy.selectors.access import (
    access_campaign,
    access_petition,
    can_manage,
    can_see,
    is_open,
    is_starter,
)
from groundswell.advocacy.views.representatives import _geocode_limits as geocode_limits
from groundswell.core import ratelimit
from groundswell.core.channels import Channel
from groundswell.core.errors import GroundswellError, NotFound, RateLimited, ValidationError
from groundswell.network.models import ShareCode
from groundswell.network.proof import keep_until_proof
from groundswell.network.selectors import share_links
from groundswell.network.services import resolve_share_code, share_code_for, typed_name_link
from groundswell.network.visits import count_share_visit
from groundswell.people.models import Person, PostalAddress
from groundswell.people.places import place_postcode

# /act/ lists this many of each, newest first.
INDEX_LIMIT = 60
# Targets one page may carry forward to the page after (a whole delegation, with room).
SHOWN_MAX = 30
PICKS_MAX = 20

OUTREACH_SESSION_KEY = "groundswell_outreach"
SIGNED_SESSION_KEY = "groundswell_signed"

# What a script reads where a visitor has not told us yet.
YOUR_NAME = "[your name]"
YOUR_TOWN = "[your town]"

# The word for one act of each mode, for counts ("12 calls of 100").
MODE_NOUNS: dict[str, tuple[str, str]] = {
    AdvocacyCampaign.Mode.CALL: ("call", "calls"),
    AdvocacyCampaign.Mode.EMAIL: ("email", "emails"),
    AdvocacyCampaign.Mode.LETTER: ("letter", "letters"),
    AdvocacyCampaign.Mode.MEETING: ("meeting", "meetings"),
}
# What the page after says was done.
DONE_WORDS: dict[str, str] = {
    AdvocacyCampaign.Mode.CALL: "calling",
    AdvocacyCampaign.Mode.EMAIL: "writing to",
    AdvocacyCampaign.Mode.LETTER: "writing to",
    AdvocacyCampaign.Mode.MEETING: "asking to meet",
}


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "advocacy/act_not_found.html", {"error": message}, status=404)


def _see_other(url: str) -> HttpResponse:
    """After a POST, a page by GET (303: a reload does not post again)."""
    response = redirect(url)
    response.status_code = 303
    return response


def _ref(request: HttpRequest) -> dict[str, str]:
    """The share link that brought the visitor: in the page's address, or carried by the
    street-address lookup's form (a POST)."""
    source = request.GET if "ref" in request.GET else request.POST
    return {"ref": source.get("ref", "")[:64], "via": source.get("via", "")[:32]}


def _inviter(request: HttpRequest, actor: Actor) -> str | None:
    """Opened through a member's share link: who invited the visitor (never the member
    themselves)."""
    share = resolve_share_code(request.GET.get("ref") or request.POST.get("ref"))
    return share.inviter_name if share and share.person_id != actor.person_id else None


def _parse_uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value or "").strip())
    except ValueError:
        return None


def _status(error: GroundswellError) -> int:
    return 429 if isinstance(error, RateLimited) else 400


def _share(code: ShareCode | None, page: str, text: str) -> dict[str, object] | None:
    """The page's address carrying `code`, per channel: acts through it credit its owner."""
    if code is None:
        return None
    links = share_links(code, page=page, text=text)
    return {
        "copy_link": next(link.link for link in links if link.channel == Channel.LINK),
        "share_buttons": [link for link in links if link.channel != Channel.LINK],
    }


def _starter_name(thing: AdvocacyCampaign | Petition) -> str:
    """ "Sam K." for a member's campaign; "" for the organization's own."""
    return thing.started_by.short_name if thing.member_started else ""


# --- /act/ ------------------------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Open campaigns and petitions, staff's and members' alike, with their counts."""
    found = selectors.open_campaigns(limit=INDEX_LIMIT)
    for item in found.campaigns:
        item.one, item.many = MODE_NOUNS.get(item.mode, ("action", "actions"))  # type: ignore[attr-defined]
    return render(
        request,
        "advocacy/act_index.html",
        {"campaigns": found.campaigns, "petitions": found.petitions, "limit": INDEX_LIMIT},
    )


# --- Finding whom to contact ------------------------------------------------------------------


@dataclass
class Lookup:
    """Where the visitor is, as far as the page knows, and who represents them there."""

    form: LookupForm
    found: lookup.Representatives | None = None
    postcode: str = ""  # carried in links and forms
    picked: list[int] = field(default_factory=list)
    town: str = ""
    # A street address looked up (geocoder): carried only in POSTed forms, never in a link.
    address: str = ""


def _picked(query: QueryDict) -> list[int]:
    """District ids picked on this visit: earlier picks (`district`) and this question's
    answers (`district-1`, `district-2`: one radio group per question), malformed ones dropped."""
    values = [
        value
        for key in query
        if key == "district" or (key.startswith("district-") and key[9:].isdigit())
        for value in query.getlist(key)
    ]
    picked: list[int] = []
    for value in values[:PICKS_MAX]:
        if value.isascii() and value.isdigit() and len(value) < 12 and int(value) not in picked:
            picked.append(int(value))
    return picked


def _member_town(person: Person) -> str:
    address = PostalAddress.objects.filter(person=person).order_by("-primary", "id").only("locality").first()
    return address.locality if address else ""


def _look_up(request: HttpRequest, actor: Actor, data: QueryDict) -> Lookup:
    """The visitor's representatives: from what they typed (a ZIP code, or a street address
    when a geocoder is set), else a signed-in member's from their address on file."""
    geocoder = geocoding.enabled()
    picked = _picked(data)
    asked = any((data.get(name) or "").strip() for name in ("postcode", "address"))
    if not asked:
        found = lookup.representatives_for_person(actor.person, picked=picked) if actor.person else None
        initial = {"postcode": found.postcode} if found is not None else {}
        return Lookup(
            LookupForm(initial=initial, geocoder=geocoder),
            found,
            postcode="",
            picked=picked,
            town=found.locality if found is not None else "",
        )
    form = LookupForm(data, geocoder=geocoder)
    result = Lookup(form, picked=picked)
    if not form.is_valid():
        return result
    address = (form.cleaned_data.get("address") or "").strip()
    postcode = (form.cleaned_data.get("postcode") or "").strip()
    try:
        if address:
            if not actor.is_staff:
                ratelimit.check(
                    "geocode",
                    ip=ratelimit.client_ip(request),
                    person_id=actor.person_id,
                    # The same limits as "who represents me": one geocoder, one budget.
                    limits=geocode_limits(),
                )
            located = geocoding.geocode(address)
            result.found = lookup.representatives_at(
                longitude=located.longitude,
                latitude=located.latitude,
                region=located.region,
                country=located.country or "US",
                person=actor.person,
                picked=picked,
            )
            result.postcode = located.postal_code
            result.address = address
        else:
            result.found = lookup.representatives_for_postcode(postcode, person=actor.person, picked=picked)
            result.postcode = result.found.postcode or postcode
        result.town = result.found.locality
    except RateLimited as error:
        form.add_error("address", error.message)
    except ValidationError as error:
        name = "postcode" if error.field in ("postal_code", None) else error.field
        form.add_error(name if name in form.fields else None, error.message)
    return result


@dataclass
class PickChoice:
    """A district a split ZIP code may be in, with the campaign's targets who serve it."""

    id: int
    name: str
    likely: bool
    targets: list[Target]


@dataclass
class PickQuestion:
    label: str
    choices: list[PickChoice]


def _pick_questions(campaign: AdvocacyCampaign, found: lookup.Representatives | None) -> list[PickQuestion]:
    """What the ZIP code left open, as questions the page asks (only those whose candidates
    hold someone this campaign asks members to contact at their level)."""
    if found is None:
        return []
    named = {target.pk for target in campaign.targets.all()}
    questions = []
    for question in found.questions:
        choices = [
            PickChoice(
                candidate.district.id,
                candidate.district.name,
                candidate.likely,
                [t for t in selectors.targets_for(campaign, candidate.targets) if t.pk not in named],
            )
            for candidate in question.candidates
        ]
        if any(choice.targets for choice in choices):
            questions.append(PickQuestion(question.label, choices))
    return questions


# --- A target on the page ---------------------------------------------------------------------


@dataclass
class PhoneLink:
    label: str
    number: str
    tel: str
    verified_on: date | None


@dataclass
class TargetEntry:
    """One target as the page shows it: who, how to reach them, what to say, and the form
    to report how it went."""

    target: Target
    anchor: str
    script: SafeString  # the call script or talking text, merge fields filled, escaped
    subject: str  # an email's subject, filled
    body: str  # an email's or letter's text, filled (plain: the textarea escapes it)
    offers: list[delivery.Offer]  # how an email or a letter can reach the office
    phones: list[PhoneLink]
    form: OutreachForm | None  # None when the campaign is not taking outreaches
    contacted: bool = False


def _anchor(target: Target) -> str:
    return f"target-{target.uuid.hex[:12]}"


@dataclass
class Speaker:
    """Who the script speaks as: the member, or a visitor (their typed name, once they have
    given it, else a placeholder to say aloud)."""

    person: Person | None = None
    given_name: str = ""
    family_name: str = ""
    town: str = ""

    def values(self, target: Target) -> merge_fields.Values:
        if self.person is not None:
            return merge_fields.values_for(target=target, person=self.person, town=self.town or YOUR_TOWN)
        return merge_fields.values_for(
            target=target,
            given_name=self.given_name or YOUR_NAME,
            family_name=self.family_name if self.given_name else "",
            town=self.town or YOUR_TOWN,
        )


def _entry(
    campaign: AdvocacyCampaign,
    target: Target,
    speaker: Speaker,
    *,
    form: OutreachForm | None,
    initial: dict[str, object],
    guest: bool,
    taking_part: bool,
    contacted: bool,
) -> TargetEntry:
    values = speaker.values(target)
    template = selectors.script_for(campaign, target)
    body = merge_fields.render_text(template, values)
    if campaign.mode == AdvocacyCampaign.Mode.EMAIL:
        body = delivery.fit(body, target.message_limit)  # the draft starts within the office's limit
    subject = merge_fields.render_line(campaign.subject, values) if campaign.subject else ""
    anchor = _anchor(target)
    if form is None and taking_part:
        form = OutreachForm(
            mode=campaign.mode,
            guest=guest,
            limit=target.message_limit,
            auto_id=f"{anchor}-%s",
            initial={**initial, "target": str(target.uuid), "subject": subject, "text": body},
        )
    phones = [
        PhoneLink(phone.label, phone.number, merge_fields.tel_url(phone.number), phone.verified_on)
        for phone in target.phones.all()
    ]
    return TargetEntry(
        target=target,
        anchor=anchor,
        script=merge_fields.render_html(template, values),
        subject=subject,
        body=body,
        offers=delivery.offers(campaign, target, delivery.Draft(subject, body), member=not guest),
        phones=[phone for phone in phones if phone.tel],
        form=form if taking_part else None,
        contacted=contacted,
    )


def _with_scripts_and_targets(campaign: AdvocacyCampaign) -> AdvocacyCampaign:
    """The campaign's own scripts and named targets (with phones) read once, not per target."""
    prefetch_related_objects(
        [campaign], "scripts", Prefetch("targets", queryset=Target.objects.prefetch_related("phones"))
    )
    return campaign


def _contacted_ids(actor: Actor, campaign: AdvocacyCampaign, state: dict | None) -> set[int]:
    """The targets this member (or this browser's visitor) already contacted here."""
    if actor.person is not None:
        return set(
            Outreach.objects.filter(campaign=campaign, person=actor.person).values_list(
                "target_id", flat=True
            )
        )
    if state is None:
        return set()
    wanted = {parsed for value in state.get("contacted", []) if (parsed := _parse_uuid(value))}
    return set(Target.objects.filter(uuid__in=wanted).values_list("pk", flat=True)) if wanted else set()


def _state(request: HttpRequest, campaign: AdvocacyCampaign) -> dict | None:
    """What this browser did on this campaign (the session's record of its last outreach)."""
    state = request.session.get(OUTREACH_SESSION_KEY)
    return state if isinstance(state, dict) and state.get("campaign") == str(campaign.uuid) else None


def _guest_initial(request: HttpRequest, state: dict | None, postcode: str = "") -> dict[str, object]:
    """A visitor's form, filled with what this browser typed last time and the link that
    brought them."""
    initial: dict[str, object] = {**_ref(request)}
    if state:
        for name in ("given_name", "family_name", "email", "postal_code", "ref", "via"):
            if state.get(name) and not initial.get(name):
                initial[name] = state[name]
    if postcode and not initial.get("postal_code"):
        initial["postal_code"] = postcode
    return initial


# --- A campaign's page ------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def campaign(request: HttpRequest, slug: str) -> HttpResponse:
    """The campaign's page. POST only looks up a street address (nothing is written)."""
    actor = actor_for_request(request)
    try:
        found = access_campaign(actor, slug)
    except NotFound as error:
        return _not_found(request, error.message)
    if request.method != "POST" and request.GET.get("letter"):
        return _letter(request, actor, found, request.GET["letter"])
    data = request.POST if request.method == "POST" else request.GET
    response = _render_campaign(request, actor, found, data)
    if actor.person is None and _state(request, found) is not None:
        # It shows what this browser's visitor typed (their next form is filled in): no
        # shared cache may keep it.
        add_never_cache_headers(response)
    if request.GET.get("ref"):
        count_share_visit(request, response, request.GET["ref"], request.GET.get("via"))
    return response


def _render_campaign(
    request: HttpRequest,
    actor: Actor,
    campaign: AdvocacyCampaign,
    data: QueryDict,
    *,
    bound: tuple[Target | None, OutreachForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    _with_scripts_and_targets(campaign)
    guest = actor.person is None
    taking_part = is_open(campaign)
    closed = campaign.status == Review.CLOSED
    by_level = bool(campaign.target_levels)
    place = (
        _look_up(request, actor, data)
        if by_level and not closed
        else Lookup(LookupForm(geocoder=geocoding.enabled()))
    )
    found = place.found
    targets = [] if closed else selectors.targets_for(campaign, found.targets if found is not None else [])
    state = _state(request, campaign)
    contacted = _contacted_ids(actor, campaign, state) if targets else set()
    speaker = Speaker(person=actor.person, town=place.town)
    if guest and state:
        speaker.given_name, speaker.family_name = state.get("given_name", ""), state.get("family_name", "")
    if actor.person is not None and not speaker.town:
        speaker.town = _member_town(actor.person)
    initial: dict[str, object] = (
        _guest_initial(request, state, place.postcode) if guest else {**_ref(request)}
    )
    bound_target, bound_form = bound if bound else (None, None)
    entries = [
        _entry(
            campaign,
            target,
            speaker,
            form=bound_form if bound_target is not None and bound_target.pk == target.pk else None,
            initial=initial,
            guest=guest,
            taking_part=taking_part,
            contacted=target.pk in contacted,
        )
        for target in targets
    ]
    # An error on a target the page no longer shows (not theirs, not in the campaign):
    # shown above the targets, so it is never lost.
    orphan = bound_form if bound_form is not None and not any(e.form is bound_form for e in entries) else None
    current = _current(entries, bound_form, data.get("target"))
    totals = selectors.campaign_totals(campaign)
    one, many = MODE_NOUNS.get(campaign.mode, ("action", "actions"))
    page = f"{settings.SITE_URL}{reverse('advocacy:campaign', args=[campaign.slug])}"
    pick_questions = _pick_questions(campaign, found) if not closed else []
    # Whom to contact depends on where they live, and the page doesn't know yet.
    needs_place = by_level and not closed and found is None
    context = {
        "campaign": campaign,
        "starter_name": _starter_name(campaign),
        "inviter_name": _inviter(request, actor),
        "manages": can_manage(actor, campaign),
        "is_starter": is_starter(actor, campaign),
        "taking_part": taking_part,
        "closed": closed,
        "lookup": place,
        "found": found,
        "geocoder": geocoding.enabled(),
        "by_level": by_level,
        "needs_place": needs_place,
        "pick_questions": pick_questions,
        "entries": entries,
        "current": current,
        "position": entries.index(current) + 1 if current is not None else 0,
        "orphan_form": orphan,
        "step_query": _step_query(place, _ref(request)),
        "no_targets": not entries and not closed and not pick_questions and not needs_place,
        "fallback_tel": merge_fields.tel_url(campaign.fallback_phone),
        "totals": totals,
        "one": one,
        "many": many,
        "invite_links": _share(
            share_code_for(actor.person) if actor.person is not None and not closed else None,
            page,
            f"Take action with me: {campaign.title}",
        )
        if campaign.status == Review.PUBLISHED
        else None,
        "is_member": actor.person is not None,
        "mode": campaign.mode,
        "credit": _ref(request),
    }
    if status == 200 and place.form.is_bound and place.form.errors:
        status = 400  # a ZIP code we could not read, as "who represents me" answers it
    return render(request, "advocacy/campaign_detail.html", context, status=status)


def _current(
    entries: list[TargetEntry], bound: OutreachForm | None, wanted: str | None
) -> TargetEntry | None:
    """The one target the page shows in full (as 5 Calls does: one call at a time, the others
    a step away): the one whose report failed, else the one asked for (`?target=`), else the
    first not yet contacted."""
    if not entries:
        return None
    for entry in entries:
        if bound is not None and entry.form is bound:
            return entry
    key = _parse_uuid(wanted) if wanted else None
    for entry in entries:
        if key is not None and entry.target.uuid == key:
            return entry
    return next((entry for entry in entries if not entry.contacted), entries[0])


def _step_query(place: Lookup, credit: dict[str, str]) -> str:
    """What a link to another target on the page carries: the place looked up (not a street
    address) and the share link that brought the visitor."""
    params = [("postcode", place.postcode)] if place.postcode else []
    params += [("district", str(pk)) for pk in place.picked]
    params += [(name, value) for name, value in credit.items() if value and credit.get("ref")]
    return urlencode(params)


def _letter(request: HttpRequest, actor: Actor, campaign: AdvocacyCampaign, target_id: str) -> HttpResponse:
    """A printable letter to one target (`?letter=<target id>`), with the member's name and
    town filled in (a visitor's left as lines to fill by hand)."""
    key = _parse_uuid(target_id)
    target = Target.objects.filter(uuid=key).first() if key else None
    if target is None or not target.serving or not selectors.target_in_campaign(campaign, target):
        return _not_found(request, "We couldn't find that letter.")
    _with_scripts_and_targets(campaign)
    person = actor.person
    speaker = Speaker(person=person, town=_member_town(person) if person else "")
    values = speaker.values(target)
    return render(
        request,
        "advocacy/campaign_letter.html",
        {
            "campaign": campaign,
            "target": target,
            "body": merge_fields.render_html(selectors.script_for(campaign, target), values),
            "sender": values.member_name if person else "",
            "town": speaker.town if person else "",
        },
    )


# --- Reporting an outreach --------------------------------------------------------------------


@require_POST
def log_outreach(request: HttpRequest, slug: str) -> HttpResponse:
    """ "How did it go?": the member (or a visitor, who arrives through the one way in)
    reports a contact with one target, then sees the page after (303)."""
    actor = actor_for_request(request)
    try:
        campaign = access_campaign(actor, slug)
    except NotFound as error:
        return _not_found(request, error.message)
    guest = actor.person is None
    key = _parse_uuid(request.POST.get("target"))
    target = Target.objects.filter(uuid=key).first() if key else None
    form = OutreachForm(
        request.POST,
        mode=campaign.mode,
        guest=guest,
        limit=target.message_limit if target else None,
        auto_id=f"{_anchor(target)}-%s" if target else "outreach-%s",
    )
    lookup_data = request.POST
    if target is None:
        form.is_valid()
        form.add_error(None, "Please choose whom you contacted from the list.")
        return _render_campaign(request, actor, campaign, lookup_data, bound=(None, form), status=400)
    if not form.is_valid():
        return _render_campaign(request, actor, campaign, lookup_data, bound=(target, form), status=400)
    data = form.cleaned_data
    reachable = _reachable(request, actor, campaign, _state(request, campaign))
    report = services.OutreachReport(
        theirs=frozenset(target.pk for target in reachable),
        target=target,
        outcome=data["outcome"],
        mode=campaign.mode,
        call_seconds=form.call_seconds,
        note=data.get("note", ""),
        subject=data.get("subject", ""),
        text=data.get("text", ""),
        meeting_date=data.get("meeting_date"),
        who_went=data.get("who_went", ""),
        delivery=_delivery_of(campaign, target, actor, sends=request.POST.get("way") == "platform"),
    )
    try:
        if not actor.is_staff:
            ratelimit.check("outreach", ip=ratelimit.client_ip(request), person_id=actor.person_id)
        if report.delivery == Outreach.Delivery.PLATFORM:
            result = services.send_for_member(
                actor=actor, campaign=campaign, report=report, ref=data["ref"], via=data["via"]
            )
        elif guest:
            result = services.log_outreach_as_guest(
                actor=actor,
                campaign=campaign,
                report=report,
                given_name=data["given_name"],
                family_name=data["family_name"],
                email=data["email"],
                postal_code=data["postal_code"],
                ref=data["ref"],
                via=data["via"],
            )
        else:
            result = services.log_outreach(
                actor=actor, campaign=campaign, report=report, ref=data["ref"], via=data["via"]
            )
    except GroundswellError as error:
        form.blame(error.field, error.message)
        return _render_campaign(
            request, actor, campaign, lookup_data, bound=(target, form), status=_status(error)
        )
    _remember_outreach(request, campaign, target, result.outreach, data, reachable, guest=guest)
    _tell_how_it_went(request, target, result)
    response = _see_other(reverse("advocacy:outreach_done", args=[campaign.slug]))
    if guest and data["ref"]:
        # A report through a member's link is a visit through it, counted if the page view was not.
        count_share_visit(request, response, data["ref"], data["via"], arrived=True)
    return response


def _delivery_of(campaign: AdvocacyCampaign, target: Target, actor: Actor, *, sends: bool) -> str:
    """How the report says the text went: the platform's send (the "Send it for me" button),
    a letter by post, or the member's own email or the office's form when only one was open
    to them."""
    if sends:
        return Outreach.Delivery.PLATFORM
    if campaign.mode == AdvocacyCampaign.Mode.LETTER:
        return Outreach.Delivery.POST
    if campaign.mode != AdvocacyCampaign.Mode.EMAIL:
        return Outreach.Delivery.UNKNOWN
    draft = delivery.Draft("", "")
    return delivery.way_of_self_sent(
        delivery.offers(campaign, target, draft, member=actor.person is not None)
    )


def _tell_how_it_went(request: HttpRequest, target: Target, result: services.OutreachResult) -> None:
    """The page after says what the platform did with their text."""
    outreach = result.outreach
    if outreach.delivery == Outreach.Delivery.PLATFORM and not result.already:
        messages.success(
            request,
            f"We've sent your email to {target.name}'s office. Their reply will come to {outreach.email}.",
        )
    if result.cut and target.message_limit:
        messages.info(
            request,
            f"{target.name}'s office takes at most {target.message_limit:,} characters, so your "
            "message was cut to fit (your sign-off kept).",
        )


def _reachable(
    request: HttpRequest, actor: Actor, campaign: AdvocacyCampaign, state: dict | None
) -> list[Target]:
    """The targets this reporter may report contacting: the campaign's for the place the form
    carries (the ZIP code, street address and district picks of the lookup; a member's own
    address when it carries none), else those this browser's last report here was given
    (the page after offers the next of them, and a street address is never carried in it)."""
    place = _look_up(request, actor, request.POST) if campaign.target_levels else None
    found = place.found if place is not None else None
    targets = selectors.targets_for(campaign, found.targets if found is not None else [])
    if state and state.get("shown"):
        known = {target.pk for target in targets}
        keys = [parsed for value in state["shown"][:SHOWN_MAX] if (parsed := _parse_uuid(value))]
        targets += [target for target in Target.objects.filter(uuid__in=keys) if target.pk not in known]
    return targets


def _remember_outreach(
    request: HttpRequest,
    campaign: AdvocacyCampaign,
    target: Target,
    outreach: Outreach,
    data: dict,
    reachable: list[Target],
    *,
    guest: bool,
) -> None:
    """What the page after needs, in this browser's session only: the targets this reporter
    may contact (worked out here, never taken from the form: the next one is offered from
    them), the one just contacted, where the visitor looked up, and a visitor's own details
    (never anything of a record the typed address may belong to)."""
    state = _state(request, campaign) or {"campaign": str(campaign.uuid), "contacted": []}
    state["shown"] = [str(each.uuid) for each in reachable[:SHOWN_MAX]]
    contacted = [value for value in state.get("contacted", []) if value != str(target.uuid)]
    state["contacted"] = [*contacted, str(target.uuid)][-SHOWN_MAX:]
    state["last"] = str(target.uuid)
    state["outcome"] = outreach.outcome
    postcode = request.POST.get("postcode", "")[:20]
    state["lookup"] = urlencode(
        ([("postcode", postcode)] if postcode else [])
        + [("district", str(pk)) for pk in _picked(request.POST)]
    )
    if guest:
        if state.get("email") != data["email"] or not state.get("code"):
            # Their own link to share, credited to whoever the address belongs to and showing
            # the name typed here (as after a guest's RSVP: it tells nothing of the owner).
            state["code"] = typed_name_link(
                outreach.person, given_name=data["given_name"], family_name=data["family_name"]
            ).code
        for name in ("given_name", "family_name", "email", "postal_code", "ref", "via"):
            state[name] = str(data.get(name) or "")[:254]
    request.session[OUTREACH_SESSION_KEY] = state


@never_cache
@require_GET
def outreach_done(request: HttpRequest, slug: str) -> HttpResponse:
    """After an outreach: thanks, the next target not yet contacted (with its script and
    form), and links to bring others, credited to the member (or the visitor's own link)."""
    actor = actor_for_request(request)
    try:
        campaign = access_campaign(actor, slug)
    except NotFound as error:
        return _not_found(request, error.message)
    back = reverse("advocacy:campaign", args=[campaign.slug])
    state = _state(request, campaign)
    guest = actor.person is None
    sent: Outreach | None = None
    if guest:
        last_id = _parse_uuid((state or {}).get("last"))
        last = Target.objects.filter(uuid=last_id).first() if last_id else None
        outcome = str((state or {}).get("outcome", ""))
    else:
        newest = (
            Outreach.objects.filter(campaign=campaign, person=actor.person)
            .select_related("target")
            .order_by("-created_at", "-id")
            .first()
        )
        last = newest.target if newest else None
        outcome = newest.outcome if newest else ""
        # Their own words, kept as they typed them (the page escapes them).
        sent = newest if newest is not None and newest.text else None
    if last is None:
        return redirect(back)
    _with_scripts_and_targets(campaign)
    contacted = _contacted_ids(actor, campaign, state)
    next_target = _next_target(campaign, (state or {}).get("shown", []), contacted)
    speaker = Speaker(person=actor.person)
    if guest and state:
        speaker.given_name, speaker.family_name = state.get("given_name", ""), state.get("family_name", "")
        try:
            speaker.town = place_postcode(state.get("postal_code", "")).locality
        except ValidationError:
            speaker.town = ""
    elif actor.person is not None:
        speaker.town = _member_town(actor.person)
    entry = (
        _entry(
            campaign,
            next_target,
            speaker,
            form=None,
            initial=_guest_initial(request, state) if guest else {},
            guest=guest,
            taking_part=is_open(campaign),
            contacted=False,
        )
        if next_target is not None
        else None
    )
    page = f"{settings.SITE_URL}{back}"
    code = (
        share_code_for(actor.person)
        if actor.person is not None
        else resolve_share_code((state or {}).get("code"))
    )
    totals = selectors.campaign_totals(campaign)
    one, many = MODE_NOUNS.get(campaign.mode, ("action", "actions"))
    lookup_query = (state or {}).get("lookup", "")
    return render(
        request,
        "advocacy/campaign_done.html",
        {
            "campaign": campaign,
            "last": last,
            "outcome": outcome,
            "sent": sent,
            "done_word": DONE_WORDS.get(campaign.mode, "contacting"),
            "entry": entry,
            "contacted_count": len(contacted),
            "guest": state if guest else None,
            "invite_links": _share(
                code if campaign.status == Review.PUBLISHED else None,
                page,
                f"I just took action: {campaign.title}. Will you?",
            ),
            "totals": totals,
            "one": one,
            "many": many,
            "back": f"{back}?{lookup_query}" if lookup_query else back,
            # Carried by the next target's form, as the campaign's page carries them.
            "lookup": {
                "postcode": QueryDict(lookup_query).get("postcode", ""),
                "picked": QueryDict(lookup_query).getlist("district"),
            },
            "mode": campaign.mode,
            "taking_part": is_open(campaign),
        },
    )


def _next_target(campaign: AdvocacyCampaign, shown: list[str], contacted: set[int]) -> Target | None:
    """The first target the page showed that this person has not contacted yet, if it still
    belongs to the campaign and serves."""
    keys = [parsed for value in shown[:SHOWN_MAX] if (parsed := _parse_uuid(value))]
    if not keys:
        return None
    found = {
        target.uuid: target
        for target in Target.objects.filter(uuid__in=keys, serving=True).prefetch_related("phones")
    }
    for key in keys:
        target = found.get(key)
        if (
            target is not None
            and target.pk not in contacted
            and selectors.target_in_campaign(campaign, target)
        ):
            return target
    return None


# --- A petition's page ------------------------------------------------------------------------


@require_GET
def petition(request: HttpRequest, slug: str) -> HttpResponse:
    actor = actor_for_request(request)
    try:
        found = access_petition(actor, slug)
    except NotFound as error:
        return _not_found(request, error.message)
    form = _sign_form(actor, found, initial=_ref(request))
    response = _render_petition(request, actor, found, form)
    if request.GET.get("ref"):
        count_share_visit(request, response, request.GET["ref"], request.GET.get("via"))
    return response


def _sign_form(actor: Actor, petition: Petition, **kwargs: Any) -> SignForm:
    """The signing form: a visitor's asks who they are; "the starter may write to me" is
    asked only on a member's petition, of anyone but its starter."""
    starter = "" if is_starter(actor, petition) else _starter_name(petition)
    return SignForm(guest=actor.person is None, starter_name=starter, **kwargs)


def _render_petition(
    request: HttpRequest, actor: Actor, petition: Petition, form: SignForm, *, status: int = 200
) -> HttpResponse:
    mine = selectors.my_signature(actor, petition)
    campaign = petition.advocacy_campaign if petition.advocacy_campaign_id else None
    page = f"{settings.SITE_URL}{reverse('advocacy:petition', args=[petition.slug])}"
    return render(
        request,
        "advocacy/petition_detail.html",
        {
            "petition": petition,
            "starter_name": _starter_name(petition),
            "inviter_name": _inviter(request, actor),
            "targets": list(petition.targets.all()),
            "totals": selectors.petition_totals(petition),
            "form": form,
            "mine": mine,
            "open": is_open(petition),
            "closed": petition.status == Review.CLOSED,
            "manages": can_manage(actor, petition),
            "is_starter": is_starter(actor, petition),
            "campaign": campaign
            if campaign is not None and can_see(actor, campaign) and is_open(campaign)
            else None,
            "invite_links": _share(
                share_code_for(actor.person) if actor.person is not None else None,
                page,
                f"I signed “{petition.title}”. Will you?",
            )
            if mine is not None and petition.status == Review.PUBLISHED
            else None,
        },
        status=status,
    )


@require_POST
def sign(request: HttpRequest, slug: str) -> HttpResponse:
    """Sign: a member as themselves, a visitor through the public form (arriving through the
    one way in, credited to the link that brought them); then the page after (303)."""
    actor = actor_for_request(request)
    try:
        petition = access_petition(actor, slug)
    except NotFound as error:
        return _not_found(request, error.message)
    guest = actor.person is None
    form = _sign_form(actor, petition, data=request.POST)
    if not form.is_valid():
        return _render_petition(request, actor, petition, form, status=400)
    data = form.cleaned_data
    try:
        if not actor.is_staff:
            ratelimit.check("sign", ip=ratelimit.client_ip(request), person_id=actor.person_id)
        if guest:
            result = services.sign_as_guest(
                actor=actor,
                petition=petition,
                given_name=data["given_name"],
                family_name=data["family_name"],
                email=data["email"],
                postal_code=data["postal_code"],
                comment=data["comment"],
                show_name=data["show_name"],
                starter_may_write=data.get("starter_may_write", False),
                email_consent=data["email_consent"],
                ref=data["ref"],
                via=data["via"],
            )
        else:
            result = services.sign(
                actor=actor,
                petition=petition,
                comment=data["comment"],
                show_name=data["show_name"],
                starter_may_write=data.get("starter_may_write", False),
                ref=data["ref"],
                via=data["via"],
            )
    except GroundswellError as error:
        form.blame(error.field, error.message)
        return _render_petition(request, actor, petition, form, status=_status(error))
    if guest:
        if data["email_consent"]:
            # A yes typed with an address already on the list waits until this browser proves
            # the address is theirs (a new address was subscribed by signing).
            keep_until_proof(request, email=data["email"], wording=services.SIGN_CONSENT_WORDING)
        # The page after shows what this browser typed, the same whether or not the address
        # was on the list or had signed; and a link of their own to share, credited to the
        # address's owner, showing the name typed here.
        code = typed_name_link(
            result.signature.person, given_name=data["given_name"], family_name=data["family_name"]
        )
        request.session[SIGNED_SESSION_KEY] = {
            "petition": str(petition.uuid),
            "code": code.code,
            "given_name": data["given_name"][:100],
            "family_name": data["family_name"][:100],
            "email": data["email"][:254],
            "postal_code": data["postal_code"][:16],
            "ref": data["ref"],
            "via": data["via"],
        }
    elif result.already:
        messages.info(request, "You've already signed this petition: your signature counts once.")
    response = _see_other(reverse("advocacy:signed", args=[petition.slug]))
    if guest and data["ref"]:
        count_share_visit(request, response, data["ref"], data["via"], arrived=True)
    return response


@never_cache
@require_GET
def signed(request: HttpRequest, slug: str) -> HttpResponse:
    """After signing: thanks, links to share the petition (credited to the signer), and
    "now call your representative" when a campaign is attached. Shows only the member's own
    signature, or what this browser's visitor typed."""
    actor = actor_for_request(request)
    try:
        petition = access_petition(actor, slug)
    except NotFound as error:
        return _not_found(request, error.message)
    back = reverse("advocacy:petition", args=[petition.slug])
    guest_state = None
    if actor.person is not None:
        mine = selectors.my_signature(actor, petition)
        if mine is None:
            return redirect(back)
        code: ShareCode | None = share_code_for(actor.person)
    else:
        guest_state = request.session.get(SIGNED_SESSION_KEY)
        if not isinstance(guest_state, dict) or guest_state.get("petition") != str(petition.uuid):
            return redirect(back)
        mine = None
        code = resolve_share_code(guest_state.get("code"))
    campaign = petition.advocacy_campaign if petition.advocacy_campaign_id else None
    campaign_url = ""
    if campaign is not None and can_see(actor, campaign) and is_open(campaign):
        campaign_url = reverse("advocacy:campaign", args=[campaign.slug])
        postcode = (guest_state or {}).get("postal_code", "")
        if postcode and campaign.target_levels:
            campaign_url += "?" + urlencode({"postcode": postcode})
    else:
        campaign = None
    return render(
        request,
        "advocacy/petition_signed.html",
        {
            "petition": petition,
            "mine": mine,
            "guest": guest_state,
            "totals": selectors.petition_totals(petition) if mine is not None else None,
            "campaign": campaign,
            "campaign_url": campaign_url,
            "invite_links": _share(
                code if petition.status == Review.PUBLISHED else None,
                f"{settings.SITE_URL}{back}",
                f"I signed “{petition.title}”. Will you?",
            ),
            "back": back,
        },
    )


@require_GET
def petition_count(request: HttpRequest, slug: str) -> HttpResponse:
    """The count and progress bar alone, for the page to refresh every 30 s (htmx)."""
    actor = actor_for_request(request)
    try:
        petition = access_petition(actor, slug)
    except NotFound as error:
        return _not_found(request, error.message)
    if not getattr(request, "htmx", False):
        # Opened as a page (a shared or bookmarked address): the petition, at its count.
        return redirect(reverse("advocacy:petition", args=[petition.slug]) + "#sign")
    return render(
        request,
        "advocacy/petition_count.html",
        {
            "petition": petition,
            "totals": selectors.petition_totals(petition),
            "open": is_open(petition),
            "closed": petition.status == Review.CLOSED,
        },
    )


urlpatterns = [
    path("", index, name="index"),
    path("campaigns/<slug:slug>/", campaign, name="campaign"),
    path("campaigns/<slug:slug>/outreach/", log_outreach, name="log_outreach"),
    path("campaigns/<slug:slug>/done/", outreach_done, name="outreach_done"),
    path("petitions/<slug:slug>/", petition, name="petition"),
    path("petitions/<slug:slug>/sign/", sign, name="sign"),
    path("petitions/<slug:slug>/signed/", signed, name="signed"),
    path("petitions/<slug:slug>/count/", petition_count, name="petition_count"),
]
