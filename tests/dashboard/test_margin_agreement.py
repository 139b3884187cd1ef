"""One change for one pair of periods: the overview, the monthly table, the waterfall and the margin
insight all compare this month to date with the same days of last month (PRODUCT.md) and agree."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest

from analytics.models import Insight
from analytics.registry import run_analysis
from inventory import services as inventory
from tests.analytics.conftest import at, sell_order
from tests.factories import MenuItemFactory
from tests.inventory.factories import IngredientFactory

pytestmark = pytest.mark.django_db
NOW = at(dt.date(2026, 3, 15), 12)  # periods: 1–14 March against 1–14 February


def test_overview_monthly_table_waterfall_and_insight_show_the_same_change(store, key_client):
    chicken = IngredientFactory(store=store, name="Chicken", base_unit="pcs")
    wings = MenuItemFactory(store=store, name="Wings", price=Decimal("10.00"))
    inventory.recipe_line_set(
        store=store, ingredient=chicken, quantity=Decimal("2"), unit="pcs", menu_item=wings
    )
    for day, cost in ((dt.date(2026, 1, 20), "1.00"), (dt.date(2026, 3, 1), "1.30")):
        inventory.stock_movement_record(
            store=store,
            ingredient=chicken,
            kind="receipt",
            quantity=Decimal("1000"),
            reason="delivery",
            unit_cost=Decimal(cost),
            at=at(day, 8),
        )
    for day in range(1, 16):  # the 15th is today: not in the month to date
        for month in (2, 3):
            sell_order(store, [(wings, 10)], at(dt.date(2026, month, day), 12))
    # GP₀ = 140 × (10 − 2 × 1.00) = 1120.00; GP₁ = 140 × (10 − 2 × 1.30) = 1036.00: −84.00, −7.5%
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        overview = key_client.get("/api/v1/analytics/overview/").json()["gross_profit"]
        table = key_client.get("/api/v1/analytics/margin-by-item-month/").json()["by_month"]
        waterfall = key_client.get("/api/v1/analytics/margin/").json()
    run_analysis(store=store, job="margin", now=NOW)
    insight = Insight.objects.get(kind="margin_drop").numbers

    periods = (["2026-02-01", "2026-02-14"], ["2026-03-01", "2026-03-14"])
    assert (overview["previous"], overview["current"]) == periods
    assert (overview["gp0"], overview["gp1"], overview["change"], overview["change_pct"]) == (
        "1120.00",
        "1036.00",
        "-84.00",
        "-7.5",
    )
    assert [(r["start"], r["end"], r["gross_profit"]) for r in table] == [
        ("2026-02-01", "2026-02-14", "1120.00"),
        ("2026-03-01", "2026-03-14", "1036.00"),
    ]
    assert (waterfall["previous"], waterfall["current"]) == periods
    assert (waterfall["gp0"], waterfall["gp1"], waterfall["change"]) == ("1120.00", "1036.00", "-84.00")
    assert {waterfall["part_names"][k]: v for k, v in waterfall["parts"].items()} == {
        "sales volume": "0.00",
        "mix": "0.00",
        "menu price": "0.00",
        "recipe changes": "0.00",
        "Chicken": "-84.00",
    }
    assert (insight["gp0"], insight["gp1"], insight["lost"], insight["drop_pct"]) == (
        "1120.00",
        "1036.00",
        "84.00",
        "7.5",
    )
    assert (insight["previous"], insight["current"]) == ("2026-02-01 – 2026-02-14", "2026-03-01 – 2026-03-14")
