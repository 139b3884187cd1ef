"""The Redis cache, failing open. Redis holds only disposable state (throttle counters, de-bounce
marks), so its outage must never stop an order, a payment or the kitchen display: a call that cannot
reach Redis answers as an empty cache would (get → default, add → True, incr → the first count) and
the outage is logged once a minute, not once a request."""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
LOG_EVERY_SECONDS = 60
_last_logged = 0.0

# What each operation answers while Redis is unreachable: what it would answer on an empty cache.
FALLBACKS = {
    "get": lambda key, default=None, *a, **k: default,
    "add": lambda *a, **k: True,
    "set": lambda *a, **k: None,
    "touch": lambda *a, **k: False,
    "delete": lambda *a, **k: False,
    "get_many": lambda *a, **k: {},
    "has_key": lambda *a, **k: False,
    "incr": lambda key, delta=1, *a, **k: delta,
    "decr": lambda key, delta=1, *a, **k: -delta,
    "set_many": lambda *a, **k: [],
    "delete_many": lambda *a, **k: None,
    "clear": lambda *a, **k: None,
}


def _log_outage(operation: str, exc: Exception) -> None:
    global _last_logged
    now = time.monotonic()
    if now - _last_logged >= LOG_EVERY_SECONDS:
        _last_logged = now
        logger.warning("cache unreachable (%s in %s): failing open", exc.__class__.__name__, operation)


def _fail_open(name: str):
    method = getattr(RedisCache, name)

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            _log_outage(name, exc)
            return FALLBACKS[name](*args, **kwargs)

    return wrapper


class _OneClientPerPool(RedisCacheClient):
    # Django makes a new redis.Redis for every cache call, and redis-py fills about a hundred response
    # callbacks in each one's constructor: that was most of the CPU of a cache read on the order path
    # (three per order). One client per connection pool, made once, serves every call: a client holds
    # no state of its own beyond the pool, which is thread-safe and drops its connections after a fork.
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        if (client := self._clients.get(pool)) is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class FailOpenRedisCache(RedisCache):
    """settings.CACHES backend when REDIS_URL is set."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _OneClientPerPool  # RedisCache sets its own client class here


for _name in FALLBACKS:
    setattr(FailOpenRedisCache, _name, _fail_open(_name))
