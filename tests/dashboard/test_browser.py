"""The dashboard in headless Chromium against a live server, with the compact fixture of conftest.shop."""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from analytics.insights import Finding, insight_upsert
from analytics.models import Insight

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(django_settings.BASE_DIR) / "test-artifacts"
RANGE = "?start=2025-02-01&end=2025-03-19"
CHART_PAGES = [
    "",
    "charts/sales/",
    "charts/busy-hours/",
    "charts/margin/",
    "charts/stock/",
    "charts/kitchen/",
    "charts/staffing/",
    "insights/",
    "insights/history/",
    "back-office/",
]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 768, "height": 1024}}


@pytest.fixture
def logged_in(page, live_server, shop, client):
    client.force_login(shop["owner"])
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
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page, errors


def _api(page, path):
    return page.evaluate("url => fetch(url, {credentials: 'same-origin'}).then(r => r.json())", path)


def _trace(page, chart_id, index=0):
    # a selector wait, not wait_for_function: the Content-Security-Policy forbids the eval it uses
    page.locator(f"#{chart_id}:not([data-state=loading])").wait_for(state="attached")
    return page.evaluate(
        f"(() => {{ const d = document.getElementById('{chart_id}'); "
        "return {state: d.dataset.state, data: (d.data || []).map(t => ({x: t.x, y: t.y, z: t.z}))}; })()"
    )


def test_every_page_renders_without_console_errors(logged_in, live_server, shop):
    page, errors = logged_in
    ARTIFACTS.mkdir(exist_ok=True)
    slug = shop["store"].slug
    for path in CHART_PAGES:
        page.goto(f"{live_server.url}/dashboard/{slug}/{path}{RANGE}")
        page.wait_for_load_state("networkidle")
        for chart in page.query_selector_all(".chart[data-chart]"):
            page.wait_for_function("el => el.dataset.state && el.dataset.state !== 'loading'", arg=chart)
        name = path.strip("/").replace("/", "-") or "overview"
        page.screenshot(path=str(ARTIFACTS / f"dashboard-{name}.png"), full_page=True)
    assert errors == []


def test_charts_equal_the_api(logged_in, live_server, shop):
    page, errors = logged_in
    slug = shop["store"].slug
    page.goto(f"{live_server.url}/dashboard/{slug}/{RANGE}")
    trend = _trace(page, "chart-trend")
    api = _api(page, f"/api/v1/analytics/overview/?store={slug}&start=2025-02-01&end=2025-03-19")
    assert trend["state"] == "drawn"
    assert trend["data"][0]["y"] == [float(r["sales"]) for r in api["trend"]]
    assert any(trend["data"][0]["y"])

    page.goto(f"{live_server.url}/dashboard/{slug}/charts/sales/{RANGE}")
    best = _trace(page, "chart-best-quantity")
    api = _api(
        page,
        f"/api/v1/analytics/best-sellers/?store={slug}&start=2025-02-01&end=2025-03-19&by=quantity&limit=10",
    )
    assert best["data"][0]["x"] == [r["quantity"] for r in reversed(api)]
    assert best["data"][0]["y"] == [r["name"] for r in reversed(api)]
    # Drawn bottom-up: Fries 1+2+1 = 4, Wings 2+1 (today) + 1+3 + 1 = 8 on top.
    assert best["data"][0]["x"] == [4, 8]

    # Neither item has a recipe: no margin to place them by, so the matrix names them instead of
    # drawing them at a margin of 0, and its table says "cost unknown".
    matrix = _trace(page, "chart-menu-engineering")
    assert matrix["data"] == []
    assert page.locator("#chart-menu-engineering .chart-msg").inner_text() == (
        "Cost unknown (no recipe), not placed: Wings, Fries"
    )
    assert page.locator("[data-table-for=chart-menu-engineering] td").all_inner_texts()[-1] == "cost unknown"

    page.goto(f"{live_server.url}/dashboard/{slug}/charts/busy-hours/{RANGE}")
    heat = _trace(page, "chart-busy-heatmap")
    api = _api(page, f"/api/v1/analytics/busy-hours/?store={slug}&start=2025-02-01&end=2025-03-19")
    cells = {(r["weekday"], r["hour"]): float(r["average"]) for r in api}
    hours = sorted({h for _w, h in cells})
    assert heat["data"][0]["z"] == [[cells.get((w, h), 0) for h in hours] for w in range(7)]

    page.goto(f"{live_server.url}/dashboard/{slug}/charts/margin/{RANGE}")
    month = _trace(page, "chart-margin-month")
    api = _api(page, f"/api/v1/analytics/margin-by-item-month/?store={slug}&start=2025-02-01&end=2025-03-19")
    assert month["data"][0]["y"] == [float(r["revenue"]) for r in api["by_month"]] == [14.0, 82.0]
    assert errors == []


def test_new_insight_appears_and_po_is_sent(logged_in, live_server, shop, settings, tmp_path):
    from inventory import services as inv
    from inventory.models import PurchaseOrder

    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    page, errors = logged_in
    store = shop["store"]
    page.goto(f"{live_server.url}/dashboard/{store.slug}/insights/")
    assert page.locator(".insight").count() == 0
    chicken = inv.ingredient_create(store=store, name="Chicken", base_unit="g")
    supplier = inv.supplier_create(store=store, name="Farm", email="farm@example.com")
    po = inv.purchase_order_create_draft(
        store=store,
        supplier=supplier,
        lines=[{"ingredient": chicken, "quantity": 1000, "unit_price": Decimal("0.02")}],
    )
    insight = insight_upsert(
        store=store,
        finding=Finding(
            kind=Insight.Kind.LOW_STOCK,
            subject=f"ingredient:{chicken.pk}",
            message_key="low_stock_po",
            numbers={
                "ingredient": "Chicken",
                "days_left": "1.5",
                "on_hand": "300",
                "unit": "g",
                "reorder_point": "900",
                "order_quantity": "1000",
                "supplier": "Farm",
                "purchase_order_id": po.pk,
            },
        ),
    )
    card = page.locator(f"#insight-{insight.pk}")
    card.wait_for(timeout=15000)  # polled in, no reload
    assert "runs out in 1.5 days" in card.inner_text()
    card.locator("[data-action=send-po]").click()
    page.wait_for_load_state("networkidle")
    po.refresh_from_db()
    assert po.status == PurchaseOrder.Status.SENT
    sent = "".join(p.read_text() for p in tmp_path.iterdir())
    assert "farm@example.com" in sent
    assert errors == []


def test_apply_staffing_suggestion_in_the_browser(logged_in, live_server, shop):
    from staffing import selectors as st_sel
    from staffing import services as st
    from staffing.models import Shift

    page, errors = logged_in
    store = shop["store"]
    position = st.position_create(store=store, name="Cashier")
    st.staff_member_create(store=store, name="Ana", hourly_cost=Decimal("12.00"), positions=[position])
    week = dt.date(2030, 3, 18)
    start = dt.datetime(2030, 3, 22, 18, tzinfo=store.tz)
    st.staffing_requirements_replace(
        store,
        week,
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
    assert st_sel.staffing_suggestions(store=store, week_start=week)
    page.goto(f"{live_server.url}/dashboard/{store.slug}/charts/staffing/?week=2030-03-20")
    plan = _trace(page, "chart-staffing-plan")
    api = _api(page, f"/api/v1/analytics/staffing-plan/?store={store.slug}&week=2030-03-20")
    assert plan["data"][0]["y"] == [r["needed"] for r in api["hours"]] == [1, 1]
    page.get_by_label("Who takes the shift").select_option(label="Ana")
    page.locator("[data-action=apply-suggestion]").click()
    page.wait_for_load_state("networkidle")
    shift = Shift.objects.get(store=store)
    assert (shift.start, shift.end) == (start, start + dt.timedelta(hours=2))
    assert errors == []


def test_language_switch_changes_the_page(logged_in, live_server, shop):
    page, errors = logged_in
    page.goto(f"{live_server.url}/dashboard/{shop['store'].slug}/")
    assert page.get_attribute("html", "lang") == "en"
    page.select_option("#language-select", "zh-hans")
    page.wait_for_load_state("networkidle")
    assert page.get_attribute("html", "lang") == "zh-hans"
    assert json.dumps(errors) == "[]"


@pytest.mark.parametrize("path", ["charts/sales/", "charts/busy-hours/"])
def test_chinese_chart_text_and_table_headers_have_no_english(logged_in, live_server, shop, path):
    """Legends, axis and colour-bar titles and table headers come from the JS catalogue in zh-Hans
    (owner-entered names only appear in cells and ticks, which this does not read)."""
    import re

    page, errors = logged_in
    page.context.add_cookies(
        [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": "zh-hans", "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/dashboard/{shop['store'].slug}/{path}{RANGE}")
    assert page.get_attribute("html", "lang") == "zh-hans"
    for chart_id in page.locator(".chart[id]").evaluate_all("els => els.map(e => e.id)"):
        page.locator(f"#{chart_id}:not([data-state=loading])").wait_for(state="attached")
    texts = page.evaluate(
        "[...document.querySelectorAll('th, .legendtext, .g-xtitle, .g-ytitle, .g-y2title, .cbtitle')]"
        ".map(e => e.textContent.trim()).filter(Boolean)"
    )
    headers = page.evaluate("[...document.querySelectorAll('.chart-table th, table th')].length")
    assert headers > 0 and texts
    english = [t for t in texts if re.search(r"[A-Za-z]{2,}", t)]
    assert english == []
    if path == "charts/sales/":
        assert "数量" in texts and "收入" in texts  # Quantity, Revenue
        # money cells read in the store's currency (EUR) in the page's language; the CSV keeps the amount
        amounts = page.evaluate(
            "[...document.querySelectorAll('td[data-v]')].map(e => [e.textContent, e.dataset.v])"
        )
        assert amounts and all(re.fullmatch(r"-?€[\d,]+\.\d{2}", text) for text, _raw in amounts)
        assert all(re.fullmatch(r"-?\d+(\.\d+)?", raw) for _text, raw in amounts)
    else:
        assert "星期" in texts and "小时" in texts  # Weekday, Hour
        assert "周一" in page.content()  # weekday names from Intl in the page's language
    assert errors == []
