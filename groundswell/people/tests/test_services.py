"""People services: normalizing, signing up twice, merging duplicates."""

import pytest
from django.contrib.contenttypes.models import ContentType

from groundswell.activity.models import Activity, ObjectKind, Verb
from groundswell.activity.services import record
from groundswell.core.channels import Channel
from groundswell.core.errors import ValidationError
from groundswell.people.models import Consent, EmailAddress, EmailStatus, Person, Tagging
from groundswell.people.places import place_postcode
from groundswell.people.services import (
    PersonDetails,
    add_tags,
    merge_people,
    normalize_email,
    normalize_phone,
    remove_tags,
    upsert_person,
)

pytestmark = pytest.mark.django_db


def test_email_is_trimmed_and_lower_cased():
    assert normalize_email("  Jane.Doe@Example.ORG ") == "jane.doe@example.org"


@pytest.mark.parametrize(
    "bad", ["", "jane", "jane@", "@example.org", "a b@example.org", "x" * 250 + "@e.org"]
)
def test_bad_emails_are_refused_with_a_message(bad):
    with pytest.raises(ValidationError) as error:
        normalize_email(bad)
    assert error.value.field == "email" and error.value.message


def test_phone_numbers_become_e164():
    assert normalize_phone("(212) 555-0123") == "+12125550123"
    assert normalize_phone("+44 20 7946 0958") == "+442079460958"
    with pytest.raises(ValidationError):
        normalize_phone("12")


def test_postcodes_are_placed_or_explained():
    place = place_postcode("10001-1234")
    assert (place.postal_code, place.region, place.country) == ("10001", "NY", "US")
    assert place.latitude == pytest.approx(40.75, abs=0.1)
    abroad = place_postcode("sw1a 1aa")
    assert (abroad.postal_code, abroad.located) == ("SW1A 1AA", False)
    for bad, words in [("", "enter your postcode"), ("99999", "couldn't find"), ("1234", "5 digits")]:
        with pytest.raises(ValidationError, match=words):
            place_postcode(bad)


def test_second_signup_merges_and_loses_nothing():
    first, created = upsert_person(
        details=PersonDetails(
            email="Sam@example.org",
            given_name="Sam",
            phone="212 555 0100",
            place=place_postcode("10001"),
            custom_fields={"shirt": "M", "issue": "housing"},
            email_consent=True,
        )
    )
    assert created
    again, created = upsert_person(
        details=PersonDetails(
            email="sam@EXAMPLE.org",
            given_name="Samuel",
            family_name="Okafor",
            phone="212 555 0199",
            place=place_postcode("94110"),
            custom_fields={"issue": "transit", "team": "north"},
        )
    )
    assert not created and again.pk == first.pk
    person = Person.objects.get()
    # From a public form (anyone can type this address): nothing on the record changes,
    # not even a blank name; answers, numbers, addresses and tags are only added, and
    # nothing new becomes primary. (Tags an arrival carries: network's `arrive`.)
    assert (person.given_name, person.family_name) == ("Sam", "")
    assert person.custom_fields == {"shirt": "M", "issue": "housing", "team": "north"}
    assert sorted(person.phone_numbers.values_list("number", flat=True)) == ["+12125550100", "+12125550199"]
    assert list(person.phone_numbers.filter(primary=True).values_list("number", flat=True)) == [
        "+12125550100"
    ]
    assert sorted(person.postal_addresses.values_list("postal_code", flat=True)) == ["10001", "94110"]
    assert list(person.postal_addresses.filter(primary=True).values_list("postal_code", flat=True)) == [
        "10001"
    ]
    assert EmailAddress.objects.count() == 1
    # From the person themselves (signed in): blanks filled, names kept, newest answers.
    upsert_person(
        details=PersonDetails(
            email="sam@example.org",
            given_name="Samuel",
            family_name="Okafor",
            custom_fields={"issue": "transit", "team": "north"},
        ),
        trusted=True,
    )
    person = Person.objects.get()
    assert (person.given_name, person.family_name) == ("Sam", "Okafor")  # blanks filled, names kept
    assert person.custom_fields == {"shirt": "M", "issue": "transit", "team": "north"}
    assert person.phone_numbers.filter(primary=True).count() == 1


def test_only_the_person_themselves_can_change_their_subscription():
    person, _ = upsert_person(details=PersonDetails(email="u@example.org", email_consent=False))
    assert person.email_addresses.get().status == EmailStatus.UNSUBSCRIBED
    # Anyone can type this address into a public form: that must not subscribe them.
    upsert_person(details=PersonDetails(email="u@example.org", email_consent=True))
    assert person.email_addresses.get().status == EmailStatus.UNSUBSCRIBED
    # Their own choice, signed in, counts (a known person's subscription changes through
    # messaging's one subscription service).
    from groundswell.accounts.actors import actor_for_person
    from groundswell.messaging.services import change_subscription

    themselves = actor_for_person(person)
    change_subscription(
        email=person.email_addresses.get(), subscribed=True, actor=themselves, wording="Email me"
    )
    assert person.email_addresses.get().status == EmailStatus.SUBSCRIBED
    assert list(Consent.objects.filter(person=person).values_list("granted", flat=True)) == [True, False]
    change_subscription(email=person.email_addresses.get(), subscribed=False, actor=themselves)
    assert person.email_addresses.get().status == EmailStatus.UNSUBSCRIBED


def test_an_anonymous_signup_cannot_claim_credit_for_someone_already_here():
    someone, _ = upsert_person(details=PersonDetails(email="s@example.org"))
    claimant, _ = upsert_person(details=PersonDetails(email="c@example.org"))
    upsert_person(details=PersonDetails(email="s@example.org", recruited_by_id=claimant.pk))
    someone.refresh_from_db()
    assert someone.recruited_by_id is None
    upsert_person(details=PersonDetails(email="s@example.org", recruited_by_id=claimant.pk), trusted=True)
    someone.refresh_from_db()
    assert someone.recruited_by_id == claimant.pk


def test_credit_never_makes_a_loop():
    a, _ = upsert_person(details=PersonDetails(email="a@example.org"))
    b, _ = upsert_person(details=PersonDetails(email="b@example.org", recruited_by_id=a.pk))
    c, _ = upsert_person(details=PersonDetails(email="c@example.org", recruited_by_id=b.pk))
    upsert_person(details=PersonDetails(email="a@example.org", recruited_by_id=c.pk), trusted=True)
    a.refresh_from_db()
    assert a.recruited_by_id is None


def test_merging_never_makes_a_loop():
    x, _ = upsert_person(details=PersonDetails(email="x@example.org"))
    d, _ = upsert_person(details=PersonDetails(email="d@example.org"))
    Person.objects.filter(pk=x.pk).update(recruited_by=d)  # D recruited X
    k, _ = upsert_person(details=PersonDetails(email="k@example.org", recruited_by_id=x.pk))  # X recruited K
    merged = merge_people(keep=k, duplicate=d)  # K takes over D's recruit X: K → X → K would loop
    x.refresh_from_db()
    assert x.recruited_by_id == merged.pk
    assert merged.recruited_by_id is None


def test_merging_keeps_the_more_trusted_role_and_rewrites_references(make_member):
    from groundswell.accounts.models import Role

    member = make_member("Mem")
    organizer = make_member("Org", role=Role.ORGANIZER)
    recruit, _ = upsert_person(
        details=PersonDetails(email="rec@example.org", recruited_by_id=organizer.person_id)
    )
    record(person=organizer.person, verb=Verb.RECRUITED, obj=recruit)
    record(person=member.person, verb=Verb.RECRUITED, obj=organizer.person)  # the duplicate as an object
    merged = merge_people(keep=member.person, duplicate=organizer.person)
    assert merged.account.role == Role.ORGANIZER and merged.account.is_staff
    objects = sorted(
        Activity.objects.filter(object_kind=ObjectKind.PERSON).values_list("person_id", "object_id")
    )
    assert objects == sorted([(merged.pk, recruit.pk), (merged.pk, merged.pk)])  # none names the deleted id


def test_tags_match_without_case_and_only_new_ones_are_reported():
    person, _ = upsert_person(details=PersonDetails(email="t@example.org"))
    assert [t.name for t in add_tags(person=person, names=["Climate", "climate", "  CLIMATE "])] == [
        "Climate"
    ]
    assert add_tags(person=person, names=["CLIMATE", "Housing"])[0].name == "Housing"
    assert Tagging.objects.filter(person=person).count() == 2
    assert [t.name for t in remove_tags(person=person, names=["climate", "never had"])] == ["Climate"]
    assert list(Tagging.objects.filter(person=person).values_list("tag__name", flat=True)) == ["Housing"]


def test_merge_people_moves_every_related_row():
    keep, _ = upsert_person(
        details=PersonDetails(email="keep@example.org", given_name="Kim", phone="2125550100")
    )
    add_tags(person=keep, names=["a"])
    dup, _ = upsert_person(
        details=PersonDetails(
            email="dup@example.org",
            family_name="Lee",
            phone="2125550100",
            custom_fields={"x": "1"},
            place=place_postcode("10001"),
        )
    )
    add_tags(person=dup, names=["a", "b"])
    recruit, _ = upsert_person(details=PersonDetails(email="r@example.org", recruited_by_id=dup.pk))
    record(person=dup, verb=Verb.SIGNED)
    record(person=recruit, verb=Verb.JOINED, referrer_id=dup.pk)  # credited to dup

    merged = merge_people(keep=keep, duplicate=dup)

    assert not Person.objects.filter(pk=dup.pk).exists()
    assert (merged.given_name, merged.family_name, merged.custom_fields) == ("Kim", "Lee", {"x": "1"})
    assert sorted(merged.email_addresses.values_list("address", "primary")) == [
        ("dup@example.org", False),
        ("keep@example.org", True),
    ]
    assert merged.phone_numbers.count() == 1  # the same number once
    assert merged.postal_addresses.count() == 1
    assert sorted(t.tag.name for t in Tagging.objects.filter(person=merged)) == ["a", "b"]
    assert Activity.objects.filter(person=merged, verb=Verb.SIGNED).count() == 1
    recruit.refresh_from_db()
    assert recruit.recruited_by_id == merged.pk
    assert Activity.objects.get(person=recruit).referrer_id == merged.pk


def test_merge_moves_the_login_account_or_keeps_the_kept_one(make_member):
    keeper = make_member("Keeper")
    other = make_member("Other")
    lone, _ = upsert_person(details=PersonDetails(email="lone@example.org"))
    # The kept person had no account: the duplicate's moves to them.
    merged = merge_people(keep=lone, duplicate=other.person)
    other.refresh_from_db()
    assert other.person_id == merged.pk
    # Both had accounts: the kept one's stays, the other is dropped, nothing dangles.
    merged = merge_people(keep=keeper.person, duplicate=merged)
    assert merged.account == keeper
    assert ContentType.objects.get_for_model(Person)  # the registry still answers


def test_merge_refuses_a_person_into_themselves():
    person, _ = upsert_person(details=PersonDetails(email="me@example.org"))
    with pytest.raises(ValidationError):
        merge_people(keep=person, duplicate=person)


def test_merge_does_not_make_anyone_their_own_recruiter():
    root, _ = upsert_person(details=PersonDetails(email="root@example.org"))
    child, _ = upsert_person(details=PersonDetails(email="child@example.org", recruited_by_id=root.pk))
    merged = merge_people(keep=child, duplicate=root)
    assert merged.recruited_by_id is None


def test_record_gives_an_act_its_own_credit_never_a_copy_of_the_first_touch():
    recruiter, _ = upsert_person(details=PersonDetails(email="a@example.org"))
    person, _ = upsert_person(
        details=PersonDetails(email="b@example.org", recruited_by_id=recruiter.pk, source_channel=Channel.X)
    )
    act = record(person=person, verb=Verb.RSVPED)
    assert (act.referrer_id, act.channel) == (None, Channel.DIRECT)
    explicit = record(person=person, verb=Verb.SIGNED, channel=Channel.EMAIL, referrer_id=None)
    assert explicit.channel == Channel.EMAIL
