from decimal import Decimal

import pytest
from django.db.models import Sum

from inventory import services
from inventory.models import StockMovement
from inventory.units import to_base
from orders.events import OrderRejected
from orders.models import Order
from orders.services import LineRequest, order_cancel, order_place
from restaurant_ops.api.errors import status_for
from restaurant_ops.errors import DomainError, DomainErrors
from tests.factories import MenuItemFactory, ModifierFactory, ModifierGroupFactory
from tests.inventory.factories import IngredientFactory

pytestmark = pytest.mark.django_db


def ledger(ingredient) -> Decimal:
    return StockMovement.objects.filter(ingredient=ingredient).aggregate(s=Sum("quantity"))["s"] or Decimal(
        "0"
    )


def test_units_convert_within_a_dimension_and_across_only_by_the_ingredients_factor(store):
    flour = IngredientFactory(store=store, base_unit="g")
    milk = IngredientFactory(store=store, base_unit="ml")
    bun = IngredientFactory(store=store, base_unit="pcs", alt_unit="g", alt_factor=Decimal("60"))
    assert to_base(flour, Decimal("1.25"), "kg") == Decimal("1250")
    assert to_base(milk, Decimal("0.5"), "l") == Decimal("500")
    assert to_base(bun, Decimal("3"), "pcs") == Decimal("3")
    assert to_base(bun, Decimal("0.18"), "kg") == Decimal("3")  # 180 g / 60 g per bun
    with pytest.raises(DomainError) as error:
        to_base(flour, Decimal("1"), "l")
    assert error.value.code == "unit_mismatch"
    with pytest.raises(DomainError):
        to_base(bun, Decimal("1"), "ml")


def test_an_order_consumes_item_and_modifier_recipes_and_cancel_returns_them(store):
    cheese = IngredientFactory(store=store, name="Cheese")
    group = ModifierGroupFactory(store=store)
    extra = ModifierFactory(group=group, name="Extra cheese")
    item = MenuItemFactory(store=store)
    item.modifier_groups.add(group)
    # 40 g with a yield of 0.8 takes 50 g from stock per portion; the modifier adds 20 g.
    services.recipe_line_set(
        store=store,
        menu_item=item,
        ingredient=cheese,
        quantity=Decimal("40"),
        unit="g",
        yield_factor=Decimal("0.8"),
    )
    services.recipe_line_set(store=store, modifier=extra, ingredient=cheese, quantity=Decimal("20"), unit="g")
    services.stock_movement_record(
        store=store,
        ingredient=cheese,
        kind="receipt",
        quantity=Decimal("1"),
        unit="kg",
        unit_cost=Decimal("0.02"),
        reason="opening",
    )
    order = order_place(
        store=store,
        channel="api",
        lines=[
            LineRequest(item_id=item.pk, quantity=2, modifier_ids=[extra.pk]),
            LineRequest(item_id=item.pk, quantity=1),
        ],
    )
    cheese.refresh_from_db()
    # 2 × (50 + 20) + 1 × 50 = 190 g
    assert cheese.on_hand == Decimal("810") == ledger(cheese)
    order_cancel(order=order, reason="guest left")
    cheese.refresh_from_db()
    assert cheese.on_hand == Decimal("1000") == ledger(cheese)


def test_refuse_policy_rejects_naming_item_and_ingredient_and_writes_nothing(stocked, store):
    item, chicken = stocked
    with pytest.raises(OrderRejected) as error:
        order_place(store=store, channel="api", lines=[LineRequest(item_id=item.pk, quantity=8)])
    assert error.value.field == "lines[0].item"
    assert error.value.code == "insufficient_stock"
    assert "Chicken" in error.value.message
    assert "Grilled chicken" in error.value.message


def test_allow_negative_goes_below_zero_and_flags_a_count(stocked, store):
    item, chicken = stocked
    store.shortage_policy = "allow_negative"
    store.save()
    order_place(store=store, channel="api", lines=[LineRequest(item_id=item.pk, quantity=8)])
    chicken.refresh_from_db()
    assert chicken.on_hand == Decimal("-150") == ledger(chicken)
    assert chicken.needs_count


def test_item_sells_out_with_the_last_portion_and_comes_back_when_received(stocked, store):
    item, chicken = stocked
    order_place(store=store, channel="api", lines=[LineRequest(item_id=item.pk, quantity=6)])
    item.refresh_from_db()
    assert not item.sold_out_stock  # 150 g left: one more portion
    order_place(store=store, channel="api", lines=[LineRequest(item_id=item.pk, quantity=1)])
    item.refresh_from_db()
    assert item.sold_out_stock
    with pytest.raises(DomainErrors) as error:
        order_place(store=store, channel="api", lines=[LineRequest(item_id=item.pk)])
    assert status_for(error.value) == 409
    assert error.value.errors[0].code == "sold_out"
    services.stock_movement_record(
        store=store,
        ingredient=chicken,
        kind="receipt",
        quantity=Decimal("149"),
        unit="g",
        unit_cost=Decimal("0.01"),
        reason="not quite enough",
    )
    item.refresh_from_db()
    assert item.sold_out_stock
    services.stock_movement_record(
        store=store,
        ingredient=chicken,
        kind="receipt",
        quantity=Decimal("1"),
        unit="g",
        unit_cost=Decimal("0.01"),
        reason="now a portion",
    )
    item.refresh_from_db()
    assert not item.sold_out_stock


def test_allergens_and_tags_are_derived_from_the_recipe(store):
    item = MenuItemFactory(store=store)
    bun = IngredientFactory(store=store, allergens=["gluten"], dietary_tags=["vegan", "vegetarian"])
    cheese = IngredientFactory(store=store, allergens=["milk"], dietary_tags=["vegetarian"])
    services.recipe_line_set(store=store, menu_item=item, ingredient=bun, quantity=Decimal("1"), unit="g")
    services.recipe_line_set(store=store, menu_item=item, ingredient=cheese, quantity=Decimal("1"), unit="g")
    item.refresh_from_db()
    assert item.allergens == ["gluten", "milk"]
    assert item.dietary_tags == ["vegetarian"]


def test_a_count_posts_the_variance_and_usage_report_compares(stocked, store):
    item, chicken = stocked
    order_place(store=store, channel="api", lines=[LineRequest(item_id=item.pk, quantity=2)])  # 300 g used
    services.stock_movement_record(
        store=store, ingredient=chicken, kind="waste", quantity=Decimal("50"), unit="g", reason="dropped"
    )
    count = services.stock_count_post(
        store=store, lines=[{"ingredient": chicken.pk, "counted": Decimal("0.6"), "unit": "kg"}]
    )
    chicken.refresh_from_db()
    # expected 1050 − 300 − 50 = 700; counted 600 → variance −100
    assert count.lines.get().variance == Decimal("-100")
    assert chicken.on_hand == Decimal("600") == ledger(chicken)
    from inventory.selectors import usage_report

    day = StockMovement.objects.first().business_date
    row = usage_report(store=store, first=day, last=day)[0]
    assert row["theoretical"] == Decimal("300")
    assert row["actual"] == Decimal("450")  # 300 used + 50 wasted + 100 unexplained


def test_query_count_does_not_grow_with_lines(store, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    items = []
    for _n in range(10):
        ingredient = IngredientFactory(store=store)
        item = MenuItemFactory(store=store)
        services.recipe_line_set(
            store=store, menu_item=item, ingredient=ingredient, quantity=Decimal("10"), unit="g"
        )
        services.stock_movement_record(
            store=store,
            ingredient=ingredient,
            kind="receipt",
            quantity=Decimal("10"),
            unit="kg",
            unit_cost=Decimal("0.01"),
            reason="opening",
        )
        items.append(item)
    with CaptureQueriesContext(connection) as one:
        order_place(store=store, channel="api", lines=[LineRequest(item_id=items[0].pk)])
    with django_assert_max_num_queries(len(one.captured_queries)):
        order_place(store=store, channel="api", lines=[LineRequest(item_id=i.pk) for i in items])
    assert Order.objects.count() == 2
