import datetime as dt

import pytest
from django.db.models import Count, Sum
from django.utils import timezone

from inventory import demo as inventory_demo
from inventory.models import Ingredient, StockMovement, SupplierItem
from inventory.selectors import ingredient_costs
from kitchen import demo as kitchen_demo
from kitchen.models import KitchenItem, Ticket
from orders.services import LineRequest, order_place
from tests.factories import MenuCategoryFactory, MenuItemFactory

pytestmark = pytest.mark.django_db


def test_demo_builders_give_any_menu_recipes_suppliers_stock_and_stations(store):
    mains, drinks = (
        MenuCategoryFactory(store=store, name="Mains"),
        MenuCategoryFactory(store=store, name="Drinks"),
    )
    menu = {
        "a": MenuItemFactory(store=store, category=mains, name="Crispy drumsticks"),
        "b": MenuItemFactory(store=store, category=mains, name="House special"),
        "c": MenuItemFactory(store=store, category=drinks, name="Iced lemon tea"),
    }
    now = timezone.now()
    ingredients = inventory_demo.build(store, menu_items=menu, now=now)
    kitchen_demo.build(store, menu_items=menu, now=now)
    for item in menu.values():
        item.refresh_from_db()
        assert item.recipe_lines.exists()
        assert not item.sold_out_stock
    # key ingredients have at least two suppliers, and on-hand equals the ledger
    per_ingredient = SupplierItem.objects.values("ingredient").annotate(n=Count("supplier"))
    assert {row["n"] for row in per_ingredient} == {2}
    for ingredient in Ingredient.objects.filter(store=store):
        total = StockMovement.objects.filter(ingredient=ingredient).aggregate(s=Sum("quantity"))["s"]
        assert ingredient.on_hand == total
    drumsticks = ingredients["Chicken drumsticks"]
    costs = ingredient_costs(
        ingredient_ids=[drumsticks.pk], dates=[now.date() - dt.timedelta(days=10), now.date()]
    )
    assert costs[(drumsticks.pk, now.date())] > costs[(drumsticks.pk, now.date() - dt.timedelta(days=10))]
    assert KitchenItem.objects.get(menu_item=menu["c"]).station.name == "Drinks"
    order = order_place(store=store, channel="api", lines=[LineRequest(item_id=i.pk) for i in menu.values()])
    assert Ticket.objects.filter(order=order).count() == 3
