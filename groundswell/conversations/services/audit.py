"""The moderation log's one writer: every act of moderation (hiding, locking, blocking,
approving, dismissing, a moderator's deletion) is a `ModerationAction` — who, what, when, why,
in which group — read on the group's moderation log by its leaders and staff."""

from groundswell.accounts.actors import Actor
from groundswell.conversations.models import ModerationAction, Post, Thread
from groundswell.core.errors import ValidationError
from groundswell.core.text import clean_line
from groundswell.groups.models import Group
from groundswell.people.models import Person

REASON_MAX = 500


def moderator_reason(reason: str, *, missing: str | None) -> str:
    """A moderator's reason, on one line and within REASON_MAX; `missing`: what to say when
    there is none and one is needed (None: it may be empty)."""
    reason = clean_line(reason)
    if missing is not None and not reason:
        raise ValidationError(missing, field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationError(f"Please keep the reason under {REASON_MAX} characters.", field="reason")
    return reason


def log_action(
    actor: Actor,
    action: ModerationAction.Action,
    *,
    reason: str = "",
    group: Group | None = None,
    thread: Thread | None = None,
    post: Post | None = None,
    person: Person | int | None = None,
) -> ModerationAction:
    person_id = person.pk if isinstance(person, Person) else person
    return ModerationAction.objects.create(
        moderator=actor.require_person(),
        action=action,
        reason=reason[:REASON_MAX],
        group=group,
        thread=thread,
        post=post,
        person_id=person_id,
    )
