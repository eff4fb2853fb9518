"""The activity log of a synthetic movement, column by column, before it has database ids.

Everyone and everything is named by index: people by their place in the forest,
events by their place in the event plan. `generator` maps indexes to ids when it
writes the log, in one pass, in the order things happened.
"""

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

from groundswell.activity.models import Initiator, Verb


class ObjectKind(IntEnum):
    """What an act's object index points into."""

    PERSON = 0  # the forest
    EVENT = 1  # the event plan


@dataclass
class Acts:
    """Columns of activity rows, by index (not yet database ids)."""

    person: list[np.ndarray] = field(default_factory=list)
    verb: list[np.ndarray] = field(default_factory=list)
    obj: list[np.ndarray] = field(default_factory=list)  # index of the object, or -1 for none
    obj_kind: list[np.ndarray] = field(default_factory=list)  # ObjectKind per row
    seconds_ago: list[np.ndarray] = field(default_factory=list)
    channel: list[np.ndarray] = field(default_factory=list)
    initiator: list[np.ndarray] = field(default_factory=list)

    def add(
        self,
        person: np.ndarray,
        verb: Verb,
        seconds_ago: np.ndarray,
        channel: np.ndarray,
        obj: np.ndarray | None = None,
        *,
        obj_kind: ObjectKind = ObjectKind.PERSON,
        initiator: Initiator | np.ndarray = Initiator.MEMBER,
    ) -> None:
        count = len(person)
        self.person.append(np.asarray(person, dtype=np.int64))
        self.verb.append(np.full(count, int(verb), dtype=np.int64))
        self.obj.append(
            np.asarray(obj, dtype=np.int64) if obj is not None else np.full(count, -1, dtype=np.int64)
        )
        self.obj_kind.append(np.full(count, int(obj_kind), dtype=np.int64))
        self.seconds_ago.append(np.asarray(seconds_ago, dtype=np.float64))
        self.channel.append(np.asarray(channel, dtype=np.int64))
        if isinstance(initiator, np.ndarray):
            self.initiator.append(initiator.astype(np.int64))
        else:
            self.initiator.append(np.full(count, int(initiator), dtype=np.int64))
