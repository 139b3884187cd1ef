"""The forecast judged on whole histories, imported as a restaurant would import them: the committed POS
export (tests/orders/data/sales_history.csv) and a seeded intermittent-demand export (rare dishes, a
weekend lift). On each, at both decision levels, the served method is the back-test's winner and the
plain line says so. The figures go to test-artifacts/forecast_accuracy-*.md."""

import datetime as dt
import io
import random
from pathlib import Path

import pytest

from analytics.analyses import forecast
from analytics.analyses import forecast_models as fm
from orders.importing import sales_import
from restaurant_ops.models import Daypart
from tests.analytics.conftest import at
from tests.factories import DaypartFactory, StoreFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
POS_EXPORT = ROOT / "tests" / "orders" / "data" / "sales_history.csv"
ARTIFACTS = ROOT / "test-artifacts"


def _store():
    store = StoreFactory(time_zone="Europe/Berlin", currency="EUR")
    DaypartFactory(store=store, name=Daypart.Name.LUNCH, starts=dt.time(11), ends=dt.time(16))
    DaypartFactory(store=store, name=Daypart.Name.DINNER, starts=dt.time(16), ends=dt.time(4))
    return store


def intermittent_export(last_day: dt.date, days: int = 63) -> str:
    """12 dishes sold on 4% to 45% of services (×1.6 on Fri–Sun), 1–3 at a time, and a cola that sells
    at every service, so the store trades daily: the sparse counts of a real menu's long tail."""
    rng = random.Random(20261130)
    rarity = [0.04, 0.06, 0.08, 0.1, 0.12, 0.15, 0.18, 0.22, 0.26, 0.3, 0.38, 0.45]
    rows = ["order_id,timestamp,item,quantity,unit_price"]
    number = 0
    for offset in range(days):
        day = last_day - dt.timedelta(days=days - 1 - offset)
        lift = 1.6 if day.weekday() >= 4 else 1.0
        for hours in ((11, 12, 13, 14), (18, 19, 20, 21)):
            number += 1
            rows.append(f"S{number},{day} {rng.choice(hours)}:{rng.randint(0, 59):02d},Cola,1,2.80")
            for dish, share in enumerate(rarity):
                if rng.random() < min(1.0, share * lift):
                    number += 1
                    moment = f"{day} {rng.choice(hours)}:{rng.randint(0, 59):02d}"
                    rows.append(f"S{number},{moment},Dish {dish + 1:02d},{rng.choice([1, 1, 2, 3])},9.50")
    return "\n".join(rows) + "\n"


def _table(name: str, levels: dict) -> list[str]:
    lines = [f"### {name}", "", "| level | " + " | ".join(fm.METHODS) + " | served |", "|---" * 7 + "|"]
    for level, data in levels.items():
        cells = []
        for method in fm.METHODS:
            score = data["scores"].get(method)
            cells.append("—" if score is None or score.wape is None else f"{score.wape} / {score.mase}")
        lines.append(f"| {level} | " + " | ".join(cells) + f" | {data['winner']} |")
    return [*lines, "", "(WAPE / MASE over the last 4 weeks; baselines: seasonal_naive, flat_mean)", ""]


def _assert_served_is_the_winner(levels: dict):
    for level, data in levels.items():
        scored = {m: s.wape for m, s in data["scores"].items() if s.wape is not None}
        assert scored, level
        best = min(scored.values())
        assert scored[data["winner"]] == best, (level, scored, data["winner"])


def test_the_committed_pos_export():
    store = _store()
    with POS_EXPORT.open(encoding="cp1252", newline="") as stream:
        report = sales_import(
            store=store,
            stream=stream,
            delimiter=";",
            date_format="%d/%m/%Y %H:%M",
            mapping={"order_id": "Receipt", "date": "Date", "time": "Time", "item": "Article"}
            | {"quantity": "Qty", "unit_price": "Price"},
        )
    assert not report.errors
    # The export runs 5 January – 1 March 2026: judged the morning after its last day.
    levels = forecast.compute(store, at(dt.date(2026, 3, 2), 8))["levels"]
    _assert_served_is_the_winner(levels)
    _write("The committed POS export (tests/orders/data/sales_history.csv)", levels)


def test_a_seeded_intermittent_demand_export():
    store = _store()
    report = sales_import(store=store, stream=io.StringIO(intermittent_export(dt.date(2026, 3, 1))))
    assert not report.errors
    levels = forecast.compute(store, at(dt.date(2026, 3, 2), 8))["levels"]
    _assert_served_is_the_winner(levels)
    items = levels["item_daypart"]
    # On sparse dishes copying last week is the worst guess; what is served must beat it clearly.
    assert items["scores"][items["winner"]].wape < items["scores"]["seasonal_naive"].wape
    _write("A seeded intermittent-demand export (12 rare dishes + a daily cola)", levels)


def _write(name: str, levels: dict) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    slug = "pos-export" if "POS" in name else "intermittent"
    (ARTIFACTS / f"forecast_accuracy-{slug}.md").write_text("\n".join(_table(name, levels)))
