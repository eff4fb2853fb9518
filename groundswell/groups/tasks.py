"""Groups' scheduled work: telling core members and organizers of groups left without a
leader (daily, from `celery beat`; safe to run twice: each group is told once)."""

from celery import shared_task

from groundswell.groups.services.leading import tell_of_leaderless_groups as tell


@shared_task
def tell_of_leaderless_groups() -> int:
    return tell()
