from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from groundswell.accounts.actors import actor_for_request


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html")


@login_required
def style(request: HttpRequest) -> HttpResponse:
    """The living style page: every page component, as the pages use them. For staff, who
    build pages and write the words on them."""
    if not actor_for_request(request).is_staff:
        raise PermissionDenied("The style page is for organizers.")
    return render(request, "web/style.html")
