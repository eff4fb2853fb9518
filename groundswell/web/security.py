"""Headers every response gets: a Content-Security-Policy, and no caching of personal pages.

The policy allows only our own scripts, styles, fonts and frames, images from us, from
``data:`` URLs (Leaflet's icons) and from the map tile server (``MAP_TILES_URL``), and forms
that post back to us. No inline script, inline style, ``style=""`` attribute or ``on…=``
handler runs under it: templates keep behaviour in static files (web/static/web/*.js) and
looks in site.css. A ``<script type="application/json">`` data block (``json_script``) is
never executed, so the policy leaves it alone.

Personal pages must not be kept by a shared cache or the browser's back-forward cache on a
shared computer. Any response to a signed-in visitor is ``Cache-Control: private, no-store``,
and so is any response a view has marked private: pages reached with a signed token instead of
a session (a member's calendar feed, a cancel link, an unsubscribe page) mark themselves with
Django's ``@never_cache`` (or ``@cache_control(private=True)``), which every app can use
without importing this one; the middleware then makes sure the answer says ``no-store``.
"""

import logging
import re
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

logger = logging.getLogger(__name__)

_PLACEHOLDER = re.compile(r"\{[^}]*\}")


def tile_source(tiles_url: str) -> str | None:
    """The CSP source for a Leaflet tile URL template: its scheme and host, a ``{s}`` subdomain
    as ``*``. None when the tiles come from us (a relative URL) or no map is drawn."""
    if not tiles_url:
        return None
    parts = urlsplit(tiles_url)
    if not parts.netloc:
        return None  # same origin: 'self' covers it
    labels = parts.netloc.split(".")
    if _PLACEHOLDER.search(labels[0]):
        labels[0] = "*"  # a CSP wildcard stands only for the leftmost label
    host = ".".join(labels)
    if _PLACEHOLDER.search(host):
        logger.warning("MAP_TILES_URL %s has a placeholder CSP cannot express; maps will be blank", tiles_url)
        return None
    return f"{parts.scheme}://{host}" if parts.scheme else host


def content_security_policy(tiles_url: str, photo_hosts: list[str] | tuple[str, ...] = ()) -> str:
    images = ["'self'", "data:"]
    tiles = tile_source(tiles_url)
    if tiles:
        images.append(tiles)
    # Targets' photos (advocacy), from the hosts an organizer lists: only scheme and host.
    for host in photo_hosts:
        parts = urlsplit(host)
        if parts.scheme in ("http", "https") and parts.netloc and not any(c in host for c in " ;'\""):
            images.append(f"{parts.scheme}://{parts.netloc}")
    directives = {
        "default-src": "'self'",
        "img-src": " ".join(images),
        "style-src": "'self'",
        "script-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        # Nobody frames our pages (a sign-in page in a frame is a clickjacking trap).
        "frame-ancestors": "'none'",
        # Share buttons are links to the networks, not forms: every form posts to us.
        "form-action": "'self'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def is_personal(request: HttpRequest, response: HttpResponse) -> bool:
    user = getattr(request, "user", None)  # absent when a middleware answered before auth ran
    try:
        if user is not None and user.is_authenticated:
            return True
    except DatabaseError:
        # Who it is could not be loaded (the database went away): the safe answer is "keep it".
        return True
    cache_control = response.headers.get("Cache-Control", "")
    return "private" in cache_control or "no-store" in cache_control


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = content_security_policy(settings.MAP_TILES_URL, settings.PHOTO_HOSTS)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        if is_personal(request, response):
            patch_cache_control(response, private=True, no_store=True)
        return response
