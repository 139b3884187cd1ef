"""Demand forecast: expected quantity per item (and orders) per weekday × hour = the weighted mean of
the same weekday-hour over the last 4 weeks, weights 4, 3, 2, 1 newest first, skipping weeks before
the item existed and days the store did not trade (closed dates and days without a single order).
Back-tested with a rolling origin over the last 4 weeks: WAPE = Σ|actual − forecast| / Σ actual, beside
the seasonal-naive baseline (same hour last week); null with less than 8 weeks of history."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pandas as pd
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from restaurant_ops.models import Store
from restaurant_ops.timeutils import business_date

from .. import selectors
from ..models import DemandForecast, ForecastAccuracy

WEIGHTS = (4, 3, 2, 1)
ORDERS = "orders"
Q3 = Decimal("0.001")
Q4 = Decimal("0.0001")


def forecast_day(frame: pd.DataFrame, target: dt.date, valid) -> dict[tuple, Decimal]:
    """(key, hour) → forecast for business day `target`. `frame` has columns key, day, hour, qty;
    `valid(key, day)` says whether that key's day counts (the item existed, the store traded)."""
    numerators: dict[tuple, int] = defaultdict(int)
    weight_sums: dict = defaultdict(int)
    keys = frame["key"].unique() if len(frame) else []
    for k, weight in enumerate(WEIGHTS, start=1):
        day = target - dt.timedelta(days=7 * k)
        counted = [key for key in keys if valid(key, day)]
        for key in counted:
            weight_sums[key] += weight
        week = frame[(frame["day"] == day) & frame["key"].isin(counted)]
        if len(week):
            for (key, hour), qty in week.groupby(["key", "hour"])["qty"].sum().items():
                numerators[(key, hour)] += weight * int(qty)
    return {
        cell: Decimal(num) / Decimal(weight_sums[cell[0]])
        for cell, num in numerators.items()
        if weight_sums[cell[0]]
    }


def backtest(frame: pd.DataFrame, today: dt.date, valid, first_day: dt.date | None) -> tuple:
    """(WAPE, seasonal-naive WAPE, weeks of history) over the 28 days before `today`."""
    weeks = 0 if first_day is None else (today - first_day).days // 7
    if first_day is None or first_day > today - dt.timedelta(days=56):
        return None, None, weeks
    actual_total = Decimal(0)
    error = naive_error = Decimal(0)
    for offset in range(28, 0, -1):
        day = today - dt.timedelta(days=offset)
        forecast = forecast_day(frame, day, valid)
        todays = frame[frame["day"] == day]
        actual = {(r.key, r.hour): int(r.qty) for r in todays.itertuples() if valid(r.key, day)}
        last_week = frame[frame["day"] == day - dt.timedelta(days=7)]
        naive = {(r.key, r.hour): int(r.qty) for r in last_week.itertuples() if valid(r.key, day)}
        if not any(valid(key, day) for key in frame["key"].unique()):
            continue
        for cell in set(actual) | set(forecast) | set(naive):
            if not valid(cell[0], day):
                continue
            a = Decimal(actual.get(cell, 0))
            actual_total += a
            error += abs(a - forecast.get(cell, Decimal(0)))
            naive_error += abs(a - naive.get(cell, 0))
    if actual_total == 0:
        return None, None, weeks
    return (error / actual_total).quantize(Q4), (naive_error / actual_total).quantize(Q4), weeks


def _frame(rows: list[dict], key: str, qty: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        [{"key": r[key], "day": r["day"], "hour": r["hour"], "qty": r[qty]} for r in rows],
        columns=["key", "day", "hour", "qty"],
    )
    return frame


def compute(store: Store, now: dt.datetime) -> dict:
    """Forecasts for the next occurrence of each weekday (today included) and back-test errors, for
    items (key = item id) and orders (key = "orders"). Five queries whatever the data size."""
    today = business_date(store, now)
    first, last = today - dt.timedelta(days=56), today - dt.timedelta(days=1)
    traded = selectors.trading_days(store, first, last) - selectors.closed_dates(store, first, last)
    item_rows = selectors.item_cells(store, first, last)
    order_rows = [{**r, "day": r["business_date"]} for r in selectors.order_cells(store, first, last)]
    first_sales = dict(
        selectors.counted_lines(store)
        .values("menu_item_id")
        .annotate(first=Min("order__business_date"))
        .values_list("menu_item_id", "first")
        .order_by()
    )
    created = {
        pk: business_date(store, at)
        for pk, at in selectors.items_of(store).items()
        for at in [at["created_at"]]
    }
    exists_from = {
        pk: min(filter(None, [created.get(pk), first_sales.get(pk)]))
        for pk in set(created) | set(first_sales)
    }

    first_sale = selectors.first_sale_date(store)

    def valid(key, day):
        if day not in traded:
            return False
        return key == ORDERS or exists_from.get(key, day) <= day

    results = {}
    for series, rows, keyname, qtyname in (
        ("items", item_rows, "menu_item_id", "quantity"),
        (ORDERS, order_rows, None, "orders"),
    ):
        frame = _frame([{**r, "k": r[keyname] if keyname else ORDERS} for r in rows], "k", qtyname)
        cells = {}
        for offset in range(7):
            target = today + dt.timedelta(days=offset)
            for (key, hour), value in forecast_day(frame, target, valid).items():
                cells[(key, target.weekday(), int(hour))] = value.quantize(Q3)
        wape, naive, weeks = backtest(frame, today, valid, first_sale)
        results[series] = {"cells": cells, "wape": wape, "baseline_wape": naive, "weeks": weeks}
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
