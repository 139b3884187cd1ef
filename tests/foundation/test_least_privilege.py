"""Least privilege through every door: every API URL pattern and every store page, asked by each
role (owner, manager, cashier, cook), by nobody, and by another store's owner, against ONE table of
expected answers. A new URL without a row here fails the walk.

Reading the table: the roles named get the page or the data; any other member of the store gets 403;
nobody logged in gets 401/403 (API) or the login page (pages); another store's owner gets nothing
of this store (404 for an object or a store page, no row of ours in a list)."""

from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from inventory.services import recipe_line_set, stock_movement_record
from kitchen.services import station_create
from orders.services import LineRequest, order_place, payment_take
from restaurant_ops.models import Role
from tests.factories import MembershipFactory, MenuItemFactory, TableFactory
from tests.inventory.factories import IngredientFactory, SupplierFactory
from tests.staffing.factories import PositionFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db

O, M, C, K = "owner", "manager", "cashier", "cook"  # noqa: E741 - the table reads better
MEMBERS = {O, M, C, K}
BOSS = {O, M}  # costs, prices, stock, staff, analyses, insights
FRONT = {O, M, C}  # orders, checks, payments of their store
KITCHEN = {O, M, K}  # kitchen display, tickets, prep
POST_ONLY = "post-only"  # an action: no GET (405 for a member)

# API: route → who may GET it (detail routes are asked about a real object of the store).
API = {
    "api/v1/menu/": MEMBERS,
    "api/v1/menu/items/": MEMBERS,
    "api/v1/menu/items/<int:pk>/": MEMBERS,
    "api/v1/tables/": FRONT,
    "api/v1/tables/<int:pk>/": FRONT,
    "api/v1/orders/": FRONT,
    "api/v1/orders/<int:pk>/": FRONT,
    "api/v1/orders/<int:pk>/status/": POST_ONLY,
    "api/v1/orders/<int:pk>/cancel/": POST_ONLY,
    "api/v1/checks/": FRONT,
    "api/v1/checks/<int:pk>/": FRONT,
    "api/v1/checks/<int:pk>/payments/": POST_ONLY,
    "api/v1/checks/<int:pk>/discount/": POST_ONLY,
    "api/v1/checks/<int:pk>/comp/": POST_ONLY,
    "api/v1/checks/<int:pk>/void/": POST_ONLY,
    "api/v1/checks/<int:pk>/split/": POST_ONLY,
    "api/v1/checks/<int:pk>/merge/": POST_ONLY,
    "api/v1/checks/<int:pk>/move/": POST_ONLY,
    "api/v1/payments/": FRONT,
    "api/v1/payments/<int:pk>/": FRONT,
    "api/v1/payments/<int:pk>/refund/": POST_ONLY,
    "api/v1/inventory/ingredients/": BOSS,
    "api/v1/inventory/ingredients/<int:pk>/": BOSS,
    "api/v1/inventory/recipes/": BOSS,
    "api/v1/inventory/recipes/<int:pk>/": BOSS,
    "api/v1/inventory/suppliers/": BOSS,
    "api/v1/inventory/suppliers/<int:pk>/": BOSS,
    "api/v1/inventory/supplier-items/": BOSS,
    "api/v1/inventory/prices/": BOSS,
    "api/v1/inventory/stock-movements/": BOSS,
    "api/v1/inventory/stock-counts/": BOSS,
    "api/v1/inventory/stock-counts/<int:pk>/": BOSS,
    "api/v1/inventory/purchase-orders/": BOSS,
    "api/v1/inventory/purchase-orders/<int:pk>/": BOSS,
    "api/v1/inventory/purchase-orders/<int:pk>/send/": POST_ONLY,
    "api/v1/inventory/purchase-orders/<int:pk>/receive/": POST_ONLY,
    "api/v1/inventory/purchase-orders/<int:pk>/cancel/": POST_ONLY,
    "api/v1/inventory/purchase-orders/<int:pk>/close/": POST_ONLY,
    "api/v1/kitchen/stations/": KITCHEN,
    "api/v1/kitchen/tickets/": KITCHEN,
    "api/v1/kitchen/tickets/<int:pk>/": KITCHEN,
    "api/v1/kitchen/tickets/<int:pk>/start/": POST_ONLY,
    "api/v1/kitchen/tickets/<int:pk>/bump/": POST_ONLY,
    "api/v1/kitchen/prep-tasks/": KITCHEN,
    "api/v1/kitchen/prep-tasks/<int:pk>/": KITCHEN,
    "api/v1/kitchen/prep-tasks/<int:pk>/done/": POST_ONLY,
    "api/v1/staffing/positions/": BOSS,
    "api/v1/staffing/staff/": BOSS,
    "api/v1/staffing/staff/<int:pk>/": BOSS,
    "api/v1/staffing/availability/": BOSS,
    "api/v1/staffing/availability/<int:pk>/": BOSS,
    "api/v1/staffing/shifts/": BOSS,
    "api/v1/staffing/shifts/<int:pk>/": BOSS,
    "api/v1/staffing/time-clock/": BOSS,
    "api/v1/staffing/time-clock/clock-in/": POST_ONLY,
    "api/v1/staffing/time-clock/clock-out/": POST_ONLY,
    "api/v1/staffing/time-clock/<int:pk>/": BOSS,
    "api/v1/staffing/requirements/": BOSS,
    "api/v1/staffing/requirements/<int:pk>/": BOSS,
    "api/v1/analytics/best-sellers/": BOSS,
    "api/v1/analytics/sales/": BOSS,
    "api/v1/analytics/busy-hours/": BOSS,
    "api/v1/analytics/forecast/": BOSS,
    "api/v1/analytics/menu-engineering/": BOSS,
    "api/v1/analytics/stock-cover/": BOSS,
    "api/v1/analytics/margin/": BOSS,
    "api/v1/analytics/labour/": BOSS,
    "api/v1/analytics/runs/": BOSS,
    "api/v1/analytics/runs/<int:pk>/": BOSS,
    "api/v1/analytics/insights/": BOSS,
    "api/v1/analytics/insights/<int:pk>/": BOSS,
    "api/v1/analytics/insights/<int:pk>/acknowledge/": POST_ONLY,
    "api/v1/analytics/insights/<int:pk>/dismiss/": POST_ONLY,
    "api/v1/analytics/insights/<int:pk>/act/": POST_ONLY,
    "api/v1/analytics/overview/": BOSS,
    "api/v1/analytics/ticket-times/": BOSS,
    "api/v1/analytics/supplier-prices/": BOSS,
    "api/v1/analytics/staffing-plan/": BOSS,
    "api/v1/analytics/margin-by-item-month/": BOSS,
    "api/v1/customers/": FRONT,  # a cashier looks a guest up by exact phone or code
    "api/v1/customers/<int:pk>/": BOSS,
    "api/v1/customers/<int:pk>/export/": BOSS,
    "api/v1/customers/<int:pk>/erase/": POST_ONLY,
    "api/v1/customers/<int:pk>/consents/withdraw/": POST_ONLY,
    "api/v1/customers/feedback/": BOSS,
    "api/v1/customers/follow-up/": BOSS,
    "api/v1/customers/churn/": BOSS,
    "api/v1/customers/complaints/ranking/": BOSS,
}


def routes(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


@pytest.fixture
def world(store, other_store):
    """One store with an object behind every detail route, its four roles, and another store's owner."""
    people = {role: MembershipFactory(store=store, role=role).user for role in (O, M, C, K)}
    people["other_owner"] = MembershipFactory(store=other_store, role=Role.OWNER).user
    station_create(store=store, name="Grill", is_default=True)
    item = MenuItemFactory(store=store, price=Decimal("9.00"))
    table = TableFactory(store=store)
    order = order_place(store=store, table=table, lines=[LineRequest(item_id=item.pk)], channel="till")
    check = order.guest_check
    check.refresh_from_db()
    payment = payment_take(guest_check=check, method="card", amount=check.balance)
    flour = IngredientFactory(store=store)
    recipe = recipe_line_set(store=store, menu_item=item, ingredient=flour, quantity="100", unit="g")
    stock_movement_record(
        store=store, ingredient=flour, kind="receipt", quantity="5000", reason="open", unit_cost="0.01"
    )
    staff = StaffMemberFactory(store=store)
    PositionFactory(store=store)
    ids = {
        "menu/items": item.pk,
        "tables": table.pk,
        "orders": order.pk,
        "checks": check.pk,
        "payments": payment.pk,
        "inventory/ingredients": flour.pk,
        "inventory/recipes": recipe.pk,
        "inventory/suppliers": SupplierFactory(store=store).pk,
        "kitchen/tickets": order.tickets.get().pk,
        "staffing/staff": staff.pk,
    }
    return {"store": store, "people": people, "ids": ids}


def url_for(route: str, world) -> str:
    """The route with a real object of the store where there is one (else an id nobody has)."""
    path = route.removeprefix("api/v1/")
    for key, pk in world["ids"].items():
        if path.startswith(key + "/<int:pk>"):
            return "/" + route.replace("<int:pk>", str(pk))
    return "/" + route.replace("<int:pk>", "999999")


def query(route: str, slug: str) -> dict:
    """Reports about one store are asked about this one; the customer list by an exact phone."""
    if route == "api/v1/customers/":
        return {"phone": "+8613800000000"}
    if route.startswith(("api/v1/analytics/", "api/v1/customers/")) and not route.endswith(
        ("runs/", "insights/", "/<int:pk>/", "/export/", "feedback/")
    ):
        return {"store": slug}
    return {}


def test_the_table_covers_every_api_route():
    api_routes = {r for r in routes() if r.startswith("api/v1/")}
    assert api_routes == set(API), f"add to the table: {sorted(api_routes - set(API))}"


@pytest.mark.parametrize("who", [O, M, C, K, "anonymous", "other_owner"])
def test_every_api_route_answers_each_role_as_the_table_says(world, who):
    client = APIClient()
    if who != "anonymous":
        client.force_authenticate(world["people"][who])
    slug = world["store"].slug
    wrong = []
    for route, allowed in API.items():
        url = url_for(route, world)
        response = client.get(url, query(route, slug))
        got = response.status_code
        is_detail = "<int:pk>" in route
        if who == "anonymous":
            expected = {401, 403}
        elif allowed == POST_ONLY:
            expected = {405, 403, 404}  # a member may not GET an action; nothing else leaks
        elif who == "other_owner":
            expected = {404} if is_detail or "store" in query(route, slug) else {200}
            if got == 200 and slug in response.content.decode():
                wrong.append((route, "leaks the other store"))
        elif who in allowed:
            exists = not is_detail or url != "/" + route.replace("<int:pk>", "999999")
            expected = {200} if exists else {404}
        else:
            expected = {403}
        if got not in expected:
            wrong.append((route, got, sorted(expected)))
    assert wrong == [], wrong
