import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from inventory import events, selectors, services
from inventory.models import PurchaseOrder, PurchaseOrderLine, StockMovement
from orders.services import LineRequest, order_place
from restaurant_ops.errors import DomainErrors
from tests.inventory.factories import IngredientFactory, SupplierFactory

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def oil(store):
    cheap, dear = SupplierFactory(store=store, name="Cheap"), SupplierFactory(store=store, name="Dear")
    oil = IngredientFactory(store=store, name="Oil", base_unit="ml", preferred_supplier=dear)
    for supplier, first, second in [(cheap, "8.00", "9.00"), (dear, "10.00", "12.00")]:
        item = services.supplier_item_upsert(
            supplier=supplier, ingredient=oil, pack_size=D("5"), pack_unit="l"
        )
        services.supplier_price_add(
            supplier_item=item, price=D(first), per="pack", effective_from=dt.date(2026, 1, 1)
        )
        services.supplier_price_add(
            supplier_item=item, price=D(second), per="pack", effective_from=dt.date(2026, 3, 1)
        )
    return oil, cheap, dear


def receive_at(po, day, **line):
    moment = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    return services.purchase_order_receive(purchase_order=po, lines=[line], received_at=moment)


def test_cost_is_the_preferred_list_price_before_any_receipt_then_the_price_paid(oil, store):
    oil, cheap, dear = oil
    # Dear's list: 10.00 per 5 l pack = 0.002 per ml from Jan, 12.00 → 0.0024 from March.
    assert selectors.ingredient_cost_at(ingredient=oil, on=dt.date(2025, 12, 31)) is None
    assert selectors.ingredient_cost_at(ingredient=oil, on=dt.date(2026, 2, 1)) == D("0.002")
    assert selectors.ingredient_cost_at(ingredient=oil, on=dt.date(2026, 3, 1)) == D("0.0024")
    po = services.purchase_order_create_draft(
        store=store, supplier=cheap, lines=[{"ingredient": oil, "quantity": D("10"), "unit": "l"}]
    )
    assert po.lines.get().unit_price == D("0.0018")  # Cheap's list price today: 9.00 / 5000 ml
    services.purchase_order_send(purchase_order=po)
    from connections.models import OutboxEvent  # the events back offices hear (connections' outbox)

    assert OutboxEvent.objects.get(topic="purchase_order.sent").subject == f"purchase_order:{po.pk}"
    receive_at(
        po,
        dt.date(2026, 3, 10),
        line=po.lines.get().pk,
        quantity=Decimal("5"),
        unit="l",
        unit_price=Decimal("0.0017"),
    )
    receive_at(
        po,
        dt.date(2026, 3, 20),
        line=po.lines.get().pk,
        quantity=Decimal("5"),
        unit="l",
        unit_price=Decimal("0.0019"),
    )
    costs = selectors.ingredient_costs(
        ingredient_ids=[oil.pk],
        dates=[dt.date(2026, 3, 9), dt.date(2026, 3, 10), dt.date(2026, 3, 19), dt.date(2026, 4, 1)],
    )
    assert costs == {
        (oil.pk, dt.date(2026, 3, 9)): D("0.0024"),
        (oil.pk, dt.date(2026, 3, 10)): D("0.0017"),
        (oil.pk, dt.date(2026, 3, 19)): D("0.0017"),
        (oil.pk, dt.date(2026, 4, 1)): D("0.0019"),
    }


def test_send_emails_the_supplier_a_csv(oil, store, mailoutbox_backend, django_capture_on_commit_callbacks):
    oil, cheap, _dear = oil
    po = services.purchase_order_create_draft(
        store=store,
        supplier=cheap,
        lines=[
            {"ingredient": oil.pk, "quantity": Decimal("10"), "unit": "l", "unit_price": Decimal("0.0018")}
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.purchase_order_send(purchase_order=po)
    po.refresh_from_db()
    assert po.status == PurchaseOrder.Status.SENT
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [cheap.email]
    name, content, mimetype = message.attachments[0]
    assert mimetype == "text/csv"
    assert name == f"PO-{po.pk}.csv"
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[1][1:4] == ["Oil", "10000.000", "ml"]
    assert rows[1][4] == "2.00"  # packs of 5 l
    assert rows[1][6] == "18.00"


def test_receive_posts_receipts_flips_availability_and_announces(oil, store):
    oil, cheap, _dear = oil
    from tests.factories import MenuItemFactory

    fries = MenuItemFactory(store=store)
    services.recipe_line_set(store=store, menu_item=fries, ingredient=oil, quantity=D("50"), unit="ml")
    fries.refresh_from_db()
    assert fries.sold_out_stock  # nothing on hand
    po = services.purchase_order_create_draft(
        store=store, supplier=cheap, lines=[{"ingredient": oil, "quantity": Decimal("10"), "unit": "l"}]
    )
    services.purchase_order_send(purchase_order=po)
    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs)

    events.goods_received.connect(listener)
    try:
        po = services.purchase_order_receive(
            purchase_order=po,
            lines=[
                {
                    "line": po.lines.get().pk,
                    "quantity": Decimal("4"),
                    "unit": "l",
                    "unit_price": Decimal("0.0021"),
                }
            ],
        )
    finally:
        events.goods_received.disconnect(listener)
    assert po.status == PurchaseOrder.Status.PARTIALLY_RECEIVED
    oil.refresh_from_db()
    fries.refresh_from_db()
    assert oil.on_hand == D("4000")
    assert not fries.sold_out_stock
    line = heard[0]["lines"][0]
    assert line["quantity"] == D("4000")
    assert line["unit_cost"] == D("0.0021")
    # a first receipt: compared with this supplier's list price in force (9.00 per 5 l = 0.0018 per ml)
    assert (line["previous_unit_cost"], line["compared_with"]) == (D("0.0018"), "list_price")
    today = timezone.localdate()
    assert selectors.ingredient_cost_at(ingredient=oil, on=today + dt.timedelta(days=1)) == D("0.0021")
    order_place(store=store, channel="api", lines=[LineRequest(item_id=fries.pk, quantity=2)])
    oil.refresh_from_db()
    assert oil.on_hand == D("3900")


def test_bad_receipts_write_nothing(oil, store):
    oil, cheap, _dear = oil
    flour = IngredientFactory(store=store, base_unit="g")
    po = services.purchase_order_create_draft(
        store=store, supplier=cheap, lines=[{"ingredient": oil, "quantity": Decimal("10"), "unit": "l"}]
    )
    services.purchase_order_send(purchase_order=po)
    line = po.lines.get().pk
    cases = [
        ({"line": line, "quantity": D("-1"), "unit": "l"}, "lines[0].quantity", "must_be_positive"),
        ({"line": line, "quantity": D("1"), "unit": "kg"}, "lines[0].unit", "unit_mismatch"),
        ({"ingredient": flour.pk, "quantity": D("1")}, "lines[0].ingredient", "unknown_line"),
        ({"line": line, "quantity": D("11"), "unit": "l"}, "lines[0].quantity", "over_receipt"),
    ]
    for payload, field, code in cases:
        with pytest.raises(DomainErrors) as error:
            services.purchase_order_receive(purchase_order=po, lines=[payload])
        assert (error.value.errors[0].field, error.value.errors[0].code) == (field, code)
    assert StockMovement.objects.count() == 0
    assert PurchaseOrderLine.objects.get().received_quantity == 0
    po = services.purchase_order_receive(
        purchase_order=po,
        lines=[{"line": line, "quantity": Decimal("11"), "unit": "l"}],
        allow_over_receipt=True,
    )
    assert po.status == PurchaseOrder.Status.RECEIVED


def test_draft_refuses_unknown_ingredients_and_unit_mismatches(oil, store, other_store):
    oil, cheap, _dear = oil
    foreign = IngredientFactory(store=other_store)
    with pytest.raises(DomainErrors) as error:
        services.purchase_order_create_draft(
            store=store,
            supplier=cheap,
            lines=[
                {"ingredient": foreign.pk, "quantity": Decimal("1")},
                {"ingredient": oil.pk, "quantity": Decimal("1"), "unit": "kg"},
            ],
        )
    assert [(e.field, e.code) for e in error.value.errors] == [
        ("lines[0].ingredient", "unknown_ingredient"),
        ("lines[1].unit", "unit_mismatch"),
    ]
    assert PurchaseOrder.objects.count() == 0
