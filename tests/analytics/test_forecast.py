"""Demand forecast: weighted 4-3-2-1 mean of the same weekday-hour, skipping days the store did not
trade and weeks before an item existed; back-tested where decisions are made (orders per hour, items
per daypart) beside two baselines, and the winner served."""

import datetime as dt
from decimal import Decimal

import pytest

from analytics import selectors
from analytics.analyses import forecast
from analytics.models import DemandForecast, ForecastAccuracy
from analytics.registry import run_analysis
from tests.analytics.conftest import at
from tests.factories import MenuItemFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 30)  # Monday; the past Mondays are 23, 16, 9 and 2 March


def test_weighted_mean_skips_non_trading_days_and_weeks_before_the_item(store, sell):
    soup, special, bread = (MenuItemFactory(store=store, name=n) for n in ("Soup", "Special", "Bread"))
    sell(store, [(soup, 4), (special, 6)], at(dt.date(2026, 3, 23), 12, 10))
    # 16 March: no orders at all, so not a trading day (weight 3 skipped for everyone)
    sell(store, [(bread, 1)], at(dt.date(2026, 3, 9), 12))
    sell(store, [(special, 3)], at(dt.date(2026, 3, 9), 12, 30))
    sell(store, [(soup, 10)], at(dt.date(2026, 3, 2), 12, 59))
    result = forecast.compute(store, at(TODAY, 10))["items"]["cells"]
    # soup: (4·4 + 2·0 + 1·10) / (4 + 2 + 1) = 26/7; special first sold 9 March: (4·6 + 2·3) / (4 + 2) = 5
    assert result[(soup.pk, 0, 12)] == Decimal("3.714")
    assert result[(special.pk, 0, 12)] == Decimal("5.000")
    # bread first sold on 9 March: (2·1) / (4 + 2)
    assert result[(bread.pk, 0, 12)] == Decimal("0.333")
    assert (soup.pk, 1, 12) not in result  # no Tuesday history


def test_accuracy_at_the_decision_levels_serves_a_baseline_when_it_wins(store, sell):
    soup = MenuItemFactory(store=store, name="Soup")
    # 63 days of history at noon: 4 units in the most recent week, 2 the week before, alternating.
    for n in range(1, 64):
        sell(store, [(soup, 4 if ((n - 1) // 7) % 2 == 0 else 2)], at(TODAY - dt.timedelta(days=n), 12))
    result = forecast.compute(store, at(TODAY, 10))
    items = result["levels"]["item_daypart"]
    wape = {m: s.wape for m, s in items["scores"].items()}
    mase = {m: s.mase for m, s in items["scores"].items()}
    # Each back-test day's actual a alternates 2/4 by week (Σ actual = 7·(2+4+2+4) = 84):
    # the 4-week mean is 3 (off by 1), the weighted mean (6b + 4a)/10 is off by 1.2, last week by 2.
    assert wape["flat_mean"] == Decimal("0.3333")  # 28 / 84
    assert wape["weighted"] == Decimal("0.4000")  # 28 · 1.2 / 84
    assert wape["seasonal_naive"] == Decimal("0.6667")  # 28 · 2 / 84
    # TSB starts at p = 1, z = 3 and smooths z towards each week's value: errors 7, 10.652, 8.905, 9.741
    assert wape["tsb"] == Decimal("0.4321")  # 36.298 / 84
    # In-sample, last week's value is off by 2 every day: MASE = mean error / 2
    assert (mase["flat_mean"], mase["weighted"], mase["seasonal_naive"]) == (
        Decimal("0.5000"),
        Decimal("0.6000"),
        Decimal("1.0000"),
    )
    assert items["winner"] == "flat_mean"  # ties level × weekday (factor 1 for one key): the simpler wins
    # Orders: one a day at noon, every method exact; the tie goes to the first baseline.
    assert result["levels"]["orders_hour"]["winner"] == "seasonal_naive"

    run_analysis(store=store, job="forecast", now=at(TODAY, 10))
    served = ForecastAccuracy.objects.get(store=store, level="item_daypart", served=True)
    assert (served.method, served.wape, served.weeks_of_history) == ("flat_mean", Decimal("0.3333"), 9)
    # The served 4-week mean, (2 + 4 + 2 + 4) / 4, all of it at noon where the soup always sold.
    assert DemandForecast.objects.get(store=store, menu_item=soup, weekday=0, hour=12).quantity == Decimal(
        "3.000"
    )
    quality = {row["level"]: row for row in selectors.forecast_quality(store)}
    assert quality["item_daypart"]["beats_baselines"] is False
    assert quality["item_daypart"]["message"] == (
        "Items per daypart: no smarter method beat the simple ones over the last 4 weeks, so "
        "“Average of the last 4 weeks” is used (off by 33% on average; same day last week 67%, "
        "4-week average 33%)."
    )


def test_a_method_that_beats_both_baselines_is_served_and_said_so(store, sell):
    soup = MenuItemFactory(store=store, name="Soup")
    for n in range(1, 64):  # one order at 9:00 every day of 9 weeks
        sell(store, [(soup, 1)], at(TODAY - dt.timedelta(days=n), 9))
    for k in range(1, 10):  # and on Mondays at noon 4 orders, or 2 on even weeks back
        for _ in range(4 if k % 2 else 2):
            sell(store, [(soup, 1)], at(TODAY - dt.timedelta(days=7 * k), 12))
    orders = forecast.compute(store, at(TODAY, 10))["levels"]["orders_hour"]
    wape = {m: s.wape for m, s in orders["scores"].items()}
    # Σ actual over the back-test = 28 (9:00) + 2 + 4 + 2 + 4 (Monday noons) = 40.
    # Weighted: 9:00 exact; Monday noons off by 1.2 each → 4.8 / 40
    assert wape["weighted"] == Decimal("0.1200")
    # Last week: Monday noons off by 2 each → 8 / 40
    assert wape["seasonal_naive"] == Decimal("0.2000")
    # 4-week mean at noon = 12/28 = 3/7 every day: Mondays off by 11/7, 25/7, 11/7, 25/7 (72/7),
    # the other 24 days by 3/7 each (72/7) → (144/7) / 40
    assert wape["flat_mean"] == Decimal("0.5143")
    # MASE: in-sample, 3 Monday noons differ from the week before by 2 among 24 hours × 21 days:
    # scale 6/504 = 1/84; weighted mean error 4.8 / (24 × 28) = 1/140 → 84/140
    assert orders["scores"]["weighted"].mase == Decimal("0.6000")
    assert orders["winner"] == "weighted"
    run_analysis(store=store, job="forecast", now=at(TODAY, 10))
    # Today (Monday) at noon, from the Mondays 1..4 weeks back (4, 2, 4, 2): (16 + 6 + 8 + 2) / 10
    assert DemandForecast.objects.get(
        store=store, menu_item__isnull=True, weekday=0, hour=12
    ).quantity == Decimal("3.200")
    line = {row["level"]: row for row in selectors.forecast_quality(store)}["orders_hour"]
    assert line["served"] == "weighted" and line["beats_baselines"] is True
    assert line["message"] == (
        "Orders per hour: over the last 4 weeks the forecast (Weighted same weekday (4-3-2-1)) was off by "
        "12% on average, better than copying the same day last week (20%) or the 4-week average (51%)."
    )


def test_no_accuracy_with_less_than_eight_weeks_and_no_history_at_all(store, sell):
    soup = MenuItemFactory(store=store)
    empty = forecast.compute(store, at(TODAY, 10))
    assert empty["items"] == {"cells": {}, "weeks": 0}
    assert empty["levels"]["orders_hour"]["winner"] == "weighted"
    assert all(s.wape is None for s in empty["levels"]["item_daypart"]["scores"].values())
    for n in range(1, 50):
        sell(store, [(soup, 1)], at(TODAY - dt.timedelta(days=n), 12))
    seven_weeks = forecast.compute(store, at(TODAY, 10))["levels"]
    assert all(s.wape is None for level in seven_weeks.values() for s in level["scores"].values())
    run_analysis(store=store, job="forecast", now=at(TODAY, 10))
    assert [row["message"] for row in selectors.forecast_quality(store)] == [
        "Orders per hour: not enough history yet to judge the forecast (it needs 8 weeks).",
        "Items per daypart: not enough history yet to judge the forecast (it needs 8 weeks).",
    ]


def test_running_twice_gives_the_same_rows(store, sell):
    soup = MenuItemFactory(store=store)
    sell(store, [(soup, 2)], at(TODAY - dt.timedelta(days=7), 18))
    for _ in range(2):
        run_analysis(store=store, job="forecast", now=at(TODAY, 10))
    assert list(
        DemandForecast.objects.values_list("menu_item", "weekday", "hour", "quantity").order_by("menu_item")
    ) == [(soup.pk, 0, 18, Decimal("2.000")), (None, 0, 18, Decimal("1.000"))]
