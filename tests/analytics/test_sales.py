"""Best sellers, busy hours, trending and the menu-engineering matrix on hand-computed fixtures."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from analytics.analyses import sales
from analytics.models import Insight
from orders.services import order_cancel, order_line_void
from restaurant_ops.models import ClosedDate
from tests.analytics.conftest import at, two_days_in_new_york_sold
from tests.factories import DaypartFactory, MenuCategoryFactory, MenuItemFactory, StoreFactory

pytestmark = pytest.mark.django_db
D = dt.date(2026, 3, 2)  # a Monday


@pytest.fixture
def menu(store):
    mains, starters, sides = (
        MenuCategoryFactory(store=store, name=n) for n in ("Mains", "Starters", "Sides")
    )
    return {
        "wings": MenuItemFactory(store=store, category=mains, name="Wings", price=Decimal("10.00")),
        "soup": MenuItemFactory(store=store, category=starters, name="Soup", price=Decimal("4.00")),
        "fries": MenuItemFactory(store=store, category=sides, name="Fries", price=Decimal("3.00")),
    }


@pytest.fixture
def day_of_sales(store, menu, sell):
    """Monday D: wings 3 (30.00), soup 4 (16.00), fries 3 (9.00), after a cancelled order, a voided line
    and an order at 01:30 the next morning (before the 04:00 cutoff: still D)."""
    w, s, f = menu["wings"], menu["soup"], menu["fries"]
    sell(store, [(w, 2), (s, 1)], at(D, 12))
    sell(store, [(w, 1), (f, 3)], at(D, 19))
    sell(store, [(s, 2)], at(D + dt.timedelta(days=1), 1, 30))
    order_cancel(order=sell(store, [(w, 5)], at(D, 20)), reason="guest left")
    voided = sell(store, [(f, 1), (s, 1)], at(D, 13))
    order_line_void(line=voided.lines.get(menu_item=f), reason="wrong item")


def names(rows):
    return [(r["name"], r["quantity"], r["revenue"]) for r in rows]


def test_best_sellers_by_quantity_and_revenue(store, menu, day_of_sales):
    # Wings and Fries tie at 3: ties go by name (analyses.ranking), so Fries first
    assert names(sales.best_sellers(store, D, D, by="quantity")) == [
        ("Soup", 4, Decimal("16.00")),
        ("Fries", 3, Decimal("9.00")),
        ("Wings", 3, Decimal("30.00")),
    ]
    assert names(sales.best_sellers(store, D, D, by="revenue", limit=2)) == [
        ("Wings", 3, Decimal("30.00")),
        ("Soup", 4, Decimal("16.00")),
    ]
    mains = menu["wings"].category_id
    assert names(sales.best_sellers(store, D, D, category_id=mains)) == [("Wings", 3, Decimal("30.00"))]
    # The next business day has nothing yet: the 01:30 order belongs to Monday.
    assert sales.best_sellers(store, D + dt.timedelta(days=1), D + dt.timedelta(days=1)) == []


def test_best_sellers_by_daypart(store, menu, day_of_sales):
    DaypartFactory(store=store, name="lunch", starts=dt.time(11), ends=dt.time(15))
    DaypartFactory(store=store, name="dinner", starts=dt.time(17), ends=dt.time(23))
    DaypartFactory(store=store, name="late", starts=dt.time(23), ends=dt.time(4))
    rows = sales.best_sellers(store, D, D, by_daypart=True)
    got = {(r["daypart"], r["name"]): r["quantity"] for r in rows}
    assert got == {
        ("lunch", "Wings"): 2,
        ("lunch", "Soup"): 2,
        ("dinner", "Fries"): 3,
        ("dinner", "Wings"): 1,
        ("late", "Soup"): 2,
    }


def test_busy_hours_average_per_trading_day_of_the_weekday(store, menu, day_of_sales, sell):
    sell(store, [(menu["wings"], 1)], at(D + dt.timedelta(days=7), 12, 45))
    ClosedDate.objects.create(
        store=store, date=D + dt.timedelta(days=14)
    )  # a closed Monday: not a trading day
    cells = {
        (c["weekday"], c["hour"]): (c["orders"], c["trading_days"], c["average"])
        for c in sales.busy_hours(store, D, D + dt.timedelta(days=20))
    }
    assert cells == {
        (0, 12): (2, 2, Decimal("1.00")),
        (0, 13): (1, 2, Decimal("0.50")),
        (0, 19): (1, 2, Decimal("0.50")),
        (0, 1): (1, 2, Decimal("0.50")),  # 01:30 Tuesday morning is Monday's business day, clock hour 1
    }


def test_busy_hours_in_another_time_zone_and_a_midnight_cutoff(sell):
    store = StoreFactory(time_zone="America/New_York", business_day_cutoff=dt.time(0, 0))
    item = MenuItemFactory(store=store)
    ny = zoneinfo.ZoneInfo("America/New_York")
    sell(store, [(item, 1)], at(D, 23, 30, tz=ny))  # 04:30 UTC on Tuesday
    sell(store, [(item, 1)], at(D + dt.timedelta(days=1), 0, 30, tz=ny))  # with cutoff 00:00: Tuesday
    cells = {
        (c["weekday"], c["hour"]): c["orders"] for c in sales.busy_hours(store, D, D + dt.timedelta(days=1))
    }
    assert cells == {(0, 23): 1, (1, 0): 1}


def test_trending_rising_and_falling_with_weights(store, menu, sell):
    w, s, f = menu["wings"], menu["soup"], menu["fries"]
    today = dt.date(2026, 3, 30)
    soup_before_two = {23: 4, 16: 2, 9: 0, 2: 0}
    for day_of_month, soups in soup_before_two.items():
        day = dt.date(2026, 3, day_of_month)
        lines = [(w, 10)] + ([(s, soups)] if soups else [])
        sell(store, lines, at(day, 12))
        sell(store, [(w, 50), (s, 20)], at(day, 20))  # after 14:00: not "so far"
    sell(store, [(s, 6), (w, 6), (f, 1)], at(today, 13))
    found = {r["name"]: r for r in sales.trending(store, at(today, 14))}
    # soup usual = (4·4 + 3·2 + 2·0 + 1·0) / 10 = 2.2; lift 6 / 2.2 = 2.73
    assert (found["Soup"]["usual"], found["Soup"]["lift"], found["Soup"]["direction"]) == (
        Decimal("2.20"),
        Decimal("2.73"),
        "up",
    )
    # wings usual 10, today 6: lift 0.6 ≤ 0.7 with usual ≥ 5
    assert (found["Wings"]["usual"], found["Wings"]["lift"], found["Wings"]["direction"]) == (
        Decimal("10.00"),
        Decimal("0.60"),
        "down",
    )
    assert "Fries" not in found  # one sale is no trend
    sales.run_trending(store=store, now=at(today, 14))
    assert set(Insight.objects.filter(kind="trending", state="new").values_list("subject", flat=True)) == {
        f"item:{s.pk}",
        f"item:{w.pk}",
    }


def _priced_ingredient(store, name="Stock", cost="1.00"):
    """An ingredient in pcs whose cost is `cost` since well before D (a receipt dated then)."""
    from inventory import services as inventory
    from tests.inventory.factories import IngredientFactory

    ingredient = IngredientFactory(store=store, name=name, base_unit="pcs")
    inventory.stock_movement_record(
        store=store,
        ingredient=ingredient,
        kind="receipt",
        quantity=Decimal("100000"),
        reason="opening",
        unit_cost=Decimal(cost),
        at=at(D - dt.timedelta(days=30), 12),
    )
    return ingredient


def test_menu_engineering_quadrants_count_unsold_items_and_leave_unknown_costs_unknown(store, sell):
    from inventory import services as inventory

    x = _priced_ingredient(store)
    cat = MenuCategoryFactory(store=store)
    a, b, c, d, e, f = (
        MenuItemFactory(store=store, category=cat, name=n, price=Decimal(p))
        for n, p in (
            ("A", "10.00"),
            ("B", "8.00"),
            ("C", "12.00"),
            ("D", "5.00"),
            ("E", "9.00"),
            ("F", "5.00"),
        )
    )
    for item, pcs in ((a, 4), (b, 5), (c, 4), (d, 4), (e, 2)):  # F has no recipe: its cost is unknown
        inventory.recipe_line_set(
            store=store, ingredient=x, quantity=Decimal(pcs), unit="pcs", menu_item=item
        )
    sell(store, [(a, 40), (b, 40), (c, 10), (d, 10), (f, 10)], at(D, 12))  # E is on the menu, unsold
    rows = {r["name"]: r for r in sales.menu_engineering(store, D, D)}
    # N = 6 (E counts though unsold): popular when share ≥ 0.7/6 = 0.1167; total 110, so A and B (0.3636)
    # only. Margins 6, 3, 8, 1 (price − pcs × 1.00); E unsold: 9 − 2 = 7; F unknown. Average over the
    # known, by quantity: (40·6 + 40·3 + 10·8 + 10·1) / 100 = 4.50
    assert {r["items_in_category"] for r in rows.values()} == {6}
    assert rows["A"]["average_margin"] == Decimal("4.50")
    assert rows["E"]["contribution_margin"] == Decimal("7.00")
    assert {n: r["quadrant"] for n, r in rows.items()} == {
        "A": "star",
        "B": "plowhorse",
        "C": "puzzle",
        "D": "dog",
        "E": "puzzle",
        "F": "unknown",
    }
    assert (rows["F"]["contribution_margin"], rows["F"]["costs_known"]) == (None, False)


def test_profit_counts_the_modifiers_recipes_and_ranks_each_daypart_by_its_own_profit(store, sell):
    from inventory import services as inventory
    from tests.factories import ModifierFactory, ModifierGroupFactory

    bun, cheese = _priced_ingredient(store, "Bun", "0.50"), _priced_ingredient(store, "Cheese", "0.20")
    burger = MenuItemFactory(store=store, name="Burger", price=Decimal("10.00"))
    salad = MenuItemFactory(store=store, name="Salad", price=Decimal("9.00"))
    extras = ModifierGroupFactory(store=store)
    burger.modifier_groups.add(extras)
    extra_cheese = ModifierFactory(group=extras, name="Extra cheese", price_delta=Decimal("1.50"))
    inventory.recipe_line_set(
        store=store, ingredient=bun, quantity=Decimal("1"), unit="pcs", menu_item=burger
    )
    inventory.recipe_line_set(
        store=store, ingredient=cheese, quantity=Decimal("1"), unit="pcs", menu_item=salad
    )
    inventory.recipe_line_set(
        store=store, ingredient=cheese, quantity=Decimal("2"), unit="pcs", modifier=extra_cheese
    )
    DaypartFactory(store=store, name="lunch", starts=dt.time(11), ends=dt.time(15))
    DaypartFactory(store=store, name="dinner", starts=dt.time(17), ends=dt.time(23))
    sell(store, [(burger, 3, [extra_cheese]), (burger, 2), (salad, 1)], at(D, 12))
    sell(store, [(salad, 4)], at(D, 19))
    rows = sales.best_sellers(store, D, D, by="profit")
    # Burger: revenue 3 × 11.50 + 2 × 10.00 = 54.50; food cost 5 × 0.50 bun + 3 × 2 × 0.20 cheese = 3.70
    # → 50.80 (without the modifier's recipe it would be 52.00). Salad: 5 × (9.00 − 0.20) = 44.00
    assert [(r["name"], r["gross_profit"]) for r in rows] == [
        ("Burger", Decimal("50.80")),
        ("Salad", Decimal("44.00")),
    ]
    by_part = sales.best_sellers(store, D, D, by="profit", by_daypart=True)
    # dinner: only salad (4 × 8.80 = 35.20); lunch: burger 50.80 before salad 8.80
    assert [(r["daypart"], r["name"], r["gross_profit"]) for r in by_part] == [
        ("dinner", "Salad", Decimal("35.20")),
        ("lunch", "Burger", Decimal("50.80")),
        ("lunch", "Salad", Decimal("8.80")),
    ]


def test_refunds_reduce_net_sales_on_their_day_and_lines_and_comps_cost_without_revenue(store):
    from unittest import mock

    from inventory import services as inventory
    from orders.services import (
        LineRefund,
        LineRequest,
        check_comp_line,
        order_place,
        payment_refund,
        payment_take,
    )

    beef, potato = _priced_ingredient(store, "Beef", "3.00"), _priced_ingredient(store, "Potato", "0.50")
    burger = MenuItemFactory(store=store, name="Burger", price=Decimal("12.00"))
    fries = MenuItemFactory(store=store, name="Fries", price=Decimal("3.00"))
    for item, ingredient in ((burger, beef), (fries, potato)):
        inventory.recipe_line_set(
            store=store, ingredient=ingredient, quantity=Decimal("1"), unit="pcs", menu_item=item
        )

    def order(*lines):
        return order_place(
            store=store,
            channel="till",
            placed_at=at(D, 12),
            lines=[LineRequest(item_id=i.pk, quantity=q) for i, q in lines],
        )

    with mock.patch("django.utils.timezone.now", return_value=at(D, 13)):
        first = order((burger, 2), (fries, 1))  # 27.00
        paid_first = payment_take(guest_check=first.guest_check, method="card", amount=Decimal("27.00"))
        second = order((burger, 1), (fries, 1))  # 15.00
        paid_second = payment_take(guest_check=second.guest_check, method="card", amount=Decimal("15.00"))
        comped = order((burger, 1))
        check_comp_line(line=comped.lines.get(), reason="birthday")
    with mock.patch("django.utils.timezone.now", return_value=at(D + dt.timedelta(days=1), 12)):
        burger_line = first.lines.get(menu_item=burger)
        payment_refund(
            payment=paid_first, lines=[LineRefund(line_id=burger_line.pk, quantity=1)], reason="cold"
        )
        payment_refund(payment=paid_second, amount=Decimal("5.00"), reason="slow")

    # Monday: 27.00 + 15.00 + 0.00 (the comp); Tuesday, the refunds' day: −12.00 (one of the two burgers
    # of 24.00) − 5.00 (by amount, over 15.00 of lines: burger 12 × 5/15 = 4.00, fries 3 × 5/15 = 1.00)
    days = {r["period"]: r["revenue"] for r in sales.sales(store, D, D + dt.timedelta(days=1))}
    assert days == {D: Decimal("42.00"), D + dt.timedelta(days=1): Decimal("-17.00")}
    rows = {r["name"]: r for r in sales.best_sellers(store, D, D + dt.timedelta(days=1), by="profit")}
    # Burger: 24 + 12 + 0 − 12 − 4 = 20.00 for 4 portions (the comp among them) at 3.00 = 8.00 profit
    # Fries: 3 + 3 − 1 = 5.00 for 2 at 0.50 = 4.00
    assert [(n, r["quantity"], r["revenue"], r["gross_profit"]) for n, r in rows.items()] == [
        ("Burger", 4, Decimal("20.00"), Decimal("8.00")),
        ("Fries", 2, Decimal("5.00"), Decimal("4.00")),
    ]
    # Monday alone keeps what was sold that day: burger 36.00 − 4 × 3.00 = 24.00 (the comp costs 3.00)
    assert sales.best_sellers(store, D, D, by="profit")[0]["gross_profit"] == Decimal("24.00")


@pytest.fixture
def two_days_in_new_york(db):
    """tests.analytics.conftest.two_days_in_new_york: modifiers, a recipe change, a cost change, a late
    order that is another day in UTC, a sale outside the window and an item without a recipe."""
    return two_days_in_new_york_sold(D)


def test_menu_engineering_margins_take_modifiers_each_days_recipe_and_cost_and_the_local_window(
    two_days_in_new_york,
):
    store, mains = two_days_in_new_york["store"], two_days_in_new_york["mains"]
    rows = {r["name"]: r for r in sales.menu_engineering(store, D, D + dt.timedelta(days=1))}
    # P: revenue 2 × 11.50 + 2 × 10.00 = 43.00; food on D 2 × (2 + 1 Extra) × 1.00 = 6.00, on D+1
    # 2 × 3 × 2.00 = 12.00 → margin (43.00 − 18.00) / 4 = 6.25. Dropped, each input gives another figure:
    # without the modifier's recipe (43 − 16) / 4 = 6.75; without recipe history, 3 x on D too:
    # (43 − 20) / 4 = 5.75; costed at the window's last day only (2.00): (43 − 24) / 4 = 4.75; in UTC the
    # D 23:30 order falls on D+1: (43 − 2 × 4 × 2.00 − 12) / 4 = 3.75.
    # Q: 8 × 8.00 = 64.00; food 4 × 1.00 + 4 × 2.00 = 12.00 → (64 − 12) / 8 = 6.50 (in UTC: 6.00).
    # R: unsold in the window (its sale on D+2 is outside): menu price 6.00 − 1 × 2.00 on D+1 = 4.00.
    # Average over the sold, known items by quantity: (4 × 6.25 + 8 × 6.50) / 12 = 77 / 12 = 6.4167.
    assert {
        n: (r["quantity"], r["contribution_margin"]) for n, r in rows.items() if r["category"] == "Mains"
    } == {
        "P": (4, Decimal("6.25")),
        "Q": (8, Decimal("6.50")),
        "R": (0, Decimal("4.00")),
    }
    assert rows["P"]["average_margin"] == Decimal("6.42")
    # N = 3 → popular at a share ≥ 0.7 / 3 = 0.2333: P 4/12 = 0.3333, Q 8/12 = 0.6667, R 0
    assert {n: rows[n]["quadrant"] for n in "PQR"} == {"P": "plowhorse", "Q": "star", "R": "dog"}
    # Drinks: S has no recipe: unknown, never a 100 % margin
    assert (rows["S"]["contribution_margin"], rows["S"]["quadrant"], rows["S"]["costs_known"]) == (
        None,
        "unknown",
        False,
    )
    assert {
        r["name"] for r in sales.menu_engineering(store, D, D + dt.timedelta(days=1), category_id=mains.pk)
    } == {
        "P",
        "Q",
        "R",
    }


def test_best_sellers_by_profit_take_modifiers_recipe_history_local_days_and_unknown_costs(
    two_days_in_new_york,
):
    store = two_days_in_new_york["store"]
    rows = sales.best_sellers(store, D, D + dt.timedelta(days=1), by="profit")
    # Q 64.00 − 12.00 = 52.00; P 43.00 − 18.00 = 25.00 (see the matrix test for the arithmetic, and what each
    # dropped input would give: P 27.00 without the modifier's recipe, 23.00 without recipe history,
    # 15.00 in UTC); S 9.00 with no recipe: profit unknown, ranked last. R sold only on D+2: not listed.
    assert [(r["name"], r["quantity"], r["revenue"], r["gross_profit"], r["costs_known"]) for r in rows] == [
        ("Q", 8, Decimal("64.00"), Decimal("52.00"), True),
        ("P", 4, Decimal("43.00"), Decimal("25.00"), True),
        ("S", 3, Decimal("9.00"), None, False),
    ]
    # The 23:30 order is D's in New York (in UTC it would be D+1's)
    assert names(sales.best_sellers(store, D, D, by="quantity")) == [
        ("Q", 4, Decimal("32.00")),
        ("P", 2, Decimal("23.00")),
    ]


def test_trending_compares_up_to_the_same_local_clock_time(store, menu, sell):
    soup = menu["soup"]
    today = dt.date(2026, 3, 30)  # a Monday, summer time in Berlin (UTC+2); the past Mondays are UTC+1
    for day_of_month in (23, 16, 9, 2):
        sell(store, [(soup, 5)], at(dt.date(2026, 3, day_of_month), 13, 30))  # 12:30 UTC
    sell(store, [(soup, 2)], at(today, 12))
    # At 14:00 Berlin (12:00 UTC) the usual up to 14:00 on past Mondays is (4 + 3 + 2 + 1) × 5 / 10 = 5.00;
    # today 2: lift 0.40 ≤ 0.7 with a usual ≥ 5 → falling. Cut at 12:00 (UTC's clock) or 12:00 UTC
    # (13:00 there), the 13:30 sales would drop out: usual 0, and 2 units are no trend.
    assert [
        (r["name"], r["today"], r["usual"], r["lift"], r["direction"])
        for r in sales.trending(store, at(today, 14))
    ] == [("Soup", 2, Decimal("5.00"), Decimal("0.40"), "down")]
