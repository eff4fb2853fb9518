"""Pages of the recruitment network: the join page and the member's hub."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from groundswell.accounts.actors import actor_for_request
from groundswell.accounts.services import start_sign_in_by_code
from groundswell.core import ratelimit
from groundswell.core.channels import Channel
from groundswell.core.errors import RateLimited, ValidationError
from groundswell.network import selectors, services
from groundswell.network.forms import ContactForm, JoinForm, RippleSearchForm
from groundswell.network.proof import keep_until_proof
from groundswell.network.visits import count_share_visit
from groundswell.people.models import Person


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        ref, via = request.GET.get("ref", ""), request.GET.get("via", "")
        form = JoinForm(initial={"ref": ref[:64], "via": via[:32]})
        response = _render_join(request, form, ref)
        if ref:
            count_share_visit(request, response, ref, via)
        return response

    form = JoinForm(request.POST)
    if form.is_bot():
        # Say nothing useful to a bot, store nothing.
        return render(request, "network/join_thanks.html")
    if not form.is_valid():
        return _render_join(request, form, form.data.get("ref", ""), status=400)
    data = form.cleaned_data
    actor = actor_for_request(request)
    try:
        ratelimit.check("join", ip=ratelimit.client_ip(request), person_id=actor.person_id)
        result = services.join(
            actor=actor,
            email=data["email"],
            given_name=data["given_name"],
            family_name=data["family_name"],
            postal_code=data["postal_code"],
            email_consent=data["email_consent"],
            ref=data["ref"],
            via=data["via"],
        )
    except (ValidationError, RateLimited) as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return _render_join(request, form, data.get("ref", ""), status=_status(error))

    if result.own_address:
        messages.success(request, "Welcome back! We've added your new details.")
        return redirect("network:hub")
    if data["email_consent"] and not result.created:
        # A known address: the yes counts once this browser proves the address is theirs.
        keep_until_proof(request, email=data["email"], wording=services.JOIN_CONSENT_WORDING)
    response = redirect("network:joined")
    if result.created and result.recruiter is not None:
        # Joined through the link: that is a visit, counted if the page view was not.
        count_share_visit(request, response, data["ref"], data["via"], arrived=True)
    # Nobody is signed in by joining: the code we email proves the address first. Until
    # then the newcomer gets their share link (the recruiting moment), and the page is the
    # same whether the address was new or already on the list.
    code = services.share_link_before_proof(
        result, given_name=data["given_name"], family_name=data["family_name"]
    )
    start_sign_in_by_code(request, data["email"], user=result.user)
    request.session[JOINED_SESSION_KEY] = {
        "code": code.code,
        "name": data["given_name"],
        "email": data["email"],
    }
    return response


JOINED_SESSION_KEY = "groundswell_joined"


def _status(error: Exception) -> int:
    return 429 if isinstance(error, RateLimited) else 400


@never_cache
def joined(request: HttpRequest) -> HttpResponse:
    """Right after joining: check your email for the code, and meanwhile, share your link."""
    state = request.session.get(JOINED_SESSION_KEY)
    if not state:
        return redirect("network:join")
    share = services.resolve_share_code(state["code"])
    if share is None:
        return redirect("network:join")
    links = selectors.share_links(share)
    return render(
        request,
        "network/joined.html",
        {
            "given_name": state["name"],
            "email": state["email"],
            "share_buttons": [link for link in links if link.channel != Channel.LINK],
            "copy_link": next(link.link for link in links if link.channel == Channel.LINK),
        },
    )


def _render_join(request: HttpRequest, form: JoinForm, ref: str, status: int = 200) -> HttpResponse:
    share = services.resolve_share_code(ref)
    context = {
        "form": form,
        "inviter_name": share.inviter_name if share else None,
        "inviter_town": selectors.inviter_town(share) if share else "",
    }
    return render(request, "network/join.html", context, status=status)


@login_required
def hub(request: HttpRequest) -> HttpResponse:
    person = request.user.person  # type: ignore[union-attr]
    return render(request, "network/hub.html", _hub_context(request, person, ContactForm()))


def _hub_context(request: HttpRequest, person: Person, contact_form: ContactForm) -> dict:
    code = services.share_code_for(person)
    links = selectors.share_links(code)
    generations = selectors.ripple_generations(person)
    search = RippleSearchForm(request.GET, generations=len(generations))
    search.is_valid()
    wanted = search.cleaned_data  # the parts that were valid: a bad page number shows page 1
    return {
        "person": person,
        "share_buttons": [link for link in links if link.channel != Channel.LINK],
        "copy_link": next(link.link for link in links if link.channel == Channel.LINK),
        "generations": generations,
        "reach_total": sum(g.total for g in generations),
        "further_out": sum(g.total for g in generations[6:]),
        # The ripple summarized: counts per generation above, one page of names below.
        "ripple": selectors.ripple_page(
            person,
            page=wanted.get("page") or 1,
            query=wanted.get("q") or "",
            generation=wanted.get("generation"),
        )
        if generations
        else None,
        "search": search,
        "reach_by_channel": selectors.reach_by_channel(person),
        "contacts": selectors.contacts_of(person),
        "contact_form": contact_form,
    }


@login_required
def share(request: HttpRequest, channel: str) -> HttpResponse:
    """A share button: log the member's share, then hand over to the network's share page.
    The destination is built here, never taken from the request (no open redirect)."""
    url = services.share(person=actor_for_request(request).require_person(), channel_slug=channel)
    if url is None:
        return redirect("network:hub")
    return ShareRedirect(url)


class ShareRedirect(HttpResponseRedirect):
    # The email button opens the member's mail program.
    allowed_schemes = ["https", "mailto"]


@login_required
@require_POST
def add_contact(request: HttpRequest) -> HttpResponse:
    person = request.user.person  # type: ignore[union-attr]
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            contact = services.add_contact(owner=person, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            # The same answer whether or not they are already with us: the form must not
            # tell a member who is on the list.
            messages.success(request, f"Added {contact.name}. We'll tell you when they join.")
            return redirect("network:hub")
    return render(request, "network/hub.html", _hub_context(request, person, form), status=400)
