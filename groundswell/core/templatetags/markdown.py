"""`{{ text|markdown }}`: a member's Markdown rendered and sanitized on the read
(`core.markdown.cook`, cached per process)."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from groundswell.core.markdown import cook

register = template.Library()


@register.filter(name="markdown")
def render_markdown(text: str | None) -> SafeString:
    return mark_safe(cook(text or ""))  # noqa: S308 -- sanitized by nh3 in cook
