"""Recipes have history: a change takes effect on a day and past sales keep the recipe of theirs (so
gross profit already earned is never recosted); every change is audited. And a modifier whose recipe
cannot be covered is not offered."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from analytics.analyses import margin, sales
from inventory import services as inventory
from inventory.models import RecipeLine
from orders.services import LineRequest, order_place
from restaurant_ops.api.errors import status_for
from restaurant_ops.errors import DomainErrors
from restaurant_ops.models import AuditEntry
from tests.analytics.conftest import at, sell_order
from tests.factories import MenuItemFactory, ModifierFactory, ModifierGroupFactory, TableFactory
from tests.inventory.factories import IngredientFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def wings(store):
    chicken = IngredientFactory(store=store, name="Chicken", base_unit="pcs")
    inventory.stock_movement_record(
        store=store,
        ingredient=chicken,
        kind="receipt",
        quantity=D("10000"),
        reason="opening",
        unit_cost=D("1.00"),
        at=at(dt.date(2026, 1, 5), 12),
    )
    item = MenuItemFactory(store=store, name="Wings", price=D("10.00"))
    inventory.recipe_line_set(store=store, ingredient=chicken, quantity=D("2"), unit="pcs", menu_item=item)
    return item, chicken


def test_a_recipe_change_keeps_past_gross_profit_and_shows_as_the_recipe_effect(store, wings):
    item, chicken = wings
    for day in range(1, 15):
        for month in (2, 3):
            sell_order(store, [(item, 10)], at(dt.date(2026, month, day), 12))
    feb = (dt.date(2026, 2, 1), dt.date(2026, 2, 14))
    # 140 wings × (10.00 − 2 × 1.00) = 1120.00
    assert sales.best_sellers(store, *feb, by="profit")[0]["gross_profit"] == D("1120.00")

    inventory.recipe_line_set(
        store=store,
        ingredient=chicken,
        quantity=D("2.5"),
        unit="pcs",
        menu_item=item,
        valid_from=dt.date(2026, 3, 1),
    )

    # February keeps its recipe; March is costed with 2.5 pcs: 140 × (10 − 2.5) = 1050.00
    assert sales.best_sellers(store, *feb, by="profit")[0]["gross_profit"] == D("1120.00")
    report = margin.margin_report(store, at(dt.date(2026, 3, 15), 12))
    assert (report["gp0"], report["gp1"]) == (D("1120.00"), D("1050.00"))
    # recipe = −Σ q₁ (r₁ − r₀) u₀ = −140 × 0.5 × 1.00 = −70.00; nothing else moved
    assert report["parts"] == {
        "volume": D("0.00"),
        "mix": D("0.00"),
        "price": D("0.00"),
        "recipe": D("-70.00"),
        f"ingredient:{chicken.pk}": D("0.00"),
    }
    old, new = RecipeLine.versions.filter(menu_item=item).order_by("id")
    assert (old.valid_from, old.valid_until, new.valid_from, new.valid_until) == (
        None,
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 1),
        None,
    )
    assert list(RecipeLine.objects.filter(menu_item=item)) == [new]  # current lines only
    entry = AuditEntry.objects.filter(action="recipe_changed").order_by("-id").first()
    assert entry.data["before"]["quantity"] == "2.000" and entry.data["after"]["quantity"] == "2.5"
    assert entry.data["valid_from"] == "2026-03-01"


def test_a_first_recipe_covers_all_history_and_a_later_change_starts_today(store, wings):
    item, chicken = wings
    (first,) = RecipeLine.versions.filter(menu_item=item)
    assert first.valid_from is None  # entered today with no recipe before: costs every past sale
    inventory.recipe_line_set(store=store, ingredient=chicken, quantity=D("3"), unit="pcs", menu_item=item)
    assert RecipeLine.versions.filter(menu_item=item).count() == 1  # same day: a correction, not history
    RecipeLine.versions.update(created_at=at(dt.date(2026, 1, 5), 12))  # given: entered back in January
    inventory.recipe_line_set(store=store, ingredient=chicken, quantity=D("4"), unit="pcs", menu_item=item)
    old, new = RecipeLine.versions.filter(menu_item=item).order_by("id")
    from django.utils import timezone

    from restaurant_ops.timeutils import business_date

    today = business_date(store, timezone.now())
    assert (old.base_quantity, old.valid_until, new.base_quantity, new.valid_from) == (
        D("3"),
        today,
        D("4"),
        today,
    )
    with pytest.raises(Exception) as error:
        inventory.recipe_line_set(
            store=store,
            ingredient=chicken,
            quantity=D("5"),
            unit="pcs",
            menu_item=item,
            valid_from=today + dt.timedelta(days=1),
        )
    assert error.value.field == "valid_from"


def test_a_modifier_that_stock_cannot_cover_is_not_offered_and_is_refused_before_stock_moves(store, client):
    cheese = IngredientFactory(store=store, name="Cheese", base_unit="g")
    burger = MenuItemFactory(store=store, name="Burger")
    extras = ModifierGroupFactory(store=store, name="Extras")
    burger.modifier_groups.add(extras)
    extra = ModifierFactory(group=extras, name="Extra cheese")
    inventory.recipe_line_set(store=store, ingredient=cheese, quantity=D("40"), unit="g", modifier=extra)
    extra.refresh_from_db()
    assert extra.sold_out_stock  # no cheese at all
    inventory.stock_movement_record(
        store=store,
        ingredient=cheese,
        kind="receipt",
        quantity=D("100"),
        reason="delivery",
        unit_cost=D("0.01"),
    )
    extra.refresh_from_db()
    assert not extra.sold_out_stock
    table = TableFactory(store=store)
    order_place(
        store=store,
        channel="till",
        lines=[LineRequest(item_id=burger.pk, quantity=2, modifier_ids=[extra.pk])],
    )
    extra.refresh_from_db()
    assert extra.sold_out_stock  # 20 g left < 40 g
    page = client.get(reverse("orders:guest", args=[table.qr_token])).content.decode()
    assert f'name="mod-{burger.pk}" value="{extra.pk}"' not in page and "Extra cheese" in page
    with pytest.raises(DomainErrors) as refused:
        order_place(
            store=store,
            channel="till",
            lines=[LineRequest(item_id=burger.pk, quantity=1, modifier_ids=[extra.pk])],
        )
    (error,) = refused.value.errors
    assert (error.field, error.code, status_for(error)) == ("lines[0].modifiers[0]", "sold_out", 409)
    cheese.refresh_from_db()
    assert cheese.on_hand == D("20.000")
