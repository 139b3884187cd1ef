"""Demand forecast: expected quantity per item (and orders) per weekday × hour = the weighted mean of
the same weekday-hour over the last 4 weeks, weights 4, 3, 2, 1 newest first, skipping weeks before
the item existed and days the store did not trade (closed dates and days without a single order).

Its accuracy is measured where decisions are made (forecast_models.py): orders per hour (staffing)
and item per daypart (prep), each method back-tested over the last 4 weeks beside two baselines;
the winner of each level is served. When another method beats the weighted mean per item per
daypart, its daypart totals are spread over the hours by the item's own hourly profile in that
daypart, so every reader of item × hour cells (stock, kitchen load) sees the winner's totals."""

import datetime as dt
from decimal import Decimal

import numpy as np
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from orders.models import MenuItem
from restaurant_ops.models import Store
from restaurant_ops.timeutils import business_date, business_day_bounds

from .. import selectors
from ..models import DemandForecast, ForecastAccuracy
from . import forecast_models as fm

WEIGHTS = (4, 3, 2, 1)
ORDERS = "orders"
Q3 = Decimal("0.001")
Q4 = Decimal("0.0001")
HISTORY_DAYS = 56
HORIZON_DAYS = 7


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


def compute(store: Store, now: dt.datetime) -> dict:
    """Forecast cells for the next occurrence of each weekday (today included), for items (key = item
    id) and orders (key = "orders"), and the back-test of every method at the two decision levels.
    A few queries whatever the data size, and vectorised passes over their aggregates."""
    today = business_date(store, now)
    first, last = today - dt.timedelta(days=HISTORY_DAYS), today - dt.timedelta(days=1)
    traded = selectors.trading_days(store, first, last) - selectors.closed_dates(store, first, last)
    daypart_rows = selectors.item_cells(store, first, last)
    hourly: dict[tuple, int] = {}
    for r in daypart_rows:  # an hour split between two dayparts comes as two rows
        key = (r["menu_item_id"], r["day"], r["hour"])
        hourly[key] = hourly.get(key, 0) + r["quantity"]
    item_rows = [
        {"menu_item_id": item, "day": day, "hour": hour, "quantity": qty}
        for (item, day, hour), qty in hourly.items()
    ]
    order_rows = [{**r, "day": r["business_date"]} for r in selectors.order_cells(store, first, last)]
    exists_from = _exists_from(store, first, item_rows)

    first_sale = selectors.first_sale_date(store)
    weeks = 0 if first_sale is None else (today - first_sale).days // 7
    enough_history = first_sale is not None and first_sale <= first
    traded_mask = np.array([first + dt.timedelta(days=d) in traded for d in range(HISTORY_DAYS)], dtype=bool)
    day_index = np.arange(HISTORY_DAYS)

    def valid_matrix(items: list) -> np.ndarray:
        """(keys × day index) → the key's day counts: the store traded, and the item existed."""
        starts = np.array(
            [(exists_from[i] - first).days if i in exists_from else -HISTORY_DAYS for i in items],
            dtype=np.int64,
        ).reshape(len(items), 1)
        return traded_mask & (day_index >= starts)

    series = {}
    for name, rows, keyname, qtyname in (
        ("items", item_rows, "menu_item_id", "quantity"),
        (ORDERS, order_rows, None, "orders"),
    ):
        keys = list(dict.fromkeys(r[keyname] if keyname else ORDERS for r in rows))
        index = {key: i for i, key in enumerate(keys)}
        series[name] = _Series(
            keys,
            np.fromiter(
                (index[r[keyname] if keyname else ORDERS] for r in rows), dtype=np.int64, count=len(rows)
            ),
            np.fromiter((r["hour"] for r in rows), dtype=np.int64, count=len(rows)),
            np.fromiter(((r["day"] - first).days for r in rows), dtype=np.int64, count=len(rows)),
            np.fromiter((r[qtyname] for r in rows), dtype=np.int64, count=len(rows)),
            valid_matrix([None if key == ORDERS else key for key in keys]),
        )
    weekdays = np.array([(first + dt.timedelta(days=d)).weekday() for d in range(HISTORY_DAYS + 7)])
    item_cells = series["items"].forecast_cells(today)
    order_cells = series[ORDERS].forecast_cells(today)

    # Orders per hour: one key per clock hour, a day per column.
    orders_hourly = np.zeros((HOURS, HISTORY_DAYS))
    if series[ORDERS].keys:
        orders_hourly = series[ORDERS].qty[0].astype(float)
    orders_level = _level(
        orders_hourly,
        np.broadcast_to(traded_mask, orders_hourly.shape),
        weekdays,
        enough_history,
        fm.ORDER_METHODS,
    )
    if orders_level["winner"] != "weighted":
        order_cells = _cells_of(orders_level["forecast"], [ORDERS] * HOURS, list(range(HOURS)), today)

    # Items per daypart: one key per (item, daypart) that sold in the window.
    dp_keys = list(dict.fromkeys((r["menu_item_id"], r["daypart"]) for r in daypart_rows))
    dp_index = {key: i for i, key in enumerate(dp_keys)}
    y = np.zeros((len(dp_keys), HISTORY_DAYS))
    by_hour = np.zeros((len(dp_keys), HOURS))  # each (item, daypart)'s hourly profile over the window
    for r in daypart_rows:
        y[dp_index[(r["menu_item_id"], r["daypart"])], (r["day"] - first).days] += r["quantity"]
        by_hour[dp_index[(r["menu_item_id"], r["daypart"])], r["hour"]] += r["quantity"]
    items_level = _level(
        y, valid_matrix([item for item, _dp in dp_keys]), weekdays, enough_history, fm.ITEM_METHODS
    )
    if items_level["winner"] != "weighted":
        item_cells = _spread(items_level["forecast"], dp_keys, by_hour, today)

    return {
        "items": {"cells": item_cells, "weeks": weeks},
        ORDERS: {"cells": order_cells, "weeks": weeks},
        "levels": {"orders_hour": orders_level, "item_daypart": items_level},
    }


def _exists_from(store: Store, first: dt.date, item_rows: list[dict]) -> dict[int, dt.date]:
    """An item exists from its creation or its first sale, whichever is earlier. Only the items sold in
    the window matter, and only whether they existed on each day of it: an item created by `first`
    existed all along, and one created later did if it sold before `first` (an EXISTS per such item,
    instead of the first sale of every item over the whole history)."""
    created = {pk: business_date(store, row["created_at"]) for pk, row in selectors.items_of(store).items()}
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
    return {
        pk: min(filter(None, [created.get(pk), first_sales.get(pk)]))
        for pk in set(created) | set(first_sales)
    }


def _level(y, valid, weekdays, enough_history: bool, methods: tuple) -> dict:
    """The back-test at one level: every method's score and the winner (weighted without history)."""
    if not enough_history or len(y) == 0:
        return {"winner": "weighted", "scores": {m: fm.Score(None, None) for m in methods}, "forecast": None}
    contest = fm.compete(y, np.asarray(valid), weekdays, methods)
    return {
        "winner": contest["winner"],
        "scores": {m: score for m, (_matrix, score) in contest["results"].items()},
        "forecast": contest["results"][contest["winner"]][0],
    }


def _cells_of(forecast: np.ndarray, keys: list, hours: list, today: dt.date) -> dict[tuple, Decimal]:
    """(key, weekday, hour) → the coming week's forecast from a (keys × targets) matrix, non-zero only."""
    cells = {}
    for row, (key, hour) in enumerate(zip(keys, hours, strict=True)):
        for offset in range(HORIZON_DAYS):
            value = Decimal(repr(float(forecast[row, HISTORY_DAYS - fm.FIRST_TARGET + offset]))).quantize(Q3)
            if value > 0:
                cells[(key, (today + dt.timedelta(days=offset)).weekday(), hour)] = value
    return cells


def _spread(forecast: np.ndarray, dp_keys: list, by_hour: np.ndarray, today: dt.date) -> dict:
    """Item × hour cells from item × daypart forecasts, by each (item, daypart)'s hourly profile."""
    cells: dict[tuple, Decimal] = {}
    shares = by_hour / np.maximum(by_hour.sum(axis=1, keepdims=True), 1)
    for row, (item, _daypart) in enumerate(dp_keys):
        for offset in range(HORIZON_DAYS):
            total = forecast[row, HISTORY_DAYS - fm.FIRST_TARGET + offset]
            weekday = (today + dt.timedelta(days=offset)).weekday()
            for hour in np.nonzero(shares[row])[0]:
                value = Decimal(repr(float(total * shares[row, hour]))).quantize(Q3)
                if value > 0:
                    key = (item, weekday, int(hour))
                    cells[key] = cells.get(key, Decimal(0)) + value
    return cells


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
            for series in ("items", ORDERS)
            for (key, weekday, hour), value in results[series]["cells"].items()
        ],
        batch_size=2000,
    )
    ForecastAccuracy.objects.filter(store=store).delete()
    ForecastAccuracy.objects.bulk_create(
        [
            ForecastAccuracy(
                store=store,
                level=level,
                method=method,
                wape=score.wape,
                mase=score.mase,
                served=method == data["winner"],
                weeks_of_history=results["items"]["weeks"],
                computed_at=stamp,
            )
            for level, data in results["levels"].items()
            for method, score in data["scores"].items()
        ]
    )
    return {
        "cells": {series: len(results[series]["cells"]) for series in ("items", ORDERS)},
        "served": {level: data["winner"] for level, data in results["levels"].items()},
        "wape": {level: data["scores"][data["winner"]].wape for level, data in results["levels"].items()},
    }
