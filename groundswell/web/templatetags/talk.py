"""Conversations drawn on other apps' pages: `{% threads_for obj %}` on a group's, an event's,
a campaign's or a petition's page (web sits above every app, so the pages below need not
know conversations)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def threads_for(context: template.Context, obj: object) -> str:
    """Lane stub: the conversations lane draws the threads here."""
    return ""
