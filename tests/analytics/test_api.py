"""The analyses over /api/v1/analytics/: scoped, field-path errors on bad input, insights acted on."""

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from analytics.insights import Finding, insight_upsert
from analytics.models import Insight
from restaurant_ops.models import Role
from restaurant_ops.services import api_key_create
from tests.analytics.conftest import at
from tests.factories import MembershipFactory, MenuCategoryFactory, MenuItemFactory

pytestmark = pytest.mark.django_db
D = dt.date(2026, 3, 2)


@pytest.fixture
def sold(store, sell):
    mains = MenuCategoryFactory(store=store, name="Mains")
    wings = MenuItemFactory(store=store, category=mains, name="Wings", price=Decimal("10.00"))
    soup = MenuItemFactory(store=store, name="Soup", price=Decimal("4.50"))
    sell(store, [(wings, 2), (soup, 5)], at(D, 12))
    sell(store, [(wings, 1)], at(D + dt.timedelta(days=8), 19))
    return {"wings": wings, "soup": soup}


def test_best_sellers_by_quantity_and_revenue(key_client, sold):
    url = "/api/v1/analytics/best-sellers/"
    rows = key_client.get(url, {"start": "2026-03-02", "end": "2026-03-10"}).json()
    assert [(r["name"], r["quantity"], r["revenue"]) for r in rows] == [
        ("Soup", 5, "22.50"),
        ("Wings", 3, "30.00"),
    ]
    rows = key_client.get(
        url, {"start": "2026-03-02", "end": "2026-03-02", "by": "revenue", "limit": 1}
    ).json()
    assert [(r["name"], r["revenue"]) for r in rows] == [("Soup", "22.50")]
    rows = key_client.get(
        url, {"start": "2026-03-02", "end": "2026-03-10", "category": sold["wings"].category_id}
    ).json()
    assert [r["name"] for r in rows] == ["Wings"]


def test_sales_by_week_and_busy_hours(key_client, sold):
    weeks = key_client.get(
        "/api/v1/analytics/sales/", {"start": "2026-03-01", "end": "2026-03-31", "period": "week"}
    ).json()
    assert weeks == [
        {"period": "2026-03-02", "orders": 1, "quantity": 7, "revenue": "42.50"},
        {"period": "2026-03-09", "orders": 1, "quantity": 1, "revenue": "10.00"},
    ]
    cells = key_client.get(
        "/api/v1/analytics/busy-hours/", {"start": "2026-03-02", "end": "2026-03-15"}
    ).json()
    assert [(c["weekday"], c["hour"], c["orders"], c["trading_days"], c["average"]) for c in cells] == [
        (0, 12, 1, 1, "1.00"),
        (1, 19, 1, 1, "1.00"),
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-13-01"}, "start"),
        ({"end": "yesterday"}, "end"),
        ({"start": "2026-03-05", "end": "2026-03-01"}, "end"),
        ({"by": "love"}, "by"),
        ({"limit": "0"}, "limit"),
    ],
)
def test_bad_query_is_a_field_path_400(key_client, sold, params, field):
    response = key_client.get("/api/v1/analytics/best-sellers/", params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_another_stores_data_is_invisible(store, other_store, sold):
    _key, raw = api_key_create(store=other_store, name="B", scope="read", created_by=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert (
        client.get("/api/v1/analytics/best-sellers/", {"start": "2026-03-01", "end": "2026-03-31"}).json()
        == []
    )
    assert client.get("/api/v1/analytics/best-sellers/", {"store": store.slug}).status_code == 404


def test_a_cashier_cannot_read_the_analyses(store, sold):
    client = APIClient()
    client.force_authenticate(MembershipFactory(store=store, role=Role.CASHIER).user)
    assert client.get("/api/v1/analytics/best-sellers/").status_code == 403


def test_insights_list_filter_and_act(store, key_client):
    make = Finding
    low = insight_upsert(
        store=store,
        finding=make(
            kind="trending",
            subject="item:1",
            message_key="trending_up",
            numbers={"item": "Soup", "today": 6, "usual": "2", "lift": "3"},
        ),
    )
    insight_upsert(store=store, finding=make(kind="trending", subject="item:2", message_key="trending_up"))
    rows = key_client.get("/api/v1/analytics/insights/", {"kind": "trending", "open": "true"}).json()[
        "results"
    ]
    assert len(rows) == 2 and rows[-1]["message"].startswith("Soup sells 6 today")
    assert (
        key_client.post(f"/api/v1/analytics/insights/{low.pk}/acknowledge/").json()["state"] == "acknowledged"
    )
    before = Insight.objects.filter(state="dismissed").count()
    bad = key_client.post(f"/api/v1/analytics/insights/{low.pk}/dismiss/", {"reason": ""}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "reason"
    assert Insight.objects.filter(state="dismissed").count() == before
    done = key_client.post(
        f"/api/v1/analytics/insights/{low.pk}/dismiss/", {"reason": "seasonal"}, format="json"
    )
    assert (done.json()["state"], done.json()["dismiss_reason"]) == ("dismissed", "seasonal")
    again = key_client.post(f"/api/v1/analytics/insights/{low.pk}/acknowledge/")
    assert again.status_code == 409


def test_the_schema_describes_the_analyses(api_client, store):
    user = MembershipFactory(store=store).user
    api_client.force_authenticate(user)
    paths = api_client.get("/api/schema/", {"format": "json"}).json()["paths"]
    params = {p["name"] for p in paths["/api/v1/analytics/best-sellers/"]["get"]["parameters"]}
    assert {"store", "start", "end", "by", "limit", "category"} <= params
    assert "/api/v1/analytics/insights/{id}/dismiss/" in paths


def test_stock_cover_margin_and_labour_endpoints(store, key_client, sell):
    from inventory import services as inventory
    from tests.inventory.factories import IngredientFactory

    flour = IngredientFactory(store=store, name="Flour", base_unit="g", min_quantity=Decimal("500"))
    inventory.stock_movement_record(
        store=store,
        ingredient=flour,
        kind="receipt",
        quantity=Decimal("800"),
        reason="opening",
        unit_cost=Decimal("0.002"),
    )
    (row,) = key_client.get("/api/v1/analytics/stock-cover/").json()
    assert (row["ingredient"], row["on_hand"], row["reorder_point"], row["days_left"]) == (
        "Flour",
        "800.000",
        "500.000",
        None,
    )
    # no usage: no days of cover either way; grams are bought by the kilogram
    assert (row["reorder_point_days"], row["buying_unit"], row["buying_unit_size"]) == (None, "kg", "1000")
    bread = MenuItemFactory(store=store, price=Decimal("3.00"))
    inventory.recipe_line_set(
        store=store, ingredient=flour, quantity=Decimal("100"), unit="g", menu_item=bread
    )
    sell(store, [(bread, 2)], at(dt.date(2026, 2, 3), 12))
    sell(store, [(bread, 3)], at(dt.date(2026, 3, 3), 12))
    months = {
        "previous_start": "2026-02-01",
        "previous_end": "2026-02-28",
        "start": "2026-03-01",
        "end": "2026-03-31",
    }
    margin = key_client.get("/api/v1/analytics/margin/", months).json()
    # flour's only receipt is today's: no cost in February or March, so no gross profit is claimed
    assert (margin["gp0"], margin["gp1"], margin["known_share"]) == (
        "0.00",
        "0.00",
        {"previous": "0.0000", "current": "0.0000"},
    )
    inventory.stock_movement_record(
        store=store,
        ingredient=flour,
        kind="receipt",
        quantity=Decimal("1000"),
        reason="January delivery",
        unit_cost=Decimal("0.002"),
        at=at(dt.date(2026, 1, 15), 12),
    )
    margin = key_client.get("/api/v1/analytics/margin/", months).json()
    # 100 g × 0.002 = 0.20 a loaf: GP 2 × 2.80 = 5.60 → 3 × 2.80 = 8.40, all volume (1 × 5.60 / 2)
    assert (margin["gp0"], margin["gp1"], margin["change"]) == ("5.60", "8.40", "2.80")
    assert margin["parts"] == {
        "volume": "2.80",
        "mix": "0.00",  # one item: its own mix
        "price": "0.00",  # 3.00 both months
        "recipe": "0.00",
        f"ingredient:{flour.pk}": "0.00",  # 0.002 both months
    }
    assert margin["part_names"]["price"] == "menu price"
    assert margin["part_names"][f"ingredient:{flour.pk}"] == "Flour"
    # only start/end: compared with the 31 days just before (Jan 29 – Feb 28), not a fixed default
    alone = key_client.get("/api/v1/analytics/margin/", {"start": "2026-03-01", "end": "2026-03-31"}).json()
    assert (alone["previous"], alone["current"]) == (
        ["2026-01-29", "2026-02-28"],
        ["2026-03-01", "2026-03-31"],
    )
    assert (alone["gp0"], alone["gp1"]) == ("5.60", "8.40")
    bad = key_client.get(
        "/api/v1/analytics/margin/", {"previous_start": "2026-02-10", "previous_end": "2026-02-01"}
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "previous_end"
    days = key_client.get("/api/v1/analytics/labour/", {"week": "2026-03-04"}).json()
    assert [d["day"] for d in days][:2] == ["2026-03-02", "2026-03-03"]
    assert days[1]["sales"] == "9.00" and days[1]["labour_pct_of_sales"] is None  # no shift: "—", not 0%
    assert (
        key_client.get("/api/v1/analytics/labour/", {"week": "soon"}).json()["errors"][0]["field"] == "week"
    )
