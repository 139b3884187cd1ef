"""The dashboard's own read paths (the daily trend and the table by item and month) on the analyses'
input fixture (tests.analytics.conftest.two_days_in_new_york_sold): every figure is worked by hand and
changes if a modifier's recipe, the recipe in force on the day, the ingredient's cost on the day, the
store's time zone or an unknown cost were dropped on the way to the page."""

import datetime as dt
from decimal import Decimal

import pytest

from dashboard import selectors
from tests.analytics.conftest import two_days_in_new_york_sold

pytestmark = pytest.mark.django_db
D = dt.date(2026, 3, 2)
D1 = D + dt.timedelta(days=1)


@pytest.fixture
def sold():
    return two_days_in_new_york_sold(D)


def test_the_daily_trend_margin_takes_modifiers_recipe_history_local_days_and_unknown_costs(sold):
    trend = {r["day"]: r for r in selectors.daily_trend(sold["store"], D, D1)}
    pick = ("sales", "orders", "gross_margin_pct", "costs_known_share")
    # D (the 23:30 order, D+1 in UTC): P 2 × 11.50 + Q 4 × 8.00 = 55.00; food P 2 × (2 + 1 Extra) × 1.00
    # + Q 4 × 1.00 = 10.00 → 45 / 55 = 81.8 % (without the modifier's recipe 85.5 %; with today's 3-x
    # recipe for P 78.2 %)
    assert tuple(trend[D][k] for k in pick) == (Decimal("55.00"), 1, Decimal("81.8"), Decimal("1.0000"))
    # D+1: P 20.00 + Q 32.00 + S 9.00 = 61.00; S has no recipe: margin over the 52.00 with a known cost,
    # food P 2 × 3 × 2.00 + Q 4 × 2.00 = 20.00 → 32 / 52 = 61.5 %, over 52 / 61 = 0.8525 of sales
    assert tuple(trend[D1][k] for k in pick) == (Decimal("61.00"), 1, Decimal("61.5"), Decimal("0.8525"))


def test_the_table_by_item_and_month_takes_the_same_inputs(sold):
    table = selectors.margin_by_item_month(sold["store"], D, D1)
    pick = ("name", "quantity", "revenue", "food_cost", "gross_profit", "margin_pct", "costs_known")
    # P: 43.00 − (6.00 + 12.00) = 25.00, 25 / 43 = 58.1 %; Q: 64.00 − (4.00 + 8.00) = 52.00, 81.25 → 81.3 %;
    # S: cost unknown; R sold only on D+2: not in the window
    assert [tuple(r[k] for k in pick) for r in table["by_item"]] == [
        ("P", 4, Decimal("43.00"), Decimal("18.00"), Decimal("25.00"), Decimal("58.1"), True),
        ("Q", 8, Decimal("64.00"), Decimal("12.00"), Decimal("52.00"), Decimal("81.3"), True),
        ("S", 3, Decimal("9.00"), None, None, None, False),
    ]
    (month,) = table["by_month"]
    # 116.00 of sales, 107.00 with a known cost, food 30.00: 77.00 = 72.0 %; 107 / 116 = 0.9224
    assert (
        month["quantity"],
        month["revenue"],
        month["food_cost"],
        month["gross_profit"],
        month["margin_pct"],
        month["costs_known_share"],
    ) == (15, Decimal("116.00"), Decimal("30.00"), Decimal("77.00"), Decimal("72.0"), Decimal("0.9224"))
