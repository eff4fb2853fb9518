"""The activity log of a synthetic movement, column by column, before it has database ids.

Everyone and everything is named by index: people by their place in the forest,
events by their place in the event plan. `generator` maps indexes to ids when it
writes the log, in one pass, in the order things happened.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

from groundswell.activity.models import Initiator, Verb
from groundswell.activity.services import Act


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
    actor: list[np.ndarray] = field(default_factory=list)  # who did it, by index, or -1: no one
    referrer: list[np.ndarray] = field(default_factory=list)  # whose link it came through, or -1

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
        actor: np.ndarray | None = None,
        referrer: np.ndarray | None = None,
    ) -> None:
        """Acts of these people; done by the people themselves (a member's own act) unless
        `actor` says who did them, and through nobody's link unless `referrer` says whose."""
        count = len(person)
        self.person.append(np.asarray(person, dtype=np.int64))
        self.verb.append(np.full(count, int(verb), dtype=np.int64))
        self.obj.append(
            np.asarray(obj, dtype=np.int64) if obj is not None else np.full(count, -1, dtype=np.int64)
        )
        self.obj_kind.append(np.full(count, int(obj_kind), dtype=np.int64))
        self.seconds_ago.append(np.asarray(seconds_ago, dtype=np.float64))
        self.channel.append(np.asarray(channel, dtype=np.int64))
        initiators = (
            initiator.astype(np.int64)
            if isinstance(initiator, np.ndarray)
            else np.full(count, int(initiator), dtype=np.int64)
        )
        self.initiator.append(initiators)
        if actor is None:
            actor = np.where(initiators == int(Initiator.MEMBER), self.person[-1], -1)
        self.actor.append(np.asarray(actor, dtype=np.int64))
        self.referrer.append(
            np.asarray(referrer, dtype=np.int64)
            if referrer is not None
            else np.full(count, -1, dtype=np.int64)
        )

    def add_arrivals(self, arrivals: Iterable[tuple[int, list[Act]]], joined_ago: np.ndarray) -> None:
        """Each newcomer's acts as `network.services.newcomer_acts` gives them (with forest
        indexes standing for person ids), at the time the newcomer joined: the demo logs a
        join by the same rule the join page does."""
        by_verb: dict[Verb, list[tuple[int, Act]]] = {}
        for newcomer, acts in arrivals:
            for act in acts:
                by_verb.setdefault(Verb(act.verb), []).append((newcomer, act))
        for verb, rows in sorted(by_verb.items()):
            acts = [act for _, act in rows]
            self.add(
                _column(acts, "person_id"),
                verb,
                joined_ago[[newcomer for newcomer, _ in rows]],
                _column(acts, "channel"),
                _column(acts, "object_id"),  # a person (the recruit), or -1
                initiator=_column(acts, "initiator"),
                actor=_column(acts, "actor_id"),
                referrer=_column(acts, "referrer_id"),
            )


def _column(acts: list[Act], attribute: str) -> np.ndarray:
    """One attribute of these acts as a column, -1 standing for None."""
    return np.array(
        [-1 if v is None else int(v) for v in (getattr(act, attribute) for act in acts)], dtype=np.int64
    )
