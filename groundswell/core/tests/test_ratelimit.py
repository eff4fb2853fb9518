"""The rate-limit primitive: sliding windows on Django's cache, per IP and per person."""

import logging
import threading
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings

from groundswell.core import ratelimit
from groundswell.core.errors import RateLimited
from groundswell.core.ratelimit import Limit, check, client_ip, parse_limits


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000 * 3600.0  # on a window boundary for every window used here

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(ratelimit, "_clock", fake)
    return fake


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def allowed(
    scope: str = "rsvp", *, ip: str | None = "192.0.2.1", person_id: int | None = None, limits="2/m/ip"
) -> bool:
    try:
        check(scope, ip=ip, person_id=person_id, limits=limits)
    except RateLimited:
        return False
    return True


# --- Reading limits ----------------------------------------------------------------------


def test_limits_read_like_allauths():
    assert parse_limits("30/h/ip, 10/10m/person,5/d/person,3/90s/ip") == (
        Limit(30, 3600, "ip"),
        Limit(10, 600, "person"),
        Limit(5, 86400, "person"),
        Limit(3, 90, "ip"),
    )
    assert parse_limits("") == parse_limits("  ") == ()


@pytest.mark.parametrize("spec", ["30", "30/h", "30/h/key", "0/h/ip", "x/h/ip", "3/w/ip", "3/0m/ip", "3//ip"])
def test_a_limit_written_wrong_is_a_configuration_error(spec):
    with pytest.raises(ImproperlyConfigured):
        parse_limits(spec)


def test_every_scope_the_views_use_has_limits_in_settings(settings):
    for scope in ("join", "rsvp", "host_event", "member_mail"):
        assert parse_limits(settings.GROUNDSWELL_RATE_LIMITS[scope]), scope
    with pytest.raises(ImproperlyConfigured):
        check("no_such_scope", ip="192.0.2.1", person_id=1)


@override_settings(GROUNDSWELL_RATE_LIMITS={"join": "2/h/ip", "rsvp": ""})
def test_the_settings_give_each_scope_its_limits(clock):
    assert all(allowed("join", limits=None) for _ in range(2))
    assert not allowed("join", limits=None)
    assert all(allowed("rsvp", limits=None) for _ in range(50))  # an empty value turns a scope off


# --- Counting ------------------------------------------------------------------------------


def test_past_the_limit_a_person_is_told_to_wait(clock):
    assert allowed() and allowed()
    with pytest.raises(RateLimited) as refused:
        check("rsvp", ip="192.0.2.1", person_id=None, limits="2/m/ip")
    assert refused.value.message == "Too many tries — please wait a few minutes."
    assert 0 < refused.value.retry_after <= 120


def test_each_person_and_each_address_has_its_own_count(clock):
    limits = "3/h/ip,1/h/person"
    assert allowed(person_id=1, limits=limits)
    assert not allowed(person_id=1, ip="192.0.2.99", limits=limits)  # same person, another address
    assert allowed(person_id=2, limits=limits)  # another person, same address
    assert allowed(person_id=3, limits=limits)
    assert not allowed(person_id=4, limits=limits)  # the address's three are used
    assert allowed("join", person_id=4, limits=limits)  # scopes count apart


def test_what_is_not_known_is_not_limited(clock):
    limits = "1/h/ip,1/h/person"
    assert allowed(ip=None, person_id=1, limits=limits)
    assert allowed(ip="192.0.2.7", person_id=None, limits=limits)
    assert allowed(ip=None, person_id=None, limits=limits)
    assert not allowed(ip="192.0.2.7", person_id=None, limits=limits)


def test_the_window_slides_so_there_is_no_double_burst_at_its_edge(clock):
    clock.now += 59  # the end of one minute
    assert all(allowed(limits="10/m/ip") for _ in range(10))
    clock.now += 2  # a fixed window would start afresh here, allowing ten more
    assert not allowed(limits="10/m/ip")
    clock.now += 30  # half the last minute's count still weighs
    assert sum(allowed(limits="10/m/ip") for _ in range(10)) == 5


def test_refused_tries_are_not_counted(clock):
    assert allowed() and allowed()
    assert not any(allowed() for _ in range(20))
    # Had the twenty refused tries counted, 22 * 0.5 would still be over the limit here.
    clock.now += 90
    assert allowed()


def test_a_refusal_says_when_to_come_back(clock):
    assert allowed() and allowed()
    with pytest.raises(RateLimited) as refused:
        check("rsvp", ip="192.0.2.1", person_id=None, limits="2/m/ip")
    wait = refused.value.retry_after
    clock.now += wait - 2
    assert not allowed()
    clock.now += 2
    assert allowed()


def test_a_refusal_while_the_last_window_still_weighs_says_when_it_weighs_little_enough(clock):
    assert allowed() and allowed()
    clock.now += 70  # ten seconds into the next minute: the two still weigh 5/6
    with pytest.raises(RateLimited) as refused:
        check("rsvp", ip="192.0.2.1", person_id=None, limits="2/m/ip")
    assert refused.value.retry_after == 20  # at 30 s in, 2 * 1/2 + 1 fits
    clock.now += 18
    assert not allowed()
    clock.now += 2
    assert allowed()


@pytest.mark.parametrize(
    ("limits", "words"),
    [
        ("3/10m/person", "please wait a few minutes"),
        ("3/h/person", "please try again in an hour or so"),
        ("1/4h/person", "please try again later today"),
        ("1/d/person", "please try again tomorrow"),
    ],
)
def test_the_message_fits_the_wait(clock, limits, words):
    for _ in range(parse_limits(limits)[0].amount):
        check("host_event", ip=None, person_id=5, limits=limits)
    with pytest.raises(RateLimited, match=words):
        check("host_event", ip=None, person_id=5, limits=limits)


def test_an_ipv6_household_is_one_address_and_ipv4_mapped_is_ipv4(clock):
    assert allowed(ip="2001:db8:1:2::1", limits="1/h/ip")
    assert not allowed(ip="2001:db8:1:2:ffff::9", limits="1/h/ip")  # same /64
    assert allowed(ip="2001:db8:1:3::1", limits="1/h/ip")  # the next /64
    assert allowed(ip="203.0.113.4", limits="1/h/ip")
    assert not allowed(ip="::ffff:203.0.113.4", limits="1/h/ip")


def test_concurrent_tries_never_get_past_the_limit(clock):
    passed: list[bool] = []
    barrier = threading.Barrier(20)

    def attempt() -> None:
        barrier.wait()
        passed.append(allowed(limits="5/h/ip"))

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(passed) == 5


# --- When the cache is down ---------------------------------------------------------------


class DownCache(LocMemCache):
    """A cache whose server is unreachable: Django's Redis backend raises like this."""

    def add(self, *args, **kwargs):
        raise ConnectionError("connection refused")

    def get(self, *args, **kwargs):
        raise ConnectionError("connection refused")

    def incr(self, *args, **kwargs):
        raise ConnectionError("connection refused")


class FailSoftCache(LocMemCache):
    """A fail-soft backend while its server is down: nothing stored, nothing found."""

    def add(self, *args, **kwargs):
        return False

    def get(self, key, default=None, version=None):
        return default

    def incr(self, key, delta=1, version=None):
        raise ValueError(f"Key '{key}' not found")


class EmptyAnsweringCache(LocMemCache):
    """core.cache.ResilientRedisCache while Redis is down: every add "succeeds", every
    counter has just started, nothing is found."""

    def add(self, *args, **kwargs):
        return True

    def get(self, key, default=None, version=None):
        return default

    def incr(self, key, delta=1, version=None):
        return delta


@pytest.mark.parametrize("backend", ["DownCache", "FailSoftCache"])
def test_when_the_cache_is_unreachable_people_are_let_through(backend, clock, caplog):
    caches = {"default": {"BACKEND": f"{__name__}.{backend}"}}
    logged = caplog.at_level(logging.WARNING, logger="groundswell.core.ratelimit")
    with override_settings(CACHES=caches), logged:
        assert all(allowed(limits="1/h/ip,1/h/person", person_id=1) for _ in range(5))
    assert "rate limit for rsvp not checked" in caplog.text


def test_a_cache_that_answers_as_empty_lets_people_through(clock):
    with override_settings(CACHES={"default": {"BACKEND": f"{__name__}.EmptyAnsweringCache"}}):
        assert all(allowed(limits="1/h/ip,1/h/person", person_id=1) for _ in range(5))


# --- The visitor's address ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("remote", "forwarded", "behind_proxy", "expected"),
    [
        ("192.0.2.1", "", False, "192.0.2.1"),
        ("192.0.2.1", "203.0.113.5", False, "192.0.2.1"),  # no proxy: the header is anyone's to write
        ("10.0.0.2", "203.0.113.5", True, "203.0.113.5"),
        ("10.0.0.2", "198.51.100.66, 203.0.113.5", True, "203.0.113.5"),  # the first entry is forged
        ("10.0.0.2", "203.0.113.5:4711", True, "203.0.113.5"),
        ("10.0.0.2", "[2001:db8::1]:4711", True, "2001:db8::1"),
        ("10.0.0.2", "", True, "10.0.0.2"),
        ("10.0.0.2", "not an address", True, None),
    ],
)
def test_the_client_address(remote, forwarded, behind_proxy, expected):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR=remote, **headers)
    with override_settings(BEHIND_TLS_PROXY=behind_proxy):
        assert client_ip(request) == expected
