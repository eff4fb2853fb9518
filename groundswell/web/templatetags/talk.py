"""Conversations drawn on other apps' pages: `{% threads_for obj %}` on a group's, an event's,
a campaign's or a petition's page (web sits above every app, so the pages below need not
know conversations).

It lists the latest threads the reader may see (title, who started it, replies, the last
post) and, for whoever may write there, a "start a conversation" form; to others it says why
not (sign in, join the group, RSVP). A reader who may not read the thing's threads (a
private group's outsider) gets nothing at all.
"""

from django import template
from django.contrib.auth.views import redirect_to_login
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.safestring import SafeString, mark_safe

from groundswell.accounts.actors import actor_for_request
from groundswell.advocacy.models import AdvocacyCampaign, Petition
from groundswell.conversations.forms import StartThreadForm
from groundswell.conversations.selectors import access, threads
from groundswell.events.models import Event
from groundswell.groups.models import Group

register = template.Library()

_KINDS = {Group: "group", Event: "event", AdvocacyCampaign: "campaign", Petition: "petition"}


@register.simple_tag(takes_context=True)
def threads_for(context: template.Context, obj: object) -> SafeString:
    request = context.get("request")
    kind = next((name for model, name in _KINDS.items() if isinstance(obj, model)), None)
    if request is None or kind is None:
        return mark_safe("")
    actor = actor_for_request(request).carrying(invitation=request.GET.get("invite"))
    if not access.can_read_on(actor, obj):  # type: ignore[arg-type]
        return mark_safe("")
    why_not = access.why_not_write_on(actor, obj)  # type: ignore[arg-type]
    key = obj.slug if kind in ("group", "campaign", "petition") else obj.uuid  # type: ignore[attr-defined]
    sign_in_url = ""
    if actor.person is None:
        sign_in_url = redirect_to_login(request.get_full_path())["Location"]
    html = render_to_string(
        "conversations/_threads_for.html",
        {
            "threads": threads.latest_threads(actor, obj),  # type: ignore[arg-type]
            "form": StartThreadForm() if why_not is None else None,
            "why_not": why_not,
            "sign_in_url": sign_in_url,
            "kind": kind,
            "key": key,
            "css": static("conversations/conversations.css"),
        },
        request=request,
    )
    return mark_safe(html)  # noqa: S308 (a template's output, escaped as it rendered)
