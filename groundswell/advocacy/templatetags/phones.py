"""`{{ number|tel }}`: a phone number as a tel: link, the one way pages build them."""

from django import template

from groundswell.advocacy.merge_fields import tel_url

register = template.Library()


@register.filter(name="tel")
def tel(number: str | None) -> str:
    return tel_url(number or "")
