"""Low stock and reorder on hand-computed figures, with a draft PO through inventory's service."""

import datetime as dt
from decimal import Decimal

import pytest

from analytics.analyses import stock
from analytics.models import DemandForecast, Insight
from analytics.services import run_analysis
from inventory import services as inventory
from inventory.models import PurchaseOrder
from tests.analytics.conftest import at
from tests.factories import MenuItemFactory
from tests.inventory.factories import IngredientFactory, SupplierFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 30)  # Monday


@pytest.fixture
def wings(store):
    ingredient = IngredientFactory(store=store, name="Wings", base_unit="pcs")
    item = MenuItemFactory(store=store, name="Wing basket")
    inventory.recipe_line_set(
        store=store, ingredient=ingredient, quantity=Decimal("4"), unit="pcs", menu_item=item
    )
    cheap = SupplierFactory(store=store, name="Cheap Farm", lead_time_days=2, min_order_value=Decimal("100"))
    dear = SupplierFactory(store=store, name="Dear Farm", lead_time_days=1)
    for supplier, price, pack in ((cheap, "0.50", "20"), (dear, "0.70", "10")):
        si = inventory.supplier_item_upsert(supplier=supplier, ingredient=ingredient, pack_size=Decimal(pack))
        inventory.supplier_price_add(
            supplier_item=si, price=Decimal(price), effective_from=TODAY - dt.timedelta(days=60)
        )
    inventory.ingredient_update(ingredient=ingredient, preferred_supplier=dear)
    inventory.stock_movement_record(
        store=store,
        ingredient=ingredient,
        kind="receipt",
        quantity=Decimal("40"),
        reason="opening",
        unit_cost=Decimal("0.50"),
    )
    # forecast: 5 baskets a day at 19:00 on every weekday → 20 pcs a day
    DemandForecast.objects.bulk_create(
        [
            DemandForecast(store=store, menu_item=item, weekday=w, hour=19, quantity=Decimal("5"))
            for w in range(7)
        ]
    )
    ingredient.refresh_from_db()
    return ingredient


def test_reorder_point_par_and_draft_po_to_the_cheapest_fitting_supplier(store, wings):
    (row,) = stock.stock_status(store, at(TODAY, 10))
    # no usage history: σ = 0; cheapest supplier fits (40 pcs / 20 a day = 2 days ≥ 2 days lead time)
    assert row["supplier_item"].supplier.name == "Cheap Farm"
    assert (row["daily_usage"], row["days_left"], row["lead_time"]) == (Decimal("20.000"), Decimal("2.0"), 2)
    assert row["reorder_point"] == Decimal("40.000")  # 2 days × 20
    assert row["par"] == Decimal("180.000")  # (2 + 7) days × 20
    # 180 − 40 = 140 → 7 packs of 20 = 140 pcs × 0.50 = 70.00 < minimum 100 → 10 packs = 200 pcs
    assert stock.order_quantity(row) == Decimal("200.000")
    run_analysis(store=store, job="low_stock", now=at(TODAY, 10))
    insight = Insight.objects.get(kind="low_stock", state="new")
    po = PurchaseOrder.objects.get()
    assert (po.status, po.source, po.supplier.name) == ("draft", "suggested", "Cheap Farm")
    assert list(po.lines.values_list("quantity", flat=True)) == [Decimal("200.000")]
    assert insight.numbers["purchase_order_id"] == po.pk and insight.job_run.job == "low_stock"
    # running again neither duplicates the insight nor orders twice (the draft is on order)
    run_analysis(store=store, job="low_stock", now=at(TODAY, 10))
    assert (Insight.objects.filter(kind="low_stock").count(), PurchaseOrder.objects.count()) == (1, 1)
    assert Insight.objects.get(kind="low_stock").numbers["purchase_order_id"] == po.pk


def test_auto_order_sends_and_the_alert_resolves_when_stock_is_back(store, wings, mailoutbox_backend):
    inventory.ingredient_update(ingredient=wings, auto_order=True)
    run_analysis(store=store, job="low_stock", now=at(TODAY, 10))
    assert PurchaseOrder.objects.get().status == "sent"
    inventory.stock_movement_record(
        store=store,
        ingredient=wings,
        kind="receipt",
        quantity=Decimal("200"),
        reason="delivery",
        unit_cost=Decimal("0.50"),
    )
    run_analysis(store=store, job="low_stock", now=at(TODAY, 11))
    assert Insight.objects.get(kind="low_stock").state == "resolved"


def test_an_ingredient_without_a_supplier_is_flagged(store):
    ingredient = IngredientFactory(store=store, name="Saffron", base_unit="g", min_quantity=Decimal("5"))
    run_analysis(store=store, job="low_stock", now=at(TODAY, 10))
    insight = Insight.objects.get(kind="low_stock")
    assert insight.message_key == "low_stock_no_supplier" and insight.subject == f"ingredient:{ingredient.pk}"
    assert PurchaseOrder.objects.count() == 0


def test_price_change_alert_from_the_goods_received_event(store):
    from analytics.analyses.prices import check_receipt

    lines = [
        {
            "ingredient_id": 1,
            "ingredient_name": "Wings",
            "quantity": Decimal("10"),
            "unit_cost": Decimal("0.56"),
            "previous_unit_cost": Decimal("0.50"),
        },  # +12%: high
        {
            "ingredient_id": 2,
            "ingredient_name": "Flour",
            "quantity": Decimal("10"),
            "unit_cost": Decimal("1.03"),
            "previous_unit_cost": Decimal("1.00"),
        },
    ]  # +3%: nothing
    (alert,) = check_receipt(store=store, lines=lines)
    assert (alert.severity, alert.numbers["change_pct"], alert.job_run.job) == (
        "high",
        "+12.0",
        "price_change",
    )


def test_price_change_alert_names_the_base_unit(store):
    from analytics.analyses.prices import check_receipt

    flour = IngredientFactory(store=store, name="Flour", base_unit="g")
    (alert,) = check_receipt(
        store=store,
        lines=[
            {
                "ingredient_id": flour.pk,
                "ingredient_name": "Flour",
                "quantity": Decimal("1000"),
                "unit_cost": Decimal("0.006"),
                "previous_unit_cost": Decimal("0.005"),
            }
        ],
    )
    assert alert.numbers["unit"] == "g"
    assert "per g" in alert.message
