"""Sign-in accounts. Each is linked to exactly one Person; the Person holds the
data, the account holds the role and the session."""

from datetime import datetime
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone

from groundswell.core.models import PublicId
from groundswell.people.models import Person


class Role(models.TextChoices):
    """Global roles, from least to most trusted. Per-object rights (hosting this
    event, leading that group) come from the objects themselves."""

    MEMBER = "member", "Member"
    HOST = "host", "Host"
    GROUP_LEADER = "group_leader", "Group leader"
    ORGANIZER = "organizer", "Organizer"
    ADMIN = "admin", "Admin"


ROLE_ORDER = [Role.MEMBER, Role.HOST, Role.GROUP_LEADER, Role.ORGANIZER, Role.ADMIN]
STAFF_ROLES = {Role.ORGANIZER, Role.ADMIN}


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        from groundswell.accounts.services import create_account_for_email

        return create_account_for_email(email=email, password=password, role=extra.pop("role", Role.MEMBER))

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        from groundswell.accounts.services import create_account_for_email

        return create_account_for_email(email=email, password=password, role=Role.ADMIN)


class User(AbstractUser):
    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)
    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="account")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    # What an RSVP shares with the event's hosts besides the name, unless the member changes
    # it on the RSVP form: the defaults a member sets on My account.
    share_email_with_hosts = models.BooleanField(default=True)
    share_phone_with_hosts = models.BooleanField(default=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    # A forgotten person's account goes (and with it allauth's copies of the address).
    ON_FORGET: ClassVar[dict[str, object]] = {"person": "delete"}

    def __str__(self) -> str:
        return self.email

    def apply_role(self, role: Role) -> list[str]:
        """Set the role and what it implies (staff roles open the admin, admin is a
        superuser); returns the fields to save."""
        self.role = role
        self.is_staff = role in STAFF_ROLES
        self.is_superuser = role == Role.ADMIN
        return ["role", "is_staff", "is_superuser"]

    def absorb_duplicate(self, other: "User") -> None:
        """Two people who both had accounts were merged: keep the more trusted role."""
        if ROLE_ORDER.index(Role(other.role)) > ROLE_ORDER.index(Role(self.role)):
            self.save(update_fields=self.apply_role(Role(other.role)))

    def has_role(self, role: Role) -> bool:
        """At least this trusted."""
        return ROLE_ORDER.index(Role(self.role)) >= ROLE_ORDER.index(role)

    @property
    def is_organizer(self) -> bool:
        return self.is_active and self.has_role(Role.ORGANIZER)


class DataExport(PublicId):
    """A copy of everything held about a person, asked for by them and built by a worker.

    The archive lives in the default storage under a random name that is never a URL: it is
    only ever handed out by the download page, to the person it is about, until it expires."""

    class Status(models.TextChoices):
        PREPARING = "preparing", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="data_exports")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREPARING)
    # The storage name of the archive (empty until it is ready, and again once removed).
    file_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    requested_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    # A forgotten person's archives go (`forget_person` removes the files first).
    ON_FORGET: ClassVar[dict[str, object]] = {"person": "delete"}

    class Meta:
        indexes = [models.Index(fields=["person", "-requested_at"], name="export_person_recent")]

    def __str__(self) -> str:
        return f"Data export {self.uuid} ({self.status})"

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())
