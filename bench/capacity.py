"""A capacity model for a chain of CHAIN_STORES stores (#16), every figure derived from a measurement of
this run (the section it comes from is named beside it). Runs last: it reads what the other sections
measured, plus the database's size on disk, and says which inputs this run did not measure.

- orders/s per core at peak: API orders/s at 8 clients (placement section; web and PostgreSQL on the
  same cores) ÷ the machine's cores;
- the chain's peak: its busiest store-hour in the generated year (the dataset's own busiest hour) × the
  stores, ÷ the per-core rate → cores at peak;
- database size per store-year: the order tables' bytes (heap, indexes, TOAST) per order line across
  the bench database × the order lines of one store-year;
- nightly workers: worker-seconds per store on one worker (fan-out section), scaled linearly from the
  chain's store size to a store-year (the analyses grow at most linearly: the growth figures), × the
  stores ÷ the night's window.
"""

import math

CHAIN_STORES = 200
ORDER_TABLES = (
    "orders_order",
    "orders_orderline",
    "orders_orderstatuschange",
    "orders_check",
    "orders_payment",
    "inventory_stockmovement",
    "kitchen_ticket",
    "kitchen_ticketline",
)


def _mb(n: float) -> float:
    return round(n / 1e6, 1)


def bench_capacity(results, cfg: dict) -> None:
    from django.db import connection

    from orders.models import OrderLine
    from restaurant_ops.models import Store

    print(f"Capacity model for a {CHAIN_STORES}-store chain", flush=True)
    d = results.details
    cores = d.get("machine", {}).get("cores") or 1
    model: dict = {"stores": CHAIN_STORES, "rows": [], "missing": []}
    rows = model["rows"]

    # Database size per store-year.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "WHERE c.relkind = 'r' AND c.relname = ANY(%s)",
            [list(ORDER_TABLES)],
        )
        table_bytes = int(cursor.fetchone()[0])
        cursor.execute("SELECT pg_database_size(current_database())")
        database_bytes = int(cursor.fetchone()[0])
    all_lines = OrderLine.objects.count()
    year_lines = cfg["sizes"][-1] if cfg["sizes"][-1] <= 200_000 else cfg["sizes"][0]
    year = Store.objects.filter(slug=f"bench-{year_lines}").first()
    if year is not None:
        year_lines = OrderLine.objects.filter(order__store=year).count()
    if all_lines:
        per_line = table_bytes / all_lines
        store_year = per_line * year_lines
        rows.append(
            {
                "figure": "database size per store-year",
                "value": f"{_mb(store_year)} MB ({store_year * CHAIN_STORES / 1e9:.1f} GB a year for "
                f"{CHAIN_STORES} stores)",
                "from": f"order, line, check, payment, stock and ticket tables: {_mb(table_bytes)} MB for "
                f"{all_lines} order lines in the bench database = {per_line:.0f} bytes per line, × "
                f"{year_lines} lines in one store-year (dataset bench-{year_lines}); the whole bench "
                f"database is {_mb(database_bytes)} MB",
            }
        )
        model["bytes_per_line"] = round(per_line, 1)
        model["store_year_mb"] = _mb(store_year)

    # Orders/s per core at peak, and the chain's peak.
    placement = d.get("placement", {})
    at8 = placement.get("api_c8") or next(
        (placement[k] for k in sorted(placement) if k.startswith("api_c")), None
    )
    busiest = None
    if year is not None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM orders_order WHERE store_id = %s "
                "GROUP BY business_date, date_trunc('hour', placed_at) ORDER BY 1 DESC LIMIT 1",
                [year.pk],
            )
            found = cursor.fetchone()
            busiest = found[0] if found else None
    if at8:
        per_core = at8["throughput"] / cores
        model["orders_per_s_per_core"] = round(per_core, 2)
        rows.append(
            {
                "figure": "orders/s per core at peak",
                "value": f"{per_core:.1f}",
                "from": f"placement: {at8['throughput']} API orders/s at {at8['clients']} clients, gunicorn "
                f"and PostgreSQL on the same {cores} cores (p50 {at8['p50_ms']} ms)",
            }
        )
        if busiest:
            chain_peak = busiest * CHAIN_STORES / 3600
            rows.append(
                {
                    "figure": f"cores at the chain's peak ({CHAIN_STORES} stores)",
                    "value": f"{math.ceil(chain_peak / per_core)} (for {chain_peak:.1f} orders/s)",
                    "from": f"the busiest store-hour of bench-{year_lines}: {busiest} orders, × "
                    f"{CHAIN_STORES} stores all at their peak at once ÷ 3600 s, ÷ the per-core rate",
                }
            )
    else:
        model["missing"].append("orders/s per core (the placement section did not run)")

    peak = d.get("peak")
    if peak:
        orders = sum(
            p["per_s"]
            for name, p in peak["pages"].items()
            if name in ("api order", "guest order", "till order")
        )
        rows.append(
            {
                "figure": "orders/s per core in the mixed peak",
                "value": f"{orders / cores:.1f}",
                "from": f"mixed peak: API, guest and till orders together {orders:.1f}/s while kitchen "
                "displays polled and the owner read the dashboard, ÷ cores",
            }
        )

    # Nightly workers.
    fanout = d.get("fanout")
    if fanout:
        per_store = fanout["worker_seconds_per_store"]
        scaled = per_store * max(1.0, year_lines / fanout["lines_per_store"])
        window = fanout["window_h"] * 3600
        workers = math.ceil(CHAIN_STORES * scaled / window)
        runs = fanout["runs"]
        speedup = runs["1"]["wall_s"] / runs["2"]["wall_s"] if runs["2"]["wall_s"] else float("nan")
        model["nightly_workers"] = workers
        rows.append(
            {
                "figure": "workers for the nightly run",
                "value": f"{workers} (each with its share of database capacity)",
                "from": f"fan-out: {per_store:.2f} worker-seconds per store of {fanout['lines_per_store']} "
                f"lines on one worker, × {year_lines / fanout['lines_per_store']:.1f} to a store-year of "
                f"{year_lines} lines = {scaled:.1f} s, × {CHAIN_STORES} stores ÷ a {fanout['window_h']} h "
                f"window; 2 workers on these {cores} cores ran {speedup:.2f}× faster than 1, so a "
                "second worker needs cores of its own (web and database share these)",
            }
        )
    else:
        model["missing"].append("nightly workers (the fan-out section did not run)")
    results.details["capacity"] = model
    for row in rows:
        print(f"  {row['figure']}: {row['value']}", flush=True)
