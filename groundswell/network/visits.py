"""Counting visits through share links, for every page a share link can open (the join page,
an event's page), so that a member's "opened" counts every arrival their "joined" counts.

A browser is counted once per link and channel, remembered in a signed cookie kept in that
browser alone; nothing about the visitor is stored. Link-preview bots are not counted when
they only look; but a person who arrives through the link (joins, or RSVPs as a guest) has
opened it whatever their browser says, so the arrival counts the visit if the page view
did not (a form sent without the page, a browser that keeps no cookies, a bot-like agent).
"""

from django.http import HttpRequest, HttpResponse

from groundswell.core.channels import Channel
from groundswell.network import services

CLICKED_COOKIE = "gs_seen"
CLICKED_MAX = 30


def count_share_visit(
    request: HttpRequest, response: HttpResponse, ref: str | None, via: str | None, *, arrived: bool = False
) -> None:
    """Count this browser's first visit through the share link `ref` (on channel `via`).
    `arrived`: the visitor just joined or RSVP'd through it, so they are a person."""
    share = services.resolve_share_code(ref)
    if share is None:
        return
    seen = [
        s
        for s in (request.get_signed_cookie(CLICKED_COOKIE, default="", salt="share-clicks") or "").split(",")
        if s
    ]
    # Built from our own values only: a header cannot carry whatever text the link had.
    key = f"{share.code}:{Channel.from_slug(via, default=Channel.LINK).slug}"
    if key in seen:
        return
    counted = services.count_click(
        code=share.code, via=via, user_agent=request.headers.get("User-Agent", ""), person=arrived
    )
    if counted:
        seen = [*seen[-(CLICKED_MAX - 1) :], key]
        response.set_signed_cookie(
            CLICKED_COOKIE,
            ",".join(seen),
            salt="share-clicks",
            max_age=30 * 86400,
            httponly=True,
            samesite="Lax",
        )
