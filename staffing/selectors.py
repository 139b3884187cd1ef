"""Reads for staffing: the week's shifts, a person's published shifts, requirement coverage and the
suggestions it leads to, and labour figures (all aggregated in the database)."""

import dataclasses
import datetime as dt
import math
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    DateTimeField,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from restaurant_ops.models import ClosedDate, Store
from restaurant_ops.timeutils import business_date, business_range_bounds, local

from .models import (
    Availability,
    DaysOff,
    Position,
    Shift,
    StaffingRequirement,
    StaffingTarget,
    StaffMember,
    TimeClockEntry,
    WeekSchedule,
)

CENT = Decimal("0.01")
FLAG_BAND = Decimal("0.05")  # a week is flagged when scheduled hours are more than 5% off the required hours


def week_start_for(day: dt.date) -> dt.date:
    """Monday of the week a business day belongs to."""
    return day - dt.timedelta(days=day.weekday())


def week_days(week_start: dt.date) -> list[dt.date]:
    return [week_start + dt.timedelta(days=i) for i in range(7)]


def needed_staff(*, position: Position, load: Decimal) -> int:
    """max(minimum, ceil(load / productivity target)): the rule the analysis jobs use for requirements."""
    by_load = 0
    if position.productivity_target and load > 0:
        by_load = math.ceil(Decimal(load) / position.productivity_target)
    return max(position.min_staff_per_open_hour, by_load)


def positions(*, store: Store) -> QuerySet[Position]:
    return Position.objects.filter(store=store)


def staff_members(*, store: Store) -> QuerySet[StaffMember]:
    return StaffMember.objects.filter(store=store).prefetch_related("positions")


def staff_for_user(*, user, store: Store) -> StaffMember | None:
    if not user.is_authenticated:
        return None
    return StaffMember.objects.filter(store=store, user=user, is_active=True).first()


def week_shifts(*, store: Store, week_start: dt.date) -> QuerySet[Shift]:
    return (
        Shift.objects.filter(store=store, week_start=week_start)
        .select_related("staff", "position")
        .order_by("start", "staff__name")
    )


def week_schedule(*, store: Store, week_start: dt.date) -> WeekSchedule | None:
    return WeekSchedule.objects.filter(store=store, week_start=week_start).first()


def published_shifts(*, staff: StaffMember, since: dt.date) -> QuerySet[Shift]:
    """A person's shifts in published weeks, from business day `since` on."""
    published = WeekSchedule.objects.filter(store=staff.store_id, published_at__isnull=False).values(
        "week_start"
    )
    return (
        Shift.objects.filter(staff=staff, business_date__gte=since, week_start__in=published)
        .select_related("position", "store")
        .order_by("start")
    )


def open_clock_entry(*, staff: StaffMember) -> TimeClockEntry | None:
    return (
        TimeClockEntry.objects.filter(staff=staff, clock_out__isnull=True).select_related("position").first()
    )


# ---------------------------------------------------------------- requirements vs shifts


@dataclasses.dataclass(frozen=True)
class HourCoverage:
    position_id: int
    hour_start: dt.datetime
    needed: int
    scheduled: int
    forecast_load: Decimal

    @property
    def difference(self) -> int:
        """Scheduled − needed: negative is a gap, positive a surplus."""
        return self.scheduled - self.needed


def requirement_coverage(*, store: Store, week_start: dt.date) -> list[HourCoverage]:
    """Each requirement hour of the week beside the number of shifts of that position covering the
    whole hour (a shift counts for an hour when it starts at or before it and ends at or after its end).
    The count is a database subquery per row, not a loop over shifts."""
    lower, upper = business_range_bounds(store, week_start, week_start + dt.timedelta(days=6))
    hour_end = ExpressionWrapper(OuterRef("hour_start") + dt.timedelta(hours=1), output_field=DateTimeField())
    covering = (
        Shift.objects.filter(
            store=store, position=OuterRef("position"), start__lte=OuterRef("hour_start"), end__gte=hour_end
        )
        .order_by()
        .values("position")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        StaffingRequirement.objects.filter(store=store, hour_start__gte=lower, hour_start__lt=upper)
        .annotate(scheduled=Coalesce(Subquery(covering), 0))
        .order_by("position_id", "hour_start")
        .values_list("position_id", "hour_start", "needed_staff", "scheduled", "forecast_load")
    )
    return [HourCoverage(*row) for row in rows]


@dataclasses.dataclass(frozen=True)
class StaffingSuggestion:
    """One concrete change to the schedule, plain data (analytics stores `as_dict()` in an insight and
    rebuilds it with `from_dict`; `services.suggestion_apply` turns a gap into a shift).

    kind:          "gap" (add people) or "surplus" (fewer people would do)
    position_id / position_name / load_kind: the position and what its load counts
    start / end:   aware datetimes, whole hours, the merged run of consecutive hours
    count:         how many more (gap) or fewer (surplus) people over the whole run
    needed / scheduled:  at the run's peak hour (the hour with the highest forecast load)
    peak_load:     forecast load per hour at that hour; capacity = scheduled × productivity target
                   (None for positions without a target)
    key:           stable text id, e.g. for a form that applies it
    """

    GAP = "gap"
    SURPLUS = "surplus"

    kind: str
    store_id: int
    position_id: int
    position_name: str
    load_kind: str
    start: dt.datetime
    end: dt.datetime
    count: int
    needed: int
    scheduled: int
    peak_load: Decimal
    capacity: Decimal | None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.position_id}:{self.start.isoformat()}:{self.end.isoformat()}:{self.count}"

    @property
    def hours(self) -> Decimal:
        """The shift's length in hours (a run clipped to a half-hour close is not whole)."""
        return (Decimal(int((self.end - self.start).total_seconds())) / 3600).quantize(CENT)

    def as_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data.update(
            start=self.start.isoformat(),
            end=self.end.isoformat(),
            peak_load=str(self.peak_load),
            capacity=None if self.capacity is None else str(self.capacity),
            key=self.key,
        )
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "StaffingSuggestion":
        fields = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in fields}
        values.update(
            start=dt.datetime.fromisoformat(str(data["start"])),
            end=dt.datetime.fromisoformat(str(data["end"])),
            peak_load=Decimal(str(data["peak_load"])),
            capacity=None if data.get("capacity") is None else Decimal(str(data["capacity"])),
        )
        return cls(**values)

    def message(self, store: Store) -> str:
        """E.g. "Fri 18:00–20:00: one more cashier — forecast 46 orders/h, capacity 36"."""
        start = local(store, self.start)
        span = f"{date_format(start, 'D')} {start:%H:%M}–{local(store, self.end):%H:%M}"
        if self.kind == self.GAP:
            what = ngettext("one more %(position)s", "%(count)d more %(position)s", self.count)
        else:
            what = ngettext("one %(position)s fewer", "%(count)d %(position)s fewer", self.count)
        what = what % {"count": self.count, "position": self.position_name}
        if self.capacity is None:
            why = _("needed %(needed)d, scheduled %(scheduled)d") % {
                "needed": self.needed,
                "scheduled": self.scheduled,
            }
        else:
            unit = _("orders/h") if self.load_kind == Position.LoadKind.ORDERS else _("kitchen items/h")
            why = _("forecast %(load)s %(unit)s, capacity %(capacity)s") % {
                "load": _plain(self.peak_load),
                "unit": unit,
                "capacity": _plain(self.capacity),
            }
        return f"{span}: {what} — {why}"


def _plain(value: Decimal) -> str:
    value = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"


def staffing_suggestions(*, store: Store, week_start: dt.date) -> list[StaffingSuggestion]:
    """Gaps and surpluses merged into concrete suggestions. Per position, the k-th extra person is
    needed in every hour whose gap is at least k; each run of consecutive such hours within one business
    day, cut after the store's longest shift (`StaffingTarget.max_shift_hours`, default 8), is one
    person's shift. Runs with the same hours are merged into one suggestion with a count. Surpluses
    likewise. Each run is clipped to the store's opening hours (closed dates count as shut), keeping
    its longest open part; a run wholly outside them is no suggestion. A store without opening hours
    is not clipped."""
    longest = (
        StaffingTarget.objects.filter(store=store).values_list("max_shift_hours", flat=True).first()
        or StaffingTarget.DEFAULT_MAX_SHIFT_HOURS
    )
    opening = opening_windows(store, week_start - dt.timedelta(days=1), week_start + dt.timedelta(days=7))
    by_position = defaultdict(list)
    for row in requirement_coverage(store=store, week_start=week_start):
        by_position[row.position_id].append(row)
    position_rows = {p.pk: p for p in Position.objects.filter(pk__in=by_position)}
    out: list[StaffingSuggestion] = []
    for position_id, rows in by_position.items():
        position = position_rows[position_id]
        for kind, sign in ((StaffingSuggestion.GAP, -1), (StaffingSuggestion.SURPLUS, 1)):
            runs: dict[tuple, int] = {}
            deepest = max((sign * r.difference for r in rows), default=0)
            for level in range(1, deepest + 1):
                run: list[HourCoverage] = []
                for row in rows + [None]:
                    contiguous = row is not None and (
                        not run
                        or (
                            row.hour_start == run[-1].hour_start + dt.timedelta(hours=1)
                            and len(run) < longest
                            and business_date(store, row.hour_start)
                            == business_date(store, run[0].hour_start)
                        )
                    )
                    if contiguous and sign * row.difference >= level:
                        run.append(row)
                        continue
                    if run:
                        key = (run[0].hour_start, run[-1].hour_start)
                        runs[key] = runs.get(key, 0) + 1
                        run = []
                    if row is not None and sign * row.difference >= level:
                        run = [row]
            for (first, last), count in runs.items():
                span = _clip(first, last + dt.timedelta(hours=1), opening)
                if span is None:
                    continue  # wholly outside opening hours: not a shift to suggest
                start, end = span
                hours = [r for r in rows if start - dt.timedelta(hours=1) < r.hour_start < end]
                peak = max(hours, key=lambda r: (r.forecast_load, -r.hour_start.timestamp()))
                capacity = (
                    None
                    if not position.productivity_target
                    else (peak.scheduled * position.productivity_target).quantize(CENT)
                )
                out.append(
                    StaffingSuggestion(
                        kind=kind,
                        store_id=store.pk,
                        position_id=position_id,
                        position_name=position.name,
                        load_kind=position.load_kind,
                        start=start,
                        end=end,
                        count=count,
                        needed=peak.needed,
                        scheduled=peak.scheduled,
                        peak_load=peak.forecast_load,
                        capacity=capacity,
                    )
                )
    return sorted(out, key=lambda s: (s.start, s.position_name, s.kind))


def opening_windows(
    store: Store, first: dt.date, last: dt.date
) -> list[tuple[dt.datetime, dt.datetime]] | None:
    """The store's opening hours as aware [opens, closes) windows on local dates first..last (a span
    whose close is at or before its opening passes midnight), closed dates left out; None when the
    store has no opening hours at all."""
    spans = list(store.opening_hours.values_list("weekday", "opens", "closes"))
    if not spans:
        return None
    closed = set(
        ClosedDate.objects.filter(store=store, date__range=(first, last)).values_list("date", flat=True)
    )
    out = []
    day = first
    while day <= last:
        if day not in closed:
            for weekday, opens, closes in spans:
                if weekday == day.weekday():
                    end_day = day + dt.timedelta(days=1) if closes <= opens else day
                    out.append(
                        (
                            dt.datetime.combine(day, opens, tzinfo=store.tz),
                            dt.datetime.combine(end_day, closes, tzinfo=store.tz),
                        )
                    )
        day += dt.timedelta(days=1)
    return sorted(out)


def _clip(start: dt.datetime, end: dt.datetime, windows) -> tuple[dt.datetime, dt.datetime] | None:
    """The longest part of [start, end) inside the union of `windows` (None: no window, no clipping)."""
    if windows is None:
        return start, end
    merged: list[list[dt.datetime]] = []
    for w_start, w_end in sorted(windows):
        if merged and w_start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], w_end)
        else:
            merged.append([w_start, w_end])
    pieces = [(max(start, a), min(end, b)) for a, b in merged if a < end and b > start]
    if not pieces:
        return None
    return max(pieces, key=lambda p: (p[1] - p[0], -p[0].timestamp()))


def suggestion_by_key(*, store: Store, week_start: dt.date, key: str) -> StaffingSuggestion | None:
    return next((s for s in staffing_suggestions(store=store, week_start=week_start) if s.key == key), None)


# ---------------------------------------------------------------- labour figures


def _hours(minutes) -> Decimal:
    return (Decimal(minutes or 0) / 60).quantize(CENT, rounding=ROUND_HALF_UP)


def _cost(minute_cost) -> Decimal:
    return (Decimal(minute_cost or 0) / 60).quantize(CENT, rounding=ROUND_HALF_UP)


def _cell() -> dict:
    return {
        "scheduled_hours": Decimal("0.00"),
        "scheduled_cost": Decimal("0.00"),
        "actual_hours": Decimal("0.00"),
        "actual_cost": Decimal("0.00"),
    }


# Σ minutes × hourly cost of shift or time-clock rows (each row's snapshot of the cost); ÷ 60 is money.
MINUTE_COST = ExpressionWrapper(
    F("minutes") * F("hourly_cost"), output_field=DecimalField(max_digits=16, decimal_places=2)
)


def scheduled_cost_by_day(*, store: Store, first: dt.date, last: dt.date) -> dict[dt.date, Decimal]:
    """Scheduled labour cost per business day, as the labour page totals it: each position's cost of
    the day (Σ minutes × hourly cost / 60, to the cent) added up, so every page shows the same cents.
    Days without shifts are absent (no figure, not 0)."""
    rows = (
        Shift.objects.filter(store=store, business_date__range=(first, last))
        .values("business_date", "position_id")
        .order_by()
        .annotate(cost_sum=Sum(MINUTE_COST))
    )
    costs: dict[dt.date, Decimal] = {}
    for row in rows:
        day = row["business_date"]
        costs[day] = costs.get(day, Decimal("0.00")) + _cost(row["cost_sum"])
    return costs


def labour_figures(*, store: Store, week_start: dt.date) -> dict:
    """Scheduled and actual hours and cost per business day and for the week, per position, beside the
    required hours (sum of needed staff over the week's requirement hours).

    Returns plain data:
      {"week_start", "days": [7 dates],
       "positions": [{"id", "name", "days": {date: cell}, "week": cell, "required_hours",
                      "deviation", "flag"}],
       "totals": {"days": {date: cell}, "week": cell, "required_hours", "deviation", "flag"}}
    where a cell is {"scheduled_hours", "scheduled_cost", "actual_hours", "actual_cost"} (Decimal,
    hours and money to 2 places), deviation = (scheduled − required) / required (None without
    requirements) and flag is "over" / "under" when |deviation| > 5%, else None. Actual figures count
    finished time-clock entries. Sums are grouped in the database; costs use each row's snapshot.
    The week's flag compares required hours with the scheduled hours of the positions that have
    requirements (a position the plan does not cover, say a manager, does not skew it)."""
    days = week_days(week_start)
    scheduled = (
        Shift.objects.filter(store=store, business_date__range=(days[0], days[-1]))
        .values("position_id", "business_date")
        .order_by()
        .annotate(minutes_sum=Sum("minutes"), cost_sum=Sum(MINUTE_COST))
    )
    actual = (
        TimeClockEntry.objects.filter(
            store=store, business_date__range=(days[0], days[-1]), minutes__isnull=False
        )
        .values("position_id", "business_date")
        .order_by()
        .annotate(minutes_sum=Sum("minutes"), cost_sum=Sum(MINUTE_COST))
    )
    lower, upper = business_range_bounds(store, days[0], days[-1])
    required = dict(
        StaffingRequirement.objects.filter(store=store, hour_start__gte=lower, hour_start__lt=upper)
        .values("position_id")
        .order_by()
        .annotate(n=Sum("needed_staff"))
        .values_list("position_id", "n")
    )

    cells: dict[int, dict] = defaultdict(lambda: {day: _cell() for day in days})
    for prefix, rows in (("scheduled", scheduled), ("actual", actual)):
        for row in rows:
            cell = cells[row["position_id"]][row["business_date"]]
            cell[f"{prefix}_hours"] = _hours(row["minutes_sum"])
            cell[f"{prefix}_cost"] = _cost(row["cost_sum"])

    names = dict(Position.objects.filter(store=store).values_list("pk", "name"))
    position_ids = sorted(set(cells) | set(required), key=lambda pk: names.get(pk, ""))
    totals = {"days": {day: _cell() for day in days}, "week": _cell()}
    out = []
    for position_id in position_ids:
        per_day = cells[position_id]
        week = _cell()
        for day in days:
            for field, value in per_day[day].items():
                week[field] += value
                totals["days"][day][field] += value
                totals["week"][field] += value
        req = Decimal(required.get(position_id, 0)).quantize(CENT)
        out.append(
            {
                "id": position_id,
                "name": names.get(position_id, ""),
                "days": per_day,
                "week": week,
                "required_hours": req,
                **_flag(week["scheduled_hours"], req),
            }
        )
    planned = [row for row in out if row["required_hours"]]
    required_total = sum((row["required_hours"] for row in planned), Decimal("0.00"))
    scheduled_planned = sum((row["week"]["scheduled_hours"] for row in planned), Decimal("0.00"))
    totals.update(
        required_hours=required_total,
        scheduled_hours_with_requirements=scheduled_planned,
        **_flag(scheduled_planned, required_total),
    )
    return {"week_start": week_start, "days": days, "positions": out, "totals": totals}


def labour_so_far(*, store: Store, day: dt.date, until: dt.datetime) -> dict:
    """The business day's labour up to `until`: the part of each scheduled shift, and of each time-clock
    entry (one still open counts to `until`), that lies before it. The same cell as `labour_figures`."""
    start = business_range_bounds(store, day, day)[0]
    cell = _cell()

    def add(prefix: str, begin: dt.datetime, end: dt.datetime, hourly_cost: Decimal) -> None:
        seconds = (min(end, until) - max(begin, start)).total_seconds()
        if seconds > 0:
            minutes = Decimal(seconds) / 60
            cell[f"{prefix}_hours"] += minutes / 60
            cell[f"{prefix}_cost"] += minutes * hourly_cost / 60

    for begin, end, hourly_cost in Shift.objects.filter(store=store, business_date=day).values_list(
        "start", "end", "hourly_cost"
    ):
        add("scheduled", begin, end, hourly_cost)
    for begin, end, hourly_cost in TimeClockEntry.objects.filter(store=store, business_date=day).values_list(
        "clock_in", "clock_out", "hourly_cost"
    ):
        add("actual", begin, end or until, hourly_cost)
    return {k: v.quantize(CENT, ROUND_HALF_UP) for k, v in cell.items()}


def _flag(scheduled: Decimal, required: Decimal) -> dict:
    if not required:
        return {"deviation": None, "flag": None}
    deviation = ((scheduled - required) / required).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    flag = "over" if deviation > FLAG_BAND else "under" if deviation < -FLAG_BAND else None
    return {"deviation": deviation, "flag": flag}


def staff_free_for(
    *, store: Store, slots: list[tuple[int, dt.datetime, dt.datetime]]
) -> dict[tuple[int, dt.datetime, dt.datetime], list[StaffMember]]:
    """For each (position id, start, end): the active people who hold that position, have no shift
    overlapping it, no day off on its day, are available then (a person without availability rows
    is available any time) and whose scheduled hours that week plus the shift stay within their
    maximum weekly hours: whom a one-click apply can give that shift to. Five queries for any number
    of slots."""
    if not slots:
        return {}
    first, last = min(s for _p, s, _e in slots), max(e for _p, _s, e in slots)
    people = list(
        StaffMember.objects.filter(store=store, is_active=True).prefetch_related("positions").order_by("name")
    )
    busy = defaultdict(list)
    for staff_id, start, end in Shift.objects.filter(
        staff__in=people, start__lt=last, end__gt=first
    ).values_list("staff_id", "start", "end"):
        busy[staff_id].append((start, end))
    off = defaultdict(list)
    for staff_id, first_day, last_day in DaysOff.objects.filter(staff__in=people).values_list(
        "staff_id", "first_day", "last_day"
    ):
        off[staff_id].append((first_day, last_day))
    spans = defaultdict(list)
    for staff_id, weekday, span_start, span_end in Availability.objects.filter(staff__in=people).values_list(
        "staff_id", "weekday", "start", "end"
    ):
        spans[staff_id].append((weekday, span_start, span_end))

    weeks = {week_start_for(business_date(store, start)) for _p, start, _e in slots}
    week_minutes = defaultdict(int)
    for staff_id, week, minutes in (
        Shift.objects.filter(staff__in=[p for p in people if p.max_weekly_hours], week_start__in=weeks)
        .values("staff_id", "week_start")
        .order_by()
        .annotate(m=Sum("minutes"))
        .values_list("staff_id", "week_start", "m")
    ):
        week_minutes[(staff_id, week)] = minutes or 0

    def within_max(person: StaffMember, start: dt.datetime, end: dt.datetime) -> bool:
        if not person.max_weekly_hours:
            return True
        week = week_start_for(business_date(store, start))
        minutes = int((end - start).total_seconds() // 60)
        return week_minutes[(person.pk, week)] + minutes <= person.max_weekly_hours * 60

    def available(staff_id: int, start: dt.datetime, end: dt.datetime) -> bool:
        if staff_id not in spans:
            return True
        begin, finish = local(store, start), local(store, end)
        for weekday, span_start, span_end in spans[staff_id]:
            overnight = span_end <= span_start
            if weekday != begin.weekday() or begin.time() < span_start:
                continue
            if overnight or (finish.date() == begin.date() and finish.time() <= span_end):
                return True
        return False

    out = {}
    for position_id, start, end in slots:
        day = business_date(store, start)
        out[(position_id, start, end)] = [
            person
            for person in people
            if any(p.pk == position_id for p in person.positions.all())
            and not any(s < end and e > start for s, e in busy[person.pk])
            and not any(a <= day <= b for a, b in off[person.pk])
            and available(person.pk, start, end)
            and within_max(person, start, end)
        ]
    return out


def open_shifts_for(*, staff: StaffMember, after: dt.datetime) -> QuerySet[Shift]:
    """Open shifts (no one yet) of the person's store, in positions they hold, starting after `after`:
    what they may claim in My shifts."""
    return (
        Shift.objects.filter(
            store=staff.store_id,
            staff__isnull=True,
            position__in=staff.positions.all(),
            start__gt=after,
        )
        .select_related("position")
        .order_by("start")
    )


def open_shifts(*, store: Store, after: dt.datetime) -> QuerySet[Shift]:
    return (
        Shift.objects.filter(store=store, staff__isnull=True, start__gt=after)
        .select_related("position")
        .order_by("start")
    )


def suggestion_candidates(
    *, store: Store, suggestions: list[StaffingSuggestion]
) -> dict[str, list[StaffMember]]:
    """suggestion key → who can take that gap's shift (`staff_free_for`), for every gap suggestion."""
    gaps = [s for s in suggestions if s.kind == StaffingSuggestion.GAP]
    free = staff_free_for(store=store, slots=list({(s.position_id, s.start, s.end) for s in gaps}))
    return {s.key: free.get((s.position_id, s.start, s.end), []) for s in gaps}
