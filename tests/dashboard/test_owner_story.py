"""The owner's story in the browser, from the overview: see → decide → act → see the effect.

The low-stock card's lines are the purchase order that is sent (page, database and API agree); a
staffing card applied in one click adds a shift for a person of that position; an acted card later
shows its before, after and verdict. Screenshots go to test-artifacts/."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from analytics import services
from analytics.analyses.operations import staffing_findings
from analytics.insights import insight_upsert
from analytics.models import DemandForecast, Insight
from analytics.registry import run_analysis
from inventory import services as inv
from inventory.models import PurchaseOrder
from staffing import services as st
from staffing.models import Shift

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(django_settings.BASE_DIR) / "test-artifacts"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1024, "height": 1400}}


@pytest.fixture
def owner_page(page, live_server, shop, client):
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
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    ARTIFACTS.mkdir(exist_ok=True)
    return page, errors


def _low_stock(store, item):
    """Wings run low: 20 pcs on hand, 4 per basket, 5 baskets forecast a day (12:00-17:00) = 20 pcs a day;
    one supplier two days away, packs of 20 at 0.50. Checked at 10:00 on a Monday with no sales in the 60
    days before (σ = 0, pace 1), so every figure follows by hand: reorder point = the rest of today (all
    of 12:00-17:00: 20) + tomorrow's 20 = 40 ≥ 20 on hand → low; par = 20 + 8 × 20 = 180 (L + R = 2 + 7
    days); order 180 − 20 on hand = 160 pcs = 8 packs, × 0.50 = 80.00."""
    wings = inv.ingredient_create(store=store, name="Wings", base_unit="pcs")
    inv.recipe_line_set(store=store, ingredient=wings, quantity=Decimal("4"), unit="pcs", menu_item=item)
    farm = inv.supplier_create(store=store, name="Cheap Farm", email="farm@example.com", lead_time_days=2)
    supplier_item = inv.supplier_item_upsert(supplier=farm, ingredient=wings, pack_size=Decimal("20"))
    inv.supplier_price_add(
        supplier_item=supplier_item, price=Decimal("0.50"), effective_from=dt.date(2020, 1, 1)
    )
    inv.stock_movement_record(
        store=store,
        ingredient=wings,
        kind="receipt",
        quantity=Decimal("20"),
        reason="opening",
        unit_cost=Decimal("0.50"),
    )
    DemandForecast.objects.bulk_create(
        DemandForecast(store=store, menu_item=item, weekday=w, hour=h, quantity=Decimal("1"))
        for w in range(7)
        for h in range(12, 17)
    )
    run_analysis(store=store, job="low_stock", now=dt.datetime(2030, 3, 18, 10, tzinfo=store.tz))
    return Insight.objects.get(store=store, kind="low_stock", state="new")


def _rows(locator):
    return [
        [cell.strip() for cell in row.locator("td").all_inner_texts()]
        for row in locator.locator("tbody tr").all()
    ]


def test_the_owner_sees_decides_and_acts_from_the_overview(owner_page, live_server, shop):
    page, errors = owner_page
    store = shop["store"]
    insight = _low_stock(store, shop["a"])
    po = PurchaseOrder.objects.get(pk=insight.numbers["purchase_order_id"])
    lines = [(line.ingredient.name, line.quantity, line.unit_price) for line in po.lines.all()]
    assert lines == [("Wings", Decimal("160.000"), Decimal("0.50"))]  # see _low_stock: 8 packs of 20
    total = Decimal("80.00")  # 160 × 0.50

    # See: the overview leads with the decision and its button.
    page.goto(f"{live_server.url}/dashboard/{store.slug}/")
    decision = page.locator(f"#todays-decisions [data-insight='{insight.pk}']")
    assert f"Approve and send to Cheap Farm ({total})" in decision.inner_text()
    page.screenshot(path=str(ARTIFACTS / "story-1-overview.png"), full_page=True)

    # The card in the feed lists exactly the draft's lines; the API shows the same proposal.
    page.goto(f"{live_server.url}/dashboard/{store.slug}/insights/")
    card = page.locator(f"#insight-{insight.pk}")
    shown = card.locator("table.po-lines")
    quantities = [
        Decimal(q)
        for q in shown.locator("td[data-quantity]").evaluate_all("els => els.map(e => e.dataset.quantity)")
    ]
    assert [row[0] for row in _rows(shown)] == [name for name, _q, _p in lines]
    assert quantities == [q for _n, q, _p in lines]
    assert Decimal(card.locator("[data-total]").inner_text()) == total
    api = page.evaluate(
        "url => fetch(url, {credentials: 'same-origin'}).then(r => r.json())",
        f"/api/v1/analytics/insights/{insight.pk}/",
    )["proposal"]
    assert [(r["ingredient"], Decimal(r["quantity"])) for r in api["lines"]] == [(n, q) for n, q, _p in lines]
    card.screenshot(path=str(ARTIFACTS / "story-2-low-stock-card.png"))

    # Act: one click on the overview sends that PO, and the insight records exactly its lines.
    page.goto(f"{live_server.url}/dashboard/{store.slug}/")
    page.locator(f"#todays-decisions [data-insight='{insight.pk}'] [data-action=send-po]").click()
    page.wait_for_load_state("networkidle")
    po.refresh_from_db()
    insight.refresh_from_db()
    assert po.status == "sent" and PurchaseOrder.objects.filter(store=store).count() == 1
    assert [(r["ingredient"], Decimal(r["quantity"])) for r in insight.action_detail["lines"]] == [
        (n, q) for n, q, _p in lines
    ]
    assert insight.acted_by == shop["owner"]

    # A staffing gap for a cashier: the day's card, as the analysis writes it (one line: 18:00–20:00);
    # "why?" explains it with the needed-vs-scheduled chart; one click with the cashier chosen adds her
    # shift as cashier.
    cashier = st.position_create(store=store, name="Cashier")
    ana = st.staff_member_create(store=store, name="Ana", hourly_cost=Decimal("12.00"), positions=[cashier])
    week = dt.date(2030, 3, 18)
    start = dt.datetime(2030, 3, 22, 18, tzinfo=store.tz)
    st.staffing_requirements_replace(
        store,
        week,
        [
            {
                "position": cashier,
                "hour_start": start + dt.timedelta(hours=h),
                "needed_staff": 1,
                "forecast_load": Decimal("30"),
            }
            for h in range(2)
        ],
    )
    (finding,) = staffing_findings(store, week)
    gap = insight_upsert(store=store, finding=finding)
    page.goto(f"{live_server.url}/dashboard/{store.slug}/insights/")
    gap_card = page.locator(f"#insight-{gap.pk}")
    gap_card.locator("details.why > summary").click()
    chart = gap_card.locator(".why-chart")
    chart.locator(".main-svg").first.wait_for()
    assert chart.get_attribute("data-state") == "drawn"
    assert "divided by what one Cashier handles in an hour" in gap_card.locator(".why-text").inner_text()
    # the chart's figures beside it: one row per hour, 1 needed and 0 scheduled
    figures = gap_card.locator("table.why-figures tbody tr")
    assert figures.count() == 2
    assert [c.strip() for c in figures.first.locator("td").all_inner_texts()] == ["1", "0"]
    gap_card.locator("select[name=staff]").select_option(label="Ana")
    gap_card.screenshot(path=str(ARTIFACTS / "story-3-staffing-card.png"))
    gap_card.locator("[data-action=apply-staffing]").click()
    page.wait_for_load_state("networkidle")
    shift = Shift.objects.get(store=store)
    assert (shift.staff_id, shift.position_id, shift.start, shift.end) == (
        ana.pk,
        cashier.pk,
        start,
        start + dt.timedelta(hours=2),
    )

    # Later: the acted low-stock card shows its before, after and verdict (its 14-day window passed).
    later = insight.acted_at + dt.timedelta(days=14)
    assert services.insights_evaluate_due(store=store, now=later) == 1
    insight.refresh_from_db()
    assert insight.state == "evaluated" and insight.verdict in {"worked", "no_change", "worse", "unknown"}
    page.goto(f"{live_server.url}/dashboard/{store.slug}/insights/history/")
    row = page.locator("tr", has=page.locator(f"[data-verdict='{insight.verdict}']")).first
    assert "PO-" in row.inner_text() and "Cheap Farm" in row.inner_text()
    page.screenshot(path=str(ARTIFACTS / "story-4-history.png"), full_page=True)
    assert errors == []
