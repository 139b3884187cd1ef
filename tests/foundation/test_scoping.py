"""Every route in the OpenAPI schema is scoped: store B's key or user never sees store A's objects."""

import re
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from orders.models import SalesImport
from orders.services import LineRequest, order_place
from restaurant_ops.models import Role
from restaurant_ops.services import api_key_create
from tests.factories import MembershipFactory, MenuItemFactory, TableFactory

pytestmark = pytest.mark.django_db


def store_a_objects(store):
    """One object of store A for each detail route; a new route must add its object here."""
    item = MenuItemFactory(store=store)
    table = TableFactory(store=store)
    order = order_place(store=store, lines=[LineRequest(item_id=item.pk)], channel="api")
    objects = {"menu/items": item.pk, "tables": table.pk, "orders": order.pk}
    objects.update(menu_objects(store, item))
    objects.update(store_objects(store))
    objects.update(staffing_objects(store))
    objects.update(analytics_objects(store))
    objects.update(customers_objects(store))
    objects.update(webhook_objects(store, item))
    objects.update(inventory_kitchen_objects(store, item, order))
    objects.update(front_of_house_objects(store, order))
    objects["sales-imports"] = SalesImport.objects.create(store=store, filename="x.csv", content=b"").pk
    return objects


def menu_objects(store, item):
    from tests.factories import ModifierFactory, ModifierGroupFactory

    modifier = ModifierFactory(group=ModifierGroupFactory(store=store))
    return {
        "menu/categories": item.category_id,
        "menu/modifier-groups": modifier.group_id,
        "menu/modifiers": modifier.pk,
    }


def store_objects(store):
    from tests.factories import DaypartFactory, OpeningHoursFactory, TaxCategoryFactory

    return {
        "stores": store.pk,
        "tax-categories": TaxCategoryFactory(store=store).pk,
        "opening-hours": OpeningHoursFactory(store=store).pk,
        "dayparts": DaypartFactory(store=store).pk,
    }


def front_of_house_objects(store, order):

    from orders.services import payment_take

    payment = payment_take(guest_check=order.guest_check, method="card", amount=Decimal("0.01"))
    return {"checks": order.guest_check_id, "payments": payment.pk}


def inventory_kitchen_objects(store, item, order):

    from django.utils import timezone

    from inventory import services as inventory
    from kitchen import services as kitchen
    from kitchen.models import Ticket

    supplier = inventory.supplier_create(store=store, name="Scoping supplier", email="s@example.com")
    ingredient = inventory.ingredient_create(store=store, name="Scoping ingredient", base_unit="g")
    recipe = inventory.recipe_line_set(
        store=store, menu_item=item, ingredient=ingredient, quantity=Decimal("1"), unit="g"
    )
    count = inventory.stock_count_post(
        store=store, lines=[{"ingredient": ingredient.pk, "counted": Decimal("100")}]
    )
    po = inventory.purchase_order_create_draft(
        store=store, supplier=supplier, lines=[{"ingredient": ingredient, "quantity": Decimal("10")}]
    )
    if not Ticket.objects.filter(order=order).exists():
        kitchen.station_create(store=store, name="Scoping station", is_default=True)
        kitchen.tickets_create_for_order(order=order)
    task = kitchen.prep_task_create(store=store, menu_item=item, quantity=2, ready_by=timezone.now())
    return {
        "kitchen/stations": Ticket.objects.get(order=order).station_id,
        "kitchen/routes": item.pk,
        "inventory/ingredients": ingredient.pk,
        "inventory/recipes": recipe.pk,
        "inventory/suppliers": supplier.pk,
        "inventory/stock-counts": count.pk,
        "inventory/purchase-orders": po.pk,
        "kitchen/tickets": Ticket.objects.get(order=order).pk,
        "kitchen/prep-tasks": task.pk,
    }


def analytics_objects(store):
    from analytics.models import Insight, JobRun

    insight = Insight.objects.create(
        store=store, kind="trending", subject="item:0", message_key="trending_up"
    )
    run = JobRun.objects.create(store=store, job="sales")
    return {"analytics/insights": insight.pk, "analytics/runs": run.pk}


def customers_objects(store):
    from customers.models import MessageRule
    from tests.customers.factories import CustomerFactory

    rule = MessageRule.objects.create(store=store, name="Scoping rule", trigger="at_risk")
    return {"customers": CustomerFactory(store=store).pk, "customers/rules": rule.pk}


def webhook_objects(store, item):
    from connections.models import WebhookDelivery
    from connections.webhooks import webhook_endpoint_create

    endpoint = webhook_endpoint_create(store=store, url="https://erp.example/hooks", topics=["order.placed"])
    order_place(store=store, lines=[LineRequest(item_id=item.pk)], channel="api")
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    return {"webhooks/endpoints": endpoint.pk, "webhooks/deliveries": delivery.pk}


def staffing_objects(store):
    import datetime as dt

    from django.utils import timezone

    from staffing.models import Availability
    from staffing.selectors import week_start_for
    from staffing.services import clock_in, shift_create, staffing_requirements_replace
    from tests.staffing.factories import PositionFactory, StaffMemberFactory

    position = PositionFactory(store=store)
    staff = StaffMemberFactory(store=store, positions=[position])
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    shift = shift_create(
        store=store,
        staff=staff,
        position=position,
        start=start,
        end=start + dt.timedelta(hours=4),
        reason="scoping test",
    )
    entry = clock_in(staff=staff)
    availability = Availability.objects.create(staff=staff, weekday=0, start=dt.time(0), end=dt.time(0))
    week = week_start_for(shift.business_date)
    staffing_requirements_replace(
        store, week, [{"position": position, "hour_start": start, "needed_staff": 1}]
    )
    return {
        "staffing/positions": position.pk,
        "staffing/staff": staff.pk,
        "staffing/shifts": shift.pk,
        "staffing/time-clock": entry.pk,
        "staffing/availability": availability.pk,
        "staffing/requirements": store.staffing_requirements.get().pk,
    }


def detail_routes(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for path, operations in schema["paths"].items():
        if "{" not in path:
            continue
        for method in operations:
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method


def clients_of_store_b(store_b):
    _key, raw = api_key_create(store=store_b, name="B's POS", scope="write", created_by=None)
    by_key = APIClient()
    by_key.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    owner_b = MembershipFactory(store=store_b, role=Role.OWNER).user
    by_user = APIClient()
    by_user.force_authenticate(owner_b)
    _key, raw = api_key_create(store=store_b, name="B's account", scope="account", created_by=owner_b)
    by_account = APIClient()
    by_account.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return {"key": by_key, "user": by_user, "account": by_account}


def test_every_detail_route_is_404_for_another_store(store, other_store):
    objects = store_a_objects(store)
    owner_a = APIClient()
    owner_a.force_authenticate(MembershipFactory(store=store, role=Role.OWNER).user)
    routes = list(detail_routes(owner_a))
    assert routes, "the schema lists no detail routes"
    for who, client in clients_of_store_b(other_store).items():
        for path, method in routes:
            prefix = re.sub(r"^/api/v1/|/\{[^}]+\}.*$", "", path)
            assert prefix in objects, f"{path}: add an object of store A for this route to store_a_objects()"
            url = re.sub(r"\{[^}]+\}", str(objects[prefix]), path, count=1)
            response = getattr(client, method)(url, {}, format="json")
            # Personal data refuses every API key before looking (403 whether or not it exists).
            expected = {403, 404} if who in ("key", "account") and prefix == "customers" else {404}
            assert response.status_code in expected, f"{who} {method.upper()} {url} -> {response.status_code}"


def test_lists_show_only_the_callers_store(store, other_store):
    store_a_objects(store)
    store_a_objects(other_store)
    for client in clients_of_store_b(other_store).values():
        for path in ["/api/v1/orders/", "/api/v1/tables/", "/api/v1/menu/items/"]:
            results = client.get(path).json()["results"]
            assert results and {row["store"] for row in results} == {other_store.slug}, path


def test_anonymous_gets_nothing(store):
    store_a_objects(store)
    assert APIClient().get("/api/v1/orders/").status_code in (401, 403)
