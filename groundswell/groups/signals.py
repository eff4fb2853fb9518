"""What the groups app tells the apps above it (which it may not import).

`member_removed`: a leader or organizer removed someone from a group, saying why. The
conversations app writes it into the group's moderation log (`ModerationAction.REMOVE`),
so removals are audited with every other act of moderation. Sent inside the removal's
transaction: the log entry and the removal are stored together or not at all.
Arguments: `group`, `moderator` (Person), `person_id`, `reason`.
"""

from django.dispatch import Signal

member_removed = Signal()
