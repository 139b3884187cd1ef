"""Orders a till queued offline and sends with `placed_at`: bounded (clock skew ahead, 7 days back, not
before the last Z report), flagged late, still idempotent, attributed to the business day they were
placed (sales, stock movements), and an order already served makes no kitchen ticket."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from inventory import services as inventory_services
from inventory.models import Ingredient, StockMovement
from kitchen.models import Ticket
from kitchen.services import station_create
from orders.models import Order
from orders.services import drawer_close, drawer_open, register_create
from restaurant_ops.models import Role
from tests.factories import MembershipFactory, MenuItemFactory

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def soup(store):
    """A bowl takes 100 g of lentils; 10 kg on hand; the kitchen has a station."""
    station_create(store=store, name="Hot", is_default=True)
    item = MenuItemFactory(store=store, name="Lentil soup", price=Decimal("8.00"))
    lentils = inventory_services.ingredient_create(store=store, name="Lentils", base_unit="g")
    inventory_services.recipe_line_set(
        store=store, menu_item=item, ingredient=lentils, quantity=Decimal("100"), unit="g"
    )
    inventory_services.stock_movement_record(
        store=store,
        ingredient=lentils,
        kind="receipt",
        quantity=Decimal("10"),
        unit="kg",
        unit_cost=Decimal("0.004"),
        reason="opening",
    )
    return item


def _two_days_ago_noon():
    day = timezone.now().astimezone(BERLIN).date() - dt.timedelta(days=2)
    return day, dt.datetime.combine(day, dt.time(12, 0), tzinfo=BERLIN)


def _post(client, soup, key, **extra):
    body = {"lines": [{"item": soup.pk, "quantity": 2}], "external_id": key, **extra}
    return client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_an_order_sent_late_counts_on_the_day_it_was_placed(key_client, store, soup):
    day, noon = _two_days_ago_noon()
    response = _post(key_client, soup, "till-3-0107", placed_at=noon.isoformat())
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["late"], body["business_date"], body["status"]) == (True, day.isoformat(), "placed")
    assert dt.datetime.fromisoformat(body["placed_at"]) == noon
    assert body["total"] == "16.00"  # 2 × 8.00

    # The stock left on the day it was placed: 2 × 100 g; 10,000 − 200 = 9,800 g on hand.
    used = StockMovement.objects.get(order_id=body["id"])
    assert (used.quantity, used.at, used.business_date) == (Decimal("-200"), noon, day)
    assert Ingredient.objects.get(name="Lentils").on_hand == Decimal("9800")
    assert Ticket.objects.filter(order_id=body["id"]).count() == 1  # not served yet: the kitchen makes it

    # The sales of that day have it; today's do not.
    sales = key_client.get(f"/api/v1/analytics/sales/?start={day}&end={day}").json()
    assert [(r["period"], r["orders"], r["revenue"]) for r in sales] == [(day.isoformat(), 1, "16.00")]

    # A retry (the till never saw the answer) replays it; the same external id under another key is a 409.
    again = _post(key_client, soup, "till-3-0107", placed_at=noon.isoformat())
    assert (again.status_code, again.json()["id"], again["Idempotent-Replayed"]) == (201, body["id"], "true")
    other = key_client.post(
        "/api/v1/orders/",
        {
            "lines": [{"item": soup.pk, "quantity": 2}],
            "external_id": "till-3-0107",
            "placed_at": noon.isoformat(),
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="another-key",
    )
    assert other.status_code == 409
    assert other.json()["errors"][0]["field"] == "external_id"
    assert Order.objects.filter(store=store).count() == 1


def test_an_order_already_served_makes_no_ticket(key_client, soup):
    _day, noon = _two_days_ago_noon()
    body = _post(key_client, soup, "till-3-0108", placed_at=noon.isoformat(), served=True).json()
    assert (body["status"], body["late"]) == ("served", True)
    assert dt.datetime.fromisoformat(body["served_at"]) == noon
    assert not Ticket.objects.filter(order_id=body["id"]).exists()
    assert StockMovement.objects.filter(order_id=body["id"]).count() == 1  # its stock still left


def test_placed_at_bounds(key_client, store, soup):
    now = timezone.now()
    ahead = _post(key_client, soup, "a", placed_at=(now + dt.timedelta(minutes=10)).isoformat())
    assert ahead.status_code == 400
    assert [(e["field"], e["code"]) for e in ahead.json()["errors"]] == [("placed_at", "in_future")]

    skewed = _post(key_client, soup, "b", placed_at=(now + dt.timedelta(seconds=60)).isoformat())
    assert (skewed.status_code, skewed.json()["late"]) == (201, False)  # within the 2 minutes of skew

    old = _post(key_client, soup, "c", placed_at=(now - dt.timedelta(days=8)).isoformat())
    assert old.status_code == 422
    assert [(e["field"], e["code"]) for e in old.json()["errors"]] == [("placed_at", "too_old")]

    drawer = drawer_open(register=register_create(store=store, name="Till 1"), opening_float=Decimal("0"))
    drawer_close(drawer=drawer, counted_cash=Decimal("0"))  # a Z report now: what came before is closed
    closed = _post(key_client, soup, "d", placed_at=(now - dt.timedelta(hours=1)).isoformat())
    assert closed.status_code == 409
    assert [(e["field"], e["code"]) for e in closed.json()["errors"]] == [("placed_at", "day_closed")]
    after = _post(key_client, soup, "e", placed_at=(timezone.now() + dt.timedelta(seconds=1)).isoformat())
    assert after.status_code == 201
    assert Order.objects.filter(store=store).count() == 2  # b and e


def test_the_check_page_marks_an_order_sent_late(key_client, client, store, soup):
    _day, noon = _two_days_ago_noon()
    late = _post(key_client, soup, "till-3-0109", placed_at=noon.isoformat()).json()
    on_time = _post(key_client, soup, "till-3-0110").json()
    client.force_login(MembershipFactory(store=store, role=Role.OWNER).user)
    page = client.get(f"/s/{store.slug}/checks/{late['check']}/").content.decode()
    assert "Sent late, placed 12:00" in page  # store time (Berlin), as the till queued it
    assert "Sent late" not in client.get(f"/s/{store.slug}/checks/{on_time['check']}/").content.decode()


def test_a_count_after_the_order_was_placed_already_saw_its_food(key_client, store, soup):
    lentils = Ingredient.objects.get(name="Lentils")
    count = inventory_services.stock_count_post(
        store=store, lines=[{"ingredient": lentils, "counted": Decimal("9500")}]
    )  # now: 9,500 g on the shelf (10,000 expected: −500)
    _day, noon = _two_days_ago_noon()
    body = _post(key_client, soup, "till-3-0111", placed_at=noon.isoformat()).json()
    # The 2 bowls (200 g) were used two days ago, before the count, which saw the shelf without them:
    # usage is on their day, the count takes it back, on hand stays what was counted.
    assert list(
        StockMovement.objects.filter(order_id=body["id"]).order_by("at").values_list("kind", "quantity", "at")
    ) == [("consumption", Decimal("-200"), noon), ("count", Decimal("200"), count.counted_at)]
    lentils.refresh_from_db()
    assert lentils.on_hand == Decimal("9500")
    assert sum(
        StockMovement.objects.filter(ingredient=lentils).values_list("quantity", flat=True)
    ) == Decimal("9500")  # 10,000 − 500 − 200 + 200
