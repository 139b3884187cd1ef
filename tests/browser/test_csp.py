"""The Content-Security-Policy: every page of the README's page table, opened by the role it is for in
headless Chromium, runs under the policy without a single violation or script error; htmx actions
and the charts still work; and the header itself carries a nonce and neither 'unsafe-inline' nor
'unsafe-eval' for scripts. Screenshots go to test-artifacts/csp-*.png."""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from customers.services import customer_join
from inventory import services as inv
from kitchen.services import station_create
from orders.services import LineRequest, order_place, payment_take
from orders.services.drawers import drawer_open, register_create
from orders.services.table_sessions import table_session_open
from restaurant_ops.models import Role
from tests.factories import MembershipFactory, MenuItemFactory, TableFactory, TaxCategoryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(django_settings.BASE_DIR) / "test-artifacts"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def site(store):
    """One store with every role, a sold and paid check (receipt, drawer, ticket), an open table, a
    customer, an ingredient with its supplier and a draft purchase order."""
    food = TaxCategoryFactory(store=store, name="Food", rate=Decimal("0.1000"))
    station_create(store=store, name="Grill", is_default=True)
    burger = MenuItemFactory(store=store, name="Burger", price=Decimal("12.00"), tax_category=food)
    MenuItemFactory(
        store=store, name="Soda", price=Decimal("3.50"), tax_category=food, category=burger.category
    )
    beef = inv.ingredient_create(store=store, name="Beef", base_unit="g")
    inv.recipe_line_set(store=store, ingredient=beef, quantity=Decimal("150"), unit="g", menu_item=burger)
    inv.stock_movement_record(
        store=store,
        ingredient=beef,
        kind="receipt",
        quantity=Decimal("5000"),
        reason="opening",
        unit_cost=Decimal("0.02"),
    )
    farm = inv.supplier_create(store=store, name="Farm", email="farm@example.com")
    po = inv.purchase_order_create_draft(
        store=store,
        supplier=farm,
        lines=[{"ingredient": beef, "quantity": 1000, "unit_price": Decimal("0.02")}],
    )
    manager = MembershipFactory(store=store, role=Role.MANAGER)
    manager.set_pin("246813")
    manager.save()
    users = {
        "owner": MembershipFactory(store=store, role=Role.OWNER).user,
        "manager": manager.user,
        "cashier": MembershipFactory(store=store, role=Role.CASHIER).user,
        "cook": MembershipFactory(store=store, role=Role.COOK).user,
    }
    drawer = drawer_open(register=register_create(store=store, name="Front"), opening_float=Decimal("100"))
    now = timezone.now()
    table = TableFactory(store=store, name="T1")
    open_table = TableFactory(store=store, name="T2")
    table_session_open(table=open_table)
    yesterday = order_place(
        store=store,
        channel="till",
        table=table,
        placed_at=now - dt.timedelta(days=1),
        lines=[LineRequest(item_id=burger.pk, quantity=2)],
    )
    payment_take(guest_check=yesterday.guest_check, method="cash", amount=yesterday.guest_check.total)
    today = order_place(
        store=store, channel="guest", table=open_table, lines=[LineRequest(item_id=burger.pk, quantity=1)]
    )
    customer = customer_join(store=store, phone="+8613800138000", name="Li", source="till")
    return {
        "store": store,
        "users": users,
        "paid": yesterday.guest_check,
        "open": today.guest_check,
        "open_table": open_table,
        "drawer": drawer,
        "po": po,
        "customer": customer if not isinstance(customer, tuple) else customer[0],
    }


def _pages(site):
    s = site["store"].slug
    return {
        "owner": [
            "/",
            "/dashboard/",
            f"/dashboard/{s}/",
            *(
                f"/dashboard/{s}/charts/{c}/"
                for c in ("sales", "busy-hours", "margin", "stock", "kitchen", "staffing")
            ),
            f"/dashboard/{s}/insights/",
            f"/dashboard/{s}/insights/history/",
            f"/dashboard/{s}/back-office/",
            f"/dashboard/{s}/back-office/import/",
            f"/customers/{s}/",
            f"/customers/{s}/list/",
            f"/customers/{s}/{site['customer'].pk}/",
            f"/customers/{s}/complaints/",
            f"/customers/{s}/complaints/new/",
            f"/customers/{s}/messages/",
            f"/inventory/{s}/",
            f"/inventory/{s}/count/",
            f"/inventory/{s}/purchase-orders/",
            f"/inventory/{s}/purchase-orders/{site['po'].pk}/",
            f"/staffing/{s}/schedule/",
            f"/staffing/{s}/labour/",
            f"/s/{s}/tables/qr/",
            f"/stores/{s}/settings/",
            f"/stores/{s}/settings/taxes/",
            f"/stores/{s}/settings/hours/",
            f"/s/{s}/settings/tables/",
            f"/s/{s}/settings/menu/",
            f"/kitchen/{s}/settings/stations/",
            f"/inventory/{s}/settings/ingredients/",
            f"/inventory/{s}/settings/recipes/",
            f"/staffing/{s}/settings/staff/",
            f"/stores/{s}/settings/ready/",
            f"/stores/{s}/api-keys/",
            f"/stores/{s}/webhooks/",
            "/notifications/",
            "/notifications/preferences/",
            f"/stores/{s}/audit/",
            f"/stores/{s}/pins/",
            "/stores/new/",
            "/api/docs/",
        ],
        "manager": [
            "/",
            f"/dashboard/{s}/",
            f"/stores/{s}/pins/",
            f"/staffing/{s}/my-shifts/",
            "/notifications/",
        ],
        "cashier": [
            "/",
            f"/s/{s}/till/",
            f"/s/{s}/checks/{site['open'].pk}/",
            f"/s/{s}/checks/{site['paid'].pk}/",
            f"/s/{s}/checks/{site['paid'].pk}/receipt/",
            f"/s/{s}/close/",
            f"/s/{s}/close/{site['drawer'].pk}/",
            f"/staffing/{s}/my-shifts/",
            f"/staffing/{s}/clock/",
        ],
        "cook": ["/", f"/kitchen/{s}/display/", f"/kitchen/{s}/prep/", f"/staffing/{s}/clock/"],
    }


def _watch(page):
    """Every CSP report and script error of the page, and every page that failed to load."""
    problems = []
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error" or "Content Security Policy" in msg.text
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    return problems


def _visit(page, url, problems):
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    assert page.url == url, (url, page.url)  # not sent to the login page
    page.wait_for_load_state("networkidle")
    for chart in page.query_selector_all(".chart[data-chart]"):
        page.wait_for_function("el => el.dataset.state && el.dataset.state !== 'loading'", arg=chart)
    # Chromium reports an inline handler only when its event fires: look for them in the DOM as well
    inline = page.evaluate(
        """() => [...document.querySelectorAll('*')].flatMap(el => [...el.attributes]
            .filter(a => /^on[a-z]+$|^hx-on/.test(a.name)).map(a => el.tagName + ' ' + a.name))
          .concat([...document.querySelectorAll('script:not([src])')]
            .filter(s => !s.nonce).map(s => 'script'))"""
    )
    assert inline == [], (url, inline)
    assert problems == [], (url, problems)


def _login(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1024, "height": 1200})
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


def test_every_page_runs_under_the_policy(browser, live_server, site):
    ARTIFACTS.mkdir(exist_ok=True)
    shots = {"/dashboard/{s}/charts/sales/", "/s/{s}/till/", "/kitchen/{s}/display/", "/inventory/{s}/"}
    shots = {p.format(s=site["store"].slug) for p in shots}
    for role, paths in _pages(site).items():
        page = _login(browser, live_server, site["users"][role])
        problems = _watch(page)
        for path in paths:
            _visit(page, live_server.url + path, problems)
            if path in shots:
                page.screenshot(path=str(ARTIFACTS / f"csp-{role}-{path.strip('/').replace('/', '-')}.png"))
        page.context.close()

    # guests and people not signed in
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    problems = _watch(page)
    from customers.services import feedback_token

    for path in [
        "/login/",
        f"/s/t/{site['open_table'].qr_token}/",
        f"/c/f/{feedback_token(guest_check=site['paid'])}/",
    ]:
        _visit(page, live_server.url + path, problems)
    page.screenshot(path=str(ARTIFACTS / "csp-guest-feedback.png"))


def test_sign_up_and_invitation_pages_run_under_the_policy(browser, live_server, store):
    from restaurant_ops.services import invitation_create

    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    problems = _watch(page)
    _visit(page, f"{live_server.url}/signup/", problems)  # an empty install: the first visitor signs up
    owner = MembershipFactory(store=store, role=Role.OWNER).user
    invitation = invitation_create(store=store, role=Role.MANAGER, name="Mei", created_by=owner)
    _visit(page, f"{live_server.url}/join/{invitation.token}/", problems)


def test_charts_draw_and_htmx_actions_work_under_the_policy(browser, live_server, site):
    s = site["store"].slug
    owner = _login(browser, live_server, site["users"]["owner"])
    problems = _watch(owner)
    start = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    _visit(owner, f"{live_server.url}/dashboard/{s}/charts/sales/?start={start}", problems)
    # plotly drew its SVG (no eval needed by the bar/scatter/heatmap/waterfall bundle)
    assert owner.locator("#chart-best-quantity .main-svg").count() >= 1
    assert owner.get_attribute("#chart-best-quantity", "data-state") == "drawn"

    # a data-confirm form asks first; dismissing keeps the key
    _visit(owner, f"{live_server.url}/stores/{s}/api-keys/", problems)
    owner.context.close()

    # the guest orders through htmx: the cart empties itself (the old hx-on) and the check shows it
    guest = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    problems = _watch(guest)
    _visit(guest, f"{live_server.url}/s/t/{site['open_table'].qr_token}/", problems)
    guest.get_by_role("button", name="One more Soda").click()
    expect(guest.locator("#cart-total")).to_contain_text("3.85")  # 3.50 + 10% tax 0.35
    guest.get_by_role("button", name="Place order").click()
    expect(guest.locator("#result")).to_contain_text("is in")
    expect(guest.locator("#table-check")).to_contain_text("Soda", timeout=10_000)
    expect(guest.locator("#cart-total")).not_to_contain_text("3.85")
    assert guest.locator("input.qty-input").first.input_value() == ""
    guest.screenshot(path=str(ARTIFACTS / "csp-guest-ordered.png"), full_page=True)
    assert problems == []

    # the cook starts the ticket on the kitchen display (an hx-post that swaps the board)
    cook = _login(browser, live_server, site["users"]["cook"])
    problems = _watch(cook)
    _visit(cook, f"{live_server.url}/kitchen/{s}/display/", problems)
    cook.get_by_role("button", name=re.compile("Start")).first.click()
    expect(cook.get_by_role("button", name=re.compile("Bump|Done|Ready")).first).to_be_visible()
    cook.screenshot(path=str(ARTIFACTS / "csp-kitchen-started.png"), full_page=True)
    assert problems == []


def test_the_header_has_a_nonce_and_no_unsafe_script_sources(client, site):
    client.force_login(site["users"]["owner"])
    response = client.get(f"/dashboard/{site['store'].slug}/")
    policy = response["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split("; ")}
    script = directives["script-src"]
    nonce = next(s for s in script if s.startswith("'nonce-"))
    assert f'nonce="{nonce[7:-1]}"' in response.content.decode()  # the page's own scripts carry it
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    # a fresh nonce on every response
    again = client.get(f"/dashboard/{site['store'].slug}/")["Content-Security-Policy"]
    assert nonce not in again
