from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from groundswell.core.errors import NotFound
from groundswell.messaging import services


# One-click unsubscribe (RFC 8058): mail clients POST here without a CSRF token;
# the signed token is the credential. GET only shows a button, because link
# scanners follow every link in an email.
@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            email = services.unsubscribe(token=token)
            return render(request, "messaging/unsubscribed.html", {"email": email})
        email = services.email_for_token(token)
    except NotFound as error:
        return render(request, "messaging/unsubscribe_invalid.html", {"error": error.message}, status=404)
    return render(request, "messaging/unsubscribe.html", {"email": email, "token": token})


# The same for someone we do not know who got a member's email through us (a leader's
# invitation): GET shows the button, POST (or a mail client's one-click) records the wish.
@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def decline(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            address = services.decline(token=token)
            return render(request, "messaging/declined.html", {"address": address})
        address = services.address_for_decline_token(token)
    except NotFound as error:
        return render(request, "messaging/unsubscribe_invalid.html", {"error": error.message}, status=404)
    return render(request, "messaging/decline.html", {"address": address})
