"""Prep tasks for the next service window and busy-hour staffing, written through the kitchen and
staffing services, on hand-computed forecasts."""

import datetime as dt
from decimal import Decimal

import pytest

from analytics.models import DemandForecast, Insight
from analytics.registry import run_analysis
from kitchen import services as kitchen
from kitchen.models import PrepTask
from restaurant_ops.models import OpeningHours
from staffing.models import StaffingRequirement
from tests.analytics.conftest import at
from tests.factories import DaypartFactory, MenuItemFactory
from tests.staffing.factories import PositionFactory

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2026, 3, 30)


def forecast(store, item, hours: dict, weekday=0):
    DemandForecast.objects.bulk_create(
        [
            DemandForecast(store=store, menu_item=item, weekday=weekday, hour=h, quantity=Decimal(q))
            for h, q in hours.items()
        ]
    )


def test_prep_for_the_next_daypart_minus_what_is_prepared(store):
    DaypartFactory(store=store, name="lunch", starts=dt.time(11), ends=dt.time(15))
    DaypartFactory(store=store, name="dinner", starts=dt.time(17), ends=dt.time(22))
    wings = MenuItemFactory(store=store, name="Wings")
    salad = MenuItemFactory(store=store, name="Salad")
    kitchen.kitchen_item_set(menu_item=wings, prep_ahead=True)
    forecast(store, wings, {12: "9", 17: "4.5", 19: "6", 22: "10"})  # dinner hours 17–21: 10.5
    forecast(store, salad, {17: "8"})  # not prepared ahead
    ready_by = at(MONDAY, 17)
    done = kitchen.prep_task_create(
        store=store, menu_item=wings, quantity=Decimal("3"), ready_by=ready_by, source="forecast"
    )
    kitchen.prep_task_done(task=done)
    for _ in range(2):
        run_analysis(store=store, job="prep", now=at(MONDAY, 14))
    task = PrepTask.objects.get(done=False)
    assert (task.menu_item, task.quantity, task.ready_by) == (
        wings,
        Decimal("8.0"),
        ready_by,
    )  # ⌈10.5 − 3⌉


def _lines(insight):
    """A staffing card's suggested shifts as (start, end, count), store time."""
    return [
        (dt.datetime.fromisoformat(d["start"]), dt.datetime.fromisoformat(d["end"]), d["count"])
        for d in insight.numbers["suggestions"]
    ]


def test_staffing_requirements_and_one_card_per_day_and_position_without_marginal_gaps(store):
    from staffing.models import StaffingTarget

    OpeningHours.objects.create(store=store, weekday=0, opens=dt.time(11), closes=dt.time(23))
    cashier = PositionFactory(
        store=store, name="cashier", productivity_target=Decimal("10"), min_staff_per_open_hour=1
    )
    forecast(store, None, {18: "25", 19: "8"})
    run_analysis(store=store, job="staffing", now=at(MONDAY, 10))
    rows = {r.hour_start: r.needed_staff for r in StaffingRequirement.objects.filter(position=cashier)}
    next_monday = MONDAY + dt.timedelta(days=7)
    assert len(rows) == 12  # open 11:00–23:00, no load elsewhere
    assert rows[at(next_monday, 18)] == 3  # ⌈25 / 10⌉
    assert rows[at(next_monday, 19)] == 1  # max(1, ⌈0.8⌉)
    # One more cashier 11–23 (12 h) is cut after the longest shift (8 h): 11–19 and 19–23; two more at
    # 18–19 is a one-hour shift each, within the default tolerance (1 h): not on the card.
    card = Insight.objects.get(kind="staffing")
    assert card.subject == f"gap:{cashier.pk}:{next_monday.isoformat()}"
    assert _lines(card) == [
        (at(next_monday, 11), at(next_monday, 19), 1),
        (at(next_monday, 19), at(next_monday, 23), 1),
    ]
    # 8 h + 4 h = 12 person-hours; the busiest hour is 18:00 (25 orders, nobody scheduled: capacity 0)
    assert card.message == (
        "Mon 11:00–19:00, 19:00–23:00: cashier short by 12 person-hours (shifts to add: 2) — "
        "forecast load up to 25.0/h, capacity 0.00."
    )

    StaffingTarget.objects.create(store=store, gap_tolerance_hours=0)  # every gap shown
    run_analysis(store=store, job="staffing", now=at(MONDAY, 10))
    card = Insight.objects.get(kind="staffing", state__in=Insight.OPEN_STATES)
    assert _lines(card) == [
        (at(next_monday, 11), at(next_monday, 19), 1),
        (at(next_monday, 18), at(next_monday, 19), 2),
        (at(next_monday, 19), at(next_monday, 23), 1),
    ]
    assert (card.numbers["count"], card.numbers["person_hours"]) == ("4", "14")  # 8 + 2 × 1 + 4


def test_a_staffing_card_carries_the_shifts_that_apply_it(store):
    from analytics.services import insight_act
    from staffing.models import Shift
    from staffing.services import staff_member_create

    OpeningHours.objects.create(store=store, weekday=0, opens=dt.time(11), closes=dt.time(23))
    cashier = PositionFactory(
        store=store, name="cashier", productivity_target=Decimal("10"), min_staff_per_open_hour=0
    )
    forecast(store, None, {18: "15", 19: "15"})  # ⌈15 / 10⌉ = 2 cashiers 18–20
    run_analysis(store=store, job="staffing", now=at(MONDAY, 10))
    insight = Insight.objects.get(kind="staffing")
    next_monday = MONDAY + dt.timedelta(days=7)
    assert _lines(insight) == [(at(next_monday, 18), at(next_monday, 20), 2)]
    ana, bo = (
        staff_member_create(store=store, name=n, hourly_cost=Decimal("20"), positions=[cashier])
        for n in ("Ana", "Bo")
    )
    insight_act(insight=insight, action="apply_staffing", staff_ids=[ana.pk, bo.pk])
    shifts = list(
        Shift.objects.order_by("staff__name").values_list("staff__name", "start", "end", "position")
    )
    assert shifts == [
        ("Ana", at(next_monday, 18), at(next_monday, 20), cashier.pk),
        ("Bo", at(next_monday, 18), at(next_monday, 20), cashier.pk),
    ]
    insight.refresh_from_db()
    assert insight.action_detail["staff"] == "Ana, Bo" and len(insight.action_detail["shifts"]) == 2


def test_a_suggested_shift_is_clipped_to_opening_hours_and_none_is_suggested_outside_them(store):
    from staffing.selectors import StaffingSuggestion, staffing_suggestions
    from staffing.services import staff_member_create, suggestion_apply

    OpeningHours.objects.create(store=store, weekday=0, opens=dt.time(11), closes=dt.time(21, 30))
    cashier = PositionFactory(
        store=store, name="cashier", productivity_target=Decimal("10"), min_staff_per_open_hour=0
    )
    # Load before opening (06–08, nothing at 08) and 09–22: one cashier each of those hours.
    forecast(store, None, {h: "5" for h in (6, 7, *range(9, 23))})
    run_analysis(store=store, job="staffing", now=at(MONDAY, 10))
    next_monday = MONDAY + dt.timedelta(days=7)
    found = [(s.start, s.end) for s in staffing_suggestions(store=store, week_start=next_monday)]
    # 06–08 is wholly outside opening hours: no suggestion. 09–17 and 17–23 (cut after 8 h) are
    # clipped to 11:00–21:30: 11–17 and 17–21:30.
    assert found == [
        (at(next_monday, 11), at(next_monday, 17)),
        (at(next_monday, 17), at(next_monday, 21, 30)),
    ]
    card = Insight.objects.get(kind="staffing")
    assert (
        "Mon 11:00–17:00, 17:00–21:30" in card.message and card.numbers["person_hours"] == "10.5"
    )  # 6 + 4.5
    # No reason given: the shift passes the opening-hours rule as it is.
    ana = staff_member_create(store=store, name="Ana", hourly_cost=Decimal("20"), positions=[cashier])
    late = StaffingSuggestion.from_dict(card.numbers["suggestions"][1])
    shift = suggestion_apply(suggestion=late, staff=ana)
    assert (shift.start, shift.end, shift.minutes) == (at(next_monday, 17), at(next_monday, 21, 30), 270)


@pytest.mark.parametrize(
    ("now", "week_start", "hours"),
    [
        (
            dt.datetime(2026, 3, 18, 10, tzinfo=dt.UTC),
            dt.date(2026, 3, 23),
            167,
        ),  # clocks go forward on the 29th
        (dt.datetime(2026, 10, 14, 10, tzinfo=dt.UTC), dt.date(2026, 10, 19), 169),  # and back on the 25th
    ],
)
def test_staffing_requirements_step_through_dst_weeks_in_utc(now, week_start, hours):
    from tests.factories import StoreFactory

    store = StoreFactory(time_zone="Europe/London")
    cashier = PositionFactory(store=store, name="cashier", productivity_target=Decimal("10"))
    DemandForecast.objects.bulk_create(
        [
            DemandForecast(store=store, menu_item=None, weekday=w, hour=h, quantity=Decimal("5"))
            for w in range(7)
            for h in range(24)
        ]
    )
    run_analysis(store=store, job="staffing", now=now)
    starts = list(StaffingRequirement.objects.filter(position=cashier).values_list("hour_start", flat=True))
    assert len(starts) == len(set(starts)) == hours
    assert min(starts) == dt.datetime.combine(week_start, dt.time(4), tzinfo=store.tz)  # the 04:00 cutoff


def test_a_merged_suggestion_never_spans_two_business_days_or_exceeds_the_longest_shift(store):
    from staffing.models import StaffingTarget

    store.business_day_cutoff = dt.time(0)
    store.save()
    StaffingTarget.objects.create(store=store, max_shift_hours=3)
    PositionFactory(store=store, name="cashier", productivity_target=Decimal("10"), min_staff_per_open_hour=0)
    forecast(store, None, {h: "5" for h in (18, 19, 20, 21, 22, 23)}, weekday=0)
    forecast(store, None, {0: "5", 1: "5"}, weekday=1)
    run_analysis(store=store, job="staffing", now=at(MONDAY, 10))
    next_monday = MONDAY + dt.timedelta(days=7)
    runs = sorted(
        (start, end) for i in Insight.objects.filter(kind="staffing") for start, end, _count in _lines(i)
    )
    # Monday 18:00–24:00 in two shifts of 3 h (the store's longest), Tuesday's 00:00–02:00 on its own
    tuesday = next_monday + dt.timedelta(days=1)
    assert runs == [
        (at(next_monday, 18), at(next_monday, 21)),
        (at(next_monday, 21), at(tuesday, 0)),
        (at(tuesday, 0), at(tuesday, 2)),
    ]


def test_labour_figures_today_from_elapsed_hours_none_without_a_schedule_and_forecast_for_future_days(
    store, sell
):
    from analytics.analyses import operations
    from staffing import services as staffing

    position = staffing.position_create(store=store, name="Cook")
    ana = staffing.staff_member_create(
        store=store, name="Ana", hourly_cost=Decimal("12.00"), positions=[position]
    )
    wednesday, friday = MONDAY + dt.timedelta(days=2), MONDAY + dt.timedelta(days=4)
    for day, end in ((MONDAY, 18), (wednesday, 18), (friday, 16)):  # Tuesday: nobody scheduled
        staffing.shift_create(
            store=store, staff=ana, position=position, start=at(day, 10), end=at(day, end), reason="test"
        )
    item = MenuItemFactory(store=store, price=Decimal("10.00"))
    sell(store, [(item, 24)], at(MONDAY, 12))
    sell(store, [(item, 10)], at(MONDAY + dt.timedelta(days=1), 12))
    sell(store, [(item, 8)], at(wednesday, 11))
    forecast(store, item, {12: "30"}, weekday=4)  # Friday: 30 × 10.00 = 300.00 forecast sales
    days = {d["day"]: d for d in operations.labour(store, MONDAY, now=at(wednesday, 14))}
    pick = ("labour_pct_of_sales", "labour_pct_of_forecast", "sales_per_labour_hour", "basis")

    def row(day):
        return tuple(days[day][k] for k in pick)

    # Monday: 8 h × 12.00 = 96.00 of 240.00 = 40.0%; 240 / 8 h = 30.00
    assert row(MONDAY)[0::2] == (Decimal("40.0"), Decimal("30.00"))
    assert row(MONDAY + dt.timedelta(days=1))[0::2] == (None, None)  # no schedule: "—"
    # Wednesday at 14:00: 4 of the 8 h worked, 48.00 of 80.00 sales so far = 60.0% (not 96 / 80 = 120%);
    # 80 / 4 h = 20.00
    assert row(wednesday) == (Decimal("60.0"), None, Decimal("20.00"), "so_far")
    # Friday: 6 h × 12.00 = 72.00 of 300.00 forecast = 24.0%; 300 / 6 h = 50.00 an hour
    assert row(friday) == (None, Decimal("24.0"), Decimal("50.00"), "forecast")


def test_one_more_person_for_a_load_barely_over_capacity_is_within_tolerance(store):
    from staffing import services as staffing
    from staffing.models import StaffingTarget

    OpeningHours.objects.create(store=store, weekday=0, opens=dt.time(11), closes=dt.time(23))
    cashier = PositionFactory(
        store=store, name="cashier", productivity_target=Decimal("10"), min_staff_per_open_hour=0
    )
    ana = staffing.staff_member_create(
        store=store, name="Ana", hourly_cost=Decimal("20"), positions=[cashier]
    )
    next_monday = MONDAY + dt.timedelta(days=7)
    staffing.shift_create(
        store=store, staff=ana, position=cashier, start=at(next_monday, 18), end=at(next_monday, 20)
    )
    forecast(store, None, {18: "10.4", 19: "10.4"})  # ⌈10.4 / 10⌉ = 2 needed, 1 scheduled: capacity 10
    run_analysis(store=store, job="staffing", now=at(MONDAY, 10))
    assert not Insight.objects.filter(kind="staffing").exists()  # 10.4 ≤ 10 × 1.05 = 10.5

    StaffingTarget.objects.create(store=store, gap_tolerance_pct=Decimal("3"))  # 10.4 > 10 × 1.03 = 10.3
    run_analysis(store=store, job="staffing", now=at(MONDAY, 10))
    card = Insight.objects.get(kind="staffing")
    assert _lines(card) == [(at(next_monday, 18), at(next_monday, 20), 1)]


def test_prep_reads_the_forecast_by_the_stores_local_hours():
    """The first test's menu in New York (UTC−4 on 30 March): dinner 17–22 local is 21:00–02:00 UTC,
    where the forecast has only 22:00's 10 — reading the cells by UTC hour would prep ⌈10 − 3⌉ = 7."""
    import zoneinfo

    from tests.factories import StoreFactory

    store = StoreFactory(time_zone="America/New_York")
    ny = zoneinfo.ZoneInfo("America/New_York")
    DaypartFactory(store=store, name="lunch", starts=dt.time(11), ends=dt.time(15))
    DaypartFactory(store=store, name="dinner", starts=dt.time(17), ends=dt.time(22))
    wings = MenuItemFactory(store=store, name="Wings")
    kitchen.kitchen_item_set(menu_item=wings, prep_ahead=True)
    forecast(store, wings, {12: "9", 17: "4.5", 19: "6", 22: "10"})  # dinner hours 17–21: 10.5
    ready_by = at(MONDAY, 17, tz=ny)
    done = kitchen.prep_task_create(
        store=store, menu_item=wings, quantity=Decimal("3"), ready_by=ready_by, source="forecast"
    )
    kitchen.prep_task_done(task=done)
    run_analysis(store=store, job="prep", now=at(MONDAY, 14, tz=ny))
    task = PrepTask.objects.get(done=False)
    assert (task.quantity, task.ready_by) == (Decimal("8.0"), ready_by)  # ⌈10.5 − 3⌉


def test_labour_figures_count_sales_and_shifts_by_the_stores_business_day(sell):
    """New York: Monday's late order at 23:30 local is 03:30 UTC on Tuesday (EDT), and Ana's shift
    17:00–23:00 local is 21:00–03:00 UTC — in UTC the sale would be Tuesday's."""
    import zoneinfo

    from analytics.analyses import operations
    from staffing import services as staffing
    from tests.factories import StoreFactory

    store = StoreFactory(time_zone="America/New_York", business_day_cutoff=dt.time(0))
    ny = zoneinfo.ZoneInfo("America/New_York")
    position = staffing.position_create(store=store, name="Cook")
    ana = staffing.staff_member_create(
        store=store, name="Ana", hourly_cost=Decimal("12.00"), positions=[position]
    )
    staffing.shift_create(
        store=store, staff=ana, position=position, start=at(MONDAY, 17, tz=ny), end=at(MONDAY, 23, tz=ny),
        reason="test",
    )  # fmt: skip
    item = MenuItemFactory(store=store, price=Decimal("10.00"))
    sell(store, [(item, 6)], at(MONDAY, 18, tz=ny))
    sell(store, [(item, 18)], at(MONDAY, 23, 30, tz=ny))
    days = {
        d["day"]: d
        for d in operations.labour(store, MONDAY, now=at(MONDAY + dt.timedelta(days=2), 14, tz=ny))
    }
    monday, tuesday = days[MONDAY], days[MONDAY + dt.timedelta(days=1)]
    # Monday: 6 h × 12.00 = 72.00 of 24 × 10.00 = 240.00 = 30.0 %; 240.00 / 6 h = 40.00 an hour
    assert (monday["sales"], monday["labour_pct_of_sales"], monday["sales_per_labour_hour"]) == (
        Decimal("240.00"),
        Decimal("30.0"),
        Decimal("40.00"),
    )
    assert (tuesday["sales"], tuesday["labour_pct_of_sales"]) == (Decimal("0.00"), None)


def test_forecast_sales_for_labour_price_the_forecast_at_the_last_four_weeks_price_with_modifiers(
    store, sell
):
    from analytics.analyses import operations
    from staffing import services as staffing
    from tests.factories import ModifierFactory, ModifierGroupFactory

    burger = MenuItemFactory(store=store, name="Burger", price=Decimal("10.00"))
    extras = ModifierGroupFactory(store=store)
    burger.modifier_groups.add(extras)
    cheese = ModifierFactory(group=extras, name="Cheese", price_delta=Decimal("2.00"))
    large = ModifierFactory(group=extras, name="Large", price_delta=Decimal("10.00"))
    # in the 4 weeks before the week (2–29 March): 2 with cheese (12.00), 2 plain (10.00): 44.00 / 4 = 11.00
    sell(store, [(burger, 2, [cheese]), (burger, 2)], at(dt.date(2026, 3, 16), 12))
    # before them (27 Feb): 4 large ones at 20.00 — inside the window they would make it 124 / 8 = 15.50
    sell(store, [(burger, 4, [large])], at(dt.date(2026, 2, 27), 12))
    friday = MONDAY + dt.timedelta(days=4)
    forecast(store, burger, {12: "30"}, weekday=4)
    position = staffing.position_create(store=store, name="Cook")
    ana = staffing.staff_member_create(
        store=store, name="Ana", hourly_cost=Decimal("12.00"), positions=[position]
    )
    staffing.shift_create(
        store=store, staff=ana, position=position, start=at(friday, 10), end=at(friday, 16), reason="test"
    )
    days = {d["day"]: d for d in operations.labour(store, MONDAY, now=at(MONDAY + dt.timedelta(days=2), 14))}
    row = days[friday]
    # 30 × 11.00 = 330.00 forecast (300.00 at the menu price, without the modifiers); 6 h × 12.00 = 72.00
    # → 72 / 330 = 21.8 %; 330.00 / 6 h = 55.00 an hour
    assert (row["forecast_sales"], row["labour_pct_of_forecast"], row["sales_per_labour_hour"]) == (
        Decimal("330.00"),
        Decimal("21.8"),
        Decimal("55.00"),
    )
