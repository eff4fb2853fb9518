"""My account's pages: thin adapters over `accounts.services`, `accounts.selectors` and
`messaging.services.change_subscription`. Every page is the signed-in member's own: nothing
here takes another person's id, and an archive's id only opens the member's own archive."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from groundswell.accounts import selectors as account_selectors
from groundswell.accounts import services as account_services
from groundswell.accounts.actors import Actor, actor_for_request, forget_request_actor
from groundswell.accounts.forms import DetailsForm, SharingForm
from groundswell.accounts.models import User
from groundswell.core.channels import Channel
from groundswell.core.errors import NotFound, ValidationError
from groundswell.events.models import Event
from groundswell.messaging.services import change_subscription
from groundswell.people.models import Person
from groundswell.web.tasks import build_data_export

# The words beside the button, kept with the consent they record.
SUBSCRIBE_WORDING = "Email me about actions and events near me. (My account)"
UNSUBSCRIBE_WORDING = "Stop emailing me about actions and events. (My account)"


def _details_initial(person: Person) -> dict[str, str]:
    address = person.postal_addresses.order_by("-primary", "id").first()
    phone = person.phone_numbers.order_by("-primary", "id").first()
    return {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "postal_code": address.postal_code if address else "",
        "phone": phone.number if phone else "",
    }


def _render_account(
    request: HttpRequest,
    actor: Actor,
    *,
    details_form: DetailsForm | None = None,
    sharing_form: SharingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    person = actor.require_person()
    user = request.user
    assert isinstance(user, User)
    context = {
        "person": person,
        "details_form": details_form or DetailsForm(initial=_details_initial(person)),
        "sharing_form": sharing_form
        or SharingForm(
            initial={"share_email": user.share_email_with_hosts, "share_phone": user.share_phone_with_hosts}
        ),
        "email_addresses": list(person.email_addresses.order_by("-primary", "id")),
        "export": account_selectors.latest_data_export(actor),
    }
    return render(request, "accounts/account.html", context, status=status)


@never_cache
@login_required
def account(request: HttpRequest) -> HttpResponse:
    return _render_account(request, actor_for_request(request))


@login_required
@require_POST
def details(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    form = DetailsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            changed = account_services.change_details(
                actor=actor,
                person=actor.require_person(),
                given_name=data["given_name"],
                family_name=data["family_name"],
                postcode=data["postal_code"],
                phone=data["phone"],
            )
        except ValidationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                "Your details are saved." if changed else "Nothing to change: your details are as they were.",
            )
            return redirect("my_account:account")
    return _render_account(request, actor, details_form=form, status=400)


@login_required
@require_POST
def sharing(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    form = SharingForm(request.POST)
    form.is_valid()  # two checkboxes: nothing can be wrong with them
    user = request.user
    assert isinstance(user, User)
    account_services.share_with_hosts(
        actor=actor, user=user, email=form.cleaned_data["share_email"], phone=form.cleaned_data["share_phone"]
    )
    messages.success(request, "Saved. Your next RSVPs will share what you chose.")
    return redirect("my_account:account")


@login_required
@require_POST
def email_preferences(request: HttpRequest) -> HttpResponse:
    """Subscribe or unsubscribe one of the member's own addresses."""
    actor = actor_for_request(request)
    person = actor.require_person()
    address_id = request.POST.get("address", "")
    email = person.email_addresses.filter(pk=int(address_id)).first() if address_id.isdigit() else None
    if email is None:
        messages.error(request, "We couldn't find that address on your account.")
        return redirect("my_account:account")
    subscribed = request.POST.get("subscribed") == "1"
    change_subscription(
        email=email,
        subscribed=subscribed,
        actor=actor,
        channel=Channel.DIRECT,
        wording=SUBSCRIBE_WORDING if subscribed else UNSUBSCRIBE_WORDING,
    )
    if subscribed:
        messages.success(
            request, f"You're subscribed again: we'll email {email.address} about actions and events."
        )
    else:
        messages.success(
            request,
            f"You're unsubscribed: {email.address} gets no more updates. We'll still email you about "
            "events you RSVP to and sign-in codes.",
        )
    return redirect("my_account:account")


@login_required
@require_POST
def request_data(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    export, new = account_services.request_data_export(actor=actor, person=actor.require_person())
    if new:
        transaction.on_commit(lambda: build_data_export.delay(export.pk))
    return redirect(f"{reverse('my_account:account')}#your-data")


@never_cache
@login_required
def download(request: HttpRequest, export_uuid: str) -> HttpResponse | FileResponse:
    """The archive, to the person it is about only (anyone else: the same "not found")."""
    actor = actor_for_request(request)
    try:
        export = account_selectors.access_data_export(actor, export_uuid)
    except NotFound as error:
        return render(request, "accounts/export_missing.html", {"error": error.message}, status=404)
    try:
        handle = default_storage.open(export.file_name, "rb")
    except OSError:
        return render(
            request,
            "accounts/export_missing.html",
            {"error": "That download is no longer there."},
            status=404,
        )
    stamp = timezone.localdate(export.ready_at) if export.ready_at else timezone.localdate()
    return FileResponse(handle, as_attachment=True, filename=f"groundswell-data-{stamp:%Y-%m-%d}.zip")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest) -> HttpResponse:
    """Leaving: a confirmation step saying what goes and what stays, then the forgetting."""
    actor = actor_for_request(request)
    person = actor.require_person()
    if request.method == "POST":
        account_services.forget_person(actor=actor, person=person)
        logout(request)
        forget_request_actor(request)
        return redirect("my_account:deleted")
    now = timezone.now()
    hosting = (
        Event.objects.filter(host=person, last_ends_at__gt=now)
        .exclude(status=Event.Status.CANCELLED)
        .order_by("starts_at")
    )
    context = {
        "person": person,
        "hosting": list(hosting[:10]),
        "hosting_count": hosting.count(),
        "recruits": Person.objects.filter(recruited_by=person).count(),
    }
    return render(request, "accounts/delete.html", context)


def deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/deleted.html")
