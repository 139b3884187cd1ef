"""Costed sales read from the sales and modifier rollups equal the same figures read from the order
lines: modifiers (with recipes of their own), a refund by line and one by amount, a void and a
cancellation, a back-dated price rise, an item without a recipe; and `until` inside an hour (the rollups
before it, the order lines in it) and inside an hour a DST change repeats.

Berlin, takeaway (no tax, no service charge), D1 = Mon 2 June 2025, D2 = Tue 3 June. Burger 10.00 takes
1 beef; modifiers Cheese (+1.00, 2 slices of cheese) and Double (+3.00, 1 beef); Soda 3.00 has no recipe.
Beef 2.00 a piece, 2.50 from a receipt on D2; cheese 0.40 a slice.

  D1 12:10 O1: 2 burgers with cheese (22.00), 1 with double and cheese (14.00), 1 soda (3.00) = 39.00, paid
  D1 13:20 O2: 3 burgers with double (39.00, voided at 13:25), 1 soda (3.00)
  D1 19:05 O3: 1 burger with cheese (11.00), cancelled at 19:10
  D2 12:05 O4: 4 burgers (40.00), 2 with cheese (22.00) = 62.00, paid
  D2 13:00 refund by line: 1 of O4's 4 plain burgers: −40.00 × 1/4 = −10.00
  D2 13:30 refund of 7.80 on O1's payment, by amount: × line net / 39.00: burgers 7.80 × 22/39 = 4.40 and
           7.80 × 14/39 = 2.80, soda 7.80 × 3/39 = 0.60
"""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest

from analytics import selectors
from analytics.analyses import costing
from inventory import services as inventory
from orders.services import LineRefund, order_cancel, order_line_void, payment_refund, payment_take
from tests.analytics.conftest import at, sell_order
from tests.factories import MenuItemFactory, ModifierFactory, ModifierGroupFactory, StoreFactory
from tests.inventory.factories import IngredientFactory

pytestmark = pytest.mark.django_db
D = Decimal
D1, D2 = dt.date(2025, 6, 2), dt.date(2025, 6, 3)


def _clock(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


@pytest.fixture
def two_days():
    store = StoreFactory(time_zone="Europe/Berlin")
    beef = IngredientFactory(store=store, name="Beef", base_unit="pcs")
    cheese_slice = IngredientFactory(store=store, name="Cheese", base_unit="pcs")
    for ingredient, day, cost in ((beef, D1 - dt.timedelta(days=10), "2.00"), (beef, D2, "2.50"),
                                  (cheese_slice, D1 - dt.timedelta(days=10), "0.40")):  # fmt: skip
        inventory.stock_movement_record(
            store=store,
            ingredient=ingredient,
            kind="receipt",
            quantity=D("1000"),
            reason="delivery",
            unit_cost=D(cost),
            at=at(day, 8),
        )
    burger = MenuItemFactory(store=store, name="Burger", price=D("10.00"))
    soda = MenuItemFactory(store=store, name="Soda", price=D("3.00"))
    extras = ModifierGroupFactory(store=store, name="Extras")
    cheese = ModifierFactory(group=extras, name="Cheese", price_delta=D("1.00"))
    double = ModifierFactory(group=extras, name="Double", price_delta=D("3.00"))
    burger.modifier_groups.add(extras)
    for ingredient, owner, pieces in (
        (beef, {"menu_item": burger}, "1"),
        (cheese_slice, {"modifier": cheese}, "2"),
        (beef, {"modifier": double}, "1"),
    ):
        inventory.recipe_line_set(store=store, ingredient=ingredient, quantity=D(pieces), unit="pcs", **owner)

    def sell(moment, lines):
        with _clock(moment):
            return sell_order(store, lines, moment, service_type="takeaway")

    o1 = sell(at(D1, 12, 10), [(burger, 2, [cheese]), (burger, 1, [double, cheese]), (soda, 1)])
    with _clock(at(D1, 12, 15)):
        paid1 = payment_take(guest_check=o1.guest_check, method="card", amount=D("39.00"))
    o2 = sell(at(D1, 13, 20), [(burger, 3, [double]), (soda, 1)])
    with _clock(at(D1, 13, 25)):
        order_line_void(line=o2.lines.get(menu_item=burger), reason="Dropped")
    o3 = sell(at(D1, 19, 5), [(burger, 1, [cheese])])
    with _clock(at(D1, 19, 10)):
        order_cancel(order=o3, reason="Guest left")
    o4 = sell(at(D2, 12, 5), [(burger, 4), (burger, 2, [cheese])])
    with _clock(at(D2, 12, 30)):
        paid4 = payment_take(guest_check=o4.guest_check, method="card", amount=D("62.00"))
    plain = o4.lines.get(quantity=4)
    with _clock(at(D2, 13)):
        payment_refund(payment=paid4, lines=[LineRefund(line_id=plain.pk, quantity=1)], reason="Cold")
    with _clock(at(D2, 13, 30)):
        payment_refund(payment=paid1, amount=D("7.80"), reason="Slow")
    return store, burger, soda


def rows(store, first, last, **kwargs) -> dict[tuple, tuple]:
    """(item name, day) → (quantity, revenue, food cost) of `costing.costed_sales`."""
    names = {
        r["menu_item_id"]: r["name"]
        for r in selectors.items_of(store).values()
        for r["menu_item_id"] in [r["id"]]
    }
    return {
        (names[r["menu_item_id"]], r["day"]): (r["quantity"], r["revenue"], r["food_cost"])
        for r in costing.costed_sales(store, first, last, **kwargs)
    }


def from_order_lines(store, first, last, *, until=None, by_daypart=False, money=True):
    """`item_day_sales` as it reads the order lines alone (for dayparts that split an hour)."""
    return selectors._day_rows(
        *selectors._line_day_sales(store, first, last, until=until, by_daypart=by_daypart, money=money), money
    )


# By hand:
# D1 burger: 2 + 1 (O1) + 3 − 3 (O2's void) + 1 − 1 (O3 cancelled) = 3 portions, 22.00 + 14.00 = 36.00;
#    beef 3 × 1 + 1 (O1's double) = 4 × 2.00 = 8.00, cheese (2 + 1) × 2 = 6 slices × 0.40 = 2.40: 10.40
# D1 soda: 1 (O1) + 1 (O2) = 2, 6.00, no recipe: unknown cost
# D2 burger: 4 + 2 = 6 portions, 62.00 − 10.00 − 4.40 − 2.80 = 44.80;
#    beef 6 × 2.50 = 15.00, cheese 2 × 2 = 4 slices × 0.40 = 1.60: 16.60
# D2 soda: no portions, −0.60 given back, no food: cost 0
EXPECTED = {
    ("Burger", D1): (3, D("36.00"), D("10.40")),
    ("Soda", D1): (2, D("6.00"), None),
    ("Burger", D2): (6, D("44.80"), D("16.60")),
    ("Soda", D2): (0, D("-0.60"), D("0")),
}


def test_the_rollups_and_the_order_lines_cost_the_same_sales(two_days):
    store, _burger, _soda = two_days
    assert rows(store, D1, D2) == EXPECTED
    with mock.patch.object(selectors, "item_day_sales", from_order_lines):
        assert rows(store, D1, D2) == EXPECTED


@pytest.mark.parametrize(
    ("until", "expected"),
    [
        # on the hour: the rollups alone, D2's hours before 12:00 (nothing sold)
        (at(D2, 12), {}),
        # 12:00–12:20 from the order lines: O4, 62.00; beef 6 × 2.50 + cheese 4 × 0.40 = 16.60
        (at(D2, 12, 20), {("Burger", D2): (6, D("62.00"), D("16.60"))}),
        # the rollups to 13:00, the lines 13:00–13:15: the refund by line (−10.00), not the 13:30 one
        (at(D2, 13, 15), {("Burger", D2): (6, D("52.00"), D("16.60"))}),
    ],
)
def test_until_inside_an_hour_reads_the_rest_of_it_from_the_order_lines(two_days, until, expected):
    store, _burger, _soda = two_days
    assert rows(store, D2, D2, until=until) == expected
    with mock.patch.object(selectors, "item_day_sales", from_order_lines):
        assert rows(store, D2, D2, until=until) == expected


def test_until_in_the_hour_a_dst_change_repeats():
    """Berlin's clocks go back at 03:00 on Sun 26 October 2025: 02:00–03:00 happens twice, both times in
    business day Sat 25 (cutoff 04:00) and both in the rollup's cell of hour 2. A soda at 02:10 the first
    time (00:10 UTC) and one at 02:40 the second (01:40 UTC); until 02:20 the second time (01:20 UTC):
    the first soda only (3.00), so hour 2 cannot come from the rollup and the day is read from the lines."""
    store = StoreFactory(time_zone="Europe/Berlin")
    soda = MenuItemFactory(store=store, name="Soda", price=D("3.00"))
    saturday = dt.date(2025, 10, 25)
    for moment in (
        dt.datetime(2025, 10, 26, 0, 10, tzinfo=dt.UTC),
        dt.datetime(2025, 10, 26, 1, 40, tzinfo=dt.UTC),
    ):
        with _clock(moment):
            sell_order(store, [(soda, 1)], moment, service_type="takeaway")
    items, _modifiers = selectors.item_day_sales(
        store, saturday, saturday, until=dt.datetime(2025, 10, 26, 1, 20, tzinfo=dt.UTC)
    )
    assert [(r["quantity"], r["revenue"]) for r in items] == [(1, D("3.00"))]
