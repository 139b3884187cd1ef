"""Demand forecast: expected quantity per item (and orders) per weekday × hour = the weighted mean of
the same weekday-hour over the last 4 weeks, weights 4, 3, 2, 1 newest first, skipping weeks before
the item existed and days the store did not trade (closed dates and days without a single order).
Back-tested with a rolling origin over the last 4 weeks: WAPE = Σ|actual − forecast| / Σ actual, beside
the seasonal-naive baseline (same hour last week); null with less than 8 weeks of history."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import numpy as np
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from orders.models import MenuItem
from restaurant_ops.models import Store
from restaurant_ops.timeutils import business_date, business_day_bounds

from .. import selectors
from ..models import DemandForecast, ForecastAccuracy

WEIGHTS = (4, 3, 2, 1)
ORDERS = "orders"
Q3 = Decimal("0.001")
Q4 = Decimal("0.0001")
HISTORY_DAYS = 56
HORIZON_DAYS = 7
BACKTEST_DAYS = 28


HOURS = 24


class _Series:
    """One series as dense (key × hour × day) arrays over day indexes 0..55 (today − 56 .. today − 1),
    with the weighted numerators and weight sums for every target day index 0..62, in one vectorised
    pass: each counted day feeds the targets 7, 14, 21 and 28 days after it.

    `valid` is a (keys × days) boolean matrix: the key's day counts (the store traded, the item existed)."""

    def __init__(
        self, keys: list, keyed: np.ndarray, hours: np.ndarray, days: np.ndarray, qty: np.ndarray, valid
    ):
        self.keys = keys
        self.valid = valid
        shape = (len(keys), HOURS, HISTORY_DAYS)
        self.qty = np.zeros(shape, dtype=np.int64)
        self.qty[keyed, hours, days] = qty
        present = np.zeros(shape, dtype=bool)
        present[keyed, hours, days] = True
        counted = valid[:, None, :]
        targets = HISTORY_DAYS + HORIZON_DAYS
        self.numerators = np.zeros((len(keys), HOURS, targets), dtype=np.int64)
        self.forecast = np.zeros((len(keys), HOURS, targets), dtype=bool)  # a counted week had the cell
        self.weight_sums = np.zeros((len(keys), targets), dtype=np.int64)
        for k, weight in enumerate(WEIGHTS, start=1):
            shift = 7 * k
            n = min(HISTORY_DAYS, targets - shift)
            self.numerators[:, :, shift : shift + n] += weight * (self.qty * counted)[:, :, :n]
            self.forecast[:, :, shift : shift + n] |= (present & counted)[:, :, :n]
            self.weight_sums[:, shift : shift + n] += weight * valid[:, :n]

    def forecast_cells(self, today: dt.date) -> dict[tuple, Decimal]:
        """(key, weekday, hour) → forecast for the next 7 business days (today included)."""
        cells = {}
        ahead = self.forecast[:, :, HISTORY_DAYS:]
        for k, hour, offset in zip(*np.nonzero(ahead), strict=True):
            t = HISTORY_DAYS + int(offset)
            num, ws = int(self.numerators[k, hour, t]), int(self.weight_sums[k, t])
            target = today + dt.timedelta(days=int(offset))
            cells[(self.keys[k], target.weekday(), int(hour))] = (Decimal(num) / Decimal(ws)).quantize(Q3)
        return cells

    def backtest(self, today: dt.date, first_day: dt.date | None) -> tuple:
        """(WAPE, seasonal-naive WAPE, weeks of history) over the 28 days before `today`."""
        weeks = 0 if first_day is None else (today - first_day).days // 7
        if first_day is None or first_day > today - dt.timedelta(days=HISTORY_DAYS):
            return None, None, weeks
        start = HISTORY_DAYS - BACKTEST_DAYS
        # Cells of days the key does not count are left out; a cell without a sale, forecast or
        # last week's sale adds nothing (0 − 0).
        counted = self.valid[:, None, start:]
        actual = self.qty[:, :, start:] * counted
        naive = self.qty[:, :, start - 7 : HISTORY_DAYS - 7] * counted
        has_forecast = self.forecast[:, :, start:HISTORY_DAYS] & counted
        numerators = np.where(has_forecast, self.numerators[:, :, start:HISTORY_DAYS], 0)
        weight_sums = np.where(has_forecast, self.weight_sums[:, None, start:HISTORY_DAYS], 1)
        actual_total = int(actual.sum())
        if actual_total == 0:
            return None, None, weeks
        # Σ |a − num/ws| exactly: the integer Σ |a·ws − num| per weight sum, each divided once.
        deviation = np.abs(actual * weight_sums - numerators)
        error = sum(
            (Fraction(int(deviation[weight_sums == w].sum()), int(w)) for w in np.unique(weight_sums)),
            Fraction(0),
        )
        naive_error = int(np.abs(actual - naive).sum())
        wape = _decimal(error / actual_total).quantize(Q4)
        baseline = (Decimal(naive_error) / Decimal(actual_total)).quantize(Q4)
        return wape, baseline, weeks


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def compute(store: Store, now: dt.datetime) -> dict:
    """Forecasts for the next occurrence of each weekday (today included) and back-test errors, for
    items (key = item id) and orders (key = "orders"). Seven queries whatever the data size, and one
    vectorised pass per series over its (key, day, hour) aggregates."""
    today = business_date(store, now)
    first, last = today - dt.timedelta(days=HISTORY_DAYS), today - dt.timedelta(days=1)
    traded = selectors.trading_days(store, first, last) - selectors.closed_dates(store, first, last)
    item_rows = selectors.item_cells(store, first, last)
    order_rows = [{**r, "day": r["business_date"]} for r in selectors.order_cells(store, first, last)]
    created = {
        pk: business_date(store, at)
        for pk, at in selectors.items_of(store).items()
        for at in [at["created_at"]]
    }
    # An item exists from its creation or its first sale, whichever is earlier. Only the items sold in
    # the window matter, and only whether they existed on each day of it: an item created by `first`
    # existed all along, and one created later did if it sold before `first` (an EXISTS per such item,
    # instead of the first sale of every item over the whole history).
    first_sales: dict[int, dt.date] = {}
    for r in item_rows:
        if r["day"] < first_sales.get(r["menu_item_id"], dt.date.max):
            first_sales[r["menu_item_id"]] = r["day"]
    sold_before = set(
        MenuItem.objects.filter(
            store=store, created_at__gte=business_day_bounds(store, first - dt.timedelta(days=1))[0]
        )
        .filter(
            Exists(
                selectors.counted_lines(store).filter(
                    menu_item=OuterRef("pk"), order__business_date__lt=first
                )
            )
        )
        .values_list("pk", flat=True)
    )
    for pk in first_sales:
        if pk in sold_before:
            first_sales[pk] = first - dt.timedelta(days=1)
    exists_from = {
        pk: min(filter(None, [created.get(pk), first_sales.get(pk)]))
        for pk in set(created) | set(first_sales)
    }

    first_sale = selectors.first_sale_date(store)
    traded_mask = np.array([first + dt.timedelta(days=d) in traded for d in range(HISTORY_DAYS)], dtype=bool)
    day_index = np.arange(HISTORY_DAYS)

    def valid_matrix(keys: list) -> np.ndarray:
        """(keys × day index) → the key's day counts: the store traded, and the item existed."""
        starts = np.array(
            [
                (exists_from[key] - first).days if key != ORDERS and key in exists_from else -HISTORY_DAYS
                for key in keys
            ],
            dtype=np.int64,
        ).reshape(len(keys), 1)
        return traded_mask & (day_index >= starts)

    results = {}
    for series, rows, keyname, qtyname in (
        ("items", item_rows, "menu_item_id", "quantity"),
        (ORDERS, order_rows, None, "orders"),
    ):
        keys = list(dict.fromkeys(r[keyname] if keyname else ORDERS for r in rows))
        index = {key: i for i, key in enumerate(keys)}
        data = _Series(
            keys,
            np.fromiter(
                (index[r[keyname] if keyname else ORDERS] for r in rows), dtype=np.int64, count=len(rows)
            ),
            np.fromiter((r["hour"] for r in rows), dtype=np.int64, count=len(rows)),
            np.fromiter(((r["day"] - first).days for r in rows), dtype=np.int64, count=len(rows)),
            np.fromiter((r[qtyname] for r in rows), dtype=np.int64, count=len(rows)),
            valid_matrix(keys),
        )
        wape, naive, weeks = data.backtest(today, first_sale)
        results[series] = {
            "cells": data.forecast_cells(today),
            "wape": wape,
            "baseline_wape": naive,
            "weeks": weeks,
        }
    return results


@transaction.atomic
def run_forecast(*, store: Store, now: dt.datetime, job_run=None) -> dict:
    """Stores the forecast cells (replacing the previous ones) and the back-tested errors."""
    results = compute(store, now)
    DemandForecast.objects.filter(store=store).delete()
    stamp = timezone.now()
    DemandForecast.objects.bulk_create(
        [
            DemandForecast(
                store=store,
                menu_item_id=key if key != ORDERS else None,
                weekday=weekday,
                hour=hour,
                quantity=value,
                computed_at=stamp,
            )
            for series in results.values()
            for (key, weekday, hour), value in series["cells"].items()
        ],
        batch_size=2000,
    )
    for series, data in results.items():
        ForecastAccuracy.objects.update_or_create(
            store=store,
            series=series,
            defaults={
                "wape": data["wape"],
                "baseline_wape": data["baseline_wape"],
                "weeks_of_history": data["weeks"],
                "computed_at": stamp,
            },
        )
    return {
        series: {"cells": len(d["cells"]), "wape": d["wape"], "baseline_wape": d["baseline_wape"]}
        for series, d in results.items()
    }
