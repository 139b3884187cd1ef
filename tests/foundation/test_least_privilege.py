"""Least privilege through every door: every API URL pattern and every page, asked by each
role (owner, manager, cashier, cook), by nobody, and by another store's owner, against ONE table of
expected answers. A new URL without a row here fails the walk.

Reading the table: the roles named get the page or the data; any other member of the store gets 403;
nobody logged in gets 401/403 (API) or the login page (pages); another store's owner gets nothing
of this store (404 for an object or a store page, no row of ours in a list)."""

import re
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from customers.models import MessageRule
from inventory.services import recipe_line_set, stock_movement_record
from kitchen.services import station_create
from orders.services import LineRequest, order_place, payment_take
from restaurant_ops.models import Role
from tests.factories import (
    DaypartFactory,
    MembershipFactory,
    MenuItemFactory,
    ModifierFactory,
    ModifierGroupFactory,
    OpeningHoursFactory,
    TableFactory,
    TaxCategoryFactory,
)
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
    "api/v1/stores/": BOSS,  # a store's settings: what the settings pages show
    "api/v1/stores/<int:pk>/": BOSS,
    "api/v1/tax-categories/": BOSS,
    "api/v1/tax-categories/<int:pk>/": BOSS,
    "api/v1/opening-hours/": BOSS,
    "api/v1/opening-hours/<int:pk>/": BOSS,
    "api/v1/dayparts/": BOSS,
    "api/v1/dayparts/<int:pk>/": BOSS,
    "api/v1/menu/": MEMBERS,
    "api/v1/menu/items/": MEMBERS,
    "api/v1/menu/items/<int:pk>/": MEMBERS,
    "api/v1/menu/categories/": MEMBERS,
    "api/v1/menu/categories/<int:pk>/": MEMBERS,
    "api/v1/menu/modifier-groups/": MEMBERS,
    "api/v1/menu/modifier-groups/<int:pk>/": MEMBERS,
    "api/v1/menu/modifiers/": MEMBERS,
    "api/v1/menu/modifiers/<int:pk>/": MEMBERS,
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
    "api/v1/checks/<int:pk>/code/": POST_ONLY,
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
    "api/v1/kitchen/stations/<int:pk>/": KITCHEN,
    "api/v1/kitchen/routes/": KITCHEN,
    "api/v1/kitchen/routes/<int:pk>/": KITCHEN,
    "api/v1/kitchen/tickets/": KITCHEN,
    "api/v1/kitchen/tickets/<int:pk>/": KITCHEN,
    "api/v1/kitchen/tickets/<int:pk>/start/": POST_ONLY,
    "api/v1/kitchen/tickets/<int:pk>/bump/": POST_ONLY,
    "api/v1/kitchen/prep-tasks/": KITCHEN,
    "api/v1/kitchen/prep-tasks/<int:pk>/": KITCHEN,
    "api/v1/kitchen/prep-tasks/<int:pk>/done/": POST_ONLY,
    "api/v1/staffing/positions/": BOSS,
    "api/v1/staffing/positions/<int:pk>/": BOSS,
    "api/v1/staffing/staff/": BOSS,
    "api/v1/staffing/staff/<int:pk>/": BOSS,
    "api/v1/staffing/availability/": BOSS,
    "api/v1/staffing/availability/<int:pk>/": BOSS,
    "api/v1/staffing/shifts/": BOSS,
    "api/v1/staffing/shifts/<int:pk>/": BOSS,
    "api/v1/staffing/time-clock/": BOSS,
    "api/v1/staffing/time-clock/clock-in/": POST_ONLY,
    "api/v1/staffing/shifts/<int:pk>/claim/": POST_ONLY,
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
    "api/v1/sales-imports/": BOSS,  # sales history: an owner's or manager's upload
    "api/v1/sales-imports/<int:pk>/": BOSS,
    "api/v1/sales-imports/<int:pk>/errors/": BOSS,
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
    "api/v1/customers/rules/": BOSS,
    "api/v1/customers/rules/<int:pk>/": BOSS,
    "api/v1/customers/rules/<int:pk>/results/": BOSS,
    "api/v1/customers/sends/": BOSS,
    "api/v1/customers/coupons/": BOSS,
    "api/v1/webhooks/endpoints/": {O},  # integrations: the owner, like API keys
    "api/v1/webhooks/endpoints/<int:pk>/": {O},
    "api/v1/webhooks/endpoints/<int:pk>/rotate/": POST_ONLY,
    "api/v1/webhooks/deliveries/": {O},
    "api/v1/webhooks/deliveries/<int:pk>/replay/": POST_ONLY,
}


def public(status: int) -> tuple:
    """The same answer for everybody (a guest page, the login): nothing about the store behind it."""
    return ("public", status)


# Pages: route → who may GET it. Ids that need a real object use the store's check; others get an
# id nobody has, so the roles named get 404 there while everyone else is refused first.
PAGES = {
    "": public(200) + ("anonymous→login",),
    "healthz": public(200),
    "login/": public(200),
    "logout/": public(405),
    "i18n/setlang/": public(302),
    "signup/": public(404),  # only while nobody exists
    "join/<str:token>/": public(404),
    "stores/new/": {O, "other_owner"},  # any owner may open another restaurant
    "stores/switch/": ("redirect", MEMBERS),  # ?to=<store>: to the same page of that store
    "stores/<slug:store_slug>/settings/": BOSS,
    "stores/<slug:store_slug>/settings/taxes/": BOSS,
    "stores/<slug:store_slug>/settings/hours/": BOSS,
    "stores/<slug:store_slug>/settings/ready/": BOSS,
    "stores/<slug:store_slug>/api-keys/": {O},
    "stores/<slug:store_slug>/api-keys/<int:key_id>/revoke/": POST_ONLY,
    "stores/<slug:store_slug>/audit/": {O},
    "stores/<slug:store_slug>/pins/": BOSS,
    "stores/<slug:store_slug>/pins/<int:guard_id>/unlock/": POST_ONLY,
    "s/t/<str:qr_token>/": public(404),
    "s/t/<str:qr_token>/preview/": public(405),
    "s/t/<str:qr_token>/order/": public(405),
    "s/t/<str:qr_token>/check/": public(200),  # an unknown token: an empty check, nothing of ours
    "s/t/<str:qr_token>/code/": public(405),  # a guest's coupon code, posted from the QR page
    "s/<slug:store_slug>/till/": FRONT,
    "s/<slug:store_slug>/checks/<int:check_id>/": FRONT,
    "s/<slug:store_slug>/checks/<int:check_id>/receipt/": FRONT,
    "s/<slug:store_slug>/checks/<int:check_id>/<slug:action>/": POST_ONLY,
    "s/<slug:store_slug>/tables/qr/": FRONT,
    r"s/^(?P<store_slug>[-\w]+)/tables/(?P<table_id>\d+)/qr\.(?P<fmt>svg|png)$": public(404),
    "s/<slug:store_slug>/close/": FRONT,
    "s/<slug:store_slug>/settings/tables/": BOSS,
    "s/<slug:store_slug>/settings/menu/": BOSS,
    "s/<slug:store_slug>/close/<int:drawer_id>/": FRONT,
    "inventory/<slug:store_slug>/": BOSS,
    "inventory/<slug:store_slug>/count/": BOSS,
    "inventory/<slug:store_slug>/settings/ingredients/": BOSS,
    "inventory/<slug:store_slug>/settings/recipes/": BOSS,
    "inventory/<slug:store_slug>/purchase-orders/": BOSS,
    "inventory/<slug:store_slug>/purchase-orders/<int:po_id>/": BOSS,
    "inventory/<slug:store_slug>/purchase-orders/<int:po_id>/send/": POST_ONLY,
    "inventory/<slug:store_slug>/purchase-orders/<int:po_id>/receive/": POST_ONLY,
    "inventory/<slug:store_slug>/purchase-orders/<int:po_id>/cancel/": POST_ONLY,
    "inventory/<slug:store_slug>/purchase-orders/<int:po_id>/close/": POST_ONLY,
    "kitchen/<slug:store_slug>/display/": KITCHEN,
    "kitchen/<slug:store_slug>/display/board/": KITCHEN,
    "kitchen/<slug:store_slug>/tickets/<int:ticket_id>/start/": POST_ONLY,
    "kitchen/<slug:store_slug>/tickets/<int:ticket_id>/bump/": POST_ONLY,
    "kitchen/<slug:store_slug>/prep/": KITCHEN,
    "kitchen/<slug:store_slug>/settings/stations/": BOSS,
    "kitchen/<slug:store_slug>/prep/<int:task_id>/done/": POST_ONLY,
    "staffing/<slug:store_slug>/schedule/": BOSS,
    "staffing/<slug:store_slug>/schedule/shifts/": POST_ONLY,
    "staffing/<slug:store_slug>/schedule/shifts/<int:shift_id>/move/": POST_ONLY,
    "staffing/<slug:store_slug>/schedule/shifts/<int:shift_id>/delete/": POST_ONLY,
    "staffing/<slug:store_slug>/schedule/copy/": POST_ONLY,
    "staffing/<slug:store_slug>/schedule/publish/": POST_ONLY,
    "staffing/<slug:store_slug>/schedule/suggestions/apply/": POST_ONLY,
    "staffing/<slug:store_slug>/my-shifts/": MEMBERS,
    "staffing/<slug:store_slug>/my-shifts/open/<int:shift_id>/claim/": POST_ONLY,
    "staffing/<slug:store_slug>/clock/": MEMBERS,
    "staffing/<slug:store_slug>/labour/": BOSS,
    "staffing/<slug:store_slug>/settings/staff/": BOSS,
    "dashboard/": BOSS | {"other_owner"},  # the list of one's own stores
    "dashboard/<slug:store_slug>/": BOSS,
    "dashboard/<slug:store_slug>/charts/<slug:name>/": BOSS,
    "dashboard/<slug:store_slug>/staffing/apply/": POST_ONLY,
    "dashboard/<slug:store_slug>/insights/": BOSS,
    "dashboard/<slug:store_slug>/insights/feed/": BOSS,
    "dashboard/<slug:store_slug>/insights/decisions/": BOSS,
    "dashboard/<slug:store_slug>/insights/history/": BOSS,
    "dashboard/<slug:store_slug>/insights/<int:insight_id>/": BOSS,  # where a notification's link lands
    "dashboard/<slug:store_slug>/insights/<int:insight_id>/<slug:action>/": POST_ONLY,
    "dashboard/<slug:store_slug>/back-office/": BOSS,
    "dashboard/<slug:store_slug>/back-office/import/": BOSS,
    "dashboard/<slug:store_slug>/back-office/menu/<int:item_id>/sold-out/": POST_ONLY,
    "c/s/<str:session_token>/": public(404),
    "c/s/<str:session_token>/join/": public(405),
    "c/s/<str:session_token>/feedback/": public(405),
    "c/f/<str:token>/": public(404),
    "c/u/<str:token>/": public(404),  # a marketing e-mail's unsubscribe link
    "customers/<slug:store_slug>/": BOSS,
    "customers/<slug:store_slug>/list/": BOSS,
    "customers/<slug:store_slug>/<int:customer_id>/": BOSS,
    "customers/<slug:store_slug>/<int:customer_id>/export/": BOSS,
    "customers/<slug:store_slug>/<int:customer_id>/erase/": POST_ONLY,
    "customers/<slug:store_slug>/complaints/": BOSS,
    "customers/<slug:store_slug>/complaints/new/": FRONT,
    "customers/<slug:store_slug>/checks/<int:check_id>/attach/": POST_ONLY,
    "customers/<slug:store_slug>/messages/": BOSS,
    "customers/<slug:store_slug>/messages/new/": BOSS,
    "customers/<slug:store_slug>/messages/<int:rule_id>/": BOSS,
    "customers/<slug:store_slug>/messages/<int:rule_id>/edit/": BOSS,
    "c/sms/inbound/": public(405),  # the SMS provider's callback posts here
    "jsi18n/": public(200),
    "stores/<slug:store_slug>/webhooks/": {O},
    "stores/<slug:store_slug>/webhooks/<int:endpoint_id>/rotate/": POST_ONLY,
    "stores/<slug:store_slug>/webhooks/<int:endpoint_id>/toggle/": POST_ONLY,
    "stores/<slug:store_slug>/webhooks/deliveries/<int:delivery_id>/replay/": POST_ONLY,
    # each person's own notifications and settings, whatever their role or store
    "notifications/": MEMBERS | {"other_owner"},
    "notifications/read/": POST_ONLY,
    "notifications/<int:notification_id>/read/": POST_ONLY,
    "notifications/preferences/": MEMBERS | {"other_owner"},
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
    grill = station_create(store=store, name="Grill", is_default=True)
    item = MenuItemFactory(store=store, price=Decimal("9.00"))
    table = TableFactory(store=store)
    order = order_place(store=store, table=table, lines=[LineRequest(item_id=item.pk)], channel="till")
    check = order.guest_check
    check.refresh_from_db()
    payment = payment_take(guest_check=check, method="card", amount=check.balance)
    flour = IngredientFactory(store=store)
    recipe = recipe_line_set(store=store, menu_item=item, ingredient=flour, quantity=Decimal("100"), unit="g")
    stock_movement_record(
        store=store,
        ingredient=flour,
        kind="receipt",
        quantity=Decimal("5000"),
        reason="open",
        unit_cost=Decimal("0.01"),
    )
    staff = StaffMemberFactory(store=store)
    position = PositionFactory(store=store)
    modifier = ModifierFactory(group=ModifierGroupFactory(store=store))
    ids = {
        "stores": store.pk,
        "tax-categories": TaxCategoryFactory(store=store).pk,
        "opening-hours": OpeningHoursFactory(store=store).pk,
        "dayparts": DaypartFactory(store=store).pk,
        "menu/items": item.pk,
        "menu/categories": item.category_id,
        "menu/modifier-groups": modifier.group_id,
        "menu/modifiers": modifier.pk,
        "tables": table.pk,
        "orders": order.pk,
        "checks": check.pk,
        "payments": payment.pk,
        "inventory/ingredients": flour.pk,
        "inventory/recipes": recipe.pk,
        "inventory/suppliers": SupplierFactory(store=store).pk,
        "kitchen/tickets": order.tickets.get().pk,
        "staffing/staff": staff.pk,
        "staffing/positions": position.pk,
        "kitchen/stations": grill.pk,
        "kitchen/routes": item.pk,
        "customers/rules": MessageRule.objects.create(store=store, name="Rule", trigger="at_risk").pk,
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
        ("runs/", "insights/", "/<int:pk>/", "/export/", "feedback/", "rules/", "sends/", "coupons/")
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


def page_url(route: str, world) -> str:
    url = route.replace("<slug:store_slug>", world["store"].slug)
    url = re.sub(r"\^\(\?P<store_slug>[^)]*\)", world["store"].slug, url)
    url = url.replace("<int:check_id>", str(world["ids"]["checks"]))
    url = re.sub(r"<\w+:\w+>|\(\?P<\w+>[^)]*\)", "1", url)
    url = "/" + url.replace("^", "").replace("$", "").replace("\\.", ".")
    return url + f"?to={world['store'].slug}" if route == "stores/switch/" else url


def test_the_table_covers_every_page_route():
    page_routes = {r for r in routes() if not r.startswith(("api/", "admin/", "^media/", "favicon"))}
    assert page_routes == set(PAGES), f"add to the table: {sorted(page_routes - set(PAGES))}"


@pytest.mark.parametrize("who", [O, M, C, K, "anonymous", "other_owner"])
def test_every_page_answers_each_role_as_the_table_says(client, world, who):
    if who != "anonymous":
        client.force_login(world["people"][who])
    wrong = []
    for route, allowed in PAGES.items():
        url = page_url(route, world)
        got = client.get(url).status_code
        fake_object = re.search(r"<int:(?!check_id)\w+>|<slug:name>", route) is not None
        if isinstance(allowed, tuple) and allowed[0] == "redirect":
            expected = {302} if who in allowed[1] or who == "anonymous" else {404}
        elif isinstance(allowed, tuple):
            expected = {302} if who == "anonymous" and "anonymous→login" in allowed else {allowed[1]}
        elif who == "anonymous":
            expected = {302}  # to the login page
        elif allowed == POST_ONLY:
            expected = {405}
        elif who in allowed:
            expected = {404} if fake_object else {200}
        elif who == "other_owner":
            expected = {404}  # another store's page does not exist for them
        else:
            expected = {403, 404}  # refused (the dashboard hides itself with 404)
        if got not in expected:
            wrong.append((route, got, sorted(expected)))
    assert wrong == [], wrong
