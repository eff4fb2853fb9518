"""Reads of people."""

from django.db.models import Prefetch, QuerySet

from groundswell.people.models import EmailAddress, Person


def people_with_primary_email(ids: list[int]) -> QuerySet[Person]:
    """People with their email addresses prefetched, primary first (one extra query)."""
    return Person.objects.filter(pk__in=ids).prefetch_related(
        Prefetch("email_addresses", queryset=EmailAddress.objects.order_by("-primary", "id"))
    )
