"""Analyses that write into the kitchen and staffing apps through their services: prep tasks for the
next service window, staffing requirements and suggestions for next week, and labour figures."""

import datetime as dt
from collections import defaultdict
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.utils import timezone

from kitchen import services as kitchen
from kitchen.models import KitchenItem, PrepTask
from restaurant_ops.models import Daypart, Store
from restaurant_ops.timeutils import business_date, business_day_bounds, is_open_at, local
from staffing import selectors as staffing_selectors
from staffing import services as staffing
from staffing.models import Position, StaffingTarget
from staffing.selectors import labour_figures, labour_so_far, needed_staff

from .. import selectors
from ..insights import Finding, insights_sync
from ..models import DemandForecast, Insight

ZERO = Decimal("0")
CENT = Decimal("0.01")


# --- Prep -------------------------------------------------------------------------------------------


def next_window(store: Store, now: dt.datetime) -> tuple[Daypart, dt.datetime, dt.datetime] | None:
    """The next daypart (the next service window) starting after `now`: (daypart, start, end)."""
    parts = list(Daypart.objects.filter(store=store))
    here = local(store, now)
    candidates = []
    for offset in (0, 1, 2):
        day = here.date() + dt.timedelta(days=offset)
        for part in parts:
            start = dt.datetime.combine(day, part.starts, tzinfo=store.tz)
            end_day = day if part.ends > part.starts else day + dt.timedelta(days=1)
            end = dt.datetime.combine(end_day, part.ends, tzinfo=store.tz)
            if start > now:
                candidates.append((start, end, part))
    if not candidates:
        return None
    start, end, part = min(candidates, key=lambda c: c[0])
    return part, start, end


def window_forecast(store: Store, start: dt.datetime, end: dt.datetime, item_ids=None) -> dict[int, Decimal]:
    """Forecast quantity per item over the clock hours of [start, end) (hours started inside it)."""
    weekday = business_date(store, start).weekday()
    hours = {local(store, moment).hour for moment in day_hours(store, start, end)}
    rows = DemandForecast.objects.filter(
        store=store, menu_item__isnull=False, weekday=weekday, hour__in=hours
    )
    if item_ids is not None:
        rows = rows.filter(menu_item_id__in=item_ids)
    return {
        r["menu_item_id"]: r["q"] for r in rows.values("menu_item_id").annotate(q=Sum("quantity")).order_by()
    }


def run_prep(*, store: Store, now: dt.datetime, job_run=None) -> dict:
    """Prep-ahead items: the forecast for the next service window minus what is already prepared for
    it, written as prep tasks (source "forecast") through kitchen's service; whole portions."""
    window = next_window(store, now)
    items = {
        k.menu_item_id: k.menu_item
        for k in KitchenItem.objects.filter(menu_item__store=store, prep_ahead=True).select_related(
            "menu_item"
        )
    }
    if window is None or not items:
        return {"tasks": 0}
    part, start, end = window
    forecast = window_forecast(store, start, end, item_ids=list(items))
    prepared = dict(
        PrepTask.objects.filter(store=store, ready_by=start, done=True, menu_item_id__in=list(items))
        .values("menu_item_id")
        .annotate(q=Sum("quantity"))
        .values_list("menu_item_id", "q")
        .order_by()
    )
    written = 0
    for item_id, expected in sorted(forecast.items()):
        quantity = (expected - (prepared.get(item_id) or ZERO)).to_integral_value(ROUND_CEILING)
        if quantity > 0:
            kitchen.prep_task_upsert(
                store=store,
                menu_item=items[item_id],
                quantity=quantity,
                ready_by=start,
                source=PrepTask.Source.FORECAST,
                note=str(part.get_name_display()),
            )
            written += 1
    return {"tasks": written, "window": start.isoformat(), "daypart": part.name}


# --- Staffing ---------------------------------------------------------------------------------------


def hourly_load(store: Store) -> dict[tuple[int, int], dict[str, Decimal]]:
    """(weekday, hour) → {"orders": forecast orders, "kitchen_items": forecast item quantity}."""
    out: dict = defaultdict(lambda: {"orders": ZERO, "kitchen_items": ZERO})
    for weekday, hour, is_orders, quantity in DemandForecast.objects.filter(store=store).values_list(
        "weekday", "hour", "menu_item_id", "quantity"
    ):
        out[(weekday, hour)]["orders" if is_orders is None else "kitchen_items"] += quantity
    return out


def day_hours(store: Store, start: dt.datetime, end: dt.datetime):
    """The hours of [start, end) stepped in UTC, so a spring-forward day has 23 and a fall-back day 25
    (adding an hour to a local time would skip or repeat one); each is labelled in store time by the
    caller (`local`)."""
    moment = start.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    while moment < end:
        yield moment
        moment += dt.timedelta(hours=1)


def week_hours(store: Store, week_start: dt.date):
    """Every hour of the week's business days as (business day, aware hour start in UTC): 167 in a
    spring-forward week, 169 in a fall-back week."""
    for offset in range(7):
        day = week_start + dt.timedelta(days=offset)
        for moment in day_hours(store, *business_day_bounds(store, day)):
            yield day, moment


def requirement_rows(store: Store, week_start: dt.date) -> list[dict]:
    """needed staff per position per hour = max(minimum, ceil(load / productivity target)), for hours
    the store is open or has forecast load."""
    positions = list(Position.objects.filter(store=store))
    load = hourly_load(store)
    store_with_hours = type(store).objects.prefetch_related("opening_hours").get(pk=store.pk)
    rows = []
    for day, hour_start in week_hours(store, week_start):
        cell = load.get(
            (day.weekday(), local(store, hour_start).hour), {"orders": ZERO, "kitchen_items": ZERO}
        )
        is_open = is_open_at(store_with_hours, hour_start)
        for position in positions:
            value = cell["orders"] if position.load_kind == "orders" else cell["kitchen_items"]
            if not is_open and value <= 0:
                continue
            rows.append(
                {
                    "position": position,
                    "hour_start": hour_start.astimezone(dt.UTC),
                    "needed_staff": needed_staff(position=position, load=value),
                    "forecast_load": value.quantize(CENT, ROUND_HALF_UP),
                }
            )
    return rows


def _barely_over(s, over_pct: Decimal) -> bool:
    """A gap of one person whose busiest hour's forecast load is at most `over_pct` % above what those
    scheduled then handle (not a gap set by the position's minimum, nor one with nobody scheduled)."""
    return (
        s.kind == "gap"
        and s.capacity is not None
        and s.capacity > 0
        and s.needed - s.scheduled == 1
        and s.peak_load <= s.capacity * (1 + over_pct / 100)
    )


def staffing_findings(store: Store, week_start: dt.date) -> list[Finding]:
    """One card per (kind, business day, position): the suggested shifts of that day for that position,
    each one person's shift (a suggestion for two people is two lines), so the card's button adds
    exactly the shifts it lists. A suggested shift within the store's tolerance is marginal: of at most
    `StaffingTarget.gap_tolerance_hours` (default 1 h), or one more person where the busiest hour's load
    is at most `gap_tolerance_pct` (default 5%) over the scheduled capacity. It is left off, and a day
    with only marginal shifts has no card."""
    target = StaffingTarget.objects.filter(store=store).first()
    tolerance = target.gap_tolerance_hours if target else StaffingTarget.DEFAULT_GAP_TOLERANCE_HOURS
    over_pct = target.gap_tolerance_pct if target else StaffingTarget.DEFAULT_GAP_TOLERANCE_PCT
    groups: dict[tuple, list] = defaultdict(list)
    for s in staffing_selectors.staffing_suggestions(store=store, week_start=week_start):
        if s.hours > tolerance and not _barely_over(s, over_pct):
            groups[(s.kind, business_date(store, s.start), s.position_id)].append(s)
    findings = []
    for (kind, day, position_id), suggestions in sorted(groups.items(), key=lambda g: (g[0][1], g[0][0])):
        suggestions.sort(key=lambda s: (s.start, s.end))
        first = local(store, suggestions[0].start)
        spans = ", ".join(
            f"{local(store, s.start):%H:%M}–{local(store, s.end):%H:%M}"
            + (f" ×{s.count}" if s.count > 1 else "")
            for s in suggestions
        )
        busiest = max(suggestions, key=lambda s: (s.peak_load, -s.start.timestamp()))
        person_hours = sum((s.hours * s.count for s in suggestions), Decimal("0"))
        findings.append(
            Finding(
                kind=Insight.Kind.STAFFING,
                subject=f"{kind}:{position_id}:{day.isoformat()}",
                message_key=f"staffing_{kind}_day",
                severity=Insight.Severity.WARNING if kind == "gap" else Insight.Severity.INFO,
                numbers={
                    "kind": kind,
                    "day": day.isoformat(),
                    "position_id": position_id,
                    # what the one-click apply hands back to staffing: one entry per suggestion
                    "suggestions": [s.as_dict() for s in suggestions],
                    "when": f"{first:%a} {spans}",
                    "position": busiest.position_name,
                    "count": str(sum(s.count for s in suggestions)),
                    "person_hours": f"{person_hours.normalize():f}",
                    "load": str(busiest.peak_load.quantize(Decimal("0.1"), ROUND_HALF_UP)),
                    # the busiest hour's figures, behind "why?"
                    "peak_load": str(busiest.peak_load),
                    "needed": busiest.needed,
                    "scheduled": busiest.scheduled,
                    "capacity": str(busiest.capacity) if busiest.capacity is not None else "—",
                    "week_start": week_start.isoformat(),
                },
                metric="avg_ticket_minutes",
                window_days=14,
            )
        )
    return findings


def run_staffing(*, store: Store, now: dt.datetime, job_run=None) -> dict:
    today = business_date(store, now)
    week_start = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7)
    written = staffing.staffing_requirements_replace(
        store, week_start, requirement_rows(store, week_start), computed_at=now
    )
    findings = staffing_findings(store, week_start)
    figures = staffing_selectors.labour_figures(store=store, week_start=week_start)
    if figures["totals"]["flag"]:
        totals = figures["totals"]
        findings_labour = [
            Finding(
                kind=Insight.Kind.LABOUR,
                subject=f"week:{week_start.isoformat()}",
                message_key="labour_band",
                severity=Insight.Severity.WARNING,
                numbers={
                    "scheduled": str(totals["scheduled_hours_with_requirements"]),
                    "required": str(totals["required_hours"]),
                    "diff_pct": str((totals["deviation"] * 100).quantize(Decimal("0.1"))),
                    "flag": totals["flag"],
                },
                metric="avg_ticket_minutes",
                window_days=14,
            )
        ]
    else:
        findings_labour = []
    insights_sync(store=store, kind=Insight.Kind.STAFFING, findings=findings, job_run=job_run)
    insights_sync(store=store, kind=Insight.Kind.LABOUR, findings=findings_labour, job_run=job_run)
    return {"requirements": written, "suggestions": len(findings), "week_start": week_start}


# --- Labour -----------------------------------------------------------------------------------------


def labour(store: Store, week_start: dt.date, now: dt.datetime | None = None) -> list[dict]:
    """Per business day of the week: sales (actual and forecast), labour cost (scheduled and actual),
    labour % of actual and of forecast sales, and sales per labour hour.

    - Past days: actual labour (else scheduled) against the day's sales.
    - Today: the labour of the hours elapsed so far (`staffing.selectors.labour_so_far`) against the
      sales so far, not the whole day's schedule against half a day's sales.
    - Future days: scheduled labour against forecast sales; their sales per labour hour uses forecast
      sales too.
    - A day with no shift and no clocked time has no labour figure (None, shown "—"), not 0.0%."""

    now = now or timezone.now()
    today = business_date(store, now)
    figures = labour_figures(store=store, week_start=week_start)
    days = figures["days"]
    actual_sales = {
        r["period"]: r["revenue"] for r in selectors.sales_by_period(store, days[0], days[-1], "day")
    }
    recent = selectors.item_sales(store, days[0] - dt.timedelta(days=28), days[0] - dt.timedelta(days=1))
    unit_price = {r["menu_item_id"]: r["revenue"] / r["quantity"] for r in recent if r["quantity"]}
    prices = {pk: data["price"] for pk, data in selectors.items_of(store).items()}
    per_weekday: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for item, weekday, quantity in DemandForecast.objects.filter(
        store=store, menu_item__isnull=False
    ).values_list("menu_item_id", "weekday", "quantity"):
        per_weekday[weekday] += quantity * unit_price.get(item, prices.get(item, ZERO))

    def pct(part, whole):
        return (
            (part / whole * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
            if part is not None and whole
            else None
        )

    def per_hour(sales, hours):
        return (sales / hours).quantize(CENT, ROUND_HALF_UP) if hours else None

    out = []
    for day in days:
        cell = figures["totals"]["days"][day]
        sales = actual_sales.get(day, ZERO)
        forecast = per_weekday[day.weekday()].quantize(CENT, ROUND_HALF_UP)
        worked = labour_so_far(store=store, day=day, until=now) if day == today else cell
        staffed = any(worked[k] for k in ("scheduled_hours", "actual_hours"))
        cost = (worked["actual_cost"] or worked["scheduled_cost"]) if staffed else None
        hours = worked["actual_hours"] or worked["scheduled_hours"]
        scheduled_cost = cell["scheduled_cost"] if cell["scheduled_hours"] else None
        future = day > today
        out.append(
            {
                "day": day,
                "sales": sales,
                "forecast_sales": forecast,
                **cell,
                "labour_pct_of_sales": None if future else pct(cost, sales),
                "labour_pct_of_forecast": pct(scheduled_cost, forecast),
                "sales_per_labour_hour": per_hour(forecast, cell["scheduled_hours"])
                if future
                else per_hour(sales, hours),
                "basis": "forecast" if future else ("so_far" if day == today else "day"),
            }
        )
    return out
