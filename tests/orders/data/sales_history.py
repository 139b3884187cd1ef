"""Independent of the application (standard library only): generates the committed sales-history CSV
and computes, straight from the file, the best sellers and busy-hour cells the import must reproduce.

    python sales_history.py generate   # rewrites sales_history.csv (deterministic)
    python sales_history.py expected   # prints the expected figures as JSON

The file looks like another POS's export: cp1252, ';'-separated, day-first dates, separate date and time
columns, item names with varying case and spacing, one item sold at two prices, orders after midnight
(they belong to the previous business day: the store's cutoff is 04:00) and two closed days."""

import csv
import datetime
import json
import random
import sys
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

CSV = Path(__file__).with_name("sales_history.csv")
COLUMNS = ["Receipt", "Date", "Time", "Article", "Qty", "Price"]
CUTOFF_HOUR = 4
MENU = [  # (spellings, price(s), popularity)
    (["Chicken Wings", "chicken  wings", "CHICKEN WINGS"], ["7.90"], 9),
    (["Burger"], ["9.90", "8.50"], 7),
    (["Fries", "fries"], ["3.20"], 8),
    (["Crème Brûlée"], ["5.40"], 3),
    (["Soup of the Day"], ["4.60"], 4),
    (["Cola"], ["2.80"], 10),
    (["Garden Salad"], ["6.75"], 2),
]
HOURS = [11, 12, 12, 13, 13, 14, 17, 18, 19, 19, 20, 20, 21, 22, 23, 0, 1]
FIRST_DAY = datetime.date(2026, 1, 5)
DAYS = 56
CLOSED = {datetime.date(2026, 1, 19), datetime.date(2026, 2, 16)}


def generate() -> None:
    rng = random.Random(20260301)
    rows = []
    receipt = 1000
    for offset in range(DAYS):
        day = FIRST_DAY + datetime.timedelta(days=offset)
        if day in CLOSED:
            continue
        orders = 12 + 3 * day.weekday() + rng.randint(0, 6)
        for _ in range(orders):
            receipt += 1
            hour = rng.choice(HOURS)
            calendar_day = day + datetime.timedelta(days=1) if hour < CUTOFF_HOUR else day
            stamp = (calendar_day.strftime("%d/%m/%Y"), f"{hour:02d}:{rng.randint(0, 59):02d}")
            for _line in range(rng.choice([1, 1, 2, 2, 3])):
                spellings, prices, _weight = rng.choices(MENU, weights=[m[2] for m in MENU])[0]
                price = prices[1] if len(prices) > 1 and hour in (17, 18) else prices[0]
                rows.append(
                    [f"R{receipt}", *stamp, rng.choice(spellings), str(rng.choice([1, 1, 1, 2, 3])), price]
                )
                if rng.random() < 0.01:  # the same line twice in one order: both count
                    rows.append(list(rows[-1]))
    with CSV.open("w", encoding="cp1252", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(COLUMNS)
        writer.writerows(rows)


def key(name: str) -> str:
    return " ".join(name.split()).casefold()


def expected() -> dict:
    quantity: dict[str, int] = defaultdict(int)
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    order_cell: dict[str, tuple] = {}
    with CSV.open(encoding="cp1252", newline="") as stream:
        for row in csv.DictReader(stream, delimiter=";"):
            name, qty = key(row["Article"]), int(row["Qty"])
            quantity[name] += qty
            revenue[name] += Decimal(row["Price"]) * qty
            moment = datetime.datetime.strptime(f"{row['Date']} {row['Time']}", "%d/%m/%Y %H:%M")
            day = moment.date() - datetime.timedelta(days=1) if moment.hour < CUTOFF_HOUR else moment.date()
            order_cell[row["Receipt"]] = (day, moment.hour)
    orders: dict[tuple, int] = defaultdict(int)
    trading: dict[int, set] = defaultdict(set)
    for day, hour in order_cell.values():
        orders[(day.weekday(), hour)] += 1
        trading[day.weekday()].add(day)
    best = sorted(quantity, key=lambda n: (-quantity[n], -revenue[n], n))
    return {
        "first_day": min(d for d, _h in order_cell.values()).isoformat(),
        "last_day": max(d for d, _h in order_cell.values()).isoformat(),
        "best_sellers": [{"item": n, "quantity": quantity[n], "revenue": str(revenue[n])} for n in best],
        "busy_hours": [
            {
                "weekday": w,
                "hour": h,
                "orders": c,
                "trading_days": len(trading[w]),
                "average": str((Decimal(c) / len(trading[w])).quantize(Decimal("0.01"), ROUND_HALF_UP)),
            }
            for (w, h), c in sorted(orders.items())
        ],
        "orders": len(order_cell),
    }


if __name__ == "__main__":
    if sys.argv[1:] == ["generate"]:
        generate()
    else:
        json.dump(expected(), sys.stdout, indent=1)
