"""Margin decomposition on a hand-computed fixture: a mid-period price rise (x: 1.00 → 1.20), a recipe
change (B takes 1.5 x instead of 1), a new item (N) and a dropped item (D); every term checked."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from analytics.analyses import margin

D = Decimal
F = Fraction

ITEMS0 = {
    "A": {"q": 10, "revenue": D("100")},
    "B": {"q": 5, "revenue": D("40")},
    "D": {"q": 4, "revenue": D("24")},
}
ITEMS1 = {
    "A": {"q": 12, "revenue": D("126")},
    "B": {"q": 5, "revenue": D("40")},
    "N": {"q": 3, "revenue": D("36")},
}
RECIPES0 = {"A": {"x": D("2")}, "B": {"x": D("1"), "y": D("1")}, "D": {"y": D("2")}, "N": {"x": D("1")}}
RECIPES1 = {"A": {"x": D("2")}, "B": {"x": D("1.5"), "y": D("1")}, "D": {"y": D("2")}, "N": {"x": D("1")}}
U0 = {"x": D("1.00"), "y": D("0.50")}
U1 = {"x": D("1.20"), "y": D("0.50")}


def test_every_term_from_its_own_formula():
    parts = margin.decompose(ITEMS0, ITEMS1, RECIPES0, RECIPES1, U0, U1)
    # GP0 = 10·(10 − 2) + 5·(8 − 1.5) + 4·(6 − 1) = 132.5
    # GP1 = 12·(10.5 − 2.4) + 5·(8 − 2.3) + 3·(12 − 1.2) = 158.1
    assert (parts["gp0"], parts["gp1"]) == (F("132.5"), F("158.1"))
    assert parts["volume"] == F("132.5") / 19  # (20 − 19) · 132.5 / 19
    assert parts["mix"] == F("160.9") - 20 * F("132.5") / 19  # Σ q₁g₀ (N at g₁ = 10.8) − Q₁·GP₀/Q₀
    assert parts["price"] == F("6.0")  # 12 · (10.5 − 10)
    assert parts["ingredients"] == {"x": F("-6.3"), "y": F(0)}  # −(12·2 + 5·1.5)·0.20; y unchanged
    assert parts["recipe"] == F("-2.5")  # −5 · 0.5 · 1.00
    total = (
        parts["volume"] + parts["mix"] + parts["price"] + parts["recipe"] + sum(parts["ingredients"].values())
    )
    assert total == parts["gp1"] - parts["gp0"] == F("25.6")  # exactly: no remainder term anywhere


def test_rounded_parts_sum_to_the_rounded_total_by_largest_remainder():
    parts = margin.decompose(ITEMS0, ITEMS1, RECIPES0, RECIPES1, U0, U1)
    flat = {
        "volume": parts["volume"],
        "mix": parts["mix"],
        "price": parts["price"],
        "recipe": parts["recipe"],
        "x": parts["ingredients"]["x"],
        "y": parts["ingredients"]["y"],
    }
    rounded = margin.round_parts(flat, F("25.6"))
    # floors 6.97 + 21.42 + 6 − 2.5 − 6.3 + 0 = 25.59: the cent goes to mix (remainder .0063 > .0037)
    assert rounded == {
        "volume": D("6.97"),
        "mix": D("21.43"),
        "price": D("6.00"),
        "recipe": D("-2.50"),
        "x": D("-6.30"),
        "y": D("0.00"),
    }
    assert sum(rounded.values()) == D("25.60")


def test_with_nothing_before_the_whole_change_is_volume():
    parts = margin.decompose({}, ITEMS1, RECIPES0, RECIPES1, U0, U1)
    assert (parts["volume"], parts["mix"], parts["price"], parts["recipe"]) == (D("158.1"), 0, 0, 0)


@pytest.mark.parametrize(
    ("today", "previous", "current"),
    [
        (
            dt.date(2026, 3, 15),
            (dt.date(2026, 2, 1), dt.date(2026, 2, 14)),
            (dt.date(2026, 3, 1), dt.date(2026, 3, 14)),
        ),
        (
            dt.date(2026, 3, 31),
            (dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
            (dt.date(2026, 3, 1), dt.date(2026, 3, 30)),
        ),
        (
            dt.date(2026, 3, 1),
            (dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
            (dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        ),
    ],
)
@pytest.mark.django_db
def test_periods_month_to_date_and_closed_months(store, today, previous, current):
    from tests.analytics.conftest import at

    assert margin.periods(store, at(today, 12)) == (previous, current)


@pytest.mark.django_db
def test_margin_insight_names_the_ingredient_the_cheaper_supplier_and_the_restoring_price(store, sell):
    from analytics.models import Insight
    from analytics.registry import run_analysis
    from inventory import services as inventory
    from tests.analytics.conftest import at
    from tests.factories import MenuItemFactory
    from tests.inventory.factories import IngredientFactory, SupplierFactory

    chicken = IngredientFactory(store=store, name="Chicken", base_unit="pcs")
    wings = MenuItemFactory(store=store, name="Wings", price=D("10.00"))
    inventory.recipe_line_set(store=store, ingredient=chicken, quantity=D("2"), unit="pcs", menu_item=wings)
    usual = SupplierFactory(store=store, name="Usual Farm", lead_time_days=1)
    other = SupplierFactory(store=store, name="Other Farm", lead_time_days=2)
    usual_item = inventory.supplier_item_upsert(supplier=usual, ingredient=chicken)
    inventory.supplier_price_add(
        supplier_item=usual_item, price=D("1.00"), effective_from=dt.date(2026, 1, 1)
    )
    inventory.supplier_price_add(
        supplier_item=usual_item, price=D("1.30"), effective_from=dt.date(2026, 2, 28)
    )
    other_item = inventory.supplier_item_upsert(supplier=other, ingredient=chicken)
    inventory.supplier_price_add(
        supplier_item=other_item, price=D("1.05"), effective_from=dt.date(2026, 1, 1)
    )
    inventory.ingredient_update(ingredient=chicken, preferred_supplier=usual)
    inventory.stock_movement_record(
        store=store,
        ingredient=chicken,
        kind="receipt",
        quantity=D("1000"),
        reason="opening",
        unit_cost=D("1.00"),
    )
    for day in range(1, 15):
        for month in (2, 3):
            sell(store, [(wings, 10)], at(dt.date(2026, month, day), 12))

    run_analysis(store=store, job="margin", now=at(dt.date(2026, 3, 15), 12))

    insight = Insight.objects.get(kind="margin_drop")
    n = insight.numbers
    # GP₀ = 14·10·(10 − 2.00) = 1120; GP₁ = 14·10·(10 − 2.60) = 1036: −84.00, 7.5%, all of it chicken
    assert (n["gp0"], n["gp1"], n["lost"], n["drop_pct"]) == ("1120.00", "1036.00", "84.00", "7.5")
    assert n["parts"] == {
        "volume": "0.00",
        "mix": "0.00",
        "price": "0.00",
        "recipe": "0.00",
        f"ingredient:{chicken.pk}": "-84.00",
    }
    # Other Farm quotes 1.05 against 1.30 (19% less): 20 pcs a day · 30 days · 0.25 = 150.00 a month
    assert (insight.message_key, n["supplier"], n["monthly_saving"]) == (
        "margin_drop_switch",
        "Other Farm",
        "150.00",
    )
    # margin was 80%: 2.60 / (1 − 0.8) = 13.00 restores it
    assert (n["item"], n["restoring_price"]) == ("Wings", "13.00")
    assert "Chicken" in insight.message and "Other Farm" in insight.message


def test_parts_follow_the_shown_totals_even_when_rounding_them_apart_moves_a_cent():
    # GP₀ = 0.005 shows 0.01, GP₁ = 0.015 shows 0.02: the change shown is 0.01 although the exact 0.01 parts
    # would round to 0.00 + 0.01; parts still sum to the shown change, and a target below the floors works.
    # floors 0.00 + 0.00 leave the cent to the larger remainder: b (.006 against .004)
    assert margin.round_parts({"a": F("0.004"), "b": F("0.006")}, D("0.01")) == {
        "a": D("0.00"),
        "b": D("0.01"),
    }
    assert margin.round_parts({"a": D("1.00"), "b": D("2.00")}, D("2.99")) == {"a": D("1.00"), "b": D("1.99")}


@pytest.mark.django_db
def test_the_restoring_price_is_the_menu_price_with_tax_in_a_tax_inclusive_store(store, sell):
    from analytics.models import Insight
    from analytics.registry import run_analysis
    from inventory import services as inventory
    from tests.analytics.conftest import at
    from tests.factories import MenuItemFactory, TaxCategoryFactory
    from tests.inventory.factories import IngredientFactory

    store.prices_include_tax = True
    store.save()
    food = TaxCategoryFactory(store=store, name="Food", rate=D("0.1000"))
    chicken = IngredientFactory(store=store, name="Chicken", base_unit="pcs")
    wings = MenuItemFactory(store=store, name="Wings", price=D("11.00"), tax_category=food)  # 10.00 + 10%
    inventory.recipe_line_set(store=store, ingredient=chicken, quantity=D("2"), unit="pcs", menu_item=wings)
    for day, cost in ((dt.date(2026, 1, 20), "1.00"), (dt.date(2026, 3, 1), "1.30")):
        inventory.stock_movement_record(
            store=store,
            ingredient=chicken,
            kind="receipt",
            quantity=D("1000"),
            reason="delivery",
            unit_cost=D(cost),
            at=at(day, 8),
        )
    for day in range(1, 15):
        for month in (2, 3):
            sell(store, [(wings, 10)], at(dt.date(2026, month, day), 12))
    run_analysis(store=store, job="margin", now=at(dt.date(2026, 3, 15), 12))
    n = Insight.objects.get(kind="margin_drop").numbers
    # net price 10.00; margin was (10 − 2.00) / 10 = 80%; 2.60 / 0.2 = 13.00 net, 14.30 on the menu
    assert (n["gp0"], n["gp1"], n["item"], n["restoring_price"]) == ("1120.00", "1036.00", "Wings", "14.30")


@pytest.mark.django_db
def test_the_decomposition_counts_modifiers_leaves_unknown_costs_out_and_takes_local_business_days(sell):
    """A New York store; every order at 23:30 local (04:30 UTC the next day in February, after the 04:00
    cutoff: dropping the time zone would move each day's sales to the next and the 14th out of the period).
    Burger 10.00 takes 1 bun (1.00); its modifier Cheese (+1.50) takes 2 cheese (0.50 each); Fries 5.00
    have no recipe. 1–14 Feb: 10 burgers and 10 fries a day; 1–14 Mar: 6 plain burgers, 4 with cheese and
    10 fries a day."""
    import zoneinfo

    from inventory import services as inventory
    from tests.analytics.conftest import at
    from tests.factories import MenuItemFactory, ModifierFactory, ModifierGroupFactory, StoreFactory
    from tests.inventory.factories import IngredientFactory

    ny = zoneinfo.ZoneInfo("America/New_York")
    store = StoreFactory(time_zone="America/New_York")
    bun = IngredientFactory(store=store, name="Bun", base_unit="pcs")
    cheese = IngredientFactory(store=store, name="Cheese", base_unit="pcs")
    for ingredient, cost in ((bun, "1.00"), (cheese, "0.50")):
        inventory.stock_movement_record(
            store=store,
            ingredient=ingredient,
            kind="receipt",
            quantity=D("10000"),
            reason="delivery",
            unit_cost=D(cost),
            at=at(dt.date(2026, 1, 15), 8, tz=ny),
        )
    burger = MenuItemFactory(store=store, name="Burger", price=D("10.00"))
    fries = MenuItemFactory(store=store, name="Fries", price=D("5.00"))
    extras = ModifierGroupFactory(store=store)
    burger.modifier_groups.add(extras)
    with_cheese = ModifierFactory(group=extras, name="Cheese", price_delta=D("1.50"))
    inventory.recipe_line_set(store=store, ingredient=bun, quantity=D("1"), unit="pcs", menu_item=burger)
    inventory.recipe_line_set(
        store=store, ingredient=cheese, quantity=D("2"), unit="pcs", modifier=with_cheese
    )
    for day in range(1, 15):
        sell(store, [(burger, 10), (fries, 10)], at(dt.date(2026, 2, day), 23, 30, tz=ny))
        sell(
            store,
            [(burger, 6), (burger, 4, [with_cheese]), (fries, 10)],
            at(dt.date(2026, 3, day), 23, 30, tz=ny),
        )

    report = margin.margin_report(store, at(dt.date(2026, 3, 15), 12, tz=ny))
    assert report["periods"] == {
        "previous": [dt.date(2026, 2, 1), dt.date(2026, 2, 14)],
        "current": [dt.date(2026, 3, 1), dt.date(2026, 3, 14)],
    }
    # GP₀ = 140 × (10.00 − 1.00) = 1260.00 (the fries' 700.00 have no cost: left out, not a 100 % margin
    # that would make it 1960.00).
    # GP₁: revenue 140 × 10.00 + 56 × 1.50 = 1484.00, food 140 × 1.00 + 56 × 2 × 0.50 = 196.00 → 1288.00
    # (without the modifier's recipe it would be 1344.00). Change +28.00 = 2.2 % of 1260.
    assert (report["gp0"], report["gp1"], report["change"], report["change_pct"]) == (
        D("1260.00"),
        D("1288.00"),
        D("28.00"),
        D("2.2"),
    )
    # price = Σ q₁(p₁ − p₀) = 140 × (1484 / 140 − 10.00) = 84.00; the cheese per burger went from 0 to
    # 112 / 140 = 0.8: recipe = −140 × 0.8 × u₀ (cheese unused in February: its cost that period, 0.50)
    # = −56.00; volume (Q₁ = Q₀ = 140), mix (one costed item) and the unchanged costs: 0
    assert report["parts"] == {
        "volume": D("0.00"),
        "mix": D("0.00"),
        "price": D("84.00"),
        "recipe": D("-56.00"),
        f"ingredient:{bun.pk}": D("0.00"),
        f"ingredient:{cheese.pk}": D("0.00"),
    }
    # known cost: 1400 / (1400 + 700) = 0.6667 before; 1484 / (1484 + 700) = 0.6795 now
    assert report["known_share"] == {"previous": D("0.6667"), "current": D("0.6795")}


@pytest.mark.django_db
def test_periods_follow_the_stores_clock_not_utc():
    import zoneinfo

    from tests.factories import StoreFactory

    store = StoreFactory(time_zone="Asia/Shanghai")
    # 10:00 on 1 March in Shanghai is 02:00 UTC, before the 04:00 cutoff: in UTC it would still be 28
    # February (periods 1–27 Jan against 1–27 Feb). In Shanghai February has closed: whole months.
    now = dt.datetime(2026, 3, 1, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    assert margin.periods(store, now) == (
        (dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
        (dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
    )
