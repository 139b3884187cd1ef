"""Dashboard pages (server side): who sees them, the empty state, and the insight actions calling the owning
apps' services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from analytics.insights import Finding, insight_upsert
from analytics.models import ForecastAccuracy, Insight
from tests.factories import MembershipFactory, StoreFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "",
    "charts/sales/",
    "charts/busy-hours/",
    "charts/margin/",
    "charts/stock/",
    "charts/kitchen/",
    "charts/staffing/",
    "insights/",
    "insights/feed/",
    "insights/decisions/",
    "insights/history/",
    "back-office/",
]


@pytest.mark.parametrize("path", PAGES)
def test_owner_sees_every_page(owner_client, shop, path):
    response = owner_client.get(f"/dashboard/{shop['store'].slug}/{path}")
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["cashier", "cook", None])
def test_non_members_and_staff_get_404(client, shop, role):
    user = UserFactory()
    if role:
        MembershipFactory(user=user, store=shop["store"], role=role)
    client.force_login(user)
    assert client.get(f"/dashboard/{shop['store'].slug}/").status_code == 404


def test_new_store_says_what_to_do_first(client):
    store = StoreFactory()
    owner = UserFactory()
    MembershipFactory(user=owner, store=store, role="owner")
    client.force_login(owner)
    page = client.get(f"/dashboard/{store.slug}/").content.decode()
    assert 'id="empty-state"' in page
    assert "Add your menu first" in page


def test_store_selector_switches_store(owner_client, shop):
    second = StoreFactory()
    MembershipFactory(user=shop["owner"], store=second, role="manager")
    response = owner_client.get(
        f"/dashboard/{shop['store'].slug}/charts/sales/",
        {"store": second.slug, "start": "2025-03-01", "end": "2025-03-19"},
    )
    assert response.status_code == 302
    assert response.url == f"/dashboard/{second.slug}/charts/sales/?start=2025-03-01&end=2025-03-19"


def _insight(store, **kwargs):
    finding = Finding(
        kind=kwargs.pop("kind", Insight.Kind.LOW_STOCK),
        subject=kwargs.pop("subject", "ingredient:1"),
        message_key="low_stock",
        numbers=kwargs.pop("numbers", {}),
        **kwargs,
    )
    return insight_upsert(store=store, finding=finding)


def test_acknowledge_and_dismiss(owner_client, shop):
    insight = _insight(shop["store"])
    base = f"/dashboard/{shop['store'].slug}/insights/{insight.pk}"
    owner_client.post(f"{base}/acknowledge/")
    insight.refresh_from_db()
    assert insight.state == Insight.State.ACKNOWLEDGED
    owner_client.post(f"{base}/dismiss/", {"reason": ""})
    insight.refresh_from_db()
    assert insight.state == Insight.State.ACKNOWLEDGED  # a reason is required
    owner_client.post(f"{base}/dismiss/", {"reason": "Delivery already on its way"})
    insight.refresh_from_db()
    assert (insight.state, insight.dismiss_reason) == (Insight.State.DISMISSED, "Delivery already on its way")
    history = owner_client.get(f"/dashboard/{shop['store'].slug}/insights/history/").content.decode()
    assert "Delivery already on its way" in history


def test_send_po_from_insight(owner_client, shop, settings, django_capture_on_commit_callbacks):
    from inventory import services as inv
    from inventory.models import PurchaseOrder

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    store = shop["store"]
    chicken = inv.ingredient_create(store=store, name="Chicken", base_unit="g")
    supplier = inv.supplier_create(store=store, name="Farm", email="farm@example.com")
    po = inv.purchase_order_create_draft(
        store=store,
        supplier=supplier,
        lines=[{"ingredient": chicken, "quantity": 1000, "unit_price": Decimal("0.02")}],
    )
    insight = _insight(store, subject=f"ingredient:{chicken.pk}", numbers={"purchase_order_id": po.pk})
    feed = owner_client.get(f"/dashboard/{store.slug}/insights/feed/").content.decode()
    assert "Approve and send to Farm" in feed
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"/dashboard/{store.slug}/insights/{insight.pk}/send-po/")
    po.refresh_from_db()
    insight.refresh_from_db()
    assert po.status == PurchaseOrder.Status.SENT
    assert (insight.state, insight.action_type, insight.action_object_id) == ("acted", "po_sent", str(po.pk))
    assert [m.to for m in mail.outbox] == [["farm@example.com"]]


def test_record_negotiated_price_and_switch(owner_client, shop):
    from inventory import services as inv

    store = shop["store"]
    chicken = inv.ingredient_create(store=store, name="Chicken", base_unit="g")
    cheaper = inv.supplier_create(store=store, name="Cheaper", email="c@example.com")
    item = inv.supplier_item_upsert(supplier=cheaper, ingredient=chicken)
    insight = _insight(store, kind=Insight.Kind.MARGIN_DROP, subject=f"ingredient:{chicken.pk}")
    owner_client.post(
        f"/dashboard/{store.slug}/insights/{insight.pk}/supplier/",
        {"supplier_item": item.pk, "price": "0.018", "switch": "1"},
    )
    chicken.refresh_from_db()
    insight.refresh_from_db()
    assert chicken.preferred_supplier_id == cheaper.pk
    assert item.prices.get().unit_price == Decimal("0.018")
    assert insight.action_type == "supplier_changed"


def test_apply_staffing_suggestion_from_insight(owner_client, shop):
    from staffing import selectors as st_sel
    from staffing import services as st
    from staffing.models import Shift

    store = shop["store"]
    position = st.position_create(store=store, name="Cashier")
    staff = st.staff_member_create(
        store=store, name="Ana", hourly_cost=Decimal("12.00"), positions=[position]
    )
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
    suggestion = st_sel.staffing_suggestions(store=store, week_start=week)[0]
    insight = _insight(
        store,
        kind=Insight.Kind.STAFFING,
        subject="week:2030-W12",
        numbers={"suggestion": suggestion.as_dict()},
    )
    owner_client.post(f"/dashboard/{store.slug}/insights/{insight.pk}/apply-staffing/", {"staff": staff.pk})
    shift = Shift.objects.get(store=store)
    assert (shift.start, shift.end, shift.staff_id) == (start, start + dt.timedelta(hours=2), staff.pk)
    insight.refresh_from_db()
    assert (insight.action_type, insight.action_object_id) == ("shift_added", str(shift.pk))


def test_apply_the_menu_price_that_restores_the_margin(owner_client, shop):
    from restaurant_ops.models import AuditEntry

    store, item = shop["store"], shop["a"]
    insight = _insight(
        store,
        kind=Insight.Kind.MARGIN_DROP,
        subject="store",
        numbers={"item": item.name, "restoring_price": "11.40"},
    )
    feed = owner_client.get(f"/dashboard/{store.slug}/insights/feed/").content.decode()
    assert 'value="11.40"' in feed  # the form offers the price that restores the margin
    url = f"/dashboard/{store.slug}/insights/{insight.pk}/menu-price/"

    owner_client.post(url, {"menu_item": item.pk, "price": "11.405"})  # not whole cents: refused
    item.refresh_from_db()
    assert item.price == Decimal("10.00")

    owner_client.post(url, {"menu_item": item.pk, "price": "11.40"})
    item.refresh_from_db()
    insight.refresh_from_db()
    assert item.price == Decimal("11.40")
    assert (insight.state, insight.action_type, insight.action_object_id) == (
        "acted",
        "price_changed",
        str(item.pk),
    )
    entry = AuditEntry.objects.get(action="menu_price_changed")
    assert entry.data == {"old": "10.00", "new": "11.40"} and entry.actor == shop["owner"]


def test_busy_hours_page_says_in_plain_words_how_good_the_forecast_is(owner_client, shop):
    store = shop["store"]
    for method, wape in [("seasonal_naive", "0.2500"), ("flat_mean", "0.3100"), ("weighted", "0.1800")]:
        ForecastAccuracy.objects.create(
            store=store, level="orders_hour", method=method, wape=Decimal(wape), served=method == "weighted"
        )
    page = owner_client.get(f"/dashboard/{store.slug}/charts/busy-hours/").content.decode()
    assert (
        "Orders per hour: over the last 4 weeks the forecast (Weighted same weekday (4-3-2-1)) was off by "
        "18% on average, better than copying the same day last week (25%) or the 4-week average (31%)."
    ) in page
    assert "Items per daypart: not enough history yet to judge the forecast (it needs 8 weeks)." in page


def test_overview_leads_with_todays_decisions_and_shows_last_weeks(owner_client, shop):
    from django.utils import timezone

    from inventory import services as inv

    store = shop["store"]
    chicken = inv.ingredient_create(store=store, name="Chicken", base_unit="g")
    farm = inv.supplier_create(store=store, name="Farm", email="farm@example.com")
    po = inv.purchase_order_create_draft(
        store=store,
        supplier=farm,
        lines=[{"ingredient": chicken, "quantity": 1000, "unit_price": Decimal("0.02")}],
    )
    trending = _insight(store, kind=Insight.Kind.TRENDING, subject="item:9", severity="warning")
    low = _insight(
        store, subject=f"ingredient:{chicken.pk}", numbers={"purchase_order_id": po.pk}, severity="high"
    )
    judged = _insight(store, kind=Insight.Kind.TRENDING, subject="item:8", severity="info")
    Insight.objects.filter(pk=judged.pk).update(
        state="evaluated",
        acted_at=timezone.now() - dt.timedelta(days=2),
        evaluated_at=timezone.now(),
        action_type="other",
        action_detail={"note": "Moved it up the board"},
        metric="item_quantity",
        metric_before=Decimal("7"),
        metric_after=Decimal("21"),
        metric_spread=Decimal("2"),
        verdict="worked",
    )
    page = owner_client.get(f"/dashboard/{store.slug}/").content.decode()
    decisions = page[page.index('id="todays-decisions"') : page.index('id="recent-decisions"')]
    # The high-severity one first, with the button that sends its purchase order (1000 g × 0.02).
    assert decisions.index(f'data-insight="{low.pk}"') < decisions.index(f'data-insight="{trending.pk}"')
    assert "Approve and send to Farm (20.00)" in decisions
    assert f'data-insight="{judged.pk}"' not in decisions  # acted on: not a decision any more
    recent = page[page.index('id="recent-decisions"') :]
    assert f'data-insight="{judged.pk}"' in recent and "Moved it up the board" in recent
    assert 'data-verdict="worked"' in recent and "(usual spread 2)" in recent


def test_the_staffing_card_offers_only_who_can_take_the_shift(owner_client, shop):
    from staffing import selectors as st_sel
    from staffing import services as st

    store = shop["store"]
    cashier = st.position_create(store=store, name="Cashier")
    cook = st.position_create(store=store, name="Cook")

    def person(name, position):
        return st.staff_member_create(
            store=store, name=name, hourly_cost=Decimal("12.00"), positions=[position]
        )

    ana, bo, cy, di, ed, fa, gu = (
        person(n, p)
        for n, p in [("Ana", cashier), ("Bo", cook), ("Cy", cashier)]
        + [("Di", cashier), ("Ed", cashier), ("Fa", cashier), ("Gu", cashier)]
    )
    start = dt.datetime(2030, 3, 22, 18, tzinfo=store.tz)  # a Friday
    st.shift_create(
        store=store, staff=cy, position=cashier, start=start, end=start + dt.timedelta(hours=1), reason="x"
    )
    # Fa and Gu already work 9 h on the Monday of that week; the suggested shift is 2 h (18–20).
    monday = dt.datetime(2030, 3, 18, 9, tzinfo=store.tz)
    for who, most in ((fa, 10), (gu, 11)):
        st.shift_create(
            store=store,
            staff=who,
            position=cashier,
            start=monday,
            end=monday + dt.timedelta(hours=9),
            reason="x",
        )
        st.staff_member_update(staff=who, max_weekly_hours=most)
    st.days_off_add(staff=di, first_day=dt.date(2030, 3, 22), last_day=dt.date(2030, 3, 22))
    st.availability_add(staff=ed, weekday=4, start=dt.time(9), end=dt.time(17))  # Fridays until 17:00 only
    week = dt.date(2030, 3, 18)
    st.staffing_requirements_replace(
        store,
        week,
        [
            {
                "position": cashier,
                "hour_start": start + dt.timedelta(hours=h),
                "needed_staff": 2,
                "forecast_load": Decimal("30"),
            }
            for h in range(2)
        ],
    )
    suggestion = next(s for s in st_sel.staffing_suggestions(store=store, week_start=week) if s.kind == "gap")
    insight = _insight(
        store,
        kind=Insight.Kind.STAFFING,
        subject="gap:cashier",
        numbers={"suggestion": suggestion.as_dict(), "position": "Cashier"},
    )
    feed = owner_client.get(f"/dashboard/{store.slug}/insights/feed/").content.decode()
    card = feed[feed.index(f'id="insight-{insight.pk}"') :]
    options = card[card.index('name="staff"') : card.index("</select>")]
    # Bo is a cook, Cy is on shift then, Di has the day off, Ed is not available after 17:00, Fa would
    # work 9 + 2 = 11 h that week against a maximum of 10; Gu's 11 h are exactly his maximum.
    assert f'value="{ana.pk}"' in options and f'value="{gu.pk}"' in options
    assert all(f'value="{p.pk}"' not in options for p in (bo, cy, di, ed, fa))

    for who in (ana, gu):
        who.is_active = False
        who.save()
    feed = owner_client.get(f"/dashboard/{store.slug}/insights/feed/").content.decode()
    card = feed[feed.index(f'id="insight-{insight.pk}"') :].split("</li>")[0]
    assert "Nobody who works as Cashier is free then" in card
    options = card[card.index('name="staff"') : card.index("</select>")]
    assert options.count("<option") == 1 and 'value="open" selected' in options


def test_a_day_card_adds_each_listed_shift_and_publishes_an_open_one_when_nobody_fits(owner_client, shop):
    from staffing import services as st
    from staffing.models import Shift

    store = shop["store"]
    cashier = st.position_create(store=store, name="Cashier", productivity_target=Decimal("10"))
    ana = st.staff_member_create(store=store, name="Ana", hourly_cost=Decimal("12.00"), positions=[cashier])
    st.staff_member_create(store=store, name="Bo", hourly_cost=Decimal("14.00"), positions=[cashier])
    friday = dt.datetime(2030, 3, 22, 17, tzinfo=store.tz)
    st.staffing_requirements_replace(
        store,
        dt.date(2030, 3, 18),
        [
            {
                "position": cashier,
                "hour_start": friday + dt.timedelta(hours=h),
                "needed_staff": 2 if h in (1, 2) else 1,
                "forecast_load": Decimal("15"),
            }
            for h in range(4)
        ],
    )
    from analytics.analyses.operations import staffing_findings

    (finding,) = staffing_findings(store, dt.date(2030, 3, 18))  # 17–21 for one, 18–20 for another
    insight = insight_upsert(store=store, finding=finding)
    feed = owner_client.get(f"/dashboard/{store.slug}/insights/feed/").content.decode()
    card = feed[feed.index(f'id="insight-{insight.pk}"') :].split("</li>")[0]
    assert card.count("data-line=") == 2 and "Accept: add these 2 shifts" in card
    assert "Fri 22 Mar 17:00–21:00 · Cashier" in card and "Fri 22 Mar 18:00–20:00 · Cashier" in card

    # "why?": the plain words and the needed-vs-scheduled chart of that Friday for cashiers
    why = _why_chart(card)
    assert why == {
        "type": "staffing",
        "x": ["17:00", "18:00", "19:00", "20:00"],
        "needed": [1, 2, 2, 1],
        "scheduled": [0, 0, 0, 0],
        "names": {"needed": "Needed", "scheduled": "Scheduled"},
    }
    assert "divided by what one Cashier handles in an hour" in card

    response = owner_client.post(
        f"/dashboard/{store.slug}/insights/{insight.pk}/apply-staffing/", {"staff": [str(ana.pk), "open"]}
    )
    assert response.status_code == 302
    shifts = list(
        Shift.objects.filter(store=store).order_by("start").values_list("staff__name", "start", "end")
    )
    assert shifts == [
        ("Ana", friday, friday + dt.timedelta(hours=4)),
        (None, friday + dt.timedelta(hours=1), friday + dt.timedelta(hours=3)),
    ]
    open_shift = Shift.objects.get(staff__isnull=True)
    assert open_shift.hourly_cost == Decimal("13.00")  # (12.00 + 14.00) / 2 until someone claims it
    insight.refresh_from_db()
    assert insight.state == "acted" and insight.action_detail["open_shifts"] == 1


def _why_chart(card_html: str) -> dict:
    import html
    import json

    raw = card_html[card_html.index('data-why-chart="') + len('data-why-chart="') :]
    return json.loads(html.unescape(raw[: raw.index('"')]))


def _card(owner_client, store, insight) -> str:
    feed = owner_client.get(f"/dashboard/{store.slug}/insights/feed/").content.decode()
    return feed[feed.index(f'id="insight-{insight.pk}"') :].split("</li>")[0]


def test_why_explains_low_stock_in_plain_words_with_the_stock_day_by_day(owner_client, shop):
    from django.utils import timezone

    from restaurant_ops.timeutils import business_date

    store = shop["store"]
    today = business_date(store, timezone.now())
    insight = _insight(
        store,
        numbers={
            "ingredient": "Chicken",
            "unit": "g",
            "on_hand": "3000",
            "daily_usage": "1000",
            "reorder_point": "4000",
            "par": "9000",
            "pace": "1.2",
            "sigma": "150",
            "lead_time": 2,
            "order_quantity": "6000",
            "delivery_on": (today + dt.timedelta(days=2)).isoformat(),
        },
    )
    card = _card(owner_client, store, insight)
    assert "3 kg on hand, used at about 1 kg a day" in card and "pace 1.2" in card and "σ 150 g a day" in card
    why = _why_chart(card)
    # 5 days (lead time 2 + 2, at least 3): 3 kg less 1 kg a day; the 6 kg order arrives on day 2
    assert why["x"] == [(today + dt.timedelta(days=d)).isoformat() for d in range(5)]
    assert [s["y"] for s in why["series"]] == [
        [3.0, 2.0, 1.0, 0.0, 0.0],
        [3.0, 2.0, 7.0, 6.0, 5.0],
        [4.0, 4.0, 4.0, 4.0, 4.0],
    ]
    assert why["unit"] == "kg"


def test_why_explains_a_margin_drop_with_its_waterfall(owner_client, shop):
    from tests.inventory.factories import IngredientFactory

    store = shop["store"]
    chicken = IngredientFactory(store=store, name="Chicken")
    insight = _insight(
        store,
        kind=Insight.Kind.MARGIN_DROP,
        subject="store",
        numbers={
            "ingredient": "Chicken",
            "gp0": "1000.00",
            "gp1": "930.00",
            "ingredient_effect": "-80.00",
            "parts": {"volume": "10.00", "price": "0.00", f"ingredient:{chicken.pk}": "-80.00"},
            "periods": {"previous": ["2030-02-01", "2030-02-10"], "current": ["2030-03-01", "2030-03-10"]},
        },
    )
    card = _card(owner_client, store, insight)
    assert (
        "was 1000.00 over 2030-02-01 – 2030-02-10 (gp0) and 930.00 over 2030-03-01 – 2030-03-10 (gp1)" in card
    )
    assert "Chicken alone moved it by -80.00" in card
    assert _why_chart(card) == {
        "type": "waterfall",
        "x": ["2030-02-01 – 2030-02-10", "sales volume", "menu price", "Chicken", "2030-03-01 – 2030-03-10"],
        "y": [1000.0, 10.0, 0.0, -80.0, 930.0],  # 1000 + 10 + 0 − 80 = 930
        "measure": ["absolute", "relative", "relative", "relative", "total"],
    }
