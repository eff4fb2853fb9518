from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from groundswell.demo.generator import demo_sign_ins, make_movement, people_exist


class Command(BaseCommand):
    help = (
        "Fill the database with a synthetic movement: people, recruitment forest, events, RSVPs and activity."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=2000, help="How many people (default 2000).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: same seed, same movement.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when anyone is already in the database (for `make run`).",
        )

    def handle(self, *args: Any, people: int, seed: int, if_empty: bool, **options: Any) -> None:
        if people < 1:
            raise CommandError("--people must be at least 1.")
        if if_empty and people_exist():
            self.stdout.write("The database already has people in it; no demo data added.")
            self._sign_ins(*demo_sign_ins())
            return
        result = make_movement(people=people, seed=seed)
        self.stdout.write(
            f"Made {result.people} people ({result.roots} roots, "
            f"{result.recruited_nobody:.1%} recruited nobody) in {result.seconds:.1f} s"
        )
        self.stdout.write("Rows: " + ", ".join(f"{n} {table}" for table, n in result.rows.items()))
        self.stdout.write("Acts: " + ", ".join(f"{n} {verb}" for verb, n in result.acts.items()))
        events = result.events
        self.stdout.write(
            f"Events: {events.events} ({events.member_hosted} hosted by members, {events.staff_hosted} "
            f"by staff; {events.monthly_meetings} monthly meetings), {events.campaigns} campaigns, "
            f"{events.attendances} RSVPs ({events.accepted} accepted, {events.waitlisted} waitlisted); "
            f"{events.attended_share:.1%} of accepted RSVPs to past events showed up "
            f"({events.attended} attended, {events.no_shows} no-shows)."
        )
        groups = result.groups
        if groups.groups:
            self.stdout.write(
                f"Groups: {groups.groups} local groups in {groups.regions} regions ({groups.thriving} "
                f"thriving, {groups.faded} faded after their leader left), {groups.memberships} "
                f"memberships, {groups.events_added} group meetings and {groups.events_linked} members' "
                f"events of their groups; {groups.threads} threads, {groups.posts} posts, "
                f"{groups.links} links."
            )
        if result.admin_email and result.member_email:
            self._sign_ins(
                f"{result.admin_email} (admin)",
                f"{result.member_email} (a member who brought in {result.member_reach} people; see /hub/)",
            )

    def _sign_ins(self, *accounts: str) -> None:
        """How to sign in to the demo: printed every time `make run` starts, not only the first."""
        if not accounts:
            return
        self.stdout.write("Sign in as " + " or as ".join(accounts) + ".")
        if settings.EMAIL_BACKEND.endswith("console.EmailBackend"):
            self.stdout.write(
                "Sign-in codes are printed in the console of the running server (the default email backend)."
            )
        else:
            self.stdout.write(f"Sign-in codes are sent by email ({settings.EMAIL_BACKEND}).")
