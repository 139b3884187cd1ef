"""Every analysis aggregates in the database: its query count does not grow with the data."""

import datetime as dt
import io
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics.analyses import forecast, margin, operations, sales, stock
from inventory import services as inventory
from orders.importing import sales_import
from orders.models import MenuItem
from tests.analytics.conftest import at
from tests.inventory.factories import IngredientFactory, SupplierFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 30)
ITEMS = ["Wings", "Soup", "Fries", "Cola"]


def history(store, days: int, orders_per_day: int) -> None:
    rng = random.Random(days)
    rows = ["order_id,timestamp,item,quantity,unit_price"]
    for d in range(1, days + 1):
        day = TODAY - dt.timedelta(days=d)
        for n in range(orders_per_day):
            stamp = f"{day.isoformat()} {rng.choice([12, 13, 19, 20]):02d}:{rng.randint(0, 59):02d}"
            for item in rng.sample(ITEMS, 2):
                rows.append(f"{d}-{n},{stamp},{item},{rng.randint(1, 3)},4.50")
    sales_import(store=store, stream=io.StringIO("\n".join(rows) + "\n"))


def setup_inventory(store):
    supplier = SupplierFactory(store=store)
    for name in ITEMS:
        ingredient = IngredientFactory(
            store=store, name=f"{name} stuff", base_unit="g", min_quantity=Decimal("50")
        )
        item = MenuItem.objects.get(store=store, name=name)
        inventory.recipe_line_set(
            store=store, ingredient=ingredient, quantity=Decimal("10"), unit="g", menu_item=item
        )
        si = inventory.supplier_item_upsert(supplier=supplier, ingredient=ingredient)
        inventory.supplier_price_add(
            supplier_item=si, price=Decimal("0.01"), effective_from=dt.date(2025, 1, 1)
        )


ANALYSES = {
    "forecast": lambda s: forecast.compute(s, at(TODAY, 15)),
    "best_sellers": lambda s: sales.best_sellers(s, TODAY - dt.timedelta(days=30), TODAY),
    "busy_hours": lambda s: sales.busy_hours(s, TODAY - dt.timedelta(days=28), TODAY),
    "trending": lambda s: sales.trending(s, at(TODAY, 15)),
    "menu_engineering": lambda s: sales.menu_engineering(s, TODAY - dt.timedelta(days=30), TODAY),
    "stock": lambda s: stock.stock_status(s, at(TODAY, 15)),
    "margin": lambda s: margin.margin_report(s, at(TODAY, 15)),
    "labour": lambda s: operations.labour(s, TODAY),
}


def count_queries(store) -> dict[str, int]:
    out = {}
    for name, run in ANALYSES.items():
        with CaptureQueriesContext(connection) as captured:
            run(store)
        out[name] = len(captured)
    return out


def test_query_counts_do_not_depend_on_data_size():
    from tests.factories import StoreFactory

    small, large = StoreFactory(), StoreFactory()
    history(small, days=3, orders_per_day=2)
    history(large, days=63, orders_per_day=25)
    setup_inventory(small)
    setup_inventory(large)
    counts_small, counts_large = count_queries(small), count_queries(large)
    assert counts_large == counts_small
    # at most 14: the margin's two periods each read sales, modifiers, refunds (by line and by amount)
    # and ingredient costs; labour adds today's elapsed shifts and clocked time
    assert min(counts_small.values()) >= 1 and max(counts_large.values()) <= 14, counts_large
