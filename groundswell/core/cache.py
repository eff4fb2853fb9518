"""A Redis cache that a Redis outage cannot turn into server errors.

Everything Groundswell keeps in the cache can be recomputed or done without: rate-limit
counters (core.ratelimit lets people through when it cannot count), allauth's sign-in rate
limits, cached pages. So while Redis is unreachable each call logs, answers as a cache that
holds nothing would (a miss, the default) and the request carries on. Django's own
RedisCache raises instead, and one join with REDIS_URL set then failed with a 500.

After a connection failure the cache is skipped altogether for `down_for` seconds, shared by
every thread of the process: otherwise each request would wait out a connect timeout per
cache call when Redis is unreachable rather than refusing.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

T = TypeVar("T")

# Seconds. A cache answers in a millisecond; one that takes longer than this is as good as
# down, and a web request must not hang on it (redis-py waits for ever by default).
DEFAULT_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


class ResilientRedisCache(RedisCache):
    """Django's RedisCache, failing open: a miss when Redis cannot be reached."""

    # Seconds to stop trying after a connection failure.
    down_for = 5.0
    # server location -> time.monotonic() until which it is taken to be down (per process).
    _down_until: dict[str, float] = {}
    _lock = threading.Lock()

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        params = {**params, "OPTIONS": {**DEFAULT_OPTIONS, **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        self._where = server if isinstance(server, str) else ",".join(server)

    def _call(self, fallback: T, operation: Callable[[], T]) -> T:
        if time.monotonic() < self._down_until.get(self._where, 0.0):
            return fallback
        try:
            return operation()
        except (RedisConnectionError, RedisTimeoutError) as error:
            with self._lock:
                first = time.monotonic() >= self._down_until.get(self._where, 0.0)
                self._down_until[self._where] = time.monotonic() + self.down_for
            if first:  # once per outage and process, not once per call
                log.warning("cache unreachable, carrying on without it for %ss: %s", self.down_for, error)
            return fallback
        except RedisError:
            # Redis answered with an error (out of memory, read-only replica): this call
            # goes without the cache; the next one tries again.
            log.warning("cache error; carrying on without it", exc_info=True)
            return fallback

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._call(default, lambda: super(ResilientRedisCache, self).get(key, default, version))

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        # True, as if stored: a caller that uses add() as "first one here" (a counter, a
        # session key) goes ahead rather than looping or refusing while the cache is away.
        return self._call(True, lambda: super(ResilientRedisCache, self).add(key, value, timeout, version))

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._call(None, lambda: super(ResilientRedisCache, self).set(key, value, timeout, version))

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._call(False, lambda: super(ResilientRedisCache, self).touch(key, timeout, version))

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._call(False, lambda: super(ResilientRedisCache, self).delete(key, version))

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._call({}, lambda: super(ResilientRedisCache, self).get_many(keys, version))

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._call(False, lambda: super(ResilientRedisCache, self).has_key(key, version))

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # A counter that just started: a rate limit counting through the cache lets the act
        # through. (A missing key still raises ValueError when Redis is up, as Django's does.)
        return self._call(delta, lambda: super(ResilientRedisCache, self).incr(key, delta, version))

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list:
        # Django's contract: the keys that could not be stored.
        return self._call(
            list(data), lambda: super(ResilientRedisCache, self).set_many(data, timeout, version)
        )

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._call(None, lambda: super(ResilientRedisCache, self).delete_many(keys, version))

    def clear(self) -> None:
        self._call(None, lambda: super(ResilientRedisCache, self).clear())
