"""With Redis unreachable the cache fails open: throttles and de-bounce marks let requests through,
and the outage is logged once, not once per call."""

import logging

from restaurant_ops import cache as cache_module
from restaurant_ops.cache import FailOpenRedisCache


def test_an_unreachable_redis_answers_as_an_empty_cache_and_logs_once(caplog, monkeypatch):
    monkeypatch.setattr(cache_module, "_last_logged", 0.0)
    cache = FailOpenRedisCache("redis://127.0.0.1:21499/0", {"OPTIONS": {"socket_connect_timeout": 0.5}})
    with caplog.at_level(logging.WARNING, logger="restaurant_ops.cache"):
        assert cache.get("k", "fallback") == "fallback"
        assert cache.add("k", 1) is True  # a de-bounce mark: the caller goes ahead
        assert cache.incr("k") == 1  # a throttle counter: the first use
        cache.set("k", 1)
        assert cache.get_many(["k"]) == {}
        assert cache.delete("k") is False
    assert [r.message for r in caplog.records] == ["cache unreachable (ConnectionError in get): failing open"]


def test_one_redis_client_serves_every_call():
    # redis-py's client is costly to make (each cache call on the order path made one): the backend
    # makes one per connection pool and hands it to every call. No server needed: making a client
    # connects nothing.
    backend = FailOpenRedisCache("redis://127.0.0.1:21499/0", {"OPTIONS": {"socket_connect_timeout": 0.5}})
    client = backend._cache.get_client(write=True)
    assert backend._cache.get_client() is client and backend._cache.get_client(write=True) is client
    assert backend.get("k", "fallback") == "fallback"  # unreachable: fails open, and keeps its client
    assert backend._cache.get_client() is client
