"""Members with a sign-in account and a role, made the way the app makes them."""

from typing import Any

import factory

from groundswell.accounts.actors import Actor, actor_for_person
from groundswell.accounts.models import Role, User


class MemberFactory(factory.Factory[User]):
    """A person on the list (subscribed, placed by their postcode, with a share code) and
    their account. `MemberFactory(given_name="Ana", role=Role.ORGANIZER)`."""

    class Meta:
        model = User

    given_name = "Member"
    family_name = factory.Sequence(lambda n: f"Test{n}")
    email = factory.LazyAttributeSequence(
        lambda o, n: (
            f"{''.join(c for c in o.given_name.lower() if c.isascii() and c.isalnum()) or 'member'}"
            f".{n}@example.org"
        )
    )
    role = Role.MEMBER
    postal_code = "10001"
    recruited_by = None
    subscribed = True

    @classmethod
    def _create(cls, model_class: type[User], **kwargs: Any) -> User:
        from groundswell.accounts.services import ensure_account, set_role
        from groundswell.network.services import share_code_for
        from groundswell.people.places import place_postcode
        from groundswell.people.services import PersonDetails, upsert_person

        recruiter = kwargs["recruited_by"]
        person, _ = upsert_person(
            details=PersonDetails(
                email=str(kwargs["email"]),
                given_name=str(kwargs["given_name"]),
                family_name=str(kwargs["family_name"]),
                place=place_postcode(str(kwargs["postal_code"])),
                recruited_by_id=recruiter.pk if recruiter is not None else None,
                email_consent=bool(kwargs["subscribed"]),
            ),
            trusted=True,
        )
        share_code_for(person)
        user = ensure_account(person=person, email=str(kwargs["email"]))
        return set_role(user=user, role=Role(kwargs["role"]))


def actor_of(user: User) -> Actor:
    """The actor a signed-in user is (what `actor_for_request` builds for them)."""
    return actor_for_person(user.person)
