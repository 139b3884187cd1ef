"""Low stock and reorder on hand-computed figures, with a draft PO through inventory's service."""

import datetime as dt
from decimal import Decimal

import pytest

from analytics.analyses import stock
from analytics.models import DemandForecast, Insight
from analytics.registry import run_analysis
from inventory import services as inventory
from inventory.models import PurchaseOrder
from tests.analytics.conftest import at
from tests.factories import MembershipFactory, MenuItemFactory, UserFactory
from tests.inventory.factories import IngredientFactory, SupplierFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 30)  # Monday


@pytest.fixture
def wings(store):
    ingredient = IngredientFactory(store=store, name="Wings", base_unit="pcs")
    item = MenuItemFactory(store=store, name="Wing basket")
    inventory.recipe_line_set(
        store=store, ingredient=ingredient, quantity=Decimal("4"), unit="pcs", menu_item=item
    )
    cheap = SupplierFactory(store=store, name="Cheap Farm", lead_time_days=2, min_order_value=Decimal("100"))
    dear = SupplierFactory(store=store, name="Dear Farm", lead_time_days=1)
    for supplier, price, pack in ((cheap, "0.50", "20"), (dear, "0.70", "10")):
        si = inventory.supplier_item_upsert(supplier=supplier, ingredient=ingredient, pack_size=Decimal(pack))
        inventory.supplier_price_add(
            supplier_item=si, price=Decimal(price), effective_from=TODAY - dt.timedelta(days=60)
        )
    inventory.ingredient_update(ingredient=ingredient, preferred_supplier=dear)
    inventory.stock_movement_record(
        store=store,
        ingredient=ingredient,
        kind="receipt",
        quantity=Decimal("40"),
        reason="opening",
        unit_cost=Decimal("0.50"),
    )
    # forecast: 5 baskets a day at 19:00 on every weekday → 20 pcs a day
    DemandForecast.objects.bulk_create(
        [
            DemandForecast(store=store, menu_item=item, weekday=w, hour=19, quantity=Decimal("5"))
            for w in range(7)
        ]
    )
    ingredient.refresh_from_db()
    return ingredient


def test_reorder_point_par_and_draft_po_to_the_cheapest_fitting_supplier(store, wings):
    (row,) = stock.stock_status(store, at(TODAY, 10))
    # no usage history: σ = 0; cheapest supplier fits (40 pcs / 20 a day = 2 days ≥ 2 days lead time)
    assert row["supplier_item"].supplier.name == "Cheap Farm"
    assert (row["daily_usage"], row["days_left"], row["lead_time"]) == (Decimal("20.000"), Decimal("2.0"), 2)
    assert row["reorder_point"] == Decimal("40.000")  # 2 days × 20
    assert row["par"] == Decimal("180.000")  # (2 + 7) days × 20
    # 180 − 40 = 140 → 7 packs of 20 = 140 pcs × 0.50 = 70.00 < minimum 100 → 10 packs = 200 pcs
    assert stock.order_quantities([row]) == {wings.pk: Decimal("200.000")}
    run_analysis(store=store, job="low_stock", now=at(TODAY, 10))
    insight = Insight.objects.get(kind="low_stock", state="new")
    po = PurchaseOrder.objects.get()
    assert (po.status, po.source, po.supplier.name) == ("draft", "suggested", "Cheap Farm")
    assert list(po.lines.values_list("quantity", flat=True)) == [Decimal("200.000")]
    assert insight.numbers["purchase_order_id"] == po.pk and insight.job_run.job == "low_stock"
    # running again neither duplicates the insight nor orders twice (the draft is updated in place)
    run_analysis(store=store, job="low_stock", now=at(TODAY, 10))
    assert (Insight.objects.filter(kind="low_stock").count(), PurchaseOrder.objects.count()) == (1, 1)
    assert Insight.objects.get(kind="low_stock").numbers["purchase_order_id"] == po.pk


def test_stock_cover_gives_the_reorder_point_in_days_of_cover(store, wings):
    """The chart's figures: 40 pcs on hand at 20 a day = 2.0 days left; reorder point 40 pcs / 20 a day =
    2.0 days; pieces are bought as pieces."""
    (row,) = stock.cover(store, at(TODAY, 10))
    assert (row["days_left"], row["reorder_point_days"], row["lead_time"]) == (
        Decimal("2.0"),
        Decimal("2.0"),
        2,
    )
    assert (row["buying_unit"], row["buying_unit_size"]) == ("pcs", Decimal("1"))


def test_one_draft_per_supplier_updated_in_place_and_never_counted_as_on_order(store, wings):
    from django.test import Client
    from rest_framework.test import APIClient

    run_analysis(store=store, job="low_stock", now=at(TODAY, 10))
    po = PurchaseOrder.objects.get()
    # A longer review period: par = (2 + 12) days × 20 = 280; 280 − 40 on hand = 240 = 12 packs of 20.
    # The draft's 200 are not on order (nothing was sent), so they do not shrink the proposal.
    inventory.ingredient_update(ingredient=wings, review_period_days=12)
    run_analysis(store=store, job="low_stock", now=at(TODAY, 11))
    assert list(PurchaseOrder.objects.values_list("pk", "status")) == [(po.pk, "draft")]  # same draft
    assert list(po.lines.values_list("quantity", flat=True)) == [Decimal("240.000")]
    insight = Insight.objects.get(kind="low_stock", state="new")
    assert insight.numbers["purchase_order_id"] == po.pk and insight.numbers["on_order"] == "0"
    assert "Draft purchase order: 240.000 pcs from Cheap Farm" in insight.message  # never "0"
    # Delivery in 2 days (Wed 1 Apr) against the run-out in 2 days at 20 a day (Wed 10:00 or so).
    assert insight.numbers["delivery_on"] == "2026-04-01"

    # The card lists the draft's lines in packs; the button sends that PO (page and API alike).
    owner = UserFactory()
    MembershipFactory(user=owner, store=store, role="owner")
    page = Client()
    page.force_login(owner)
    feed = page.get(f"/dashboard/{store.slug}/insights/feed/").content.decode()
    assert f"Purchase order PO-{po.pk} to Cheap Farm" in feed
    assert "12 × 20 pcs" in feed and "120.00" in feed  # 240 pcs × 0.50
    assert "Approve and send to Cheap Farm (120.00)" in feed
    api = APIClient()
    api.force_authenticate(owner)
    shown = api.get(f"/api/v1/analytics/insights/{insight.pk}/").json()["proposal"]
    assert (shown["id"], shown["total"], shown["lines"][0]["packs"]) == (po.pk, "120.00", "12.000")
    acted = api.post(f"/api/v1/analytics/insights/{insight.pk}/act/", {"action": "send_po"}, format="json")
    assert acted.status_code == 200
    po.refresh_from_db()
    assert po.status == "sent" and acted.json()["action_detail"]["lines"][0]["quantity"] == "240.000"

    # Sent, it is on order: the next check proposes nothing more and says what is on order.
    run_analysis(store=store, job="low_stock", now=at(TODAY, 12))
    assert PurchaseOrder.objects.count() == 1
    again = Insight.objects.get(kind="low_stock", state="new")
    assert again.message_key == "low_stock_on_order" and "240.000 pcs already on order" in again.message


def test_a_suggested_draft_no_longer_needed_is_withdrawn(store, wings):
    run_analysis(store=store, job="low_stock", now=at(TODAY, 10))
    inventory.stock_movement_record(
        store=store,
        ingredient=wings,
        kind="receipt",
        quantity=Decimal("500"),
        reason="found",
        unit_cost=Decimal("0.50"),
    )
    run_analysis(store=store, job="low_stock", now=at(TODAY, 11))
    assert PurchaseOrder.objects.get().status == "cancelled"
    assert Insight.objects.get(kind="low_stock").state == "resolved"


def test_auto_order_sends_and_the_alert_resolves_when_stock_is_back(store, wings, mailoutbox_backend):
    inventory.ingredient_update(ingredient=wings, auto_order=True)
    run_analysis(store=store, job="low_stock", now=at(TODAY, 10))
    assert PurchaseOrder.objects.get().status == "sent"
    inventory.stock_movement_record(
        store=store,
        ingredient=wings,
        kind="receipt",
        quantity=Decimal("200"),
        reason="delivery",
        unit_cost=Decimal("0.50"),
    )
    run_analysis(store=store, job="low_stock", now=at(TODAY, 11))
    assert Insight.objects.get(kind="low_stock").state == "resolved"


def test_an_ingredient_without_a_supplier_is_flagged(store):
    ingredient = IngredientFactory(store=store, name="Saffron", base_unit="g", min_quantity=Decimal("5"))
    run_analysis(store=store, job="low_stock", now=at(TODAY, 10))
    insight = Insight.objects.get(kind="low_stock")
    assert insight.message_key == "low_stock_no_supplier" and insight.subject == f"ingredient:{ingredient.pk}"
    assert PurchaseOrder.objects.count() == 0


def test_a_receipt_line_up_12_percent_is_high_and_one_up_3_percent_is_nothing(store):
    """The thresholds on a receipt's lines (the goods_received event reaching this check is tested in
    tests/analytics/test_realtime.py and tests/connections/test_outbox.py)."""
    from analytics.analyses.prices import check_receipt

    lines = [
        {
            "ingredient_id": 1,
            "ingredient_name": "Wings",
            "quantity": Decimal("10"),
            "unit_cost": Decimal("0.56"),
            "previous_unit_cost": Decimal("0.50"),
        },  # +12%: high
        {
            "ingredient_id": 2,
            "ingredient_name": "Flour",
            "quantity": Decimal("10"),
            "unit_cost": Decimal("1.03"),
            "previous_unit_cost": Decimal("1.00"),
        },
    ]  # +3%: nothing
    (alert,) = check_receipt(store=store, lines=lines)
    assert (alert.severity, alert.numbers["change_pct"], alert.job_run.job) == (
        "high",
        "+12.0",
        "price_change",
    )


def test_price_change_alert_names_the_base_unit(store):
    from analytics.analyses.prices import check_receipt

    flour = IngredientFactory(store=store, name="Flour", base_unit="g")
    (alert,) = check_receipt(
        store=store,
        lines=[
            {
                "ingredient_id": flour.pk,
                "ingredient_name": "Flour",
                "quantity": Decimal("1000"),
                "unit_cost": Decimal("0.006"),
                "previous_unit_cost": Decimal("0.005"),
            }
        ],
    )
    assert alert.numbers["unit"] == "g"  # stored per base unit
    assert "now costs 6.00 per kg" in alert.message  # read per kg: 0.006 per g × 1000


def _burger(store, *, lead_time_days, pack="1", price="0.01", ingredient_name="Patty", unit="pcs"):
    """A Burger whose recipe takes 1 pcs of a bun; an ingredient sold by one supplier."""
    ingredient = IngredientFactory(store=store, name=ingredient_name, base_unit=unit)
    supplier = SupplierFactory(store=store, name=f"{ingredient_name} supplier", lead_time_days=lead_time_days)
    si = inventory.supplier_item_upsert(supplier=supplier, ingredient=ingredient, pack_size=Decimal(pack))
    inventory.supplier_price_add(
        supplier_item=si, price=Decimal(price), effective_from=TODAY - dt.timedelta(days=60)
    )
    inventory.ingredient_update(ingredient=ingredient, preferred_supplier=supplier)
    return ingredient


def _burger_on_patties(store, *, opening: str):
    """A Burger of one patty (lead time 1 day), with `opening` patties received 20 days ago."""
    patty = _burger(store, lead_time_days=1)
    burger = MenuItemFactory(store=store, name="Burger")
    inventory.recipe_line_set(
        store=store, ingredient=patty, quantity=Decimal("1"), unit="pcs", menu_item=burger
    )
    inventory.stock_movement_record(
        store=store,
        ingredient=patty,
        kind="receipt",
        quantity=Decimal(opening),
        reason="opening",
        unit_cost=Decimal("1.00"),
        at=at(TODAY - dt.timedelta(days=20), 12),
    )
    return patty, burger


def _forecast(store, item, per_hour: dict[int, str]):
    DemandForecast.objects.bulk_create(
        [
            DemandForecast(store=store, menu_item=item, weekday=w, hour=h, quantity=Decimal(q))
            for w in range(7)
            for h, q in per_hour.items()
        ]
    )


def test_an_ingredient_only_modifiers_use_is_forecast_and_reordered_with_its_sigma(store, sell):
    from tests.factories import ModifierFactory, ModifierGroupFactory

    cheese = _burger(store, lead_time_days=2, pack="100", ingredient_name="Cheese", unit="g")
    burger = MenuItemFactory(store=store, name="Burger")
    bun = IngredientFactory(store=store, name="Bun", base_unit="pcs")
    inventory.recipe_line_set(
        store=store, ingredient=bun, quantity=Decimal("1"), unit="pcs", menu_item=burger
    )
    extras = ModifierGroupFactory(store=store)
    burger.modifier_groups.add(extras)
    extra_cheese = ModifierFactory(group=extras, name="Extra cheese")
    inventory.recipe_line_set(
        store=store, ingredient=cheese, quantity=Decimal("20"), unit="g", modifier=extra_cheese
    )
    for ingredient, quantity in ((cheese, "180"), (bun, "100")):
        inventory.stock_movement_record(
            store=store,
            ingredient=ingredient,
            kind="receipt",
            quantity=Decimal(quantity),
            reason="opening",
            unit_cost=Decimal("0.01"),
            at=at(TODAY - dt.timedelta(days=20), 12),
        )
    # two trading days: 3 of 4 burgers with extra cheese (60 g), then 1 of 4 (20 g)
    sell(store, [(burger, 3, [extra_cheese]), (burger, 1)], at(TODAY - dt.timedelta(days=7), 12))
    sell(store, [(burger, 1, [extra_cheese]), (burger, 3)], at(TODAY - dt.timedelta(days=1), 12))
    _forecast(store, burger, {19: "4"})
    row = next(r for r in stock.stock_status(store, at(TODAY, 10)) if r["ingredient"] == cheese)
    # 4 of 8 burgers took 20 g: 10 g a burger × 4 forecast = 40 g a day; σ of (60, 20) = √800 = 28.284
    assert (row["on_hand"], row["daily_usage"], row["sigma"], row["pace"]) == (
        Decimal("100.000"),
        Decimal("40.000"),
        Decimal("28.284"),
        Decimal("1.0000"),
    )
    # L = 2: today's 40 (nothing sold yet at 10:00) + tomorrow's 40 = 80; 1.65 × 28.284 × √2 = 66.000
    assert row["reorder_point"] == Decimal("146.000")
    # L + R = 9: 40 + 8 × 40 = 360; 1.65 × 28.2843 × 3 = 140.007
    assert row["par"] == Decimal("500.007")
    run_analysis(store=store, job="low_stock", now=at(TODAY, 10))
    # 500.007 − 100 on hand = 400.007 → 5 packs of 100 g
    po = PurchaseOrder.objects.get(supplier__name="Cheese supplier")
    assert list(po.lines.values_list("ingredient__name", "quantity")) == [("Cheese", Decimal("500.000"))]


def test_pace_compares_the_same_hours_on_both_sides_and_today_is_not_counted_twice(store, sell):
    patty, burger = _burger_on_patties(store, opening="50")
    sell(store, [(burger, 8)], at(TODAY - dt.timedelta(days=7), 12))
    sell(store, [(burger, 12)], at(TODAY - dt.timedelta(days=1), 12))
    _forecast(store, burger, {11: "2", 12: "2", 13: "2", 19: "4"})  # 10 a day
    for hour, minute in ((11, 15), (12, 30), (13, 10)):
        sell(store, [(burger, 3)], at(TODAY, hour, minute))
    (row,) = stock.stock_status(store, at(TODAY, 13, 30))
    # pace over the hours that have passed (to 13:00), on both sides: sold 6 against a forecast 2 + 2 = 4
    # → 1.5 (the 13:10 sale is in the running hour: counting it against 4 would give 2.25)
    assert (row["pace"], row["daily_usage"], row["sigma"]) == (
        Decimal("1.5000"),
        Decimal("15.000"),
        Decimal("2.828"),
    )
    # on hand 50 − 8 − 12 − 9 = 21; L = 1: the rest of today (half of 13:00's 2 + 19:00's 4 = 5) × 1.5 = 7.5,
    # + 1.65 × σ (√8 = 2.828427) × √1 = 4.666905 → 12.167
    assert (row["on_hand"], row["reorder_point"]) == (Decimal("21.000"), Decimal("12.167"))
    # L + R = 8: (5 + 7 × 10) × 1.5 = 112.5, + 1.65 × √8 × √8 = 13.2 → 125.700
    assert row["par"] == Decimal("125.700")
    assert row["days_left"] == Decimal("1.4")  # 21 / 15


def test_a_day_selling_exactly_on_forecast_has_pace_one_at_the_start_of_an_hour(store, sell):
    _patty, burger = _burger_on_patties(store, opening="50")
    _forecast(store, burger, {11: "2", 12: "2", 13: "2"})
    for hour, minute in ((11, 15), (12, 30), (13, 0)):
        sell(store, [(burger, 2)], at(TODAY, hour, minute))
    (row,) = stock.stock_status(store, at(TODAY, 13, 1))
    assert row["pace"] == Decimal("1.0000")  # 4 sold by 13:00 against 4 forecast (not 6 against 4)


def test_the_minimum_order_value_applies_to_the_whole_purchase_order(store):
    from inventory.models import SupplierItem

    supplier = SupplierFactory(store=store, name="Grocer", min_order_value=Decimal("100"))
    rows = []
    for name, per_day in (("Apples", "10"), ("Beans", "20")):
        ingredient = IngredientFactory(store=store, name=name, base_unit="pcs")
        si = SupplierItem.objects.create(supplier=supplier, ingredient=ingredient, pack_size=Decimal("10"))
        rows.append(
            {
                "ingredient": ingredient,
                "supplier_item": si,
                "unit_price": Decimal("1.00"),
                "on_hand": Decimal("0"),
                "on_order": Decimal("0"),
                "per_day": Decimal(per_day),
            }
        )
    apples, beans = rows
    # 70.00 + 40.00 = 110.00 ≥ 100: nothing added (a per-line minimum would have ordered 100 of each)
    apples["par"], beans["par"] = Decimal("70"), Decimal("40")
    assert stock.order_quantities(rows) == {
        apples["ingredient"].pk: Decimal("70.000"),
        beans["ingredient"].pk: Decimal("40.000"),
    }
    # 30.00 + 40.00 = 70.00: three packs of 10.00 go where cover is shortest — beans (40/20 = 2 days) twice
    # (→ 2.5, → 3.0 days), then apples (30/10 = 3.0 days, tied with beans: A before B)
    apples["par"], beans["par"] = Decimal("30"), Decimal("40")
    assert stock.order_quantities(rows) == {
        apples["ingredient"].pk: Decimal("40.000"),
        beans["ingredient"].pk: Decimal("60.000"),
    }


T_RECEIPT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_price_change_compares_with_the_last_receipt_from_any_supplier_and_a_first_receipt_is_never_high(
    store, run_outbox
):
    from inventory.models import SupplierItem

    oil = IngredientFactory(store=store, name="Oil", base_unit="ml")
    cheap, dear = SupplierFactory(store=store, name="Cheap"), SupplierFactory(store=store, name="Dear")
    for supplier in (cheap, dear):
        si = inventory.supplier_item_upsert(supplier=supplier, ingredient=oil, pack_size=Decimal("1000"))
        inventory.supplier_price_add(
            supplier_item=si, price=Decimal("0.0018"), effective_from=dt.date(2026, 1, 1)
        )
    assert SupplierItem.objects.count() == 2

    def receive(supplier, price):
        po = inventory.purchase_order_create_draft(
            store=store, supplier=supplier, lines=[{"ingredient": oil, "quantity": Decimal("1000")}]
        )
        inventory.purchase_order_send(purchase_order=po)
        inventory.purchase_order_receive(
            purchase_order=po,
            lines=[{"line": po.lines.get().pk, "quantity": Decimal("1000"), "unit_price": price}],
        )
        # the price check follows the receipt through the outbox; an hour apart, each is a leading edge
        receipts.append(T_RECEIPT + dt.timedelta(hours=len(receipts)))
        assert run_outbox(now=receipts[-1]) == 1
        run_outbox(now=receipts[-1])  # the notifications of an alert it opened (connections.tasks.notify)
        return Insight.objects.filter(kind="price_change").order_by("-updated_at").first()

    receipts: list = []

    first = receive(cheap, Decimal("0.0021"))
    # the first receipt: +16.7% against the list price 0.0018, a warning only (nothing was paid before)
    assert (first.message_key, first.severity, first.numbers["change_pct"]) == (
        "price_change_list",
        "warning",
        "+16.7",
    )
    second = receive(dear, Decimal("0.0024"))
    # against Cheap's receipt at 0.0021 (any supplier, per ml): +14.3%, high
    assert (
        second.message_key,
        second.severity,
        second.numbers["old_price"],
        second.numbers["change_pct"],
    ) == (
        "price_change",
        "high",
        "0.002100",
        "+14.3",
    )


def test_the_stock_page_flags_low_by_the_insights_reorder_point(store, wings, client):
    import re

    owner = UserFactory()
    MembershipFactory(user=owner, store=store, role="owner")
    client.force_login(owner)

    def row():
        html = client.get(f"/inventory/{store.slug}/").content.decode()
        return re.search(
            rf'<tr data-ingredient="{wings.pk}" data-reorder-at="([^"]*)" data-low="(\d)"', html
        ).groups()

    # before any check: the manual minimum (0) is all the page knows, so 40 on hand is not low
    assert row() == ("0.000", "0")
    run_analysis(store=store, job="low_stock", now=at(TODAY, 10))
    insight = Insight.objects.get(store=store, kind="low_stock")
    # the check: reorder point 2 days' lead × 20 a day = 40, on hand 40 ≤ 40 → low; the page says the same
    assert (insight.numbers["reorder_point"], insight.numbers["on_hand"]) == ("40.000", "40.000")
    assert row() == ("40.000", "1")

    inventory.stock_movement_record(
        store=store, ingredient=wings, kind="receipt", quantity=Decimal("20"), reason="delivery",
        unit_cost=Decimal("0.50"),
    )  # fmt: skip
    assert row() == ("40.000", "0")  # 60 on hand > 40: the page at once, by the same reorder point
    run_analysis(store=store, job="low_stock", now=at(TODAY, 10, 5))
    insight.refresh_from_db()
    assert insight.state == "resolved"  # and the check agrees


def test_usage_history_takes_each_days_recipe_and_the_forecast_todays(store, sell):
    patty, burger = _burger_on_patties(store, opening="100")
    sell(store, [(burger, 4)], at(TODAY - dt.timedelta(days=7), 12))  # single patty then: 4 pcs
    inventory.recipe_line_set(
        store=store,
        ingredient=patty,
        quantity=Decimal("2"),
        unit="pcs",
        menu_item=burger,
        valid_from=TODAY - dt.timedelta(days=3),  # a double patty from Friday
    )
    sell(store, [(burger, 4)], at(TODAY - dt.timedelta(days=1), 12))  # double: 8 pcs
    _forecast(store, burger, {19: "5"})
    (row,) = stock.stock_status(store, at(TODAY, 10))
    # daily usage = 5 burgers × 2 pcs (today's recipe) = 10 (the old recipe would give 5); σ of (4, 8):
    # mean 6, ((4 − 6)² + (8 − 6)²) / 1 = 8, √8 = 2.828 (costing both days by today's recipe: σ 0)
    assert (row["on_hand"], row["daily_usage"], row["sigma"], row["pace"]) == (
        Decimal("88.000"),  # 100 − 4 − 8
        Decimal("10.000"),
        Decimal("2.828"),
        Decimal("1.0000"),
    )
    # L = 1: the rest of today (19:00's 10) + 1.65 × 2.828427 × √1 = 4.666905 → 14.667
    assert row["reorder_point"] == Decimal("14.667")
    # L + R = 8: 10 + 7 × 10 = 80, + 1.65 × √8 × √8 = 13.2 → 93.200
    assert row["par"] == Decimal("93.200")


def test_a_stock_lasting_beyond_ten_years_has_no_run_out_date(store, wings):
    inventory.stock_movement_record(
        store=store,
        ingredient=wings,
        kind="receipt",
        quantity=Decimal("100000000"),
        reason="a warehouse",
        unit_cost=Decimal("0.50"),
    )
    (row,) = stock.stock_status(store, at(TODAY, 10))
    # (40 + 100,000,000) pcs at 20 a day = 5,000,002 days: past year 9999, so no date at all
    assert (row["days_left"], row["runs_out_at"]) == (Decimal("5000002.0"), None)
