"""The dashboard's API endpoints on hand-computed fixtures (see conftest.shop)."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest

from dashboard import selectors as dashboard_selectors
from tests.dashboard.conftest import NOW, TODAY, at
from tests.factories import MembershipFactory, StoreFactory, UserFactory

pytestmark = pytest.mark.django_db


def _shift(store, day, start_hour, end_hour, cost):
    from staffing import services

    position = services.position_create(store=store, name="Cashier")
    staff = services.staff_member_create(store=store, name="Ana", hourly_cost=cost, positions=[position])
    return services.shift_create(
        store=store,
        staff=staff,
        position=position,
        start=at(day, start_hour),
        end=at(day, end_hour),
        reason="test",
    )


def test_overview_today_so_far_vs_usual(shop):
    _shift(shop["store"], TODAY, 11, 12, Decimal("12.00"))
    data = dashboard_selectors.overview(shop["store"], NOW, dt.date(2025, 3, 12), TODAY)
    assert data["today"] == TODAY
    today = data["today_so_far"]
    assert today["sales"] == Decimal("24.00")  # 20 + 4; the 13:30 order is after 13:00
    assert today["orders"] == 2
    assert today["average_check"] == Decimal("12.00")
    assert today["labour_pct"] == Decimal("50.0")  # 1 h × 12.00 / 24.00
    # Usual: the Wednesdays that traded (12.03, 05.03, 19.02; 26.02 had no order), each up to 13:00.
    assert data["usual"]["days"] == [dt.date(2025, 3, 12), dt.date(2025, 3, 5), dt.date(2025, 2, 19)]
    assert data["usual"]["sales"] == Decimal("10.67")  # (10 + 8 + 14) / 3
    assert data["usual"]["orders"] == Decimal("1.0")
    assert data["same_day_last_week"] == {"sales": Decimal("10.00"), "orders": 1}


def test_overview_trend_and_comparison_lines(shop):
    _shift(shop["store"], TODAY, 11, 12, Decimal("12.00"))
    trend = {
        r["day"]: r
        for r in dashboard_selectors.overview(shop["store"], NOW, dt.date(2025, 3, 12), TODAY)["trend"]
    }
    assert len(trend) == 8
    wed_before = trend[dt.date(2025, 3, 12)]
    assert (wed_before["sales"], wed_before["orders"], wed_before["average_check"]) == (
        Decimal("40.00"),
        2,
        Decimal("20.00"),
    )
    assert wed_before["same_day_last_week_sales"] == Decimal("8.00")
    assert wed_before["four_week_average_sales"] == Decimal("11.00")  # (8 + 14) / 2 traded Wednesdays
    wed = trend[TODAY]
    assert (wed["sales"], wed["orders"]) == (Decimal("34.00"), 3)
    assert wed["same_day_last_week_sales"] == Decimal("40.00")
    assert wed["four_week_average_sales"] == Decimal("20.67")  # (40 + 8 + 14) / 3
    assert wed["labour_pct"] == Decimal("35.3")  # 12 / 34
    thursday = trend[dt.date(2025, 3, 13)]
    assert (thursday["sales"], thursday["orders"], thursday["average_check"]) == (Decimal("0.00"), 0, None)


def test_overview_api_matches_and_is_scoped(owner_client, shop):
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        response = owner_client.get(
            "/api/v1/analytics/overview/",
            {"store": shop["store"].slug, "start": "2025-03-12", "end": "2025-03-19"},
        )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["today_so_far"]["sales"] == "24.00"
    assert body["usual"]["sales"] == "10.67"
    assert [r["sales"] for r in body["trend"]][0] == "40.00"
    other = StoreFactory()
    assert owner_client.get("/api/v1/analytics/overview/", {"store": other.slug}).status_code == 404


def test_cashier_gets_403_and_bad_range_400(client, shop):
    cashier = UserFactory()
    MembershipFactory(user=cashier, store=shop["store"], role="cashier")
    client.force_login(cashier)
    assert client.get("/api/v1/analytics/overview/", {"store": shop["store"].slug}).status_code == 403
    client.force_login(shop["owner"])
    bad = client.get(
        "/api/v1/analytics/overview/",
        {"store": shop["store"].slug, "start": "2025-03-19", "end": "2025-03-01"},
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "end"


def test_margin_by_month_revenue(owner_client, shop):
    response = owner_client.get(
        "/api/v1/analytics/margin-by-item-month/",
        {"store": shop["store"].slug, "start": "2025-02-01", "end": "2025-03-31"},
    )
    assert response.status_code == 200
    months = {r["month"]: r for r in response.json()["by_month"]}
    assert months["2025-02-01"]["revenue"] == "14.00"
    assert months["2025-03-01"]["revenue"] == "82.00"  # 34 + 40 + 8
    assert months["2025-03-01"]["quantity"] == 10  # A: 2+1+1+3, B: 1+2
    items = {(r["month"], r["name"]): r for r in response.json()["by_item"]}
    assert items[("2025-03-01", "Wings")]["revenue"] == "70.00"
    assert items[("2025-03-01", "Fries")]["quantity"] == 3


def test_ticket_times_by_station_and_hour(owner_client, shop):
    from kitchen.models import Station, Ticket

    station = Station.objects.create(store=shop["store"], name="Grill")
    first, second, third = shop["orders"][0], shop["orders"][1], shop["orders"][3]
    for order, queued, minutes in (
        (first, at(TODAY, 11), 10),
        (second, at(TODAY, 11, 30), 6),
        (third, at(dt.date(2025, 3, 12), 12), 4),
    ):
        Ticket.objects.create(
            store=shop["store"],
            order=order,
            station=station,
            status="ready",
            queued_at=queued,
            ready_at=queued + dt.timedelta(minutes=minutes),
        )
    response = owner_client.get(
        "/api/v1/analytics/ticket-times/",
        {"store": shop["store"].slug, "start": "2025-03-01", "end": "2025-03-31"},
    )
    assert response.status_code == 200
    rows = {(r["station"], r["hour"]): r for r in response.json()}
    assert rows[("Grill", 11)]["tickets"] == 2
    assert rows[("Grill", 11)]["average_minutes"] == "8.0"
    assert rows[("Grill", 11)]["longest_minutes"] == "10.0"
    assert rows[("Grill", 12)]["average_minutes"] == "4.0"


def test_supplier_price_history(owner_client, shop):
    from inventory import services as inv

    store = shop["store"]
    chicken = inv.ingredient_create(store=store, name="Chicken", base_unit="g")
    supplier = inv.supplier_create(store=store, name="Farm", email="farm@example.com")
    item = inv.supplier_item_upsert(supplier=supplier, ingredient=chicken)
    inv.supplier_price_add(supplier_item=item, price=Decimal("0.02"), effective_from=dt.date(2025, 1, 1))
    inv.supplier_price_add(supplier_item=item, price=Decimal("0.025"), effective_from=dt.date(2025, 3, 10))
    inv.supplier_price_add(supplier_item=item, price=Decimal("0.03"), effective_from=dt.date(2025, 5, 1))
    response = owner_client.get(
        "/api/v1/analytics/supplier-prices/",
        {"store": store.slug, "start": "2025-03-01", "end": "2025-03-31"},
    )
    assert response.status_code == 200
    rows = [(r["effective_from"], Decimal(r["unit_price"])) for r in response.json()["list_prices"]]
    assert rows == [("2025-03-01", Decimal("0.02")), ("2025-03-10", Decimal("0.025"))]
    # as quoted: 0.02/g = 20.00/kg, the first price in the window (no change shown: it replaced none);
    # 0.025/g = 25.00/kg, (0.025 − 0.02) / 0.02 = +25.0 %
    quoted = [
        (r["buying_unit"], r["price_per_buying_unit"], r["change_pct"])
        for r in response.json()["list_prices"]
    ]
    assert quoted == [("kg", "20.00", None), ("kg", "25.00", "25.0")]
    # From April the window starts with the 0.025 price: its change is still from the 0.02 it replaced.
    april = owner_client.get(
        "/api/v1/analytics/supplier-prices/",
        {"store": store.slug, "start": "2025-04-01", "end": "2025-05-31"},
    ).json()["list_prices"]
    # 0.03 vs 0.025: +20.0 %
    assert [(r["effective_from"], r["change_pct"]) for r in april] == [
        ("2025-04-01", "25.0"),
        ("2025-05-01", "20.0"),
    ]


def test_labour_and_staffing_plan(owner_client, shop):
    """The one labour endpoint (the staffing chart reads it for the chosen week)."""
    _shift(shop["store"], TODAY, 11, 12, Decimal("12.00"))
    response = owner_client.get(
        "/api/v1/analytics/labour/", {"store": shop["store"].slug, "week": "2025-03-19"}
    )
    days = {r["day"]: r for r in response.json()}
    assert len(days) == 7 and min(days) == "2025-03-17"  # Monday to Sunday
    assert days["2025-03-19"]["scheduled_cost"] == "12.00"  # 1 h × 12.00
    assert days["2025-03-19"]["labour_pct_of_sales"] == "35.3"  # 12 / 34 (the whole day's sales)
    assert days["2025-03-18"]["labour_pct_of_sales"] is None  # no sales that day
    plan = owner_client.get(
        "/api/v1/analytics/staffing-plan/", {"store": shop["store"].slug, "week": "2025-03-19"}
    )
    assert plan.status_code == 200
    assert plan.json()["week_start"] == "2025-03-17"
