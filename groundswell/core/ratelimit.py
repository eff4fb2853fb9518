"""Rate limits for acts anyone can repeat: joining, RSVPs, hosting, writing to attendees.

A limit reads like allauth's (``ACCOUNT_RATE_LIMITS``): ``"amount/window/per"``, the window a
number and a unit (s, m, h, d; ``h`` alone is one hour), ``per`` either ``ip`` (the visitor's
address) or ``person``. ``"60/h/ip,10/10m/person"`` allows 60 an hour from one address and 10 in
ten minutes by one person. The limits of each scope are the ``GROUNDSWELL_RATE_LIMITS`` setting.

Counting is a sliding-window counter on Django's cache API, so it works with any backend
(Redis in production, local memory on a laptop): each window has a counter made with
``cache.add`` and raised with ``cache.incr`` (both atomic in Redis and memcached), and the
previous window's count is weighted by how much of it still overlaps the sliding window. That
avoids a fixed window's double burst at the boundary for one extra cache read. A refused
attempt is not counted (its increment is taken back), so someone who waits is not punished for
having tried while locked out.

When the cache cannot be reached the act is allowed: a broken cache must not stop people
joining or RSVPing. The failure is logged.

Callers (views) call ``check`` before the service, with the visitor's ``client_ip(request)``
and the signed-in person's id, and show the ``RateLimited`` message, for instance::

    ratelimit.check("rsvp", ip=ratelimit.client_ip(request), person_id=person.pk if person else None)
"""

import contextlib
import ipaddress
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.http.request import split_domain_port

from groundswell.core.errors import RateLimited

logger = logging.getLogger(__name__)

PER = ("ip", "person")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# IPv6 visitors are counted by their /64, the block one household or phone is given: otherwise
# anyone could step through 2^64 addresses of their own.
IPV6_PREFIX = 64


@dataclass(frozen=True)
class Limit:
    amount: int
    seconds: int
    per: str


def parse_limits(spec: str) -> tuple[Limit, ...]:
    """``"30/h/ip,10/10m/person"`` as limits; an empty string is no limit."""
    return _parse(spec.strip())


@lru_cache(maxsize=64)
def _parse(spec: str) -> tuple[Limit, ...]:
    limits = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        wrong = ImproperlyConfigured(f"A rate limit reads like 30/h/ip or 10/10m/person, not {part!r}")
        try:
            amount, window, per = part.split("/")
            number, unit = window[:-1], window[-1]
            seconds = int(float(number or 1) * _UNITS[unit])
            limit = Limit(int(amount), seconds, per)
        except (ValueError, KeyError, IndexError):
            raise wrong from None
        if limit.per not in PER or limit.amount < 1 or limit.seconds < 1:
            raise wrong
        limits.append(limit)
    return tuple(limits)


def client_ip(request: HttpRequest) -> str | None:
    """The visitor's IP address, or None if there is no valid one.

    Behind our TLS proxy (``BEHIND_TLS_PROXY``) it is the last address in X-Forwarded-For: the
    one our proxy appended. Earlier entries are whatever the client sent and may be forged.
    Without the proxy it is the connection's address. allauth reads it the same way
    (``ALLAUTH_TRUSTED_PROXY_COUNT = 1``), so sign-in and our limits count the same visitor."""
    raw = None
    if getattr(settings, "BEHIND_TLS_PROXY", False):
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded.strip():
            raw = forwarded.split(",")[-1]
    if raw is None:
        raw = request.META.get("REMOTE_ADDR")
    return _valid_ip(raw) if raw else None


def _valid_ip(raw: str) -> str | None:
    raw = raw.strip()
    host, port = split_domain_port(raw)
    if port and host:  # "203.0.113.9:4711" or "[2001:db8::1]:4711"
        raw = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


def _ip_key(ip: str) -> str:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/{IPV6_PREFIX}", strict=False).network_address)
    return str(address)


class _CacheUnavailable(Exception):
    pass


# Tests move the clock.
_clock = time.time


def check(
    scope: str,
    *,
    ip: str | None,
    person_id: int | None,
    limits: str | Sequence[Limit] | None = None,
) -> None:
    """Count one act of ``scope`` by this address and this person; raise ``RateLimited`` when
    any limit is past. Limits ``per`` ip are skipped when ``ip`` is None, those ``per`` person
    when ``person_id`` is None (a guest). ``limits`` defaults to the scope's setting.

    Staff acting for the movement (an organizer hosting a day of action's events) should not be
    limited: that is the caller's choice, by not calling this."""
    if limits is None:
        configured = getattr(settings, "GROUNDSWELL_RATE_LIMITS", {})
        if scope not in configured:
            raise ImproperlyConfigured(f"No rate limits for {scope!r} in GROUNDSWELL_RATE_LIMITS")
        limits = configured[scope]
    if isinstance(limits, str):
        limits = parse_limits(limits)
    who = {"ip": _ip_key(ip) if ip else None, "person": str(person_id) if person_id is not None else None}
    applicable = [(limit, who[limit.per]) for limit in limits if who[limit.per] is not None]
    if not applicable:
        return
    now = _clock()
    counted: list[str] = []
    try:
        for limit, ident in applicable:
            window, elapsed = divmod(now, limit.seconds)
            base = f"gs:rl:{scope}:{limit.per}:{limit.amount}/{limit.seconds}:{ident}"
            key = f"{base}:{int(window)}"
            # Kept for two windows: next window it is the "previous" count.
            current = _increment(key, timeout=2 * limit.seconds)
            counted.append(key)
            previous = cache.get(f"{base}:{int(window) - 1}") or 0
            weight = 1 - elapsed / limit.seconds
            if previous * weight + current > limit.amount:
                _take_back(counted)
                wait = _wait(previous, current - 1, limit, elapsed)
                raise RateLimited(_message(wait), retry_after=max(1, int(wait + 0.999)))
    except _CacheUnavailable:
        _take_back(counted)
        logger.warning("rate limit for %s not checked: the cache is unavailable", scope)
    except RateLimited:
        raise
    except Exception:
        # Whatever a cache backend raises when its server is down (connection refused, a
        # timeout): let the person through.
        _take_back(counted)
        logger.warning("rate limit for %s not checked: the cache failed", scope, exc_info=True)


def _increment(key: str, *, timeout: int) -> int:
    if cache.add(key, 1, timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:
        # The key expired between add and incr, or the cache holds nothing (down, or a
        # fail-soft backend answering "not stored"): one more try tells which.
        if cache.add(key, 1, timeout):
            return 1
        raise _CacheUnavailable from None


def _take_back(keys: list[str]) -> None:
    for key in keys:
        # Expired, or the cache went away: nothing to take back.
        with contextlib.suppress(Exception):
            cache.decr(key)


def _wait(previous: float, current: int, limit: Limit, elapsed: float) -> float:
    """Seconds until one more act fits, given the counts without it: the weight of the
    previous window falls linearly to nothing at the end of the current one."""
    seconds = limit.seconds
    room = limit.amount - current - 1
    if room >= 0 and previous > 0:
        # previous * (1 - (elapsed + t) / seconds) <= room
        return max(0.0, seconds * (1 - room / previous) - elapsed)
    until_next = seconds - elapsed
    # Next window this one is the previous: current * (1 - t / seconds) + 1 <= amount.
    if current <= limit.amount - 1:
        return until_next
    return until_next + seconds * (1 - (limit.amount - 1) / current)


def _message(wait: float) -> str:
    if wait <= 15 * 60:
        when = "please wait a few minutes"
    elif wait <= 90 * 60:
        when = "please try again in an hour or so"
    elif wait <= 8 * 3600:
        when = "please try again later today"
    else:
        when = "please try again tomorrow"
    return f"Too many tries — {when}."
