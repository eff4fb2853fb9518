"""Groups, memberships and threads for conversations' tests, made directly (the groups lane
builds its own services at the same time: these tests do not wait on them)."""

from itertools import count

from django.utils import timezone

from groundswell.accounts.actors import Actor, actor_for_person
from groundswell.accounts.models import User
from groundswell.conversations import services
from groundswell.conversations.models import Post, Thread
from groundswell.groups.models import Group, Membership

_numbers = count(1)


def actor_of(user: User | None) -> Actor:
    from groundswell.accounts.actors import ANONYMOUS

    return ANONYMOUS if user is None else actor_for_person(user.person)


def make_group(starter: User, *, private: bool = False, agreements: str = "", name: str = "") -> Group:
    n = next(_numbers)
    return Group.objects.create(
        name=name or f"Riverside {n}",
        slug=f"riverside-{n}",
        started_by=starter.person,
        visibility=Group.Visibility.PRIVATE if private else Group.Visibility.PUBLIC,
        agreements=agreements,
    )


def add_member(group: Group, user: User, role: str = Membership.Role.MEMBER) -> Membership:
    now = timezone.now()
    return Membership.objects.create(
        group=group,
        person=user.person,
        role=role,
        status=Membership.Status.ACTIVE,
        joined_at=now,
        role_since=now,
    )


def start(user: User, on: object, title: str = "Saturday's canvass", raw: str = "Who's coming?") -> Thread:
    return services.start_thread(actor=actor_of(user), on=on, title=title, raw=raw)  # type: ignore[arg-type]


def say(user: User, thread: Thread, raw: str = "Count me in") -> Post:
    return services.reply(actor=actor_of(user), thread=thread, raw=raw)


def first_post(thread: Thread) -> Post:
    return Post.objects.select_related("thread", "author").get(thread=thread, number=1)
