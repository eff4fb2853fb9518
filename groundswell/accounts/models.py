"""Sign-in accounts. Each is linked to exactly one Person; the Person holds the
data, the account holds the role and the session."""

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models

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
