"""Real time end to end: the owner's overview open in Chromium, a real Celery worker on the real broker,
an order placed through the order service crossing wings' reorder point: the low-stock card appears on
the open page by itself (no reload), and the stock page flags wings low with the insight's numbers."""

from decimal import Decimal

import pytest
from django.conf import settings as django_settings

from analytics.models import Insight
from orders.services import LineRequest, order_place
from tests.analytics.realtime_setup import wings_item
from tests.factories import MembershipFactory, StoreFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def test_an_order_crossing_the_reorder_point_puts_the_card_on_the_open_dashboard(
    page, live_server, client, live_worker
):
    store = StoreFactory(name="Corner Bistro")
    owner = UserFactory()
    MembershipFactory(user=owner, store=store, role="owner")
    item, wings = wings_item(store, on_hand=Decimal("30"), reorder_point=Decimal("20"))
    client.force_login(owner)
    page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/dashboard/{store.slug}/")
    decisions = page.locator("#decisions-live")
    assert decisions.locator("[data-kind=low_stock]").count() == 0
    page.evaluate("document.body.dataset.sameDocument = 'yes'")  # gone if the page were reloaded

    # 6 portions × 2 wings: 30 → 18, below the reorder point 20
    order_place(store=store, channel="till", lines=[LineRequest(item_id=item.pk, quantity=6)])

    card = decisions.locator("[data-kind=low_stock]")
    card.wait_for(timeout=5000)
    insight = Insight.objects.get(store=store, kind="low_stock")
    assert card.get_attribute("data-insight") == str(insight.pk)
    assert "Wings" in card.inner_text()
    assert Decimal(insight.numbers["on_hand"]) == Decimal("18")
    assert page.evaluate("document.body.dataset.sameDocument") == "yes"
    assert errors == []
