"""In headless Chromium: an order placed through the API shows up on its station's display within
2 s (the board polls every second), and bumping it makes the order ready; a line voided at the till
turns VOID (struck) on the open display within 2 s and leaves with the bump."""

import pytest
import requests
from playwright.sync_api import expect

from kitchen import services
from orders.services import LineRequest, order_line_void, order_place
from restaurant_ops.models import Role
from restaurant_ops.services import api_key_create
from tests.factories import MembershipFactory, MenuItemFactory, StoreFactory, UserFactory
from tests.kitchen.factories import StationFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_order_appears_on_its_station_and_bump_makes_it_ready(live_server, page):
    store = StoreFactory()
    grill = StationFactory(store=store, name="Grill", is_default=True)
    drinks = StationFactory(store=store, name="Drinks")
    skewer, lemonade = (
        MenuItemFactory(store=store, name="Lamb skewer"),
        MenuItemFactory(store=store, name="Lemonade"),
    )
    services.kitchen_item_set(menu_item=lemonade, station=drinks)
    cook = UserFactory()
    MembershipFactory(user=cook, store=store, role=Role.COOK)
    _key, raw = api_key_create(store=store, name="POS", scope="write", created_by=None)
    api = requests.Session()
    api.headers["Authorization"] = f"Api-Key {raw}"

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(cook.username)
    page.get_by_label("Password").fill("pass-word-123")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/kitchen/{store.slug}/display/?station={grill.pk}")
    expect(page.get_by_text("No open tickets")).to_be_visible()

    response = api.post(
        f"{live_server.url}/api/v1/orders/",
        json={
            "lines": [
                {"item": skewer.pk, "quantity": 2, "note": "extra crispy"},
                {"item": lemonade.pk, "quantity": 1},
            ]
        },
    )
    assert response.status_code == 201, response.text
    order_id = response.json()["id"]

    ticket = page.locator(f"article[data-order='{order_id}']")
    expect(ticket).to_be_visible(timeout=2000)
    expect(ticket).to_contain_text("Lamb skewer")
    # The waiting time counts on in the browser while the board answers 304 (nothing re-rendered).
    statuses = []
    page.on("response", lambda r: statuses.append(r.status) if "/display/board/" in r.url else None)
    waited = ticket.locator("[data-waited]")
    shown = waited.inner_text()
    expect(waited).not_to_have_text(shown, timeout=3000)
    assert 304 in statuses
    expect(ticket).to_contain_text("extra crispy")
    expect(ticket).not_to_contain_text("Lemonade")  # routed to the drinks station

    ticket.get_by_role("button", name="Bump (ready)").click()
    expect(ticket).to_be_hidden(timeout=2000)
    # The drinks ticket is still open: the order is ready only when it is bumped too.
    assert api.get(f"{live_server.url}/api/v1/orders/{order_id}/").json()["status"] == "placed"
    page.goto(f"{live_server.url}/kitchen/{store.slug}/display/?station={drinks.pk}")
    drinks_ticket = page.locator(f"article[data-order='{order_id}']")
    drinks_ticket.get_by_role("button", name="Bump (ready)").click()
    expect(drinks_ticket).to_be_hidden(timeout=2000)
    assert api.get(f"{live_server.url}/api/v1/orders/{order_id}/").json()["status"] == "ready"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_voided_line_turns_void_on_the_open_display_until_bumped(live_server, page):
    store = StoreFactory()
    StationFactory(store=store, name="Grill", is_default=True)
    skewer, wings = (
        MenuItemFactory(store=store, name="Lamb skewer"),
        MenuItemFactory(store=store, name="Wings"),
    )
    cook = UserFactory()
    MembershipFactory(user=cook, store=store, role=Role.COOK)
    order = order_place(
        store=store,
        channel="api",
        lines=[LineRequest(item_id=skewer.pk, quantity=2), LineRequest(item_id=wings.pk, quantity=1)],
    )
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(cook.username)
    page.get_by_label("Password").fill("pass-word-123")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/kitchen/{store.slug}/display/")
    ticket = page.locator(f"article[data-order='{order.pk}']")
    expect(ticket).to_contain_text("Lamb skewer")
    expect(ticket.locator("li.void")).to_have_count(0)

    order_line_void(line=order.lines.get(name="Lamb skewer"), reason="Guest changed their mind")
    voided = ticket.locator("li.void")
    expect(voided).to_contain_text("Lamb skewer", timeout=2000)  # the board polls every second
    expect(voided.locator(".void-tag")).to_have_text("VOID")
    assert "line-through" in voided.locator("s").evaluate("e => getComputedStyle(e).textDecorationLine")
    expect(ticket.locator("li:not(.void)")).to_contain_text("Wings")

    ticket.get_by_role("button", name="Bump (ready)").click()
    expect(ticket).to_be_hidden(timeout=2000)
