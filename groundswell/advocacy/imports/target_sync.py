"""Writing checked target records: the one place an import changes targets.

A record finds its target by (source, external_id), the key the model holds unique. What
changed is updated, what is new is added, phones are replaced in the file's order when they
differ (and marked verified today either way), and a target of the same source that a
complete file no longer lists is retired (`serving` off), never deleted: past outreaches
keep their target. The caller holds the transaction.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from django.utils import timezone

from groundswell.advocacy.imports.target_records import TargetRecord
from groundswell.advocacy.models import Target, TargetPhone

# Rows per statement: well under SQLite's limit on parameters, and PostgreSQL's.
BATCH = 500
T = TypeVar("T")


@dataclass
class Tally:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    retired: int = 0


def legislative_district(ocd_id: str, state: str) -> bool:
    """Whether `ocd_id` is a state legislative district (sldu/sldl) directly under `state`."""
    rest = ocd_id[len(state) + 1 :] if ocd_id.startswith(state + "/") else ""
    return rest.startswith(("sldu:", "sldl:")) and "/" not in rest


@dataclass(frozen=True)
class Retirement:
    """Who a complete file speaks for: the whole source, or, given `chambers` (pairs of a
    state's division and a chamber), only the legislators of those chambers: an Open States
    directory of North Carolina's legislature says nothing about another state, nor about
    the governor or a mayor Open States files under North Carolina."""

    source: str
    chambers: frozenset[tuple[str, str]] | None = None

    def covers(self, target: Target) -> bool:
        if self.chambers is None:
            return True
        # The pairs hold only upper and lower chambers (made from legislators' records).
        return any(
            target.chamber == chamber and legislative_district(target.ocd_id, state)
            for state, chamber in self.chambers
        )


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def write(
    records: Iterable[TargetRecord],
    *,
    retire: Sequence[Retirement],
    today: date,
    advance: Callable[[], Any] = lambda: None,
) -> dict[str, Tally]:
    records = list(records)
    sources = {record.source for record in records} | {rule.source for rule in retire}
    tallies = {source: Tally() for source in sorted(sources)}
    existing = {
        (target.source, target.external_id): target
        for target in Target.objects.filter(source__in=sources)
        .exclude(external_id="")
        .prefetch_related("phones")
    }
    now = timezone.now()
    to_create: list[Target] = []
    to_update: list[Target] = []
    fields: set[str] = set()
    new_phones: dict[tuple[str, str], TargetRecord] = {}  # targets whose phones are written anew
    verified: list[int] = []  # targets whose phones are the file's, to mark verified today
    for record in records:
        tally = tallies[record.source]
        target = existing.get(record.key)
        if target is None:
            to_create.append(Target(source=record.source, external_id=record.external_id, **record.values))
            if record.phones:
                new_phones[record.key] = record
            tally.added += 1
            advance()
            continue
        changed = [name for name, value in record.values.items() if getattr(target, name) != value]
        was_serving = target.serving
        for name in changed:
            setattr(target, name, record.values[name])
        phones_differ = record.phones is not None and [
            (phone.label, phone.number) for phone in target.phones.all()
        ] != [(phone.label, phone.number) for phone in record.phones]
        if changed:
            target.modified_at = now
            to_update.append(target)
            fields.update(changed)
        if phones_differ:
            new_phones[record.key] = record
        elif record.phones:
            verified.append(target.pk)
        if was_serving and not target.serving:
            tally.retired += 1
        elif changed or phones_differ:
            tally.changed += 1
        else:
            tally.unchanged += 1
        advance()

    for batch in _chunks(to_create):
        Target.objects.bulk_create(batch)
    for target in to_create:
        existing[(target.source, target.external_id)] = target
    if to_update:
        Target.objects.bulk_update(to_update, [*sorted(fields), "modified_at"], batch_size=BATCH)

    replaced = [existing[key].pk for key in new_phones]
    for ids in _chunks(replaced):
        TargetPhone.objects.filter(target_id__in=ids).delete()
    TargetPhone.objects.bulk_create(
        [
            TargetPhone(
                target=existing[key], label=phone.label, number=phone.number, verified_on=today, position=i
            )
            for key, record in new_phones.items()
            for i, phone in enumerate(record.phones or ())
        ],
        batch_size=BATCH,
    )
    for ids in _chunks(verified):
        TargetPhone.objects.filter(target_id__in=ids).exclude(verified_on=today).update(verified_on=today)

    seen = {record.key for record in records}
    for rule in retire:
        missing = [
            target.pk
            for key, target in existing.items()
            if target.source == rule.source and key not in seen and target.serving and rule.covers(target)
        ]
        for ids in _chunks(missing):
            Target.objects.filter(pk__in=ids).update(serving=False, modified_at=now)
        tallies[rule.source].retired += len(missing)
    return tallies
