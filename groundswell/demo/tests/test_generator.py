"""The demo generator: the movement it writes has the published shape, is internally
consistent (as `network.services.join` would have written it), and is reproducible."""

from datetime import timedelta
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.db.models import Count, F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.accounts.models import Role, User
from groundswell.activity.models import Activity, ObjectKind, Verb
from groundswell.core.channels import SHARE_CHANNELS, Channel
from groundswell.demo.forest import grow_forest
from groundswell.demo.generator import ADMIN_EMAIL, MEMBER_EMAIL, DemoResult, make_movement
from groundswell.network.models import ShareCode
from groundswell.network.services import CODE_ALPHABET, CODE_LENGTH
from groundswell.people.models import Consent, EmailAddress, Person, PostalAddress
from groundswell.people.places import place_postcode

PEOPLE = 3000
SEED = 7


@pytest.fixture
def movement(db: None) -> DemoResult:
    return make_movement(people=PEOPLE, seed=SEED)


def test_makes_exactly_the_people_asked_for_each_with_one_of_everything(movement: DemoResult) -> None:
    assert Person.objects.count() == PEOPLE == movement.people
    assert EmailAddress.objects.filter(primary=True).count() == PEOPLE
    assert EmailAddress.objects.values("address").distinct().count() == PEOPLE
    assert PostalAddress.objects.filter(primary=True).count() == PEOPLE
    assert Consent.objects.filter(purpose=Consent.Purpose.EMAIL, granted=True).count() == PEOPLE
    codes = list(ShareCode.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == PEOPLE
    assert all(len(c) == CODE_LENGTH and set(c) <= set(CODE_ALPHABET) for c in codes)


def test_emails_are_obviously_fake_and_lower_case(movement: DemoResult) -> None:
    addresses = list(EmailAddress.objects.values_list("address", flat=True))
    assert all(a.endswith("@example.org") and a == a.lower() and a.isascii() for a in addresses)
    subscribed = EmailAddress.objects.filter(status="subscribed").count() / PEOPLE
    assert 0.80 <= subscribed <= 0.90


def test_names_include_non_latin_scripts(movement: DemoResult) -> None:
    names = "".join(Person.objects.values_list("given_name", flat=True))
    assert any("\u0600" <= c <= "\u06ff" for c in names)  # Arabic
    assert any("\u0590" <= c <= "\u05ff" for c in names)  # Hebrew


def test_addresses_are_real_zip_codes_and_recruits_live_near_their_recruiter(movement: DemoResult) -> None:
    address = next(iter(PostalAddress.objects.all()[:1]))
    place = place_postcode(address.postal_code)
    assert (address.locality, address.region, address.latitude) == (
        place.locality,
        place.region,
        place.latitude,
    )
    zip_of = dict(PostalAddress.objects.values_list("person_id", "postal_code"))
    pairs = list(Person.objects.filter(recruited_by__isnull=False).values_list("id", "recruited_by_id"))
    same = sum(zip_of[p] == zip_of[r] for p, r in pairs) / len(pairs)
    assert 0.6 <= same <= 0.85


def test_join_times_are_kept_and_every_recruiter_joined_first(movement: DemoResult) -> None:
    assert not Person.objects.filter(recruited_by__created_at__gte=F("created_at")).exists()
    now = timezone.now()
    oldest = Person.objects.order_by("created_at").values_list("created_at", flat=True)[0]
    newest = Person.objects.order_by("-created_at").values_list("created_at", flat=True)[0]
    assert now - timedelta(days=731) < oldest < now - timedelta(days=365)
    assert newest < now
    # Ids follow the order of joining, as they would for real signups.
    ordered = list(Person.objects.order_by("id").values_list("created_at", flat=True))
    assert ordered == sorted(ordered)
    # Stored in exactly the form Django writes, so lookups by time match.
    person = Person.objects.order_by("?").first()
    assert person is not None
    assert Person.objects.filter(created_at=person.created_at).count() >= 1
    assert EmailAddress.objects.get(person=person).created_at == person.created_at


def test_forest_has_the_published_shape(movement: DemoResult) -> None:
    recruited_nobody = Person.objects.filter(recruits__isnull=True).count() / PEOPLE
    roots = Person.objects.filter(recruited_by__isnull=True).count() / PEOPLE
    assert 0.62 <= recruited_nobody <= 0.82
    assert 0.12 <= roots <= 0.30
    assert movement.roots == Person.objects.filter(recruited_by__isnull=True).count()
    assert abs(movement.recruited_nobody - recruited_nobody) < 1e-9
    # Overdispersed: a few people recruit many.
    most = Person.objects.annotate(n=Count("recruits")).order_by("-n").values_list("n", flat=True)[0]
    assert most >= 10


def test_channels_roots_direct_recruits_through_share_channels(movement: DemoResult) -> None:
    assert set(Person.objects.filter(recruited_by__isnull=True).values_list("source_channel", flat=True)) == {
        Channel.DIRECT
    }
    recruit_channels = set(
        Person.objects.filter(recruited_by__isnull=False).values_list("source_channel", flat=True)
    )
    assert recruit_channels == set(SHARE_CHANNELS)


def test_one_joined_act_per_person_credited_to_the_recruiter(movement: DemoResult) -> None:
    joined = list(
        Activity.objects.filter(verb=Verb.JOINED).values_list(
            "person_id", "referrer_id", "channel", "occurred_at", "initiator"
        )
    )
    people = {
        pk: (recruiter, channel, created)
        for pk, recruiter, channel, created in Person.objects.values_list(
            "id", "recruited_by_id", "source_channel", "created_at"
        )
    }
    assert len(joined) == PEOPLE
    assert {person for person, *_ in joined} == set(people)
    for person, referrer, channel, occurred_at, initiator in joined:
        assert (referrer, channel, occurred_at) == people[person]
        assert initiator == 0  # a member's own act


def test_one_recruited_act_per_recruit_done_by_the_recruiter(movement: DemoResult) -> None:
    recruited = list(
        Activity.objects.filter(verb=Verb.RECRUITED).values_list(
            "person_id", "object_kind", "object_id", "referrer_id"
        )
    )
    recruits = dict(Person.objects.filter(recruited_by__isnull=False).values_list("id", "recruited_by_id"))
    assert len(recruited) == len(recruits)
    assert {(recruiter, recruit) for recruiter, _, recruit, _ in recruited} == {
        (recruiter, recruit) for recruit, recruiter in recruits.items()
    }
    assert {object_type for _, object_type, _, _ in recruited} == {ObjectKind.PERSON}
    # A recruiting act's own credit: none (lineage is read from recruited_by, not copied).
    assert all(referrer is None for _, _, _, referrer in recruited)


def test_other_acts_follow_joining(movement: DemoResult) -> None:
    assert Activity.objects.filter(verb=Verb.SHARED).exists()
    assert not Activity.objects.filter(occurred_at__lt=F("person__created_at")).exists()
    assert Activity.objects.filter(verb=Verb.UNSUBSCRIBED).count() == (
        EmailAddress.objects.filter(status="unsubscribed").count()
    )
    # Every recruiter shared on each channel a recruit came through, before that recruit joined.
    shares = set(Activity.objects.filter(verb=Verb.SHARED).values_list("person_id", "channel"))
    assert (
        set(
            Person.objects.filter(recruited_by__isnull=False).values_list("recruited_by_id", "source_channel")
        )
        <= shares
    )


def test_admin_and_a_hub_member_can_sign_in(movement: DemoResult) -> None:
    admin = User.objects.get(email=ADMIN_EMAIL)
    member = User.objects.get(email=MEMBER_EMAIL)
    assert admin.role == Role.ADMIN and admin.is_superuser
    assert member.role == Role.MEMBER
    assert Person.objects.count() == PEOPLE  # both are people of the movement
    assert member.person.recruits.count() >= 3
    assert movement.member_reach >= 50
    client = Client()
    client.force_login(member)
    page = client.get(reverse("network:hub"))
    assert page.status_code == 200
    assert "Generation 2" in page.content.decode()


@pytest.mark.django_db
def test_same_seed_same_forest() -> None:
    first = grow_forest(np.random.default_rng(SEED), 2000)
    again = grow_forest(np.random.default_rng(SEED), 2000)
    other = grow_forest(np.random.default_rng(SEED + 1), 2000)
    assert np.array_equal(first.parent, again.parent)
    assert not np.array_equal(first.parent, other.parent)

    # And in the database: a second run with the same seed, appended after the first,
    # repeats the recruited_by structure (ids shifted), but makes no second accounts.
    make_movement(people=800, seed=SEED)
    make_movement(people=800, seed=SEED)
    rows = list(Person.objects.order_by("id").values_list("id", "recruited_by_id"))
    base_a, base_b = rows[0][0], rows[800][0]
    shape_a = [r - base_a if r else None for _, r in rows[:800]]
    shape_b = [r - base_b if r else None for _, r in rows[800:]]
    assert shape_a == shape_b
    assert User.objects.count() == 2
    assert EmailAddress.objects.values("address").distinct().count() == 1600
    assert ShareCode.objects.values("code").distinct().count() == 1600


@pytest.mark.django_db
def test_command_fills_an_empty_database_and_if_empty_then_keeps_it() -> None:
    out = StringIO()
    call_command("demo", "--people", "300", "--seed", "2", "--if-empty", stdout=out)
    text = out.getvalue()
    assert "Made 300 people" in text and "recruited nobody" in text
    assert ADMIN_EMAIL in text and MEMBER_EMAIL in text and "Sign-in codes" in text
    counts = (Person.objects.count(), Activity.objects.count(), User.objects.count())

    out = StringIO()
    call_command("demo", "--people", "300", "--seed", "3", "--if-empty", stdout=out)
    text = out.getvalue()
    assert "no demo data added" in text
    # `make run` prints how to sign in every time it starts, not only the first.
    assert ADMIN_EMAIL in text and MEMBER_EMAIL in text and "Sign-in codes" in text
    assert (Person.objects.count(), Activity.objects.count(), User.objects.count()) == counts


@pytest.mark.django_db
def test_if_empty_leaves_someone_elses_database_alone() -> None:
    Person.objects.create(given_name="Real")
    out = StringIO()
    call_command("demo", "--people", "50", "--seed", "1", "--if-empty", stdout=out)
    assert "Sign in as" not in out.getvalue()  # no demo accounts to offer
    assert Person.objects.count() == 1
    assert not Activity.objects.exists()


def test_a_demo_recruit_is_stored_as_the_join_page_stores_one(movement: DemoResult) -> None:
    """The demo writes in bulk, but by the services' rules: a recruit of its making and one
    who joins through the same recruiter's link leave the same rows and the same acts."""
    from django.db.models import Q

    from groundswell.accounts.actors import ANONYMOUS
    from groundswell.network.services import join

    def shape(person: Person) -> tuple:
        roles = {person.pk: "newcomer", person.recruited_by_id: "recruiter", None: None}
        acts = Activity.objects.filter(
            Q(person=person) | Q(object_kind=ObjectKind.PERSON, object_id=person.pk),
            verb__in=[Verb.JOINED, Verb.RECRUITED, Verb.SUBSCRIBED],
        )
        return (
            sorted(
                (
                    Verb(a.verb).name,
                    roles.get(a.person_id, "other"),
                    roles.get(a.actor_id, "other"),
                    roles.get(a.referrer_id, "other"),
                    roles.get(a.object_id, "other"),
                    a.initiator,
                )
                for a in acts
            ),
            list(person.email_addresses.values_list("primary", "status")),
            list(person.consents.values_list("purpose", "granted", "wording")),
            list(person.postal_addresses.values_list("primary", flat=True)),
            person.share_codes.count(),
        )

    demo = (
        Person.objects.filter(recruited_by__isnull=False, email_addresses__status="subscribed")
        .exclude(email_addresses__address__in=[ADMIN_EMAIL, MEMBER_EMAIL])
        .order_by("id")
        .first()
    )
    assert demo is not None and demo.recruited_by_id is not None
    code = ShareCode.objects.filter(person_id=demo.recruited_by_id).first()
    assert code is not None
    joined = join(
        actor=ANONYMOUS,
        email="real.recruit@example.org",
        given_name="Real",
        postal_code="10001",
        email_consent=True,
        ref=code.code,
        via="whatsapp",
    )
    assert shape(demo) == shape(joined.person)


def test_share_links_were_opened_at_least_as_often_as_people_joined_through_them(
    movement: DemoResult,
) -> None:
    from groundswell.network.selectors import reach_by_channel

    assert movement.rows["share link visits"] > 0
    recruiters = Person.objects.filter(recruits__isnull=False).distinct()
    for recruiter in recruiters:
        for reach in reach_by_channel(recruiter):
            assert reach.clicks >= reach.joins, (recruiter.pk, reach)
    # And some links were opened by people who never joined.
    quiet = [r for p in Person.objects.filter(recruits__isnull=True)[:400] for r in reach_by_channel(p)]
    assert any(r.clicks > 0 for r in quiet)
