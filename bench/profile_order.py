"""CPU and statements per API order, in-process: N orders of 1–3 lines POSTed to /api/v1/orders/ with
Django's test client on the bench store (recipes, stations), against PostgreSQL.

    python -m bench.profile_order -n 300            # CPU ms/order (process time) and statements/order
    python -m bench.profile_order -n 300 --cprofile # and the top of a cProfile of the same orders
    python -m bench.profile_order --sql             # the statements of one 3-line order

The process time is this Python process only (the web side: middleware, DRF, services, the ORM and
the driver); the database's CPU is not in it. DATABASE_URL as for bench.run (default ops_bench).
"""

import argparse
import cProfile
import json
import pstats
import random
import statistics
import time
import uuid


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=200, help="orders to place (after 20 to warm up)")
    parser.add_argument("--cprofile", action="store_true", help="print the top of a cProfile")
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key (cumulative, tottime)")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--sql", action="store_true", help="print the statements of one 3-line order")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)

    from bench.run import _pos_store, configure

    configure(args.database_url)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from orders.models import MenuItem
    from restaurant_ops.services import api_key_create

    store = _pos_store()
    items = list(MenuItem.objects.filter(store=store).values_list("id", flat=True))
    _key, raw = api_key_create(
        store=store, name=f"profile {uuid.uuid4().hex[:6]}", scope="write", created_by=None
    )
    client = Client(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    run = uuid.uuid4().hex[:8]

    def place(n: int, lines: int | None = None):
        rng = random.Random(n)
        count = lines or rng.randint(1, 3)
        body = {
            "store": store.slug,
            "lines": [
                {"item": rng.choice(items), "quantity": rng.choice([1, 1, 1, 2])} for _ in range(count)
            ],
        }
        response = client.post(
            "/api/v1/orders/",
            json.dumps(body),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"{run}-{n}",
        )
        assert response.status_code == 201, response.content[:500]

    for n in range(20):  # warm: imports, caches, the connection
        place(-1 - n)

    if args.sql:
        with CaptureQueriesContext(connection) as captured:
            place(10**6, lines=3)
        for number, query in enumerate(captured.captured_queries, 1):
            print(f"{number:3} {float(query['time']) * 1000:6.2f} ms  {query['sql'][:220]}")
        return

    with CaptureQueriesContext(connection) as captured:
        for n in range(20):
            place(10**7 + n)
    statements = len(captured.captured_queries) / 20

    profiler = cProfile.Profile(time.process_time) if args.cprofile else None  # CPU, not wall
    # In chunks of 25: on a shared machine the fastest chunk is the least disturbed figure, the median
    # the typical one.
    chunks, cpu, wall = [], 0.0, 0.0
    for first in range(0, args.n, 25):
        count = min(25, args.n - first)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        for n in range(first, first + count):
            place(n)
        if profiler:
            profiler.disable()
        chunk = time.process_time() - cpu0
        cpu, wall = cpu + chunk, wall + time.perf_counter() - wall0
        chunks.append(chunk / count * 1000)
    print(
        f"{args.n} orders of 1–3 lines: CPU/order (this process) {cpu / args.n * 1000:.2f} ms mean, "
        f"{statistics.median(chunks):.2f} median and {min(chunks):.2f} best of chunks of 25; "
        f"{wall / args.n * 1000:.2f} ms wall/order; {statements:.1f} statements/order"
        + (" [under cProfile: CPU inflated]" if profiler else "")
    )
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
