"""Analytics turns the customers' figures into insights: a churn warning, and a complaint spike with
its likely cause; acting on it is measured by the category's complaint rate. Numbers worked by hand."""

import datetime as dt
from decimal import Decimal

import pytest

from analytics import evaluation, services
from analytics.analyses.customers import run_customer_insights
from analytics.models import Insight
from customers import services as customer_services
from customers.models import ChurnRate, Feedback
from orders.models import Check
from tests.staffing.factories import PositionFactory

SUNDAY = dt.date(2026, 6, 28)  # the week Mon 22 – Sun 28 June is "this week"


def _at(store, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=store.tz)


def _complaint(store, when, tags, facts=None) -> Feedback:
    feedback = customer_services.complaint_log(store=store, tags=tags, occurred_at=when)
    return customer_services.feedback_record_facts(feedback=feedback, facts=facts or {})


def _slow_facts(minutes: int, short: bool, cook_id: int | None = None) -> dict:
    return {
        "ticket": {"station": "Grill", "minutes": f"{minutes}.0", "target": 10, "over_target": minutes > 10},
        "staffing": {
            "hour": "",
            "planned": True,
            "short": [{"position": "Cook", "position_id": cook_id, "needed": 3, "scheduled": 2, "missing": 1}]
            if short
            else [],
        },
    }


@pytest.fixture
def spike(store):
    cook = PositionFactory(store=store, name="Cook", load_kind="kitchen_items")
    friday, saturday = dt.date(2026, 6, 26), dt.date(2026, 6, 27)
    # This week: 4 slow-service complaints on Friday 18–20 (tickets 14, 16, 12, 18 min, a cook short)
    # and one on Saturday lunch (8 min, fully staffed).
    for (hour, minute), minutes in zip(
        [(18, 10), (18, 40), (19, 5), (19, 30)], [14, 16, 12, 18], strict=True
    ):
        _complaint(
            store,
            _at(store, friday, hour, minute),
            ["slow"],
            _slow_facts(minutes, short=True, cook_id=cook.pk),
        )
    _complaint(store, _at(store, saturday, 13), ["slow"], _slow_facts(8, short=False))
    # The 4 weeks before: 1, 0, 2, 1 slow-service complaints.
    for day in (dt.date(2026, 6, 19), dt.date(2026, 6, 3), dt.date(2026, 6, 4), dt.date(2026, 5, 29)):
        _complaint(store, _at(store, day, 12), ["slow"])
    # Cold food: 2 this week, none before: fewer than 4, no spike.
    for day in (friday, saturday):
        _complaint(store, _at(store, day, 20), ["cold"])
    return store


def test_a_slow_service_spike_names_when_the_tickets_and_the_cook_short(spike):
    store = spike
    result = run_customer_insights(store=store, now=_at(store, SUNDAY, 22))
    assert result == {"churn_warning": False, "complaint_spikes": 1}
    insight = Insight.objects.get(store=store, kind="complaints")
    # 5 this week against a baseline of (1 + 0 + 2 + 1) / 4 = 1.00 a week: 5 ≥ 2 × 1.00 and ≥ 4.
    # 4 of 5 fall on Friday 18:00–20:00. Tickets (14 + 16 + 12 + 18 + 8) / 5 = 68 / 5 = 13.6 min
    # against 10. Four came in hours one cook short. 5 ≥ 3 × 1.00: high severity.
    assert insight.subject == "tag:slow" and insight.severity == "high"
    assert insight.message_key == "complaint_spike_tickets_staffing"
    n = insight.numbers
    assert (n["count"], n["baseline"], n["when"], n["in_window"]) == (5, "1.00", "Fri 18–20", 4)
    assert (n["ticket_minutes"], n["target_minutes"], n["short"], n["short_by"]) == ("13.6", 10, "Cook", 1)
    assert (insight.metric, insight.window_days) == ("complaint_rate", 14)
    # The one-click fix: one more cook next Friday (3 July) 18:00–20:00, applied through staffing.
    suggestion = n["suggestion"]
    assert (suggestion["kind"], suggestion["position_name"], suggestion["count"]) == ("gap", "Cook", 1)
    assert (suggestion["start"], suggestion["end"]) == (
        "2026-07-03T18:00:00+02:00",
        "2026-07-03T20:00:00+02:00",
    )
    # Running again changes nothing: one open insight per store, kind and subject.
    run_customer_insights(store=store, now=_at(store, SUNDAY, 23))
    assert Insight.objects.filter(store=store, kind="complaints").count() == 1


def test_acting_on_the_spike_is_measured_by_the_category_complaint_rate(spike):
    store = spike
    run_customer_insights(store=store, now=_at(store, SUNDAY, 22))
    insight = Insight.objects.get(store=store, kind="complaints")
    for n in range(30):  # 20 settled checks this week, 10 the week before
        day = SUNDAY - dt.timedelta(days=n % 7 + (7 if n >= 20 else 0))
        Check.objects.create(store=store, business_date=day, status=Check.Status.CLOSED)
    services.insight_act(
        insight=insight, action="done", note="A runner at the rush", now=_at(store, dt.date(2026, 6, 29), 10)
    )
    insight.refresh_from_db()
    # The 14 days before acting: 15–28 June: slow complaints 5 (this week) + 1 (19 June) = 6, on
    # 20 + 10 = 30 settled checks: 6 / 30 = 0.2000.
    assert insight.metric_before == Decimal("0.2000")
    # Measured for the cold-food category alone over the same days: 2 / 30 = 0.0667.
    insight.subject = "tag:cold"
    start = _at(store, dt.date(2026, 6, 15), 10)
    assert evaluation.measure(insight, start, _at(store, dt.date(2026, 6, 29), 10)) == Decimal("0.0667")


def test_a_churn_warning_when_the_last_month_rises_above_its_band(store):
    rates = ["0.10", "0.12", "0.11", "0.13", "0.09", "0.11", "0.16"]
    for month, rate in enumerate(rates, start=1):
        ChurnRate.objects.create(
            store=store, month=dt.date(2026, month, 1), base=50, churned=0, rate=Decimal(rate)
        )
    run_customer_insights(store=store, now=_at(store, dt.date(2026, 8, 2), 12))
    insight = Insight.objects.get(store=store, kind="churn")
    # Band of Jan–Jun: mean 0.11 + 2 × sd 0.014142 = 0.1383 → "13.8"; July 0.16 → "16.0" is above it.
    assert insight.subject == "month:2026-07"
    assert (insight.numbers["rate_pct"], insight.numbers["band_pct"], insight.numbers["customers"]) == (
        "16.0",
        "13.8",
        50,
    )
    assert insight.metric == "churn_rate"
    ChurnRate.objects.filter(store=store, month=dt.date(2026, 7, 1)).update(rate=Decimal("0.12"))
    run_customer_insights(store=store, now=_at(store, dt.date(2026, 8, 2), 13))
    insight.refresh_from_db()
    assert insight.state == "resolved"  # the condition no longer holds


def test_a_slow_spike_offers_prep_ahead_and_the_click_adds_the_prep_task(client, shop):
    from django.urls import reverse

    from kitchen import services as kitchen_services
    from kitchen.models import PrepTask
    from orders.services import LineRequest, order_place, payment_take
    from restaurant_ops.models import Role
    from tests.factories import MembershipFactory

    store = shop.store
    kitchen_services.kitchen_item_set(menu_item=shop.burger, prep_ahead=True)
    friday = dt.date(2026, 6, 26)
    for hour, minute in [(18, 10), (18, 40), (19, 5), (19, 30)]:
        placed = _at(store, friday, hour, minute)
        order = order_place(
            store=store,
            channel="till",
            placed_at=placed,
            lines=[
                LineRequest(item_id=shop.burger.pk, quantity=2),
                LineRequest(item_id=shop.soda.pk, quantity=1),
            ],
        )
        check = order.guest_check
        check.refresh_from_db()
        payment_take(guest_check=check, method="card", amount=check.total)
        customer_services.complaint_log(
            store=store, guest_check=check, tags=["slow"], occurred_at=placed + dt.timedelta(minutes=40)
        )
    run_customer_insights(store=store, now=_at(store, SUNDAY, 22))
    insight = Insight.objects.get(store=store, kind="complaints")
    # 4 complaints this week, none before: a spike. The prepared-ahead dish on those checks is the
    # burger; 4 orders × 2 = 8 sold on Friday 18:00–20:00, to be ready by next Friday 17:30.
    assert insight.numbers["prep"] == {
        "item_id": shop.burger.pk,
        "item": "Burger",
        "quantity": 8,
        "ready_by": "2026-07-03T17:30:00+02:00",
    }
    client.force_login(MembershipFactory(store=store, role=Role.OWNER).user)
    client.post(
        reverse("dashboard:insight-action", args=[store.slug, insight.pk, "add-prep"]), {"quantity": "8"}
    )
    task = PrepTask.objects.get(store=store)
    assert (task.menu_item, task.quantity, task.ready_by) == (
        shop.burger,
        Decimal("8.0"),
        _at(store, dt.date(2026, 7, 3), 17, 30),
    )
    insight.refresh_from_db()
    assert (insight.state, insight.action_type, insight.action_object_id) == (
        "acted",
        "prep_added",
        str(task.pk),
    )


def test_a_dish_quality_spike_pauses_the_dish_in_one_click(client, store):
    from django.urls import reverse

    from restaurant_ops.models import Role
    from tests.factories import MembershipFactory, MenuItemFactory

    soup, salad = MenuItemFactory(store=store, name="Soup"), MenuItemFactory(store=store, name="Salad")
    for day, item in [(22, soup), (23, soup), (24, soup), (25, salad)]:
        customer_services.complaint_log(
            store=store,
            tags=["dish"],
            menu_item_id=item.pk,
            occurred_at=_at(store, dt.date(2026, 6, day), 13),
        )
    run_customer_insights(store=store, now=_at(store, SUNDAY, 22))
    insight = Insight.objects.get(store=store, kind="complaints", subject="tag:dish")
    assert insight.numbers["dish"] == {"item_id": soup.pk, "item": "Soup"}  # 3 of the 4 are about the soup
    client.force_login(MembershipFactory(store=store, role=Role.MANAGER).user)
    client.post(reverse("dashboard:insight-action", args=[store.slug, insight.pk, "pause-dish"]))
    soup.refresh_from_db()
    insight.refresh_from_db()
    assert soup.sold_out_manual and (insight.state, insight.action_type) == ("acted", "dish_paused")


def test_the_customers_job_computes_the_figures_as_of_its_own_day_once(store):
    from analytics.registry import run_analysis
    from customers.models import CustomerScore

    from .factories import CustomerFactory, visit

    ana = CustomerFactory(store=store)
    for day in (1, 11, 21):
        visit(ana, dt.date(2026, 6, day), "60")
    # As of 20 July (no figures stored yet): gap 10, recency 29 → churn risk 2.90, at risk;
    # value 180/6 × 2.90/4 = 30 × 0.725 = 21.75. Churn rates for the 12 months before July.
    run_analysis(store=store, job="customers", now=_at(store, dt.date(2026, 7, 20), 9))
    score = CustomerScore.objects.get(customer=ana)
    assert (score.as_of, score.churn_risk, score.value_at_risk, score.segment) == (
        dt.date(2026, 7, 20),
        Decimal("2.90"),
        Decimal("21.75"),
        "at_risk",
    )
    months = list(ChurnRate.objects.filter(store=store).values_list("month", flat=True))
    assert (months[0], months[-1], len(months)) == (dt.date(2025, 7, 1), dt.date(2026, 6, 1), 12)
    # The same day again (the 5-minute runs): the figures are already of that day, nothing recomputed.
    computed = ChurnRate.objects.get(store=store, month=dt.date(2026, 6, 1)).computed_at
    run_analysis(store=store, job="customers", now=_at(store, dt.date(2026, 7, 20), 21))
    assert ChurnRate.objects.get(store=store, month=dt.date(2026, 6, 1)).computed_at == computed
    # As of an earlier moment (a what-if, or an imported history): figures of that day. On 25 June:
    # recency 4, risk 0.40, value 30 × 0.10 = 3.00; the months from June on are not complete then.
    run_analysis(store=store, job="customers", now=_at(store, dt.date(2026, 6, 25), 9))
    score.refresh_from_db()
    assert (score.as_of, score.churn_risk, score.value_at_risk, score.segment) == (
        dt.date(2026, 6, 25),
        Decimal("0.40"),
        Decimal("3.00"),
        "vip",
    )
    assert ChurnRate.objects.filter(store=store).latest("month").month == dt.date(2026, 5, 1)
