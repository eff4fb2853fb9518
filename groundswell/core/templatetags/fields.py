"""A form field's input tied to its help and its error, for screen readers."""

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def described_input(field: BoundField) -> SafeString:
    """The field's input, with `aria-describedby` naming the help text and the error shown
    beside it (ids `<id>_helptext` and `<id>_error`, as web/_field.html renders them): Django
    names only the help, and would name it even where a page shows none."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    attrs: dict[str, str | bool] = {"aria-describedby": " ".join(ids)} if ids else {}
    return field.as_widget(attrs=attrs)
