"""Demand forecast: weighted 4-3-2-1 mean of the same weekday-hour, skipping days the store did not
trade and weeks before an item existed; WAPE back-test beside the seasonal-naive baseline."""

import datetime as dt
from decimal import Decimal

import pytest

from analytics.analyses import forecast
from analytics.models import DemandForecast, ForecastAccuracy
from analytics.services import run_analysis
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


def test_wape_against_the_seasonal_naive_baseline(store, sell):
    soup = MenuItemFactory(store=store, name="Soup")
    # 63 days of history at noon: 4 units in the most recent week, 2 the week before, alternating.
    for n in range(1, 64):
        sell(store, [(soup, 4 if ((n - 1) // 7) % 2 == 0 else 2)], at(TODAY - dt.timedelta(days=n), 12))
    result = forecast.compute(store, at(TODAY, 10))
    # each test day: forecast (6a + 4b)/10 is off by 1.2, naive (last week) by 2; Σ actual = 7·(4+2+4+2) = 84
    assert result["items"]["wape"] == Decimal("0.4000")  # 28 · 1.2 / 84
    assert result["items"]["baseline_wape"] == Decimal("0.6667")  # 28 · 2 / 84
    assert result["orders"]["wape"] == Decimal("0.0000")  # one order a day, every day
    run_analysis(store=store, job="forecast", now=at(TODAY, 10))
    accuracy = ForecastAccuracy.objects.get(store=store, series="items")
    assert (accuracy.wape, accuracy.baseline_wape, accuracy.weeks_of_history) == (
        Decimal("0.4000"),
        Decimal("0.6667"),
        9,
    )
    # today's (Monday) forecast at noon: last Mondays were n = 7, 14, 21, 28 → weeks 0, 1, 2, 3 → 4, 2, 4, 2
    assert DemandForecast.objects.get(store=store, menu_item=soup, weekday=0, hour=12).quantity == Decimal(
        "3.200"
    )


def test_no_wape_with_less_than_eight_weeks_and_no_history_at_all(store, sell):
    soup = MenuItemFactory(store=store)
    assert forecast.compute(store, at(TODAY, 10))["items"] == {
        "cells": {},
        "wape": None,
        "baseline_wape": None,
        "weeks": 0,
    }
    for n in range(1, 50):
        sell(store, [(soup, 1)], at(TODAY - dt.timedelta(days=n), 12))
    assert forecast.compute(store, at(TODAY, 10))["items"]["wape"] is None


def test_running_twice_gives_the_same_rows(store, sell):
    soup = MenuItemFactory(store=store)
    sell(store, [(soup, 2)], at(TODAY - dt.timedelta(days=7), 18))
    for _ in range(2):
        run_analysis(store=store, job="forecast", now=at(TODAY, 10))
    assert list(
        DemandForecast.objects.values_list("menu_item", "weekday", "hour", "quantity").order_by("menu_item")
    ) == [(soup.pk, 0, 18, Decimal("2.000")), (None, 0, 18, Decimal("1.000"))]
