"""The dashboard endpoints' answer cache (analytics/api/answer_cache.py, docs/answer-cache.md): after any
write that can move a figure, the endpoint answers what a fresh computation answers, not the cached
answer; viewers and languages never share an entry; a cache outage computes instead of failing.

Given the `shop` of conftest (Wed 19.03: 11:00 A×2, 12:30 B×1, 13:30 A×1 → 34.00 on the day)."""

import datetime as dt
import re
from decimal import Decimal
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from analytics.analyses import sales
from analytics.api.answer_cache import _PARTS, READS, data_version
from analytics.models import DemandForecast, Insight
from inventory.models import RecipeLine, StockMovement, SupplierPrice
from inventory.services import (
    purchase_order_create_draft,
    purchase_order_receive,
    purchase_order_send,
    recipe_line_set,
    supplier_item_upsert,
    supplier_price_add,
)
from kitchen.models import Ticket
from orders.history import HistoryLine, history_write
from orders.models import MenuItem, ModifierRollup, SalesRollup
from orders.services import LineRefund, menu_item_set_price, order_line_void, payment_refund, payment_take
from restaurant_ops.services import store_update
from restaurant_ops.timeutils import minute_end
from staffing.models import Shift, StaffingTarget
from tests.dashboard.conftest import NOW, TODAY, at, sell
from tests.dashboard.test_api import _shift as _add_shift
from tests.factories import MembershipFactory, ModifierFactory, ModifierGroupFactory, UserFactory
from tests.inventory.factories import IngredientFactory, SupplierFactory
from tests.kitchen.factories import StationFactory

pytestmark = pytest.mark.django_db

SALES = "/api/v1/analytics/sales/"


def _get(client, shop, path, **params):
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        response = client.get(path, {"store": shop["store"].slug, **params})
    assert response.status_code == 200, response.content
    return response.json()


def _fresh(client, shop, path, **params):
    cache.clear()
    return _get(client, shop, path, **params)


def _today(rows):
    return next(r for r in rows if r["period"] == TODAY.isoformat())


def test_a_warm_answer_is_served_from_the_cache(owner_client, shop):
    first = _get(owner_client, shop, SALES)
    with mock.patch("analytics.analyses.sales.sales", side_effect=AssertionError("computed again")):
        assert _get(owner_client, shop, SALES) == first


def test_a_new_order_moves_the_sales(owner_client, shop):
    cached = _get(owner_client, shop, SALES)
    assert _today(cached)["revenue"] == "34.00"
    sell(shop["store"], [(shop["a"], 1)], at(TODAY, 12, 45))
    after = _get(owner_client, shop, SALES)
    assert _today(after)["revenue"] == "44.00"  # 34.00 + 1 × 10.00
    assert after == _fresh(owner_client, shop, SALES)


def test_a_void_moves_the_sales(owner_client, shop):
    _get(owner_client, shop, SALES)
    order_line_void(line=shop["orders"][0].lines.get(), reason="wrong item")
    after = _get(owner_client, shop, SALES)
    assert _today(after)["revenue"] == "14.00"  # 34.00 − 2 × 10.00
    assert after == _fresh(owner_client, shop, SALES)


def test_an_imported_delta_moves_the_sales(owner_client, shop):
    """The history writer inserts rollup rows past the services (INSERT … SELECT, bulk_create)."""
    _get(owner_client, shop, SALES)
    SalesRollup.objects.bulk_create(
        [
            SalesRollup(
                store=shop["store"],
                menu_item=shop["b"],
                business_date=TODAY,
                hour=9,
                quantity=2,
                net_sales=Decimal("8"),
            )
        ]
    )
    after = _get(owner_client, shop, SALES)
    assert _today(after)["revenue"] == "42.00"  # 34.00 + 8.00
    assert after == _fresh(owner_client, shop, SALES)


def test_a_shift_moves_the_labour(owner_client, shop):
    path = "/api/v1/analytics/labour/"
    cached = _get(owner_client, shop, path)
    _add_shift(shop["store"], TODAY, 11, 12, Decimal("12.00"))
    after = _get(owner_client, shop, path)
    assert after != cached
    today = next(r for r in after if r["day"] == TODAY.isoformat())
    assert today["scheduled_cost"] == "12.00"  # 1 h × 12.00
    assert after == _fresh(owner_client, shop, path)


def test_a_supplier_price_moves_the_price_history(owner_client, shop):
    path = "/api/v1/analytics/supplier-prices/"
    flour, item = _flour(shop)
    cached = _get(owner_client, shop, path)
    supplier_price_add(supplier_item=item, price=Decimal("0.03"), effective_from=TODAY)
    after = _get(owner_client, shop, path)
    assert after != cached
    # 0.02 in force at the window's start, then 0.03 from today: +50 %
    assert [r["unit_price"] for r in after["list_prices"]] == ["0.020000", "0.030000"]
    assert after == _fresh(owner_client, shop, path)


def test_a_store_setting_moves_the_overview(owner_client, shop):
    path = "/api/v1/analytics/overview/"
    assert _get(owner_client, shop, path)["currency"] == "EUR"
    store_update(store=shop["store"], by=shop["owner"], currency="CHF")
    after = _get(owner_client, shop, path)
    assert after["currency"] == "CHF"
    assert after == _fresh(owner_client, shop, path)


def test_a_refund_moves_the_sales(owner_client, shop):
    _get(owner_client, shop, SALES)
    fries = shop["orders"][1]  # 12:30 B×1, 4.00
    card = payment_take(guest_check=fries.guest_check, method="card", amount=fries.guest_check.total)
    with mock.patch("django.utils.timezone.now", return_value=NOW):  # a refund counts on its own day
        payment_refund(payment=card, lines=[LineRefund(line_id=fries.lines.get().pk)], reason="cold")
    after = _get(owner_client, shop, SALES)
    assert _today(after)["revenue"] == "30.00"  # 34.00 − 4.00
    assert after == _fresh(owner_client, shop, SALES)


def test_an_import_through_the_history_writer_moves_the_sales(owner_client, shop):
    _get(owner_client, shop, SALES)
    history_write(store=shop["store"], lines=[HistoryLine("H1", at(TODAY, 9), shop["b"], 2, Decimal("4.00"))])
    after = _get(owner_client, shop, SALES)
    assert _today(after)["revenue"] == "42.00"  # 34.00 + 2 × 4.00
    assert after == _fresh(owner_client, shop, SALES)


def _flour(shop, price="0.02"):
    """Flour at 0.02 a gram from its preferred supplier from 1 Jan 2025 (before every sale of the shop)."""
    supplier = SupplierFactory(store=shop["store"])
    flour = IngredientFactory(store=shop["store"], name="Flour", base_unit="g", preferred_supplier=supplier)
    item = supplier_item_upsert(supplier=supplier, ingredient=flour)
    supplier_price_add(supplier_item=item, price=Decimal(price), effective_from=dt.date(2025, 1, 1))
    return flour, item


def test_a_recipe_change_moves_the_gross_profit(owner_client, shop):
    path = "/api/v1/analytics/best-sellers/"
    flour, _item = _flour(shop)
    cached = _get(owner_client, shop, path, by="profit")
    recipe_line_set(
        store=shop["store"],
        ingredient=flour,
        quantity=100,
        unit="g",
        menu_item=shop["a"],
        valid_from=dt.date(2025, 1, 1),
    )
    after = _get(owner_client, shop, path, by="profit")
    assert after != cached
    wings = next(r for r in after if r["name"] == "Wings")
    # Wings sold 18.02–19.03: 3 on 19.03 + 4 on 12.03 + 1 on 19.02 = 8, each 10.00 − 100 g × 0.02 = 8.00
    assert wings["gross_profit"] == "64.00"
    assert after == _fresh(owner_client, shop, path, by="profit")


def test_a_goods_receipt_moves_the_prices_paid(owner_client, shop):
    path = "/api/v1/analytics/supplier-prices/"
    flour, item = _flour(shop)
    po = purchase_order_create_draft(
        store=shop["store"], supplier=item.supplier, lines=[{"ingredient": flour, "quantity": 1000}]
    )
    purchase_order_send(purchase_order=po)
    cached = _get(owner_client, shop, path)
    assert cached["receipts"] == []
    purchase_order_receive(
        purchase_order=po,
        lines=[{"line": po.lines.get().pk, "quantity": 1000, "unit_price": Decimal("0.025")}],
        received_at=at(TODAY, 9),
    )
    after = _get(owner_client, shop, path)
    assert [r["unit_price"] for r in after["receipts"]] == ["0.0250"]
    assert after == _fresh(owner_client, shop, path)


# Each kind of write: `given` prepares what it needs (so the version reads after it), the returned
# function does the one write. Several go past the services on purpose (bulk_create, .update()), as
# imports and batch jobs do: the version reads the data, it is not told.


def _order(shop):
    return lambda: sell(shop["store"], [(shop["b"], 1)], at(TODAY, 12, 50))


def _void(shop):
    return lambda: order_line_void(line=shop["orders"][1].lines.get(), reason="wrong item")


def _modifier_rollup(shop):
    modifier = ModifierFactory(group=ModifierGroupFactory(store=shop["store"]))
    return lambda: ModifierRollup.objects.bulk_create(  # as a rebuild writes it, with no sales delta
        [
            ModifierRollup(
                store=shop["store"],
                menu_item=shop["a"],
                modifier=modifier,
                business_date=TODAY,
                hour=11,
                quantity=1,
            )
        ]
    )


def _recipe(shop):
    flour = IngredientFactory(store=shop["store"])
    return lambda: RecipeLine.objects.bulk_create(
        [
            RecipeLine(
                store=shop["store"],
                menu_item=shop["a"],
                ingredient=flour,
                quantity=100,
                unit="g",
                base_quantity=100,
            )
        ]
    )


def _recipe_edited(shop):
    line = recipe_line_set(
        store=shop["store"],
        ingredient=IngredientFactory(store=shop["store"]),
        quantity=1,
        unit="g",
        menu_item=shop["a"],
    )
    return lambda: RecipeLine.objects.filter(pk=line.pk).update(
        quantity=2, base_quantity=2, updated_at=timezone.now()
    )


def _menu_price(shop):
    return lambda: menu_item_set_price(item=shop["a"], price=Decimal("11.00"))


def _supplier_price(shop):
    flour, item = _flour(shop)
    return lambda: SupplierPrice.objects.filter(supplier_item=item).update(
        unit_price=Decimal("0.03"), updated_at=timezone.now()
    )


def _receipt(shop):
    flour = IngredientFactory(store=shop["store"])
    return lambda: StockMovement.objects.bulk_create(
        [
            StockMovement(
                store=shop["store"], ingredient=flour, kind="receipt", quantity=1000, business_date=TODAY
            )
        ]
    )


def _rollup_delta(shop):
    return lambda: SalesRollup.objects.bulk_create(
        [SalesRollup(store=shop["store"], menu_item=shop["b"], business_date=TODAY, hour=9, quantity=1)]
    )


def _insight(shop):
    return lambda: Insight.objects.create(
        store=shop["store"], kind="low_stock", subject="flour", severity="warning"
    )


def _settings(shop):
    return lambda: store_update(store=shop["store"], by=shop["owner"], time_zone="Europe/Lisbon")


def _labour_target(shop):
    return lambda: StaffingTarget.objects.update_or_create(
        store=shop["store"], defaults={"labour_cost_target_pct": Decimal("25")}
    )


def _shift(shop):
    existing = _add_shift(shop["store"], TODAY, 9, 10, Decimal("11.00"))
    return lambda: Shift.objects.bulk_create(
        [
            Shift(
                store=shop["store"],
                staff=existing.staff,
                position=existing.position,
                start=at(TODAY, 14),
                end=at(TODAY, 16),
                business_date=TODAY,
                week_start=existing.week_start,
                minutes=120,
                hourly_cost=Decimal("11.00"),
            )
        ]
    )


def _shift_deleted(shop):
    shift = _add_shift(shop["store"], TODAY, 14, 16, Decimal("11.00"))
    return lambda: Shift.objects.filter(pk=shift.pk).delete()


def _forecast(shop):
    return lambda: DemandForecast.objects.bulk_create(
        [DemandForecast(store=shop["store"], menu_item=shop["a"], weekday=2, hour=12, quantity=3)]
    )


def _ticket_ready(shop):
    station = StationFactory(store=shop["store"])
    first, second = (
        Ticket.objects.create(store=o.store, order=o, station=station) for o in shop["orders"][:2]
    )
    # the first is made ready by a transaction stamped before the second's latest stamp, committed after
    return lambda: Ticket.objects.filter(pk=first.pk).update(
        status="ready", ready_at=timezone.now(), updated_at=second.updated_at - dt.timedelta(seconds=1)
    )


@pytest.mark.parametrize(
    "given",
    [
        _order,
        _void,
        _rollup_delta,
        _modifier_rollup,
        _recipe,
        _recipe_edited,
        _menu_price,
        _supplier_price,
        _receipt,
        _insight,
        _settings,
        _labour_target,
        _shift,
        _shift_deleted,
        _forecast,
        _ticket_ready,
    ],
    ids=lambda f: f.__name__.strip("_"),
)
def test_every_kind_of_write_moves_the_version(shop, given):
    """The test that fails if the version ignores an input."""
    write = given(shop)
    before = data_version(shop["store"])
    write()
    assert data_version(shop["store"]) != before


def test_a_write_committed_after_a_later_one_moves_the_version(shop):
    """Ids and `updated_at` are handed out before commit: the write stamped earlier can commit later,
    behind a newer stamp already seen. The version must move all the same."""
    newest = SalesRollup.objects.order_by("-id").first().id
    late_delta = SalesRollup(
        store=shop["store"], menu_item=shop["b"], business_date=TODAY, hour=9, quantity=1
    )
    SalesRollup.objects.bulk_create([SalesRollup(**{**_cell(late_delta), "id": newest + 20})])
    before = data_version(shop["store"])
    SalesRollup.objects.bulk_create([SalesRollup(**{**_cell(late_delta), "id": newest + 10})])
    assert data_version(shop["store"]) != before

    # Wings edited at 12:00 commits after Fries edited at 12:01 was seen
    MenuItem.objects.filter(pk=shop["b"].pk).update(updated_at=at(TODAY, 12, 1))
    MenuItem.objects.filter(pk=shop["a"].pk).update(updated_at=at(TODAY, 11, 0))
    before = data_version(shop["store"])
    MenuItem.objects.filter(pk=shop["a"].pk).update(price=Decimal("12.00"), updated_at=at(TODAY, 12, 0))
    assert data_version(shop["store"]) != before


def _cell(row: SalesRollup) -> dict:
    return {f: getattr(row, f) for f in ("store", "menu_item", "business_date", "hour", "quantity")}


def test_an_answer_computed_across_a_write_is_not_kept(owner_client, shop):
    """The version is read again after computing: a write that landed meanwhile may or may not be in
    the answer, so it is not stored under either version."""
    real = sales.sales

    def sales_then_an_order(*args, **kwargs):
        rows = real(*args, **kwargs)
        _order(shop)()
        return rows

    with mock.patch("analytics.analyses.sales.sales", side_effect=sales_then_an_order) as computed:
        _get(owner_client, shop, SALES)
        _get(owner_client, shop, SALES)
    assert computed.call_count == 2


def test_roles_and_languages_never_share_an_entry(owner_client, client, shop):
    path = "/api/v1/analytics/forecast/"
    _get(owner_client, shop, path)
    manager = UserFactory()
    MembershipFactory(user=manager, store=shop["store"], role="manager")
    client.force_login(manager)
    with mock.patch(
        "analytics.api.views._forecast", return_value={"cells": [], "accuracy": [], "quality": []}
    ) as f:
        _get(client, shop, path)
        assert f.call_count == 1  # the manager's entry is not the owner's
        with mock.patch("django.utils.translation.get_language", return_value="zh-hans"):
            _get(owner_client, shop, path)
        assert f.call_count == 2  # nor is a Chinese one the English one


def test_a_cache_outage_computes(owner_client, shop):
    down = {
        "default": {
            "BACKEND": "restaurant_ops.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with override_settings(CACHES=down):
        rows = _get(owner_client, shop, SALES)
    assert _today(rows)["revenue"] == "34.00"


def test_the_so_far_endpoints_count_to_the_end_of_the_minute():
    assert minute_end(dt.datetime(2025, 3, 19, 12, 0, 30, tzinfo=dt.UTC)) == dt.datetime(
        2025, 3, 19, 12, 0, 59, 999999, tzinfo=dt.UTC
    )


PLUMBING = {"auth_user", "django_session", "restaurant_ops_membership", "restaurant_ops_store", "cache_table"}


def _tables(sql: str) -> set[str]:
    return set(re.findall(r'(?<!EPOCH )(?:FROM|JOIN)\s+"?(\w+)"?', sql))  # not EXTRACT(EPOCH FROM column)


@pytest.mark.parametrize("endpoint", sorted(READS))
def test_an_endpoint_with_its_own_version_reads_only_what_it_covers(owner_client, shop, endpoint):
    """An endpoint whose version covers only some tables must read nothing else: every table its
    computation touches (cache cleared, with shifts, clocked time and a forecast to read) is in one of
    its parts."""
    unknown = set(READS[endpoint]) - {label for label, _sql in _PARTS}
    assert not unknown
    covered = set().union(*(_tables(sql) for label, sql in _PARTS if label in READS[endpoint]))
    _add_shift(shop["store"], TODAY, 9, 12, Decimal("11.00"))
    _forecast(shop)()
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        _get(owner_client, shop, reverse(f"analytics-{endpoint}"))
    read = set().union(*(_tables(q["sql"]) for q in queries.captured_queries))
    assert read - PLUMBING <= covered, sorted(read - PLUMBING - covered)
