"""What inventory does when an order is undone: a void or a cancel gives the stock back while the
kitchen has not started the food (and the sold-out flag flips back), and records it as waste once it
has. Expected quantities worked by hand: the `stocked` item takes 150 g of chicken a portion, 1050 g
on hand (7 portions)."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from inventory import services as inventory
from inventory.models import StockMovement
from kitchen.models import Ticket
from kitchen.services import kitchen_item_set, ticket_start
from orders.services import LineRequest, order_cancel, order_line_void, order_place
from tests.factories import MenuItemFactory
from tests.kitchen.factories import StationFactory

pytestmark = pytest.mark.django_db
D = Decimal


def ledger(ingredient) -> Decimal:
    return StockMovement.objects.filter(ingredient=ingredient).aggregate(s=Sum("quantity"))["s"]


def by_kind(ingredient) -> dict[str, Decimal]:
    rows = StockMovement.objects.filter(ingredient=ingredient).values("kind").annotate(s=Sum("quantity"))
    return {row["kind"]: row["s"] for row in rows}


def test_a_void_gives_the_lines_stock_back_and_the_ledger_still_adds_up(stocked, store):
    item, chicken = stocked
    other = MenuItemFactory(store=store, name="Bread")
    order = order_place(
        store=store,
        channel="api",
        lines=[LineRequest(item_id=item.pk, quantity=2), LineRequest(item_id=other.pk, quantity=1)],
    )
    chicken.refresh_from_db()
    assert chicken.on_hand == D("750")  # 1050 − 2 × 150
    order_line_void(line=order.lines.get(menu_item=item), reason="Guest changed their mind")
    chicken.refresh_from_db()
    assert chicken.on_hand == D("1050") == ledger(chicken)
    assert by_kind(chicken) == {"receipt": D("1050"), "consumption": D("0")}  # −300 then +300


def test_a_void_flips_sold_out_back_when_stock_returns(stocked, store):
    item, chicken = stocked
    order = order_place(store=store, channel="api", lines=[LineRequest(item_id=item.pk, quantity=7)])
    item.refresh_from_db()
    chicken.refresh_from_db()
    assert chicken.on_hand == D("0") and item.sold_out_stock  # 1050 − 7 × 150: not one more portion
    order_line_void(line=order.lines.get(), reason="Wrong table")
    item.refresh_from_db()
    chicken.refresh_from_db()
    assert chicken.on_hand == D("1050") == ledger(chicken)
    assert not item.sold_out_stock and not item.is_sold_out


def test_a_void_after_the_kitchen_started_is_waste_not_stock(stocked, store):
    item, chicken = stocked
    StationFactory(store=store, name="Grill", is_default=True)
    order = order_place(store=store, channel="api", lines=[LineRequest(item_id=item.pk, quantity=2)])
    ticket_start(ticket=Ticket.objects.get(order=order))
    order_line_void(line=order.lines.get(), reason="Dropped on the floor")
    chicken.refresh_from_db()
    # The 300 g were cooked: on hand stays 750; the ledger moves them from sold to wasted.
    assert chicken.on_hand == D("750") == ledger(chicken)
    assert by_kind(chicken) == {"receipt": D("1050"), "consumption": D("0"), "waste": D("-300")}


def test_a_cancel_returns_unstarted_lines_and_wastes_started_ones(stocked, store):
    item, chicken = stocked
    grill = StationFactory(store=store, name="Grill", is_default=True)
    cold = StationFactory(store=store, name="Cold")
    salad = MenuItemFactory(store=store, name="Chicken salad")
    inventory.recipe_line_set(store=store, menu_item=salad, ingredient=chicken, quantity=D("50"), unit="g")
    kitchen_item_set(menu_item=salad, station=cold)
    order = order_place(
        store=store,
        channel="api",
        lines=[LineRequest(item_id=item.pk, quantity=1), LineRequest(item_id=salad.pk, quantity=2)],
    )
    chicken.refresh_from_db()
    assert chicken.on_hand == D("800")  # 1050 − 150 − 2 × 50
    ticket_start(ticket=Ticket.objects.get(order=order, station=grill))  # the grilled chicken is on
    order_cancel(order=order, reason="Guest left")
    chicken.refresh_from_db()
    # The salads (100 g) were not started: back in stock; the grilled portion (150 g) is waste.
    assert chicken.on_hand == D("900") == ledger(chicken)
    assert by_kind(chicken)["waste"] == D("-150")
