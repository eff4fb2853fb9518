"""Accounts: made on demand for people, so anyone on the list can sign in with a code."""

from allauth.account.models import EmailAddress as LoginEmail
from django.db import IntegrityError, transaction

from groundswell.accounts.models import STAFF_ROLES, Role, User
from groundswell.core.errors import ValidationError
from groundswell.people.models import Person
from groundswell.people.services import PersonDetails, find_person, normalize_email, upsert_person


def ensure_account(*, person: Person, email: str) -> User:
    """The person's account, created when they have none, with `email` known to allauth.

    `email` must be one of the person's addresses (the caller has just matched it).
    """
    email = normalize_email(email)
    user = User.objects.filter(person=person).first()
    made = False  # a brand-new account has no addresses yet: no need to look
    if user is None:
        try:
            with transaction.atomic():
                user = User(email=email, person=person, role=Role.MEMBER)
                user.set_unusable_password()
                user.save()
                made = True
        except IntegrityError:
            # Made concurrently (two tabs asking for a code), or the address belongs to
            # an account whose person was merged away: use what is there.
            user = User.objects.filter(person=person).first() or User.objects.get(email=email)
    # allauth looks people up by its own address table: keep it in step with ours.
    # Addresses are stored normalized (lower case), so an exact match can use the index.
    if made or not LoginEmail.objects.filter(email=email).exists():
        try:
            with transaction.atomic():
                LoginEmail.objects.create(
                    user=user,
                    email=email,
                    verified=False,
                    primary=made or not LoginEmail.objects.filter(user=user).exists(),
                )
        except IntegrityError:
            pass
    return user


def account_for_email(email: str) -> User | None:
    """The account that signing in with `email` reaches, made if the person has none.

    People who joined, were imported or were added through the API all sign in
    the same way: a code sent to an address on their record.
    """
    try:
        person = find_person(email=email)
    except ValidationError:
        return None
    if person is None:
        return None
    return ensure_account(person=person, email=email)


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


def set_role(*, user: User, role: Role) -> User:
    """Give a role; staff roles open the Django admin, admin makes a superuser."""
    user.role = role
    user.is_staff = role in STAFF_ROLES
    user.is_superuser = role == Role.ADMIN
    user.save(update_fields=["role", "is_staff", "is_superuser"])
    return user
