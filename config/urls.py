from allauth.account import urls as allauth_account_urls
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, URLResolver, include, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

# Sign-in is by an emailed code only: no password is ever set, so allauth's pages for
# passwords (sign in, reset, change, set, reauthenticate), for signing up (people join through
# the join page, which records who brought them) and for managing addresses (the person's
# addresses in `people` are the truth) must not be there. Of allauth's own URLs only these
# answer; every other keeps its name (allauth's code and emails reverse them) and sends the
# visitor to the code sign-in, so an old bookmark or a future allauth page lands somewhere
# sensible instead of on a password form.
ALLAUTH_PAGES_KEPT = {
    "account_request_login_code",
    "account_confirm_login_code",
    "account_logout",
    "account_inactive",
}


def _next_url(request: HttpRequest) -> str | None:
    wanted = request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if wanted and safe else None


def sign_in_by_code(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    """Where allauth's password and address pages were: the code sign-in, keeping ?next=."""
    target = reverse("account_request_login_code")
    wanted = _next_url(request)
    return redirect(f"{target}?{urlencode({'next': wanted})}" if wanted else target)


def join_instead(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    """allauth's signup (its "unknown account" email links here): joining is how to sign up."""
    return redirect("network:join")


def admin_sign_in(request: HttpRequest) -> HttpResponse:
    """The admin's own password form, replaced: staff sign in by code like everyone, then
    come back to the admin page they asked for."""
    user = request.user
    if user.is_authenticated and user.is_active and user.is_staff:
        return redirect(_next_url(request) or reverse("admin:index"))
    if user.is_authenticated:
        # Signed in, not staff: sending them to sign in would bounce straight back here.
        raise PermissionDenied("That page is for staff.")
    return sign_in_by_code(request)


def no_password_page(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404("There are no passwords here: everyone signs in with an emailed code.")


def _code_only(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    kept: list[URLPattern | URLResolver] = []
    for pattern in patterns:
        if isinstance(pattern, URLPattern) and pattern.name in ALLAUTH_PAGES_KEPT:
            kept.append(pattern)
        elif isinstance(pattern, URLPattern):
            view = join_instead if pattern.name == "account_signup" else sign_in_by_code
            kept.append(URLPattern(pattern.pattern, view, name=pattern.name))
        # allauth.account's URLs are a flat list; a nested include would be a new feature
        # of allauth's to look at before letting it in, so it is left out.
    return kept


urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("groundswell.web.urls")),
    path("", include("groundswell.network.urls")),
    path("", include("groundswell.events.urls")),
    path("", include("groundswell.messaging.urls")),
    path("", include("groundswell.web.my_account.urls")),
    path("act/", include("groundswell.advocacy.urls")),
    path("groups/", include("groundswell.groups.urls")),
    path("", include("groundswell.conversations.urls")),
    path("accounts/", include(_code_only(allauth_account_urls.urlpatterns))),
    # Before the admin's own: its sign-in and its password pages (staff have no password;
    # the user admin's "set password" form would give one).
    path("admin/login/", admin_sign_in),
    path("admin/password_change/", no_password_page),
    path("admin/password_change/done/", no_password_page),
    path("admin/accounts/user/<path:object_id>/password/", no_password_page),
    path("admin/", admin.site.urls),
]

if settings.BENCH_VIEWS:
    from bench.baseline import urlpatterns as bench_urlpatterns

    urlpatterns += bench_urlpatterns
