"""The answer cache of the dashboard's read endpoints (docs/answer-cache.md): an endpoint's JSON is served
from the cache only when it is exactly what a fresh computation would return now.

The key holds the endpoint, the parameters as resolved (store, the dates a default period resolved to,
today's business date, the minute for the endpoints that count "so far"), the caller's role at the store,
the language, and the store's data version: one SQL statement of cheap per-store subselects over every
table these endpoints read, READ from the data rather than bumped by signals, so `queryset.update()`,
`bulk_create` and the history import's COPY move it too. What moves it, table by table:

- order writes of every kind (placed, voided, cancelled, refunded, discounted, comped, imported): the
  sales rollup's max id, as each inserts a delta row (docs/sales-rollup.md); plus the orders' and the
  kitchen tickets' max `updated_at` (ticket times, statuses), which every write of theirs sets;
- tables updated in place carry `updated_at` (auto_now, and the `.update()` calls in the services set it
  by hand): max(updated_at) catches an edit, count(*) a deletion;
- insert-only or replaced-wholesale tables (stock movements, the forecast, staffing requirements, closed
  dates): max(id), with count(*) where rows are deleted.

It lives in analytics.api because the analytics endpoints may not import dashboard (import-linter);
the dashboard's endpoints import it from here. It is in one place on purpose: a view passes its
resolved parameters and a function that computes the answer, nothing else."""

import functools
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import connections, router
from django.utils import timezone, translation

from restaurant_ops.models import ApiKey, Membership, Store
from restaurant_ops.timeutils import business_date

TIMEOUT_SECONDS = 60 * 60  # entries are never stale (the version is in the key); this only frees memory


def _edited(table: str, alias: str = "", join: str = "", store: str = "store_id") -> str:
    """A table edited in place: every `updated_at` (their sum on PostgreSQL, see `_stamp`) and the count,
    which notices a deletion."""
    column = f"{alias}.updated_at" if alias else "updated_at"
    return f"SELECT STAMP({column}) || ':' || COUNT(*) FROM {table} {alias} {join} WHERE {store} = %s"


# (what it is, SQL with one %s for the store id). Tables without store_id reach it through a parent.
_PARTS: list[tuple[str, str]] = [
    # Every order write inserts delta rows here. Ids are handed out at insert but seen at commit, so a
    # later id can be seen first: the count of the rows not yet compacted (a small partial index) moves
    # when the earlier one commits; the max id moves when compaction folds them.
    (
        "sales rollup",
        "SELECT MAX(id) || ':' || (SELECT MAX(id) || ':' || COUNT(*) FROM orders_salesrollup "
        "WHERE store_id = %s AND NOT compacted) FROM orders_salesrollup WHERE store_id = %s",
    ),
    # the modifiers' portions (costed sales): its deltas come with sales-rollup deltas, but a rebuild
    # (`manage.py sales_rollup_rebuild`) writes it alone
    (
        "modifier rollup",
        "SELECT MAX(id) || ':' || (SELECT MAX(id) || ':' || COUNT(*) FROM orders_modifierrollup "
        "WHERE store_id = %s AND NOT compacted) FROM orders_modifierrollup WHERE store_id = %s",
    ),
    ("orders", "SELECT MAX(updated_at) FROM orders_order WHERE store_id = %s"),
    # ticket times count ready tickets: a ticket made ready leaves the open ones (ticket_store_open index)
    (
        "tickets",
        "SELECT MAX(updated_at) || ':' || (SELECT COUNT(*) FROM kitchen_ticket WHERE store_id = %s "
        "AND status IN ('queued', 'started')) FROM kitchen_ticket WHERE store_id = %s",
    ),
    ("stations", _edited("kitchen_station")),
    ("menu items", _edited("orders_menuitem")),
    ("categories", _edited("orders_menucategory")),
    ("modifier groups", _edited("orders_modifiergroup")),
    (
        "modifiers",
        _edited("orders_modifier", "m", "JOIN orders_modifiergroup g ON g.id = m.group_id", "g.store_id"),
    ),
    ("recipes", _edited("inventory_recipeline")),
    ("ingredients", _edited("inventory_ingredient")),
    ("suppliers", _edited("inventory_supplier")),
    (
        "supplier items",
        _edited(
            "inventory_supplieritem",
            "si",
            "JOIN inventory_ingredient i ON i.id = si.ingredient_id",
            "i.store_id",
        ),
    ),
    (
        "supplier prices",
        _edited(
            "inventory_supplierprice",
            "p",
            "JOIN inventory_supplieritem si ON si.id = p.supplier_item_id "
            "JOIN inventory_ingredient i ON i.id = si.ingredient_id",
            "i.store_id",
        ),
    ),
    # receipts, counts, waste and sales usage are inserted, never edited (a receipt also stamps its order)
    ("stock movements", "SELECT MAX(id) FROM inventory_stockmovement WHERE store_id = %s"),
    ("stock counts", _edited("inventory_stockcount")),
    ("purchase orders", _edited("inventory_purchaseorder")),
    (
        "purchase order lines",
        "SELECT MAX(l.id) || ':' || COUNT(*) FROM inventory_purchaseorderline l "
        "JOIN inventory_purchaseorder o ON o.id = l.purchase_order_id WHERE o.store_id = %s",
    ),
    ("store settings", "SELECT updated_at FROM restaurant_ops_store WHERE id = %s"),
    ("taxes", _edited("restaurant_ops_taxcategory")),
    ("hours", _edited("restaurant_ops_openinghours")),
    ("dayparts", _edited("restaurant_ops_daypart")),
    ("closed dates", "SELECT MAX(id) || ':' || COUNT(*) FROM restaurant_ops_closeddate WHERE store_id = %s"),
    ("shifts", _edited("staffing_shift")),
    ("time clock", _edited("staffing_timeclockentry")),
    ("staff", _edited("staffing_staffmember")),
    ("positions", _edited("staffing_position")),
    ("labour target", "SELECT MAX(updated_at) FROM staffing_staffingtarget WHERE store_id = %s"),
    # replaced wholesale (delete + bulk_create) by their jobs: new ids, or fewer rows
    (
        "staffing requirements",
        "SELECT MAX(id) || ':' || COUNT(*) FROM staffing_staffingrequirement WHERE store_id = %s",
    ),
    ("forecast", "SELECT MAX(id) || ':' || COUNT(*) FROM analytics_demandforecast WHERE store_id = %s"),
    (
        "forecast accuracy",
        "SELECT MAX(id) || ':' || COUNT(*) FROM analytics_forecastaccuracy WHERE store_id = %s",
    ),
    ("insights", _edited("analytics_insight")),
]

# What each endpoint reads, where that is a few tables; the others (everything costed through recipes,
# prices and receipts: overview, best-sellers, menu-engineering, margin-by-item-month) take every part.
# A smaller version is a cheaper statement on every warm request. tests/dashboard/test_answer_cache.py
# holds each list to the tables the endpoint's computation actually reads.
READS: dict[str, tuple[str, ...]] = {
    "sales": ("sales rollup", "store settings"),
    "busy-hours": ("sales rollup", "forecast", "store settings", "hours", "closed dates"),
    "forecast": ("forecast", "forecast accuracy", "store settings"),
    "ticket-times": ("tickets", "stations", "orders", "store settings"),
    "staffing-plan": (
        "store settings",
        "hours",
        "closed dates",
        "positions",
        "staff",
        "shifts",
        "staffing requirements",
        "labour target",
    ),
    "labour": (
        "sales rollup",
        "forecast",
        "menu items",
        "categories",
        "taxes",
        "store settings",
        "positions",
        "staff",
        "shifts",
        "time clock",
        "staffing requirements",
    ),
    "supplier-prices": (
        "store settings",
        "ingredients",
        "suppliers",
        "supplier items",
        "supplier prices",
        "stock movements",
        "purchase orders",
        "purchase order lines",
    ),
}

# On PostgreSQL the sum of the epochs (exact numerics): a max would miss an edit stamped earlier but
# committed later than the newest one seen. SQLite (the demo) has one writer at a time: the max will do.
_STAMP = {"postgresql": "SUM(EXTRACT(EPOCH FROM {}))", "sqlite": "MAX({})"}


@functools.cache
def _version_sql(vendor: str, endpoint: str | None = None) -> str:
    stamp = _STAMP.get(vendor, _STAMP["sqlite"])
    labels = READS.get(endpoint) if endpoint else None
    parts = [
        re.sub(r"STAMP\(([\w.]+)\)", lambda m: stamp.format(m.group(1)), sql)
        for label, sql in _PARTS
        if labels is None or label in labels
    ]
    return "SELECT " + ", ".join(f"({sql})" for sql in parts)


def data_version(store: Store, endpoint: str | None = None) -> str:
    """The store's data version (for `endpoint`, over the tables it reads): one statement; any write it
    can see changes it. Read from the database the endpoint's own reads use (the replica inside
    `replica_reads()`)."""
    connection = connections[router.db_for_read(Store)]
    sql = _version_sql(connection.vendor, endpoint)
    with connection.cursor() as cursor:
        cursor.execute(sql, [store.pk] * sql.count("%s"))
        row = cursor.fetchone()
    return hashlib.sha256(repr(row).encode()).hexdigest()[:32]


def _viewer(request, store: Store) -> str:
    """What the caller may see: an API key's scope, else the session user's role at the store."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiKey):
        return f"key:{auth.pk}"
    roles = Membership.objects.filter(user=request.user, store=store).values_list("role", flat=True)
    return f"role:{','.join(sorted(roles))}"


def cached_answer(
    request, *, store: Store, endpoint: str, params: dict[str, Any], compute: Callable[[], Any]
) -> Any:
    """The endpoint's answer (what `compute` returns: serialized data), from the cache when the key
    matches. On a miss it computes, then reads the version again and stores the answer only if no write
    landed meanwhile (else the answer could belong to either state). A cache outage computes."""
    resolved = {
        "endpoint": endpoint,
        "store": store.pk,
        "today": business_date(store, timezone.now()),  # even explicit periods classify days by it
        "viewer": _viewer(request, store),
        "language": translation.get_language(),
        **params,
    }
    fingerprint = hashlib.sha256(json.dumps(resolved, sort_keys=True, default=str).encode()).hexdigest()
    version = data_version(store, endpoint)
    key = f"answer:{endpoint}:{store.pk}:{fingerprint[:32]}:{version}"
    answer = cache.get(key)
    if answer is not None:
        return answer
    answer = compute()
    if data_version(store, endpoint) == version:
        cache.set(key, answer, TIMEOUT_SECONDS)
    return answer
