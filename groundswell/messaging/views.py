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
