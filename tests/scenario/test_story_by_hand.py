"""The story's numbers, worked by hand (issue #14, must-have 10).

The demo's baskets are drawn at random (`demo.story.SEED`) and the forecast served on the demo is the one
whose back-test wins (the 4-week average × weekday pattern, pooled over every item), so the demo's own
reorder point or staffing gap cannot be worked out by hand; `test_demo_story` checks how its figures
relate. Here the same loader builds the same story with its randomness switched off through the story's
own parameters: one dish, the fried drumsticks, one portion per order, orders spread over the hours
exactly, the same every week (44 a day, Friday and Saturday 66), and the drumstick price rise fixed at
0.0330 per g. Every figure the owner acts on follows from those parameters and PRODUCT.md's definitions;
the arithmetic is in the comments, and no figure is computed by the product's functions.

The moments are the demo's three (Asia/Shanghai): Friday 13 November 2026 at 19:30 (dinner,
mid-month), Monday 30 November at 12:30 (lunch, the month's last day) and Tuesday 1 December at 09:00
(before opening, the month just closed). Each is worked out in CASES below, and the staffing gaps, which
are the same each time, in the test.

The schedule (portions = orders per clock hour; hour weights 11:1 12:2 13:1 17:1 18:2 19:2 20:1 21:1,
11 in all, so a 44-order day has 4 per weight and a 66-order day 6):

    hour         11  12  13 | 17  18  19  20 | 21    day
    Sun–Thu       4   8   4 |  4   8   8   4 |  4     44
    Fri, Sat      6  12   6 |  6  12  12   6 |  6     66

Every week of the 90 days is the same, so each forecast method that reads the same weekday is exact, and
the back-test picks the simplest of them with no error (same day last week, WAPE 0, both levels). One
portion takes 300 g of drumsticks, 40 ml of oil and 30 g of flour."""

import datetime as dt
from decimal import Decimal as D
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from analytics.models import ForecastAccuracy, Insight
from analytics.registry import run_all
from demo import loader, story
from inventory.models import PurchaseOrder
from kitchen.models import PrepTask
from restaurant_ops.services import api_key_create

pytestmark = pytest.mark.django_db

DRUMSTICKS = "Fried drumsticks"
BY_HAND = {
    "MENU": {DRUMSTICKS: story.MENU[DRUMSTICKS]},  # 22.00 incl. 6% tax; 300 g, 40 ml oil, 30 g flour
    "MODIFIERS": {},
    "INGREDIENTS": {n: story.INGREDIENTS[n] for n in ("Chicken drumsticks", "Cooking oil", "Flour")},
    "ORDERS_PER_DAY": {0: 44, 1: 44, 2: 44, 3: 44, 4: 66, 5: 66, 6: 44},
    "HOUR_WEIGHTS": {11: 1, 12: 2, 13: 1, 17: 1, 18: 2, 19: 2, 20: 1, 21: 1},
    "ORDER_JITTER": (1, 1),
    "ORDERS_SPREAD": True,
    "BASKET_SIZES": {1: 1},
    "LINE_QUANTITIES": {1: 1},
    "EQUAL_PERIOD_ORDERS": False,
    "PRICE_RISE": {**story.PRICE_RISE, "price": D("0.0330")},  # from 0.028 per g, on 29 October
    # 10 orders (or kitchen items) an hour each, at least one per open hour
    "POSITIONS": {
        "Cashier": ("orders", D("10"), 1),
        "Cook": ("kitchen_items", D("10"), 1),
        "Server": ("orders", D("10"), 1),
    },
}


# Common to the three moments.
# - Opening count: 1.8 days (story) of the mean daily usage of the 28 days before today, always 4 whole
#   weeks: 5 × 44 + 2 × 66 = 352 portions a week, 1408 × 300 g = 422400 g / 28 = 15085.714 g; × 1.8 =
#   27154.29 → 27154 g.
# - Daily usage (the next 7 days, any 7 consecutive days) = (2 × 19800 + 5 × 13200) / 7 = 15085.714 g.
# - σ over the last 28 trading days (4 weeks: 20 days of 44 × 300 = 13200 g, 8 of 66 × 300 = 19800 g,
#   mean 15085.714): Σ(x − mean)² = 20 · 8 · 6600² / 28 = 248914285.71; / 27 = 9219047.619; √ = 3036.288.
# - The cheapest list price wins when no lead time fits (Fresh Poultry 2 days, Golden Farm 3): Golden Farm
#   0.0305 against Fresh Poultry's 0.0330 since 29 October. L = 3, R = 7, z = 1.65:
#   z·σ·√L = 1.65 × 3036.288 × 1.7320508 = 8677.360; z·σ·√(L + R) = 1.65 × 3036.288 × 3.1622777 = 15842.619.
# - Pace 1: the hours that have fully passed today sold exactly their forecast.
# - Net price 22.00 incl. 6% tax: tax 22 × 0.06 / 1.06 = 1.245 → 1.25, net 20.75. Plate cost at the old
#   price 300 × 0.028 + 40 × 0.012 + 30 × 0.004 = 8.40 + 0.60 = 9.00, at the new 9.90 + 0.60 = 10.50.
CASES = {
    "mid-month, Friday dinner": {
        "now": "2026-11-13T19:30:00+08:00",
        # Sold by 19:30: 6 + 12 + 6 + 6 + 12 at 11–18 h, 6 of hour 19's 12 (minutes 0, 5, …, 25): 48 × 300 =
        # 14400 g; 27154 − 14400 = 12754; days left 12754 / 15085.714 = 0.845.
        "on_hand": "12754.000",
        "days_left": "0.8",
        # Over L: the rest of today (half of hour 19: 6, hours 20, 21: 12 → 18 portions, 5400 g) + Sat
        # 19800 + Sun 13200 = 38400; + 8677.360 = 47077.360. Over L + R: 5400 + Sat, Sun, Mon–Thu, Fri,
        # Sat, Sun (3 × 19800 + 6 × 13200 = 138600) = 144000; + 15842.619 = 159842.619.
        "reorder_point": "47077.360",
        "par": "159842.619",
        # 159842.619 − 12754 = 147088.619 g → 15 packs of 10000 g (150000 × 0.0305 = 4575.00 ≥ 300).
        "order": "150000.000",
        # Next window "late" 21:00–04:00: Friday's hour 21, 6 portions.
        "prep": [(6, "2026-11-13T21:00:00+08:00")],
        # 1–12 Nov against 1–12 Oct. Oct has 4 Fri/Sat (2, 3, 9, 10) + 8 others: Q₀ = 264 + 352 = 616;
        # Nov 2 (6, 7) + 10: Q₁ = 132 + 440 = 572. Every October receipt at 0.028, every one since 29 Oct
        # at 0.0330. GP₀ = 616 × (20.75 − 9.00) = 7238.00; GP₁ = 572 × (20.75 − 10.50) = 5863.00: −1375.00,
        # −1375 / 7238 = −19.0%. Volume (572 − 616) × 11.75 = −517.00; drumsticks −572 × 300 × 0.005 =
        # −858.00 (explains more than half: advice given).
        "periods": (["2026-10-01", "2026-10-12"], ["2026-11-01", "2026-11-12"]),
        "gp": ("7238.00", "5863.00", "-1375.00", "-19.0"),
        "volume": "-517.00",
        "drumsticks": "-858.00",
        # Switch: (0.0330 − 0.0305) / 0.0330 = 7.6% > 5%; per month 572 × 300 g / 12 days × 30 = 429000 g
        # × 0.0025 = 1072.50. Restoring price: 10.50 / (1 − 11.75 / 20.75) = 10.50 × 20.75 / 9.00 =
        # 24.2083, × 1.06 = 25.66.
        "saving": "1072.50",
        "restoring_price": "25.66",
    },
    "last day of the month, lunch": {
        "now": "2026-11-30T12:30:00+08:00",
        # A Monday. Sold by 12:30: hour 11's 4, and 4 of hour 12's 8 (minutes 0, 7, 15, 22): 8 × 300 =
        # 2400 g; 27154 − 2400 = 24754; days left 24754 / 15085.714 = 1.64.
        "on_hand": "24754.000",
        "days_left": "1.6",
        # Rest of today: half of hour 12 (4) + 4 + 4 + 8 + 8 + 4 + 4 = 36 portions, 10800 g. Over L: +
        # Tue, Wed 2 × 13200 = 37200; + 8677.360 = 45877.360. Over L + R: + Tue–Thu, Fri, Sat, Sun, Mon,
        # Tue, Wed (2 × 19800 + 7 × 13200 = 132000) = 142800; + 15842.619 = 158642.619.
        "reorder_point": "45877.360",
        "par": "158642.619",
        # 158642.619 − 24754 = 133888.619 → 14 packs: 140000 g.
        "order": "140000.000",
        # Next window "afternoon" 14:00–17:00: nothing sells then, so no prep task.
        "prep": [],
        # 1–29 Nov against 1–29 Oct: 8 Fri/Sat and 21 other days each, Q₀ = Q₁ = 528 + 924 = 1452. The new
        # price's first receipt (29 Oct, a Thursday: 44 portions) is in period 0:
        # cost₀ = 1452 × 0.60 + 300 × (1408 × 0.028 + 44 × 0.033) = 871.20 + 12262.80 = 13134.00;
        # GP₀ = 1452 × 20.75 − 13134.00 = 30129.00 − 13134.00 = 16995.00; GP₁ = 1452 × 10.25 = 14883.00:
        # −2112.00, −2112 / 16995 = −12.4%. No volume; drumsticks −U₁(u₁ − u₀) = −1452 × 300 × 0.005 ×
        # 1408 / 1452 = −2112.00.
        "periods": (["2026-10-01", "2026-10-29"], ["2026-11-01", "2026-11-29"]),
        "gp": ("16995.00", "14883.00", "-2112.00", "-12.4"),
        "volume": "0.00",
        "drumsticks": "-2112.00",
        # Per month 435600 g / 29 days × 30 × 0.0025 = 1126.55. Restoring: 10.50 × 20.75 / (13134 / 1452)
        # = 24.0867, × 1.06 = 25.53.
        "saving": "1126.55",
        "restoring_price": "25.53",
    },
    "the 1st, before opening": {
        "now": "2026-12-01T09:00:00+08:00",
        # A Tuesday, nothing sold yet: 27154; days left 27154 / 15085.714 = 1.79998.
        "on_hand": "27154.000",
        "days_left": "1.8",
        # Rest of today: the whole day, 44 portions, 13200 g. Over L: + Wed, Thu = 39600; + 8677.360 =
        # 48277.360. Over L + R: + Wed, Thu, Fri, Sat, Sun, Mon, Tue, Wed, Thu (132000) = 145200;
        # + 15842.619 = 161042.619.
        "reorder_point": "48277.360",
        "par": "161042.619",
        # 161042.619 − 27154 = 133888.619 → 14 packs: 140000 g.
        "order": "140000.000",
        # Next window "lunch" 10:00–14:00: Tuesday's 4 + 8 + 4 = 16 portions, ready by 10:00.
        "prep": [(16, "2026-12-01T10:00:00+08:00")],
        # November against October, whole months. Oct: 10 Fri/Sat + 21 others, Q₀ = 660 + 924 = 1584;
        # Nov: 8 + 22, Q₁ = 528 + 968 = 1496. Oct 29–31 (44 + 66 + 66 = 176 portions) at the new price:
        # cost₀ = 1584 × 0.60 + 300 × (1408 × 0.028 + 176 × 0.033) = 950.40 + 13569.60 = 14520.00;
        # GP₀ = 1584 × 20.75 − 14520.00 = 32868.00 − 14520.00 = 18348.00; GP₁ = 1496 × 10.25 = 15334.00:
        # −3014.00, −3014 / 18348 = −16.4%. Volume (1496 − 1584) × 18348 / 1584 = −1019.333; drumsticks
        # −1496 × 300 × 0.005 × 1408 / 1584 = −1994.667; to the cent by largest remainder −1019.33 and
        # −1994.67.
        "periods": (["2026-10-01", "2026-10-31"], ["2026-11-01", "2026-11-30"]),
        "gp": ("18348.00", "15334.00", "-3014.00", "-16.4"),
        "volume": "-1019.33",
        "drumsticks": "-1994.67",
        # Per month 448800 g / 30 days × 30 × 0.0025 = 1122.00. Restoring: 10.50 × 20.75 / (14520 / 1584)
        # = 23.7682, × 1.06 = 25.19.
        "saving": "1122.00",
        "restoring_price": "25.19",
    },
}


@pytest.fixture(scope="module", params=CASES.values(), ids=CASES.keys())
def built(request, django_db_setup, django_db_blocker):
    """The store built and analysed once per moment (a load takes a minute), removed afterwards."""
    case = request.param
    now = dt.datetime.fromisoformat(case["now"])
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        for name, value in BY_HAND.items():
            patch.setattr(story, name, value)
        store = loader.load(now=now, log=lambda _msg: None)
        outcomes = run_all(store=store, now=now)
        yield store, now, case, outcomes
        loader.store_reset(slug=store.slug)
        get_user_model().objects.filter(username__in=[name for name, _role in story.USERS]).delete()


def test_every_analysis_ran_on_an_exact_forecast(built):
    store, _now, _case, outcomes = built
    assert set(outcomes.values()) == {"success"}, outcomes
    # A schedule that repeats every week: last week's same hour is exactly right (WAPE 0) and wins the
    # tie as the simplest method, at both levels.
    served = ForecastAccuracy.objects.filter(store=store, served=True)
    assert sorted((f.level, f.method, f.wape) for f in served) == [
        ("item_daypart", "seasonal_naive", D("0.0000")),
        ("orders_hour", "seasonal_naive", D("0.0000")),
    ]


def test_reorder_point_par_and_purchase_order(built):
    store, _now, case, _outcomes = built
    n = Insight.objects.get(store=store, kind="low_stock", state="new").numbers
    assert (n["ingredient"], n["on_hand"], n["on_order"], n["pace"]) == (
        "Chicken drumsticks",
        case["on_hand"],
        "0",  # every delivery so far was received
        "1.0000",
    )
    assert (n["daily_usage"], n["days_left"], n["sigma"]) == ("15085.714", case["days_left"], "3036.288")
    assert (n["supplier"], n["lead_time"]) == ("Golden Farm Poultry", 3)
    assert (n["reorder_point"], n["par"], n["order_quantity"]) == (
        case["reorder_point"],
        case["par"],
        case["order"],
    )
    po = PurchaseOrder.objects.get(pk=n["purchase_order_id"])
    assert (po.status, po.supplier.name) == ("draft", "Golden Farm Poultry")
    assert [(line.ingredient.name, line.quantity) for line in po.lines.all()] == [
        ("Chicken drumsticks", D(case["order"]))
    ]


def test_prep_for_the_next_service_window(built):
    store, _now, case, _outcomes = built
    tasks = PrepTask.objects.filter(store=store, source="forecast", done=False)
    assert [(t.menu_item.name, t.quantity, t.ready_by) for t in tasks] == [
        (DRUMSTICKS, D(quantity), dt.datetime.fromisoformat(ready_by)) for quantity, ready_by in case["prep"]
    ]


def test_staffing_gaps_next_week(built):
    store, _now, _case, _outcomes = built
    # Next week. Cashiers and servers: needed = max(1, ceil(orders / 10)): 12 orders at 12, 18 and 19 h
    # on Friday and Saturday need 2; every other hour (at most 8 orders) needs 1. The rota has one cashier
    # (09:45–16:00, then 15:45–close) and one server (10:00–16:00, 16:00–close) at those hours: a gap of
    # one person at 12:00–13:00 (1 h: within the 1 h tolerance, left off) and at 18:00–20:00 (2 h, 12
    # orders against a capacity of 1 × 10 = 10). Cooks: 12 kitchen items need 2, and the rota has two
    # cooks at 12 h (09:30–16:00, 11:30–14:30) and at 18–19 h (15:30–close, 18:00–21:00): no gap.
    gaps = sorted(
        (
            i.numbers["when"],
            i.numbers["position"],
            i.numbers["count"],
            i.numbers["person_hours"],
            i.numbers["needed"],
            i.numbers["scheduled"],
            i.numbers["peak_load"],
            i.numbers["capacity"],
        )
        for i in Insight.objects.filter(store=store, kind="staffing", state="new")
        if i.numbers["kind"] == "gap"
    )
    assert gaps == [
        ("Fri 18:00–20:00", "Cashier", "1", "2", 2, 1, "12.00", "10.00"),
        ("Fri 18:00–20:00", "Server", "1", "2", 2, 1, "12.00", "10.00"),
        ("Sat 18:00–20:00", "Cashier", "1", "2", 2, 1, "12.00", "10.00"),
        ("Sat 18:00–20:00", "Server", "1", "2", 2, 1, "12.00", "10.00"),
    ]


def test_gross_profit_change_is_the_same_everywhere(built):
    """The overview, the monthly table, the waterfall and the margin insight (as in
    tests/dashboard/test_margin_agreement.py) show the change worked out in CASES."""
    store, now, case, _outcomes = built
    _key, raw = api_key_create(store=store, name="By hand", scope="read", created_by=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    with mock.patch("django.utils.timezone.now", return_value=now):
        overview = client.get("/api/v1/analytics/overview/").json()["gross_profit"]
        table = client.get("/api/v1/analytics/margin-by-item-month/").json()["by_month"]
        waterfall = client.get("/api/v1/analytics/margin/").json()
    insight = Insight.objects.get(store=store, kind="margin_drop").numbers

    periods, (gp0, gp1, change, change_pct) = case["periods"], case["gp"]
    assert (overview["previous"], overview["current"]) == periods
    assert (overview["gp0"], overview["gp1"], overview["change"], overview["change_pct"]) == case["gp"]
    assert [(r["start"], r["end"], r["gross_profit"]) for r in table] == [
        (*periods[0], gp0),
        (*periods[1], gp1),
    ]
    assert (waterfall["previous"], waterfall["current"]) == periods
    assert (waterfall["gp0"], waterfall["gp1"], waterfall["change"]) == (gp0, gp1, change)
    assert {waterfall["part_names"][k]: v for k, v in waterfall["parts"].items()} == {
        "sales volume": case["volume"],
        "mix": "0.00",
        "menu price": "0.00",
        "recipe changes": "0.00",
        "Chicken drumsticks": case["drumsticks"],
        "Cooking oil": "0.00",
        "Flour": "0.00",
    }
    assert (insight["gp0"], insight["gp1"], insight["lost"], insight["drop_pct"]) == (
        gp0,
        gp1,
        change.lstrip("-"),
        change_pct.lstrip("-"),
    )
    assert (insight["ingredient"], insight["ingredient_effect"]) == ("Chicken drumsticks", case["drumsticks"])
    assert (insight["supplier"], insight["supplier_price"], insight["monthly_saving"]) == (
        "Golden Farm Poultry",
        "0.030500",
        case["saving"],
    )
    assert insight["restoring_price"] == case["restoring_price"]
