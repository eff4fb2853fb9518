"""Pages: "who represents me" (/act/representatives/) and picking one's district.

A visitor types a postcode (and, where a geocoder is set, a street address); a signed-in
member sees their own representatives from the address on file at once. Where the postcode
spans districts, the page lists the candidates and asks for the street address or a pick;
a member's pick is remembered (`services.districts.choose_district`), a visitor's rides in
the page's address (`?district=`) and is forgotten with it. With no boundaries imported, an
organizer is told what to import and how; a visitor is told plainly.

The lookup is a read, so a postcode search is a GET (a link to it can be shared). A street
address is POSTed instead, so it stays out of server logs and browser history.
"""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from groundswell.accounts.actors import Actor, actor_for_request
from groundswell.advocacy import districts, geocoding
from groundswell.advocacy.models import Level
from groundswell.advocacy.selectors import representatives as lookup
from groundswell.advocacy.services.districts import choose_district, forget_district_choice
from groundswell.core import ratelimit
from groundswell.core.errors import GroundswellError, RateLimited, ValidationError

# An address lookup calls someone else's service: a person needs a few; a script gets few.
GEOCODE_LIMITS = "30/h/ip,200/d/ip,20/h/person"
PICKS_MAX = 20  # districts picked at once (a kind per level needs a handful)

# What an organizer runs when no boundary is loaded: the Census's cartographic boundary files
# (congressional districts for the whole country; state legislative districts, one file per
# state by its FIPS code, 06 for California) and the legislators who serve them.
CENSUS_FILES = "https://www2.census.gov/geo/tiger/GENZ2024/shp/"
LEGISLATORS_FILE = "https://unitedstates.github.io/congress-legislators/legislators-current.yaml"
IMPORT_COMMANDS = [
    "groundswell import districts cb_2024_us_cd119_500k.zip",
    "groundswell import districts cb_2024_06_sldu_500k.zip",
    "groundswell import districts cb_2024_06_sldl_500k.zip",
    "groundswell import targets legislators-current.yaml",
]


class LookupForm(forms.Form):
    address = forms.CharField(
        label="Street address",
        max_length=geocoding.ADDRESS_MAX,
        required=False,
        help_text="Number, street and town: this finds your exact districts.",
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    postcode = forms.CharField(
        label="ZIP code",
        max_length=20,
        required=False,
        help_text="Where a ZIP code is split between districts, we'll ask which one is yours.",
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args: object, geocoder: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.geocoder = geocoder
        if not geocoder:
            del self.fields["address"]
        else:
            self.fields["postcode"].help_text = "Or only your ZIP code: if it's split, we'll ask."

    def clean(self) -> dict:
        data = super().clean() or {}
        if not (data.get("address") or "").strip() and not (data.get("postcode") or "").strip():
            field = "address" if self.geocoder else "postcode"
            self.add_error(
                field,
                "Please enter your street address or your ZIP code."
                if self.geocoder
                else "Please enter your ZIP code.",
            )
        return data


def _picked(query: QueryDict) -> list[int]:
    """District ids picked on this visit (`?district=`), the malformed ones dropped."""
    picked = []
    for value in query.getlist("district")[:PICKS_MAX]:
        if value.isdigit() and len(value) < 12:
            picked.append(int(value))
    return picked


@require_http_methods(["GET", "HEAD", "POST"])
def representatives(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    geocoder = geocoding.enabled()
    data = request.POST if request.method == "POST" else request.GET
    picked = _picked(request.GET)
    asked = any(data.get(name) for name in ("postcode", "address"))
    form = LookupForm(data if asked or request.method == "POST" else None, geocoder=geocoder)
    found: lookup.Representatives | None = None
    if form.is_bound:
        if form.is_valid():
            found = _look_up(request, actor, form, picked)
    elif actor.person is not None:
        found = lookup.representatives_for_person(actor.person, picked=picked)
        if found is not None:
            form = LookupForm(initial={"postcode": found.postcode}, geocoder=geocoder)
    every = request.GET.get("every") == "1"
    loaded = districts.has_districts()
    context = {
        "form": form,
        "found": found,
        "geocoder": geocoder,
        "districts_loaded": loaded,
        "is_staff": actor.is_staff,
        "is_member": actor.person is not None,
        "pick_groups": lookup.districts_to_pick(found, every=every) if found is not None else [],
        "every": every,
        "every_query": _query(found, every=True) if found is not None else "",
        "pick_list_max": lookup.PICK_LIST_MAX,
        "import_commands": IMPORT_COMMANDS,
        "census_files": CENSUS_FILES,
        "legislators_file": LEGISLATORS_FILE,
        "levels": Level,
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "advocacy/representatives.html", context, status=status)


def _look_up(
    request: HttpRequest, actor: Actor, form: LookupForm, picked: list[int]
) -> lookup.Representatives | None:
    address = (form.cleaned_data.get("address") or "").strip()
    postcode = (form.cleaned_data.get("postcode") or "").strip()
    try:
        if address:
            if not actor.is_staff:
                ip = ratelimit.client_ip(request)
                ratelimit.check("geocode", ip=ip, person_id=actor.person_id, limits=_geocode_limits())
            located = geocoding.geocode(address)
            return lookup.representatives_at(
                longitude=located.longitude,
                latitude=located.latitude,
                region=located.region,
                country=located.country or "US",
                person=actor.person,
                picked=picked,
            )
        return lookup.representatives_for_postcode(postcode, person=actor.person, picked=picked)
    except RateLimited as error:
        form.add_error("address", error.message)
    except ValidationError as error:
        field = "postcode" if error.field == "postal_code" else error.field
        form.add_error(field if field in form.fields else None, error.message)
    return None


def _geocode_limits() -> str:
    from django.conf import settings

    return getattr(settings, "GROUNDSWELL_RATE_LIMITS", {}).get("geocode", GEOCODE_LIMITS)


def _query(found: lookup.Representatives | None, *, every: bool = False) -> str:
    """The page's address for this place (a postcode search), with picks or the full list."""
    params: list[tuple[str, str]] = []
    if found is not None and found.postcode and not found.from_address:
        params.append(("postcode", found.postcode))
    if every:
        params.append(("every", "1"))
    return urlencode(params)


@require_POST
def pick(request: HttpRequest) -> HttpResponse:
    """Which district is mine: remembered for a member, carried in the address for a visitor."""
    actor = actor_for_request(request)
    postcode = request.POST.get("postcode", "")[:20]
    base = reverse("advocacy:representatives")
    keep = {"postcode": postcode} if postcode and not request.POST.get("from_address") else {}
    if actor.person is not None and not actor.is_staff:
        # Each pick a member makes is remembered and logged: a script flipping it is stopped.
        try:
            ratelimit.check("pick_district", ip=ratelimit.client_ip(request), person_id=actor.person_id)
        except RateLimited as error:
            messages.error(request, error.message)
            return _see_other(f"{base}?{urlencode(keep)}" if keep else base)
    if request.POST.get("forget"):
        level = request.POST.get("forget", "")
        if actor.person is not None and level.isdigit() and int(level) in Level.values:
            # Only the kind of district this line is about (a state senate pick, not the
            # assembly pick beside it at the same level).
            kind = request.POST.get("forget_kind", "")[:20] or None
            forget_district_choice(actor=actor, level=int(level), kind=kind)
            messages.success(request, "We've forgotten your pick: the map decides again.")
        return _see_other(f"{base}?{urlencode(keep)}" if keep else base)
    values = [request.POST.get(key, "") for key in request.POST if key.startswith("pick-")]
    chosen = [int(value) for value in values if value.isdigit() and len(value) < 12][:PICKS_MAX]
    if not chosen:
        messages.error(request, "Please choose your district first.")
        return _see_other(f"{base}?{urlencode(keep)}" if keep else base)
    if actor.person is None:
        query = urlencode([*keep.items(), *(("district", str(pk)) for pk in chosen)])
        return _see_other(f"{base}?{query}")
    try:
        for pk in chosen:
            choose_district(actor=actor, district=pk)
    except GroundswellError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Thanks: we'll remember your district.")
    return _see_other(f"{base}?{urlencode(keep)}" if keep else base)


def _see_other(url: str) -> HttpResponse:
    """After a POST, the page again by GET (303: a reload does not post twice)."""
    response = redirect(url)
    response.status_code = 303
    return response


urlpatterns = [
    path("representatives/", representatives, name="representatives"),
    path("representatives/pick/", pick, name="pick_district"),
]
