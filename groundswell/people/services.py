"""Writes to people: signing up (find-or-create-and-merge), merging duplicates, tags, consent.

The rule for a second signup with a known email address: nothing already on the
record is lost, and everything new is added. Names and the first-touch source
already on the record stay (a form cannot rename someone else); new phone
numbers, addresses, tags and consents are added; custom-field answers take the
newest value, since they are answers that change.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import cast

import phonenumbers
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from groundswell.core.channels import Channel
from groundswell.core.errors import ValidationError
from groundswell.core.text import clean_line
from groundswell.people.models import (
    Consent,
    EmailAddress,
    EmailStatus,
    Person,
    PhoneNumber,
    PostalAddress,
    Tag,
    Tagging,
)
from groundswell.people.places import Place

log = logging.getLogger(__name__)

NAME_MAX = 100
CUSTOM_FIELD_KEY_MAX = 100
CUSTOM_FIELD_VALUE_MAX = 2000
SIGNUP_ATTEMPTS = 5


def normalize_email(raw: str | None) -> str:
    """Trim and lower-case an address, and check that it is one."""
    value = (raw or "").strip().lower()
    if not value:
        raise ValidationError("Please enter your email address.", field="email")
    if len(value) > 254:
        raise ValidationError("That email address is too long (254 characters at most).", field="email")
    try:
        validate_email(value)
    except DjangoValidationError:
        raise ValidationError(
            "That doesn't look like an email address. Please check it, e.g. name@example.org.",
            field="email",
        ) from None
    return value


def normalize_phone(raw: str | None) -> str:
    """A phone number in E.164 (+15555550123); numbers without a country code are read
    in PHONE_DEFAULT_REGION."""
    value = (raw or "").strip()
    if not value:
        raise ValidationError("Please enter a phone number.", field="phone")
    try:
        parsed = phonenumbers.parse(value, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        raise ValidationError(
            "That doesn't look like a phone number. Include the area code, e.g. 555 555 0123.",
            field="phone",
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def clean_name(raw: str | None, *, field_name: str) -> str:
    value = clean_line(raw)
    if len(value) > NAME_MAX:
        raise ValidationError(f"Please shorten this to {NAME_MAX} characters or fewer.", field=field_name)
    return value


@dataclass
class PersonDetails:
    """Everything a signup may carry. Only `email` (or `phone`) is needed to find the person."""

    email: str = ""
    given_name: str = ""
    family_name: str = ""
    phone: str = ""
    place: Place | None = None
    address_lines: list[str] = field(default_factory=list)
    custom_fields: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    # True: they ticked "email me"; False: they said no; None: the form did not ask.
    email_consent: bool | None = None
    consent_wording: str = ""
    source_channel: Channel = Channel.DIRECT
    recruited_by_id: int | None = None
    source_detail: str = ""

    def cleaned(self) -> "PersonDetails":
        """A copy with every field normalized, or ValidationError naming the field."""
        email = normalize_email(self.email) if self.email else ""
        phone = normalize_phone(self.phone) if self.phone else ""
        if not email and not phone:
            raise ValidationError("An email address or a phone number is needed.", field="email")
        custom = {}
        for key, value in (self.custom_fields or {}).items():
            key = clean_line(key)[:CUSTOM_FIELD_KEY_MAX]
            if key:
                custom[key] = str(value)[:CUSTOM_FIELD_VALUE_MAX] if value is not None else ""
        return PersonDetails(
            email=email,
            given_name=clean_name(self.given_name, field_name="given_name"),
            family_name=clean_name(self.family_name, field_name="family_name"),
            phone=phone,
            place=self.place,
            address_lines=[clean_line(line)[:200] for line in self.address_lines if clean_line(line)],
            custom_fields=custom,
            tags=[t for t in (clean_line(t)[:100] for t in self.tags) if t],
            email_consent=self.email_consent,
            consent_wording=self.consent_wording,
            source_channel=self.source_channel,
            recruited_by_id=self.recruited_by_id,
            source_detail=clean_line(self.source_detail)[:200],
        )


def person_id_for(*, email: str = "", phone: str = "") -> int | None:
    """The id of the person with this (normalized) email address, else of the first one
    with this (normalized) phone number. Emails are unique; a phone may be shared."""
    if email:
        found = EmailAddress.objects.filter(address=email).values_list("person_id", flat=True).first()
        if found is not None:
            return found
    if phone:
        return (
            PhoneNumber.objects.filter(number=phone)
            .order_by("id")
            .values_list("person_id", flat=True)
            .first()
        )
    return None


def find_person(*, email: str = "", phone: str = "") -> Person | None:
    """The person with this email address, else (with no email given) the first with this phone."""
    pid = person_id_for(
        email=normalize_email(email) if email else "",
        phone=normalize_phone(phone) if phone and not email else "",
    )
    return Person.objects.get(pk=pid) if pid is not None else None


def upsert_person(*, details: PersonDetails, trusted: bool = False) -> tuple[Person, bool]:
    """Find the person these details belong to and merge them in, or create them.

    Returns (person, created). Safe under concurrency: the unique email address
    makes a racing second insert fail, and the loser retries as a merge into the
    winner's row, which it locks so that merges apply one at a time.

    `trusted`: the details come from the person themselves (signed in) or from staff.
    An untrusted signup for an existing person (anyone can type any address into a
    public form) only adds details: it cannot change who gets credit for the person,
    nor subscribe or unsubscribe them.
    """
    details = details.cleaned()
    for attempt in range(SIGNUP_ATTEMPTS):
        try:
            with transaction.atomic():
                existing = _lock_existing(details)
                if existing is not None:
                    _merge_details(existing, details, trusted=trusted)
                    return existing, False
                return _create(details), True
        except IntegrityError:
            # Another signup for the same address committed first: merge into it.
            log.info("signup race on %s, retrying (attempt %s)", details.email, attempt + 1)
            if attempt == SIGNUP_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _lock_existing(details: PersonDetails) -> Person | None:
    # With an email, only the email decides: two people may share a household phone.
    pid = person_id_for(email=details.email, phone="" if details.email else details.phone)
    return Person.objects.select_for_update().get(pk=pid) if pid is not None else None


def _create(details: PersonDetails) -> Person:
    recruiter = details.recruited_by_id
    person = Person.objects.create(
        given_name=details.given_name,
        family_name=details.family_name,
        custom_fields=details.custom_fields,
        source_channel=details.source_channel,
        recruited_by_id=recruiter,
        source_detail=details.source_detail,
    )
    if details.email:
        # Nobody is subscribed to bulk mail without saying yes (a guest RSVP, a walk-in or
        # an import row without consent is on the list, but gets no bulk mail).
        status = EmailStatus.SUBSCRIBED if details.email_consent else EmailStatus.UNSUBSCRIBED
        EmailAddress.objects.create(person=person, address=details.email, primary=True, status=status)
    _add_contact_points(person, details, new=True)
    return person


def _merge_details(person: Person, details: PersonDetails, *, trusted: bool) -> None:
    """Fold a known person's new details in. Untrusted details (a public form, a walk-in:
    anyone can type anyone's address) change nothing already there, primary or not: they
    only add answers and contact points the record lacks, never as its primary ones."""
    changed = []
    if trusted:
        for name in ("given_name", "family_name"):
            if not getattr(person, name) and getattr(details, name):
                setattr(person, name, getattr(details, name))
                changed.append(name)
    answers = (
        details.custom_fields
        if trusted
        else {k: v for k, v in details.custom_fields.items() if k not in person.custom_fields}
    )
    if answers and any(person.custom_fields.get(k) != v for k, v in answers.items()):
        person.custom_fields = {**person.custom_fields, **answers}
        changed.append("custom_fields")
    if (
        trusted
        and person.recruited_by_id is None
        and details.recruited_by_id
        and not would_make_cycle(person_id=person.pk, recruiter_id=details.recruited_by_id)
    ):
        # A person added by staff or an import who now joins through a friend: the
        # friend gets the credit, as nobody had it before.
        person.recruited_by_id = details.recruited_by_id
        person.source_channel = details.source_channel
        changed += ["recruited_by", "source_channel"]
    if changed:
        person.save(update_fields=[*changed, "modified_at"])
    else:
        Person.objects.filter(pk=person.pk).update(modified_at=timezone.now())
    # A known person's subscription changes only through messaging's `change_subscription`
    # (which the join calls for the person's own choice): it writes the consent and the act.
    _add_contact_points(person, replace(details, email_consent=None), may_be_primary=trusted)


# Ancestors of a person, walked up the recruitment tree in the database. The depth cap
# stops the walk should a cycle already exist.
ANCESTORS_SQL = """
WITH RECURSIVE up(id, depth) AS (
    SELECT recruited_by_id, 1 FROM people_person WHERE id = %s
    UNION ALL
    SELECT p.recruited_by_id, up.depth + 1 FROM people_person p JOIN up ON p.id = up.id
    WHERE up.depth < 1000
)
SELECT 1 FROM up WHERE id = %s LIMIT 1
"""


def would_make_cycle(*, person_id: int, recruiter_id: int) -> bool:
    """Whether crediting `recruiter_id` with `person_id` would make someone their own
    (great-)recruiter: true when the person is the recruiter or one of their ancestors."""
    if person_id == recruiter_id:
        return True
    with connection.cursor() as cursor:
        cursor.execute(ANCESTORS_SQL, [recruiter_id, person_id])
        return cursor.fetchone() is not None


def _add_contact_points(
    person: Person, details: PersonDetails, *, new: bool = False, may_be_primary: bool = True
) -> None:
    """Add what is new. `new`: the person was made just now and has nothing to compare
    with (it saves the look-ups on the hot path of a first signup). `may_be_primary`: the
    details are trusted, so a first phone or address becomes the primary one."""
    if details.phone and (new or not person.phone_numbers.filter(number=details.phone).exists()):
        PhoneNumber.objects.create(
            person=person,
            number=details.phone,
            primary=new or (may_be_primary and not person.phone_numbers.exists()),
        )
    if details.place is not None:
        place = details.place
        same = person.postal_addresses.filter(
            postal_code=place.postal_code, address_lines=details.address_lines or []
        )
        if new or not same.exists():
            PostalAddress.objects.create(
                person=person,
                primary=new or (may_be_primary and not person.postal_addresses.exists()),
                address_lines=details.address_lines,
                locality=place.locality,
                region=place.region,
                postal_code=place.postal_code,
                country=place.country,
                latitude=place.latitude,
                longitude=place.longitude,
            )
    if details.email_consent is not None:
        Consent.objects.create(
            person=person,
            purpose=Consent.Purpose.EMAIL,
            granted=details.email_consent,
            wording=details.consent_wording,
            channel=details.source_channel,
        )


def add_tags(*, person: Person, names: Iterable[str]) -> list[Tag]:
    """Tag a person; tags are matched without regard to case and created when new.
    Returns the tags newly put on the person (not those they had), for the caller to log:
    `accounts.services.tag_person` (staff) and `network.arrive` (an arrival's tags) do."""
    added = []
    for tag in tags_named(names):
        try:
            with transaction.atomic():
                _, created = Tagging.objects.get_or_create(tag=tag, person=person)
        except IntegrityError:
            created = False  # tagged concurrently: one tagging, as wanted
        if created:
            added.append(tag)
    if added:
        touch(person.pk)
    return added


def remove_tags(*, person: Person, names: Iterable[str]) -> list[Tag]:
    """Take tags off a person; returns the tags they had."""
    wanted = {name.lower() for name in _tag_names(names)}
    taggings = [
        t for t in Tagging.objects.filter(person=person).select_related("tag") if t.tag.name.lower() in wanted
    ]
    Tagging.objects.filter(pk__in=[t.pk for t in taggings]).delete()
    if taggings:
        touch(person.pk)
    return [t.tag for t in taggings]


def tags_named(names: Iterable[str]) -> list[Tag]:
    """The tags of these names, made when new (matched without regard to case)."""
    tags: dict[str, Tag] = {}
    for name in _tag_names(names):
        if name.lower() in tags:
            continue
        same_name = Tag.objects.filter(name__iexact=name)  # tags are few: no index needed
        tag = same_name.first()
        if tag is None:
            try:
                with transaction.atomic():
                    tag = Tag.objects.create(name=name)
            except IntegrityError:
                tag = same_name.get()
        tags[name.lower()] = tag
    return list(tags.values())


def _tag_names(names: Iterable[str]) -> list[str]:
    return [name for name in (clean_line(raw)[:100] for raw in names) if name]


def touch(person_id: int) -> None:
    """Move the person's `modified_at` (what an API sync filters on) after a change to
    their contact points, tags or subscription, which live in other rows."""
    Person.objects.filter(pk=person_id).update(modified_at=timezone.now())


def primary_email(person: Person) -> EmailAddress | None:
    return person.email_addresses.order_by("-primary", "id").first()


@transaction.atomic
def merge_people(*, keep: Person, duplicate: Person) -> Person:
    """Fold `duplicate` into `keep`, moving every row that points at the duplicate.

    Every model with a foreign key to Person is found through Django's registry,
    so rows of apps added later (RSVPs, signatures, activity) move too without
    this function knowing them. Where `keep` already has the same row (the same
    tag, the same phone number, a login account) the duplicate's copy is dropped.
    """
    if keep.pk == duplicate.pk:
        raise ValidationError("A person cannot be merged into themselves.")
    # Lock both rows in a fixed order so two merges cannot deadlock.
    locked = {
        p.pk: p
        for p in Person.objects.select_for_update().filter(pk__in=[keep.pk, duplicate.pk]).order_by("pk")
    }
    keep, duplicate = locked[keep.pk], locked[duplicate.pk]

    for name in ("given_name", "family_name", "additional_name", "source_detail"):
        if not getattr(keep, name):
            setattr(keep, name, getattr(duplicate, name))
    keep.custom_fields = {**duplicate.custom_fields, **keep.custom_fields}
    if keep.recruited_by_id == duplicate.pk:
        keep.recruited_by_id = duplicate.recruited_by_id if duplicate.recruited_by_id != keep.pk else None
    if keep.recruited_by_id is None and duplicate.recruited_by_id not in (None, keep.pk):
        keep.recruited_by_id = duplicate.recruited_by_id
        keep.source_channel = duplicate.source_channel
    keep.created_at = min(keep.created_at, duplicate.created_at)
    keep.save()

    # The kept person's primary contact points stay primary.
    for model in (EmailAddress, PhoneNumber, PostalAddress):
        if model.objects.filter(person=keep, primary=True).exists():
            model.objects.filter(person=duplicate, primary=True).update(primary=False)
    if duplicate.recruited_by_id == keep.pk:
        Person.objects.filter(pk=duplicate.pk).update(recruited_by=None)

    for relation in Person._meta.related_objects:
        if relation.many_to_many:
            continue
        _move_rows(cast(type[models.Model], relation.related_model), relation.field.name, duplicate, keep)
    _move_generic_references(duplicate, keep)
    duplicate.delete()
    keep.refresh_from_db()
    # The duplicate's recruits are now the kept person's: if one of them was the kept
    # person's own (great-)recruiter, the tree would loop; the kept person loses that credit.
    if keep.recruited_by_id and would_make_cycle(person_id=keep.pk, recruiter_id=keep.recruited_by_id):
        keep.recruited_by_id = None
        keep.save(update_fields=["recruited_by", "modified_at"])
    return keep


def _move_generic_references(source: Person, target: Person) -> None:
    """Rows that point at a person by id without a foreign key (an activity whose object is
    the person recruited) follow the merge too. A model names such columns in its
    PERSON_POINTERS: (kind field, id field, the kind that means "a person")."""
    for model in apps.get_models():
        for kind_field, id_field, person_kind in getattr(model, "PERSON_POINTERS", ()):
            model._base_manager.filter(**{kind_field: person_kind, id_field: source.pk}).update(
                **{id_field: target.pk}
            )


def _move_rows(model: type[models.Model], field_name: str, source: Person, target: Person) -> None:
    rows = model._base_manager.filter(**{field_name: source})
    try:
        with transaction.atomic():
            rows.update(**{field_name: target})
        return
    except IntegrityError:
        pass
    # Some rows clash with one the target already has: move what can move, drop the copies.
    for row in list(rows):
        try:
            with transaction.atomic():
                model._base_manager.filter(pk=row.pk).update(**{field_name: target})
        except IntegrityError:
            # A one-of-a-kind row (a login account) may take over what matters from the
            # copy before it goes, e.g. the more trusted role.
            kept = model._base_manager.filter(**{field_name: target}).first()
            if kept is not None and hasattr(kept, "absorb_duplicate"):
                kept.absorb_duplicate(row)
            row.delete()


@transaction.atomic
def anonymize_person(*, person: Person) -> Person:
    """Forget a person: every personal detail goes, the row stays, so the recruitment tree,
    the counts and the metrics hold (their recruits keep their place; their RSVPs and acts
    still count, credited to nobody by name).

    Rows of other apps that point at the person are handled by what each model declares in
    `ON_FORGET` (walked through Django's registry, as a merge is, so apps added later are
    covered by declaring it): {foreign key: "delete"} removes the rows (a login account,
    the contacts they listed), {foreign key: [fields]} blanks those fields (the name and
    address an RSVP carries), {foreign key: {field: value}} sets each field to its value (a
    choice the person made, such as showing their name, back to its default). Rows of
    models that declare nothing stay as they are.
    """
    person = Person.objects.select_for_update().get(pk=person.pk)
    for model in apps.get_models():
        rules = getattr(model, "ON_FORGET", None)
        if not rules:
            continue
        for field_name, rule in rules.items():
            rows = model._base_manager.filter(**{field_name: person})
            if rule == "delete":
                rows.delete()
            else:
                rows.update(**(rule if isinstance(rule, dict) else dict.fromkeys(rule, "")))
    for related in (
        person.email_addresses,
        person.phone_numbers,
        person.postal_addresses,
        person.taggings,
        person.consents,
        person.external_ids,
    ):
        related.all().delete()
    person.given_name = person.family_name = person.additional_name = person.source_detail = ""
    person.custom_fields = {}
    person.anonymized_at = timezone.now()
    person.save(
        update_fields=[
            "given_name",
            "family_name",
            "additional_name",
            "source_detail",
            "custom_fields",
            "anonymized_at",
            "modified_at",
        ]
    )
    return person
