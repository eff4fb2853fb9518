from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from groundswell.activity.partitions import ensure_monthly_partitions, is_partitioned


class Command(BaseCommand):
    help = "Make the activity log's monthly partitions (PostgreSQL); run monthly, e.g. from cron."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--months", type=int, default=3, help="How many months ahead, from this one.")
        parser.add_argument(
            "--from", dest="start", default=None, help="First month, YYYY-MM (default: this month)."
        )

    def handle(self, *args: Any, months: int, start: str | None, **options: Any) -> None:
        if not is_partitioned(connection):
            self.stdout.write("The activity log is not partitioned here (partitions need PostgreSQL).")
            return
        first = timezone.localdate()
        if start:
            year, month = (int(part) for part in start.split("-"))
            first = date(year, month, 1)
        with transaction.atomic():
            made = ensure_monthly_partitions(connection, start=first, months=months)
        self.stdout.write(f"Made {len(made)} partition(s): {', '.join(made) or 'none needed'}.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM activity_activity_default")
            stray = cursor.fetchone()[0]
        if stray:
            # Moving a month out of the default partition locks the log while it runs.
            self.stderr.write(
                f"{stray} act(s) sit in the default partition (months without their own). "
                "Run this command with --from for those months at a quiet time, and schedule "
                "it monthly so that it does not happen again."
            )
