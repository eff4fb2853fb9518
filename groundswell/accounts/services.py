"""Accounts: made on demand for people, so anyone on the list can sign in with a code."""

import logging
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import IO

from allauth.account.internal.flows.login_by_code import LoginCodeVerificationProcess
from allauth.account.models import EmailAddress as LoginEmail
from allauth.core import ratelimit
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from groundswell.accounts.actors import Actor
from groundswell.accounts.models import DataExport, Role, User
from groundswell.activity.models import Detail, Initiator, ObjectKind, Verb
from groundswell.activity.services import Act, record, record_act, record_many
from groundswell.core.channels import Channel
from groundswell.core.errors import PermissionDenied, ValidationError
from groundswell.people.models import Person, PhoneNumber, PostalAddress, Tag
from groundswell.people.places import place_postcode
from groundswell.people.services import (
    PersonDetails,
    add_tags,
    anonymize_person,
    clean_name,
    find_person,
    merge_people,
    normalize_email,
    normalize_phone,
    remove_tags,
    touch,
    upsert_person,
)

log = logging.getLogger(__name__)


def ensure_account(*, person: Person, email: str, new_person: bool = False) -> User:
    """The person's account, created when they have none, with `email` leading to it.

    `email` must be one of the person's addresses (the caller has just matched it in
    people.EmailAddress, the source of truth). If a stale account still holds the
    address (staff corrected it, or records were merged), it is freed first, so the
    address can only ever lead to its owner's account.

    `new_person`: the person was made in this transaction, so has no account yet (the
    join's hot path skips looking for one).
    """
    email = normalize_email(email)
    user = None if new_person else User.objects.filter(person=person).first()
    if user is None:
        user = _create_account(person, email)
        if user is None:
            _release_address(email, owner=person)
            user = _create_account(person, email) or User.objects.get(person=person)
        else:
            # A brand-new account: its first address, no need to look for others.
            LoginEmail.objects.create(user=user, email=email, verified=False, primary=True)
            return user
    # Addresses are stored normalized (lower case), so an exact match can use the index.
    login_email = LoginEmail.objects.filter(email=email, user=user).first()
    if login_email is None:
        try:
            with transaction.atomic():
                LoginEmail.objects.create(
                    user=user,
                    email=email,
                    verified=False,
                    primary=not LoginEmail.objects.filter(user=user).exists(),
                )
        except IntegrityError:
            pass  # added concurrently for this same account
    return user


def _create_account(person: Person, email: str) -> User | None:
    """A new account, or None when the address or the person already has one."""
    try:
        with transaction.atomic():
            user = User(email=email, person=person, role=Role.MEMBER)
            user.set_unusable_password()
            user.save()
            return user
    except IntegrityError:
        return None


def _release_address(email: str, *, owner: Person | None) -> None:
    """Take `email` off any account but the owner's (staff corrected an address, or
    records were merged), so that it cannot lead into an account that is not theirs."""
    logins, users = LoginEmail.objects.filter(email=email), User.objects.filter(email=email)
    if owner is not None:
        logins, users = logins.exclude(user__person=owner), users.exclude(person=owner)
    logins.delete()
    for stale in users:
        current = stale.person.email_addresses.order_by("-primary", "id").first()
        stale.email = current.address if current else f"account-{stale.pk}@invalid.invalid"
        stale.save(update_fields=["email"])


def sync_sign_in_address(email: str) -> User | None:
    """Before a sign-in code is sent to `email`: the account it should reach, or None.

    The account is made if the person on the list has none yet (people who joined, were
    imported or were added through the API all sign in the same way). When no person
    has the address any more, every trace of it in the account tables is removed, so
    the code cannot open the account of its former holder.
    """
    try:
        email = normalize_email(email)
    except ValidationError:
        return None
    person = find_person(email=email)
    # Before any code goes out, the address must lead to its owner's account or nowhere.
    _release_address(email, owner=person)
    return ensure_account(person=person, email=email) if person is not None else None


def create_account_for_email(*, email: str, password: str | None = None, role: Role = Role.MEMBER) -> User:
    """An account (and a person) for staff set up from the command line or the admin."""
    with transaction.atomic():
        person, _ = upsert_person(details=PersonDetails(email=email))
        user = ensure_account(person=person, email=email)
        if password:
            user.set_password(password)
            user.save(update_fields=["password"])
        set_role(user=user, role=role)
    return user


ROLE_DETAILS = {
    Role.MEMBER: Detail.ROLE_MEMBER,
    Role.HOST: Detail.ROLE_HOST,
    Role.GROUP_LEADER: Detail.ROLE_GROUP_LEADER,
    Role.ORGANIZER: Detail.ROLE_ORGANIZER,
    Role.ADMIN: Detail.ROLE_ADMIN,
}


def set_role(*, user: User, role: Role, actor: Actor | None = None) -> User:
    """Give a role; staff roles open the Django admin, admin makes a superuser. Each change
    is an act (with the role as its detail), so who was staff on any past date can be read
    from the log, and who changed it is on record. Only an admin gives roles (`actor`
    None: the system itself, making an account or running a command)."""
    if actor is not None and not actor.is_admin:
        raise PermissionDenied("Only an admin can change roles.")
    with transaction.atomic():
        before = User.objects.filter(pk=user.pk).values_list("role", flat=True).first()
        user.save(update_fields=user.apply_role(role))
        if before != role:
            record(
                person=user.person,
                verb=Verb.ROLE_CHANGED,
                detail=ROLE_DETAILS[role],
                actor=actor,
                initiator=Initiator.SYSTEM if actor is None else None,
            )
    return user


def start_sign_in_by_code(request: HttpRequest, email: str, *, user: User | None = None) -> None:
    """Email a sign-in code to `email` and remember, in this browser's session, that a code
    is on its way, as asking for one on the sign-in page does: entering it on the
    confirmation page signs the person in. The join page calls it, so a newcomer proves
    their address before any session is theirs (`user`: the account the join just made for
    them). Nothing happens for an address nobody has."""
    if user is None:
        user = sync_sign_in_address(email)
    if user is None or not user.is_active:
        return
    email = normalize_email(email)
    # The sign-in page's limits on codes per address and per account count here too, so the
    # join page is no way round them; past them nothing is sent, and the page says the same.
    if not ratelimit.consume(request, action="request_login_code", key=email) or not ratelimit.consume(
        request, action="request_login_code_account", key=f"account:{user.pk}"
    ):
        return
    LoginCodeVerificationProcess.initiate(request=request, user=user, email=email)


# Where a page that sent a visitor to join or sign in wants them back (an invitation link):
# the join page's emailed code may be entered much later, where a `next` parameter is lost.
RETURN_SESSION_KEY = "groundswell_return_to"


def return_here_after_sign_in(request: HttpRequest, path: str) -> None:
    """Once this browser is signed in (by joining and proving the address, or by signing in),
    it goes to `path` (a path on this site) instead of the hub."""
    if _on_this_site(path):
        request.session[RETURN_SESSION_KEY] = path


def take_return_path(request: HttpRequest) -> str | None:
    """The path `return_here_after_sign_in` kept, once (it is forgotten as it is read)."""
    path = request.session.pop(RETURN_SESSION_KEY, None)
    return path if isinstance(path, str) and _on_this_site(path) else None


def _on_this_site(path: str) -> bool:
    # A path, not an address elsewhere: Django's own check ("//evil", "/\\evil", control
    # characters a browser drops), and a length a session should hold.
    return (
        path.startswith("/")
        and len(path) <= 500
        and url_has_allowed_host_and_scheme(path, allowed_hosts=None)
        and not any(ord(character) < 32 for character in path)
    )


def end_other_sessions(user: AbstractBaseUser) -> None:
    """End every session of this account. Django signs each session with a hash of the
    account's password field; accounts have no password, so a fresh unusable one changes
    the hash and every session made before stops being valid on its next request."""
    user.set_unusable_password()
    user.save(update_fields=["password"])


def address_proven(user: User) -> None:
    """The emailed code was entered: the address is the person's. Every earlier session of
    the account ends (someone may have begun one by typing the address), and the proof is
    an act (the analytics can tell proven addresses from typed ones)."""
    with transaction.atomic():
        end_other_sessions(user)
        record(person=user.person, verb=Verb.PROVED_ADDRESS, channel=Channel.EMAIL)


def forget_person(*, actor: Actor, person: Person) -> Person:
    """Delete a person's personal data at their request (or staff's): their account goes,
    and `people.services.anonymize_person` takes every detail while the recruitment tree,
    counts and metrics stay. The act is logged, by whom, without anything personal."""
    if not (actor.is_staff or actor.is_person(person)):
        raise PermissionDenied("Only the person themselves or an organizer can do that.")
    with transaction.atomic():
        # The archives' rows go with the person (DataExport.ON_FORGET); their files are not
        # rows, so they are removed here, once the forgetting is sure to be kept.
        stored = list(
            DataExport.objects.filter(person=person).exclude(file_name="").values_list("file_name", flat=True)
        )
        person = anonymize_person(person=person)
        record(person=person, verb=Verb.FORGOTTEN, actor=actor)
        transaction.on_commit(lambda: _remove_files(stored))
    return person


def merge_people_as(*, actor: Actor, keep: Person, duplicate: Person) -> Person:
    """Staff fold a duplicate record into the one kept (`people.services.merge_people`);
    the merge is an act of the kept person, by whom, naming the id of the record folded in."""
    if not actor.is_staff:
        raise PermissionDenied("Only organizers can merge records.")
    duplicate_id = duplicate.pk
    with transaction.atomic():
        kept = merge_people(keep=keep, duplicate=duplicate)
        record_act(
            Act(
                person_id=kept.pk,
                verb=Verb.MERGED,
                object_kind=ObjectKind.PERSON,
                object_id=duplicate_id,
                actor_id=actor.person_id,
                initiator=actor.initiator,
            )
        )
    return kept


def tag_person(
    *, actor: Actor, person: Person, add: Iterable[str] = (), remove: Iterable[str] = ()
) -> tuple[list[Tag], list[Tag]]:
    """Staff put tags on a person or take them off. Each change is an act of the person, by
    whom, naming the tag, so who carried a tag on any past date can be read from the log.
    Returns the tags put on and taken off (those already there, or not there, are left)."""
    if not actor.is_staff:
        raise PermissionDenied("Only organizers can tag people.")
    with transaction.atomic():
        added = add_tags(person=person, names=add)
        removed = remove_tags(person=person, names=remove)
        record_many(tagging_acts(actor=actor, person_id=person.pk, added=added, removed=removed))
    return added, removed


def tagging_acts(
    *, actor: Actor, person_id: int, added: Iterable[Tag], removed: Iterable[Tag] = ()
) -> list[Act]:
    """The acts of tags put on (TAGGED) and taken off (UNTAGGED) one person: `tag_person`
    and an arrival carrying tags (an import's, a form's) log these."""
    return [
        Act(
            person_id=person_id,
            verb=verb,
            object_kind=ObjectKind.TAG,
            object_id=tag.pk,
            actor_id=actor.person_id,
            initiator=actor.initiator,
        )
        for verb, tags in ((Verb.TAGGED, added), (Verb.UNTAGGED, removed))
        for tag in tags
    ]


# --- My account: a member's own details, what they share, their data -----------------------


def _require_self_or_staff(actor: Actor, person: Person) -> None:
    if not (actor.is_staff or actor.is_person(person)):
        raise PermissionDenied("Only the person themselves or an organizer can change that.")


def change_details(
    *, actor: Actor, person: Person, given_name: str, family_name: str, postcode: str, phone: str
) -> list[Detail]:
    """The person (or staff) corrects their name, postcode and phone number. Everything is
    checked before anything is written, so a bad phone number does not leave a changed name.
    A blank phone number removes their numbers. Each part that changed is an act naming the
    part (never the value: the log is kept longer than the details). Returns what changed."""
    _require_self_or_staff(actor, person)
    given = clean_name(given_name, field_name="given_name")
    if not given:
        raise ValidationError("Please enter your first name.", field="given_name")
    family = clean_name(family_name, field_name="family_name")
    place = place_postcode(postcode)
    number = normalize_phone(phone) if (phone or "").strip() else ""
    changed: list[Detail] = []
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if (person.given_name, person.family_name) != (given, family):
            person.given_name, person.family_name = given, family
            person.save(update_fields=["given_name", "family_name", "modified_at"])
            changed.append(Detail.NAME)
        address = person.postal_addresses.order_by("-primary", "id").first()
        if address is None or address.postal_code != place.postal_code or not address.primary:
            # The street lines belonged to the old postcode; the new one is placed afresh.
            fields = {
                "address_lines": []
                if address is None or address.postal_code != place.postal_code
                else address.address_lines,
                "locality": place.locality,
                "region": place.region,
                "postal_code": place.postal_code,
                "country": place.country,
                "latitude": place.latitude,
                "longitude": place.longitude,
            }
            if address is None:
                PostalAddress.objects.create(person=person, primary=True, **fields)
            else:
                PostalAddress.objects.filter(pk=address.pk).update(primary=True, **fields)
            changed.append(Detail.POSTCODE)
        if _replace_phone(person, number):
            changed.append(Detail.PHONE)
        if changed:
            touch(person.pk)
            record_many(_detail_acts(actor, person.pk, changed))
    return changed


def _replace_phone(person: Person, number: str) -> bool:
    """Make `number` the person's one phone number (none, when blank); whether it changed.
    The page shows one number, so no other is kept out of the person's sight."""
    numbers = list(person.phone_numbers.order_by("-primary", "id"))
    if [n.number for n in numbers] == ([number] if number else []) and all(n.primary for n in numbers):
        return False
    person.phone_numbers.exclude(number=number).delete()
    if number:
        kept = person.phone_numbers.filter(number=number).first()
        if kept is None:
            PhoneNumber.objects.create(person=person, number=number, primary=True)
        elif not kept.primary:
            PhoneNumber.objects.filter(pk=kept.pk).update(primary=True)
    return True


def _detail_acts(actor: Actor, person_id: int, details: Iterable[Detail]) -> list[Act]:
    return [
        Act(
            person_id=person_id,
            verb=Verb.CHANGED_DETAILS,
            detail=detail,
            actor_id=actor.person_id,
            initiator=actor.initiator,
        )
        for detail in details
    ]


def share_with_hosts(*, actor: Actor, user: User, email: bool, phone: bool) -> bool:
    """What the member's RSVPs share with hosts unless they choose otherwise on the RSVP
    form: their email address, their phone number (their name always). Only the member
    themselves sets this. Returns whether it changed; a change is an act."""
    if not actor.is_person(user.person_id):
        raise PermissionDenied("Only the member themselves can change what they share.")
    with transaction.atomic():
        changed = bool(
            User.objects.filter(pk=user.pk)
            .exclude(share_email_with_hosts=email, share_phone_with_hosts=phone)
            .update(share_email_with_hosts=email, share_phone_with_hosts=phone)
        )
        if changed:
            record_many(_detail_acts(actor, user.person_id, [Detail.SHARING]))
    user.share_email_with_hosts, user.share_phone_with_hosts = email, phone
    return changed


# How long a ready archive can be downloaded, and how long one being prepared is waited for
# before asking again starts another (a worker that died leaves it "being prepared").
DATA_EXPORT_KEPT = timedelta(days=7)
DATA_EXPORT_PATIENCE = timedelta(hours=1)
DATA_EXPORT_FOLDER = "private/data-exports"


def request_data_export(*, actor: Actor, person: Person) -> tuple[DataExport, bool]:
    """The person asks for a copy of everything held about them. Only they may: staff see
    people's records in the admin, and an archive of someone else's is not theirs to take.
    Asking while one is being prepared returns that one. Returns (export, new); the caller
    queues the building of a new one after commit."""
    if not actor.is_person(person):
        raise PermissionDenied("Only the person themselves can ask for a copy of their data.")
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()  # one request at a time
        waiting = DataExport.objects.filter(
            person=person,
            status=DataExport.Status.PREPARING,
            requested_at__gt=timezone.now() - DATA_EXPORT_PATIENCE,
        ).first()
        if waiting is not None:
            return waiting, False
        export = DataExport.objects.create(person=person)
        record(person=person, verb=Verb.ASKED_FOR_DATA, actor=actor)
    return export, True


def store_data_export(*, export: DataExport, content: IO[bytes]) -> DataExport:
    """The worker built the archive: keep it (under a name nobody can guess, outside any
    public URL) until it expires. An export no longer being prepared is left alone, so a
    task run twice stores one file."""
    content.seek(0, 2)
    size = content.tell()
    content.seek(0)
    name = default_storage.save(
        f"{DATA_EXPORT_FOLDER}/{export.uuid}-{secrets.token_urlsafe(16)}.zip", File(content)
    )
    now = timezone.now()
    updated = DataExport.objects.filter(pk=export.pk, status=DataExport.Status.PREPARING).update(
        status=DataExport.Status.READY,
        file_name=name,
        size=size,
        ready_at=now,
        expires_at=now + DATA_EXPORT_KEPT,
    )
    if not updated:
        default_storage.delete(name)
    export.refresh_from_db()
    return export


def fail_data_export(*, export: DataExport) -> None:
    DataExport.objects.filter(pk=export.pk, status=DataExport.Status.PREPARING).update(
        status=DataExport.Status.FAILED
    )


def remove_expired_data_exports(*, now: object = None) -> int:
    """Delete archives past their time (the files, then the rows); the number removed."""
    expired = DataExport.objects.filter(expires_at__lte=now or timezone.now())
    names = list(expired.exclude(file_name="").values_list("file_name", flat=True))
    _remove_files(names)
    return expired.delete()[0]


def _remove_files(names: Iterable[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            log.warning("Could not remove the data export %s; remove it by hand.", name)
