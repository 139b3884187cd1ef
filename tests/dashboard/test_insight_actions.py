"""One action path for insights: the dashboard's buttons and the API act through
`analytics.services.insight_act`. Two stores set up alike, one acted on from the page and one through the
API, end with the same records: the same change in the owning app, and the same record on the insight
(what was done, on what, exactly how, by whom)."""

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from analytics.insights import Finding, insight_upsert
from analytics.models import Insight
from inventory import services as inv
from inventory.models import PurchaseOrder
from kitchen.models import PrepTask
from restaurant_ops.models import AuditEntry
from staffing import selectors as st_sel
from staffing import services as st
from staffing.models import Shift
from tests.factories import MembershipFactory, MenuItemFactory, StoreFactory, UserFactory

pytestmark = pytest.mark.django_db

WEEK = dt.date(2030, 3, 18)  # a Monday well ahead, so the suggested shift is in the future
# Ids differ between the two stores; everything else on the record must be equal.
IDS = {
    "purchase_order",
    "shift",
    "shifts",
    "staff_id",
    "supplier_item",
    "supplier_price",
    "menu_item",
    "price_change",
    "prep_task",
}


def _insight(store, kind, subject, numbers):
    finding = Finding(kind=kind, subject=subject, message_key="low_stock", numbers=numbers)
    return insight_upsert(store=store, finding=finding)


def _shop(owner):
    """A store with one open insight per action: a draft PO to send, a staffing gap, a cheaper
    supplier, a negotiated price, a menu price to restore the margin, a slow-service spike to prep
    ahead for, a dish to pause, one to acknowledge, one to dismiss and one done by hand."""
    store = StoreFactory()
    MembershipFactory(user=owner, store=store, role="owner")
    chicken = inv.ingredient_create(store=store, name="Chicken", base_unit="g")
    farm = inv.supplier_create(store=store, name="Farm", email="farm@example.com")
    po = inv.purchase_order_create_draft(
        store=store,
        supplier=farm,
        lines=[{"ingredient": chicken, "quantity": 1000, "unit_price": Decimal("0.02")}],
    )
    cheaper = inv.supplier_create(store=store, name="Cheaper", email="c@example.com")
    supplier_item = inv.supplier_item_upsert(supplier=cheaper, ingredient=chicken)
    rice = inv.ingredient_create(store=store, name="Rice", base_unit="g")
    rice_item = inv.supplier_item_upsert(supplier=farm, ingredient=rice)
    position = st.position_create(store=store, name="Cashier")
    ana = st.staff_member_create(store=store, name="Ana", hourly_cost=Decimal("12.00"), positions=[position])
    start = dt.datetime(2030, 3, 22, 18, tzinfo=store.tz)
    st.staffing_requirements_replace(
        store,
        WEEK,
        [
            {
                "position": position,
                "hour_start": start + dt.timedelta(hours=h),
                "needed_staff": 1,
                "forecast_load": Decimal("30"),
            }
            for h in range(2)
        ],
    )
    suggestion = st_sel.staffing_suggestions(store=store, week_start=WEEK)[0]
    wings = MenuItemFactory(store=store, name="Wings", price=Decimal("10.00"))
    fries = MenuItemFactory(store=store, name="Fries", price=Decimal("4.00"))
    curry = MenuItemFactory(store=store, name="Curry", price=Decimal("12.00"))
    prep = {"item_id": curry.pk, "quantity": 8, "ready_by": "2030-03-22T18:00:00+00:00"}
    spike = Insight.Kind.COMPLAINTS
    low, margin = Insight.Kind.LOW_STOCK, Insight.Kind.MARGIN_DROP
    insights = {
        "send_po": _insight(store, low, f"ingredient:{chicken.pk}", {"purchase_order_id": po.pk}),
        "apply_staffing": _insight(
            store, Insight.Kind.STAFFING, "gap:1", {"suggestion": suggestion.as_dict()}
        ),
        "supplier": _insight(store, margin, f"ingredient:{chicken.pk}", {}),
        "negotiated": _insight(store, margin, f"ingredient:{rice.pk}", {}),
        "menu_price": _insight(store, margin, "store", {"item": "Wings", "restoring_price": "11.40"}),
        "add_prep": _insight(store, spike, "slow:curry", {"prep": prep}),
        "pause_dish": _insight(store, spike, "dish:fries", {"dish": {"item_id": fries.pk}}),
        "acknowledge": _insight(store, Insight.Kind.TRENDING, "item:3", {}),
        "dismiss": _insight(store, Insight.Kind.TRENDING, "item:1", {}),
        "done": _insight(store, Insight.Kind.TRENDING, "item:2", {}),
    }
    return {
        "store": store,
        "insights": insights,
        "po": po,
        "chicken": chicken,
        "cheaper": cheaper,
        "supplier_item": supplier_item,
        "rice": rice,
        "rice_item": rice_item,
        "ana": ana,
        "wings": wings,
        "fries": fries,
    }


# The same request to the page (form fields) and to the API (JSON) per insight: (action, fields);
# ids are the store's own. Every action of analytics.services.INSIGHT_ACTIONS is here.
def _requests(shop):
    return {
        "send_po": ("send_po", {}),
        "apply_staffing": ("apply_staffing", {"staff": shop["ana"].pk}),
        "supplier": (
            "supplier",
            {"supplier_item": shop["supplier_item"].pk, "price": "0.018", "switch": True},
        ),
        "negotiated": ("supplier", {"supplier_item": shop["rice_item"].pk, "price": "0.004"}),
        "menu_price": ("menu_price", {"menu_item": shop["wings"].pk, "price": "11.40"}),
        "add_prep": ("add_prep", {"quantity": 6}),
        "pause_dish": ("pause_dish", {}),
        "acknowledge": ("acknowledge", {}),
        "dismiss": ("dismiss", {"reason": "Seasonal, we know"}),
        "done": ("done", {"note": "Moved it up the menu board"}),
    }


def _record(insight):
    insight.refresh_from_db()
    detail = {k: v for k, v in insight.action_detail.items() if k not in IDS}
    if "lines" in detail:
        detail["lines"] = [
            {k: v for k, v in line.items() if k != "ingredient_id"} for line in detail["lines"]
        ]
    return {
        "state": insight.state,
        "action_type": insight.action_type,
        "action_object_type": insight.action_object_type,
        "acted_by": insight.acted_by_id,
        "acknowledged_by": insight.acknowledged_by_id,
        "dismissed_by": insight.dismissed_by_id,
        "dismiss_reason": insight.dismiss_reason,
        "detail": detail,
    }


def _effects(shop):
    po = PurchaseOrder.objects.get(pk=shop["po"].pk)
    shift = Shift.objects.get(store=shop["store"])
    shop["chicken"].refresh_from_db()
    shop["rice"].refresh_from_db()
    shop["wings"].refresh_from_db()
    shop["fries"].refresh_from_db()
    prep = PrepTask.objects.get(store=shop["store"])
    price = AuditEntry.objects.get(store=shop["store"], action="menu_price_changed")
    return {
        "po": (
            po.status,
            [(line.ingredient.name, line.quantity, line.unit_price) for line in po.lines.all()],
        ),
        "shift": (shift.staff.name, shift.position.name, shift.start.isoformat(), shift.end.isoformat()),
        "preferred": shop["chicken"].preferred_supplier.name,
        "list_price": shop["supplier_item"].prices.get().unit_price,
        "negotiated": (shop["rice_item"].prices.get().unit_price, shop["rice"].preferred_supplier_id),
        "menu_price": shop["wings"].price,
        "prep": (prep.menu_item.name, prep.quantity, prep.ready_by.isoformat(), prep.note),
        "paused": shop["fries"].sold_out_manual,
        "audit": (price.data, price.actor_id),
    }


def test_page_and_api_acting_on_equal_insights_produce_the_same_records(client):
    owner = UserFactory()
    by_page, by_api = _shop(owner), _shop(owner)
    client.force_login(owner)
    api = APIClient()
    api.force_authenticate(owner)
    slugs = {
        "send_po": "send-po",
        "apply_staffing": "apply-staffing",
        "menu_price": "menu-price",
        "add_prep": "add-prep",
        "pause_dish": "pause-dish",
    }

    for key, (action, fields) in _requests(by_page).items():
        insight = by_page["insights"][key]
        form = {k: ("1" if v is True else v) for k, v in fields.items()}
        url = f"/dashboard/{by_page['store'].slug}/insights/{insight.pk}/{slugs.get(action, action)}/"
        assert client.post(url, form).status_code == 302
    for key, (action, fields) in _requests(by_api).items():
        insight = by_api["insights"][key]
        response = api.post(
            f"/api/v1/analytics/insights/{insight.pk}/act/", {"action": action, **fields}, format="json"
        )
        assert response.status_code == 200, response.json()

    for key in _requests(by_page):
        page, through_api = _record(by_page["insights"][key]), _record(by_api["insights"][key])
        assert page == through_api, key
        assert page["state"] == (
            "acknowledged" if key == "acknowledge" else "dismissed" if key == "dismiss" else "acted"
        ), key
    assert _effects(by_page) == _effects(by_api)

    # What the record says, once, by hand.
    assert _record(by_page["insights"]["send_po"])["detail"] == {
        "supplier": "Farm",
        "lines": [
            {
                "ingredient": "Chicken",
                "quantity": "1000.000",
                "unit": "g",
                "unit_price": "0.020000",
                "total": "20.00",  # 1000 g × 0.02
            }
        ],
    }
    sent = by_page["insights"]["send_po"]
    assert (sent.action_object_type, sent.action_object_id) == (
        "inventory.purchaseorder",
        str(by_page["po"].pk),
    )
    assert sent.action_detail["purchase_order"] == by_page["po"].pk
    shift = Shift.objects.get(store=by_page["store"])
    staffing = by_page["insights"]["apply_staffing"]
    assert staffing.action_detail["shift"] == shift.pk and staffing.acted_by == owner
    menu = by_page["insights"]["menu_price"]
    assert (menu.action_detail["old_price"], menu.action_detail["new_price"]) == ("10.00", "11.40")
    assert menu.action_detail["price_change"] == AuditEntry.objects.get(store=by_page["store"]).pk
    assert _effects(by_page)["preferred"] == "Cheaper" and _effects(by_page)["menu_price"] == Decimal("11.40")
    # The negotiated price alone: a new list price, the preferred supplier left as it was (none).
    negotiated = by_page["insights"]["negotiated"]
    assert (negotiated.action_detail["switched"], negotiated.action_detail["price"]) == (False, "0.004")
    assert _effects(by_page)["negotiated"] == (Decimal("0.004"), None)
    # The prep task takes the quantity typed (6, not the 8 proposed) and is the recorded object.
    prep = PrepTask.objects.get(store=by_page["store"])
    assert (prep.quantity, by_page["insights"]["add_prep"].action_detail["prep_task"]) == (6, prep.pk)
    assert _effects(by_page)["paused"] is True
    acknowledged = by_page["insights"]["acknowledge"]
    assert acknowledged.acknowledged_by == owner and acknowledged.action_type == ""


def test_acting_twice_or_without_the_role_changes_nothing(client):
    owner, cashier = UserFactory(), UserFactory()
    shop = _shop(owner)
    MembershipFactory(user=cashier, store=shop["store"], role="cashier")
    insight = shop["insights"]["send_po"]
    as_cashier = APIClient()
    as_cashier.force_authenticate(cashier)
    refused = as_cashier.post(f"/api/v1/analytics/insights/{insight.pk}/act/", {"action": "send_po"})
    assert refused.status_code == 403
    insight.refresh_from_db()
    assert insight.state == "new" and PurchaseOrder.objects.get(pk=shop["po"].pk).status == "draft"

    api = APIClient()
    api.force_authenticate(owner)
    url = f"/api/v1/analytics/insights/{insight.pk}/act/"
    assert api.post(url, {"action": "send_po"}, format="json").status_code == 200
    again = api.post(url, {"action": "send_po"}, format="json")
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "state"

    # A missing staff member is named, and nothing is written.
    staffing = shop["insights"]["apply_staffing"]
    bad = api.post(
        f"/api/v1/analytics/insights/{staffing.pk}/act/", {"action": "apply_staffing"}, format="json"
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "staff"
    staffing.refresh_from_db()
    assert staffing.state == "new" and not Shift.objects.filter(store=shop["store"]).exists()

    # A price that is not a price: 400 on "price", the menu unchanged.
    menu = shop["insights"]["menu_price"]
    wrong = api.post(
        f"/api/v1/analytics/insights/{menu.pk}/act/",
        {"action": "menu_price", "menu_item": shop["wings"].pk, "price": "cheap"},
        format="json",
    )
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["field"] == "price"
    shop["wings"].refresh_from_db()
    assert shop["wings"].price == Decimal("10.00")

    # An unknown action is named.
    unknown = api.post(url, {"action": "launch"}, format="json")
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "action"
