"""Who is acting: built once per request, task, command or API call, and handed to every
selector (`access_*`) and every service that changes something.

Permission is decided from the Actor alone, in one place per rule, so a page, a task, an
import and (later) the API share each rule instead of passing booleans along. Model:
Zulip's `access_message` and its `do_*`/`check_*` actions.
"""

from dataclasses import dataclass, field, replace

from django.http import HttpRequest

from groundswell.accounts.models import STAFF_ROLES, Role, User
from groundswell.activity.models import Initiator
from groundswell.core.errors import PermissionDenied
from groundswell.people.models import Person


@dataclass(frozen=True)
class Actor:
    """The person acting (None for an anonymous visitor or the system itself), their role,
    and what they carry: a signed invitation to a private event, an API key's scopes."""

    person: Person | None = None
    role: Role | None = None
    # The system itself (a scheduled task, a migration): no person, trusted like staff for
    # reads it needs, but its acts are logged as the system's.
    system: bool = False
    invitation: str = ""
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def person_id(self) -> int | None:
        return self.person.pk if self.person is not None else None

    @property
    def is_anonymous(self) -> bool:
        return self.person is None and not self.system

    @property
    def is_staff(self) -> bool:
        """Organizers and admins: the organization's staff. The one spelling of "staff"."""
        return self.system or self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.system or self.role == Role.ADMIN

    @property
    def initiator(self) -> Initiator:
        """Who started what this actor does, for the analytics' member-initiated shares."""
        if self.system or self.person is None:
            return Initiator.SYSTEM
        return Initiator.STAFF if self.is_staff else Initiator.MEMBER

    def is_person(self, person: Person | int | None) -> bool:
        """Whether the actor is this person (acting on their own behalf)."""
        if person is None or self.person is None:
            return False
        return self.person.pk == (person if isinstance(person, int) else person.pk)

    def require_person(self) -> Person:
        """The person acting; a visitor who is not signed in is asked to sign in."""
        if self.person is None:
            raise PermissionDenied("Please sign in first.")
        return self.person

    def carrying(self, *, invitation: str | None) -> "Actor":
        """The same actor, carrying the invitation a link brought (or none)."""
        return replace(self, invitation=(invitation or "")[:300])


ANONYMOUS = Actor()
SYSTEM = Actor(system=True)


def actor_for_user(user: User | object | None) -> Actor:
    """The actor for a signed-in account (an inactive or anonymous one acts anonymously)."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    return Actor(person=user.person, role=Role(user.role))


def actor_for_person(person: Person) -> Actor:
    """The actor for a person outside a request (tasks, commands, tests), with their
    account's role (a person without an account is a member)."""
    user = User.objects.filter(person=person).only("role", "is_active").first()
    if user is not None and not user.is_active:
        return ANONYMOUS
    return Actor(person=person, role=Role(user.role) if user is not None else Role.MEMBER)


ACTOR_ATTRIBUTE = "_groundswell_actor"


def actor_for_request(request: HttpRequest) -> Actor:
    """The request's actor, built once and kept on the request."""
    actor = getattr(request, ACTOR_ATTRIBUTE, None)
    if actor is None:
        actor = actor_for_user(getattr(request, "user", None))
        setattr(request, ACTOR_ATTRIBUTE, actor)
    return actor


def forget_request_actor(request: HttpRequest) -> None:
    """After signing in or out within a request, the next `actor_for_request` rebuilds it."""
    if hasattr(request, ACTOR_ATTRIBUTE):
        delattr(request, ACTOR_ATTRIBUTE)
