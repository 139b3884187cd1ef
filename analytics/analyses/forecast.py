"""Demand forecast: expected quantity per item (and orders) per weekday × hour = the weighted mean of
the same weekday-hour over the last 4 weeks, weights 4, 3, 2, 1 newest first, skipping weeks before
the item existed and days the store did not trade (closed dates and days without a single order).
Back-tested with a rolling origin over the last 4 weeks: WAPE = Σ|actual − forecast| / Σ actual, beside
the seasonal-naive baseline (same hour last week); null with less than 8 weeks of history."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
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


class _Series:
    """One series' aggregates as arrays over day indexes 0..55 (today − 56 .. today − 1), and the
    weighted numerators / weight sums for every target day index, computed in one vectorised pass.

    `rows` has columns key, hour, d (day index), qty: at most one row per (key, d, hour). `valid` is a
    (keys × days) boolean matrix: the key's day counts (the store traded, the item existed)."""

    def __init__(self, rows: pd.DataFrame, keys: list, valid: np.ndarray):
        self.keys = keys
        self.valid = valid
        self.rows = rows
        days = HISTORY_DAYS + HORIZON_DAYS
        # Weight sums per (key, target day index): Σ weight_k over the counted weeks t − 7k.
        weight_sums = np.zeros((len(keys), days), dtype=np.int64)
        for k, weight in enumerate(WEIGHTS, start=1):
            shift = 7 * k
            weight_sums[:, shift:] += weight * valid[:, : days - shift]
        self.weight_sums = weight_sums
        # Numerators per (key, hour, target day index): each counted row feeds the 4 targets after it.
        counted = rows[valid[rows["k"].to_numpy(), rows["d"].to_numpy()]] if len(rows) else rows
        parts = [
            pd.DataFrame(
                {
                    "k": counted["k"].to_numpy(),
                    "hour": counted["hour"].to_numpy(),
                    "t": counted["d"].to_numpy() + 7 * k,
                    "num": counted["qty"].to_numpy() * weight,
                }
            )
            for k, weight in enumerate(WEIGHTS, start=1)
        ]
        numerators = pd.concat(parts, ignore_index=True)
        numerators = numerators[numerators["t"] < days]
        numerators = numerators.groupby(["k", "hour", "t"], as_index=False)["num"].sum()
        numerators["ws"] = weight_sums[numerators["k"].to_numpy(), numerators["t"].to_numpy()]
        self.numerators = numerators[numerators["ws"] > 0]

    def forecast_cells(self, today: dt.date) -> dict[tuple, Decimal]:
        """(key, weekday, hour) → forecast for the next 7 business days (today included)."""
        cells = {}
        ahead = self.numerators[self.numerators["t"] >= HISTORY_DAYS]  # today .. today + 6
        for k, hour, t, num, ws in ahead[["k", "hour", "t", "num", "ws"]].itertuples(index=False):
            target = today + dt.timedelta(days=int(t) - HISTORY_DAYS)
            value = (Decimal(int(num)) / Decimal(int(ws))).quantize(Q3)
            cells[(self.keys[k], target.weekday(), int(hour))] = value
        return cells

    def backtest(self, today: dt.date, first_day: dt.date | None) -> tuple:
        """(WAPE, seasonal-naive WAPE, weeks of history) over the 28 days before `today`."""
        weeks = 0 if first_day is None else (today - first_day).days // 7
        if first_day is None or first_day > today - dt.timedelta(days=HISTORY_DAYS):
            return None, None, weeks
        start = HISTORY_DAYS - BACKTEST_DAYS
        rows, num = self.rows, self.numerators
        actual = rows.loc[rows["d"] >= start, ["k", "hour", "d", "qty"]].rename(
            columns={"d": "t", "qty": "a"}
        )
        naive = rows.loc[(rows["d"] >= start - 7) & (rows["d"] < HISTORY_DAYS - 7), ["k", "hour", "d", "qty"]]
        naive = naive.assign(t=naive["d"] + 7).drop(columns="d").rename(columns={"qty": "n"})
        forecast = num.loc[(num["t"] >= start) & (num["t"] < HISTORY_DAYS), ["k", "hour", "t", "num", "ws"]]
        cells = actual.merge(forecast, on=["k", "hour", "t"], how="outer").merge(
            naive, on=["k", "hour", "t"], how="outer"
        )
        if not len(cells):
            return None, None, weeks
        cells = cells[self.valid[cells["k"].to_numpy(dtype=np.int64), cells["t"].to_numpy(dtype=np.int64)]]
        a = cells["a"].fillna(0).to_numpy(dtype=np.int64)
        n = cells["n"].fillna(0).to_numpy(dtype=np.int64)
        f_num = cells["num"].fillna(0).to_numpy(dtype=np.int64)
        ws = cells["ws"].fillna(1).to_numpy(dtype=np.int64)
        actual_total = int(a.sum())
        if actual_total == 0:
            return None, None, weeks
        # Σ |a − num/ws| exactly: the integer Σ |a·ws − num| per weight sum, each divided once.
        deviation = np.abs(a * ws - f_num)
        error = sum((Fraction(int(deviation[ws == w].sum()), int(w)) for w in np.unique(ws)), Fraction(0))
        naive_error = int(np.abs(a - n).sum())
        wape = _decimal(error / actual_total).quantize(Q4)
        baseline = (Decimal(naive_error) / Decimal(actual_total)).quantize(Q4)
        return wape, baseline, weeks


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def _rows(rows: list[dict], key: str | None, qty: str, index: dict, first: dt.date) -> pd.DataFrame:
    """One frame for the whole series: key index, hour, day index (days since `first`), quantity."""
    return pd.DataFrame(
        {
            "k": np.fromiter(
                (index[r[key] if key else ORDERS] for r in rows), dtype=np.int64, count=len(rows)
            ),
            "hour": np.fromiter((r["hour"] for r in rows), dtype=np.int64, count=len(rows)),
            "d": np.fromiter(((r["day"] - first).days for r in rows), dtype=np.int64, count=len(rows)),
            "qty": np.fromiter((r[qty] for r in rows), dtype=np.int64, count=len(rows)),
        }
    )


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
        frame = _rows(rows, keyname, qtyname, {key: i for i, key in enumerate(keys)}, first)
        data = _Series(frame, keys, valid_matrix(keys))
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
