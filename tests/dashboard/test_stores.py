"""An owner's stores side by side (sales, labour %, gross margin, open insights) and the header's store
switcher, on hand-worked figures (see conftest.shop for the Berlin store's orders)."""

import datetime as dt
import zoneinfo
from decimal import Decimal
from unittest import mock

import pytest

from analytics.models import Insight
from dashboard import selectors as dashboard_selectors
from inventory import services as inventory
from orders.services import LineRequest, order_place
from tests.dashboard.conftest import NOW, TODAY, at
from tests.factories import MembershipFactory, MenuItemFactory, StoreFactory

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def chain(shop):
    """The Berlin shop, plus: Wings cost 2 chicken legs at 1.50 (list price since January), one shift
    of 1 h at 12.00 today, one open and one dismissed insight; a Shanghai store of the same owner with
    one order today (2 × 25.00); a third store where the owner is only a cashier."""
    berlin = shop["store"]
    chicken = inventory.ingredient_create(store=berlin, name="Chicken leg", base_unit="pcs")
    farm = inventory.supplier_create(store=berlin, name="Farm")
    inventory.ingredient_update(ingredient=chicken, preferred_supplier=farm)
    listed = inventory.supplier_item_upsert(supplier=farm, ingredient=chicken)
    inventory.supplier_price_add(
        supplier_item=listed, price=Decimal("1.50"), effective_from=dt.date(2025, 1, 1)
    )
    inventory.recipe_line_set(store=berlin, menu_item=shop["a"], ingredient=chicken, quantity=2, unit="pcs")
    from staffing import services as staffing

    position = staffing.position_create(store=berlin, name="Cook")
    ana = staffing.staff_member_create(
        store=berlin, name="Ana", hourly_cost=Decimal("12.00"), positions=[position]
    )
    staffing.shift_create(
        store=berlin, staff=ana, position=position, start=at(TODAY, 11), end=at(TODAY, 12), reason="test"
    )
    Insight.objects.create(store=berlin, kind="trending", subject="item:1", message_key="x")
    Insight.objects.create(
        store=berlin, kind="trending", subject="item:2", message_key="y", state="dismissed"
    )

    shanghai = StoreFactory(name="Bund Kitchen", time_zone="Asia/Shanghai", currency="CNY")
    MembershipFactory(user=shop["owner"], store=shanghai, role="owner")
    dumplings = MenuItemFactory(store=shanghai, name="Dumplings", price=Decimal("25.00"))
    order_place(
        store=shanghai,
        channel="till",
        placed_at=dt.datetime(2025, 3, 19, 12, 0, tzinfo=SHANGHAI),
        lines=[LineRequest(item_id=dumplings.pk, quantity=2)],
    )
    elsewhere = StoreFactory(name="Aaa Cashier Job")
    MembershipFactory(user=shop["owner"], store=elsewhere, role="cashier")
    return {**shop, "shanghai": shanghai, "elsewhere": elsewhere}


def test_the_stores_side_by_side_over_the_last_seven_days(chain):
    rows = dashboard_selectors.stores_side_by_side([chain["store"], chain["shanghai"]], NOW, 7)
    berlin, shanghai = rows

    # Berlin, 13.03–19.03: only today traded: A×2 (20.00), B×1 (4.00), A×1 (10.00) = 34.00 in 3 orders.
    assert (berlin["start"], berlin["end"]) == (dt.date(2025, 3, 13), TODAY)
    assert (berlin["sales"], berlin["orders"]) == (Decimal("34.00"), 3)
    # Wings: 3 portions × 2 legs × 1.50 = 9.00 on 30.00 of sales with a known cost; Fries (4.00) have
    # no recipe: margin (30 − 9) / 30 = 70.0 %, over 30 / 34 = 0.8824 of sales.
    assert berlin["gross_margin_pct"] == Decimal("70.0")
    assert berlin["costs_known_share"] == Decimal("0.8824")
    assert berlin["labour_pct"] == Decimal("35.3")  # 1 h × 12.00 (11–12, elapsed by 13:00) / 34.00
    assert berlin["open_insights"] == 1  # the dismissed one is not open

    # Shanghai: it is 20:00 on 19.03 there; 2 × 25.00 today, nothing costed, nobody scheduled.
    assert (shanghai["sales"], shanghai["orders"], shanghai["currency"]) == (Decimal("50.00"), 1, "CNY")
    assert shanghai["gross_margin_pct"] is None
    assert shanghai["labour_pct"] is None  # nobody scheduled: no figure ("–"), not 0%
    assert shanghai["open_insights"] == 0


def test_the_chain_page_lists_only_the_stores_whose_dashboard_the_user_sees(client, chain):
    client.force_login(chain["owner"])
    with mock.patch("dashboard.views.timezone.now", return_value=NOW):
        page = client.get("/dashboard/?days=7")

    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-store="{chain["store"].slug}"' in html
    assert f'data-store="{chain["shanghai"].slug}"' in html
    assert "Aaa Cashier Job" not in html.split('id="stores-side-by-side"')[1]
    assert "€34.00" in html and "CN¥50.00" in html and "70.0%" in html and "35.3%" in html


def test_a_cashier_has_no_chain_page(client, store):
    cashier = MembershipFactory(store=store, role="cashier")
    client.force_login(cashier.user)
    assert client.get("/dashboard/").status_code == 404


def test_the_switcher_keeps_the_page_and_changes_the_store(client, chain):
    client.force_login(chain["owner"])
    berlin, shanghai = chain["store"], chain["shanghai"]

    page = client.get(f"/dashboard/{berlin.slug}/")
    assert 'id="store-switch"' in page.content.decode()

    moved = client.get("/stores/switch/", {"to": shanghai.slug, "next": f"/dashboard/{berlin.slug}/"})
    assert moved.url == f"/dashboard/{shanghai.slug}/"
    # A page about one object of the old store (a check) cannot move: the new store's card on home.
    home = client.get("/stores/switch/", {"to": shanghai.slug, "next": f"/s/{berlin.slug}/checks/1/"})
    assert home.url == f"/#store-{shanghai.pk}"
    # Another site is never a target; a store the user does not belong to is 404.
    assert client.get(
        "/stores/switch/", {"to": shanghai.slug, "next": "https://evil.example/"}
    ).url.startswith("/#")
    stranger = StoreFactory()
    assert client.get("/stores/switch/", {"to": stranger.slug, "next": "/"}).status_code == 404
