"""Reads of the activity log."""

from collections import defaultdict

from django.db.models import Count

from groundswell.activity.models import Activity, Verb


def verb_counts(person_ids: list[int]) -> dict[int, dict[Verb, int]]:
    """For each person, how many times they did each thing (one query)."""
    counts: dict[int, dict[Verb, int]] = defaultdict(dict)
    if not person_ids:
        return counts
    rows = (
        Activity.objects.filter(person_id__in=person_ids)
        .values_list("person_id", "verb")
        .annotate(n=Count("id"))
        .order_by()
    )
    for person_id, verb, n in rows:
        counts[person_id][Verb(verb)] = n
    return counts
