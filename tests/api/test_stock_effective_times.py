"""Goods receipts, counts and movements with an effective time (`received_at`, `counted_at`,
`effective_at`): the ledger row records it, on-hand stays the running sum, a back-dated count compares
with what the ledger held then; not in the future, not before the last count of the ingredient."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory import events, services
from inventory.models import Ingredient, StockMovement

pytestmark = pytest.mark.django_db


def _at(days_ago, hour=12):
    return (timezone.now() - dt.timedelta(days=days_ago)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )


def _move(client, flour, **body):
    return client.post("/api/v1/inventory/stock-movements/", {"ingredient": flour.pk, **body}, format="json")


def _errors(response):
    return [(e["field"], e["code"]) for e in response.json()["errors"]]


def test_back_dated_receipt_count_and_waste_keep_the_ledger_true(key_client, store):
    flour = services.ingredient_create(store=store, name="Flour", base_unit="g")
    three, two, one = _at(3), _at(2), _at(1)

    # Received 3 days ago: 5 kg at 0.002 a gram.
    r = _move(
        key_client,
        flour,
        kind="receipt",
        quantity="5",
        unit="kg",
        unit_cost="0.002",
        reason="delivery note 17",
        effective_at=three.isoformat(),
    )
    assert r.status_code == 201, r.json()
    assert dt.datetime.fromisoformat(r.json()["at"]) == three
    assert r.json()["business_date"] == three.astimezone(store.tz).date().isoformat()

    # Counted 2 days ago: 4 kg on the shelf where the ledger had 5,000 g: −1,000 g.
    c = key_client.post(
        "/api/v1/inventory/stock-counts/",
        {"counted_at": two.isoformat(), "lines": [{"ingredient": flour.pk, "counted": "4", "unit": "kg"}]},
        format="json",
    )
    assert c.status_code == 201, c.json()
    assert c.json()["lines"][0]["expected"] == "5000.000"
    assert c.json()["lines"][0]["variance"] == "-1000.000"

    # Thrown away now: 500 g. On hand 5,000 − 1,000 − 500 = 3,500 g.
    assert _move(key_client, flour, kind="waste", quantity="500", reason="mice").status_code == 201
    flour.refresh_from_db()
    assert flour.on_hand == Decimal("3500")

    # A count from yesterday: the ledger held 4,000 g then (the waste came after); 3.8 kg counted is
    # −200 g, and on hand is the count plus what moved since: 3,800 − 500 = 3,300 g.
    c = key_client.post(
        "/api/v1/inventory/stock-counts/",
        {"counted_at": one.isoformat(), "lines": [{"ingredient": flour.pk, "counted": "3800"}]},
        format="json",
    )
    assert c.status_code == 201, c.json()
    assert (c.json()["lines"][0]["expected"], c.json()["lines"][0]["variance"]) == ("4000.000", "-200.000")
    flour.refresh_from_db()
    assert flour.on_hand == Decimal("3300")
    ledger = sum(StockMovement.objects.filter(ingredient=flour).values_list("quantity", flat=True))
    assert ledger == flour.on_hand  # the running sum
    assert list(
        StockMovement.objects.filter(ingredient=flour).order_by("at").values_list("kind", "quantity")
    ) == [
        ("receipt", Decimal("5000")),
        ("count", Decimal("-1000")),
        ("count", Decimal("-200")),
        ("waste", Decimal("-500")),
    ]

    # Before the last count (yesterday noon), or in the future: refused, naming the field.
    early = _move(
        key_client,
        flour,
        kind="receipt",
        quantity="1",
        unit="kg",
        unit_cost="0.002",
        reason="late note",
        effective_at=_at(1, hour=8).isoformat(),
    )
    assert (early.status_code, _errors(early)) == (409, [("effective_at", "before_last_count")])
    ahead = _move(
        key_client,
        flour,
        kind="waste",
        quantity="1",
        reason="x",
        effective_at=(timezone.now() + dt.timedelta(hours=1)).isoformat(),
    )
    assert (ahead.status_code, _errors(ahead)) == (400, [("effective_at", "in_future")])
    recount = key_client.post(
        "/api/v1/inventory/stock-counts/",
        {"counted_at": two.isoformat(), "lines": [{"ingredient": flour.pk, "counted": "1"}]},
        format="json",
    )
    assert (recount.status_code, _errors(recount)) == (409, [("counted_at", "before_last_count")])
    assert Ingredient.objects.get(pk=flour.pk).on_hand == Decimal("3300")  # nothing written


def test_a_purchase_order_received_earlier(key_client, store):
    oil = services.ingredient_create(store=store, name="Oil", base_unit="ml")
    supplier = services.supplier_create(store=store, name="Oils Ltd", email="orders@oils.example")
    po = services.purchase_order_create_draft(
        store=store,
        supplier=supplier,
        lines=[{"ingredient": oil, "quantity": Decimal("10"), "unit": "l", "unit_price": Decimal("0.0018")}],
    )
    services.purchase_order_send(purchase_order=po)
    # Today's delivery from elsewhere, at 0.0020 a ml: yesterday's receipt is not compared with it.
    services.stock_movement_record(
        store=store,
        ingredient=oil,
        kind="receipt",
        quantity=Decimal("1"),
        unit="l",
        unit_cost=Decimal("0.0020"),
        reason="market",
    )
    heard = []

    def listener(sender, lines, **kwargs):
        heard.extend((line["previous_unit_cost"], line["compared_with"]) for line in lines)

    events.goods_received.connect(listener, dispatch_uid="test-backdated-receipt")
    url = f"/api/v1/inventory/purchase-orders/{po.pk}/receive/"
    line = po.lines.get().pk

    ahead = key_client.post(
        url,
        {
            "received_at": (timezone.now() + dt.timedelta(hours=2)).isoformat(),
            "lines": [{"line": line, "quantity": "5", "unit": "l"}],
        },
        format="json",
    )
    assert (ahead.status_code, _errors(ahead)) == (400, [("received_at", "in_future")])

    yesterday = _at(1, hour=9)
    ok = key_client.post(
        url,
        {"received_at": yesterday.isoformat(), "lines": [{"line": line, "quantity": "5", "unit": "l"}]},
        format="json",
    )
    assert ok.status_code == 200, ok.json()
    events.goods_received.disconnect(dispatch_uid="test-backdated-receipt")
    assert heard == [(None, "list_price")]  # nothing received before yesterday, no list price
    receipt = StockMovement.objects.get(ingredient=oil, kind="receipt", purchase_order_line__isnull=False)
    assert (receipt.at, receipt.quantity, receipt.unit_cost) == (
        yesterday,
        Decimal("5000"),
        Decimal("0.0018"),
    )
    assert receipt.business_date == yesterday.astimezone(store.tz).date()
